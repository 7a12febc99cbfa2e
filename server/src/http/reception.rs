//! Reception (staff only): the queue with names and needs, today's
//! counters, and the queue actions.

use super::extract::ApiJson;
use crate::auth::Staff;
use crate::clock::{local_instant, rfc3339};
use crate::error::AppError;
use crate::state::AppState;
use crate::store::tickets::{self, StaffRow};
use axum::routing::{get, post};
use axum::Router;
use axum::{
    extract::State,
    response::sse::{Event, KeepAlive, Sse},
    Json,
};
use waitwell_core::contract::{AccessAction, ErrorCode, StreamEvent};
use waitwell_core::contract::{ActionResult, Needs, StaffQueue, StaffTicket, TicketState};
#[allow(unused_imports)]
use waitwell_core::contract::{ApiError, QueueChanged};
use waitwell_core::insights;
use waitwell_core::queue::{Action, LineId, TicketStatus};

#[utoipa::path(get, path = "/api/v1/queue/staff", tag = "staff", security(("staff_session" = [])),
    responses(
        (status = 200, description = "The queue with names, needs and times, and today's counters", body = StaffQueue),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
    ))]
/// `GET /queue/staff`.
pub async fn staff_queue(
    State(state): State<AppState>,
    _staff: Staff,
) -> Result<Json<StaffQueue>, AppError> {
    let day = state.today();
    let now = state.now().as_second();
    let mut tx = crate::store::begin_read(&state.db).await?;
    let (version, updated_at) = tickets::stored_version(&mut tx, &day).await?;
    let rows = tickets::for_staff(&mut tx, &day).await?;
    let notices = crate::store::notices::open_notices(&mut tx, &day).await?;
    let followed = crate::store::follow::followed(&mut tx, &day).await?;
    tx.commit().await?;

    let mut positions = std::collections::HashMap::<LineId, u32>::new();
    let mut counted = Vec::with_capacity(rows.len());
    let tickets = rows
        .into_iter()
        .map(|row| {
            let (ticket, called_after) = staff_ticket(&state, &day, now, row)?;
            counted.push((ticket.status, called_after));
            let position = (ticket.status == TicketState::Waiting).then(|| {
                let p = positions.entry(ticket.line).or_default();
                *p += 1;
                *p
            });
            let phone_link = i64::try_from(ticket.id).is_ok_and(|id| followed.contains(&id))
                && matches!(ticket.status, TicketState::Waiting | TicketState::Called);
            Ok(StaffTicket {
                position,
                phone_link,
                ..ticket
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    let counters = insights::day_counters(counted);
    let ehr = state.hub.schedule().health(&state.db).await?;
    Ok(Json(StaffQueue {
        version,
        updated_at: rfc3339(updated_at),
        tickets,
        today: counters,
        notices,
        ehr,
    }))
}

/// What reception sees of one stored ticket (its position is counted by
/// the caller, which walks the line in order), and the minutes from its
/// check-in to its last call if it was called.
fn staff_ticket(
    state: &AppState,
    day: &str,
    now: i64,
    row: StaffRow,
) -> Result<(StaffTicket, Option<u32>), AppError> {
    let minutes = |seconds: i64| u32::try_from(seconds.max(0) / 60).unwrap_or(u32::MAX);
    let appointment_start = row
        .starts_at
        .as_deref()
        .and_then(|t| local_instant(&state.settings.time_zone, day, t))
        .map(|t| t.as_second());
    let name = match (&row.given_name, &row.family_name, &row.walk_in_name) {
        (Some(given), Some(family), _) => format!("{given} {family}"),
        (_, _, Some(walk_in)) => walk_in.clone(),
        _ => String::new(),
    };
    let ticket = row.ticket.into_ticket(day)?;
    let called_after = row.called_at.map(|called| minutes(called - row.created_at));
    let staff = StaffTicket {
        id: ticket.id,
        ticket: ticket.code.to_string(),
        line: ticket.line,
        status: ticket.status.state(),
        room: match ticket.status {
            TicketStatus::Called { room } => Some(room),
            _ => None,
        },
        position: None,
        name,
        walk_in_reason: row.walk_in_reason,
        needs: serde_json::from_str::<Needs>(&row.needs).unwrap_or_default(),
        checked_in_at: rfc3339(row.created_at),
        appointment_time: row.starts_at,
        waited_minutes: minutes(row.called_at.unwrap_or(now) - row.created_at),
        late_minutes: appointment_start.map_or(0, |start| minutes(row.created_at - start)),
        calls: ticket.calls,
        phone_link: false,
    };
    Ok((staff, called_after))
}

#[utoipa::path(post, path = "/api/v1/queue/actions", tag = "staff", security(("staff_session" = [])),
    request_body = Action,
    responses(
        (status = 200, description = "The action was applied", body = ActionResult),
        (status = 400, description = "Invalid action (codes: invalid_body, use_check_in, unknown_room)", body = ApiError),
        (status = 401, description = "Not signed in", body = ApiError),
        (status = 409, description = "Not possible now (codes: unknown_ticket, unknown_line, line_empty, invalid_transition, invalid_room)", body = ApiError),
    ))]
/// `POST /queue/actions`: call next, call, recall, serve, no-show, requeue,
/// transfer. New tickets come through `POST /check-ins` instead.
pub async fn act(
    State(state): State<AppState>,
    staff: Staff,
    ApiJson { value: action, .. }: ApiJson<Action>,
) -> Result<Json<ActionResult>, AppError> {
    if action.makes_ticket() {
        return Err(AppError::bad_request(
            ErrorCode::UseCheckIn,
            "new tickets are made with POST /check-ins",
        ));
    }
    if let Action::CallNext { room, .. } | Action::Call { room, .. } = &action {
        if !state.settings.site.rooms.iter().any(|r| r == room.trim()) {
            return Err(AppError::bad_request(
                ErrorCode::UnknownRoom,
                "choose one of the configured rooms",
            ));
        }
    }
    let day = state.today();
    let now = state.now().as_second();
    let mut change = state.hub.begin(&state.db, &state.settings, &day).await?;
    let outcome = change.apply(&action, None, now).await?;
    let ticket = change
        .queue()
        .ticket(outcome.ticket)
        .ok_or_else(|| AppError::Corrupt("acted-on ticket missing".into()))?;
    let result = ActionResult {
        ticket: ticket.code.to_string(),
        status: ticket.status.state(),
        version: outcome.version,
    };
    change.commit().await?;
    staff
        .log(
            &state,
            AccessAction::QueueAction,
            format!("{} {}", action_name(&action), result.ticket),
        )
        .await?;
    Ok(Json(result))
}

#[utoipa::path(get, path = "/api/v1/staff/events", tag = "staff", security(("staff_session" = [])),
    responses((status = 200, description = "Server-Sent Events: `queue` (a QueueChanged), `alerts` (alerts changed: refetch) and `notices` (delay notices changed: refetch)", content_type = "text/event-stream")))]
