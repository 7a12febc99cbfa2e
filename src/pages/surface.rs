use crate::i18n::*;
use leptos_i18n::I18nContext;
use waitwell_core::Surface;

/// The translated name of a surface, as setup lists it.
pub fn surface_name(i18n: I18nContext<Locale>, surface: Surface) -> String {
    match surface {
        Surface::CheckIn => t_string!(i18n, surface_name.check_in).to_string(),
        Surface::Board => t_string!(i18n, surface_name.board).to_string(),
        Surface::Reception => t_string!(i18n, surface_name.reception).to_string(),
        Surface::Survey => t_string!(i18n, surface_name.survey).to_string(),
        Surface::Insights => t_string!(i18n, surface_name.insights).to_string(),
    }
}
