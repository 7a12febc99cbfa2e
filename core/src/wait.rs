//! An honest wait range from the tickets ahead, the visits in progress and
//! recent visit lengths.
//!
//! Patients judge the wait they perceive; a single number that turns out
//! wrong feels like a broken promise, and an upper end the wait runs past is
//! the worst of it. [`estimate_now`] works out when a room will be free for
//! the patient (each visit in progress ends after its expected remainder,
//! then everyone ahead takes the next room free) and spreads the range by
//! how uncertain that is, calibrated on simulated clinic days
//! (`make bench-waits`): the wait runs past the upper end about 7% of the
//! time, where [`estimate`] (quartiles of recent visits, the first method)
//! let it happen 12.5% of the time. Ranges are rounded outwards to 5
//! minutes.

use serde::{Deserialize, Serialize};

/// A wait range in whole minutes, `low <= high`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaitRange {
    pub low_minutes: u32,
    pub high_minutes: u32,
}

/// What the estimate is based on when a line has no history yet today.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WaitDefaults {
    /// Typical minutes per visit.
    pub service_minutes: f64,
}

impl Default for WaitDefaults {
    fn default() -> Self {
        WaitDefaults {
            service_minutes: 10.0,
        }
    }
}

/// Service times longer than this are treated as this long (a ticket left
/// open over lunch says nothing about the next visit).
pub const MAX_SERVICE_MINUTES: f64 = 120.0;
/// Ranges are rounded outwards to this many minutes.
pub const ROUND_TO: u32 = 5;
/// The longest range reported; beyond it the honest answer is "a long time".
pub const MAX_MINUTES: u32 = 24 * 60;

/// Estimates the wait of someone with `ahead` tickets before them in a line
/// served by `servers` rooms, from `recent` service times in minutes (any
/// order; non-finite or negative values are ignored).
pub fn estimate(ahead: usize, servers: usize, recent: &[f64], defaults: WaitDefaults) -> WaitRange {
    let servers = servers.max(1) as f64;
    let mut times: Vec<f64> = recent
        .iter()
        .copied()
        .filter(|t| t.is_finite() && *t >= 0.0)
        .map(|t| t.min(MAX_SERVICE_MINUTES))
        .collect();
    let (fast, slow) = if times.len() >= 3 {
        times.sort_by(f64::total_cmp);
        (quantile(&times, 0.25), quantile(&times, 0.75))
    } else {
        let typical = if defaults.service_minutes.is_finite() {
            defaults.service_minutes.clamp(1.0, MAX_SERVICE_MINUTES)
        } else {
            WaitDefaults::default().service_minutes
        };
        // Without history, say so with a wide range around the typical time.
        (typical * 0.5, typical * 1.5)
    };
    let ahead = ahead as f64;
    // Those ahead must all be seen; the upper end also allows for the visit
    // in progress in every room.
    let low = ahead * fast / servers;
    let high = (ahead + 1.0) * slow / servers;
    let low_minutes = round_down(low);
    let high_minutes = round_up(high).max(low_minutes + ROUND_TO).min(MAX_MINUTES);
    WaitRange {
        low_minutes: low_minutes.min(high_minutes),
        high_minutes,
    }
}

/// What is known when a patient asks how long: people waiting ahead, the
/// rooms, the line's latest visit lengths (minutes, any order) and how long
/// each visit in progress has been going (minutes).
#[derive(Debug, Clone, Copy, Default)]
pub struct Situation<'a> {
    pub ahead: usize,
    pub servers: usize,
    pub recent: &'a [f64],
    pub in_progress: &'a [f64],
}

/// Spread of visit lengths assumed before the day has a history.
const PRIOR_SD: f64 = 6.0;
/// How far below and above the expected wait the range reaches, in
/// standard deviations of the wait (calibrated with `make bench-waits`:
/// the upper end is passed about 7% of the time).
const Z_LOW: f64 = 1.6;
const Z_HIGH: f64 = 1.9;
/// Most people ahead walked through one by one; beyond, the wait is long
/// whatever the detail.
const MAX_TURNS: usize = 10_000;
/// Most rooms of one line taken into account.
const MAX_ROOMS: usize = 100;
/// People ahead walked through one by one; the rest are counted.
const WALKED_TURNS: usize = 200;

