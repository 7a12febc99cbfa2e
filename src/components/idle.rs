//! The idle reset of the patient surfaces: after a spell without a touch or
//! key, a warning counts down (WCAG 2.2.1: at least 20 s, one tap to go
//! on), then the surface starts over for the next person.

use crate::i18n::*;
use leptos::{ev, html, prelude::*};
use send_wrapper::SendWrapper;
use waitwell_core::contract::IdleTimings;

/// Warns and then calls `on_reset` once the person has gone. While `active`
/// is false nothing is counted (there is nothing to wipe).
#[component]
pub fn IdleGuard(
    timings: IdleTimings,
    #[prop(into)] active: Signal<bool>,
    on_reset: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let last_activity = StoredValue::new(js_sys::Date::now());
    // Seconds left on the warning, while it shows.
    let remaining = RwSignal::new(None::<u32>);
    let continue_button = NodeRef::<html::Button>::new();

    let touched = move || {
        last_activity.set_value(js_sys::Date::now());
        if remaining.get_untracked().is_some() {
            remaining.set(None);
        }
    };
    let on_pointer = window_event_listener(ev::pointerdown, move |_| touched());
    let on_key = window_event_listener(ev::keydown, move |_| touched());

    let warn_after = f64::from(timings.warn_after_seconds) * 1000.0;
    let countdown = timings.countdown_seconds.max(20);
    let tick = gloo_timers::callback::Interval::new(1_000, move || {
        if !active.get_untracked() {
            last_activity.set_value(js_sys::Date::now());
            if remaining.get_untracked().is_some() {
                remaining.set(None);
            }
            return;
        }
        let idle = js_sys::Date::now() - last_activity.get_value();
        if idle < warn_after {
            return;
        }
        // Whole seconds of the countdown used so far.
        let used = ((idle - warn_after) / 1000.0).floor();
        let left = f64::from(countdown) - used;
        if left <= 0.0 {
            remaining.set(None);
            last_activity.set_value(js_sys::Date::now());
            on_reset.run(());
        } else {
            // `left` is within 1..=countdown here.
            remaining.set(Some(left as u32));
        }
    });
    let tick = SendWrapper::new(tick);
    on_cleanup(move || {
        on_pointer.remove();
        on_key.remove();
        drop(tick);
    });

    // The warning takes focus, so a screen reader announces it and one key
    // press continues.
    let showing = Memo::new(move |_| remaining.get().is_some());
    Effect::new(move |_| {
        if showing.get() {
            if let Some(button) = continue_button.get() {
                let _ = button.focus();
            }
        }
    });

    move || {
        showing.get().then(|| {
            view! {
                <div class="idle-backdrop">
                    <div
                        class="idle-warning"
                        role="alertdialog"
                        aria-modal="true"
                        aria-labelledby="idle-title"
                        aria-describedby="idle-body"
                    >
                        <h2 id="idle-title">{t!(i18n, idle.title)}</h2>
                        <p id="idle-body">
                            {move || t_string!(i18n, idle.body, seconds = remaining.get().unwrap_or(0)).to_string()}
                        </p>
                        <button
                            type="button"
                            class="primary"
                            node_ref=continue_button
                            on:click=move |_| touched()
                        >
                            {t!(i18n, idle.go_on)}
                        </button>
                    </div>
                </div>
            }
        })
    }
}

/// One person at a time on a shared kiosk. `patient` counts people: a
/// surface rebuilds its flow from nothing whenever it changes. `restart`
/// also puts the display options and language back to the device's. The
/// idle guard should count (`active`) once the flow has left its start
/// (`in_flow`) or anything was changed, and a long press opens no menu.
#[derive(Clone, Copy)]
pub struct PatientSession {
    pub patient: RwSignal<u64>,
    pub in_flow: RwSignal<bool>,
    pub restart: Callback<()>,
    pub active: Signal<bool>,
}

impl PatientSession {
    pub fn start() -> Self {
        let i18n = use_i18n();
        let prefs = use_context::<crate::components::DisplayPrefs>();
        let start_locale = i18n.get_locale_untracked();
        let patient = RwSignal::new(0u64);
        let in_flow = RwSignal::new(false);
        let restart = Callback::new(move |()| {
            if let Some(prefs) = prefs {
                prefs.reset();
            }
            i18n.set_locale(start_locale);
            patient.update(|n| *n += 1);
            // Between two people: the one moment a new version may load.
            crate::offline::shell::update_between_patients();
        });
        let active = Signal::derive(move || {
            in_flow.get()
                || i18n.get_locale() != start_locale
                || prefs.is_some_and(|p| {
                    p.high_contrast.get() || p.large_text.get() || p.read_aloud.get()
                })
        });
        let menu = window_event_listener(ev::contextmenu, |ev| ev.prevent_default());
        on_cleanup(move || menu.remove());
        PatientSession {
            patient,
            in_flow,
            restart,
            active,
        }
    }
}
