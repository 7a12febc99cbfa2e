//! `appointments`: today's schedule as check-in needs it (the row type and
//! its lookups). Imports write it (`http::import`); the demo fills it.

use crate::error::AppError;
use sqlx::SqliteConnection;
use waitwell_core::date::Date;

/// One appointment row, as the identification and check-in need it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Appointment {
    pub id: i64,
    pub starts_at: String,
    pub family_name: String,
    pub given_name: String,
    pub clinician: String,
    pub line_id: String,
    pub kiosk_ref: String,
    pub ticket_id: Option<i64>,
}

pub const COLUMNS: &str =
    "id, starts_at, family_name, given_name, clinician, line_id, kiosk_ref, ticket_id";

/// The appointment a kiosk refers to by its opaque reference.
pub async fn by_kiosk_ref(
    conn: &mut SqliteConnection,
    day: &str,
    kiosk_ref: &str,
) -> Result<Option<Appointment>, AppError> {
    let sql = format!("SELECT {COLUMNS} FROM appointments WHERE day = ? AND kiosk_ref = ?");
    Ok(sqlx::query_as(&sql)
        .bind(day)
        .bind(kiosk_ref)
        .fetch_optional(conn)
        .await?)
}

/// The day's appointments of patients born on `birth_date`, by time.
pub async fn by_birth_date(
    conn: &mut SqliteConnection,
    day: &str,
    birth_date: Date,
) -> Result<Vec<Appointment>, AppError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM appointments WHERE day = ? AND birth_date = ? ORDER BY starts_at"
    );
    Ok(sqlx::query_as(&sql)
        .bind(day)
        .bind(birth_date.to_string())
        .fetch_all(conn)
        .await?)
}

/// The day's appointments with this (normalised) code.
pub async fn by_code(
    conn: &mut SqliteConnection,
    day: &str,
    code: &str,
) -> Result<Vec<Appointment>, AppError> {
    let sql = format!("SELECT {COLUMNS} FROM appointments WHERE day = ? AND code = ?");
    Ok(sqlx::query_as(&sql)
        .bind(day)
        .bind(code)
        .fetch_all(conn)
        .await?)
}

/// One appointment with what only the offline index needs.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct IndexRow {
    #[sqlx(flatten)]
    pub appointment: Appointment,
    pub birth_date: String,
    pub code: String,
}

/// The whole day, by time, for the offline index.
pub async fn for_index(conn: &mut SqliteConnection, day: &str) -> Result<Vec<IndexRow>, AppError> {
    let sql = format!(
        "SELECT {COLUMNS}, birth_date, code FROM appointments WHERE day = ? ORDER BY starts_at"
    );
    Ok(sqlx::query_as(&sql).bind(day).fetch_all(conn).await?)
}
