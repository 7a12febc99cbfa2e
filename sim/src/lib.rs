//! Clinic days, simulated, to measure how often the wait range a patient is
//! shown at check-in holds the wait they then have.
//!
//! One line, served first come first served by `rooms` rooms. Appointments
//! are booked in slots (one per room per slot) and arrive around their
//! time (early or late, some never); walk-ins arrive at random (Poisson);
//! visits last a log-normal time. The clinic may start late and pause for
//! lunch. At every arrival the estimator is asked exactly as the server asks
//! it (people waiting ahead, the rooms, the line's last visits of the day),
//! and the wait the patient then has is recorded beside it.
//!
//! Everything follows from a seed: the same seed gives the same days.

pub mod metrics;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Exp, LogNormal, Normal};
use std::collections::VecDeque;
use waitwell_core::wait::learned::{Corrections, Earlier, Outcome};
use waitwell_core::wait::{estimate, estimate_place, Drawn, Line, WaitDefaults, WaitRange};

/// How many of a line's latest visits the server hands the estimator (the
/// server's `RECENT_VISITS`).
pub const RECENT_VISITS: usize = 200;
/// How many the server handed the first estimator.
pub const FIRST_RECENT_VISITS: usize = 20;

/// One kind of clinic day.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    pub name: &'static str,
    /// Rooms seeing patients of the line at once.
    pub rooms: usize,
    /// Minutes the clinic is open for arrivals.
    pub open_minutes: f64,
    /// Minutes between appointment slots (each slot books one patient per room).
    pub slot_minutes: f64,
    /// Median visit length, minutes.
    pub visit_median: f64,
    /// Spread of visit lengths (the log-normal's sigma; 0.3 is tight, 0.7 wide).
    pub visit_sigma: f64,
    /// Arrival relative to the appointment: mean and spread, minutes
    /// (negative is early).
    pub lateness_mean: f64,
    pub lateness_sd: f64,
    /// Share of appointments that never come.
    pub no_show: f64,
    /// Walk-ins per hour (Poisson).
    pub walk_ins_per_hour: f64,
    /// Minutes the rooms start after the clinic opens.
    pub late_start: f64,
    /// A lunch pause (start, minutes) when no visit starts.
    pub lunch: Option<(f64, f64)>,
}

impl Scenario {
    /// A plain day: one room, 15-minute slots, 12-minute visits.
    pub const fn basic(name: &'static str) -> Scenario {
        Scenario {
            name,
            rooms: 1,
            open_minutes: 480.0,
            slot_minutes: 15.0,
            visit_median: 12.0,
            visit_sigma: 0.4,
            lateness_mean: -5.0,
            lateness_sd: 8.0,
            no_show: 0.08,
            walk_ins_per_hour: 1.0,
            late_start: 0.0,
            lunch: None,
        }
    }
}

/// The scenarios `make bench-waits` reports on.
pub fn scenarios() -> Vec<Scenario> {
    let basic = Scenario::basic;
    vec![
        basic("1 room, 15-min slots, 12-min visits"),
        Scenario {
            rooms: 2,
            slot_minutes: 12.0,
            visit_median: 14.0,
            ..basic("2 rooms, over-booked (12-min slots, 14-min visits)")
        },
        Scenario {
            rooms: 3,
            slot_minutes: 20.0,
            visit_median: 18.0,
            visit_sigma: 0.7,
            ..basic("3 rooms, variable visits (sigma 0.7)")
        },
        Scenario {
            slot_minutes: 20.0,
            visit_median: 8.0,
            ..basic("1 room, under-booked (20-min slots, 8-min visits)")
        },
        Scenario {
            walk_ins_per_hour: 3.0,
            slot_minutes: 30.0,
            visit_median: 10.0,
            ..basic("walk-in heavy (3 an hour, 30-min slots)")
        },
        Scenario {
            rooms: 2,
            late_start: 30.0,
            lunch: Some((240.0, 45.0)),
            ..basic("2 rooms, 30 min late start and a lunch gap")
        },
    ]
}

