use crate::components::PageHeading;
use crate::i18n::*;
use leptos::prelude::*;

#[component]
pub fn NotFound() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="surface">
            <PageHeading>{t!(i18n, not_found.title)}</PageHeading>
            <p>{t!(i18n, not_found.body)}</p>
            // A plain link: it loads the kiosk's page (no page has a
            // client-side router; see `app::routes`).
            <a href="/" class="button">
                {t!(i18n, not_found.home)}
            </a>
        </section>
    }
}
