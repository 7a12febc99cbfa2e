//! An honest wait range from the tickets ahead, the visits in progress,
//! the line's visit lengths and the clinic's own record.
//!
//! Patients judge the wait they perceive; a single number that turns out
//! wrong feels like a broken promise, and an upper end the wait runs past is
//! the worst of it. [`estimate_line`] draws the line's future many times
//! ([`draws`]: each visit in progress ends after a length drawn given how
//! long it has run, then everyone ahead takes the next room free), takes
//! the range between two quantiles of the waits drawn, and moves its ends by
//! what earlier days at the same hour taught ([`learned`]: lunch pauses and
//! late starts the line alone cannot see). On simulated clinic days
//! (`make bench-waits`) the wait runs past the upper end about 6% of the
//! time, where [`estimate`] (quartiles of recent visits, the first method)
//! let it happen 12.5% of the time. Ranges are whole 5 minutes.

use serde::{Deserialize, Serialize};

pub mod draws;
pub mod learned;

pub use draws::{Drawn, Line};
pub use learned::{Correction, Corrections};

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

/// One range told, and the range drawn before it was corrected (what the
/// server keeps to learn from).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    pub range: WaitRange,
    pub drawn: Drawn,
}

/// The wait range of each of the first `places` places of `line` (the
/// first: nobody ahead), corrected by what `corrections` learned at `hour`
/// of the day.
pub fn estimate_line(
    line: &Line<'_>,
    places: usize,
    corrections: &Corrections,
    hour: usize,
) -> Vec<Estimate> {
    draws::drawn(line, places)
        .into_iter()
        .enumerate()
        .map(|(ahead, drawn)| told(drawn, ahead, corrections, hour))
        .collect()
}

/// The estimate for someone with `ahead` people before them.
pub fn estimate_place(
    line: &Line<'_>,
    ahead: usize,
    corrections: &Corrections,
    hour: usize,
) -> Estimate {
    let drawn = draws::drawn(line, places_for(ahead))
        .last()
        .copied()
        .unwrap_or(Drawn {
            low: 0.0,
            high: 0.0,
        });
    told(drawn, ahead, corrections, hour)
}

/// How many places of a line are drawn for someone with `ahead` people
/// before them: theirs is the last of them.
pub fn places_for(ahead: usize) -> usize {
    ahead.saturating_add(1).min(MAX_PLACES)
}

/// The range told for the place `drawn` of someone with `ahead` people
/// before them, corrected by what was learned at `hour`.
pub fn told(drawn: Drawn, ahead: usize, corrections: &Corrections, hour: usize) -> Estimate {
    Estimate {
        range: learned::told(drawn, corrections.at(hour, ahead)),
        drawn,
    }
}

/// Most places of one line estimated (a longer line is "a long time" all
/// the same).
pub const MAX_PLACES: usize = 10_000;

