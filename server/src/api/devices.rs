//! Device heartbeats (from every kiosk and screen) and the health list
//! reception sees.

use super::clean_text;
use super::staff::Staff;
use crate::extract::ApiJson;
use crate::{AppError, AppState};
use axum::{extract::State, http::StatusCode, Json};
#[allow(unused_imports)]
use waitwell_core::contract::ApiError;
use waitwell_core::contract::{DeviceStatus, Heartbeat};

/// A device that has not reported for this long is shown as offline.
pub const OFFLINE_AFTER_SECONDS: i64 = 120;

#[utoipa::path(post, path = "/api/v1/devices/heartbeat", tag = "kiosk",
    request_body = Heartbeat,
    responses(
        (status = 204, description = "Recorded"),
        (status = 400, description = "Invalid heartbeat", body = ApiError),
    ))]
/// `POST /devices/heartbeat`.
pub async fn heartbeat(
    State(state): State<AppState>,
    ApiJson { value: beat, .. }: ApiJson<Heartbeat>,
) -> Result<StatusCode, AppError> {
    let device_ok = (1..=64).contains(&beat.device.len())
        && beat
            .device
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    let version = clean_text(&beat.app_version, 40);
    let last_sync = match &beat.last_sync {
        Some(t) => Some(
            t.parse::<jiff::Timestamp>()
                .map_err(|_| {
                    AppError::bad_request("invalid_last_sync", "last_sync must be an RFC 3339 time")
                })?
                .to_string(),
        ),
        None => None,
    };
    let (true, Some(version)) = (device_ok, version) else {
        return Err(AppError::bad_request(
            "invalid_heartbeat",
            "device is 1 to 64 letters, digits, - or _; app_version 1 to 40 characters",
        ));
    };
    sqlx::query(
        "INSERT INTO devices (device, surface, app_version, outbox_backlog, outbox_parked,
            storage_failed, last_sync, last_seen)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (device) DO UPDATE SET surface = excluded.surface,
            app_version = excluded.app_version, outbox_backlog = excluded.outbox_backlog,
            outbox_parked = excluded.outbox_parked, storage_failed = excluded.storage_failed,
            last_sync = excluded.last_sync, last_seen = excluded.last_seen",
    )
    .bind(&beat.device)
    .bind(beat.surface.as_str())
    .bind(version)
    .bind(i64::from(beat.outbox_backlog))
    .bind(i64::from(beat.outbox_parked))
    .bind(beat.storage_failed)
    .bind(last_sync)
    .bind(state.now().as_second())
    .execute(&state.db)
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/devices", tag = "staff", security(("staff_session" = [])),
    responses(
        (status = 200, description = "Every device that reported in, with its health", body = Vec<DeviceStatus>),
        (status = 401, description = "Not signed in", body = ApiError),
    ))]
/// `GET /devices` (staff).
pub async fn list(
    State(state): State<AppState>,
    _staff: Staff,
) -> Result<Json<Vec<DeviceStatus>>, AppError> {
    type Row = (String, String, String, i64, i64, bool, Option<String>, i64);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT device, surface, app_version, outbox_backlog, outbox_parked, storage_failed,
            last_sync, last_seen FROM devices ORDER BY device",
    )
    .fetch_all(&state.db)
    .await?;
    let now = state.now().as_second();
    rows.into_iter()
        .map(
            |(
                device,
                surface,
                app_version,
                backlog,
                parked,
                storage_failed,
                last_sync,
                last_seen,
            )| {
                Ok(DeviceStatus {
                    surface: surface
                        .parse()
                        .map_err(|_| AppError::Corrupt(format!("device {device} surface")))?,
                    device,
                    app_version,
                    outbox_backlog: u32::try_from(backlog).unwrap_or(0),
                    outbox_parked: u32::try_from(parked).unwrap_or(0),
                    storage_failed,
                    last_sync,
                    last_seen: super::rfc3339(last_seen),
                    offline_since: (now - last_seen > OFFLINE_AFTER_SECONDS)
                        .then(|| super::rfc3339(last_seen)),
                })
            },
        )
        .collect::<Result<Vec<_>, AppError>>()
        .map(Json)
}
