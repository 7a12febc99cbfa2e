//! Enrolling a tablet: it pairs (gets its credential in an HttpOnly cookie
//! and a short code to show), a member of staff approves the code at
//! reception with a name and a role, and reception can revoke it.

use super::extract::{ApiJson, ClientIp};
use crate::auth::{self, Staff, DEVICE_COOKIE, DEVICE_COOKIE_SECONDS, PAIRING_SECONDS};
use crate::error::AppError;
use crate::limits::Budget;
use crate::state::AppState;
use crate::store::devices::{self, Credential, NewPairing};
use axum::{
    extract::{Path, State},
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
#[allow(unused_imports)]
use waitwell_core::contract::ApiError;
use waitwell_core::contract::{
    normalise_pairing_code, AccessAction, ApproveDevice, Enrollment, EnrollmentStatus, ErrorCode,
    PairRequest, DEVICE_NAME_CHARS, PAIRING_ALPHABET, PAIRING_CODE_CHARS,
};
use waitwell_core::text::clean_text;
use waitwell_core::Surface;

fn invalid_role() -> AppError {
    AppError::bad_request(
        ErrorCode::InvalidDeviceRole,
        "a tablet is enrolled for check-in, board, survey or reception",
    )
}

/// How a pairing looks to its tablet; `None` when its code has expired.
fn enrollment_of(found: &Credential, now: i64) -> Option<Enrollment> {
    match &found.pairing_code {
        None => Some(Enrollment {
            status: EnrollmentStatus::Enrolled,
            pairing_code: None,
            expires_at: None,
            name: found.name.clone(),
            role: Some(found.role),
        }),
        Some(code) => {
            let expires = found.paired_at.saturating_add(PAIRING_SECONDS);
            (expires > now).then(|| Enrollment {
                status: EnrollmentStatus::Pending,
                pairing_code: Some(code.clone()),
                expires_at: Some(crate::clock::rfc3339(expires)),
                name: None,
                role: Some(found.role),
            })
        }
    }
}

/// A fresh pairing code: uniform over [`PAIRING_ALPHABET`].
fn pairing_code() -> Result<String, AppError> {
    let n = PAIRING_ALPHABET.len();
    // The largest multiple of the alphabet's size that fits a byte: bytes
    // above it are skipped so every character is equally likely.
    let limit = 256 - 256 % n;
    let mut code = String::with_capacity(PAIRING_CODE_CHARS);
    while code.len() < PAIRING_CODE_CHARS {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes).map_err(|e| AppError::Corrupt(e.to_string()))?;
        for b in bytes.map(usize::from).into_iter().filter(|b| *b < limit) {
            if code.len() < PAIRING_CODE_CHARS {
                code.push(char::from(PAIRING_ALPHABET[b % n]));
            }
        }
    }
    Ok(code)
}

fn random(bytes: usize) -> Result<String, AppError> {
    crate::store::random_token(bytes).map_err(|e| AppError::Corrupt(e.to_string()))
}

#[utoipa::path(post, path = "/api/v1/devices/pair", tag = "kiosk",
    request_body = PairRequest,
    responses(
        (status = 200, description = "Paired: the credential is in an HttpOnly cookie; show the code until staff approve it (or enrolled at once with --demo)", body = Enrollment),
        (status = 400, description = "Not a tablet role (invalid_device_role)", body = ApiError),
        (status = 409, description = "Reception's list of devices is full (too_many_devices)", body = ApiError),
        (status = 429, description = "Too many tablets waiting for approval, or too many requests from this address; see Retry-After", body = ApiError),
    ))]