/// One check-in: what the patient was told, and what happened.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Record {
    /// People waiting ahead at check-in.
    pub ahead: usize,
    pub told: WaitRange,
    /// "People ahead × mean recent visit ÷ rooms" (10-minute visits
    /// without history), for comparison.
    pub naive_minutes: f64,
    /// Minutes from check-in to the start of the visit.
    pub waited: f64,
    /// The hour of the day checked in (from opening), and the range drawn
    /// before any correction (for estimators that draw one).
    pub hour: usize,
    pub drawn: Option<Drawn>,
}

#[derive(Debug, Clone, Copy)]
struct Arrival {
    at: f64,
}

/// What the server knows when a patient checks in: people waiting ahead,
/// the rooms, the line's latest visit lengths (newest first), how long
/// each visit in progress has been going, the hour of the day, and the
/// corrections learned on earlier days.
#[derive(Debug, Clone, Copy)]
pub struct Situation<'a> {
    pub ahead: usize,
    pub rooms: usize,
    pub recent: &'a [f64],
    pub in_progress: &'a [f64],
    pub hour: usize,
    pub corrections: &'a Corrections,
}

/// What an estimator told: the range, and the range drawn before
/// correction where it draws one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Told {
    pub range: WaitRange,
    pub drawn: Option<Drawn>,
}

/// An estimator under test.
pub type Estimator = fn(&Situation<'_>) -> Told;

/// The first estimator (quartiles of recent visits), as the server called
/// it before it knew of visits in progress.
pub fn first(s: &Situation<'_>) -> Told {
    // It was handed the line's 20 latest visits.
    let recent = &s.recent[..s.recent.len().min(FIRST_RECENT_VISITS)];
    Told {
        range: estimate(s.ahead, s.rooms, recent, WaitDefaults::default()),
        drawn: None,
    }
}

/// Today's estimator, called as the server calls it: drawn futures of the
/// line, corrected by how earlier days' ranges held at this hour.
pub fn current(s: &Situation<'_>) -> Told {
    let line = Line {
        rooms: s.rooms,
        recent: s.recent,
        in_progress: s.in_progress,
        waiting: s.ahead,
        typical: WaitDefaults::default().service_minutes,
    };
    let estimate = estimate_place(&line, s.ahead, s.corrections, s.hour);
    Told {
        range: estimate.range,
        drawn: Some(estimate.drawn),
    }
}

/// What the server remembers of earlier days: the line's latest visits
/// (newest first), how the ranges drawn on the last [`HISTORY_DAYS`] days
/// held, and the corrections learned from that.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct History {
    pub visits: Vec<f64>,
    pub days: VecDeque<Vec<Earlier>>,
    pub corrections: Corrections,
}

/// Days of outcomes learned from (the server's `HISTORY_DAYS`).
pub const HISTORY_DAYS: usize = 28;

impl History {
    /// Adds `day`'s visits to the latest known: newest first, at most
    /// [`RECENT_VISITS`] (the server reads them across earlier days).
    pub fn add_visits(&mut self, day: &Day) {
        let mut visits = day.latest_visits.clone();
        visits.extend(self.visits.iter().copied());
        visits.truncate(RECENT_VISITS);
        self.visits = visits;
    }

    /// Adds `day` to what is remembered, as the server would after it.
    pub fn remember(&mut self, day: &Day) {
        self.add_visits(day);
        let outcomes = day
            .records
            .iter()
            .filter_map(|r| {
                Some(Earlier {
                    hour: r.hour,
                    ahead: r.ahead,
                    outcome: Outcome {
                        drawn: r.drawn?,
                        waited: r.waited,
                    },
                })
            })
            .collect();
        self.days.push_back(outcomes);
        if self.days.len() > HISTORY_DAYS {
            self.days.pop_front();
        }
        self.corrections = Corrections::learn(self.days.iter().flatten().copied());
    }
}

