//! When to restart the app after a crash.
//!
//! A panic leaves a wasm app dead, so the app reloads itself to a clean start
//! screen. If the crash happens again straight after each reload, reloading
//! forever would only flash the screen: after a few restarts within a short
//! window the app stops and shows a "please see reception" message instead.

/// How many restarts are allowed inside [`WINDOW_MS`].
pub const MAX_RESTARTS: usize = 3;
/// The window, in milliseconds, in which restarts are counted.
pub const WINDOW_MS: u64 = 60_000;

/// What to do after a crash.
#[derive(Debug, Clone, PartialEq)]
pub struct RestartDecision {
    /// Reload to a clean start screen (`true`) or stay on an error message.
    pub restart: bool,
    /// The restart history to store for next time.
    pub history: String,
}

/// Decides from the stored restart history (whole milliseconds since the
/// epoch, comma separated; anything unreadable is ignored) and the current
/// time in milliseconds.
///
/// Whole numbers on purpose: parsing an `f64` would put the standard
/// library's float-parsing tables (some 12 KiB that do not compress) into
/// every page's download.
pub fn decide(stored_history: Option<&str>, now_ms: u64) -> RestartDecision {
    let mut recent: Vec<u64> = stored_history
        .unwrap_or_default()
        .split(',')
        .filter_map(|t| t.trim().parse::<u64>().ok())
        .filter(|t| *t <= now_ms && now_ms - *t < WINDOW_MS)
        .collect();
    let restart = recent.len() < MAX_RESTARTS;
    if restart {
        recent.push(now_ms);
    }
    // Keep the newest few only, so the stored value stays small.
    let keep_from = recent.len().saturating_sub(MAX_RESTARTS);
    let history = recent[keep_from..]
        .iter()
        .map(|t| t.to_string())
        .collect::<Vec<_>>()
        .join(",");
    RestartDecision { restart, history }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn first_crash_restarts() {
        let d = decide(None, 1_000_000);
        assert!(d.restart);
        assert_eq!(d.history, "1000000");
    }

    #[test]
    fn a_crash_loop_stops_after_max_restarts() {
        let mut history: Option<String> = None;
        let mut restarts = 0;
        for i in 0..10 {
            let d = decide(history.as_deref(), 1_000_000 + i * 1_000);
            if d.restart {
                restarts += 1;
            }
            history = Some(d.history);
        }
        assert_eq!(restarts, MAX_RESTARTS);
    }

    #[test]
    fn old_crashes_are_forgotten() {
        let d = decide(Some("1000,2000,3000"), 3000 + WINDOW_MS + 1);
        assert!(d.restart);
    }

    #[test]
    fn garbage_history_is_ignored() {
        let d = decide(
            Some("x,,NaN,inf,-5e400,1e999,-1,4000.5,99999999999999999999"),
            5_000,
        );
        assert!(d.restart);
        assert_eq!(d.history, "5000");
    }

    proptest! {
        #[test]
        fn never_panics_and_history_stays_small(stored in ".{0,300}", now in any::<u64>()) {
            let d = decide(Some(&stored), now);
            prop_assert!(d.history.split(',').count() <= MAX_RESTARTS);
        }
    }
}