/// `POST /devices/pair`: a tablet asks to be enrolled. A tablet already
/// paired (its code still valid) or enrolled for that role gets its
/// standing back instead of a second pairing; one enrolled for another
/// role is being set up anew: its old enrollment ends.
pub async fn pair(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    ApiJson { value, .. }: ApiJson<PairRequest>,
) -> Result<Response, AppError> {
    state.limits.take(Budget::Write, ip)?;
    if !value.role.is_device_role() {
        return Err(invalid_role());
    }
    let now = state.now().as_second();
    if let Some(found) = auth::credential(&headers, &state).await? {
        match enrollment_of(&found, now) {
            Some(standing) if found.role == value.role => return Ok(Json(standing).into_response()),
            _ => {
                devices::revoke(&state.db, &found.device).await?;
            }
        }
    }
    let rules = state.settings.devices;
    let mut tx = crate::store::begin_write(&state.db).await?;
    devices::forget_stale_pairings(&mut tx, now - PAIRING_SECONDS).await?;
    let (enrolled, pending) = devices::count(&mut tx).await?;
    let from = ip.to_string();
    if pending >= rules.max_pending
        || devices::pending_from(&mut tx, &from).await? >= rules.max_pending_per_address
    {
        return Err(AppError::locked_out(
            ErrorCode::TooManyRequests,
            "too many tablets are waiting for approval: approve them at reception first",
            60,
        ));
    }
    if enrolled.saturating_add(pending) >= state.settings.limits.max_devices {
        return Err(AppError::conflict(
            ErrorCode::TooManyDevices,
            "too many devices are enrolled: revoke old ones at reception",
        ));
    }
    let (code, credential) = start_pairing(&mut tx, value.role, &from, now).await?;
    let mut standing = Enrollment {
        status: EnrollmentStatus::Pending,
        pairing_code: Some(code.clone()),
        expires_at: Some(crate::clock::rfc3339(now + PAIRING_SECONDS)),
        name: None,
        role: Some(value.role),
    };
    if rules.approve_at_once {
        let name = format!("Tablet {code}");
        devices::approve(&mut tx, &code, &name, value.role, now, now).await?;
        standing = Enrollment {
            status: EnrollmentStatus::Enrolled,
            pairing_code: None,
            expires_at: None,
            name: Some(name),
            role: Some(value.role),
        };
    }
    tx.commit().await?;
    let mut response = Json(standing).into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        auth::cookie(DEVICE_COOKIE, &credential, DEVICE_COOKIE_SECONDS, state.tls),
    );
    Ok(response)
}

/// Records a new pairing for `role` from address `from`: its code and the
/// credential for the tablet's cookie.
async fn start_pairing(
    tx: &mut sqlx::SqliteConnection,
    role: Surface,
    from: &str,
    now: i64,
) -> Result<(String, String), AppError> {
    let mut code = pairing_code()?;
    while devices::code_taken(tx, &code).await? {
        code = pairing_code()?;
    }
    let device = format!("d-{}", random(8)?);
    let credential = random(32)?;
    let pairing = NewPairing {
        device: &device,
        credential_hash: &auth::token_hash(&credential),
        role,
        code: &code,
        from,
    };
    devices::pair(tx, &pairing, now).await?;
    Ok((code, credential))
}

#[utoipa::path(post, path = "/api/v1/devices/desk", tag = "staff",
    security(("staff_session" = [])),
    responses(
        (status = 200, description = "This browser is now an enrolled reception desk (its credential in an HttpOnly cookie): here, a person's PIN may unlock their idle-locked session", body = Enrollment),
        (status = 401, description = "Not signed in", body = ApiError),
        (status = 409, description = "Reception's list of devices is full (too_many_devices)", body = ApiError),
    ))]
/// `POST /devices/desk` (staff): enrolls the browser a signed-in person
/// uses as a reception desk, in one step (they are the approval). Any
/// other enrollment this browser held ends.
pub async fn enroll_desk(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    staff: Staff,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let now = state.now().as_second();
    if let Some(found) = auth::credential(&headers, &state).await? {
        devices::revoke(&state.db, &found.device).await?;
    }
    let mut tx = crate::store::begin_write(&state.db).await?;
    let (enrolled, pending) = devices::count(&mut tx).await?;
    if enrolled.saturating_add(pending) >= state.settings.limits.max_devices {
        return Err(AppError::conflict(
            ErrorCode::TooManyDevices,
            "too many devices are enrolled: revoke old ones at reception",
        ));
    }
    let (code, credential) =
        start_pairing(&mut tx, Surface::Reception, &ip.to_string(), now).await?;
    let name = format!("Reception desk {code}");
    devices::approve(&mut tx, &code, &name, Surface::Reception, now, now).await?;
    tx.commit().await?;
    staff.log(&state, AccessAction::DeskEnrolled, &name).await?;
    let mut response = Json(Enrollment {
        status: EnrollmentStatus::Enrolled,
        pairing_code: None,
        expires_at: None,
        name: Some(name),
        role: Some(Surface::Reception),
    })
    .into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        auth::cookie(DEVICE_COOKIE, &credential, DEVICE_COOKIE_SECONDS, state.tls),
    );
    Ok(response)
}

