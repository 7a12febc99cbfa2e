//! `devices` and `parked_decisions`: what each tablet last reported of
//! itself, and what staff decided about its parked writes.

use crate::error::AppError;
use sqlx::{SqliteConnection, SqlitePool};
use waitwell_core::contract::{ParkedDecision, ParkedOrder};
use waitwell_core::Surface;

/// A heartbeat, checked.
#[derive(Debug, Clone, Copy)]
pub struct Report<'a> {
    pub device: &'a str,
    pub surface: Surface,
    pub app_version: &'a str,
    pub outbox_backlog: u32,
    pub outbox_parked: u32,
    pub storage_failed: bool,
    pub last_sync: Option<&'a str>,
    /// `Vec<ParkedWrite>` as JSON.
    pub parked_json: &'a str,
}

/// Records a device's report, seen at `now`.
pub async fn record(
    conn: &mut SqliteConnection,
    report: &Report<'_>,
    now: i64,
) -> Result<(), AppError> {
    let surface = report.surface.as_str();
    let (backlog, parked) = (
        i64::from(report.outbox_backlog),
        i64::from(report.outbox_parked),
    );
    sqlx::query!(
        "INSERT INTO devices (device, surface, app_version, outbox_backlog, outbox_parked,
            storage_failed, last_sync, last_seen, parked)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (device) DO UPDATE SET surface = excluded.surface,
            app_version = excluded.app_version, outbox_backlog = excluded.outbox_backlog,
            outbox_parked = excluded.outbox_parked, storage_failed = excluded.storage_failed,
            last_sync = excluded.last_sync, last_seen = excluded.last_seen,
            parked = excluded.parked",
        report.device,
        surface,
        report.app_version,
        backlog,
        parked,
        report.storage_failed,
        report.last_sync,
        now,
        report.parked_json
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Whether `device` has reported before.
pub async fn known(conn: &mut SqliteConnection, device: &str) -> Result<bool, AppError> {
    Ok(sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM devices WHERE device = ?) AS "known!: bool""#,
        device
    )
    .fetch_one(conn)
    .await?)
}

/// How many devices are listed.
pub async fn count(conn: &mut SqliteConnection) -> Result<u32, AppError> {
    let n = sqlx::query_scalar!(r#"SELECT COUNT(*) AS "n!: i64" FROM devices"#)
        .fetch_one(conn)
        .await?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

/// Forgets devices (and staff decisions about them) not seen since
/// `before`; how many.
pub async fn forget_unseen(conn: &mut SqliteConnection, before: i64) -> Result<u64, AppError> {
    sqlx::query!(
        "DELETE FROM parked_decisions WHERE device IN
            (SELECT device FROM devices WHERE last_seen < ?)",
        before
    )
    .execute(&mut *conn)
    .await?;
    let done = sqlx::query!("DELETE FROM devices WHERE last_seen < ?", before)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected())
}

/// A device as stored.
pub struct DeviceRow {
    pub device: String,
    pub surface: String,
    pub app_version: String,
    pub outbox_backlog: i64,
    pub outbox_parked: i64,
    pub storage_failed: bool,
    pub last_sync: Option<String>,
    pub last_seen: i64,
    /// `Vec<ParkedWrite>` as JSON.
    pub parked: String,
}

/// Every device that reported in, by name.
pub async fn all(db: &SqlitePool) -> Result<Vec<DeviceRow>, AppError> {
    Ok(sqlx::query_as!(
        DeviceRow,
        r#"SELECT device, surface, app_version, outbox_backlog, outbox_parked,
            storage_failed AS "storage_failed: bool", last_sync, last_seen, parked
         FROM devices ORDER BY device"#
    )
    .fetch_all(db)
    .await?)
}

/// The parked writes (JSON) a device last reported, if it ever reported.
pub async fn reported_parked(db: &SqlitePool, device: &str) -> Result<Option<String>, AppError> {
    Ok(
        sqlx::query_scalar!("SELECT parked FROM devices WHERE device = ?", device)
            .fetch_optional(db)
            .await?,
    )
}

/// Staff decisions not yet carried out, oldest first, with their devices:
/// one device's, or every device's.
pub async fn decisions(
    conn: &mut SqliteConnection,
    device: Option<&str>,
) -> Result<Vec<(String, ParkedOrder)>, AppError> {
    let rows = sqlx::query!(
        "SELECT device, key, decision FROM parked_decisions
         WHERE ?1 IS NULL OR device = ?1 ORDER BY decided_at, rowid",
        device
    )
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|row| {
            let (device, key, decision) = (row.device, row.key, row.decision);
            let decision = ParkedDecision::parse(&decision)
                .ok_or_else(|| AppError::Corrupt(format!("parked decision {decision}")))?;
            Ok((device, ParkedOrder { key, decision }))
        })
        .collect()
}

/// Records (or replaces) staff's decision about one parked write.
pub async fn decide(
    db: &SqlitePool,
    device: &str,
    key: &str,
    decision: ParkedDecision,
    now: i64,
) -> Result<(), AppError> {
    let decision = decision.as_str();
    sqlx::query!(
        "INSERT INTO parked_decisions (device, key, decision, decided_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (device, key) DO UPDATE SET decision = excluded.decision,
            decided_at = excluded.decided_at",
        device,
        key,
        decision,
        now
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Forgets a decision that is done with.
pub async fn forget_decision(
    conn: &mut SqliteConnection,
    device: &str,
    key: &str,
) -> Result<(), AppError> {
    sqlx::query!(
        "DELETE FROM parked_decisions WHERE device = ? AND key = ?",
        device,
        key
    )
    .execute(conn)
    .await?;
    Ok(())
}