/// The wait range in `situation` (see the module's description).
pub fn estimate_now(situation: &Situation<'_>, defaults: WaitDefaults) -> WaitRange {
    let rooms = situation.servers.clamp(1, MAX_ROOMS);
    let samples: Vec<f64> = situation
        .recent
        .iter()
        .copied()
        .filter(|t| t.is_finite() && *t >= 0.0)
        .map(|t| t.min(MAX_SERVICE_MINUTES))
        .collect();
    let typical = if defaults.service_minutes.is_finite() {
        defaults.service_minutes.clamp(1.0, MAX_SERVICE_MINUTES)
    } else {
        WaitDefaults::default().service_minutes
    };
    let (mean, sd) = mean_and_spread(&samples, typical);
    let busy = situation
        .in_progress
        .iter()
        .filter(|e| e.is_finite())
        .take(rooms)
        .copied()
        .collect::<Vec<f64>>();
    // When each room is next free. A room idle while people wait is not
    // seeing anyone yet (a late start, a pause): taken to start in a while.
    let idle_with_queue = situation.ahead > 0 && busy.len() < rooms;
    let mut free: Vec<f64> = (0..rooms)
        .map(|r| match busy.get(r) {
            Some(&elapsed) => remaining(&samples, mean, elapsed.max(0.0)),
            None if idle_with_queue => mean,
            None => 0.0,
        })
        .collect();
    // A room free now and nobody ahead: seen at once.
    if situation.ahead == 0 && free.iter().any(|&f| f <= 0.0) {
        return WaitRange {
            low_minutes: 0,
            high_minutes: ROUND_TO,
        };
    }
    // Everyone ahead takes the next room free, then the patient does: the
    // first turns one by one, the rest (a long queue) a visit per room.
    let turns = situation.ahead.min(MAX_TURNS);
    let walked = turns.min(WALKED_TURNS);
    for _ in 0..walked {
        if let Some(first) = free.iter_mut().min_by(|a, b| a.total_cmp(b)) {
            *first += mean;
        }
    }
    let expected = free.iter().copied().fold(f64::INFINITY, f64::min)
        + (turns - walked) as f64 * mean / rooms as f64;
    // The spread: the visits that must end first, shared by the rooms; the
    // remainders of those in progress; an idle room's unknown restart.
    let shared = turns as f64 / (rooms * rooms) as f64;
    let in_progress = if busy.is_empty() { 0.0 } else { 0.5 };
    let spread =
        sd * (shared + in_progress).sqrt() + if idle_with_queue { 0.5 * mean } else { 0.0 };
    let low = expected - Z_LOW * spread;
    let high = expected + Z_HIGH * spread;
    let low_minutes = round_down(low);
    let high_minutes = round_up(high).max(low_minutes + ROUND_TO).min(MAX_MINUTES);
    WaitRange {
        low_minutes: low_minutes.min(high_minutes),
        high_minutes,
    }
}

/// Mean and standard deviation of visit lengths: from the samples, leaning
/// on the prior while there are few; the prior alone under three.
fn mean_and_spread(samples: &[f64], typical: f64) -> (f64, f64) {
    if samples.len() < 3 {
        return (typical, PRIOR_SD.max(typical * 0.6));
    }
    let n = samples.len() as f64;
    let mean = samples.iter().sum::<f64>() / n;
    let variance = samples.iter().map(|t| (t - mean).powi(2)).sum::<f64>() / (n - 1.0);
    let weight = n / (n + 5.0);
    let spread = (weight * variance + (1.0 - weight) * PRIOR_SD * PRIOR_SD).sqrt();
    (mean, spread)
}

/// Expected minutes left of a visit `elapsed` minutes old: what the longer
/// past visits had left at that point, on average; a short while when it
/// has run longer than any.
fn remaining(samples: &[f64], mean: f64, elapsed: f64) -> f64 {
    let (sum, count) = samples
        .iter()
        .filter(|&&t| t > elapsed)
        .fold((0.0, 0usize), |(sum, n), t| (sum + (t - elapsed), n + 1));
    if count == 0 {
        // No history (or an unusually long visit): half a visit, or a
        // quarter once it has outrun every known one.
        if samples.is_empty() {
            (mean - elapsed).max(mean * 0.5)
        } else {
            (mean * 0.25).max(1.0)
        }
    } else {
        sum / count as f64
    }
}

