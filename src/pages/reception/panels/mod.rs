//! Reception's side panels, one file each: today's counters, alerts,
//! adding a walk-in, delay notices, the kiosks (their health, setting up
//! and revoking them), and the signed-in person's PIN and desk.

mod account;
mod alerts;
mod counters;
mod devices;
mod enroll;
mod notices;
mod walk_in;

pub use account::AccountPanel;
pub use alerts::AlertsPanel;
pub use counters::Counters;
pub use devices::DevicesPanel;
pub use notices::NoticesPanel;
pub use walk_in::WalkInPanel;

use crate::time::{clock_time, parse_time};

/// Local "HH:MM" of an RFC 3339 time ("" if unreadable).
pub(super) fn local_time(rfc3339: &str) -> String {
    parse_time(rfc3339).map(clock_time).unwrap_or_default()
}

/// A labelled one-line text field of a desk form, bound to `value`.
#[leptos::component]
fn DeskField(
    id: &'static str,
    #[prop(into)] label: leptos::prelude::Signal<String>,
    value: leptos::prelude::RwSignal<String>,
    maxlength: usize,
) -> impl leptos::prelude::IntoView {
    use leptos::prelude::*;
    view! {
        <label class="field" for=id>
            {label}
        </label>
        <input
            id=id
            class="typed small"
            autocomplete="off"
            maxlength=maxlength
            prop:value=move || value.get()
            on:input=move |ev| value.set(event_target_value(&ev))
        />
    }
}
