//! Who a request comes from: a staff session, held in an HttpOnly cookie
//! (never readable by scripts, never in web storage) and ended by
//! inactivity or after a shift. Handlers ask for [`Staff`] to require one.

use crate::error::AppError;
use crate::state::AppState;
use crate::store::sessions;
use axum::{
    extract::FromRequestParts,
    http::{header, request::Parts, HeaderMap, HeaderValue},
};
use cookie::{Cookie, SameSite};
use sha2::{Digest, Sha256};

pub const COOKIE: &str = "waitwell_staff";
/// However active, a session ends after a shift.
pub const MAX_SESSION_SECONDS: i64 = 10 * 3600;

pub(crate) fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The session cookie: out of scripts' reach (HttpOnly), for the API only
/// (Path), never sent by another site's page (SameSite=Strict; ports are
/// the cross-site check's job), and over TLS only when served with TLS.
pub(crate) fn cookie(value: &str, max_age: i64, secure: bool) -> HeaderValue {
    let cookie = Cookie::build((COOKIE, value))
        .http_only(true)
        .same_site(SameSite::Strict)
        .path(waitwell_core::contract::API_PREFIX)
        .max_age(cookie::time::Duration::seconds(max_age))
        .secure(secure)
        .build();
    HeaderValue::from_str(&cookie.to_string())
        .unwrap_or_else(|_| HeaderValue::from_static("waitwell_staff=; Max-Age=0"))
}

/// The session token a request carries, if it is well formed.
pub(crate) fn session_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == COOKIE)
        .map(|c| c.value().to_owned())
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
        let Some((created_at, last_seen)) = sessions::find(&state.db, &hash).await? else {
            return Err(refuse());
        };
        if now - last_seen > idle || now - created_at > MAX_SESSION_SECONDS {
            sessions::close(&state.db, &hash).await?;
            return Err(AppError::unauthorized(
                "the staff session has ended: sign in again",
            ));
        }
        sessions::touch(&state.db, &hash, now).await?;
        Ok(Staff)
    }
}
