//! `make bench-waits`: every scenario, many days each, through the real
//! estimator; how often the range told at check-in held the wait.
//!
//! `waitwell-sim [DAYS] [SEED]` (defaults 200 and 1).

use waitwell_sim::metrics::{summarise, Summary};
use waitwell_sim::{current, first, scenarios, simulate_day_after, Estimator, History, Record};

fn main() {
    let mut args = std::env::args().skip(1);
    let days: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(200);
    let seed: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(1);
    println!("Wait ranges against simulated clinic days: {days} days per scenario, seed {seed}");
    for (title, estimator, memory) in [
        (
            "the first estimator (quartiles of today's visits)",
            first as Estimator,
            Memory::Nothing,
        ),
        (
            "drawn futures of the line, earlier days' visits, no correction",
            current as Estimator,
            Memory::Visits,
        ),
        (
            "today's: drawn futures, corrected by how earlier days' ranges held at that hour",
            current as Estimator,
            Memory::Everything,
        ),
    ] {
        println!("\n{title}");
        report(days, seed, estimator, memory);
    }
    println!(
        "held: share of waits inside the range; past: beyond its upper end; width, p90w: median \
         and 90th-percentile width (min); MAE/n: mean error of the midpoint over that of \
         \"ahead x mean visit / rooms\"; IS80: mean interval score at 80% (min, lower is better)"
    );
}

/// What each day carries into the next.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Memory {
    Nothing,
    Visits,
    Everything,
}

fn report(days: u64, seed: u64, estimator: Estimator, memory: Memory) {
    println!(
        "{:<52} {:>8} {:>6} {:>6} {:>6} {:>6} {:>6} {:>7}",
        "scenario", "checkins", "held", "past", "width", "p90w", "MAE/n", "IS80"
    );
    let mut all: Vec<Record> = Vec::new();
    for (i, scenario) in scenarios().iter().enumerate() {
        let mut records = Vec::new();
        let mut earlier = History::default();
        for day in 0..days {
            // Days of different scenarios never share a seed.
            let day_seed = seed
                .wrapping_mul(1_000_003)
                .wrapping_add(i as u64 * 100_000 + day);
            let simulated = simulate_day_after(scenario, day_seed, estimator, &earlier);
            match memory {
                Memory::Nothing => {}
                Memory::Visits => earlier.add_visits(&simulated),
                Memory::Everything => earlier.remember(&simulated),
            }
            records.extend(simulated.records);
        }
        print_row(scenario.name, &summarise(&records));
        all.extend(records);
    }
    print_row("overall", &summarise(&all));
}

fn print_row(name: &str, s: &Summary) {
    println!(
        "{:<52} {:>8} {:>5.1}% {:>5.1}% {:>6.0} {:>6.0} {:>6.2} {:>7.1}",
        name,
        s.check_ins,
        s.held * 100.0,
        s.past_upper * 100.0,
        s.median_width,
        s.p90_width,
        s.mae_ratio,
        s.interval_score
    );
}
