//! Who a request comes from, taken only from credentials the server issued:
//! a staff session, or an enrolled device. Both travel in HttpOnly cookies
//! (never readable by scripts, never in web storage); the server keeps only
//! their SHA-256. Handlers ask for [`Staff`] or [`Device`] to require one.

use crate::error::AppError;
use crate::settings::StaffSettings;
use crate::state::AppState;
use crate::store::sessions::{self, Session};
use crate::store::{devices, staff};
use axum::{
    extract::FromRequestParts,
    http::{header, request::Parts, HeaderMap, HeaderValue, StatusCode},
};
use cookie::{Cookie, SameSite};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use waitwell_core::contract::{AccessAction, ErrorCode, StaffRole};
use waitwell_core::Surface;

pub const COOKIE: &str = "waitwell_staff";
/// The enrolled device's credential.
pub const DEVICE_COOKIE: &str = "waitwell_device";
/// However active, a session ends after a shift.
pub const MAX_SESSION_SECONDS: i64 = 10 * 3600;
/// A device credential's cookie lasts as long as browsers allow (400
/// days); revoking it at reception is what ends it.
pub const DEVICE_COOKIE_SECONDS: i64 = 400 * 24 * 3600;
/// How long a pairing code waits for approval.
pub const PAIRING_SECONDS: i64 = 15 * 60;

pub(crate) fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A credential cookie: out of scripts' reach (HttpOnly), for the API only
/// (Path), never sent by another site's page (SameSite=Strict; ports are
/// the cross-site check's job), and over TLS only when served with TLS.
pub(crate) fn cookie(name: &'static str, value: &str, max_age: i64, secure: bool) -> HeaderValue {
    let cookie = Cookie::build((name, value))
        .http_only(true)
        .same_site(SameSite::Strict)
        .path(waitwell_core::contract::API_PREFIX)
        .max_age(cookie::time::Duration::seconds(max_age))
        .secure(secure)
        .build();
    HeaderValue::from_str(&cookie.to_string())
        .unwrap_or_else(|_| HeaderValue::from_static("waitwell=; Max-Age=0"))
}

/// The token a request carries in cookie `name`, if it is well formed
/// (64 hex digits).
pub(crate) fn cookie_token(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_owned())
        .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The staff session token a request carries, if it is well formed.
pub(crate) fn session_token(headers: &HeaderMap) -> Option<String> {
    cookie_token(headers, COOKIE)
}

/// Where a session stands now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    Active,
    /// Idle, and its owner's PIN at this enrolled desk may open it.
    Locked,
    /// Over: idle where no PIN can open it, past its shift, its account
    /// disabled, or out of PIN tries. Sign in again.
    Ended,
}

/// Where `session` stands at `now`; `desk`: the request comes from an
/// enrolled reception desk.
pub fn standing(session: &Session, now: i64, settings: &StaffSettings, desk: bool) -> Standing {
    let idle = i64::try_from(settings.idle_seconds).unwrap_or(i64::MAX);
    if session.disabled || now - session.created_at > MAX_SESSION_SECONDS {
        Standing::Ended
    } else if now - session.last_seen <= idle {
        Standing::Active
    } else if session.pin_set && desk && session.pin_failures < i64::from(settings.pin_tries) {
        Standing::Locked
    } else {
        Standing::Ended
    }
}

/// Whether the request comes from an enrolled reception desk.
pub(crate) async fn is_desk(headers: &HeaderMap, state: &AppState) -> Result<bool, AppError> {
    Ok(credential(headers, state)
        .await?
        .is_some_and(|found| found.enrolled() && found.role == Surface::Reception))
}

pub(crate) fn session_ended() -> AppError {
    AppError::unauthorized("the staff session has ended: sign in again")
}

pub(crate) fn session_locked() -> AppError {
    AppError::new(
        StatusCode::UNAUTHORIZED,
        ErrorCode::SessionLocked,
        "the screen is locked: type your PIN, or sign in again",
    )
}