/// Linear-interpolated quantile of sorted, non-empty data.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let pos = q * (sorted.len() - 1) as f64;
    let below = pos.floor() as usize;
    let above = (pos.ceil() as usize).min(sorted.len() - 1);
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

    const TENS: [f64; 5] = [8.0, 10.0, 12.0, 9.0, 11.0];

    fn line<'a>(
        rooms: usize,
        recent: &'a [f64],
        in_progress: &'a [f64],
        waiting: usize,
    ) -> Line<'a> {
        Line {
            rooms,
            recent,
            in_progress,
            waiting,
            typical: 10.0,
        }
    }

    fn place(ahead: usize, rooms: usize, recent: &[f64], in_progress: &[f64]) -> WaitRange {
        let l = line(rooms, recent, in_progress, ahead);
        estimate_place(&l, ahead, &Corrections::default(), 10).range
    }

    #[test]
    fn a_free_room_means_no_wait() {
        // Two rooms, one busy, nobody ahead: seen now.
        assert_eq!(
            place(0, 2, &TENS, &[4.0]),
            WaitRange {
                low_minutes: 0,
                high_minutes: 5
            }
        );
    }

    #[test]
    fn the_visit_in_progress_is_taken_into_account() {
        // One room, nobody ahead: a visit 2 minutes old has about 8 left,
        // one 12 minutes old (longer than most) only a little.
        let fresh = place(0, 1, &TENS, &[2.0]);
        let nearly_done = place(0, 1, &TENS, &[12.0]);
        assert!(
            fresh.high_minutes > nearly_done.high_minutes,
            "{fresh:?} {nearly_done:?}"
        );
        assert!(
            fresh.low_minutes <= 8 && 8 <= fresh.high_minutes,
            "{fresh:?}"
        );
        assert!(
            nearly_done.low_minutes == 0 && nearly_done.high_minutes <= 10,
            "{nearly_done:?}"
        );
    }

    #[test]
    fn the_range_holds_a_wait_worked_out_by_hand() {
        // One room, visits of about 10 minutes (8–12), one 5 minutes in,
        // three ahead: about 5 + 30 = 35 minutes, give or take a few.
        let r = place(3, 1, &TENS, &[5.0]);
        assert!(r.low_minutes <= 30 && 35 <= r.high_minutes, "{r:?}");
        assert!(r.low_minutes >= 20 && r.high_minutes <= 50, "{r:?}");
        // Two rooms take about half as long.
        let two = place(3, 2, &TENS, &[5.0, 5.0]);
        assert!(
            two.high_minutes < r.high_minutes && two.low_minutes >= 5,
            "{two:?}"
        );
    }

    #[test]
    fn rooms_idle_while_people_wait_are_not_taken_to_be_free() {
        // A late start: nobody seen yet, two waiting.
        let r = place(2, 2, &[], &[]);
        assert!(r.low_minutes >= 5 || r.high_minutes >= 20, "{r:?}");
        assert!(r.high_minutes > place(0, 2, &[], &[]).high_minutes);
    }

    #[test]
    fn every_place_of_a_line_at_once_is_the_same_as_one_by_one() {
        let l = line(2, &TENS, &[3.0, 7.0], 5);
        let all = estimate_line(&l, 6, &Corrections::default(), 9);
        assert_eq!(all.len(), 6);
        for (ahead, e) in all.iter().enumerate() {
            assert_eq!(
                *e,
                estimate_place(&l, ahead, &Corrections::default(), 9),
                "{ahead}"
            );
        }
        assert!(estimate_line(&l, 0, &Corrections::default(), 9).is_empty());
    }

    #[test]
    fn the_same_situation_gives_the_same_range() {
        let a = place(4, 2, &TENS, &[1.0, 6.0]);
        assert_eq!(a, place(4, 2, &TENS, &[1.0, 6.0]));
    }

    #[test]
    fn a_long_line_reaches_past_the_walk_and_is_capped() {
        // Visits of about 2.5 minutes: 200 ahead is about 500 minutes.
        let short = [2.0, 2.5, 3.0, 2.2, 2.8];
        let r = place(WALKED_PLUS, 1, &short, &[]);
        let walked = place(draws::WALKED - 1, 1, &short, &[]);
        assert!(walked.high_minutes < MAX_MINUTES, "{walked:?}");
        assert!(
            r.low_minutes > walked.low_minutes && r.high_minutes > walked.high_minutes,
            "{r:?} {walked:?}"
        );
        let huge = place(usize::MAX, 1, &[120.0, 120.0, 120.0], &[]);
        assert_eq!(huge.high_minutes, MAX_MINUTES);
        assert!(huge.low_minutes < huge.high_minutes);
    }

    const WALKED_PLUS: usize = draws::WALKED + 50;

    proptest! {
        // (Each case draws 400 futures of a line: fewer cases.)
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn more_people_ahead_never_shortens_the_range(
            ahead in 0usize..60,
            rooms in 1usize..4,
            recent in prop::collection::vec(0.0f64..60.0, 0..20),
            elapsed in prop::collection::vec(0.0f64..90.0, 0..4),
            hour in 0usize..24,
        ) {
            let l = line(rooms, &recent, &elapsed, ahead);
            let all = estimate_line(&l, ahead + 2, &Corrections::default(), hour);
            for pair in all.windows(2) {
                prop_assert!(pair[0].range.low_minutes <= pair[0].range.high_minutes);
                prop_assert!(pair[1].range.high_minutes >= pair[0].range.high_minutes, "{:?}", pair);
                prop_assert!(pair[1].range.low_minutes >= pair[0].range.low_minutes, "{:?}", pair);
            }
        }

        #[test]
        fn any_input_gives_a_range(
            ahead in any::<usize>(),
            rooms in any::<usize>(),
            recent in prop::collection::vec(any::<f64>(), 0..30),
            elapsed in prop::collection::vec(any::<f64>(), 0..6),
            waiting in any::<usize>(),
            typical in any::<f64>(),
            hour in any::<usize>(),
        ) {
            let l = Line { rooms, recent: &recent, in_progress: &elapsed, waiting, typical };
            let r = estimate_place(&l, ahead % 300, &Corrections::default(), hour).range;
            prop_assert!(r.low_minutes < r.high_minutes && r.high_minutes <= MAX_MINUTES);
            prop_assert_eq!(r.low_minutes % ROUND_TO, 0);
            prop_assert_eq!(r.high_minutes % ROUND_TO, 0);
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
