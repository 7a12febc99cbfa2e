//! The idle reset of a patient surface: after a spell without a touch or
//! key, a warning counts down (WCAG 2.2.1: at least 20 s, one tap to go
//! on), then the surface starts over for the next person.

use crate::contract::IdleTimings;

/// The shortest countdown a warning may have.
pub const MIN_COUNTDOWN_SECONDS: u32 = 20;

/// What the idle guard does after `idle_ms` without a touch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Idle {
    /// Nothing to show.
    Fine,
    /// The warning, with whole seconds left (1 to the countdown).
    Warn(u32),
    /// Start over.
    Reset,
}

impl Idle {
    pub fn after(idle_ms: f64, timings: IdleTimings) -> Idle {
        let warn_after = f64::from(timings.warn_after_seconds) * 1000.0;
        if !idle_ms.is_finite() || idle_ms < warn_after {
            return Idle::Fine;
        }
        let countdown = timings.countdown_seconds.max(MIN_COUNTDOWN_SECONDS);
        // Whole seconds of the countdown used so far.
        let used = ((idle_ms - warn_after) / 1000.0).floor();
        let left = f64::from(countdown) - used;
        if left <= 0.0 {
            Idle::Reset
        } else {
            // Within 1..=countdown here.
            Idle::Warn(left as u32)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const T: IdleTimings = IdleTimings {
        warn_after_seconds: 60,
        countdown_seconds: 30,
    };

    #[test]
    fn warns_counts_down_then_resets() {
        assert_eq!(Idle::after(59_999.0, T), Idle::Fine);
        assert_eq!(Idle::after(60_000.0, T), Idle::Warn(30));
        assert_eq!(Idle::after(60_999.0, T), Idle::Warn(30));
        assert_eq!(Idle::after(61_000.0, T), Idle::Warn(29));
        assert_eq!(Idle::after(89_999.0, T), Idle::Warn(1));
        assert_eq!(Idle::after(90_000.0, T), Idle::Reset);
        assert_eq!(Idle::after(f64::NAN, T), Idle::Fine);
    }

    #[test]
    fn a_short_countdown_is_lengthened_to_twenty_seconds() {
        let short = IdleTimings {
            warn_after_seconds: 10,
            countdown_seconds: 5,
        };
        assert_eq!(Idle::after(10_000.0, short), Idle::Warn(20));
        assert_eq!(Idle::after(29_999.0, short), Idle::Warn(1));
        assert_eq!(Idle::after(30_000.0, short), Idle::Reset);
    }

    proptest! {
        /// The seconds shown never exceed the countdown and only go down.
        #[test]
        fn the_count_only_goes_down(warn in 0u32..600, countdown in 0u32..120, a in 0f64..1e6, b in 0f64..1e6) {
            let t = IdleTimings { warn_after_seconds: warn, countdown_seconds: countdown };
            let (early, late) = if a <= b { (a, b) } else { (b, a) };
            let rank = |i: Idle| match i { Idle::Fine => (0, 0), Idle::Warn(s) => (1, u32::MAX - s), Idle::Reset => (2, 0) };
            if let Idle::Warn(s) = Idle::after(early, t) {
                prop_assert!(s >= 1 && s <= countdown.max(MIN_COUNTDOWN_SECONDS));
            }
            prop_assert!(rank(Idle::after(early, t)) <= rank(Idle::after(late, t)));
        }
    }
}
