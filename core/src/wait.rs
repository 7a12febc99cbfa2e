//! An honest wait range from the tickets ahead and recent service times.
//!
//! Patients judge the wait they perceive; a single number that turns out
//! wrong feels like a broken promise. So the estimate is a range built from
//! the spread of recent service times (lower and upper quartiles, which one
//! very long or very short visit cannot drag), rounded outwards to 5 minutes.

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
