//! The idle reset of the patient surfaces: after a spell without a touch or
//! key, a warning counts down (WCAG 2.2.1: at least 20 s, one tap to go
//! on), then the surface starts over for the next person.

use crate::i18n::*;
use crate::time::now_ms;
use leptos::{ev, html, prelude::*};
use leptos_use::{use_idle_with_options, use_interval_fn, UseIdleOptions, UseIdleReturn};
use waitwell_core::contract::IdleTimings;
use waitwell_core::idle::Idle;

/// Warns and then calls `on_reset` once the person has gone. While `active`
/// is false nothing is counted (there is nothing to wipe). When to warn and
/// when to reset is `waitwell_core::idle`'s decision.
#[component]
pub fn IdleGuard(
    timings: IdleTimings,
    #[prop(into)] active: Signal<bool>,
    on_reset: Callback<()>,
) -> impl IntoView {
    // leptos-use watches for the touches and keys; `since` is when counting
    // (re)started by hand: the guard became active, or "Continue" was tapped.
    let UseIdleReturn { last_active, .. } = use_idle_with_options(
        u64::from(timings.warn_after_seconds) * 1000,
        UseIdleOptions::default()
            .events(vec!["pointerdown".into(), "keydown".into()])
            .listen_for_visibility_change(false),
    );
    let since = StoredValue::new(now_ms());
    // Seconds left on the warning, while it shows.
    let remaining = RwSignal::new(None::<u32>);
    let hide_warning = move || {
        if remaining.try_get_untracked().flatten().is_some() {
            remaining.set(None);
        }
    };
    let restart_count = move || {
        since.set_value(now_ms());
        hide_warning();
    };
    // A touch anywhere hides the warning at once.
    Effect::new(move |_| {
        last_active.track();
        hide_warning();
    });
    use_interval_fn(
        move || {
            // A tick that comes after the guard is gone does nothing.
            let (Some(active), Some(touched), Some(since)) = (
                active.try_get_untracked(),
                last_active.try_get_untracked(),
                since.try_get_value(),
            ) else {
                return;
            };
            if !active {
                restart_count();
                return;
            }
            match Idle::after(now_ms() - touched.max(since), timings) {
                Idle::Fine => hide_warning(),
                Idle::Warn(left) => remaining.set(Some(left)),
                Idle::Reset => {
                    restart_count();
                    on_reset.run(());
                }
            }
        },
        1_000,
    );
    let go_on = Callback::new(move |()| restart_count());
    move || {
        remaining
            .with(Option::is_some)
            .then(|| view! { <IdleWarning remaining=remaining go_on=go_on /> })
    }
}

/// "Are you still there?", with the seconds left and one button to go on.
/// It takes focus, so a screen reader announces it and one key continues.
#[component]
fn IdleWarning(remaining: RwSignal<Option<u32>>, go_on: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let continue_button = NodeRef::<html::Button>::new();
    Effect::new(move |_| {
        if let Some(button) = continue_button.get() {
            let _ = button.focus();
        }
    });
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
                    on:click=move |_| go_on.run(())
                >
                    {t!(i18n, idle.go_on)}
                </button>
            </div>
        </div>
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
