//! `survey_responses` and `alerts`: exit-survey answers (replaced whole
//! under their id) and the alerts they raise at reception.

use crate::error::AppError;
use sqlx::{SqliteConnection, SqlitePool};
use waitwell_core::contract::{AlertKind, SurveyResponse, Theme};
use waitwell_core::date::Date;

/// When a response is stored: its clinic day and local hour.
#[derive(Debug, Clone, Copy)]
pub struct StoredAt<'a> {
    pub unix: i64,
    pub day: &'a str,
    pub hour: u8,
}

/// Stores a checked response under `id`, replacing an earlier one whole,
/// and raises its alerts (once each). Whether a new alert was raised.
pub async fn put(
    conn: &mut SqliteConnection,
    id: &str,
    response: &SurveyResponse,
    at: StoredAt<'_>,
) -> Result<bool, AppError> {
    let themes = |t: &[Theme]| serde_json::to_string(t).unwrap_or_else(|_| "[]".into());
    let (hour, rating) = (i64::from(at.hour), i64::from(response.rating));
    let recommend = response.recommend.map(i64::from);
    let (better, went_well) = (themes(&response.better), themes(&response.went_well));
    sqlx::query!(
        "INSERT INTO survey_responses (id, created_at, updated_at, day, hour, rating, recommend,
            better, went_well, comment, thanks, talk_to_someone, first_name)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET updated_at = excluded.updated_at, rating = excluded.rating,
            recommend = excluded.recommend, better = excluded.better, went_well = excluded.went_well,
            comment = excluded.comment, thanks = excluded.thanks,
            talk_to_someone = excluded.talk_to_someone, first_name = excluded.first_name",
        id,
        at.unix,
        at.unix,
        at.day,
        hour,
        rating,
        recommend,
        better,
        went_well,
        response.comment,
        response.thanks,
        response.talk_to_someone,
        response.first_name
    )
    .execute(&mut *conn)
    .await?;
    let mut raised = false;
    for (kind, wanted) in [
        (AlertKind::TalkToMe, response.talk_to_someone),
        (AlertKind::Thanks, response.thanks.is_some()),
    ] {
        if wanted {
            let kind = kind.as_str();
            let done = sqlx::query!(
                "INSERT OR IGNORE INTO alerts (kind, response_id, raised_at) VALUES (?, ?, ?)",
                kind,
                id,
                at.unix
            )
            .execute(&mut *conn)
            .await?;
            raised |= done.rows_affected() > 0;
        }
    }
    Ok(raised)
}

/// An alert with what reception shows of its response.
pub struct AlertRow {
    pub id: i64,
    pub kind: String,
    pub raised_at: i64,
    pub acknowledged_at: Option<i64>,
    pub rating: i64,
    pub first_name: Option<String>,
    /// The id of the member of staff thanked.
    pub thanks: Option<String>,
}

/// Open alerts (newest first), then `today`'s acknowledged ones; at most 200.
pub async fn alerts(db: &SqlitePool, today: &str) -> Result<Vec<AlertRow>, AppError> {
    Ok(sqlx::query_as!(
        AlertRow,
        r#"SELECT a.id AS "id!", a.kind, a.raised_at, a.acknowledged_at, r.rating, r.first_name,
            r.thanks
         FROM alerts a JOIN survey_responses r ON r.id = a.response_id
         WHERE a.acknowledged_at IS NULL OR r.day = ?
         ORDER BY a.acknowledged_at IS NOT NULL, a.raised_at DESC
         LIMIT 200"#,
        today
    )
    .fetch_all(db)
    .await?)
}

/// Marks an alert acknowledged (the first time counts); false if there is
/// no such alert.
pub async fn acknowledge(db: &SqlitePool, id: i64, now: i64) -> Result<bool, AppError> {
    let done = sqlx::query!(
        "UPDATE alerts SET acknowledged_at = COALESCE(acknowledged_at, ?) WHERE id = ?",
        now,
        id
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// A stored response as the figures and the export read it.
pub struct ResponseRow {
    pub created_at: i64,
    pub day: String,
    pub hour: i64,
    pub rating: i64,
    pub recommend: Option<i64>,
    /// `Vec<Theme>` as JSON.
    pub better: String,
    pub went_well: String,
    pub comment: Option<String>,
    pub thanks: Option<String>,
    pub talk_to_someone: bool,
}

impl ResponseRow {
    pub fn better(&self) -> Vec<Theme> {
        serde_json::from_str(&self.better).unwrap_or_default()
    }

    pub fn went_well(&self) -> Vec<Theme> {
        serde_json::from_str(&self.went_well).unwrap_or_default()
    }
}

/// The responses of the days `from..=to`, newest first.
pub async fn responses(
    db: &SqlitePool,
    from: Date,
    to: Date,
) -> Result<Vec<ResponseRow>, AppError> {
    let (from, to) = (from.to_string(), to.to_string());
    Ok(sqlx::query_as!(
        ResponseRow,
        r#"SELECT created_at, day, hour, rating, recommend, better, went_well, comment, thanks,
            talk_to_someone AS "talk_to_someone: bool"
         FROM survey_responses WHERE day BETWEEN ? AND ? ORDER BY created_at DESC, rowid DESC"#,
        from,
        to
    )
    .fetch_all(db)
    .await?)
}

/// Raising and acknowledging times of the "talk to me" alerts of the days
/// `from..=to`.
pub async fn talk_alert_times(
    db: &SqlitePool,
    from: Date,
    to: Date,
) -> Result<Vec<(i64, Option<i64>)>, AppError> {
    let (kind, from, to) = (
        AlertKind::TalkToMe.as_str(),
        from.to_string(),
        to.to_string(),
    );
    let rows = sqlx::query!(
        "SELECT a.raised_at, a.acknowledged_at FROM alerts a
         JOIN survey_responses r ON r.id = a.response_id
         WHERE a.kind = ? AND r.day BETWEEN ? AND ?",
        kind,
        from,
        to
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.raised_at, r.acknowledged_at))
        .collect())
}

/// One response by its id, as stored, with when it was last changed.
pub async fn by_id(
    conn: &mut sqlx::SqliteConnection,
    id: &str,
) -> Result<Option<(ResponseRow, i64)>, AppError> {
    let row = sqlx::query!(
        r#"SELECT created_at, updated_at, day, hour, rating, recommend, better, went_well, comment,
            thanks, talk_to_someone AS "talk_to_someone: bool"
         FROM survey_responses WHERE id = ?"#,
        id
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| {
        (
            ResponseRow {
                created_at: r.created_at,
                day: r.day,
                hour: r.hour,
                rating: r.rating,
                recommend: r.recommend,
                better: r.better,
                went_well: r.went_well,
                comment: r.comment,
                thanks: r.thanks,
                talk_to_someone: r.talk_to_someone,
            },
            r.updated_at,
        )
    }))
}
