//! `staff_sessions`: signed-in staff, by the hash of their session token
//! (the token itself is only ever in the browser's HttpOnly cookie), each
//! belonging to one account.

use crate::error::AppError;
use sqlx::SqlitePool;
use waitwell_core::contract::StaffRole;

/// Starts a session for `account`, first forgetting every session begun
/// before `shift_before` (over, however active).
pub async fn open(
    db: &SqlitePool,
    token_hash: &str,
    account: i64,
    now: i64,
    shift_before: i64,
) -> Result<(), AppError> {
    let mut tx = super::begin_write(db).await?;
    sqlx::query!(
        "DELETE FROM staff_sessions WHERE created_at < ?",
        shift_before
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "INSERT INTO staff_sessions (token_hash, account_id, created_at, last_seen)
         VALUES (?, ?, ?, ?)",
        token_hash,
        account,
        now,
        now
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A session with its account.
#[derive(Debug, Clone)]
pub struct Session {
    pub account: i64,
    pub name: String,
    pub role: StaffRole,
    pub pin_set: bool,
    pub disabled: bool,
    pub created_at: i64,
    pub last_seen: i64,
    pub pin_failures: i64,
}

/// The session with this token hash, if it exists.
pub async fn find(db: &SqlitePool, token_hash: &str) -> Result<Option<Session>, AppError> {
    let row = sqlx::query!(
        r#"SELECT s.account_id, a.name, a.role, a.pin_hash IS NOT NULL AS "pin_set!: bool",
                  a.disabled_at IS NOT NULL AS "disabled!: bool",
                  s.created_at, s.last_seen, s.pin_failures
           FROM staff_sessions s JOIN staff_accounts a ON a.id = s.account_id
           WHERE s.token_hash = ?"#,
        token_hash
    )
    .fetch_optional(db)
    .await?;
    row.map(|r| {
        Ok(Session {
            account: r.account_id,
            name: r.name,
            role: StaffRole::parse(&r.role)
                .ok_or_else(|| AppError::Corrupt(format!("staff role {:?}", r.role)))?,
            pin_set: r.pin_set,
            disabled: r.disabled,
            created_at: r.created_at,
            last_seen: r.last_seen,
            pin_failures: r.pin_failures,
        })
    })
    .transpose()
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

/// Counts one PIN attempt against the session before it is checked (in one
/// write, so parallel guesses cannot share a slot): whether one was left
/// of `allowed`.
pub async fn take_pin_attempt(
    db: &SqlitePool,
    token_hash: &str,
    allowed: u32,
) -> Result<bool, AppError> {
    let allowed = i64::from(allowed);
    let done = sqlx::query!(
        "UPDATE staff_sessions SET pin_failures = pin_failures + 1
         WHERE token_hash = ? AND pin_failures < ?",
        token_hash,
        allowed
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The PIN was right: the session is in use again, its failures forgotten.
pub async fn unlock(db: &SqlitePool, token_hash: &str, now: i64) -> Result<(), AppError> {
    sqlx::query!(
        "UPDATE staff_sessions SET pin_failures = 0, last_seen = ? WHERE token_hash = ?",
        now,
        token_hash
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Locks a session now, as if idle since long ago (its owner's PIN opens
/// it at a desk; elsewhere it is over).
pub async fn lock(db: &SqlitePool, token_hash: &str) -> Result<(), AppError> {
    sqlx::query!(
        "UPDATE staff_sessions SET last_seen = 0 WHERE token_hash = ?",
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

/// Forgets sessions begun before `shift_before`; how many.
pub async fn purge(db: &SqlitePool, shift_before: i64) -> Result<u64, AppError> {
    let done = sqlx::query!(
        "DELETE FROM staff_sessions WHERE created_at < ?",
        shift_before
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}
