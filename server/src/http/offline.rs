//! `GET /offline-index`: today's appointments as a kiosk may keep them for
//! identifying patients while it cannot reach this server. Salted hashes of
//! (surname key, birth date) and of the code stand in for the patient's
//! details; beside them only the masked hint a kiosk shows anyway.

use crate::auth::Device;
use crate::error::AppError;
use crate::state::AppState;
use crate::store::appointments;
use axum::routing::get;
use axum::Router;
use axum::{extract::State, http::header, response::IntoResponse, Json};
use sha2::{Digest, Sha256};
use waitwell_core::contract::OfflineIndex;
use waitwell_core::date::Date;
use waitwell_core::offline::index_entry;

#[utoipa::path(get, path = "/api/v1/offline-index", tag = "kiosk",
    security(("device_credential" = [])),
    responses(
        (status = 200, description = "Today's appointments as salted hashes with masked hints, for offline check-in", body = OfflineIndex),
        (status = 401, description = "Not an enrolled device (device_not_enrolled)", body = waitwell_core::contract::ApiError),
        (status = 403, description = "Not a check-in kiosk (wrong_device_role)", body = waitwell_core::contract::ApiError),
    ))]
/// `GET /offline-index`: for enrolled check-in kiosks only.
pub async fn offline_index(
    State(state): State<AppState>,
    device: Device,
) -> Result<impl IntoResponse, AppError> {
    device.require(waitwell_core::Surface::CheckIn)?;
    let day = state.today();
    let salt = day_salt(&state.secret, &day);
    let rows = appointments::for_index(&mut *state.db.acquire().await?, &day).await?;
    let mut appointments = Vec::with_capacity(rows.len());
    for (n, row) in rows.into_iter().enumerate() {
        let birth_date: Date = row.birth_date.parse().map_err(|_| {
            AppError::Corrupt(format!("appointment {} birth date", row.appointment.id))
        })?;
        // Whether it is checked in already is left out: the index is a
        // fallback, and the server answers that when the entry arrives.
        let hint = row.appointment.hint(n + 1, None);
        appointments.push(index_entry(
            &salt,
            &row.appointment.family_name,
            birth_date,
            &row.code,
            hint,
        ));
    }
    let index = OfflineIndex {
        day,
        salt,
        appointments,
    };
    // Personal data in hashed form: no cache but the kiosk's own store.
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(index)))
}

/// One salt per installation and day, so an index is worthless against
/// another day's or another clinic's.
fn day_salt(secret: &[u8; 32], day: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(secret);
    hasher.update(b"\0offline-index\0");
    hasher.update(day.as_bytes());
    hex::encode(&hasher.finalize()[..16])
}

/// This area's routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/offline-index", get(offline_index))
}
