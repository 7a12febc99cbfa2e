//! `/staff/session`: a person signs in with their own account's name and
//! passphrase, sees where their session stands, unlocks an idle-locked
//! session with their PIN at an enrolled reception desk, and signs out;
//! `/staff/pin` sets that PIN, and `/staff/passphrase` changes the
//! passphrase to one the person chose. The session itself (cookie, checks) is
//! [`crate::auth`]'s.

use super::extract::{ApiJson, ClientIp};
use crate::auth::{self, Staff, Standing};
use crate::error::AppError;
use crate::limits::Budget;
use crate::secrets;
use crate::state::AppState;
use crate::store::attempts::{self, Scope};
use crate::store::sessions::{self, Session};
use crate::store::staff;
use axum::routing::{get, post, put};
use axum::Router;
use axum::{
    extract::State,
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
#[allow(unused_imports)]
use waitwell_core::contract::ApiError;
use waitwell_core::contract::{
    valid_new_passphrase, valid_pin, AccessAction, ErrorCode, SessionState, StaffPassphrase,
    StaffPin, StaffSession, StaffSignIn,
};

/// Longest name or passphrase looked at (argon2 hashes any length; a
/// megabyte passphrase is only a way to burn the server's time).
const MAX_SECRET_CHARS: usize = 256;

fn view(state: &AppState, session: &Session, now_state: SessionState, desk: bool) -> StaffSession {
    StaffSession {
        idle_seconds: state.settings.staff.idle_seconds,
        name: session.name.clone(),
        role: session.role,
        state: now_state,
        pin_set: session.pin_set,
        desk,
    }
}

#[utoipa::path(post, path = "/api/v1/staff/session", tag = "staff",
    request_body = StaffSignIn,
    responses(
        (status = 200, description = "Signed in: the session is in an HttpOnly cookie (waitwell_staff)", body = StaffSession),
        (status = 401, description = "Wrong name or passphrase, or the account is disabled (the answer does not say which)", body = ApiError),
        (status = 429, description = "Too many wrong sign-ins for this account or from this address (each further try waits twice as long), or from all together (code: locked_out); see Retry-After", body = ApiError),
    ))]
/// `POST /staff/session`: sign in.
pub async fn sign_in(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    ApiJson { value, .. }: ApiJson<StaffSignIn>,
) -> Result<Response, AppError> {
    state.limits.take(Budget::Write, ip)?;
    let rules = &state.settings.staff;
    let name = value.name.trim();
    if name.is_empty()
        || name.chars().count() > MAX_SECRET_CHARS
        || value.passphrase.chars().count() > MAX_SECRET_CHARS
    {
        return Err(AppError::unauthorized("wrong name or passphrase"));
    }
    // Keyed on what the client cannot choose (its address, everyone) and
    // on the account it tries, by a keyed hash of the name (whatever was
    // typed there stays out of the table). Counted before the check, in
    // one write transaction; refunded when right.
    let [account_scope, ip_scope] = wrong_passphrase_scopes(&state, name, ip);
    let scopes = [
        account_scope,
        ip_scope,
        Scope::fixed("sign-in:all", rules.max_wrong_sign_ins_total),
    ];
    const LOCKED: &str = "too many wrong sign-ins: wait, then try again";
    let now = state.now().as_second();
    let attempt = attempts::take(&state.db, now, &scopes, rules.lockout_seconds, LOCKED).await?;

    let account = staff::by_name(&state.db, name)
        .await?
        .filter(|a| !a.disabled);
    // An unknown or disabled account costs the same time as a known one.
    let stored = account.as_ref().map(|a| a.passphrase_hash.clone());
    let right = secrets::verify(stored, value.passphrase.trim()).await?;
    let Some(account) = account.filter(|_| right) else {
        return Err(AppError::unauthorized("wrong name or passphrase"));
    };
    attempt.succeeded(&state.db).await?;

    let token = crate::store::random_token(32).map_err(|e| AppError::Corrupt(e.to_string()))?;
    let hash = auth::token_hash(&token);
    sessions::open(
        &state.db,
        &hash,
        account.id,
        now,
        now - auth::MAX_SESSION_SECONDS,
    )
    .await?;
    let desk = auth::is_desk(&headers, &state).await?;
    staff::record(
        &state.db,
        now,
        Some(account.id),
        &account.name,
        AccessAction::SignedIn,
        if desk { "at a reception desk" } else { "" },
    )
    .await?;
    let session = sessions::find(&state.db, &hash)
        .await?
        .ok_or_else(|| AppError::Corrupt("a new session is missing".into()))?;
    let mut response = Json(view(&state, &session, SessionState::Active, desk)).into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        auth::cookie(auth::COOKIE, &token, auth::MAX_SESSION_SECONDS, state.tls),
    );
    Ok(response)
}

