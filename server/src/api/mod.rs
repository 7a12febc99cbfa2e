//! The `/api/v1` endpoints, one module per area.

pub(crate) mod check_in;
pub(crate) mod config;
pub(crate) mod devices;
pub(crate) mod health;
pub(crate) mod identify;
pub(crate) mod import;
pub(crate) mod insights;
pub(crate) mod notices;
pub(crate) mod offline;
pub(crate) mod queue;
pub(crate) mod reception;
pub(crate) mod schedule;
pub mod staff;
pub(crate) mod surveys;

use crate::{AppError, AppState};
use axum::{
    extract::DefaultBodyLimit,
    routing::{delete, get, post, put},
    Router,
};
use waitwell_core::contract::limits;

/// Trimmed text of 1..=max characters with no control characters: what
/// every free-text field of the contract accepts.
pub(crate) fn clean_text(text: &str, max: usize) -> Option<String> {
    let text = text.trim();
    let len = text.chars().count();
    ((1..=max).contains(&len) && !text.chars().any(char::is_control)).then(|| text.to_owned())
}

/// RFC 3339 text of a stored unix time (the epoch for an impossible one).
pub(crate) fn rfc3339(unix: i64) -> String {
    jiff::Timestamp::from_second(unix)
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
        .to_string()
}

/// The instant of a clinic-local `HH:MM` on `day` (`YYYY-MM-DD`).
pub(crate) fn local_instant(state: &AppState, day: &str, time: &str) -> Option<jiff::Timestamp> {
    let date: jiff::civil::Date = day.parse().ok()?;
    let time: jiff::civil::Time = time.parse().ok()?;
    let zoned = date
        .to_datetime(time)
        .to_zoned(state.settings.time_zone.clone())
        .ok()?;
    Some(zoned.timestamp())
}

/// The day's stored queue version and the unix time of its last change
/// (0 and 0 before the first).
pub(crate) async fn stored_version(
    conn: &mut sqlx::SqliteConnection,
    day: &str,
) -> Result<(u64, i64), AppError> {
    let (version, updated_at): (i64, i64) = sqlx::query_as(
        "SELECT version, updated_at FROM queue_days WHERE day = ?
         UNION ALL SELECT 0, 0 LIMIT 1",
    )
    .bind(day)
    .fetch_one(conn)
    .await?;
    Ok((u64::try_from(version).unwrap_or(0), updated_at))
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/health", get(health::health))
        .route("/config", get(config::site_config))
        .route("/identify", post(identify::identify))
        .route("/check-ins", post(check_in::check_in))
        .route("/offline-index", get(offline::offline_index))
        .route("/queue", get(queue::public_queue))
        .route("/queue/events", get(queue::events))
        .route("/queue/staff", get(reception::staff_queue))
        .route("/queue/actions", post(reception::act))
        .route(
            "/staff/session",
            get(staff::status)
                .post(staff::sign_in)
                .delete(staff::sign_out),
        )
        .route("/devices/heartbeat", post(devices::heartbeat))
        .route("/devices", get(devices::list))
        .route("/devices/{device}/parked/{key}", post(devices::decide))
        .route("/surveys/{id}", put(surveys::put))
        .route("/alerts", get(surveys::list))
        .route("/alerts/{id}/ack", post(surveys::acknowledge))
        .route("/insights", get(insights::insights))
        .route("/insights/responses.csv", get(insights::csv))
        .route("/staff/events", get(reception::events))
        .route("/notices", post(notices::post))
        .route("/notices/{id}", delete(notices::clear))
        .route(
            "/appointments/import",
            post(import::import).layer(DefaultBodyLimit::max(limits::IMPORT_BYTES)),
        )
        .layer(DefaultBodyLimit::max(limits::BODY_BYTES))
        .fallback(|| async { AppError::no_endpoint() })
}