/// Linear-interpolated quantile of sorted, non-empty data.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let pos = q * (sorted.len() - 1) as f64;
    let below = pos.floor() as usize;
    let above = pos.ceil() as usize;
    let frac = pos - below as f64;
    sorted[below] + (sorted[above] - sorted[below]) * frac
}

fn round_down(minutes: f64) -> u32 {
    let clamped = minutes.clamp(0.0, f64::from(MAX_MINUTES));
    (clamped as u32 / ROUND_TO) * ROUND_TO
}

/// Whether a patient's wait has run past the upper end of the range they
/// were given (`promised_by`, Unix seconds) at `now_unix`: then a screen
/// says the wait is longer than promised, not a range as if on time.
pub fn past_promise(promised_by: Option<i64>, now_unix: i64) -> bool {
    promised_by.is_some_and(|by| now_unix > by)
}

fn round_up(minutes: f64) -> u32 {
    let clamped = minutes.clamp(0.0, f64::from(MAX_MINUTES));
    let whole = clamped.ceil() as u32;
    whole.div_ceil(ROUND_TO) * ROUND_TO
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const D: WaitDefaults = WaitDefaults {
        service_minutes: 10.0,
    };

    #[test]
    fn a_wait_is_past_its_promise_only_after_the_upper_end() {
        assert!(!past_promise(None, i64::MAX));
        assert!(!past_promise(Some(1_000), 999));
        assert!(!past_promise(Some(1_000), 1_000));
        assert!(past_promise(Some(1_000), 1_001));
    }

    #[test]
    fn hand_computed_range() {
        // Sorted 6, 8, 10, 12, 14: q25 = 8, q75 = 12. Three ahead, one room:
        // low 3*8 = 24 -> 20; high 4*12 = 48 -> 50.
        let r = estimate(3, 1, &[10.0, 14.0, 6.0, 12.0, 8.0], D);
        assert_eq!(
            r,
            WaitRange {
                low_minutes: 20,
                high_minutes: 50
            }
        );
        // Two rooms halve it: low 12 -> 10, high 24 -> 25.
        let r = estimate(3, 2, &[10.0, 14.0, 6.0, 12.0, 8.0], D);
        assert_eq!(
            r,
            WaitRange {
                low_minutes: 10,
                high_minutes: 25
            }
        );
    }

    #[test]
    fn next_in_line_waits_at_most_one_visit() {
        let r = estimate(0, 1, &[10.0, 10.0, 10.0], D);
        assert_eq!(
            r,
            WaitRange {
                low_minutes: 0,
                high_minutes: 10
            }
        );
    }

    #[test]
    fn one_outlier_does_not_move_the_range_much() {
        let calm = estimate(4, 1, &[9.0, 10.0, 10.0, 11.0, 10.0, 9.0, 11.0], D);
        let with_outlier = estimate(4, 1, &[9.0, 10.0, 10.0, 11.0, 10.0, 9.0, 11.0, 300.0], D);
        assert!(
            with_outlier.high_minutes <= calm.high_minutes + 5,
            "{calm:?} vs {with_outlier:?}"
        );
    }

    #[test]
    fn no_history_uses_a_wide_range_around_the_default() {
        // 2 ahead: low 2*5 = 10; high 3*15 = 45.
        let r = estimate(2, 1, &[], D);
        assert_eq!(
            r,
            WaitRange {
                low_minutes: 10,
                high_minutes: 45
            }
        );
        let weird = estimate(
            2,
            1,
            &[f64::NAN, -3.0],
            WaitDefaults {
                service_minutes: f64::NAN,
            },
        );
        assert_eq!(weird, r);
    }

    fn now(ahead: usize, servers: usize, recent: &[f64], in_progress: &[f64]) -> WaitRange {
        estimate_now(
            &Situation {
                ahead,
                servers,
                recent,
                in_progress,
            },
            D,
        )
    }

    const TENS: [f64; 5] = [8.0, 10.0, 12.0, 9.0, 11.0];

    #[test]
    fn a_free_room_means_no_wait() {
        // Two rooms, one busy, nobody ahead: seen now.
        let r = now(0, 2, &TENS, &[4.0]);
        assert_eq!((r.low_minutes, r.high_minutes), (0, 5));
    }

    #[test]
    fn the_visit_in_progress_is_taken_into_account() {
        // One room, nobody ahead: a visit 2 minutes old has about 8 left,
        // one 9 minutes old about 2 (only the 10, 11 and 12 were longer).
        let fresh = now(0, 1, &TENS, &[2.0]);
        let nearly_done = now(0, 1, &TENS, &[9.0]);
        assert!(
            fresh.high_minutes > nearly_done.high_minutes,
            "{fresh:?} {nearly_done:?}"
        );
        assert!(
            fresh.low_minutes <= 8 && 8 <= fresh.high_minutes,
            "{fresh:?}"
        );
        assert!(nearly_done.low_minutes <= 2 && 2 <= nearly_done.high_minutes);
    }

    #[test]
    fn by_hand_with_people_ahead() {
        // One room, a visit 5 minutes in (remainder: 8, 10, 12, 9, 11 less
        // 5 = 5), three ahead at a mean of 10: expected 5 + 30 = 35.
        // Spread: sd² = (5/10)·2.5 + (5/10)·36 = 19.25 -> sd 4.39; times
        // sqrt(3 + 0.5) -> 8.21. Low 35 - 1.6·8.21 = 21.9 -> 20; high 35 +
        // 1.9·8.21 = 50.6 -> 55.
        let r = now(3, 1, &TENS, &[5.0]);
        assert_eq!((r.low_minutes, r.high_minutes), (20, 55));
    }

    #[test]
    fn rooms_idle_while_people_wait_are_not_taken_to_be_free() {
        // A late start: nobody seen yet, two waiting.
        let r = now(2, 2, &[], &[]);
        assert!(r.low_minutes >= 5, "{r:?}");
    }

    proptest! {
        #[test]
        fn more_people_ahead_never_shortens_the_range(
            ahead in 0usize..60,
            servers in 1usize..4,
            recent in prop::collection::vec(0.0f64..60.0, 0..20),
            elapsed in prop::collection::vec(0.0f64..90.0, 0..4),
        ) {
            let a = now(ahead, servers, &recent, &elapsed);
            let b = now(ahead + 1, servers, &recent, &elapsed);
            prop_assert!(a.low_minutes <= a.high_minutes);
            prop_assert!(b.high_minutes >= a.high_minutes, "{a:?} {b:?}");
        }

        #[test]
        fn any_input_gives_a_range(
            ahead in any::<usize>(),
            servers in any::<usize>(),
            recent in prop::collection::vec(any::<f64>(), 0..30),
            elapsed in prop::collection::vec(any::<f64>(), 0..6),
        ) {
            let r = now(ahead, servers, &recent, &elapsed);
            prop_assert!(r.low_minutes <= r.high_minutes && r.high_minutes <= MAX_MINUTES);
        }
    }

    #[test]
    fn zero_servers_counts_as_one_and_huge_queues_are_capped() {
        assert_eq!(estimate(3, 0, &[], D), estimate(3, 1, &[], D));
        let r = estimate(usize::MAX, 1, &[120.0, 120.0, 120.0], D);
        assert_eq!(r.high_minutes, MAX_MINUTES);
        assert!(r.low_minutes <= r.high_minutes);
    }

    proptest! {
        #[test]
        fn more_tickets_ahead_never_shortens_the_range(
            ahead in 0usize..500,
            more in 1usize..50,
            servers in 0usize..6,
            recent in prop::collection::vec(any::<f64>(), 0..30),
        ) {
            let now = estimate(ahead, servers, &recent, D);
            let later = estimate(ahead + more, servers, &recent, D);
            prop_assert!(later.low_minutes >= now.low_minutes);
            prop_assert!(later.high_minutes >= now.high_minutes);
        }

        #[test]
        fn output_is_always_a_sane_range(
            ahead in any::<usize>(),
            servers in any::<usize>(),
            recent in prop::collection::vec(any::<f64>(), 0..30),
            default in any::<f64>(),
        ) {
            let r = estimate(ahead, servers, &recent, WaitDefaults { service_minutes: default });
            prop_assert!(r.low_minutes <= r.high_minutes);
            prop_assert!(r.high_minutes <= MAX_MINUTES);
            prop_assert_eq!(r.low_minutes % ROUND_TO, 0);
            prop_assert_eq!(r.high_minutes % ROUND_TO, 0);
        }
    }
}
