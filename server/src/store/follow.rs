//! `follow_links`: the phone links patients follow their tickets through,
//! by the SHA-256 of their token.

use crate::error::AppError;
use sqlx::SqliteConnection;
use std::collections::HashSet;
use waitwell_core::queue::TicketCode;

/// Records a new link to ticket `ticket` of `day`.
pub async fn create(
    conn: &mut SqliteConnection,
    token_hash: &str,
    day: &str,
    ticket: i64,
    now: i64,
) -> Result<(), AppError> {
    sqlx::query!(
        "INSERT INTO follow_links (token_hash, day, ticket_id, created_at) VALUES (?, ?, ?, ?)",
        token_hash,
        day,
        ticket,
        now
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A ticket a working link follows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Followed {
    pub ticket: i64,
    /// e.g. "A-017".
    pub code: String,
}

/// The ticket a link follows, while the link works: made on `day`, not
/// ended, and its ticket still waiting or called.
pub async fn live_ticket(
    conn: &mut SqliteConnection,
    token_hash: &str,
    day: &str,
) -> Result<Option<Followed>, AppError> {
    let row = sqlx::query!(
        r#"SELECT f.ticket_id AS "ticket_id!: i64", t.code_line, t.code_number
           FROM follow_links f
           JOIN tickets t ON t.day = f.day AND t.id = f.ticket_id
           WHERE f.token_hash = ? AND f.day = ? AND f.ended_at IS NULL
             AND t.status IN ('waiting', 'called')"#,
        token_hash,
        day
    )
    .fetch_optional(conn)
    .await?;
    row.map(|r| {
        let code = super::tickets::parse_line(&r.code_line)
            .zip(u16::try_from(r.code_number).ok())
            .map(|(line, number)| TicketCode { line, number })
            .ok_or_else(|| AppError::Corrupt(format!("ticket {} code", r.ticket_id)))?;
        Ok(Followed {
            ticket: r.ticket_id,
            code: code.to_string(),
        })
    })
    .transpose()
}

/// Ends every link to ticket `ticket` of `day`; how many were working.
pub async fn end(
    conn: &mut SqliteConnection,
    day: &str,
    ticket: i64,
    now: i64,
) -> Result<u64, AppError> {
    let done = sqlx::query!(
        "UPDATE follow_links SET ended_at = ? WHERE day = ? AND ticket_id = ? AND ended_at IS NULL",
        now,
        day,
        ticket
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Today's tickets that a link still follows (reception can end them).
pub async fn followed(conn: &mut SqliteConnection, day: &str) -> Result<HashSet<i64>, AppError> {
    let rows = sqlx::query_scalar!(
        r#"SELECT DISTINCT ticket_id AS "ticket_id!: i64" FROM follow_links
           WHERE day = ? AND ended_at IS NULL"#,
        day
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().collect())
}

/// Forgets the links of days before `day` (none of them works any more).
pub async fn purge(db: &sqlx::SqlitePool, day: &str) -> Result<u64, AppError> {
    let done = sqlx::query!("DELETE FROM follow_links WHERE day < ?", day)
        .execute(db)
        .await?;
    Ok(done.rows_affected())
}
