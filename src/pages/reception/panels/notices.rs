//! Delay notices: posted from the desk, shown on the board.

use super::super::actions::{Actions, Feedback};
use crate::api::live::{Live, ReceptionState};
use crate::components::DeskField;
use crate::i18n::*;
use crate::pages::staff_gate::Desk;
use leptos::{ev, prelude::*};
use waitwell_core::contract::{limits, DelayNotice, NewDelayNotice};

#[component]
pub fn NoticesPanel(live: Live<ReceptionState>) -> impl IntoView {
    let i18n = use_i18n();
    let notices = move || {
        live.snapshot.with(|s| {
            s.as_ref()
                .map(|s| s.queue.notices.clone())
                .unwrap_or_default()
        })
    };
    view! {
        <section class="panel" aria-labelledby="notices-title">
            <h2 id="notices-title">{t!(i18n, reception.delay_notices)}</h2>
            <ul role="list">
                {move || {
                    notices()
                        .into_iter()
                        .map(|notice| view! { <NoticeRow notice=notice /> })
                        .collect_view()
                }}
            </ul>
            <NoticeForm />
        </section>
    }
}

/// A notice on the board now, and "Clear".
#[component]
fn NoticeRow(notice: DelayNotice) -> impl IntoView {
    let i18n = use_i18n();
    let desk = expect_context::<Desk>();
    let actions = expect_context::<Actions>();
    let DelayNotice {
        id,
        clinician,
        minutes,
    } = notice;
    let clear = move |_| {
        let adapter = desk.adapter.get_value();
        desk.spawn(async move {
            let result = adapter
                .clear_notice(id)
                .await
                .map(|()| t_string!(i18n, reception.notice_cleared).to_string());
            actions.report(result, None);
        });
    };
    view! {
        <li class="notice-row">
            <span>
                {move || {
                    t_string!(i18n, board.delay, clinician = clinician.clone(), minutes = minutes)
                        .to_string()
                }}
            </span>
            <button type="button" on:click=clear>
                {t!(i18n, reception.clear)}
            </button>
        </li>
    }
}

/// Posting a notice: who is late, and by about how long.
#[component]
fn NoticeForm() -> impl IntoView {
    let i18n = use_i18n();
    let desk = expect_context::<Desk>();
    let actions = expect_context::<Actions>();
    let clinician = RwSignal::new(String::new());
    let minutes = RwSignal::new(20u32);
    let submit = move |ev: ev::SubmitEvent| {
        ev.prevent_default();
        let name = clinician.get_untracked();
        if name.trim().is_empty() {
            return;
        }
        let notice = NewDelayNotice {
            clinician: name.trim().to_owned(),
            minutes: minutes.get_untracked(),
        };
        actions.feedback.set(Some(Feedback::Working));
        let adapter = desk.adapter.get_value();
        desk.spawn(async move {
            let result = adapter.post_notice(&notice).await.map(|n| {
                clinician.try_set(String::new());
                t_string!(
                    i18n,
                    reception.notice_posted,
                    clinician = n.clinician,
                    minutes = n.minutes
                )
                .to_string()
            });
            actions.report(result, None);
        });
    };
    let choices = (1..=12u32)
        .map(|n| n * 10)
        .map(|m| view! { <option value=m>{move || t_string!(i18n, reception.minutes, minutes = m).to_string()}</option> })
        .collect_view();
    view! {
        <form on:submit=submit>
            <DeskField
                id="notice-clinician"
                label=Signal::derive(move || t_string!(i18n, reception.clinician).to_string())
                value=clinician
                maxlength=limits::CLINICIAN_CHARS
            />
            <label class="field" for="notice-minutes">
                {t!(i18n, reception.late_by)}
            </label>
            <select
                id="notice-minutes"
                prop:value=move || minutes.get().to_string()
                on:change=move |ev| minutes.set(event_target_value(&ev).parse().unwrap_or(20))
            >
                {choices}
            </select>
            <button type="submit" class="primary">
                {t!(i18n, reception.post_notice)}
            </button>
        </form>
    }
}
