//! `devices` and `parked_decisions`: the enrolled tablets (by the hash of
//! their credential; the credential itself is only in the tablet's HttpOnly
//! cookie), what each last reported of itself, and what staff decided about
//! its parked writes.

use crate::error::AppError;
use sqlx::{SqliteConnection, SqlitePool};
use std::sync::atomic::{AtomicU64, Ordering};
use waitwell_core::contract::{ParkedDecision, ParkedOrder};
use waitwell_core::Surface;

/// A heartbeat, checked.
#[derive(Debug, Clone, Copy)]
pub struct Report<'a> {
    pub surface: Surface,
    pub app_version: &'a str,
    pub outbox_backlog: u32,
    pub outbox_parked: u32,
    pub storage_failed: bool,
    pub last_sync: Option<&'a str>,
    /// `Vec<ParkedWrite>` as JSON.
    pub parked_json: &'a str,
}

/// Records an enrolled device's report, seen at `now`.
pub async fn record(
    conn: &mut SqliteConnection,
    device: &str,
    report: &Report<'_>,
    now: i64,
) -> Result<(), AppError> {
    let surface = report.surface.as_str();
    let (backlog, parked) = (
        i64::from(report.outbox_backlog),
        i64::from(report.outbox_parked),
    );
    sqlx::query!(
        "UPDATE devices SET surface = ?, app_version = ?, outbox_backlog = ?,
            outbox_parked = ?, storage_failed = ?, last_sync = ?, last_seen = ?, parked = ?
         WHERE device = ? AND approved_at IS NOT NULL",
        surface,
        report.app_version,
        backlog,
        parked,
        report.storage_failed,
        report.last_sync,
        now,
        report.parked_json,
        device
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A tablet that paired: waiting for approval, or enrolled.
#[derive(Debug, Clone)]
pub struct Credential {
    pub device: String,
    pub role: Surface,
    /// `None` once approved.
    pub pairing_code: Option<String>,
    pub paired_at: i64,
    /// Set once approved.
    pub name: Option<String>,
}

impl Credential {
    pub fn enrolled(&self) -> bool {
        self.pairing_code.is_none()
    }
}

/// The device holding the credential with this hash, if any.
pub async fn by_credential(db: &SqlitePool, hash: &str) -> Result<Option<Credential>, AppError> {
    let row = sqlx::query!(
        "SELECT device, role, pairing_code, paired_at, name FROM devices
         WHERE credential_hash = ?",
        hash
    )
    .fetch_optional(db)
    .await?;
    row.map(|row| {
        let role = row
            .role
            .parse()
            .map_err(|_| AppError::Corrupt(format!("device {} role", row.device)))?;
        Ok(Credential {
            device: row.device,
            role,
            pairing_code: row.pairing_code,
            paired_at: row.paired_at,
            name: row.name,
        })
    })
    .transpose()
}

/// A new pairing: a device waiting for staff to approve `code`.
pub struct NewPairing<'a> {
    pub device: &'a str,
    pub credential_hash: &'a str,
    pub role: Surface,
    pub code: &'a str,
    /// The network address it came from.
    pub from: &'a str,
}

/// Records a pairing, seen at `now`. Fails (a unique constraint) in the
/// unlikely case the code is already waiting.
pub async fn pair(
    conn: &mut SqliteConnection,
    pairing: &NewPairing<'_>,
    now: i64,
) -> Result<(), AppError> {
    let role = pairing.role.as_str();
    sqlx::query!(
        "INSERT INTO devices (device, credential_hash, role, pairing_code, paired_at,
            surface, last_seen, paired_from)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        pairing.device,
        pairing.credential_hash,
        role,
        pairing.code,
        now,
        role,
        now,
        pairing.from
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Whether a pairing is already waiting with `code`.
pub async fn code_taken(conn: &mut SqliteConnection, code: &str) -> Result<bool, AppError> {
    Ok(sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM devices WHERE pairing_code = ?) AS "taken!: bool""#,
        code
    )
    .fetch_one(conn)
    .await?)
}

