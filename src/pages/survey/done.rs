//! The thank-you, then back to the faces.

use super::Survey;
use crate::components::PageHeading;
use crate::i18n::*;
use leptos::prelude::*;

/// Seconds the thank-you stays up.
const THANKS_SECONDS: u32 = 6;

#[component]
pub(super) fn Done() -> impl IntoView {
    let i18n = use_i18n();
    let Survey {
        restart, sender, ..
    } = expect_context::<Survey>();
    // Back to the faces by itself after a few seconds.
    crate::time::use_countdown(THANKS_SECONDS, move || restart.run(()));
    view! {
        <PageHeading>{t!(i18n, survey.done_title)}</PageHeading>
        <p>{t!(i18n, survey.done_body)}</p>
        <p class="hint" role="status">
            {move || {
                sender
                    .status
                    .get()
                    .map(|_| t_string!(i18n, survey.not_saved).to_string())
            }}
        </p>
        <div class="nav">
            <button type="button" class="primary" on:click=move |_| restart.run(())>
                {t!(i18n, check_in.done)}
            </button>
        </div>
    }
}
