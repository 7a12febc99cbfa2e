//! Ranges corrected by how the clinic's own earlier ranges held.
//!
//! The drawn range knows the line as it is now, not what the day is about
//! to do: a lunch pause, a session starting late, a clinician who always
//! runs over after ten. The clinic's earlier days know. For each hour of
//! the day, the server keeps how far past each drawn range's ends the waits
//! then fell, and moves the ends by the amount that kept the wait inside
//! them in all but a few cases at that hour (split-conformal calibration,
//! one calibration set per hour). Where a range was wider than it needed
//! to be, the correction narrows it.

use super::draws::Drawn;
use super::{WaitRange, MAX_MINUTES, ROUND_TO};

/// Fewest earlier outcomes at an hour before they correct its ranges.
pub const MIN_OUTCOMES: usize = 30;
/// The share of earlier waits each corrected end is to hold: below the
/// upper end, and above the lower end (calibrated with `make bench-waits`).
const HOLD_HIGH: f64 = 0.93;
const HOLD_LOW: f64 = 0.9;
/// The most a correction moves an end, minutes (a day of outliers should
/// not turn every range into "all day").
const MOST: f64 = 120.0;

/// Places in the line are learned from in groups (people ahead: none, one,
/// two or three, four to six, seven or more): a range for someone next in
/// line goes wrong differently from one for someone tenth.
pub const DEPTHS: usize = 5;

/// The group of a check-in with `ahead` people ahead.
pub fn depth(ahead: usize) -> usize {
    match ahead {
        0 => 0,
        1 => 1,
        2..=3 => 2,
        4..=6 => 3,
        _ => 4,
    }
}

/// One earlier check-in: the range drawn for it, and the wait it had.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Outcome {
    pub drawn: Drawn,
    pub waited: f64,
}

/// Minutes to move a drawn range's ends: the lower end down by `lower_by`,
/// the upper end up by `raise_by` (either may be negative: a narrower range).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Correction {
    pub lower_by: f64,
    pub raise_by: f64,
}

impl Correction {
    /// The correction `outcomes` call for, or `None` with too few of them
    /// (non-finite ones are ignored).
    pub fn learn(outcomes: &[Outcome]) -> Option<Correction> {
        let valid = outcomes.iter().filter(|o| {
            o.drawn.low.is_finite() && o.drawn.high.is_finite() && o.waited.is_finite()
        });
        let mut over: Vec<f64> = valid.clone().map(|o| o.waited - o.drawn.high).collect();
        let mut under: Vec<f64> = valid.map(|o| o.drawn.low - o.waited).collect();
        if over.len() < MIN_OUTCOMES {
            return None;
        }
        over.sort_by(f64::total_cmp);
        under.sort_by(f64::total_cmp);
        Some(Correction {
            lower_by: conformal(&under, HOLD_LOW).clamp(-MOST, MOST),
            raise_by: conformal(&over, HOLD_HIGH).clamp(-MOST, MOST),
        })
    }
}

/// One earlier check-in as it is learned from: its hour of the day (0–23,
/// the clinic's time), the people ahead then, and how its range held.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Earlier {
    pub hour: usize,
    pub ahead: usize,
    pub outcome: Outcome,
}

/// The corrections of one line, learned from its earlier days.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Corrections {
    /// Per hour: per depth group, then for the hour as a whole.
    by_hour: Vec<([Option<Correction>; DEPTHS], Option<Correction>)>,
}

impl Corrections {
    /// Learns from `earlier` check-ins (hours past 23 are ignored).
    pub fn learn(earlier: impl IntoIterator<Item = Earlier>) -> Corrections {
        let mut grouped: Vec<[Vec<Outcome>; DEPTHS]> = vec![Default::default(); 24];
        for e in earlier {
            if let Some(hour) = grouped.get_mut(e.hour) {
                hour[depth(e.ahead)].push(e.outcome);
            }
        }
        let by_hour = grouped
            .iter()
            .map(|groups| {
                let each = std::array::from_fn(|d| Correction::learn(&groups[d]));
                let all: Vec<Outcome> = groups.iter().flatten().copied().collect();
                (each, Correction::learn(&all))
            })
            .collect();
        Corrections { by_hour }
    }

    /// The correction for a check-in at `hour` with `ahead` people ahead:
    /// learned from that hour's check-ins at that depth where there are
    /// enough, else from all that hour's; none without enough of either.
    pub fn at(&self, hour: usize, ahead: usize) -> Option<Correction> {
        let (groups, whole) = self.by_hour.get(hour)?;
        groups[depth(ahead)].or(*whole)
    }
}

/// The score that at least `hold` of future cases stay within, given the
/// sorted scores of `n` earlier ones: the ⌈(n + 1)·hold⌉-th smallest.
fn conformal(sorted: &[f64], hold: f64) -> f64 {
    let n = sorted.len();
    let rank = (((n + 1) as f64) * hold).ceil() as usize;
    sorted[rank.clamp(1, n) - 1]
}

