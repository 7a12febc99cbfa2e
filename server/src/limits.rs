//! Rate limits on what one network address may write: token buckets per
//! client IP (governor's GCRA), answered with 429 and `Retry-After`, which
//! the kiosks' outbox already honours.
//!
//! The address is the TCP peer's. `X-Forwarded-For` is not trusted: a
//! reverse proxy in front of Waitwell must do its own limiting.
//!
//! Buckets live in memory: a restart forgets them (the failed-attempt
//! limits, which guard secrets, are in SQLite and survive it).

use crate::error::AppError;
use crate::settings::LimitSettings;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;
use waitwell_core::contract::ErrorCode;

/// Which budget a write draws on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Budget {
    /// Any anonymous or device write (check-in, identify, survey, heartbeat).
    Write,
    /// A new walk-in ticket.
    WalkIn,
    /// A survey answer that raises an alert at reception.
    Alert,
    /// A read through a phone link (anonymous: the token is all it has).
    Follow,
}

/// The per-address buckets.
pub struct RateLimits {
    write: DefaultKeyedRateLimiter<IpAddr>,
    walk_in: DefaultKeyedRateLimiter<IpAddr>,
    alert: DefaultKeyedRateLimiter<IpAddr>,
    follow: DefaultKeyedRateLimiter<IpAddr>,
    clock: DefaultClock,
}

fn per(count: u32, period: Duration) -> Quota {
    let count = NonZeroU32::new(count).unwrap_or(NonZeroU32::MIN);
    // `count` tokens per `period`, all of them usable at once.
    Quota::with_period(period / count.get())
        .unwrap_or_else(|| Quota::per_second(count))
        .allow_burst(count)
}

impl RateLimits {
    pub fn new(settings: &LimitSettings, follow_per_minute: u32) -> Self {
        const MINUTE: Duration = Duration::from_secs(60);
        const HOUR: Duration = Duration::from_secs(3600);
        RateLimits {
            write: DefaultKeyedRateLimiter::keyed(per(settings.writes_per_minute, MINUTE)),
            walk_in: DefaultKeyedRateLimiter::keyed(per(settings.walk_ins_per_hour, HOUR)),
            alert: DefaultKeyedRateLimiter::keyed(per(settings.alerts_per_hour, HOUR)),
            follow: DefaultKeyedRateLimiter::keyed(per(follow_per_minute, MINUTE)),
            clock: DefaultClock::default(),
        }
    }

    /// Takes one token of `budget` for `ip`, or refuses with 429.
    pub fn take(&self, budget: Budget, ip: IpAddr) -> Result<(), AppError> {
        let limiter = match budget {
            Budget::Write => &self.write,
            Budget::WalkIn => &self.walk_in,
            Budget::Alert => &self.alert,
            Budget::Follow => &self.follow,
        };
        limiter.check_key(&ip).map_err(|not_until| {
            let wait = not_until.wait_time_from(self.clock.now());
            AppError::locked_out(
                ErrorCode::TooManyRequests,
                "too many requests from this address: wait, then try again",
                wait.as_secs().saturating_add(1),
            )
        })
    }

    /// Forgets addresses whose buckets are full again (memory stays bounded
    /// by the addresses seen in the last period).
    pub fn forget_idle(&self) {
        for limiter in [&self.write, &self.walk_in, &self.alert, &self.follow] {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(writes: u32) -> LimitSettings {
        LimitSettings {
            writes_per_minute: writes,
            ..LimitSettings::default()
        }
    }

    #[test]
    fn a_burst_is_allowed_then_refused_with_a_wait() {
        let limits = RateLimits::new(&settings(5), 60);
        let ip: IpAddr = "192.0.2.7".parse().unwrap();
        for _ in 0..5 {
            assert!(limits.take(Budget::Write, ip).is_ok());
        }
        let refused = limits.take(Budget::Write, ip).unwrap_err();
        let AppError::Client {
            status,
            code,
            retry_after,
            ..
        } = refused
        else {
            panic!("not a client error");
        };
        assert_eq!((status.as_u16(), code), (429, ErrorCode::TooManyRequests));
        // One token comes back every 12 s.
        assert!(matches!(retry_after, Some(1..=13)), "{retry_after:?}");
        // Another address has its own bucket.
        assert!(limits
            .take(Budget::Write, "192.0.2.8".parse().unwrap())
            .is_ok());
    }

    #[test]
    fn budgets_are_separate() {
        let limits = RateLimits::new(
            &LimitSettings {
                walk_ins_per_hour: 1,
                ..LimitSettings::default()
            },
            1,
        );
        let ip: IpAddr = "192.0.2.7".parse().unwrap();
        assert!(limits.take(Budget::WalkIn, ip).is_ok());
        assert!(limits.take(Budget::WalkIn, ip).is_err());
        assert!(limits.take(Budget::Write, ip).is_ok());
        assert!(limits.take(Budget::Alert, ip).is_ok());
        assert!(limits.take(Budget::Follow, ip).is_ok());
        assert!(limits.take(Budget::Follow, ip).is_err());
        assert!(limits.take(Budget::Write, ip).is_ok());
    }
}