/// How many pairings from `from` wait for approval.
pub async fn pending_from(conn: &mut SqliteConnection, from: &str) -> Result<u32, AppError> {
    let n = sqlx::query_scalar!(
        r#"SELECT COUNT(*) AS "n!: i64" FROM devices
         WHERE approved_at IS NULL AND paired_from = ?"#,
        from
    )
    .fetch_one(conn)
    .await?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

/// Forgets pairings made before `before` that nobody approved; how many.
pub async fn forget_stale_pairings(
    conn: &mut SqliteConnection,
    before: i64,
) -> Result<u64, AppError> {
    let done = sqlx::query!(
        "DELETE FROM devices WHERE approved_at IS NULL AND paired_at < ?",
        before
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Revokes enrolled devices not heard from since `before`; how many. It
/// ends remembered credentials, and the caller does again after its commit
/// ([`end_credentials`]).
pub async fn forget_unseen(conn: &mut SqliteConnection, before: i64) -> Result<u64, AppError> {
    end_credentials();
    sqlx::query!(
        "DELETE FROM parked_decisions WHERE device IN
            (SELECT device FROM devices WHERE approved_at IS NOT NULL AND last_seen < ?)",
        before
    )
    .execute(&mut *conn)
    .await?;
    let done = sqlx::query!(
        "DELETE FROM devices WHERE approved_at IS NOT NULL AND last_seen < ?",
        before
    )
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected())
}

/// How many devices are listed: (enrolled, waiting for approval).
pub async fn count(conn: &mut SqliteConnection) -> Result<(u32, u32), AppError> {
    let row = sqlx::query!(
        r#"SELECT COUNT(approved_at) AS "enrolled!: i64",
            COUNT(*) - COUNT(approved_at) AS "pending!: i64" FROM devices"#
    )
    .fetch_one(conn)
    .await?;
    let n = |v: i64| u32::try_from(v).unwrap_or(u32::MAX);
    Ok((n(row.enrolled), n(row.pending)))
}

/// Approves the pairing waiting with `code` (made at or after
/// `made_after`): the device is enrolled under `name` for `role`. Its id,
/// or `None` when no such pairing waits.
pub async fn approve(
    conn: &mut SqliteConnection,
    code: &str,
    name: &str,
    role: Surface,
    made_after: i64,
    now: i64,
) -> Result<Option<String>, AppError> {
    let role = role.as_str();
    Ok(sqlx::query_scalar!(
        "UPDATE devices SET pairing_code = NULL, name = ?, role = ?, surface = ?,
            approved_at = ?, last_seen = ?
         WHERE pairing_code = ? AND paired_at >= ? RETURNING device",
        name,
        role,
        role,
        now,
        now,
        code,
        made_after
    )
    .fetch_optional(conn)
    .await?)
}

/// Counts the times an enrolled credential stopped working (a tablet
/// revoked or forgotten), in this process: whatever remembers who is
/// enrolled (`auth::QueueReaders`) forgets it all when this moves.
static CREDENTIALS_ENDED: AtomicU64 = AtomicU64::new(0);

/// How many times an enrolled credential has stopped working so far; read
/// it before looking a credential up, so an ending in between is noticed.
pub fn credentials_ended() -> u64 {
    CREDENTIALS_ENDED.load(Ordering::SeqCst)
}

/// Credentials stopped working (called after a commit that ended some).
pub fn end_credentials() {
    CREDENTIALS_ENDED.fetch_add(1, Ordering::SeqCst);
}

/// Revokes a device: its credential stops working at once. Whether it was
/// listed.
pub async fn revoke(db: &SqlitePool, device: &str) -> Result<bool, AppError> {
    let mut tx = crate::store::begin_write(db).await?;
    sqlx::query!("DELETE FROM parked_decisions WHERE device = ?", device)
        .execute(&mut *tx)
        .await?;
    let done = sqlx::query!("DELETE FROM devices WHERE device = ?", device)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    end_credentials();
    Ok(done.rows_affected() == 1)
}

/// An enrolled device as stored.
pub struct DeviceRow {
    pub device: String,
    pub name: String,
    pub role: String,
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

/// Every enrolled device, by name.
pub async fn all(db: &SqlitePool) -> Result<Vec<DeviceRow>, AppError> {
    Ok(sqlx::query_as!(
        DeviceRow,
        r#"SELECT device, name AS "name!", role, surface, app_version, outbox_backlog,
            outbox_parked, storage_failed AS "storage_failed: bool", last_sync, last_seen,
            parked
         FROM devices WHERE approved_at IS NOT NULL ORDER BY name, device"#
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