/// The range to tell a patient: `drawn`, corrected where there is a
/// correction, in whole 5 minutes (the lower end rounded down, the upper
/// end to the nearest), at least 5 minutes wide.
pub fn told(drawn: Drawn, correction: Option<Correction>) -> WaitRange {
    let (mut low, mut high) = match correction {
        Some(c) => (drawn.low - c.lower_by, drawn.high + c.raise_by),
        None => (drawn.low, drawn.high),
    };
    if !(low.is_finite() && high.is_finite()) {
        (low, high) = (0.0, f64::from(MAX_MINUTES));
    }
    if low > high {
        // Narrowed past each other: the middle.
        let middle = (low + high) / 2.0;
        (low, high) = (middle, middle);
    }
    let cap = f64::from(MAX_MINUTES);
    let step = f64::from(ROUND_TO);
    let low_minutes = ((low.clamp(0.0, cap) / step).floor() as u32) * ROUND_TO;
    let high_minutes = (((high.clamp(0.0, cap) / step).round() as u32) * ROUND_TO)
        .max(low_minutes + ROUND_TO)
        .min(MAX_MINUTES);
    WaitRange {
        low_minutes: low_minutes.min(high_minutes - ROUND_TO),
        high_minutes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn outcome(low: f64, high: f64, waited: f64) -> Outcome {
        Outcome {
            drawn: Drawn { low, high },
            waited,
        }
    }

    #[test]
    fn the_correction_keeps_all_but_a_few_earlier_waits_inside() {
        // 40 ranges of 10–20 minutes; the waits ran 1..=40 minutes past the
        // upper end and stayed 5 minutes above the lower end.
        let outcomes: Vec<Outcome> = (1..=40)
            .map(|over| outcome(10.0, 20.0, 20.0 + f64::from(over)))
            .collect();
        let c = Correction::learn(&outcomes).expect("enough");
        // The ⌈41 · 0.93⌉ = 39th smallest excess: 39 minutes.
        assert_eq!(c.raise_by, 39.0);
        // Nobody came near the lower end (waits of 21–60 against 10): it
        // rises, by the ⌈41 · 0.9⌉ = 37th smallest of -50..=-11: 14.
        assert_eq!(c.lower_by, -14.0);
        assert!(Correction::learn(&outcomes[..MIN_OUTCOMES - 1]).is_none());
    }

    #[test]
    fn garbage_outcomes_are_ignored_and_corrections_are_bounded() {
        let mut outcomes = vec![outcome(f64::NAN, 10.0, 5.0); 50];
        assert!(Correction::learn(&outcomes).is_none());
        outcomes.extend((0..40).map(|_| outcome(0.0, 10.0, 10_000.0)));
        let c = Correction::learn(&outcomes).expect("40 valid");
        assert_eq!(c.raise_by, MOST);
    }

    #[test]
    fn an_hour_learns_by_depth_where_it_can_and_as_a_whole_otherwise() {
        let at = |hour: usize, ahead: usize, over: f64| Earlier {
            hour,
            ahead,
            outcome: outcome(0.0, 10.0, 10.0 + over),
        };
        // At 11: 40 check-ins with nobody ahead ran 5 over, 20 with two
        // ahead ran 30 over (too few alone). Nothing at 9; hour 99 is
        // ignored.
        let earlier = (0..40)
            .map(|_| at(11, 0, 5.0))
            .chain((0..20).map(|_| at(11, 2, 30.0)))
            .chain((0..50).map(|_| at(99, 0, 1.0)));
        let c = Corrections::learn(earlier);
        assert_eq!(c.at(11, 0).map(|c| c.raise_by), Some(5.0));
        // Two ahead: the hour as a whole (60 outcomes, the 57th: 30).
        assert_eq!(c.at(11, 2).map(|c| c.raise_by), Some(30.0));
        assert_eq!(c.at(9, 0), None);
        assert_eq!(c.at(99, 0), None);
        assert_eq!(Corrections::default().at(11, 0), None);
    }

    #[test]
    fn told_rounds_to_whole_five_minutes() {
        let d = Drawn {
            low: 12.0,
            high: 31.0,
        };
        // Lower end down, upper end to the nearest.
        assert_eq!(
            told(d, None),
            WaitRange {
                low_minutes: 10,
                high_minutes: 30
            }
        );
        let c = Correction {
            lower_by: 3.0,
            raise_by: 10.0,
        };
        assert_eq!(
            told(d, Some(c)),
            WaitRange {
                low_minutes: 5,
                high_minutes: 40
            }
        );
        // Narrowed past each other: a 5-minute range at the middle.
        let squeeze = Correction {
            lower_by: -20.0,
            raise_by: -20.0,
        };
        assert_eq!(
            told(d, Some(squeeze)),
            WaitRange {
                low_minutes: 20,
                high_minutes: 25
            }
        );
    }

    proptest! {
        #[test]
        fn told_is_always_a_sane_range(
            low in any::<f64>(),
            high in any::<f64>(),
            lower_by in -200.0f64..200.0,
            raise_by in -200.0f64..200.0,
        ) {
            for c in [None, Some(Correction { lower_by, raise_by })] {
                let r = told(Drawn { low, high }, c);
                prop_assert!(r.low_minutes < r.high_minutes && r.high_minutes <= MAX_MINUTES);
                prop_assert_eq!(r.low_minutes % ROUND_TO, 0);
                prop_assert_eq!(r.high_minutes % ROUND_TO, 0);
            }
        }
    }
}
