//! Limits on attempts that can fail (identification, staff PIN): after
//! `allowed` attempts within a window, a scope is locked until the oldest of
//! them leaves the window.
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
    let since = now.saturating_sub(window);
    // IMMEDIATE: the write lock is held from the first read, so no other
    // attempt can read the same count in between.
    let mut tx = super::begin_write(db).await?;
    for scope in scopes {
        let row = sqlx::query!(
            r#"SELECT COUNT(*) AS "failures!: i64", MIN(at) AS "oldest: i64"
               FROM failed_attempts WHERE scope = ? AND at > ?"#,
            scope.name,
            since
        )
        .fetch_one(&mut *tx)
        .await?;
        if row.failures >= i64::from(scope.allowed) {
            let retry = row
                .oldest
                .map_or(window, |at| at.saturating_add(window) - now)
                .max(1);
            return Err(AppError::locked_out(
                ErrorCode::LockedOut,
                message,
                u64::try_from(retry).unwrap_or(1),
            ));
        }
    }
    let mut rows = Vec::with_capacity(scopes.len());
    for scope in scopes {
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

/// Forgets every record older than `window_seconds`, in all scopes (a scope
/// that is never tried again would otherwise keep its rows for ever).
pub async fn purge(db: &SqlitePool, now: i64, window_seconds: u64) -> Result<u64, AppError> {
    let since = now.saturating_sub(i64::try_from(window_seconds).unwrap_or(i64::MAX));
    let done = sqlx::query!("DELETE FROM failed_attempts WHERE at <= ?", since)
        .execute(db)
        .await?;
    Ok(done.rows_affected())
}
