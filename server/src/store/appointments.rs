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

/// One appointment as a schedule source (the EHR) gives it.
#[derive(Debug, Clone)]
pub struct FromSource {
    /// The source's id, e.g. `Appointment/123`.
    pub external_id: String,
    /// The version read (opaque).
    pub version: Option<String>,
    /// The patient's id at the source, e.g. `Patient/9`.
    pub patient_ref: String,
    /// Clinic-local HH:MM.
    pub starts_at: String,
    pub family_name: String,
    pub given_name: String,
    pub birth_date: String,
    pub clinician: String,
    /// The letter's code, if the source has one.
    pub code: Option<String>,
    /// A code made from the source's id, used when `code` is absent or
    /// taken by another appointment (stable from sync to sync).
    pub fallback_code: String,
}

/// What one sync changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Synced {
    pub added: u32,
    pub updated: u32,
    pub removed: u32,
}

/// Makes `day`'s appointments from a source (those whose external id starts
/// with `prefix`) what `bookable` says, on `line`: new ones are added,
/// changed ones updated (keeping their id, kiosk reference and ticket), and
/// those no longer bookable removed, unless checked in here already.
pub async fn sync_source(
    conn: &mut SqliteConnection,
    day: &str,
    prefix: &str,
    line: &str,
    bookable: &[FromSource],
    mut new_ref: impl FnMut() -> Result<String, AppError>,
) -> Result<Synced, AppError> {
    let pattern = format!("{prefix}%");
    let stored = sqlx::query!(
        r#"SELECT id AS "id!", external_id AS "external_id!" FROM appointments
         WHERE day = ? AND external_id LIKE ?"#,
        day,
        pattern
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut synced = Synced::default();
    // Those gone first, so a new appointment can take a code (the letter's)
    // that one of them held.
    for gone in stored
        .iter()
        .filter(|s| !bookable.iter().any(|a| a.external_id == s.external_id))
    {
        let removed = sqlx::query!(
            "DELETE FROM appointments WHERE id = ? AND ticket_id IS NULL
               AND NOT EXISTS (SELECT 1 FROM tickets WHERE tickets.appointment_id = appointments.id)",
            gone.id
        )
        .execute(&mut *conn)
        .await?
        .rows_affected();
        synced.removed += u32::try_from(removed).unwrap_or(0);
    }
    for a in bookable {
        let existing = stored
            .iter()
            .find(|s| s.external_id == a.external_id)
            .map(|s| s.id);
        let mut code = a.code.as_deref().unwrap_or(&a.fallback_code);
        let holder = sqlx::query_scalar!(
            r#"SELECT id AS "id!" FROM appointments WHERE day = ? AND code = ?"#,
            day,
            code
        )
        .fetch_optional(&mut *conn)
        .await?;
        if holder.is_some() && holder != existing {
            code = &a.fallback_code;
        }
        match existing {
            Some(id) => {
                let changed = sqlx::query!(
                    "UPDATE appointments SET starts_at = ?, family_name = ?, given_name = ?,
                        birth_date = ?, clinician = ?, line_id = ?, code = ?, source_version = ?,
                        patient_ref = ?
                     WHERE id = ? AND NOT (starts_at = ? AND family_name = ? AND given_name = ?
                        AND birth_date = ? AND clinician = ? AND line_id = ? AND code = ?
                        AND source_version IS ? AND patient_ref IS ?)",
                    a.starts_at,
                    a.family_name,
                    a.given_name,
                    a.birth_date,
                    a.clinician,
                    line,
                    code,
                    a.version,
                    a.patient_ref,
                    id,
                    a.starts_at,
                    a.family_name,
                    a.given_name,
                    a.birth_date,
                    a.clinician,
                    line,
                    code,
                    a.version,
                    a.patient_ref,
                )
                .execute(&mut *conn)
                .await?
                .rows_affected();
                synced.updated += u32::from(changed > 0);
            }
            None => {
                let kiosk_ref = new_ref()?;
                sqlx::query!(
                    "INSERT INTO appointments (day, starts_at, family_name, given_name, birth_date,
                        clinician, line_id, code, kiosk_ref, external_id, source_version, patient_ref)
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    day,
                    a.starts_at,
                    a.family_name,
                    a.given_name,
                    a.birth_date,
                    a.clinician,
                    line,
                    code,
                    kiosk_ref,
                    a.external_id,
                    a.version,
                    a.patient_ref,
                )
                .execute(&mut *conn)
                .await?;
                synced.added += 1;
            }
        }
    }
    Ok(synced)
}
