//! Delay notices: posted from the desk, shown on the board.

use super::super::actions::{Actions, Feedback};
use crate::api::live::{Live, ReceptionState};
use crate::i18n::*;
use crate::pages::staff_gate::{is_signed_out, Desk};
use leptos::{ev, prelude::*};
use waitwell_core::client::ClientError;
use waitwell_core::contract::{limits, NewDelayNotice};

#[component]
pub fn NoticesPanel(live: Live<ReceptionState>) -> impl IntoView {
    let i18n = use_i18n();
    let desk = expect_context::<Desk>();
    let actions = expect_context::<Actions>();
    let clinician = RwSignal::new(String::new());
    let minutes = RwSignal::new(20u32);
    let notices = move || {
        live.snapshot.with(|s| {
            s.as_ref()
                .map(|s| s.queue.notices.clone())
                .unwrap_or_default()
        })
    };
    let report = move |result: Result<String, ClientError>| match result {
        Ok(text) => {
            actions
                .feedback
                .try_set(Some(Feedback::Done { text, undo: None }));
        }
        Err(e) if is_signed_out(&e) => desk.session_ended(),
        Err(e) => {
            actions.feedback.try_set(Some(Feedback::Failed(e)));
        }
    };
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
            report(result);
        });
    };
    let clear = move |id: i64| {
        let adapter = desk.adapter.get_value();
        desk.spawn(async move {
            let result = adapter
                .clear_notice(id)
                .await
                .map(|()| t_string!(i18n, reception.notice_cleared).to_string());
            report(result);
        });
    };
    let choices = (1..=12u32)
        .map(|n| n * 10)
        .map(|m| view! { <option value=m>{move || t_string!(i18n, reception.minutes, minutes = m).to_string()}</option> })
        .collect_view();
    view! {
        <section class="panel" aria-labelledby="notices-title">
            <h2 id="notices-title">{t!(i18n, reception.delay_notices)}</h2>
            <ul role="list">
                {move || {
                    notices()
                        .into_iter()
                        .map(|n| {
                            let text = {
                                let clinician = n.clinician.clone();
                                move || t_string!(i18n, board.delay, clinician = clinician.clone(), minutes = n.minutes).to_string()
                            };
                            let id = n.id;
                            view! {
                                <li class="notice-row">
                                    <span>{text}</span>
                                    <button type="button" on:click=move |_| clear(id)>
                                        {t!(i18n, reception.clear)}
                                    </button>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
            <form on:submit=submit>
                <label class="field" for="notice-clinician">
                    {t!(i18n, reception.clinician)}
                </label>
                <input
                    id="notice-clinician"
                    class="typed small"
                    autocomplete="off"
                    maxlength=limits::CLINICIAN_CHARS
                    prop:value=move || clinician.get()
                    on:input=move |ev| clinician.set(event_target_value(&ev))
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
        </section>
    }
}
