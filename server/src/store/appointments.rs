//! `appointments`: today's schedule as check-in needs it (the row type and
//! its lookups). Imports write it (`http::import`); the demo fills it.

use crate::error::AppError;
use sqlx::SqliteConnection;
use waitwell_core::contract::ImportedAppointment;
use waitwell_core::date::Date;

/// One appointment row, as the identification and check-in need it.
#[derive(Debug, Clone)]
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

/// The day's appointments of patients born on `birth_date`, by time.
pub async fn by_birth_date(
    conn: &mut SqliteConnection,
    day: &str,
    birth_date: Date,
) -> Result<Vec<Appointment>, AppError> {
    let birth_date = birth_date.to_string();
    Ok(sqlx::query_as!(
        Appointment,
        r#"SELECT id AS "id!", starts_at, family_name, given_name, clinician, line_id, kiosk_ref, ticket_id
         FROM appointments WHERE day = ? AND birth_date = ? ORDER BY starts_at"#,
        day,
        birth_date
    )
    .fetch_all(conn)
    .await?)
}

/// The day's appointments with this (normalised) code.
pub async fn by_code(
    conn: &mut SqliteConnection,
    day: &str,
    code: &str,
) -> Result<Vec<Appointment>, AppError> {
    Ok(sqlx::query_as!(
        Appointment,
        r#"SELECT id AS "id!", starts_at, family_name, given_name, clinician, line_id, kiosk_ref, ticket_id
         FROM appointments WHERE day = ? AND code = ?"#,
        day,
        code
    )
    .fetch_all(conn)
    .await?)
}

/// One appointment with what only the offline index needs.
#[derive(Debug, Clone)]
pub struct IndexRow {
    pub appointment: Appointment,
    pub birth_date: String,
    pub code: String,
}

/// The whole day, by time, for the offline index.
pub async fn for_index(conn: &mut SqliteConnection, day: &str) -> Result<Vec<IndexRow>, AppError> {
    let rows = sqlx::query!(
        r#"SELECT id AS "id!", starts_at, family_name, given_name, clinician, line_id, kiosk_ref, ticket_id,
            birth_date, code
         FROM appointments WHERE day = ? ORDER BY starts_at"#,
        day
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| IndexRow {
            appointment: Appointment {
                id: r.id,
                starts_at: r.starts_at,
                family_name: r.family_name,
                given_name: r.given_name,
                clinician: r.clinician,
                line_id: r.line_id,
                kiosk_ref: r.kiosk_ref,
                ticket_id: r.ticket_id,
            },
            birth_date: r.birth_date,
            code: r.code,
        })
        .collect())
}

/// Whether another appointment of `day` (not the one with `code`) already
/// has this source-system id.
pub async fn external_id_taken(
    conn: &mut SqliteConnection,
    day: Date,
    external_id: &str,
    code: &str,
) -> Result<bool, AppError> {
    let day = day.to_string();
    let clash = sqlx::query_scalar!(
        "SELECT id FROM appointments WHERE day = ? AND external_id = ? AND code != ?",
        day,
        external_id,
        code
    )
    .fetch_optional(conn)
    .await?;
    Ok(clash.is_some())
}

/// Adds or updates the appointment with `code` on `day`; whether it was
/// there already. A stored appointment keeps its id, its kiosk reference
/// (`kiosk_ref` is only used for a new one) and any ticket it has.
pub async fn upsert(
    conn: &mut SqliteConnection,
    day: Date,
    a: &ImportedAppointment,
    code: &str,
    kiosk_ref: &str,
) -> Result<bool, AppError> {
    let day = day.to_string();
    let existed = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM appointments WHERE day = ? AND code = ?) AS "existed!: bool""#,
        day,
        code
    )
    .fetch_one(&mut *conn)
    .await?;
    let (family_name, given_name, clinician) = (
        a.family_name.trim(),
        a.given_name.trim(),
        a.clinician.trim(),
    );
    let (birth_date, line) = (a.birth_date.to_string(), a.line.to_string());
    sqlx::query!(
        "INSERT INTO appointments (day, starts_at, family_name, given_name, birth_date,
            clinician, line_id, code, kiosk_ref, external_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (day, code) DO UPDATE SET starts_at = excluded.starts_at,
            family_name = excluded.family_name, given_name = excluded.given_name,
            birth_date = excluded.birth_date, clinician = excluded.clinician,
            line_id = excluded.line_id, external_id = excluded.external_id",
        day,
        a.starts_at,
        family_name,
        given_name,
        birth_date,
        clinician,
        line,
        code,
        kiosk_ref,
        a.external_id
    )
    .execute(conn)
    .await?;
    Ok(existed)
}
