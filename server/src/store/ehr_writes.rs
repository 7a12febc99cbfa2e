//! `ehr_writes`: the server-side outbox of writes to the EHR (see
//! `crate::fhir::write`).

use crate::error::AppError;
use sqlx::SqliteConnection;

/// What the EHR is to hear of a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Arrived,
    Waiting,
    Called,
    Served,
    NoShow,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Arrived => "arrived",
            Kind::Waiting => "waiting",
            Kind::Called => "called",
            Kind::Served => "served",
            Kind::NoShow => "no_show",
        }
    }

    fn parse(s: &str) -> Option<Kind> {
        [
            Kind::Arrived,
            Kind::Waiting,
            Kind::Called,
            Kind::Served,
            Kind::NoShow,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// One write waiting to reach the EHR.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub id: i64,
    pub day: String,
    pub ticket: i64,
    pub kind: Kind,
    /// `Appointment/{id}` and `Patient/{id}`; none for a walk-in.
    pub appointment: Option<String>,
    pub patient: Option<String>,
    pub room: Option<String>,
    pub at: i64,
    pub attempts: i64,
}

/// Whom a ticket is for, as the EHR knows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// An appointment from the EHR: `Appointment/{id}`, `Patient/{id}`.
    Appointment {
        appointment: String,
        patient: String,
    },
    /// A walk-in (no appointment at all).
    WalkIn,
    /// An appointment that did not come from the EHR (imported here).
    Elsewhere,
}

/// Whom ticket `ticket` of `day` is for.
pub async fn source_of(
    conn: &mut SqliteConnection,
    day: &str,
    ticket: i64,
) -> Result<Source, AppError> {
    let row = sqlx::query!(
        r#"SELECT t.appointment_id, a.external_id, a.patient_ref
         FROM tickets t LEFT JOIN appointments a ON a.id = t.appointment_id
         WHERE t.day = ? AND t.id = ?"#,
        day,
        ticket
    )
    .fetch_optional(conn)
    .await?;
    Ok(match row {
        Some(r) if r.appointment_id.is_none() => Source::WalkIn,
        Some(r) => match (r.external_id, r.patient_ref) {
            (Some(appointment), Some(patient)) if appointment.starts_with("Appointment/") => {
                Source::Appointment {
                    appointment,
                    patient,
                }
            }
            _ => Source::Elsewhere,
        },
        None => Source::Elsewhere,
    })
}

/// Queues a write (inside the queue change's transaction).
#[allow(clippy::too_many_arguments)]
pub async fn queue(
    conn: &mut SqliteConnection,
    day: &str,
    ticket: i64,
    kind: Kind,
    appointment: Option<&str>,
    patient: Option<&str>,
    room: Option<&str>,
    at: i64,
) -> Result<(), AppError> {
    let kind = kind.as_str();
    sqlx::query!(
        "INSERT INTO ehr_writes (day, ticket_id, kind, appointment, patient, room, at, next_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        day,
        ticket,
        kind,
        appointment,
        patient,
        room,
        at,
        at
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Every write not yet done, oldest first.
pub async fn pending(conn: &mut SqliteConnection) -> Result<Vec<(Pending, i64)>, AppError> {
    let rows = sqlx::query!(
        r#"SELECT id AS "id!", day, ticket_id, kind, appointment, patient, room, at, attempts,
            next_at
         FROM ehr_writes WHERE done_at IS NULL ORDER BY id"#
    )
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            let kind = Kind::parse(&r.kind)
                .ok_or_else(|| AppError::Corrupt(format!("ehr write {} kind", r.id)))?;
            Ok((
                Pending {
                    id: r.id,
                    day: r.day,
                    ticket: r.ticket_id,
                    kind,
                    appointment: r.appointment,
                    patient: r.patient,
                    room: r.room,
                    at: r.at,
                    attempts: r.attempts,
                },
                r.next_at,
            ))
        })
        .collect()
}

