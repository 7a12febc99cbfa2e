//! `staff_sessions`: signed-in staff, by the hash of their session token
//! (the token itself is only ever in the browser's HttpOnly cookie).

use crate::error::AppError;
use sqlx::SqlitePool;

/// Starts a session, first forgetting those idle since before `idle_before`.
pub async fn open(
    db: &SqlitePool,
    token_hash: &str,
    now: i64,
    idle_before: i64,
) -> Result<(), AppError> {
    sqlx::query!(
        "DELETE FROM staff_sessions WHERE last_seen < ?",
        idle_before
    )
    .execute(db)
    .await?;
    sqlx::query!(
        "INSERT INTO staff_sessions (token_hash, created_at, last_seen) VALUES (?, ?, ?)",
        token_hash,
        now,
        now
    )
    .execute(db)
    .await?;
    Ok(())
}

/// A session's start and last use, if it exists.
pub async fn find(db: &SqlitePool, token_hash: &str) -> Result<Option<(i64, i64)>, AppError> {
    let row = sqlx::query!(
        "SELECT created_at, last_seen FROM staff_sessions WHERE token_hash = ?",
        token_hash
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(|r| (r.created_at, r.last_seen)))
}

/// Records a use of the session.
pub async fn touch(db: &SqlitePool, token_hash: &str, now: i64) -> Result<(), AppError> {
    sqlx::query!(
        "UPDATE staff_sessions SET last_seen = ? WHERE token_hash = ?",
        now,
        token_hash
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Ends a session (ending one that is gone is fine).
pub async fn close(db: &SqlitePool, token_hash: &str) -> Result<(), AppError> {
    sqlx::query!(
        "DELETE FROM staff_sessions WHERE token_hash = ?",
        token_hash
    )
    .execute(db)
    .await?;
    Ok(())
}
