//! Enrolled devices: a tablet pairs and shows a code, staff approve it at
//! reception (name, role) or revoke it; enrolled devices report their
//! health, and reception sees the list.

use super::extract::{ApiJson, ClientIp};
use crate::auth::{Device, Staff};
use crate::error::AppError;
use crate::limits::Budget;
use crate::state::AppState;
use crate::store::devices;
use axum::routing::{get, post};
use axum::Router;
use axum::{
    extract::{Path, State},
    http::StatusCode,
    Json,
};
#[allow(unused_imports)]
use waitwell_core::contract::ApiError;
use waitwell_core::contract::{AccessAction, ErrorCode};
use waitwell_core::contract::{
    DeviceStatus, Heartbeat, HeartbeatReply, ParkedDecisionRequest, ParkedOrder, ParkedWrite,
    MAX_PARKED_REPORTED,
};
use waitwell_core::device;
use waitwell_core::text::clean_text;

/// A device that has not reported for this long is shown as offline.
pub const OFFLINE_AFTER_SECONDS: i64 = 120;

#[utoipa::path(post, path = "/api/v1/devices/heartbeat", tag = "kiosk",
    security(("device_credential" = [])),
    request_body = Heartbeat,
    responses(
        (status = 200, description = "Recorded; staff decisions about the device's parked writes", body = HeartbeatReply),
        (status = 400, description = "Invalid heartbeat", body = ApiError),
        (status = 401, description = "Not an enrolled device (device_not_enrolled)", body = ApiError),
        (status = 429, description = "Too many writes from this address (too_many_requests); see Retry-After", body = ApiError),
    ))]
/// `POST /devices/heartbeat` (enrolled device): records the device's
/// health and answers with what staff decided about its parked writes.
pub async fn heartbeat(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    device: Device,
    ApiJson { value: beat, .. }: ApiJson<Heartbeat>,
) -> Result<Json<HeartbeatReply>, AppError> {
    state.limits.take(Budget::Write, ip)?;
    let last_sync = match &beat.last_sync {
        Some(t) => Some(
            t.parse::<jiff::Timestamp>()
                .map_err(|_| {
                    AppError::bad_request(
                        ErrorCode::InvalidLastSync,
                        "last_sync must be an RFC 3339 time",
                    )
                })?
                .to_string(),
        ),
        None => None,
    };
    let Some(version) = clean_text(&beat.app_version, 40) else {
        return Err(AppError::bad_request(
            ErrorCode::InvalidHeartbeat,
            "app_version is 1 to 40 characters",
        ));
    };
    let parked = checked_parked(&beat.parked)?;
    let parked_json = serde_json::to_string(&parked)
        .map_err(|e| AppError::Corrupt(format!("parked writes: {e}")))?;
    let now = state.now().as_second();
    let mut tx = crate::store::begin_write(&state.db).await?;
    let report = devices::Report {
        surface: beat.surface,
        app_version: &version,
        outbox_backlog: beat.outbox_backlog,
        outbox_parked: beat.outbox_parked,
        storage_failed: beat.storage_failed,
        last_sync: last_sync.as_deref(),
        parked_json: &parked_json,
    };
    devices::record(&mut tx, &device.id, &report, now).await?;
    let decided: Vec<ParkedOrder> = devices::decisions(&mut tx, Some(&device.id))
        .await?
        .into_iter()
        .map(|(_, order)| order)
        .collect();
    let settled = device::settle_orders(&decided, &parked, beat.storage_failed);
    for key in &settled.forget {
        devices::forget_decision(&mut tx, &device.id, key).await?;
    }
    tx.commit().await?;
    Ok(Json(HeartbeatReply {
        orders: settled.send,
    }))
}

/// The parked writes of a heartbeat, checked: bounded, no control
/// characters, real times.
fn checked_parked(parked: &[ParkedWrite]) -> Result<Vec<ParkedWrite>, AppError> {
    let invalid = || {
        AppError::bad_request(
            ErrorCode::InvalidParked,
            "at most 50 parked writes, each with a key (1 to 64 letters, digits or -), \
             an RFC 3339 created_at and a code of at most 60 characters",
        )
    };
    if parked.len() > MAX_PARKED_REPORTED {
        return Err(invalid());
    }
    parked
        .iter()
        .map(|p| {
            let key_ok = (1..=64).contains(&p.key.len())
                && p.key
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-');
            let created_at = p
                .created_at
                .parse::<jiff::Timestamp>()
                .map_err(|_| invalid())?;
            let code = if p.code.is_empty() {
                String::new()
            } else {
                clean_text(&p.code, 60).ok_or_else(invalid)?
            };
            if !key_ok {
                return Err(invalid());
            }
            Ok(ParkedWrite {
                key: p.key.clone(),
                kind: p.kind,
                created_at: created_at.to_string(),
                status: p.status,
                code,
            })
        })
        .collect()
}

