//! The wait range from many drawn futures of the line.
//!
//! A line's future is random in a few known ways: how long each visit in
//! progress still runs (given how long it has run), how long each visit of
//! the people ahead lasts, and when an idle room starts again. This draws
//! that future [`DRAWS`] times, each time walking everyone ahead into the
//! next room free exactly as the clinic does, and reports, for every place
//! in the line, the range between two quantiles of the waits drawn.
//!
//! Visit lengths are drawn from a log-normal fitted to the line's latest
//! visits (leaning on a prior while there are few): visit lengths are
//! skewed (most short, a few long), and a fitted curve gives the long tail
//! the latest visits cannot show on their own.
//!
//! The draws are fixed by the inputs (the same situation gives the same
//! range, so a screen does not flicker between refreshes), and every place
//! in the line shares them, so the range never shrinks further back.

use super::{quantile, MAX_SERVICE_MINUTES};

/// Futures drawn per estimate.
pub const DRAWS: usize = 400;
/// Places in the line walked through one by one; further back, the wait
/// grows by a visit per room per place.
pub const WALKED: usize = 200;
/// The quantiles of the drawn waits the range reports (calibrated with
/// `make bench-waits`).
const Q_LOW: f64 = 0.06;
const Q_HIGH: f64 = 0.94;
/// The spread of visit lengths (log scale) assumed before a line has a
/// history, and how many visits that guess is worth.
const PRIOR_SIGMA: f64 = 0.5;
const PRIOR_WEIGHT: f64 = 5.0;

/// What is known of one line.
#[derive(Debug, Clone, Copy)]
pub struct Line<'a> {
    /// Rooms seeing the line's patients (at least one is assumed).
    pub rooms: usize,
    /// The latest visit lengths, minutes (non-finite or negative ignored).
    pub recent: &'a [f64],
    /// Minutes each visit in progress has been going.
    pub in_progress: &'a [f64],
    /// People waiting now (not counting someone checking in). A room idle
    /// while anyone waits is paused, not free.
    pub waiting: usize,
    /// Typical minutes per visit, when the line has no history.
    pub typical: f64,
}

impl Line<'_> {
    /// A digest of everything [`drawn`] reads of the line: two lines with
    /// the same digest draw the same futures. (How many wait matters only
    /// as whether anyone does, and how many places are asked for only cuts
    /// the list: the first places come out the same however many are
    /// drawn, so one drawing of a line serves every place in it.)
    pub fn digest(&self) -> u64 {
        let mut h = Fnv::new();
        h.mix(self.rooms as u64);
        h.mix(u64::from(self.waiting > 0));
        h.mix(self.typical.to_bits());
        h.mix(self.recent.len() as u64);
        for t in self.recent.iter().chain(self.in_progress) {
            h.mix(t.to_bits());
        }
        h.0
    }
}

/// FNV-1a over 64-bit words.
struct Fnv(u64);

impl Fnv {
    fn new() -> Fnv {
        Fnv(0xCBF2_9CE4_8422_2325)
    }

    fn mix(&mut self, v: u64) {
        self.0 ^= v;
        self.0 = self.0.wrapping_mul(0x0000_0100_0000_01B3);
    }
}

/// The quantiles drawn for one place in the line, in minutes: the range
/// before it is corrected by experience and rounded for people.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Drawn {
    pub low: f64,
    pub high: f64,
}