/// A request from a signed-in member of staff, with an active session:
/// who they are. Each request keeps the session alive; an idle session is
/// locked (or ended where no PIN can open it), an over-long one ended.
#[derive(Debug, Clone)]
pub struct Staff {
    pub account: i64,
    pub name: String,
    pub role: StaffRole,
    /// The session's token hash (the key of `staff_sessions`), never the
    /// token itself.
    pub session: String,
}

impl Staff {
    /// Adds a line to the access log in this person's name. A failure to
    /// write it fails the request: what staff do is not done unlogged.
    pub async fn log(
        &self,
        state: &AppState,
        action: AccessAction,
        detail: impl AsRef<str>,
    ) -> Result<(), AppError> {
        staff::record(
            &state.db,
            state.now().as_second(),
            Some(self.account),
            &self.name,
            action,
            detail.as_ref(),
        )
        .await
    }

    /// Refuses anyone but a manager (403 manager_only).
    pub fn require_manager(&self) -> Result<(), AppError> {
        if self.role == StaffRole::Manager {
            Ok(())
        } else {
            Err(AppError::new(
                StatusCode::FORBIDDEN,
                ErrorCode::ManagerOnly,
                "only a manager's account may do this",
            ))
        }
    }
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = session_token(&parts.headers)
            .ok_or_else(|| AppError::unauthorized("staff sign-in needed"))?;
        let hash = token_hash(&token);
        let now = state.now().as_second();
        let session = sessions::find(&state.db, &hash)
            .await?
            .ok_or_else(|| AppError::unauthorized("staff sign-in needed"))?;
        // Whether this is a desk matters only once the session is idle.
        let settings = &state.settings.staff;
        let mut now_standing = standing(&session, now, settings, false);
        if now_standing == Standing::Ended
            && standing(&session, now, settings, true) == Standing::Locked
        {
            now_standing = standing(
                &session,
                now,
                settings,
                is_desk(&parts.headers, state).await?,
            );
        }
        match now_standing {
            Standing::Active => {
                sessions::touch(&state.db, &hash, now).await?;
                Ok(Staff {
                    account: session.account,
                    name: session.name,
                    role: session.role,
                    session: hash,
                })
            }
            Standing::Locked => Err(session_locked()),
            Standing::Ended => {
                sessions::close(&state.db, &hash).await?;
                Err(session_ended())
            }
        }
    }
}

/// A request from an enrolled device: its server-issued id and the role
/// staff gave it. Nothing the client writes in a header or body says which
/// device it is.
#[derive(Debug, Clone)]
pub struct Device {
    pub id: String,
    pub role: Surface,
}

impl Device {
    /// Refuses a device whose role does not allow `surface`'s requests
    /// (403; the rule is `Surface::allows`).
    pub fn require(&self, surface: Surface) -> Result<(), AppError> {
        if self.role.allows(surface) {
            Ok(())
        } else {
            Err(AppError::new(
                StatusCode::FORBIDDEN,
                ErrorCode::WrongDeviceRole,
                format!("this tablet is enrolled as {}", self.role.as_str()),
            ))
        }
    }
}

pub(crate) fn not_enrolled() -> AppError {
    AppError::new(
        StatusCode::UNAUTHORIZED,
        ErrorCode::DeviceNotEnrolled,
        "this tablet is not set up: ask reception",
    )
}

/// The pairing or enrollment a request's device credential names, if any.
pub(crate) async fn credential(
    headers: &HeaderMap,
    state: &AppState,
) -> Result<Option<devices::Credential>, AppError> {
    let Some(token) = cookie_token(headers, DEVICE_COOKIE) else {
        return Ok(None);
    };
    devices::by_credential(&state.db, &token_hash(&token)).await
}

impl FromRequestParts<AppState> for Device {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match credential(&parts.headers, state).await? {
            Some(found) if found.enrolled() => Ok(Device {
                id: found.device,
                role: found.role,
            }),
            _ => Err(not_enrolled()),
        }
    }
}