/// The EHR has it.
pub async fn done(conn: &mut SqliteConnection, id: i64, now: i64) -> Result<(), AppError> {
    sqlx::query!(
        "UPDATE ehr_writes SET done_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ?",
        now,
        id
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// It failed; tried again at `next_at`.
pub async fn failed(
    conn: &mut SqliteConnection,
    id: i64,
    next_at: i64,
    error: &str,
) -> Result<(), AppError> {
    sqlx::query!(
        "UPDATE ehr_writes SET attempts = attempts + 1, next_at = ?, last_error = ? WHERE id = ?",
        next_at,
        error,
        id
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Writes not yet in the EHR (queue changes and survey responses): how
/// many, and when the oldest was queued.
pub async fn backlog(conn: &mut SqliteConnection) -> Result<(u32, Option<i64>), AppError> {
    let row = sqlx::query!(
        r#"SELECT COUNT(*) AS "count!: i64", MIN(at) AS "oldest: i64" FROM (
            SELECT at FROM ehr_writes WHERE done_at IS NULL
            UNION ALL
            SELECT queued_at AS at FROM ehr_survey_writes WHERE done_at IS NULL)"#
    )
    .fetch_one(conn)
    .await?;
    Ok((u32::try_from(row.count).unwrap_or(u32::MAX), row.oldest))
}

/// Forgets writes the EHR had by `before` (unix seconds); what is not yet
/// sent is kept however old.
pub async fn purge(db: &sqlx::SqlitePool, before: i64) -> Result<u64, AppError> {
    let done = sqlx::query!(
        "DELETE FROM ehr_writes WHERE done_at IS NOT NULL AND done_at < ?",
        before
    )
    .execute(db)
    .await?;
    let surveys = sqlx::query!(
        "DELETE FROM ehr_survey_writes WHERE done_at IS NOT NULL AND done_at < ?",
        before
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected() + surveys.rows_affected())
}

/// Queues survey response `id` for the EHR (again, after a follow-up),
/// inside the transaction that stored it.
pub async fn queue_survey(conn: &mut SqliteConnection, id: &str, now: i64) -> Result<(), AppError> {
    sqlx::query!(
        "INSERT INTO ehr_survey_writes (survey_id, queued_at, next_at) VALUES (?, ?, ?)
         ON CONFLICT (survey_id) DO UPDATE SET generation = generation + 1,
            queued_at = excluded.queued_at, next_at = excluded.next_at, attempts = 0,
            done_at = NULL, last_error = NULL",
        id,
        now,
        now
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A survey response waiting to reach the EHR.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingSurvey {
    pub id: String,
    pub generation: i64,
    pub attempts: i64,
    pub next_at: i64,
}

/// Every survey response not yet in the EHR, oldest first.
pub async fn pending_surveys(conn: &mut SqliteConnection) -> Result<Vec<PendingSurvey>, AppError> {
    Ok(sqlx::query_as!(
        PendingSurvey,
        r#"SELECT survey_id AS "id!", generation, attempts, next_at
         FROM ehr_survey_writes WHERE done_at IS NULL ORDER BY queued_at, survey_id"#
    )
    .fetch_all(conn)
    .await?)
}

/// The EHR has generation `generation` of the response (a follow-up that
/// came meanwhile stays queued).
pub async fn survey_done(
    conn: &mut SqliteConnection,
    id: &str,
    generation: i64,
    now: i64,
) -> Result<(), AppError> {
    sqlx::query!(
        "UPDATE ehr_survey_writes SET done_at = ?, last_error = NULL
         WHERE survey_id = ? AND generation = ?",
        now,
        id,
        generation
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Sending it failed; tried again at `next_at`.
pub async fn survey_failed(
    conn: &mut SqliteConnection,
    id: &str,
    next_at: i64,
    error: &str,
) -> Result<(), AppError> {
    sqlx::query!(
        "UPDATE ehr_survey_writes SET attempts = attempts + 1, next_at = ?, last_error = ?
         WHERE survey_id = ?",
        next_at,
        error,
        id
    )
    .execute(conn)
    .await?;
    Ok(())
}