/// The limits a wrong passphrase counts against, whether typed to sign in
/// or to change it: the account's (by a keyed hash of its name, in any
/// case) and the address's.
fn wrong_passphrase_scopes(state: &AppState, name: &str, ip: std::net::IpAddr) -> [Scope; 2] {
    let rules = &state.settings.staff;
    let account_key = super::identify::keyed_hash(&state.secret, &name.to_lowercase());
    [
        Scope::growing(
            format!("sign-in:account:{account_key}"),
            rules.max_wrong_per_account,
        ),
        Scope::growing(format!("sign-in:ip:{ip}"), rules.max_wrong_sign_ins),
    ]
}

/// The session a request's cookie names, and where it stands (an ended
/// one is closed, and refused).
async fn current(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<(String, Session, Standing, bool), AppError> {
    let token = auth::session_token(headers)
        .ok_or_else(|| AppError::unauthorized("staff sign-in needed"))?;
    let hash = auth::token_hash(&token);
    let session = sessions::find(&state.db, &hash)
        .await?
        .ok_or_else(|| AppError::unauthorized("staff sign-in needed"))?;
    let desk = auth::is_desk(headers, state).await?;
    let standing = auth::standing(
        &session,
        state.now().as_second(),
        &state.settings.staff,
        desk,
    );
    if standing == Standing::Ended {
        sessions::close(&state.db, &hash).await?;
        return Err(auth::session_ended());
    }
    Ok((hash, session, standing, desk))
}

#[utoipa::path(get, path = "/api/v1/staff/session", tag = "staff", security(("staff_session" = [])),
    responses(
        (status = 200, description = "Signed in: active, or locked until its owner's PIN opens it at this desk", body = StaffSession),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
    ))]
/// `GET /staff/session`: who is signed in here, and whether the session
/// is active or locked. Asking counts as activity only when active.
pub async fn status(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<StaffSession>, AppError> {
    let (hash, session, standing, desk) = current(&state, &headers).await?;
    let now_state = if standing == Standing::Active {
        sessions::touch(&state.db, &hash, state.now().as_second()).await?;
        SessionState::Active
    } else {
        SessionState::Locked
    };
    Ok(Json(view(&state, &session, now_state, desk)))
}

#[utoipa::path(post, path = "/api/v1/staff/session/unlock", tag = "staff", security(("staff_session" = [])),
    request_body = StaffPin,
    responses(
        (status = 200, description = "Unlocked (the PIN is checked even when the session was not locked)", body = StaffSession),
        (status = 401, description = "Wrong PIN, still locked (session_locked); out of tries, the session ended by the last wrong PIN (locked_out); or the session is over otherwise: no PIN here, past its shift, account disabled (unauthorized)", body = ApiError),
    ))]
/// `POST /staff/session/unlock`: the session's owner types their PIN at
/// an enrolled reception desk. Each try is counted against the session
/// before it is checked; after `staff.pin_tries` wrong ones the session
/// ends and only a full sign-in helps.
pub async fn unlock(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    ApiJson { value, .. }: ApiJson<StaffPin>,
) -> Result<Json<StaffSession>, AppError> {
    state.limits.take(Budget::Write, ip)?;
    // Active or locked, the PIN is checked: a screen locked by the page
    // (`/staff/session/lock`) is locked on the server too, and nothing
    // here opens a session without its owner's PIN.
    let (hash, session, _standing, desk) = current(&state, &headers).await?;
    let tries = state.settings.staff.pin_tries;
    let now = state.now().as_second();
    let ended = |state: AppState, session: Session, hash: String| async move {
        sessions::close(&state.db, &hash).await?;
        staff::record(
            &state.db,
            now,
            Some(session.account),
            &session.name,
            AccessAction::PinLockout,
            "",
        )
        .await?;
        Err::<Json<StaffSession>, _>(AppError::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::LockedOut,
            "too many wrong PINs: sign in with your passphrase",
        ))
    };
    if !sessions::take_pin_attempt(&state.db, &hash, tries).await? {
        return ended(state, session, hash).await;
    }
    let stored = staff::by_name(&state.db, &session.name)
        .await?
        .and_then(|a| a.pin_hash);
    let pin = value.pin.trim();
    let right = valid_pin(pin) && secrets::verify(stored, pin).await?;
    if !right {
        if session.pin_failures + 1 >= i64::from(tries) {
            return ended(state, session, hash).await;
        }
        return Err(AppError::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::SessionLocked,
            "wrong PIN",
        ));
    }
    sessions::unlock(&state.db, &hash, now).await?;
    staff::record(
        &state.db,
        now,
        Some(session.account),
        &session.name,
        AccessAction::UnlockedByPin,
        "",
    )
    .await?;
    Ok(Json(view(&state, &session, SessionState::Active, desk)))
}

#[utoipa::path(post, path = "/api/v1/staff/session/lock", tag = "staff", security(("staff_session" = [])),
    responses(
        (status = 204, description = "Locked: the owner's PIN opens it at an enrolled desk; elsewhere it has ended"),
        (status = 401, description = "Not signed in (or already locked)", body = ApiError),
    ))]
