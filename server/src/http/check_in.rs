//! `POST /check-ins`: an identified appointment or a walk-in becomes a
//! ticket. Idempotent: the key and the ticket are committed together, and a
//! retry replays the first answer instead of making a second ticket.

use super::extract::{ApiJson, ClientIp, IdempotencyKey};
use crate::auth::TicketMaker;
use crate::error::AppError;
use crate::hub::Change;
use crate::limits::Budget;
use crate::schedule::{self, Arrival};
use crate::state::AppState;
use crate::store::tickets::{self, Holder, NewTicket};
use crate::store::{idempotency, leases};
use axum::routing::post;
use axum::Router;
use axum::{
    extract::State,
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use waitwell_core::contract::ApiError;
use waitwell_core::contract::ErrorCode;
use waitwell_core::contract::{limits, CheckInRequest, CheckInResponse, Needs};
use waitwell_core::queue::{Action, TicketCode, TicketId};
use waitwell_core::text::clean_text;
use waitwell_core::wait::Estimate;
use waitwell_core::walk_in;

#[utoipa::path(post, path = "/api/v1/check-ins", tag = "kiosk",
    params(("Idempotency-Key" = String, Header, description = "A UUID made by the client; the same for every retry of one check-in")),
    security(("device_credential" = []), ("staff_session" = [])),
    request_body = CheckInRequest,
    responses(
        (status = 201, description = "A new ticket (or the stored answer replayed for a repeated key, with Idempotent-Replay: true)", body = CheckInResponse),
        (status = 200, description = "Already checked in: the existing ticket", body = CheckInResponse),
        (status = 400, description = "Missing or invalid Idempotency-Key, or invalid input", body = ApiError),
        (status = 401, description = "Neither an enrolled device (device_not_enrolled) nor staff (unauthorized, for a stale session)", body = ApiError),
        (status = 403, description = "Not a check-in kiosk (wrong_device_role)", body = ApiError),
        (status = 404, description = "No such appointment today (code: unknown_appointment)", body = ApiError),
        (status = 409, description = "A request with this key is being processed (idempotency_key_in_flight), or the line is full", body = ApiError),
        (status = 422, description = "The key was used for a different request (idempotency_key_reused), or outside the arrival window", body = ApiError),
        (status = 429, description = "Too many writes or walk-ins from this address (too_many_requests); see Retry-After", body = ApiError),
    ))]
pub async fn check_in(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    maker: TicketMaker,
    IdempotencyKey(key): IdempotencyKey,
    headers: HeaderMap,
    ApiJson {
        value: request,
        raw,
    }: ApiJson<CheckInRequest>,
) -> Result<Response, AppError> {
    let device = match &request {
        CheckInRequest::Appointment { .. } => Some(maker.kiosk()?),
        CheckInRequest::WalkIn { .. } => maker.walk_in()?,
    }
    .map(|device| device.id.as_str());
    state.limits.take(Budget::Write, ip)?;
    // The maker is part of the request: the same key and body from another
    // device is a different request (422), so a replay answers the ticket
    // only to the device that made it.
    let endpoint = format!("POST /check-ins\0{}", device.unwrap_or("staff"));
    let hash = idempotency::request_hash(&endpoint, &raw);
    // An appointment is found again from what the patient typed: it counts
    // as an identification attempt, refunded once it matched.
    let attempt = match (&request, device) {
        (CheckInRequest::Appointment { identity, .. }, Some(device)) => {
            Some(super::identify::take_attempt(&state, ip, device, identity).await?)
        }
        (CheckInRequest::Appointment { .. }, None) => return Err(crate::auth::not_enrolled()),
        (CheckInRequest::WalkIn { .. }, _) => None,
    };

    let mut matched = false;
    let asked = Asked {
        ip,
        key: &key,
        hash: &hash,
        device,
        headers: &headers,
    };
    let answer = make_ticket(&state, asked, request, &mut matched).await;
    // Refunded once the identity matched (a ticket, the existing one, a
    // replay, or an arrival outside its window), after the queue's write
    // transaction is over.
    if let (true, Some(attempt)) = (matched, attempt) {
        attempt.succeeded(&state.db).await?;
    }
    if let (None, Some(staff), Ok(made)) = (device, maker.staff(), &answer) {
        if made.status() == StatusCode::CREATED {
            staff
                .log(
                    &state,
                    waitwell_core::contract::AccessAction::WalkInAdded,
                    "",
                )
                .await?;
        }
    }
    answer
}

