//! Adding a walk-in from the desk.

use super::super::actions::{Actions, Feedback};
use crate::i18n::*;
use crate::pages::staff_gate::Desk;
use crate::tasks::new_idempotency_key;
use leptos::{ev, prelude::*};
use waitwell_core::contract::{limits, CheckInRequest, Needs};
use waitwell_core::walk_in;

/// Adds a walk-in from the desk (same check-in as the kiosk's).
#[component]
pub fn WalkInPanel() -> impl IntoView {
    let i18n = use_i18n();
    let desk = expect_context::<Desk>();
    let actions = expect_context::<Actions>();
    let reasons = desk.site.with_value(|s| s.walk_in_reasons.clone());
    let first = RwSignal::new(String::new());
    let initial = RwSignal::new(String::new());
    let reason = RwSignal::new(reasons.first().cloned().unwrap_or_default());
    let reasons_for_check = StoredValue::new(reasons.clone());
    let invalid = RwSignal::new(false);
    // One key per walk-in being added, kept across retries.
    let key = StoredValue::new(None::<String>);
    let submit = move |ev: ev::SubmitEvent| {
        ev.prevent_default();
        let checked = walk_in::check(
            &first.get_untracked(),
            &initial.get_untracked(),
            &reason.get_untracked(),
            &reasons_for_check.get_value(),
        );
        let Ok(walk_in) = checked else {
            invalid.set(true);
            return;
        };
        invalid.set(false);
        if actions.feedback.get_untracked() == Some(Feedback::Working) {
            return;
        }
        let Some(idempotency) = key.get_value().or_else(new_idempotency_key) else {
            return;
        };
        key.set_value(Some(idempotency.clone()));
        let request = CheckInRequest::WalkIn {
            first_name: walk_in.first_name,
            last_initial: walk_in.last_initial.to_string(),
            reason: walk_in.reason,
            needs: Needs::default(),
        };
        actions.feedback.set(Some(Feedback::Working));
        let adapter = desk.adapter.get_value();
        desk.spawn(async move {
            match adapter.check_in(&idempotency, &request).await {
                Ok(ticket) => {
                    key.try_set_value(None);
                    first.try_set(String::new());
                    initial.try_set(String::new());
                    actions.feedback.try_set(Some(Feedback::Done {
                        text: t_string!(i18n, reception.walk_in_added, ticket = ticket.ticket)
                            .to_string(),
                        undo: None,
                    }));
                }
                Err(e) => {
                    actions.feedback.try_set(Some(Feedback::Failed(e)));
                }
            }
        });
    };
    let options = reasons
        .into_iter()
        .map(|r| {
            let text = r.clone();
            view! { <option value=r>{move || crate::components::reason_text(i18n, &text)}</option> }
        })
        .collect_view();
    view! {
        <section class="panel" aria-labelledby="walk-in-title">
            <h2 id="walk-in-title">{t!(i18n, reception.add_walk_in)}</h2>
            <form on:submit=submit>
                <label class="field" for="desk-first-name">
                    {t!(i18n, check_in.first_name)}
                </label>
                <input
                    id="desk-first-name"
                    class="typed small"
                    autocomplete="off"
                    maxlength=limits::FIRST_NAME_CHARS
                    prop:value=move || first.get()
                    on:input=move |ev| first.set(event_target_value(&ev))
                />
                <label class="field" for="desk-initial">
                    {t!(i18n, check_in.initial)}
                </label>
                <input
                    id="desk-initial"
                    class="typed small"
                    autocomplete="off"
                    maxlength="1"
                    prop:value=move || initial.get()
                    on:input=move |ev| initial.set(event_target_value(&ev))
                />
                <label class="field" for="desk-reason">
                    {t!(i18n, reception.reason)}
                </label>
                <select
                    id="desk-reason"
                    prop:value=move || reason.get()
                    on:change=move |ev| reason.set(event_target_value(&ev))
                >
                    {options}
                </select>
                <p class="field-rule" role="alert">
                    {move || invalid.get().then(|| t_string!(i18n, check_in.letters_only).to_string())}
                </p>
                <button type="submit" class="primary">
                    {t!(i18n, reception.add)}
                </button>
            </form>
        </section>
    }
}
