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

/// An RFC 3339 time from the server as ms since the epoch; `None` when it
/// cannot be read.
pub fn parse_time(rfc3339: &str) -> Option<f64> {
    let ms = js_sys::Date::parse(rfc3339);
    (ms.is_finite() && ms > 0.0).then_some(ms)
}