/// `POST /staff/session/lock`: the page locks its screen after a while
/// without a touch (the live queue keeps requests going, so the server's
/// own idle clock may not have run out): the server locks it too, so a
/// reload does not get round the lock.
pub async fn lock(State(state): State<AppState>, staff: Staff) -> Result<StatusCode, AppError> {
    sessions::lock(&state.db, &staff.session).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/api/v1/staff/session", tag = "staff",
    responses((status = 204, description = "Signed out; the cookie is cleared")))]
/// `DELETE /staff/session`: sign out.
pub async fn sign_out(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    if let Some(token) = auth::session_token(&headers) {
        let hash = auth::token_hash(&token);
        if let Some(session) = sessions::find(&state.db, &hash).await? {
            sessions::close(&state.db, &hash).await?;
            staff::record(
                &state.db,
                state.now().as_second(),
                Some(session.account),
                &session.name,
                AccessAction::SignedOut,
                "",
            )
            .await?;
        }
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        auth::cookie(auth::COOKIE, "", 0, state.tls),
    );
    Ok(response)
}

#[utoipa::path(put, path = "/api/v1/staff/pin", tag = "staff", security(("staff_session" = [])),
    request_body = StaffPin,
    responses(
        (status = 204, description = "The PIN is set: it may unlock this person's idle-locked session at an enrolled reception desk"),
        (status = 400, description = "Not 4 to 8 digits (invalid_pin)", body = ApiError),
        (status = 401, description = "Not signed in", body = ApiError),
    ))]
/// `PUT /staff/pin`: sets the signed-in person's own PIN.
pub async fn set_pin(
    State(state): State<AppState>,
    staff: Staff,
    ApiJson { value, .. }: ApiJson<StaffPin>,
) -> Result<StatusCode, AppError> {
    let pin = value.pin.trim();
    if !valid_pin(pin) {
        return Err(AppError::bad_request(
            ErrorCode::InvalidPin,
            "a PIN is 4 to 8 digits",
        ));
    }
    let hash = secrets::hash(pin).await?;
    staff::set_pin(&state.db, staff.account, &hash).await?;
    staff.log(&state, AccessAction::PinSet, "").await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(put, path = "/api/v1/staff/passphrase", tag = "staff", security(("staff_session" = [])),
    request_body = StaffPassphrase,
    responses(
        (status = 204, description = "Changed: the new passphrase signs in from now on; the account's other sessions have ended, this one goes on"),
        (status = 400, description = "The new passphrase is not 12 to 256 characters, or is the current one (invalid_passphrase)", body = ApiError),
        (status = 401, description = "Not signed in", body = ApiError),
        (status = 403, description = "The current passphrase is wrong (wrong_passphrase): counted as a wrong sign-in for this account and address", body = ApiError),
        (status = 429, description = "Too many wrong passphrases for this account or from this address (locked_out); see Retry-After", body = ApiError),
    ))]
/// `PUT /staff/passphrase`: the signed-in person replaces their passphrase
/// with one of their own, proving it is them with the current one. A wrong
/// current passphrase counts against the same limits as a wrong sign-in,
/// so this is no way round them.
pub async fn change_passphrase(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    staff: Staff,
    ApiJson { value, .. }: ApiJson<StaffPassphrase>,
) -> Result<StatusCode, AppError> {
    state.limits.take(Budget::Write, ip)?;
    if !valid_new_passphrase(&value.current, &value.new) {
        return Err(AppError::bad_request(
            ErrorCode::InvalidPassphrase,
            "a new passphrase is 12 to 256 characters, and not the current one",
        ));
    }
    let now = state.now().as_second();
    const LOCKED: &str = "too many wrong passphrases: wait, then try again";
    let scopes = wrong_passphrase_scopes(&state, &staff.name, ip);
    let attempt = attempts::take(
        &state.db,
        now,
        &scopes,
        state.settings.staff.lockout_seconds,
        LOCKED,
    )
    .await?;
    let (current, new) = (value.current.trim(), value.new.trim());
    let stored = staff::by_name(&state.db, &staff.name)
        .await?
        .filter(|a| a.id == staff.account && !a.disabled)
        .map(|a| a.passphrase_hash);
    if current.chars().count() > MAX_SECRET_CHARS || !secrets::verify(stored, current).await? {
        return Err(AppError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::WrongPassphrase,
            "the current passphrase is wrong",
        ));
    }
    attempt.succeeded(&state.db).await?;
    let hash = secrets::hash(new).await?;
    staff::change_passphrase(&state.db, staff.account, &hash, &staff.session).await?;
    staff
        .log(&state, AccessAction::PassphraseChanged, "")
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// This area's routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/staff/session", get(status).post(sign_in).delete(sign_out))
        .route("/staff/session/unlock", post(unlock))
        .route("/staff/session/lock", post(lock))
        .route("/staff/pin", put(set_pin))
        .route("/staff/passphrase", put(change_passphrase))
}