/// `GET /staff/events` (staff): the queue's versions (`queue`) and a ping
/// whenever alerts change (`alerts`), so reception refetches at once.
pub async fn events(
    State(state): State<AppState>,
    _staff: Staff,
) -> Sse<impl futures_util::Stream<Item = Result<Event, std::convert::Infallible>>> {
    use futures_util::StreamExt;
    use tokio_stream::wrappers::BroadcastStream;
    let hub = state.hub.clone();
    let queue = BroadcastStream::new(state.hub.subscribe()).map(move |change| {
        let version = change.map(|c| c.version).unwrap_or_else(|_| hub.latest());
        Ok(Event::default()
            .event(StreamEvent::Queue.as_str())
            .data(format!("{{\"version\":{version}}}")))
    });
    let alerts = BroadcastStream::new(state.hub.subscribe_alerts()).map(|_| {
        Ok(Event::default()
            .event(StreamEvent::Alerts.as_str())
            .data("{}"))
    });
    let notices = BroadcastStream::new(state.hub.subscribe_notices()).map(|_| {
        Ok(Event::default()
            .event(StreamEvent::Notices.as_str())
            .data("{}"))
    });
    let hello = futures_util::stream::once(async {
        Ok(Event::default()
            .event(StreamEvent::Alerts.as_str())
            .data("{}"))
    });
    let changes =
        futures_util::stream::select(queue, futures_util::stream::select(alerts, notices));
    Sse::new(hello.chain(changes))
        .keep_alive(KeepAlive::new().interval(std::time::Duration::from_secs(15)))
}

/// This area's routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/queue/staff", get(staff_queue))
        .route("/queue/actions", post(act))
        .route("/staff/events", get(events))
}

/// An action's name in the access log.
fn action_name(action: &Action) -> &'static str {
    match action {
        Action::Enqueue { .. } => "enqueue",
        Action::Claim { .. } => "claim",
        Action::CallNext { .. } => "call_next",
        Action::Call { .. } => "call",
        Action::Recall { .. } => "recall",
        Action::Serve { .. } => "serve",
        Action::NoShow { .. } => "no_show",
        Action::Requeue { .. } => "requeue",
        Action::Transfer { .. } => "transfer",
    }
}
