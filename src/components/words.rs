//! Words for values that come from the site's settings.

use crate::i18n::*;
use leptos_i18n::I18nContext;
use waitwell_core::contract::Theme;
use waitwell_core::Surface;

/// A configured reason in the patient's language (known categories are
/// translated; anything else is shown as the site wrote it).
pub fn reason_text(i18n: I18nContext<Locale>, reason: &str) -> String {
    match reason {
        "prescription" => t_string!(i18n, reasons.prescription).to_string(),
        "test_results" => t_string!(i18n, reasons.test_results).to_string(),
        "minor_illness" => t_string!(i18n, reasons.minor_illness).to_string(),
        "injury" => t_string!(i18n, reasons.injury).to_string(),
        "vaccination" => t_string!(i18n, reasons.vaccination).to_string(),
        "other" => t_string!(i18n, reasons.other).to_string(),
        other => other.to_owned(),
    }
}

/// A survey theme in the reader's language.
pub fn theme_text(i18n: I18nContext<Locale>, theme: Theme) -> String {
    match theme {
        Theme::WaitingTime => t_string!(i18n, survey.theme_waiting),
        Theme::KeptInformed => t_string!(i18n, survey.theme_informed),
        Theme::StaffKindness => t_string!(i18n, survey.theme_kindness),
        Theme::ExplanationOfCare => t_string!(i18n, survey.theme_explanation),
        Theme::Cleanliness => t_string!(i18n, survey.theme_cleanliness),
        Theme::EaseOfCheckIn => t_string!(i18n, survey.theme_check_in),
    }
    .to_string()
}

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
