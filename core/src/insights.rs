//! Aggregates for the insights page: pure functions over plain numbers, so
//! they are checked against hand-computed values, and an empty period gives
//! `None` rather than NaN or a panic.

use crate::contract::DayCounters;
use crate::queue::TicketState;

/// Share of responses on the two happy faces (ratings 3 and 4 of 1–4).
pub fn happy_index(ratings: &[u8]) -> Option<f64> {
    if ratings.is_empty() {
        return None;
    }
    let happy = ratings.iter().filter(|r| **r >= 3).count();
    Some(happy as f64 / ratings.len() as f64)
}

/// Net Promoter Score from 0–10 answers: % promoters (9–10) minus %
/// detractors (0–6), rounded to a whole number.
pub fn nps(scores: &[u8]) -> Option<i32> {
    if scores.is_empty() {
        return None;
    }
    let n = scores.len() as f64;
    let promoters = scores.iter().filter(|s| **s >= 9).count() as f64;
    let detractors = scores.iter().filter(|s| **s <= 6).count() as f64;
    Some(((promoters - detractors) * 100.0 / n).round() as i32)
}

/// Nearest-rank percentile (`p` in 0–100) of whole minutes.
pub fn percentile(values: &[u32], p: u8) -> Option<u32> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let p = usize::from(p.min(100));
    let rank = (p * sorted.len()).div_ceil(100).max(1);
    sorted.get(rank - 1).copied()
}

/// Mean, rounded down to whole minutes.
pub fn mean(values: &[u32]) -> Option<u32> {
    if values.is_empty() {
        return None;
    }
    let total: u64 = values.iter().map(|v| u64::from(*v)).sum();
    u32::try_from(total / values.len() as u64).ok()
}

/// Reception's counters for the day from each ticket's state and, for
/// those called by now, the minutes from check-in to call.
pub fn day_counters(tickets: impl IntoIterator<Item = (TicketState, Option<u32>)>) -> DayCounters {
    let mut counters = DayCounters::default();
    let mut waits = Vec::new();
    for (state, waited) in tickets {
        match state {
            TicketState::Waiting => counters.waiting += 1,
            TicketState::Served => counters.seen += 1,
            TicketState::NoShow => counters.no_shows += 1,
            TicketState::Called => {}
        }
        waits.extend(waited);
    }
    counters.average_wait_minutes = mean(&waits).unwrap_or(0);
    counters.p90_wait_minutes = percentile(&waits, 90).unwrap_or(0);
    counters
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn day_counters_by_hand() {
        use TicketState::*;
        let c = day_counters([
            (Waiting, None),
            (Waiting, None),
            (Called, Some(4)),
            (Served, Some(10)),
            (Served, Some(30)),
            (NoShow, Some(2)),
        ]);
        assert_eq!((c.waiting, c.seen, c.no_shows), (2, 2, 1));
        // Waits 2, 4, 10, 30: mean 11 (46 / 4, rounded down), p90 the 4th.
        assert_eq!((c.average_wait_minutes, c.p90_wait_minutes), (11, 30));
        assert_eq!(day_counters([]), DayCounters::default());
    }

    #[test]
    fn happy_index_by_hand() {
        // 4, 3, 3 happy; 2, 1 not: 3/5.
        assert_eq!(happy_index(&[4, 3, 2, 1, 3]), Some(0.6));
        assert_eq!(happy_index(&[1, 2]), Some(0.0));
        assert_eq!(happy_index(&[]), None);
    }

    #[test]
    fn nps_by_hand() {
        // Promoters 9, 10, 10 (3); passives 7, 8 (2); detractors 0, 6, 5 (3):
        // (3 - 3) / 8 = 0.
        assert_eq!(nps(&[9, 10, 10, 7, 8, 0, 6, 5]), Some(0));
        // 2 promoters, 1 detractor of 4: 25.
        assert_eq!(nps(&[10, 9, 3, 8]), Some(25));
        assert_eq!(nps(&[10]), Some(100));
        assert_eq!(nps(&[0, 6]), Some(-100));
        // 1 promoter of 3: 33.33 -> 33.
        assert_eq!(nps(&[9, 7, 8]), Some(33));
        assert_eq!(nps(&[]), None);
    }

    #[test]
    fn percentiles_by_hand() {
        let waits: Vec<u32> = (1..=10).collect();
        assert_eq!(percentile(&waits, 90), Some(9));
        assert_eq!(percentile(&waits, 50), Some(5));
        assert_eq!(percentile(&waits, 100), Some(10));
        assert_eq!(percentile(&waits, 0), Some(1));
        assert_eq!(percentile(&[7], 90), Some(7));
        assert_eq!(percentile(&[], 90), None);
        assert_eq!(mean(&[1, 2, 4]), Some(2));
        assert_eq!(mean(&[]), None);
    }

    proptest! {
        #[test]
        fn aggregates_stay_in_range(ratings in prop::collection::vec(1u8..=4, 0..50), scores in prop::collection::vec(0u8..=10, 0..50), waits in prop::collection::vec(0u32..1000, 0..50), p in 0u8..=100) {
            if let Some(h) = happy_index(&ratings) { prop_assert!((0.0..=1.0).contains(&h)); }
            if let Some(n) = nps(&scores) { prop_assert!((-100..=100).contains(&n)); }
            if let Some(v) = percentile(&waits, p) {
                prop_assert!(waits.contains(&v));
            }
            prop_assert_eq!(percentile(&waits, p).is_none(), waits.is_empty());
        }
    }
}
