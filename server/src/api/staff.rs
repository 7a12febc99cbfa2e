//! Staff sign-in with a PIN: a short session in an HttpOnly cookie (never
//! readable by scripts, never in web storage), ended by inactivity, with a
//! lockout after repeated wrong PINs.

use crate::attempts::{self, Scope};
use crate::extract::{ApiJson, DeviceId};
use crate::{idempotency::hex, AppError, AppState};
use axum::{
    extract::{FromRequestParts, State},
    http::{header, request::Parts, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use sha2::{Digest, Sha256};
#[allow(unused_imports)]
use waitwell_core::contract::ApiError;
use waitwell_core::contract::{StaffSession, StaffSignIn};

pub const COOKIE: &str = "waitwell_staff";
/// However active, a session ends after a shift.
pub const MAX_SESSION_SECONDS: i64 = 10 * 3600;

fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn cookie(value: &str, max_age: i64) -> HeaderValue {
    // Path limits it to the API; SameSite=Strict keeps other sites from
    // riding on it. (Add `Secure` in front of TLS: a proxy's job here.)
    HeaderValue::from_str(&format!(
        "{COOKIE}={value}; HttpOnly; SameSite=Strict; Path=/api/v1; Max-Age={max_age}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("waitwell_staff=; Max-Age=0"))
}

#[utoipa::path(post, path = "/api/v1/staff/session", tag = "staff",
    params(("X-Waitwell-Device" = Option<String>, Header, description = "The device's id, for the wrong-PIN lockout")),
    request_body = StaffSignIn,
    responses(
        (status = 200, description = "Signed in: the session is in an HttpOnly cookie (waitwell_staff)", body = StaffSession),
        (status = 401, description = "Wrong PIN", body = ApiError),
        (status = 429, description = "Too many wrong PINs (code: locked_out); see Retry-After", body = ApiError),
    ))]
/// `POST /staff/session`: sign in.
pub async fn sign_in(
    State(state): State<AppState>,
    DeviceId(device): DeviceId,
    ApiJson { value, .. }: ApiJson<StaffSignIn>,
) -> Result<Response, AppError> {
    let rules = &state.settings.staff;
    let scopes = [Scope {
        name: format!("pin:device:{}", device.as_deref().unwrap_or("unknown")),
        allowed: rules.max_wrong_pins,
    }];
    const LOCKED: &str = "too many wrong PINs: wait, then try again";
    attempts::check(&state, &scopes, rules.lockout_seconds, LOCKED).await?;

    // Compare hashes, so the time taken says nothing about how much matched.
    let right = Sha256::digest(rules.pin.as_bytes());
    let given = Sha256::digest(value.pin.trim().as_bytes());
    if right != given {
        attempts::record_failure(&state, &scopes, rules.lockout_seconds).await?;
        return Err(AppError::unauthorized("wrong PIN"));
    }
    let token = crate::db::random_token(32).map_err(|e| AppError::Corrupt(e.to_string()))?;
    let now = state.now().as_second();
    sqlx::query("DELETE FROM staff_sessions WHERE last_seen < ?")
        .bind(now - i64::try_from(rules.idle_seconds).unwrap_or(i64::MAX))
        .execute(&state.db)
        .await?;
    sqlx::query("INSERT INTO staff_sessions (token_hash, created_at, last_seen) VALUES (?, ?, ?)")
        .bind(token_hash(&token))
        .bind(now)
        .bind(now)
        .execute(&state.db)
        .await?;
    let mut response = Json(StaffSession {
        idle_seconds: rules.idle_seconds,
    })
    .into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, cookie(&token, MAX_SESSION_SECONDS));
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
    if let Some(token) = session_token(&headers) {
        sqlx::query("DELETE FROM staff_sessions WHERE token_hash = ?")
            .bind(token_hash(&token))
            .execute(&state.db)
            .await?;
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, cookie("", 0));
    Ok(response)
}

fn session_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.to_owned())
        .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// A request from a signed-in member of staff. Each one keeps the session
/// alive; an idle or over-long session is ended and refused.
pub struct Staff;

impl FromRequestParts<AppState> for Staff {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let refuse = || AppError::unauthorized("staff sign-in needed");
        let token = session_token(&parts.headers).ok_or_else(refuse)?;
        let hash = token_hash(&token);
        let now = state.now().as_second();
        let idle = i64::try_from(state.settings.staff.idle_seconds).unwrap_or(i64::MAX);
        let found: Option<(i64, i64)> =
            sqlx::query_as("SELECT created_at, last_seen FROM staff_sessions WHERE token_hash = ?")
                .bind(&hash)
                .fetch_optional(&state.db)
                .await?;
        let Some((created_at, last_seen)) = found else {
            return Err(refuse());
        };
        if now - last_seen > idle || now - created_at > MAX_SESSION_SECONDS {
            sqlx::query("DELETE FROM staff_sessions WHERE token_hash = ?")
                .bind(&hash)
                .execute(&state.db)
                .await?;
            return Err(AppError::unauthorized(
                "the staff session has ended: sign in again",
            ));
        }
        sqlx::query("UPDATE staff_sessions SET last_seen = ? WHERE token_hash = ?")
            .bind(now)
            .bind(&hash)
            .execute(&state.db)
            .await?;
        Ok(Staff)
    }
}