/// Who asked for a check-in, and how.
struct Asked<'a> {
    ip: std::net::IpAddr,
    /// The idempotency key, and the request's hash.
    key: &'a str,
    hash: &'a str,
    /// The kiosk asking (`None` for staff).
    device: Option<&'a str>,
    headers: &'a HeaderMap,
}

/// The ticket for `request` (or the stored answer to the key); `matched`
/// says whether an appointment's identity matched.
async fn make_ticket(
    state: &AppState,
    asked: Asked<'_>,
    request: CheckInRequest,
    matched: &mut bool,
) -> Result<Response, AppError> {
    let Asked {
        ip,
        key,
        hash,
        device,
        headers,
    } = asked;
    let now = state.now().as_second();
    let day = state.today();
    // One writer at a time: a concurrent retry with the same key waits here
    // and then finds the first one's stored answer (in the same batch, or
    // on disk).
    let mut change = state.hub.begin(&state.db, &state.settings, &day).await?;
    if let Some(stored) = idempotency::find(change.tx(), key, hash).await? {
        *matched = true;
        // The first answer may be in the batch still: replayed once it is
        // on disk.
        change.commit().await?;
        return Ok(stored.into_response());
    }

    let leased = request.leased().map(str::to_owned);
    let (line, new_ticket) = match request {
        CheckInRequest::Appointment {
            identity,
            time,
            clinician,
            needs,
            arrived_at,
            ..
        } => {
            validate_needs(&needs)?;
            let found = super::identify::lookup(change.tx(), &day, &identity)
                .await?
                .into_iter()
                .find(|a| a.starts_at == time && a.clinician == clinician)
                .ok_or_else(|| {
                    AppError::not_found(
                        ErrorCode::UnknownAppointment,
                        "no appointment today with those details at that time",
                    )
                })?;
            *matched = true;
            if let Some(ticket) = found.ticket_id {
                // Checked in already (another tablet, or before a reload):
                // the same ticket again, never a second one.
                let ticket = TicketId::try_from(ticket)
                    .map_err(|_| AppError::Corrupt("ticket id".into()))?;
                let body = ticket_body(state, &mut change, ticket).await?;
                change.commit().await?;
                return Ok(json(StatusCode::OK, body));
            }
            match found.arrival_at(&state.settings, &day, arrival_time(state, arrived_at))? {
                Arrival::InWindow => {}
                outside => return Err(schedule::outside_window(outside, &state.settings)),
            }
            let line = tickets::parse_line(&found.line_id)
                .filter(|l| state.settings.line(*l).is_some())
                .ok_or_else(|| AppError::Corrupt(format!("appointment {} line", found.id)))?;
            (
                line,
                NewTicket {
                    holder: Holder::Appointment(found.id),
                    needs,
                },
            )
        }
        CheckInRequest::WalkIn {
            first_name,
            last_initial,
            reason,
            needs,
            ..
        } => {
            validate_needs(&needs)?;
            let walk_in = walk_in::check(
                &first_name,
                &last_initial,
                &reason,
                &state.settings.site.walk_in_reasons,
            )
            .map_err(|e| AppError::bad_request(e.code(), e.to_string()))?;
            // (A replay above costs no walk-in: only a new ticket does.)
            state.limits.take(Budget::WalkIn, ip)?;
            (
                state.settings.site.walk_in_line,
                NewTicket {
                    holder: Holder::WalkIn {
                        name: walk_in.display_name(),
                        reason: walk_in.reason,
                    },
                    needs,
                },
            )
        }
    };

    // The code the kiosk gave from its lease while offline, when it is one
    // of this kiosk's unused numbers for this line today; else (never from
    // a working kiosk) the next number.
    let claimed = match (leased.as_deref().map(TicketCode::parse), device) {
        (Some(Some(code)), Some(device))
            if code.line == line && leases::is_unused(change.tx(), &day, device, code).await? =>
        {
            Some(code)
        }
        (Some(_), _) => {
            tracing::warn!(%line, "a check-in brought a leased code that is not this kiosk's unused number for its line today: it gets the next number");
            None
        }
        (None, _) => None,
    };
    let action = match claimed {
        Some(code) => Action::Claim {
            line,
            number: code.number,
        },
        None => Action::Enqueue { line },
    };
    let outcome = change.apply(&action, Some(&new_ticket), now).await?;
    if let Some(code) = claimed {
        leases::mark_used(change.tx(), &day, code, now).await?;
    }
    let (mut answer, estimate) = ticket_answer(state, &mut change, outcome.ticket).await?;
    // A phone link for a patient at a kiosk (staff's walk-ins have no
    // ticket screen to show it on).
    if device.is_some() {
        let ticket =
            i64::try_from(outcome.ticket).map_err(|_| AppError::Corrupt("ticket id".into()))?;
        answer.follow = super::follow::mint(state, change.tx(), &day, ticket, headers).await?;
    }
    // The upper end of the range given, as a time; "very soon" is given
    // a few minutes.
    let promised = i64::from(answer.wait.high_minutes.max(PROMISE_FLOOR_MINUTES)) * 60;
    let ahead = usize::try_from(answer.position.saturating_sub(1)).unwrap_or(usize::MAX);
    tickets::promise(
        change.tx(),
        &day,
        outcome.ticket,
        now + promised,
        &estimate,
        ahead,
    )
    .await?;
    let body = serde_json::to_string(&answer).map_err(|e| AppError::Corrupt(e.to_string()))?;
    idempotency::record(change.tx(), key, hash, StatusCode::CREATED, &body, now).await?;
    change.commit().await?;
    Ok(json(StatusCode::CREATED, body))
}