/// One simulated day of `scenario`, from `seed`, with no history: a record
/// per patient seen.
pub fn simulate_day(scenario: &Scenario, seed: u64, estimator: Estimator) -> Vec<Record> {
    simulate_day_after(scenario, seed, estimator, &History::default()).records
}

/// A simulated day: its records, and its latest visit lengths (newest
/// first, at most [`RECENT_VISITS`]) for the days after.
#[derive(Debug, Clone, PartialEq)]
pub struct Day {
    pub records: Vec<Record>,
    pub latest_visits: Vec<f64>,
}

/// One simulated day of `scenario` after days whose latest visit lengths
/// were `history` (newest first): the server hands the estimator today's
/// latest visits, topped up from earlier days while today has too few.
pub fn simulate_day_after(
    scenario: &Scenario,
    seed: u64,
    estimator: Estimator,
    history: &History,
) -> Day {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let arrivals = arrivals(scenario, &mut rng);
    let visit = LogNormal::new(
        scenario.visit_median.max(0.5).ln(),
        scenario.visit_sigma.max(0.0),
    )
    .expect("sigma is finite and not negative");
    let mut clinic = Clinic::open(scenario);
    let mut next = arrivals.into_iter().peekable();
    loop {
        // Whichever comes first: the next arrival, or the head of the line
        // going in (when a room is free and they are there).
        let (room, head_start) = clinic.next_start(scenario);
        let arrival_first = match (next.peek(), head_start) {
            (Some(a), Some(start)) => a.at <= start,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => break,
        };
        match (arrival_first, head_start) {
            (true, _) => {
                let Some(arrival) = next.next() else { break };
                clinic.check_in(arrival, estimator, history);
            }
            (false, Some(start)) => {
                let minutes = visit
                    .sample(&mut rng)
                    .min(waitwell_core::wait::MAX_SERVICE_MINUTES);
                clinic.see_next(room, start, minutes);
            }
            (false, None) => break,
        }
    }
    clinic.close()
}

/// A day's state: the rooms, the line, the visits so far.
struct Clinic {
    /// When each room is next free, and when its current visit started.
    free_at: Vec<f64>,
    started_at: Vec<f64>,
    /// Waiting, in order: arrival, range told, people ahead, naive minutes.
    waiting: VecDeque<(Arrival, Told, usize, f64)>,
    /// (finished at, minutes) of every visit started.
    visits: Vec<(f64, f64)>,
    records: Vec<Record>,
}

impl Clinic {
    fn open(scenario: &Scenario) -> Clinic {
        let rooms = scenario.rooms.max(1);
        Clinic {
            free_at: vec![scenario.late_start; rooms],
            started_at: vec![f64::NEG_INFINITY; rooms],
            waiting: VecDeque::new(),
            visits: Vec::new(),
            records: Vec::new(),
        }
    }

    /// The room free first, and when the head of the line would go in.
    fn next_start(&self, scenario: &Scenario) -> (usize, Option<f64>) {
        let (room, free) = self
            .free_at
            .iter()
            .copied()
            .enumerate()
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .unwrap_or((0, 0.0));
        let start = self
            .waiting
            .front()
            .map(|(a, ..)| after_lunch(scenario, free.max(a.at)));
        (room, start)
    }

