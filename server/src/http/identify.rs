//! `POST /identify`: find today's appointment by last name + date of birth,
//! or by appointment code. Answers masked hints only, and limits failed
//! attempts per identity and per device.

use super::extract::{ApiJson, ClientIp};
use crate::auth::Device;
use crate::error::AppError;
use crate::limits::Budget;
use crate::schedule::{self, Appointment, Arrival};
use crate::state::AppState;
use crate::store::attempts::{self, Scope};
use crate::store::{appointments, tickets};
use axum::routing::post;
use axum::Router;
use axum::{extract::State, Json};
use sha2::{Digest, Sha256};
#[allow(unused_imports)]
use waitwell_core::contract::ApiError;
use waitwell_core::contract::ErrorCode;
use waitwell_core::contract::{limits, IdentifyRequest, IdentifyResponse};
use waitwell_core::names::{surname_key, surname_matches};

#[utoipa::path(post, path = "/api/v1/identify", tag = "kiosk",
    security(("device_credential" = [])),
    request_body = IdentifyRequest,
    responses(
        (status = 200, description = "Today's matching appointments in their arrival window, masked", body = IdentifyResponse),
        (status = 400, description = "Malformed input (codes: invalid_json, invalid_body, invalid_name, invalid_code)", body = ApiError),
        (status = 401, description = "Not an enrolled device (device_not_enrolled)", body = ApiError),
        (status = 403, description = "Not a check-in kiosk (wrong_device_role)", body = ApiError),
        (status = 404, description = "No appointment today with those details (code: no_match); counts as a failed attempt", body = ApiError),
        (status = 422, description = "Outside the arrival window (codes: too_early, too_late)", body = ApiError),
        (status = 429, description = "Too many failed attempts for this identity, device or address (code: locked_out), or too many requests from this address (too_many_requests); see Retry-After", body = ApiError),
    ))]
pub async fn identify(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    device: Device,
    ApiJson { value: request, .. }: ApiJson<IdentifyRequest>,
) -> Result<Json<IdentifyResponse>, AppError> {
    device.require(waitwell_core::Surface::CheckIn)?;
    state.limits.take(Budget::Write, ip)?;
    let day = state.today();
    let attempt = take_attempt(&state, ip, &device.id, &request).await?;

    let mut found = lookup(&mut *state.db.acquire().await?, &day, &request).await?;
    // The appointment may be new at the source since its last sync.
    if found.is_empty() && state.hub.schedule().refresh(&state.db, &day).await? {
        found = lookup(&mut *state.db.acquire().await?, &day, &request).await?;
    }
    if found.is_empty() {
        // The attempt stays counted.
        return Err(AppError::not_found(
            ErrorCode::NoMatch,
            "we could not find an appointment today with those details",
        ));
    }

    attempt.succeeded(&state.db).await?;

    // Only appointments in their arrival window are offered. When none is,
    // the nearest reason is given (too early beats too late).
    let mut matches = Vec::new();
    let mut refusal = None;
    for appointment in &found {
        match appointment.arrival(&state.settings, &day, state.now())? {
            Arrival::InWindow => {
                let ticket = ticket_code(&state, &day, appointment).await?;
                matches.push(appointment.hint(matches.len() + 1, ticket));
            }
            outside @ Arrival::TooEarly { .. } => refusal = Some(outside),
            Arrival::TooLate => {
                refusal = refusal.or(Some(Arrival::TooLate));
            }
        }
    }
    if matches.is_empty() {
        return Err(schedule::outside_window(
            refusal.unwrap_or(Arrival::TooLate),
            &state.settings,
        ));
    }
    Ok(Json(IdentifyResponse { matches }))
}

/// One identification attempt, counted before the lookup (per identity, a
/// keyed hash, so failure records never hold a name or a birth date; per
/// enrolled device; per address) in one write transaction; refunded by the
/// caller when it matched. Checks the identity's form first.
pub(super) async fn take_attempt(
    state: &AppState,
    ip: std::net::IpAddr,
    device: &str,
    request: &IdentifyRequest,
) -> Result<attempts::Taken, AppError> {
    let identity = match request {
        IdentifyRequest::Name {
            family_name,
            birth_date,
        } => {
            let key = surname_key(family_name);
            if key.is_empty() || family_name.chars().count() > limits::FAMILY_NAME_CHARS {
                return Err(AppError::bad_request(
                    ErrorCode::InvalidName,
                    "enter a last name of 1 to 100 letters",
                ));
            }
            format!("name\0{key}\0{birth_date}")
        }
        IdentifyRequest::Code { code } => {
            let code = schedule::normalise_code(code).ok_or_else(|| {
                AppError::bad_request(
                    ErrorCode::InvalidCode,
                    "an appointment code has 4 to 12 letters and digits",
                )
            })?;
            format!("code\0{code}")
        }
    };
    let limits = state.settings.identify;
    let scopes = [
        Scope::fixed(
            format!("identify:identity:{}", keyed_hash(&state.secret, &identity)),
            limits.per_identity,
        ),
        Scope::fixed(format!("identify:ip:{ip}"), limits.per_ip),
        Scope::fixed(format!("identify:device:{device}"), limits.per_device),
    ];
    const LOCKED: &str = "too many attempts: please see reception";
    attempts::take(
        &state.db,
        state.now().as_second(),
        &scopes,
        limits.window_seconds,
        LOCKED,
    )
    .await
}

/// Today's appointments matching what the patient typed.
pub(super) async fn lookup(
    conn: &mut sqlx::SqliteConnection,
    day: &str,
    request: &IdentifyRequest,
) -> Result<Vec<Appointment>, AppError> {
    let found = match request {
        IdentifyRequest::Name {
            family_name,
            birth_date,
        } => appointments::by_birth_date(&mut *conn, day, *birth_date)
            .await?
            .into_iter()
            .filter(|a| surname_matches(family_name, &a.family_name))
            .collect(),
        IdentifyRequest::Code { code } => match schedule::normalise_code(code) {
            Some(code) => appointments::by_code(&mut *conn, day, &code).await?,
            None => Vec::new(),
        },
    };
    Ok(found)
}

async fn ticket_code(
    state: &AppState,
    day: &str,
    appointment: &Appointment,
) -> Result<Option<String>, AppError> {
    let Some(id) = appointment.ticket_id else {
        return Ok(None);
    };
    let code = tickets::code(&mut *state.db.acquire().await?, day, id).await?;
    Ok(code.map(|c| c.to_string()))
}

pub(super) fn keyed_hash(secret: &[u8; 32], text: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(secret);
    hasher.update(text.as_bytes());
    hex::encode(&hasher.finalize()[..16])
}

/// This area's routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/identify", post(identify))
}
