//! Reception (staff only): the queue with names and needs, today's
//! counters, and the queue actions.

use super::extract::ApiJson;
use crate::auth::Staff;
use crate::clock::{local_instant, rfc3339};
use crate::error::AppError;
use crate::state::AppState;
use crate::store::tickets;
use axum::routing::{get, post};
use axum::Router;
use axum::{
    extract::State,
    response::sse::{Event, KeepAlive, Sse},
    Json,
};
use waitwell_core::contract::{
    ActionResult, DayCounters, Needs, StaffQueue, StaffTicket, TicketState,
};
#[allow(unused_imports)]
use waitwell_core::contract::{ApiError, QueueChanged};
use waitwell_core::contract::{ErrorCode, StreamEvent};
use waitwell_core::queue::Action;

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    code_line: String,
    code_number: i64,
    line_id: String,
    status: String,
    room: Option<String>,
    calls: i64,
    needs: String,
    created_at: i64,
    called_at: Option<i64>,
    walk_in_name: Option<String>,
    walk_in_reason: Option<String>,
    given_name: Option<String>,
    family_name: Option<String>,
    starts_at: Option<String>,
}

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
    let mut tx = state.db.begin().await?;
    let (version, updated_at) = crate::store::tickets::stored_version(&mut tx, &day).await?;
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT t.id, t.code_line, t.code_number, t.line_id, t.status, t.room, t.calls, t.needs,
                t.created_at, t.called_at, t.walk_in_name, t.walk_in_reason,
                a.given_name, a.family_name, a.starts_at
         FROM tickets t LEFT JOIN appointments a ON a.id = t.appointment_id
         WHERE t.day = ?
         ORDER BY t.line_id, CASE t.status WHEN 'waiting' THEN 0 WHEN 'called' THEN 1 ELSE 2 END,
                  t.queue_order, t.called_at DESC, t.id",
    )
    .bind(&day)
    .fetch_all(&mut *tx)
    .await?;
    let notices = super::notices::open_notices(&mut tx, &day).await?;
    tx.commit().await?;

    let mut positions = std::collections::HashMap::<String, u32>::new();
    let mut waits = Vec::new();
    let mut counters = DayCounters::default();
    let tickets = rows
        .into_iter()
        .map(|row| {
            let status = TicketState::parse(&row.status)
                .ok_or_else(|| AppError::Corrupt(format!("ticket {} status", row.id)))?;
            let minutes = |seconds: i64| u32::try_from(seconds.max(0) / 60).unwrap_or(u32::MAX);
            let position = (status == TicketState::Waiting).then(|| {
                let p = positions.entry(row.line_id.clone()).or_default();
                *p += 1;
                *p
            });
            match status {
                TicketState::Waiting => counters.waiting += 1,
                TicketState::Served => counters.seen += 1,
                TicketState::NoShow => counters.no_shows += 1,
                TicketState::Called => {}
            }
            if let Some(called) = row.called_at {
                waits.push(minutes(called - row.created_at));
            }
            let waited_until = row.called_at.unwrap_or(now);
            let appointment_start = row
                .starts_at
                .as_deref()
                .and_then(|t| local_instant(&state.settings.time_zone, &day, t))
                .map(|t| t.as_second());
            let late = appointment_start.map_or(0, |start| minutes(row.created_at - start));
            let name = match (&row.given_name, &row.family_name, &row.walk_in_name) {
                (Some(given), Some(family), _) => format!("{given} {family}"),
                (_, _, Some(walk_in)) => walk_in.clone(),
                _ => String::new(),
            };
            Ok(StaffTicket {
                id: u64::try_from(row.id).unwrap_or(0),
                ticket: format!("{}-{:03}", row.code_line, row.code_number),
                line: tickets::parse_line(&row.line_id).unwrap_or(state.settings.site.walk_in_line),
                status,
                room: row.room,
                position,
                name,
                walk_in_reason: row.walk_in_reason,
                needs: serde_json::from_str::<Needs>(&row.needs).unwrap_or_default(),
                checked_in_at: rfc3339(row.created_at),
                appointment_time: row.starts_at,
                waited_minutes: minutes(waited_until - row.created_at),
                late_minutes: late,
                calls: u32::try_from(row.calls).unwrap_or(0),
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    waits.sort_unstable();
    if !waits.is_empty() {
        let total: u64 = waits.iter().map(|w| u64::from(*w)).sum();
        counters.average_wait_minutes =
            u32::try_from(total / waits.len() as u64).unwrap_or(u32::MAX);
        // Nearest-rank 90th percentile.
        let rank = (waits.len() * 9).div_ceil(10).max(1);
        counters.p90_wait_minutes = waits[rank - 1];
    }
    Ok(Json(StaffQueue {
        version,
        updated_at: rfc3339(updated_at),
        tickets,
        today: counters,
        notices,
    }))
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
    _staff: Staff,
    ApiJson { value: action, .. }: ApiJson<Action>,
) -> Result<Json<ActionResult>, AppError> {
    if matches!(action, Action::Enqueue { .. }) {
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
