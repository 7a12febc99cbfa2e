//! Adding a walk-in from the desk.

use super::super::actions::{Actions, Feedback};
use crate::components::DeskField;
use crate::i18n::*;
use crate::pages::staff_gate::Desk;
use crate::tasks::new_idempotency_key;
use leptos::{ev, prelude::*};
use waitwell_core::contract::{limits, CheckInRequest, Needs};
use waitwell_core::walk_in;

/// What is typed into the walk-in form.
#[derive(Clone, Copy)]
struct Fields {
    first: RwSignal<String>,
    initial: RwSignal<String>,
    reason: RwSignal<String>,
    invalid: RwSignal<bool>,
    /// One idempotency key per walk-in being added, kept across retries.
    key: StoredValue<Option<String>>,
}

impl Fields {
    /// Checks the fields by the walk-in rule every door shares, then checks
    /// the walk-in in (as the kiosk does) and clears the form once done.
    fn submit(self, desk: Desk, actions: Actions, reasons: &[String]) {
        let checked = walk_in::check(
            &self.first.get_untracked(),
            &self.initial.get_untracked(),
            &self.reason.get_untracked(),
            reasons,
        );
        let Ok(walk_in) = checked else {
            self.invalid.set(true);
            return;
        };
        self.invalid.set(false);
        if actions.feedback.get_untracked() == Some(Feedback::Working) {
            return;
        }
        let Some(idempotency) = self.key.get_value().or_else(new_idempotency_key) else {
            return;
        };
        self.key.set_value(Some(idempotency.clone()));
        let request = CheckInRequest::WalkIn {
            first_name: walk_in.first_name,
            last_initial: walk_in.last_initial.to_string(),
            reason: walk_in.reason,
            needs: Needs::default(),
            leased: None,
        };
        actions.feedback.set(Some(Feedback::Working));
        let adapter = desk.adapter.get_value();
        let i18n = desk.i18n;
        desk.spawn(async move {
            let result = adapter
                .check_in(&idempotency, &request)
                .await
                .map(|ticket| {
                    self.key.try_set_value(None);
                    self.first.try_set(String::new());
                    self.initial.try_set(String::new());
                    t_string!(i18n, reception.walk_in_added, ticket = ticket.ticket).to_string()
                });
            actions.report(result, None);
        });
    }
}

/// Adds a walk-in from the desk (same check-in as the kiosk's).
#[component]
pub fn WalkInPanel() -> impl IntoView {
    let i18n = use_i18n();
    let desk = expect_context::<Desk>();
    let actions = expect_context::<Actions>();
    let reasons = desk.site.with_value(|s| s.walk_in_reasons.clone());
    let fields = Fields {
        first: RwSignal::new(String::new()),
        initial: RwSignal::new(String::new()),
        reason: RwSignal::new(reasons.first().cloned().unwrap_or_default()),
        invalid: RwSignal::new(false),
        key: StoredValue::new(None),
    };
    let Fields {
        first,
        initial,
        reason,
        invalid,
        ..
    } = fields;
    let known = StoredValue::new(reasons.clone());
    let submit = move |ev: ev::SubmitEvent| {
        ev.prevent_default();
        known.with_value(|reasons| fields.submit(desk, actions, reasons));
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
                <DeskField
                    id="desk-first-name"
                    label=Signal::derive(move || t_string!(i18n, check_in.first_name).to_string())
                    value=first
                    maxlength=limits::FIRST_NAME_CHARS
                />
                <DeskField
                    id="desk-initial"
                    label=Signal::derive(move || t_string!(i18n, check_in.initial).to_string())
                    value=initial
                    maxlength=1
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