    /// A patient checks in and is told a range, as the server would.
    fn check_in(&mut self, arrival: Arrival, estimator: Estimator, history: &History) {
        // What the server knows now: the latest visits finished (by when
        // they finished, as its query orders), then earlier days'.
        let mut known: Vec<(f64, f64)> = self
            .visits
            .iter()
            .copied()
            .filter(|(done, _)| *done <= arrival.at)
            .collect();
        known.sort_by(|a, b| b.0.total_cmp(&a.0));
        let last: Vec<f64> = known
            .iter()
            .map(|(_, m)| *m)
            .chain(history.visits.iter().copied())
            .take(RECENT_VISITS)
            .collect();
        let rooms = self.free_at.len();
        let in_progress: Vec<f64> = (0..rooms)
            .filter(|&r| self.started_at[r] <= arrival.at && self.free_at[r] > arrival.at)
            .map(|r| arrival.at - self.started_at[r])
            .collect();
        let ahead = self.waiting.len();
        let told = estimator(&Situation {
            ahead,
            rooms,
            recent: &last,
            in_progress: &in_progress,
            hour: hour_of(arrival.at),
            corrections: &history.corrections,
        });
        let mean = if last.len() >= 3 {
            last.iter().sum::<f64>() / last.len() as f64
        } else {
            WaitDefaults::default().service_minutes
        };
        let naive = ahead as f64 * mean / rooms as f64;
        self.waiting.push_back((arrival, told, ahead, naive));
    }

    /// The head of the line goes into `room` at `start` for `minutes`.
    fn see_next(&mut self, room: usize, start: f64, minutes: f64) {
        let Some((arrival, told, ahead, naive)) = self.waiting.pop_front() else {
            return;
        };
        self.free_at[room] = start + minutes;
        self.started_at[room] = start;
        self.visits.push((start + minutes, minutes));
        self.records.push(Record {
            ahead,
            told: told.range,
            naive_minutes: naive,
            waited: start - arrival.at,
            hour: hour_of(arrival.at),
            drawn: told.drawn,
        });
    }

    fn close(mut self) -> Day {
        self.visits.sort_by(|a, b| b.0.total_cmp(&a.0));
        Day {
            records: self.records,
            latest_visits: self
                .visits
                .iter()
                .take(RECENT_VISITS)
                .map(|(_, m)| *m)
                .collect(),
        }
    }
}

/// The hour of the day (from opening) of minute `at`.
fn hour_of(at: f64) -> usize {
    (at.max(0.0) / 60.0) as usize
}

/// When a visit that could start at `t` starts, given the lunch pause.
fn after_lunch(scenario: &Scenario, t: f64) -> f64 {
    match scenario.lunch {
        Some((from, minutes)) if t >= from && t < from + minutes => from + minutes,
        _ => t,
    }
}

