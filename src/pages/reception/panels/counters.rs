//! Today's counters: waiting, seen, no-shows and the waits.

use crate::api::live::{Live, ReceptionState};
use crate::i18n::*;
use leptos::prelude::*;

#[component]
pub fn Counters(live: Live<ReceptionState>) -> impl IntoView {
    let i18n = use_i18n();
    let today = move || {
        live.snapshot
            .with(|s| s.as_ref().map(|s| s.queue.today).unwrap_or_default())
    };
    view! {
        <dl class="counters">
            <div>
                <dt>{t!(i18n, reception.waiting_now)}</dt>
                <dd data-counter="waiting">{move || today().waiting}</dd>
            </div>
            <div>
                <dt>{t!(i18n, reception.seen_today)}</dt>
                <dd data-counter="seen">{move || today().seen}</dd>
            </div>
            <div>
                <dt>{t!(i18n, reception.average_wait)}</dt>
                <dd>{move || t_string!(i18n, reception.minutes, minutes = today().average_wait_minutes).to_string()}</dd>
            </div>
            <div>
                <dt>{t!(i18n, reception.p90_wait)}</dt>
                <dd>{move || t_string!(i18n, reception.minutes, minutes = today().p90_wait_minutes).to_string()}</dd>
            </div>
            <div>
                <dt>{t!(i18n, reception.left_unseen)}</dt>
                <dd data-counter="no-shows">{move || today().no_shows}</dd>
            </div>
        </dl>
    }
}
