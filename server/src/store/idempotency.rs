//! Idempotency keys: the first result of a creating POST is stored with its
//! key, in the same transaction as its effect, and replayed for every retry.
//!
//! A retry with the same key and the same body gets the stored status and
//! body; the same key with a different body is refused (422). Concurrent
//! requests with one key are serialised by the caller's write lock, so the
//! second sees the first's committed result. Keys are kept for
//! [`RETENTION_DAYS`] days, then purged.

use crate::error::AppError;
use axum::{
    http::{header, StatusCode},
    response::{IntoResponse, Response},
};
use sha2::{Digest, Sha256};
use sqlx::{SqliteConnection, SqlitePool};
use waitwell_core::contract::ErrorCode;

/// How long keys are kept: a tablet offline over a long weekend still
/// replays rather than duplicates.
pub const RETENTION_DAYS: i64 = 7;

/// What identifies "the same request": the endpoint and the exact body.
pub fn request_hash(endpoint: &str, body: &[u8]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(endpoint.as_bytes());
    hasher.update([0]);
    hasher.update(body);
    hex::encode(hasher.finalize())
}

/// A stored first result.
#[derive(Debug, Clone)]
pub struct Stored {
    pub status: StatusCode,
    pub body: String,
}

impl IntoResponse for Stored {
    fn into_response(self) -> Response {
        (
            self.status,
            [
                (header::CONTENT_TYPE, "application/json"),
                (header::HeaderName::from_static("idempotent-replay"), "true"),
            ],
            self.body,
        )
            .into_response()
    }
}

/// The stored result for `key`, if any. A stored key with another request
/// hash is a 422.
pub async fn find(
    conn: &mut SqliteConnection,
    key: &str,
    hash: &str,
) -> Result<Option<Stored>, AppError> {
    let row = sqlx::query!(
        "SELECT request_hash, status, body FROM idempotency_keys WHERE key = ?",
        key
    )
    .fetch_optional(conn)
    .await?
    .map(|r| (r.request_hash, r.status, r.body));
    match row {
        None => Ok(None),
        Some((stored_hash, _, _)) if stored_hash != hash => Err(AppError::unprocessable(
            ErrorCode::IdempotencyKeyReused,
            "this Idempotency-Key was used for a different request",
        )),
        Some((_, status, body)) => {
            let status = u16::try_from(status)
                .ok()
                .and_then(|s| StatusCode::from_u16(s).ok())
                .ok_or_else(|| AppError::Corrupt(format!("stored status {status}")))?;
            Ok(Some(Stored { status, body }))
        }
    }
}

/// Records the result of `key` inside the effect's transaction.
pub async fn record(
    tx: &mut SqliteConnection,
    key: &str,
    hash: &str,
    status: StatusCode,
    body: &str,
    now_unix: i64,
) -> Result<(), AppError> {
    let status = i64::from(status.as_u16());
    sqlx::query!(
        "INSERT INTO idempotency_keys (key, request_hash, status, body, created_at) VALUES (?, ?, ?, ?, ?)",
        key,
        hash,
        status,
        body,
        now_unix
    )
    .execute(&mut *tx)
    .await
    .map_err(|e| match e.as_database_error() {
        // Another request with this key committed first: this one's
        // transaction rolls back, and the client retries to get the replay.
        Some(db) if db.is_unique_violation() => AppError::conflict(
            ErrorCode::IdempotencyKeyInFlight,
            "a request with this Idempotency-Key is being processed: retry shortly",
        ),
        _ => AppError::Database(e),
    })?;
    Ok(())
}

/// Deletes keys older than the retention period.
pub async fn purge(db: &SqlitePool, now_unix: i64) -> Result<u64, AppError> {
    let cutoff = now_unix - RETENTION_DAYS * 24 * 3600;
    let done = sqlx::query!("DELETE FROM idempotency_keys WHERE created_at < ?", cutoff)
        .execute(db)
        .await?;
    Ok(done.rows_affected())
}
