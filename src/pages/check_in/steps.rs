//! The check-in steps other than identification and the ticket.

use super::{Busy, Flow, Heading, RequestError, Step};
use crate::components::{can_scan, Layout, OnScreenKeyboard};
use crate::i18n::*;
use leptos::prelude::*;
use waitwell_core::checkin::clamp_typed;

/// "Start over": back to the welcome screen, everything entered dropped.
#[component]
pub fn StartOver() -> impl IntoView {
    let i18n = use_i18n();
    let flow = expect_context::<Flow>();
    view! {
        <button type="button" class="start-over" on:click=move |_| flow.restart()>
            {t!(i18n, check_in.start_over)}
        </button>
    }
}

/// A step's row of navigation buttons.
#[component]
pub fn Nav(children: Children) -> impl IntoView {
    view! { <div class="nav">{children()}</div> }
}

/// The foot of a step's form: Back, the form's submit button (its label
/// the children, enabled once `ready`), and Start over at the far end: one
/// row, so that the step fits a tablet's screen with its keyboard.
#[component]
pub fn FormNav(
    on_back: Callback<()>,
    #[prop(into)] ready: Signal<bool>,
    children: Children,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Nav>
            <button type="button" on:click=move |_| on_back.run(())>
                {t!(i18n, check_in.back)}
            </button>
            <button type="submit" class="primary" disabled=move || !ready.get()>
                {children()}
            </button>
            <StartOver />
        </Nav>
    }
}

/// Marks the welcome step, so that only that screen is ever kept.
const WELCOME_MARK: &str = "[data-welcome]";

#[component]
pub fn Welcome() -> impl IntoView {
    let i18n = use_i18n();
    let flow = expect_context::<Flow>();
    let clinic = flow.site.with_value(|s| s.clinic_name.clone());
    // Kept as the screen to paint before the wasm runs next time, as it is
    // first drawn (at start and after each reset: in the device's language
    // and display, before a patient changes them).
    Effect::new(move |_| {
        crate::first_screen::keep_later(WELCOME_MARK, crate::first_screen::Part::Whole)
    });
    view! {
        <Heading>{t!(i18n, check_in.welcome_title)}</Heading>
        <p class="clinic">{clinic}</p>
        <p>{t!(i18n, check_in.welcome_body)}</p>
        <div class="big-actions" data-welcome="">
            <button
                type="button"
                class="primary huge"
                on:click=move |_| flow.advance(&Step::Welcome, Step::Choose)
            >
                {t!(i18n, check_in.start)}
            </button>
            <button
                type="button"
                class="huge"
                on:click=move |_| flow.advance(&Step::Welcome, Step::WalkInName)
            >
                {t!(i18n, check_in.walk_in_start)}
            </button>
        </div>
        <p class="hint">{t!(i18n, check_in.display_hint)}</p>
    }
}

#[component]
pub fn Choose() -> impl IntoView {
    let i18n = use_i18n();
    let flow = expect_context::<Flow>();
    let go = move |to: Step| flow.advance(&Step::Choose, to);
    view! {
        <Heading>{t!(i18n, check_in.choose_title)}</Heading>
        <div class="big-actions">
            <button type="button" class="primary huge" on:click=move |_| go(Step::FamilyName)>
                {t!(i18n, check_in.by_name)}
            </button>
            <button type="button" class="huge" on:click=move |_| go(Step::Code)>
                {t!(i18n, check_in.by_code)}
            </button>
            {can_scan()
                .then(|| {
                    view! {
                        <button type="button" class="huge" on:click=move |_| go(Step::Scan)>
                            {t!(i18n, check_in.by_qr)}
                        </button>
                    }
                })}
            <button type="button" class="huge" on:click=move |_| go(Step::WalkInName)>
                {t!(i18n, check_in.no_appointment)}
            </button>
        </div>
        <Nav>
            <StartOver />
        </Nav>
    }
}

/// A text step: a heading, a field, the on-screen keyboard, and Continue.
#[component]
pub fn TextStep(
    step: Step,
    back: Step,
    next: Callback<()>,
    value: RwSignal<String>,
    max: usize,
    layout: Layout,
    field_id: &'static str,
    #[prop(into)] title: Signal<String>,
    #[prop(into)] label: Signal<String>,
    #[prop(optional)] min_chars: Option<usize>,
    /// What the text must be; refused text is kept and the rule explained.
    #[prop(optional)]
    valid: Option<fn(&str) -> bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let flow = expect_context::<Flow>();
    let min_chars = min_chars.unwrap_or(1);
    let refused = RwSignal::new(false);
    let ready = move || value.with(|v| v.trim().chars().count() >= min_chars) && !flow.busy.get();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !ready() {
            return;
        }
        if valid.is_some_and(|ok| !value.with_untracked(|v| ok(v))) {
            refused.set(true);
            return;
        }
        next.run(());
    };
    Effect::new(move |_| {
        value.track();
        refused.set(false);
    });
    let back_from = step.clone();
    view! {
        <Heading>{title}</Heading>
        <form class="text-step" on:submit=submit>
            <label class="field" for=field_id>
                {label}
            </label>
            <input
                id=field_id
                class="typed"
                type="text"
                inputmode="none"
                autocomplete="off"
                autocapitalize="characters"
                spellcheck="false"
                maxlength=max
                aria-invalid=move || refused.get().to_string()
                aria-describedby=format!("{field_id}-rule")
                prop:value=move || value.get()
                on:input=move |ev| value.set(clamp_typed(&event_target_value(&ev), max))
            />
            <p id=format!("{field_id}-rule") class="field-rule" role="alert">
                {move || refused.get().then(|| t_string!(i18n, check_in.letters_only).to_string())}
            </p>
            <OnScreenKeyboard value=value max=max layout=layout />
            <Busy />
            <RequestError retry=move |()| next.run(()) />
            <FormNav
                on_back=Callback::new(move |()| flow.advance(&back_from, back.clone()))
                ready=Signal::derive(ready)
            >
                {t!(i18n, check_in.go_on)}
            </FormNav>
        </form>
    }
}

#[component]
pub fn Sending() -> impl IntoView {
    let i18n = use_i18n();
    let flow = expect_context::<Flow>();
    view! {
        <Heading>{t!(i18n, check_in.sending_title)}</Heading>
        <Busy />
        <RequestError retry=move |()| flow.send() />
        {move || {
            (flow.error.get().is_some() || flow.not_saved.get().is_some())
                .then(|| {
                    view! {
                        <Nav>
                            <StartOver />
                        </Nav>
                    }
                })
        }}
    }
}