/// The drawn range of each of the first `places` places in the line (the
/// first entry: nobody ahead).
pub fn drawn(line: &Line<'_>, places: usize) -> Vec<Drawn> {
    if places == 0 {
        return Vec::new();
    }
    let model = Model::fit(line);
    let walked = places.min(WALKED);
    // waits[place][draw]
    let mut waits = vec![vec![0.0f64; DRAWS]; walked];
    let seed = model.seed(line);
    let mut free = Vec::with_capacity(model.rooms);
    for draw in 0..DRAWS {
        let mut rng = Rng::new(seed ^ (draw as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        model.start(line, &mut rng, &mut free);
        for place in waits.iter_mut() {
            let (room, at) = free
                .iter()
                .copied()
                .enumerate()
                .min_by(|a, b| a.1.total_cmp(&b.1))
                .unwrap_or((0, 0.0));
            place[draw] = at;
            if let Some(slot) = free.get_mut(room) {
                *slot = at + model.visit(&mut rng);
            }
        }
    }
    let mut out = Vec::with_capacity(places);
    let mut last = Drawn {
        low: 0.0,
        high: 0.0,
    };
    for drawn in &mut waits {
        drawn.sort_by(f64::total_cmp);
        last = Drawn {
            low: quantile(drawn, Q_LOW),
            high: quantile(drawn, Q_HIGH),
        };
        out.push(last);
    }
    // Further back than the walk: a visit per room per place, with the
    // spread of that many visits shared by the rooms.
    let rooms = model.rooms as f64;
    for extra in 1..=places - walked {
        let extra = extra as f64;
        let more = extra * model.mean / rooms;
        let spread = model.sd * extra.sqrt() / rooms;
        out.push(Drawn {
            low: last.low + more - 1.5 * spread,
            high: last.high + more + 1.5 * spread,
        });
    }
    out
}

/// Visit lengths as a log-normal, and the rooms.
#[derive(Clone, Copy)]
struct Model {
    rooms: usize,
    mu: f64,
    sigma: f64,
    /// Mean and standard deviation of the fitted visit length.
    mean: f64,
    sd: f64,
}

impl Model {
    fn fit(line: &Line<'_>) -> Model {
        let typical = if line.typical.is_finite() {
            line.typical.clamp(1.0, MAX_SERVICE_MINUTES)
        } else {
            10.0
        };
        let logs: Vec<f64> = line
            .recent
            .iter()
            .filter(|t| t.is_finite() && **t >= 0.0)
            .map(|t| t.clamp(0.5, MAX_SERVICE_MINUTES).ln())
            .collect();
        let prior_mu = typical.ln() - PRIOR_SIGMA * PRIOR_SIGMA / 2.0;
        let (mu, sigma) = if logs.len() < 3 {
            (prior_mu, PRIOR_SIGMA)
        } else {
            let n = logs.len() as f64;
            let mu = logs.iter().sum::<f64>() / n;
            let var = logs.iter().map(|l| (l - mu).powi(2)).sum::<f64>() / (n - 1.0);
            let w = n / (n + PRIOR_WEIGHT);
            let var = w * var + (1.0 - w) * PRIOR_SIGMA * PRIOR_SIGMA;
            (mu, var.sqrt().max(0.05))
        };
        let mean = (mu + sigma * sigma / 2.0).exp();
        let sd = mean * ((sigma * sigma).exp() - 1.0).sqrt();
        Model {
            rooms: line.rooms.clamp(1, 100),
            mu,
            sigma,
            mean,
            sd,
        }
    }

    /// A seed from everything the estimate depends on.
    fn seed(&self, line: &Line<'_>) -> u64 {
        let mut h = Fnv::new();
        h.mix(self.rooms as u64);
        for t in line.recent.iter().chain(line.in_progress) {
            h.mix(t.to_bits());
        }
        h.0
    }

    /// When each room is next free, in this draw.
    fn start(&self, line: &Line<'_>, rng: &mut Rng, free: &mut Vec<f64>) {
        free.clear();
        let busy = line.in_progress.iter().filter(|e| e.is_finite());
        for &elapsed in busy.take(self.rooms) {
            free.push(self.rest_of_visit(elapsed.max(0.0), rng));
        }
        // A room seeing nobody while people wait is not about to (a late
        // start, a pause): it starts again after a while.
        while free.len() < self.rooms {
            free.push(if line.waiting > 0 {
                -self.mean * rng.unit_open().ln()
            } else {
                0.0
            });
        }
    }

    /// One visit length.
    fn visit(&self, rng: &mut Rng) -> f64 {
        (self.mu + self.sigma * rng.normal())
            .exp()
            .min(MAX_SERVICE_MINUTES)
    }

    /// What is left of a visit `elapsed` minutes old: a visit length drawn
    /// among those longer than that.
    fn rest_of_visit(&self, elapsed: f64, rng: &mut Rng) -> f64 {
        if elapsed >= MAX_SERVICE_MINUTES {
            // Left open (lunch, a forgotten ticket): ends any time soon.
            return self.mean * 0.5 * rng.unit_open();
        }
        let from = normal_cdf((elapsed.max(0.01).ln() - self.mu) / self.sigma);
        let u = from + (1.0 - from) * rng.unit_open();
        let length = (self.mu + self.sigma * normal_quantile(u.min(1.0 - 1e-12))).exp();
        (length - elapsed).clamp(0.0, MAX_SERVICE_MINUTES)
    }
}

/// SplitMix64: small, fast and good enough for drawing futures.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in (0, 1).
    fn unit_open(&mut self) -> f64 {
        ((self.next() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    /// Standard normal (Box–Muller, one of the pair).
    fn normal(&mut self) -> f64 {
        let (u, v) = (self.unit_open(), self.unit_open());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

/// The standard normal CDF (Abramowitz–Stegun 7.1.26 on erf; error < 1e-6).
fn normal_cdf(x: f64) -> f64 {
    let z = x.abs() / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.327_591_1 * z);
    let poly = t
        * (0.254_829_592
            + t * (-0.284_496_736
                + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))));
    let erf = 1.0 - poly * (-z * z).exp();
    if x >= 0.0 {
        0.5 * (1.0 + erf)
    } else {
        0.5 * (1.0 - erf)
    }
}

/// The standard normal quantile (Acklam's rational approximation,
/// relative error < 1.2e-9), for `p` in (0, 1).
fn normal_quantile(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    let p = p.clamp(1e-300, 1.0 - 1e-16);
    let tail = |q: f64| {
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    if p < 0.024_25 {
        tail((-2.0 * p.ln()).sqrt())
    } else if p > 1.0 - 0.024_25 {
        -tail((-2.0 * (1.0 - p).ln()).sqrt())
    } else {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn minutes() -> impl Strategy<Value = Vec<f64>> {
        prop::collection::vec(
            prop_oneof![0.0f64..90.0, Just(f64::NAN), Just(-3.0), Just(500.0)],
            0..25,
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// What lets the server draw a line once for all its places: the
        /// first places come out the same however many are drawn, and lines
        /// with one digest draw alike.
        #[test]
        fn the_first_places_do_not_depend_on_how_many_are_drawn(
            rooms in 1usize..4,
            recent in minutes(),
            in_progress in minutes(),
            waiting in 1usize..60,
            more_waiting in 1usize..60,
            few in 1usize..40,
            extra in 0usize..260,
        ) {
            let line = Line { rooms, recent: &recent, in_progress: &in_progress, waiting, typical: 10.0 };
            let many = drawn(&line, few + extra);
            prop_assert_eq!(&many[..few], &drawn(&line, few)[..]);
            let other = Line { waiting: more_waiting, ..line };
            prop_assert_eq!(line.digest(), other.digest());
            prop_assert_eq!(drawn(&other, few), drawn(&line, few));
        }
    }

    #[test]
    fn the_digest_changes_with_what_the_drawing_reads() {
        let (recent, in_progress) = ([9.0, 11.0, 12.0], [4.0]);
        let line = Line {
            rooms: 2,
            recent: &recent,
            in_progress: &in_progress,
            waiting: 3,
            typical: 10.0,
        };
        let later = [5.0];
        let moved = [
            Line { rooms: 3, ..line },
            Line { waiting: 0, ..line },
            Line {
                typical: 12.0,
                ..line
            },
            Line {
                recent: &recent[1..],
                ..line
            },
            Line {
                in_progress: &later,
                ..line
            },
            // (The same minutes, split otherwise between the two.)
            Line {
                recent: &[9.0, 11.0, 12.0, 4.0],
                in_progress: &[],
                ..line
            },
        ];
        for other in moved {
            assert_ne!(line.digest(), other.digest(), "{other:?}");
        }
    }

    #[test]
    fn the_normal_helpers_agree_with_known_values() {
        assert!((normal_cdf(0.0) - 0.5).abs() < 1e-6);
        assert!((normal_cdf(1.959_964) - 0.975).abs() < 1e-6);
        assert!((normal_cdf(-1.0) - 0.158_655_3).abs() < 1e-6);
        assert!((normal_quantile(0.975) - 1.959_964).abs() < 1e-5);
        assert!((normal_quantile(0.01) + 2.326_348).abs() < 1e-5);
        for p in [0.001, 0.02, 0.3, 0.5, 0.8, 0.99, 0.9999] {
            assert!((normal_cdf(normal_quantile(p)) - p).abs() < 1e-6, "{p}");
        }
    }
}
