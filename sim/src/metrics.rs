//! How well a set of check-ins' ranges kept their promise.

use crate::Record;

/// The miscoverage the interval score is taken at: an 80% range.
pub const ALPHA: f64 = 0.2;

/// The figures `make bench-waits` prints.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    pub check_ins: usize,
    /// Share of waits inside the range told.
    pub held: f64,
    /// Share of waits past its upper end (the broken promise).
    pub past_upper: f64,
    pub median_width: f64,
    pub p90_width: f64,
    /// Mean absolute error of the range's midpoint over that of the naive
    /// estimate (below 1: better than the naive estimate).
    pub mae_ratio: f64,
    /// Mean interval score at 80% (lower is better): the width, plus a
    /// penalty of 2/α per minute the wait fell outside.
    pub interval_score: f64,
}

/// The interval score of one range `[low, high]` for the outcome `y`.
pub fn interval_score(low: f64, high: f64, y: f64) -> f64 {
    let below = if y < low {
        (low - y) * 2.0 / ALPHA
    } else {
        0.0
    };
    let above = if y > high {
        (y - high) * 2.0 / ALPHA
    } else {
        0.0
    };
    (high - low) + below + above
}

/// `records` summarised (all zero when there are none).
pub fn summarise(records: &[Record]) -> Summary {
    let n = records.len();
    if n == 0 {
        return Summary {
            check_ins: 0,
            held: 0.0,
            past_upper: 0.0,
            median_width: 0.0,
            p90_width: 0.0,
            mae_ratio: 0.0,
            interval_score: 0.0,
        };
    }
    let count = n as f64;
    let low = |r: &Record| f64::from(r.told.low_minutes);
    let high = |r: &Record| f64::from(r.told.high_minutes);
    let held = records
        .iter()
        .filter(|r| low(r) <= r.waited && r.waited <= high(r))
        .count();
    let past = records.iter().filter(|r| r.waited > high(r)).count();
    let mut widths: Vec<f64> = records.iter().map(|r| high(r) - low(r)).collect();
    widths.sort_by(f64::total_cmp);
    let mae_mid: f64 = records
        .iter()
        .map(|r| ((low(r) + high(r)) / 2.0 - r.waited).abs())
        .sum::<f64>()
        / count;
    let mae_naive: f64 = records
        .iter()
        .map(|r| (r.naive_minutes - r.waited).abs())
        .sum::<f64>()
        / count;
    Summary {
        check_ins: n,
        held: held as f64 / count,
        past_upper: past as f64 / count,
        median_width: nearest_rank(&widths, 0.5),
        p90_width: nearest_rank(&widths, 0.9),
        mae_ratio: if mae_naive > 0.0 {
            mae_mid / mae_naive
        } else {
            1.0
        },
        interval_score: records
            .iter()
            .map(|r| interval_score(low(r), high(r), r.waited))
            .sum::<f64>()
            / count,
    }
}

/// The nearest-rank percentile of sorted, non-empty data.
fn nearest_rank(sorted: &[f64], q: f64) -> f64 {
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

#[cfg(test)]
mod tests {
    use super::*;
    use waitwell_core::wait::WaitRange;

    fn record(low: u32, high: u32, naive: f64, waited: f64) -> Record {
        Record {
            ahead: 1,
            told: WaitRange {
                low_minutes: low,
                high_minutes: high,
            },
            naive_minutes: naive,
            waited,
            hour: 0,
            drawn: None,
        }
    }

    #[test]
    fn interval_score_by_hand() {
        // Inside: the width. Outside by 3 at α = 0.2: width + 3 × 10.
        assert_eq!(interval_score(10.0, 20.0, 15.0), 10.0);
        assert_eq!(interval_score(10.0, 20.0, 23.0), 40.0);
        assert_eq!(interval_score(10.0, 20.0, 8.0), 30.0);
    }

    #[test]
    fn figures_by_hand() {
        let records = [
            record(0, 10, 5.0, 5.0),    // held, width 10
            record(10, 20, 10.0, 25.0), // past the upper end by 5, width 10
            record(5, 25, 20.0, 4.0),   // below, width 20
            record(0, 10, 0.0, 10.0),   // held (the end counts), width 10
        ];
        let s = summarise(&records);
        assert_eq!(s.check_ins, 4);
        assert_eq!((s.held, s.past_upper), (0.5, 0.25));
        assert_eq!((s.median_width, s.p90_width), (10.0, 20.0));
        // Midpoints 5, 15, 15, 5 against 5, 25, 4, 10: errors 0, 10, 11, 5
        // (mean 6.5); naive 0, 15, 16, 10 (mean 10.25).
        assert!((s.mae_ratio - 6.5 / 10.25).abs() < 1e-12);
        // Scores 10, 10 + 50, 20 + 10, 10: mean 27.5.
        assert_eq!(s.interval_score, 27.5);
    }

    #[test]
    fn nothing_to_summarise_is_all_zero() {
        assert_eq!(summarise(&[]).check_ins, 0);
    }
}