#[utoipa::path(get, path = "/api/v1/devices/me", tag = "kiosk",
    security(("device_credential" = [])),
    responses(
        (status = 200, description = "This tablet's pairing or enrollment: not_enrolled when it never paired, its code expired, or it was revoked", body = Enrollment),
    ))]
/// `GET /devices/me`: where this tablet's enrollment stands (a question
/// about itself, answered 200 whatever the answer).
pub async fn me(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<Enrollment>, AppError> {
    let now = state.now().as_second();
    let standing = auth::credential(&headers, &state)
        .await?
        .and_then(|found| enrollment_of(&found, now))
        .unwrap_or_else(Enrollment::not_enrolled);
    Ok(Json(standing))
}

#[utoipa::path(post, path = "/api/v1/devices/approve", tag = "staff",
    security(("staff_session" = [])),
    request_body = ApproveDevice,
    responses(
        (status = 204, description = "Enrolled: the tablet goes on at its next check"),
        (status = 400, description = "Invalid name (invalid_device_name) or role (invalid_device_role)", body = ApiError),
        (status = 401, description = "Not signed in", body = ApiError),
        (status = 404, description = "No tablet waits with that code (unknown_pairing_code)", body = ApiError),
    ))]
/// `POST /devices/approve` (staff): enrolls the tablet showing `code`.
pub async fn approve(
    State(state): State<AppState>,
    staff: Staff,
    ApiJson { value, .. }: ApiJson<ApproveDevice>,
) -> Result<StatusCode, AppError> {
    let unknown = || {
        AppError::not_found(
            ErrorCode::UnknownPairingCode,
            "no tablet is waiting with that code: check it, or pair the tablet again",
        )
    };
    let code = normalise_pairing_code(&value.pairing_code).ok_or_else(unknown)?;
    let name = clean_text(&value.name, DEVICE_NAME_CHARS).ok_or_else(|| {
        AppError::bad_request(
            ErrorCode::InvalidDeviceName,
            "name the tablet: 1 to 40 characters",
        )
    })?;
    if !value.role.is_device_role() {
        return Err(invalid_role());
    }
    let now = state.now().as_second();
    let mut tx = crate::store::begin_write(&state.db).await?;
    let approved = devices::approve(
        &mut tx,
        &code,
        &name,
        value.role,
        now - PAIRING_SECONDS,
        now,
    )
    .await?;
    tx.commit().await?;
    approved.ok_or_else(unknown)?;
    staff
        .log(
            &state,
            AccessAction::DeviceApproved,
            format!("{name} ({})", value.role.as_str()),
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/devices/{device}/revoke", tag = "staff",
    security(("staff_session" = [])),
    params(("device" = String, Path)),
    responses(
        (status = 204, description = "Revoked: the tablet's next request is refused, and it returns to pairing"),
        (status = 401, description = "Not signed in", body = ApiError),
        (status = 404, description = "No such device (unknown_device)", body = ApiError),
    ))]
/// `POST /devices/{device}/revoke` (staff).
pub async fn revoke(
    State(state): State<AppState>,
    staff: Staff,
    Path(device): Path<String>,
) -> Result<StatusCode, AppError> {
    if devices::revoke(&state.db, &device).await? {
        staff
            .log(&state, AccessAction::DeviceRevoked, &device)
            .await?;
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AppError::not_found(
            ErrorCode::UnknownDevice,
            "no such device",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairing_codes_use_the_alphabet_and_vary() {
        let codes: Vec<String> = (0..50).map(|_| pairing_code().unwrap()).collect();
        for code in &codes {
            assert_eq!(normalise_pairing_code(code).as_deref(), Some(code.as_str()));
        }
        let distinct: std::collections::HashSet<_> = codes.iter().collect();
        assert!(distinct.len() > 45, "{codes:?}");
    }
}