/// The least wait a ticket is taken to have been promised: "you should be
/// called very soon" (a range of 0) is not broken after a minute.
pub const PROMISE_FLOOR_MINUTES: u32 = 5;

/// How far back a kiosk's own arrival time is believed: a check-in that
/// waited in an outbox through an outage is judged by when the patient was
/// at the kiosk; anything older, or in the future, by the server's clock.
pub const ARRIVAL_TRUSTED_SECONDS: i64 = 6 * 3600;

fn arrival_time(state: &AppState, arrived_at: Option<i64>) -> jiff::Timestamp {
    let now = state.now();
    // A minute or two ahead is a kiosk clock running fast, not the future.
    let trusted = now.as_second() - ARRIVAL_TRUSTED_SECONDS..=now.as_second() + 120;
    arrived_at
        .filter(|t| trusted.contains(t))
        .and_then(|t| jiff::Timestamp::from_second(t).ok())
        .map_or(now, |t| t.min(now))
}

/// The ticket's answer body: code, place and wait range.
async fn ticket_body(
    state: &AppState,
    change: &mut Change<'_>,
    id: TicketId,
) -> Result<String, AppError> {
    let (response, _) = ticket_answer(state, change, id).await?;
    serde_json::to_string(&response).map_err(|e| AppError::Corrupt(e.to_string()))
}

/// The ticket's answer (code, place and wait range), and the estimate
/// behind its range.
async fn ticket_answer(
    state: &AppState,
    change: &mut Change<'_>,
    id: TicketId,
) -> Result<(CheckInResponse, Estimate), AppError> {
    let queue = change.queue();
    let ticket = queue
        .ticket(id)
        .ok_or_else(|| AppError::Corrupt(format!("ticket {id} missing")))?;
    let (line, code, version) = (ticket.line, ticket.code, queue.version());
    let position = queue.position(id).unwrap_or(0);
    let estimate = change
        .wait_for(
            &state.settings,
            line,
            position.saturating_sub(1),
            state.now().as_second(),
        )
        .await?;
    let answer = CheckInResponse {
        ticket: code.to_string(),
        line,
        position: u32::try_from(position).unwrap_or(u32::MAX),
        wait: estimate.range,
        queue_version: version,
        follow: None,
    };
    Ok((answer, estimate))
}

fn json(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

fn validate_needs(needs: &Needs) -> Result<(), AppError> {
    if let Some(language) = &needs.interpreter {
        if clean_text(language, limits::LANGUAGE_CHARS).is_none() {
            return Err(AppError::bad_request(
                ErrorCode::InvalidInterpreterLanguage,
                "an interpreter language has 1 to 40 characters",
            ));
        }
    }
    Ok(())
}

/// This area's routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/check-ins", post(check_in))
}
