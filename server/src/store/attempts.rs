//! Limits on attempts that can fail (identification, staff sign-in): after
//! `allowed` attempts within a window, a scope is locked until the oldest of
//! them leaves the window. A *growing* scope instead counts a day's
//! failures and, past `allowed`, makes each next attempt wait twice as long
//! as the last (the window's length, then double, up to a day).
//!
//! An attempt is counted *before* it is tried, in the same write
//! transaction as the check ([`take`]), and refunded if it succeeds
//! ([`Taken::succeeded`]). Parallel requests therefore cannot all pass the
//! check before any failure is recorded: each takes a slot or is refused.

use crate::error::AppError;
use sqlx::SqlitePool;
use waitwell_core::contract::ErrorCode;

/// One scope to check: a name that holds no personal data, and its limit.
#[derive(Debug, Clone)]
pub struct Scope {
    pub name: String,
    pub allowed: u32,
    /// Growing backoff instead of a fixed window.
    pub growing: bool,
}

impl Scope {
    /// Locked, once `allowed` failures fall in the window, until the oldest
    /// leaves it.
    pub fn fixed(name: impl Into<String>, allowed: u32) -> Scope {
        Scope {
            name: name.into(),
            allowed,
            growing: false,
        }
    }

    /// Past `allowed` failures in a day, each attempt waits twice as long
    /// after the last failure as the one before did.
    pub fn growing(name: impl Into<String>, allowed: u32) -> Scope {
        Scope {
            name: name.into(),
            allowed,
            growing: true,
        }
    }

    /// The window failures count in.
    fn window(&self, window: i64) -> i64 {
        if self.growing {
            GROWING_WINDOW_SECONDS.max(window)
        } else {
            window
        }
    }
}

/// How long a growing scope remembers failures.
pub const GROWING_WINDOW_SECONDS: i64 = 24 * 3600;

/// How long a growing scope with `failures` (at least `allowed`) waits after
/// its latest failure: `base`, doubled for each failure beyond `allowed`,
/// at most a day.
pub fn growing_wait(failures: i64, allowed: u32, base: i64) -> i64 {
    let beyond =
        u32::try_from(failures.saturating_sub(i64::from(allowed)).clamp(0, 20)).unwrap_or(0);
    base.max(1)
        .saturating_mul(1 << beyond)
        .min(GROWING_WINDOW_SECONDS)
}

/// The slots one attempt took; kept (a failure) unless refunded.
#[derive(Debug)]
#[must_use = "refund the attempt with `succeeded` when it succeeds"]
pub struct Taken {
    rows: Vec<i64>,
}

impl Taken {
    /// The attempt succeeded: it does not count against its scopes.
    pub async fn succeeded(self, db: &SqlitePool) -> Result<(), AppError> {
        let mut tx = super::begin_write(db).await?;
        for row in self.rows {
            sqlx::query!("DELETE FROM failed_attempts WHERE rowid = ?", row)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

/// Takes one attempt in every scope, or refuses (429 with Retry-After)
/// while any scope is locked. Forgets records older than the window.
pub async fn take(
    db: &SqlitePool,
    now: i64,
    scopes: &[Scope],
    window_seconds: u64,
    message: &str,
) -> Result<Taken, AppError> {
    let window = i64::try_from(window_seconds).unwrap_or(i64::MAX);
    // IMMEDIATE: the write lock is held from the first read, so no other
    // attempt can read the same count in between.
    let mut tx = super::begin_write(db).await?;
    for scope in scopes {
        let scope_window = scope.window(window);
        let since = now.saturating_sub(scope_window);
        let row = sqlx::query!(
            r#"SELECT COUNT(*) AS "failures!: i64", MIN(at) AS "oldest: i64",
                      MAX(at) AS "latest: i64"
               FROM failed_attempts WHERE scope = ? AND at > ?"#,
            scope.name,
            since
        )
        .fetch_one(&mut *tx)
        .await?;
        if row.failures < i64::from(scope.allowed) {
            continue;
        }
        let retry = if scope.growing {
            let wait = growing_wait(row.failures, scope.allowed, window);
            row.latest.map_or(0, |at| at.saturating_add(wait) - now)
        } else {
            row.oldest
                .map_or(window, |at| at.saturating_add(window) - now)
                .max(1)
        };
        if retry > 0 {
            return Err(AppError::locked_out(
                ErrorCode::LockedOut,
                message,
                u64::try_from(retry).unwrap_or(1),
            ));
        }
    }
    let mut rows = Vec::with_capacity(scopes.len());
    for scope in scopes {
        let since = now.saturating_sub(scope.window(window));
        // Old records say nothing any more: keep the table small.
        sqlx::query!(
            "DELETE FROM failed_attempts WHERE scope = ? AND at <= ?",
            scope.name,
            since
        )
        .execute(&mut *tx)
        .await?;
        let row = sqlx::query!(
            "INSERT INTO failed_attempts (scope, at) VALUES (?, ?)",
            scope.name,
            now
        )
        .execute(&mut *tx)
        .await?;
        rows.push(row.last_insert_rowid());
    }
    tx.commit().await?;
    Ok(Taken { rows })
}

/// Forgets every record older than `window_seconds` (or a growing scope's
/// day, if longer), in all scopes (a scope that is never tried again would
/// otherwise keep its rows for ever).
pub async fn purge(db: &SqlitePool, now: i64, window_seconds: u64) -> Result<u64, AppError> {
    let window = i64::try_from(window_seconds)
        .unwrap_or(i64::MAX)
        .max(GROWING_WINDOW_SECONDS);
    let since = now.saturating_sub(window);
    let done = sqlx::query!("DELETE FROM failed_attempts WHERE at <= ?", since)
        .execute(db)
        .await?;
    Ok(done.rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_growing_wait_doubles_up_to_a_day() {
        let base = 300;
        let waits: Vec<i64> = (5..=15).map(|f| growing_wait(f, 5, base)).collect();
        assert_eq!(&waits[..5], [300, 600, 1200, 2400, 4800]);
        assert_eq!(*waits.last().unwrap(), GROWING_WINDOW_SECONDS);
        assert_eq!(growing_wait(i64::MAX, 5, base), GROWING_WINDOW_SECONDS);
        assert_eq!(growing_wait(5, 5, 0), 1);
    }
}
