//! `/staff/session`: staff sign-in with a PIN, its state, and sign-out. The
//! session itself (cookie, checks) is [`crate::auth`]'s; this is the HTTP
//! face, with a lockout after repeated wrong PINs.

use super::extract::{ApiJson, ClientIp};
use crate::auth::{self, Staff};
use crate::error::AppError;
use crate::state::AppState;
use crate::store::attempts::{self, Scope};
use crate::store::sessions;
use axum::routing::get;
use axum::Router;
use axum::{
    extract::State,
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
#[allow(unused_imports)]
use waitwell_core::contract::ApiError;
use waitwell_core::contract::{StaffSession, StaffSignIn};

#[utoipa::path(post, path = "/api/v1/staff/session", tag = "staff",
    request_body = StaffSignIn,
    responses(
        (status = 200, description = "Signed in: the session is in an HttpOnly cookie (waitwell_staff)", body = StaffSession),
        (status = 401, description = "Wrong PIN", body = ApiError),
        (status = 429, description = "Too many wrong PINs from this address, or from all together (code: locked_out); see Retry-After", body = ApiError),
    ))]
/// `POST /staff/session`: sign in.
pub async fn sign_in(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson { value, .. }: ApiJson<StaffSignIn>,
) -> Result<Response, AppError> {
    let rules = &state.settings.staff;
    // Keyed on what the client cannot choose: its address, and everyone.
    let scopes = [
        Scope {
            name: format!("pin:ip:{ip}"),
            allowed: rules.max_wrong_pins,
        },
        Scope {
            name: "pin:all".into(),
            allowed: rules.max_wrong_pins_total,
        },
    ];
    const LOCKED: &str = "too many wrong PINs: wait, then try again";
    let attempt = attempts::take(
        &state.db,
        state.now().as_second(),
        &scopes,
        rules.lockout_seconds,
        LOCKED,
    )
    .await?;

    // Compare hashes in constant time: the time taken says nothing about
    // how much matched.
    let right = Sha256::digest(rules.pin.as_bytes());
    let given = Sha256::digest(value.pin.trim().as_bytes());
    if !bool::from(right.as_slice().ct_eq(given.as_slice())) {
        return Err(AppError::unauthorized("wrong PIN"));
    }
    attempt.succeeded(&state.db).await?;
    let token = crate::store::random_token(32).map_err(|e| AppError::Corrupt(e.to_string()))?;
    let now = state.now().as_second();
    let idle = i64::try_from(rules.idle_seconds).unwrap_or(i64::MAX);
    sessions::open(
        &state.db,
        &auth::token_hash(&token),
        now,
        now.saturating_sub(idle),
    )
    .await?;
    let mut response = Json(StaffSession {
        idle_seconds: rules.idle_seconds,
    })
    .into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        auth::cookie(auth::COOKIE, &token, auth::MAX_SESSION_SECONDS, state.tls),
    );
    Ok(response)
}

#[utoipa::path(get, path = "/api/v1/staff/session", tag = "staff", security(("staff_session" = [])),
    responses(
        (status = 200, description = "Signed in", body = StaffSession),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
    ))]
/// `GET /staff/session`: whether this browser is signed in.
pub async fn status(State(state): State<AppState>, _staff: Staff) -> Json<StaffSession> {
    Json(StaffSession {
        idle_seconds: state.settings.staff.idle_seconds,
    })
}

#[utoipa::path(delete, path = "/api/v1/staff/session", tag = "staff",
    responses((status = 204, description = "Signed out; the cookie is cleared")))]
/// `DELETE /staff/session`: sign out.
pub async fn sign_out(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    if let Some(token) = auth::session_token(&headers) {
        sessions::close(&state.db, &auth::token_hash(&token)).await?;
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        auth::cookie(auth::COOKIE, "", 0, state.tls),
    );
    Ok(response)
}

/// This area's routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/staff/session", get(status).post(sign_in).delete(sign_out))
}
