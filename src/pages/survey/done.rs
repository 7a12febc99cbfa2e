//! The thank-you, then back to the faces.

use super::Survey;
use crate::components::PageHeading;
use crate::i18n::*;
use leptos::prelude::*;
use leptos_use::use_interval_fn;

/// Seconds the thank-you stays up.
const THANKS_SECONDS: u32 = 6;

#[component]
pub(super) fn Done() -> impl IntoView {
    let i18n = use_i18n();
    let Survey {
        restart, sender, ..
    } = expect_context::<Survey>();
    let left = RwSignal::new(THANKS_SECONDS);
    use_interval_fn(
        move || {
            let Some(remaining) = left.try_get_untracked() else {
                return;
            };
            let remaining = remaining.saturating_sub(1);
            left.set(remaining);
            if remaining == 0 {
                restart.run(());
            }
        },
        1_000,
    );
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
