//! `delay_notices`: "Dr. Lee is running about 20 minutes late", posted and
//! cleared by staff, per clinic day.

use crate::error::AppError;
use sqlx::{SqliteConnection, SqlitePool};
use waitwell_core::contract::DelayNotice;

/// Today's open notices, oldest first.
pub async fn open_notices(
    conn: &mut SqliteConnection,
    day: &str,
) -> Result<Vec<DelayNotice>, AppError> {
    let rows = sqlx::query!(
        r#"SELECT id AS "id!", clinician, minutes FROM delay_notices
         WHERE day = ? AND cleared_at IS NULL ORDER BY posted_at, id"#,
        day
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| DelayNotice {
            id: row.id,
            clinician: row.clinician,
            minutes: u32::try_from(row.minutes).unwrap_or(0),
        })
        .collect())
}

/// Posts a notice for `day`; its id.
pub async fn post(
    db: &SqlitePool,
    day: &str,
    clinician: &str,
    minutes: u32,
    now: i64,
) -> Result<i64, AppError> {
    let minutes = i64::from(minutes);
    Ok(sqlx::query_scalar!(
        r#"INSERT INTO delay_notices (day, clinician, minutes, posted_at) VALUES (?, ?, ?, ?)
         RETURNING id AS "id!""#,
        day,
        clinician,
        minutes,
        now
    )
    .fetch_one(db)
    .await?)
}

/// Clears a notice (clearing twice is fine); false if there is none.
pub async fn clear(db: &SqlitePool, id: i64, now: i64) -> Result<bool, AppError> {
    let found = sqlx::query!(
        "UPDATE delay_notices SET cleared_at = COALESCE(cleared_at, ?) WHERE id = ?",
        now,
        id
    )
    .execute(db)
    .await?;
    Ok(found.rows_affected() > 0)
}
