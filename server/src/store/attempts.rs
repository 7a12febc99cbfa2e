//! Limits on failed attempts (identification, staff PIN): after `allowed`
//! failures within a window, a scope is locked until the oldest of them
//! leaves the window.

use crate::error::AppError;
use sqlx::SqlitePool;
use waitwell_core::contract::ErrorCode;

/// One scope to check: a name that holds no personal data, and its limit.
#[derive(Debug, Clone)]
pub struct Scope {
    pub name: String,
    pub allowed: u32,
}

/// Refuses (429 with Retry-After) while any scope is locked.
pub async fn check(
    db: &SqlitePool,
    now: i64,
    scopes: &[Scope],
    window_seconds: u64,
    message: &str,
) -> Result<(), AppError> {
    let window = i64::try_from(window_seconds).unwrap_or(i64::MAX);
    for scope in scopes {
        let (failures, oldest): (i64, Option<i64>) = sqlx::query_as(
            "SELECT COUNT(*), MIN(at) FROM failed_attempts WHERE scope = ? AND at > ?",
        )
        .bind(&scope.name)
        .bind(now.saturating_sub(window))
        .fetch_one(db)
        .await?;
        if failures >= i64::from(scope.allowed) {
            let retry = oldest
                .map_or(window, |at| at.saturating_add(window) - now)
                .max(1);
            return Err(AppError::locked_out(
                ErrorCode::LockedOut,
                message,
                u64::try_from(retry).unwrap_or(1),
            ));
        }
    }
    Ok(())
}

/// Records one failure against every scope, and forgets expired ones.
pub async fn record_failure(
    db: &SqlitePool,
    now: i64,
    scopes: &[Scope],
    window_seconds: u64,
) -> Result<(), AppError> {
    let window = i64::try_from(window_seconds).unwrap_or(i64::MAX);
    let mut tx = db.begin().await?;
    for scope in scopes {
        // Old records say nothing any more: keep the table small.
        sqlx::query("DELETE FROM failed_attempts WHERE scope = ? AND at <= ?")
            .bind(&scope.name)
            .bind(now.saturating_sub(window))
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO failed_attempts (scope, at) VALUES (?, ?)")
            .bind(&scope.name)
            .bind(now)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}
