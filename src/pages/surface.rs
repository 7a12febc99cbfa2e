use crate::components::PageHeading;
use crate::i18n::*;
use leptos::prelude::*;
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

/// A surface's page: its heading and, for now, what it will do.
#[component]
pub fn SurfacePage(surface: Surface) -> impl IntoView {
    let i18n = use_i18n();
    let title = move || match surface {
        Surface::CheckIn => t_string!(i18n, surface.check_in.title).to_string(),
        Surface::Board => t_string!(i18n, surface.board.title).to_string(),
        Surface::Reception => t_string!(i18n, surface.reception.title).to_string(),
        Surface::Survey => t_string!(i18n, surface.survey.title).to_string(),
        Surface::Insights => t_string!(i18n, surface.insights.title).to_string(),
    };
    let placeholder = move || match surface {
        Surface::CheckIn => t_string!(i18n, surface.check_in.placeholder).to_string(),
        Surface::Board => t_string!(i18n, surface.board.placeholder).to_string(),
        Surface::Reception => t_string!(i18n, surface.reception.placeholder).to_string(),
        Surface::Survey => t_string!(i18n, surface.survey.placeholder).to_string(),
        Surface::Insights => t_string!(i18n, surface.insights.placeholder).to_string(),
    };
    view! {
        <section class="surface" data-surface=surface.as_str()>
            <PageHeading>{title}</PageHeading>
            <p class="placeholder">{placeholder}</p>
        </section>
    }
}