/// Who asks for a ticket: an enrolled check-in kiosk (appointments and
/// walk-ins), or a member of staff (walk-ins added at the desk). One
/// browser may hold both credentials (a demo machine showing the board and
/// reception): each kind of ticket takes the one it needs.
pub struct TicketMaker {
    device: Option<Device>,
    staff: Option<Staff>,
}

impl TicketMaker {
    /// The check-in kiosk asking; refused (401, or 403 for another role)
    /// otherwise.
    pub fn kiosk(&self) -> Result<&Device, AppError> {
        let device = self.device.as_ref().ok_or_else(not_enrolled)?;
        device.require(Surface::CheckIn)?;
        Ok(device)
    }

    /// Who adds a walk-in: a check-in kiosk, else staff (`None`).
    pub fn walk_in(&self) -> Result<Option<&Device>, AppError> {
        match self.kiosk() {
            Ok(device) => Ok(Some(device)),
            Err(_) if self.staff.is_some() => Ok(None),
            Err(refused) => Err(refused),
        }
    }

    /// The member of staff asking, if signed in.
    pub fn staff(&self) -> Option<&Staff> {
        self.staff.as_ref()
    }
}

impl FromRequestParts<AppState> for TicketMaker {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let device = Device::from_request_parts(parts, state).await.ok();
        let staff = match session_token(&parts.headers) {
            Some(_) => Staff::from_request_parts(parts, state).await.ok(),
            None => None,
        };
        if device.is_none() && staff.is_none() {
            return Err(not_enrolled());
        }
        Ok(TicketMaker { device, staff })
    }
}

/// Who may read the public queue: anyone when the site says the board is
/// public; else an enrolled device (any role) or a member of staff.
pub struct QueueReader;

/// The enrolled credentials that read the queue lately, so the many reads
/// of every board and ticket screen do not each look theirs up: one is
/// remembered for [`QueueReaders::LIFE`], and all are forgotten the moment
/// any credential stops working (`store::devices::credentials_ended`). For
/// reading the public queue only; everything else looks up every time.
#[derive(Default)]
pub struct QueueReaders {
    known: std::sync::Mutex<HashMap<String, (u64, jiff::Timestamp)>>,
}

impl QueueReaders {
    /// How long a credential is remembered.
    pub const LIFE: jiff::SignedDuration = jiff::SignedDuration::from_secs(1);
    /// The most remembered at once (beyond, all are forgotten).
    const MOST: usize = 4096;

    fn knows(&self, hash: &str, now: jiff::Timestamp) -> bool {
        let ended = devices::credentials_ended();
        let known = self.known.lock().unwrap_or_else(|e| e.into_inner());
        known.get(hash).is_some_and(|(epoch, at)| {
            *epoch == ended && now >= *at && now.duration_since(*at) < Self::LIFE
        })
    }

    /// `hash` was enrolled at `now`, looked up after `epoch` was read.
    fn remember(&self, hash: String, epoch: u64, now: jiff::Timestamp) {
        let mut known = self.known.lock().unwrap_or_else(|e| e.into_inner());
        if known.len() >= Self::MOST {
            known.clear();
        }
        known.insert(hash, (epoch, now));
    }
}

impl FromRequestParts<AppState> for QueueReader {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if state.settings.devices.public_queue {
            return Ok(QueueReader);
        }
        if let Some(token) = cookie_token(&parts.headers, DEVICE_COOKIE) {
            let (hash, now) = (token_hash(&token), state.now());
            if state.queue_readers.knows(&hash, now) {
                return Ok(QueueReader);
            }
            let epoch = devices::credentials_ended();
            if let Some(found) = devices::by_credential(&state.db, &hash).await? {
                if found.enrolled() {
                    state.queue_readers.remember(hash, epoch, now);
                    return Ok(QueueReader);
                }
            }
        }
        Staff::from_request_parts(parts, state)
            .await
            .map(|_| QueueReader)
            .map_err(|_| not_enrolled())
    }
}
