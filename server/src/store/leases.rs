//! `ticket_leases`: the ticket numbers set aside for each enrolled check-in
//! kiosk, per line and day, and which of them a check-in has used.

use crate::error::AppError;
use sqlx::SqliteConnection;
use std::collections::BTreeMap;
use waitwell_core::queue::{LineId, TicketCode};

/// How many numbers a kiosk holds on one line today.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Held {
    /// Not yet used by a check-in.
    pub unused: u16,
    /// Every number it was leased, used or not.
    pub total: u16,
}

/// What `device` holds today, by line.
pub async fn held(
    conn: &mut SqliteConnection,
    day: &str,
    device: &str,
) -> Result<BTreeMap<String, Held>, AppError> {
    let rows = sqlx::query!(
        r#"SELECT line, COUNT(*) AS "total!: i64", COUNT(*) - COUNT(used_at) AS "unused!: i64"
           FROM ticket_leases WHERE day = ? AND device_id = ? GROUP BY line"#,
        day,
        device
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let count = |n: i64| u16::try_from(n).unwrap_or(u16::MAX);
            (
                r.line,
                Held {
                    unused: count(r.unused),
                    total: count(r.total),
                },
            )
        })
        .collect())
}

/// Records `numbers` of `line` as leased to `device`.
pub async fn grant(
    conn: &mut SqliteConnection,
    day: &str,
    device: &str,
    line: LineId,
    numbers: std::ops::RangeInclusive<u16>,
    now: i64,
) -> Result<(), AppError> {
    let line = line.to_string();
    for number in numbers {
        sqlx::query!(
            "INSERT INTO ticket_leases (day, line, number, device_id, granted_at)
             VALUES (?, ?, ?, ?, ?)",
            day,
            line,
            number,
            device,
            now
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The codes `device` holds today and no check-in has used, by line and
/// number.
pub async fn unused(
    conn: &mut SqliteConnection,
    day: &str,
    device: &str,
) -> Result<Vec<TicketCode>, AppError> {
    let rows = sqlx::query!(
        r#"SELECT line, number AS "number!: i64" FROM ticket_leases
           WHERE day = ? AND device_id = ? AND used_at IS NULL ORDER BY line, number"#,
        day,
        device
    )
    .fetch_all(conn)
    .await?;
    // Stored rows are untrusted: a row that is not a code is left out.
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some(TicketCode {
                line: super::tickets::parse_line(&r.line)?,
                number: u16::try_from(r.number).ok()?,
            })
        })
        .collect())
}

/// Whether `code` is leased to `device` today and not used yet.
pub async fn is_unused(
    conn: &mut SqliteConnection,
    day: &str,
    device: &str,
    code: TicketCode,
) -> Result<bool, AppError> {
    let line = code.line.to_string();
    let found = sqlx::query_scalar!(
        r#"SELECT 1 AS "one!: i64" FROM ticket_leases
           WHERE day = ? AND line = ? AND number = ? AND device_id = ? AND used_at IS NULL"#,
        day,
        line,
        code.number,
        device
    )
    .fetch_optional(conn)
    .await?;
    Ok(found.is_some())
}

/// Marks `code` as used by a check-in.
pub async fn mark_used(
    conn: &mut SqliteConnection,
    day: &str,
    code: TicketCode,
    now: i64,
) -> Result<(), AppError> {
    let line = code.line.to_string();
    sqlx::query!(
        "UPDATE ticket_leases SET used_at = ? WHERE day = ? AND line = ? AND number = ?",
        now,
        day,
        line,
        code.number
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The highest number set aside on each line of `day`, for restoring the
/// day's queue.
pub async fn highest(
    conn: &mut SqliteConnection,
    day: &str,
) -> Result<Vec<(String, i64)>, AppError> {
    let rows = sqlx::query!(
        r#"SELECT line, MAX(number) AS "number!: i64" FROM ticket_leases
           WHERE day = ? GROUP BY line"#,
        day
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|r| (r.line, r.number)).collect())
}
