use crate::components::PageHeading;
use crate::i18n::*;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn NotFound() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="surface">
            <PageHeading>{t!(i18n, not_found.title)}</PageHeading>
            <p>{t!(i18n, not_found.body)}</p>
            <A href="/" attr:class="button">
                {t!(i18n, not_found.home)}
            </A>
        </section>
    }
}