/// The day's arrivals, in time order: booked patients who come, and
/// walk-ins.
fn arrivals(scenario: &Scenario, rng: &mut ChaCha8Rng) -> Vec<Arrival> {
    let mut all = Vec::new();
    let lateness = Normal::new(scenario.lateness_mean, scenario.lateness_sd.max(0.0))
        .expect("a finite spread");
    let slots = (scenario.open_minutes / scenario.slot_minutes.max(1.0)).floor() as usize;
    for slot in 0..slots {
        let booked = slot as f64 * scenario.slot_minutes;
        for _ in 0..scenario.rooms.max(1) {
            if rng.random::<f64>() < scenario.no_show {
                continue;
            }
            let at = (booked + lateness.sample(rng)).max(0.0);
            all.push(Arrival { at });
        }
    }
    if scenario.walk_ins_per_hour > 0.0 {
        let gap = Exp::new(scenario.walk_ins_per_hour / 60.0).expect("a positive rate");
        let mut at = gap.sample(rng);
        while at < scenario.open_minutes {
            all.push(Arrival { at });
            at += gap.sample(rng);
        }
    }
    all.sort_by(|a, b| a.at.total_cmp(&b.at));
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_day() {
        let s = &scenarios()[1];
        assert_eq!(simulate_day(s, 7, current), simulate_day(s, 7, current));
        assert_ne!(simulate_day(s, 7, current), simulate_day(s, 8, current));
    }

    #[test]
    fn everyone_who_comes_is_seen_once_and_nobody_waits_negatively() {
        for s in scenarios() {
            let day = simulate_day(&s, 3, current);
            assert!(!day.is_empty(), "{}", s.name);
            assert!(day.iter().all(|r| r.waited >= -1e-9), "{}", s.name);
            assert!(day
                .iter()
                .all(|r| r.told.low_minutes <= r.told.high_minutes));
        }
    }

    #[test]
    fn with_nobody_else_there_is_no_wait() {
        // One patient a day, never late, no walk-ins: seen on arrival.
        let quiet = Scenario {
            open_minutes: 15.0,
            no_show: 0.0,
            walk_ins_per_hour: 0.0,
            lateness_sd: 0.0,
            lateness_mean: 0.0,
            ..Scenario::basic("quiet")
        };
        let day = simulate_day(&quiet, 1, current);
        assert_eq!(day.len(), 1);
        assert_eq!((day[0].ahead, day[0].waited), (0, 0.0));
        assert_eq!(day[0].naive_minutes, 0.0);
    }

    #[test]
    fn earlier_days_inform_the_first_patients_of_the_next() {
        let s = &scenarios()[0];
        let monday = simulate_day_after(s, 11, current, &History::default());
        assert_eq!(
            monday.latest_visits.len(),
            monday.records.len().min(RECENT_VISITS)
        );
        // Long visits the day before: the first waits told are longer.
        let long = History {
            visits: vec![40.0; RECENT_VISITS],
            ..History::default()
        };
        let plain = simulate_day_after(s, 12, current, &History::default());
        let after_long = simulate_day_after(s, 12, current, &long);
        let first_told = |d: &Day| d.records.iter().find(|r| r.ahead > 0).map(|r| r.told);
        let (a, b) = (
            first_told(&plain).unwrap(),
            first_told(&after_long).unwrap(),
        );
        assert!(b.high_minutes > a.high_minutes, "{a:?} vs {b:?}");
        // The days themselves (arrivals, visits) are the same.
        assert_eq!(plain.latest_visits, after_long.latest_visits);
    }

    #[test]
    fn a_lunch_pause_is_learned_from_earlier_days() {
        // Lunch at 11:00 for an hour, every day: without corrections the
        // waits of those who come just before it run past their ranges
        // far more often than with four weeks learned.
        let s = Scenario {
            rooms: 2,
            lunch: Some((180.0, 60.0)),
            ..Scenario::basic("lunch")
        };
        let mut history = History::default();
        let mut past = [0usize; 2];
        let mut counted = [0usize; 2];
        for day in 0..60u64 {
            let simulated = simulate_day_after(&s, 900 + day, current, &history);
            // The first 28 days learn; the last 28 are judged against days
            // that did not learn.
            if day >= 32 {
                let blind = simulate_day_after(
                    &s,
                    900 + day,
                    current,
                    &History {
                        visits: history.visits.clone(),
                        ..History::default()
                    },
                );
                for (i, records) in [&blind.records, &simulated.records].into_iter().enumerate() {
                    let before_lunch = records.iter().filter(|r| r.hour == 2);
                    for r in before_lunch {
                        counted[i] += 1;
                        past[i] += usize::from(r.waited > f64::from(r.told.high_minutes));
                    }
                }
            }
            history.remember(&simulated);
        }
        assert_eq!(history.days.len(), HISTORY_DAYS);
        let share = |i: usize| past[i] as f64 / counted[i].max(1) as f64;
        assert!(counted[0] > 100, "{counted:?}");
        assert!(
            share(1) < share(0) / 2.0,
            "blind {:.3}, learned {:.3}",
            share(0),
            share(1)
        );
    }

    #[test]
    fn lunch_and_a_late_start_hold_visits_back() {
        let s = Scenario {
            late_start: 30.0,
            lunch: Some((100.0, 40.0)),
            ..Scenario::basic("gaps")
        };
        assert_eq!(after_lunch(&s, 99.0), 99.0);
        assert_eq!(after_lunch(&s, 100.0), 140.0);
        assert_eq!(after_lunch(&s, 139.9), 140.0);
        // The first patient, early at the door, waits for the late start.
        let day = simulate_day(&s, 5, current);
        assert!(day[0].waited > 0.0);
    }
}
