//! Aggregates for the insights page: pure functions over plain numbers, so
//! they are checked against hand-computed values, and an empty period gives
//! `None` rather than NaN or a panic.

use crate::contract::{
    Comment, DayCounters, Insights, PeriodPoint, ThanksCount, Theme, ThemeCount,
};
use crate::date::Date;
use crate::queue::TicketState;
use std::collections::BTreeMap;

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

/// One survey response as the figures need it (names already resolved,
/// first names never included).
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// RFC 3339.
    pub at: String,
    /// The clinic day, YYYY-MM-DD.
    pub day: String,
    /// Local hour, 0–23.
    pub hour: u8,
    pub rating: u8,
    pub recommend: Option<u8>,
    pub better: Vec<Theme>,
    pub went_well: Vec<Theme>,
    pub comment: Option<String>,
    /// The display name of the member of staff thanked.
    pub thanks: Option<String>,
}

/// What the survey figures of a period are built from; answers newest
/// first.
#[derive(Debug, Clone, Default)]
pub struct PeriodFacts<'a> {
    pub answers: &'a [Answer],
    /// Only comments containing this text (case-insensitive).
    pub comment_query: Option<&'a str>,
    /// Minutes from raising to acknowledging each acknowledged alert.
    pub ack_minutes: &'a [u32],
    pub alerts_raised: u32,
    /// Minutes from check-in to call of each called ticket.
    pub waits: &'a [u32],
    pub left_without_being_seen: u32,
}

/// At most this many comments in one answer.
pub const MAX_COMMENTS: usize = 500;

/// The period's figures.
pub fn summarise(from: Date, to: Date, facts: &PeriodFacts<'_>) -> Insights {
    let answers = facts.answers;
    let ratings: Vec<u8> = answers.iter().map(|a| a.rating).collect();
    let scores: Vec<u8> = answers.iter().filter_map(|a| a.recommend).collect();
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    Insights {
        from,
        to,
        responses: count(answers.len()),
        happy_index: happy_index(&ratings),
        nps: nps(&scores),
        better: rank_themes(answers.iter().flat_map(|a| &a.better)),
        went_well: rank_themes(answers.iter().flat_map(|a| &a.went_well)),
        comments: comments(answers, facts.comment_query),
        thanks: rank_thanks(answers.iter().filter_map(|a| a.thanks.as_deref())),
        alerts_raised: facts.alerts_raised,
        alerts_acknowledged: count(facts.ack_minutes.len()),
        median_ack_minutes: percentile(facts.ack_minutes, 50),
        average_wait_minutes: mean(facts.waits),
        p90_wait_minutes: percentile(facts.waits, 90),
        left_without_being_seen: facts.left_without_being_seen,
        daily: every_day(from, to, points(answers, |a| a.day.clone())),
        by_hour: every_hour(points(answers, |a| format!("{:02}", a.hour))),
    }
}

/// Themes by how often they were chosen, most first (ties by theme).
pub fn rank_themes<'a>(chosen: impl IntoIterator<Item = &'a Theme>) -> Vec<ThemeCount> {
    let mut counts: BTreeMap<Theme, u32> = BTreeMap::new();
    for theme in chosen {
        *counts.entry(*theme).or_default() += 1;
    }
    let mut ranked: Vec<ThemeCount> = counts
        .into_iter()
        .map(|(theme, count)| ThemeCount { theme, count })
        .collect();
    ranked.sort_by(|a, b| b.count.cmp(&a.count).then(a.theme.cmp(&b.theme)));
    ranked
}

/// Staff by how often they were thanked, most first (ties by name).
pub fn rank_thanks<'a>(names: impl IntoIterator<Item = &'a str>) -> Vec<ThanksCount> {
    let mut counts: BTreeMap<&str, u32> = BTreeMap::new();
    for name in names {
        *counts.entry(name).or_default() += 1;
    }
    let mut ranked: Vec<ThanksCount> = counts
        .into_iter()
        .map(|(staff, count)| ThanksCount {
            staff: staff.to_owned(),
            count,
        })
        .collect();
    ranked.sort_by(|a, b| b.count.cmp(&a.count).then(a.staff.cmp(&b.staff)));
    ranked
}

