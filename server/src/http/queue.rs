//! The public queue: `GET /queue` (a snapshot with a version) and
//! `GET /queue/events` (Server-Sent Events carrying each new version).
//! Ticket codes, rooms and wait ranges only: safe for a wall screen.

use crate::auth::QueueReader;
use crate::error::AppError;
use crate::hub;
use crate::state::AppState;
use crate::store::tickets;
use axum::routing::get;
use axum::Router;
use axum::{
    extract::State,
    http::header,
    response::sse::{Event, KeepAlive, Sse},
    response::{IntoResponse, Response},
};
use futures_util::stream::{self, Stream, StreamExt};
use std::sync::Arc;
use std::{convert::Infallible, time::Duration};
use tokio_stream::wrappers::{errors::BroadcastStreamRecvError, BroadcastStream};
use waitwell_core::contract::{
    CalledTicket, PublicLine, PublicQueue, QueueChanged, StreamEvent, WaitingTicket,
};
use waitwell_core::queue::TicketStatus;
use waitwell_core::wait::WaitRange;

#[utoipa::path(get, path = "/api/v1/queue", tag = "queue",
    security((), ("device_credential" = []), ("staff_session" = [])),
    responses(
        (status = 200, description = "The public queue: ticket codes, rooms and wait ranges only", body = PublicQueue),
        (status = 401, description = "Not an enrolled device or staff, and the site's queue is not public (device_not_enrolled)", body = waitwell_core::contract::ApiError),
    ))]
pub async fn public_queue(
    State(state): State<AppState>,
    _reader: QueueReader,
) -> Result<Response, AppError> {
    let served = served(&state).await?;
    Ok((
        [(header::CONTENT_TYPE, "application/json")],
        served.json.clone(),
    )
        .into_response())
}

/// The public queue, made once for every screen that asks until the queue,
/// the notices or the minute change.
pub async fn served(state: &AppState) -> Result<Arc<hub::ServedQueue>, AppError> {
    let key = state
        .hub
        .served_key(&state.today(), state.now().as_second());
    if let Some(served) = state.hub.served(&key) {
        return Ok(served);
    }
    let queue = snapshot(state).await?;
    let json = serde_json::to_vec(&queue).map_err(|e| AppError::Corrupt(e.to_string()))?;
    let served = Arc::new(hub::ServedQueue {
        queue,
        json: json.into(),
    });
    state.hub.keep_served(key, served.clone());
    Ok(served)
}

/// The public queue as it is now.
pub async fn snapshot(state: &AppState) -> Result<PublicQueue, AppError> {
    let day = state.today();
    // One read transaction: the version and the tickets come from the same
    // moment.
    let mut tx = crate::store::begin_read(&state.db).await?;
    let (version, updated_at) = tickets::stored_version(&mut tx, &day).await?;
    let rows = tickets::on_board(&mut tx, &day).await?;
    let visits = hub::Visits::read(
        &mut tx,
        &state.hub,
        &state.settings,
        &day,
        state.now().as_second(),
    )
    .await?;
    let notices = crate::store::notices::open_notices(&mut tx, &day).await?;
    tx.commit().await?;

    let mut lines: Vec<PublicLine> = state
        .settings
        .site
        .lines
        .iter()
        .map(|l| PublicLine {
            id: l.id,
            name: l.name.clone(),
            calling: Vec::new(),
            waiting: Vec::new(),
        })
        .collect();
    for tickets::BoardRow {
        ticket: row,
        promised_by,
    } in rows
    {
        let Some(line) = lines.iter_mut().find(|l| l.id == row.line) else {
            continue;
        };
        let ticket = row.code.to_string();
        match row.status {
            TicketStatus::Called { room } => line.calling.push(CalledTicket {
                ticket,
                room,
                calls: row.calls,
            }),
            _ => {
                let position = line.waiting.len() + 1;
                line.waiting.push(WaitingTicket {
                    ticket,
                    position: u32::try_from(position).unwrap_or(u32::MAX),
                    // (Set below, for the whole line at once.)
                    wait: WaitRange {
                        low_minutes: 0,
                        high_minutes: 0,
                    },
                    promised_by,
                });
            }
        }
    }
    // One set of drawn futures per line gives every place its range.
    for line in &mut lines {
        let estimates = state
            .hub
            .estimates(&state.settings, &visits, line.id, line.waiting.len());
        for (ticket, estimate) in line.waiting.iter_mut().zip(estimates.iter()) {
            ticket.wait = estimate.range;
        }
    }
    Ok(PublicQueue {
        version,
        updated_at: crate::clock::rfc3339(updated_at),
        lines,
        notices,
    })
}

#[utoipa::path(get, path = "/api/v1/queue/events", tag = "queue",
    security((), ("device_credential" = []), ("staff_session" = [])),
    responses((status = 401, description = "As for /queue", body = waitwell_core::contract::ApiError), (status = 200, description = "Server-Sent Events: `queue` events whose data is a QueueChanged, the first one at once; `notices` events (no data worth reading) when delay notices change", content_type = "text/event-stream", body = QueueChanged)))]
/// `GET /queue/events`: the current version at once, then every change.
/// Each event carries only the version; a client refetches `/queue` for any
/// version it has not shown (and so also after a gap).
pub async fn events(
    State(state): State<AppState>,
    _reader: QueueReader,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, AppError> {
    Ok(Sse::new(changes(&state).await?)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}

/// The queue's events: the current version at once, then every change,
/// and a `notices` event when delay notices change.
pub async fn changes(
    state: &AppState,
) -> Result<impl Stream<Item = Result<Event, Infallible>> + use<>, AppError> {
    // Subscribe before reading the version, so no change falls in between.
    let changes = BroadcastStream::new(state.hub.subscribe());
    let notices = BroadcastStream::new(state.hub.subscribe_notices()).map(|_| {
        Ok(Event::default()
            .event(StreamEvent::Notices.as_str())
            .data("{}"))
    });
    let day = state.today();
    let current = state
        .hub
        .lock(&state.db, &state.settings, &day)
        .await?
        .queue
        .version();
    let first = stream::once(async move { Ok(change_event(current)) });
    let hub = state.hub.clone();
    let rest = changes.map(move |change| {
        Ok(match change {
            Ok(QueueChanged { version }) => change_event(version),
            // Fell behind: skip to the newest version; the client refetches.
            Err(BroadcastStreamRecvError::Lagged(_)) => change_event(hub.latest()),
        })
    });
    Ok(first.chain(stream::select(rest, notices)))
}

fn change_event(version: u64) -> Event {
    Event::default()
        .event(StreamEvent::Queue.as_str())
        .id(version.to_string())
        .data(format!("{{\"version\":{version}}}"))
}

/// This area's routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/queue", get(public_queue))
        .route("/queue/events", get(events))
}
