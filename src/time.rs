//! Time in the browser: now, local clock times and dates, and the server's
//! RFC 3339 times, all as milliseconds since the epoch.

/// Now, in ms since the epoch.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Local "HH:MM" of a time in ms since the epoch.
pub fn clock_time(ms: f64) -> String {
    let date = js_sys::Date::new(&ms.into());
    format!("{:02}:{:02}", date.get_hours(), date.get_minutes())
}

/// Local `YYYY-MM-DD` of a time in ms since the epoch.
pub fn local_date(ms: f64) -> String {
    let date = js_sys::Date::new(&ms.into());
    format!(
        "{:04}-{:02}-{:02}",
        date.get_full_year(),
        date.get_month() + 1,
        date.get_date()
    )
}

/// Local "HH:MM" of an RFC 3339 time from the server ("" if unreadable).
pub fn local_time(rfc3339: &str) -> String {
    parse_time(rfc3339).map(clock_time).unwrap_or_default()
}

/// An RFC 3339 time from the server as ms since the epoch; `None` when it
/// cannot be read.
pub fn parse_time(rfc3339: &str) -> Option<f64> {
    let ms = js_sys::Date::parse(rfc3339);
    (ms.is_finite() && ms > 0.0).then_some(ms)
}

/// Seconds left of a countdown from `seconds`, ticking once a second while
/// the calling component lives; `at_zero` runs when it reaches 0. A tick
/// that comes after the component is gone does nothing (leptos-use's
/// interval can fire once more after its owner's values are disposed).
pub fn use_countdown(
    seconds: u32,
    at_zero: impl Fn() + Clone + 'static,
) -> leptos::prelude::RwSignal<u32> {
    use leptos::prelude::*;
    let left = RwSignal::new(seconds);
    leptos_use::use_interval_fn(
        move || {
            let Some(remaining) = left.try_get_untracked() else {
                return;
            };
            let remaining = remaining.saturating_sub(1);
            left.set(remaining);
            if remaining == 0 {
                at_zero();
            }
        },
        1_000,
    );
    left
}