/// The comments (newest first, at most [`MAX_COMMENTS`]), only those
/// containing `query` when one is given.
pub fn comments(answers: &[Answer], query: Option<&str>) -> Vec<Comment> {
    let needle = query
        .map(crate::unicode::lowercase)
        .filter(|q| !q.trim().is_empty());
    answers
        .iter()
        .filter_map(|a| a.comment.as_ref().map(|c| (a, c)))
        .filter(|(_, c)| {
            needle
                .as_ref()
                .is_none_or(|q| crate::unicode::lowercase(c).contains(q))
        })
        .take(MAX_COMMENTS)
        .map(|(a, c)| Comment {
            at: a.at.clone(),
            rating: a.rating,
            text: c.clone(),
        })
        .collect()
}

/// `points` with a point for every day of `from..=to`, those without
/// answers at zero: a chart over a period shows its empty days.
pub fn every_day(from: Date, to: Date, points: Vec<PeriodPoint>) -> Vec<PeriodPoint> {
    fill(from.through(to).map(|d| d.to_string()), points)
}

/// `points` (labelled "HH") with every hour from the first to the last
/// that has answers, those between without answers at zero.
pub fn every_hour(points: Vec<PeriodPoint>) -> Vec<PeriodPoint> {
    let hours: Vec<u8> = points.iter().filter_map(|p| p.label.parse().ok()).collect();
    let (Some(&first), Some(&last)) = (hours.iter().min(), hours.iter().max()) else {
        return Vec::new();
    };
    fill((first..=last).map(|h| format!("{h:02}")), points)
}

/// A point for every label of `labels`, in that order: the one of `points`
/// with that label, or zero responses.
fn fill(labels: impl Iterator<Item = String>, points: Vec<PeriodPoint>) -> Vec<PeriodPoint> {
    let mut by_label: BTreeMap<String, PeriodPoint> =
        points.into_iter().map(|p| (p.label.clone(), p)).collect();
    labels
        .map(|label| {
            by_label.remove(&label).unwrap_or(PeriodPoint {
                label,
                responses: 0,
                happy_index: None,
            })
        })
        .collect()
}