/// The parked writes a device last reported, as stored.
fn stored_parked(device: &str, json: &str) -> Result<Vec<ParkedWrite>, AppError> {
    serde_json::from_str(json)
        .map_err(|e| AppError::Corrupt(format!("device {device} parked: {e}")))
}

#[utoipa::path(post, path = "/api/v1/devices/{device}/parked/{key}", tag = "staff",
    security(("staff_session" = [])),
    params(("device" = String, Path), ("key" = String, Path)),
    request_body = ParkedDecisionRequest,
    responses(
        (status = 202, description = "Recorded; the device carries it out at its next heartbeat"),
        (status = 401, description = "Not signed in", body = ApiError),
        (status = 404, description = "The device does not report such a parked write", body = ApiError),
    ))]
/// `POST /devices/{device}/parked/{key}` (staff): send a parked write again,
/// or remove it from the device because staff dealt with it another way.
pub async fn decide(
    State(state): State<AppState>,
    staff: Staff,
    Path((device, key)): Path<(String, String)>,
    ApiJson { value: body, .. }: ApiJson<ParkedDecisionRequest>,
) -> Result<StatusCode, AppError> {
    let parked = match devices::reported_parked(&state.db, &device).await? {
        Some(json) => stored_parked(&device, &json)?,
        None => Vec::new(),
    };
    if !parked.iter().any(|p| p.key == key) {
        return Err(AppError::not_found(
            ErrorCode::UnknownParkedWrite,
            "that device does not report such a parked write",
        ));
    }
    devices::decide(
        &state.db,
        &device,
        &key,
        body.decision,
        state.now().as_second(),
    )
    .await?;
    staff
        .log(
            &state,
            AccessAction::ParkedDecision,
            format!(
                "{device}: {}",
                serde_json::to_string(&body.decision)
                    .unwrap_or_default()
                    .trim_matches('"')
            ),
        )
        .await?;
    Ok(StatusCode::ACCEPTED)
}

#[utoipa::path(get, path = "/api/v1/devices", tag = "staff", security(("staff_session" = [])),
    responses(
        (status = 200, description = "Every enrolled device, with its health", body = Vec<DeviceStatus>),
        (status = 401, description = "Not signed in", body = ApiError),
    ))]
/// `GET /devices` (staff).
pub async fn list(
    State(state): State<AppState>,
    _staff: Staff,
) -> Result<Json<Vec<DeviceStatus>>, AppError> {
    let rows = devices::all(&state.db).await?;
    let now = state.now().as_second();
    let mut db = state.db.acquire().await?;
    let decided = devices::decisions(&mut db, None).await?;
    let mut devices = Vec::with_capacity(rows.len());
    for row in rows {
        let device = row.device;
        let parked = stored_parked(&device, &row.parked)?;
        let orders = decided
            .iter()
            .filter(|(d, _)| *d == device)
            .map(|(_, order)| order.clone())
            .collect();
        devices.push(DeviceStatus {
            name: row.name,
            role: row
                .role
                .parse()
                .map_err(|_| AppError::Corrupt(format!("device {device} role")))?,
            surface: row
                .surface
                .parse()
                .map_err(|_| AppError::Corrupt(format!("device {device} surface")))?,
            app_version: row.app_version,
            outbox_backlog: u32::try_from(row.outbox_backlog).unwrap_or(0),
            outbox_parked: u32::try_from(row.outbox_parked).unwrap_or(0),
            storage_failed: row.storage_failed,
            last_sync: row.last_sync,
            last_seen: crate::clock::rfc3339(row.last_seen),
            offline_since: (now - row.last_seen > OFFLINE_AFTER_SECONDS)
                .then(|| crate::clock::rfc3339(row.last_seen)),
            parked,
            orders,
            device,
        });
    }
    Ok(Json(devices))
}

/// This area's routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/devices/pair", post(super::enrollment::pair))
        .route("/devices/me", get(super::enrollment::me))
        .route("/devices/approve", post(super::enrollment::approve))
        .route("/devices/desk", post(super::enrollment::enroll_desk))
        .route("/devices/{device}/revoke", post(super::enrollment::revoke))
        .route("/devices/heartbeat", post(heartbeat))
        .route("/devices", get(list))
        .route("/devices/{device}/parked/{key}", post(decide))
}