/// Responses and happy index per group (`key`), in the groups' order.
pub fn points(answers: &[Answer], key: impl Fn(&Answer) -> String) -> Vec<PeriodPoint> {
    let mut grouped: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    for answer in answers {
        grouped.entry(key(answer)).or_default().push(answer.rating);
    }
    grouped
        .into_iter()
        .map(|(label, ratings)| PeriodPoint {
            label,
            responses: u32::try_from(ratings.len()).unwrap_or(u32::MAX),
            happy_index: happy_index(&ratings),
        })
        .collect()
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

    fn answer(day: &str, hour: u8, rating: u8) -> Answer {
        Answer {
            at: format!("{day}T{hour:02}:00:00Z"),
            day: day.into(),
            hour,
            rating,
            recommend: None,
            better: vec![],
            went_well: vec![],
            comment: None,
            thanks: None,
        }
    }

    #[test]
    fn a_period_is_summarised_by_hand() {
        let mut a = answer("2026-11-02", 9, 4);
        a.recommend = Some(10);
        a.went_well = vec![Theme::StaffKindness, Theme::Cleanliness];
        a.thanks = Some("Dr. Patel".into());
        a.comment = Some("Lovely TULIPS".into());
        let mut b = answer("2026-11-01", 14, 1);
        b.recommend = Some(3);
        b.better = vec![Theme::WaitingTime];
        b.went_well = vec![Theme::Cleanliness];
        b.comment = Some("Too slow".into());
        let c = answer("2026-11-01", 9, 3);
        let answers = [a, b, c];
        let from = Date::new(2026, 11, 1).unwrap();
        let to = Date::new(2026, 11, 2).unwrap();
        let facts = PeriodFacts {
            answers: &answers,
            comment_query: Some("tulips"),
            ack_minutes: &[3, 9],
            alerts_raised: 3,
            waits: &[5, 15, 40],
            left_without_being_seen: 1,
        };
        let s = summarise(from, to, &facts);
        assert_eq!(s.responses, 3);
        assert_eq!(s.happy_index, Some(2.0 / 3.0));
        assert_eq!(s.nps, Some(0)); // one promoter, one detractor of two
        assert_eq!(
            s.better,
            vec![ThemeCount {
                theme: Theme::WaitingTime,
                count: 1
            }]
        );
        assert_eq!(
            s.went_well,
            vec![
                ThemeCount {
                    theme: Theme::Cleanliness,
                    count: 2
                },
                ThemeCount {
                    theme: Theme::StaffKindness,
                    count: 1
                },
            ]
        );
        assert_eq!(s.comments.len(), 1);
        assert_eq!(s.comments[0].text, "Lovely TULIPS");
        assert_eq!(
            s.thanks,
            vec![ThanksCount {
                staff: "Dr. Patel".into(),
                count: 1
            }]
        );
        assert_eq!((s.alerts_raised, s.alerts_acknowledged), (3, 2));
        assert_eq!(s.median_ack_minutes, Some(3));
        assert_eq!(
            (s.average_wait_minutes, s.p90_wait_minutes),
            (Some(20), Some(40))
        );
        assert_eq!(s.left_without_being_seen, 1);
        let labels = |p: &[PeriodPoint]| p.iter().map(|p| p.label.clone()).collect::<Vec<_>>();
        assert_eq!(labels(&s.daily), ["2026-11-01", "2026-11-02"]);
        // Every hour from the first to the last with answers, empty ones at 0.
        assert_eq!(labels(&s.by_hour), ["09", "10", "11", "12", "13", "14"]);
        assert_eq!(s.by_hour[1].responses, 0);
        assert_eq!(s.by_hour[1].happy_index, None);
        assert_eq!(s.daily[0].responses, 2);
        assert_eq!(s.daily[0].happy_index, Some(0.5));
    }

    #[test]
    fn a_week_shows_every_day_even_with_answers_on_one() {
        let from = Date::new(2026, 2, 25).unwrap();
        let to = Date::new(2026, 3, 3).unwrap();
        let answers = [answer("2026-02-27", 10, 4), answer("2026-02-27", 10, 1)];
        let s = summarise(
            from,
            to,
            &PeriodFacts {
                answers: &answers,
                ..Default::default()
            },
        );
        let days: Vec<(&str, u32)> = s
            .daily
            .iter()
            .map(|p| (p.label.as_str(), p.responses))
            .collect();
        assert_eq!(
            days,
            [
                ("2026-02-25", 0),
                ("2026-02-26", 0),
                ("2026-02-27", 2),
                ("2026-02-28", 0),
                ("2026-03-01", 0),
                ("2026-03-02", 0),
                ("2026-03-03", 0),
            ]
        );
        assert_eq!(s.by_hour.len(), 1);
    }

    #[test]
    fn an_empty_period_has_no_figures() {
        let d = Date::new(2026, 1, 1).unwrap();
        let s = summarise(d, d, &PeriodFacts::default());
        assert_eq!(s.responses, 0);
        assert_eq!(
            (s.happy_index, s.nps, s.median_ack_minutes),
            (None, None, None)
        );
        assert!(s.by_hour.is_empty() && s.comments.is_empty() && s.thanks.is_empty());
        // The day is still on the chart, at zero.
        assert_eq!(s.daily.len(), 1);
        assert_eq!((s.daily[0].responses, s.daily[0].happy_index), (0, None));
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
