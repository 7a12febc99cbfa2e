//! The public queue: `GET /queue` (a snapshot with a version) and
//! `GET /queue/events` (Server-Sent Events carrying each new version).
//! Ticket codes, rooms and wait ranges only: safe for a wall screen.

use crate::{AppError, AppState};
use axum::{
    extract::State,
    response::sse::{Event, KeepAlive, Sse},
    Json,
};
use futures_util::stream::{self, Stream, StreamExt};
use std::{collections::BTreeMap, convert::Infallible, time::Duration};
use tokio_stream::wrappers::{errors::BroadcastStreamRecvError, BroadcastStream};
use waitwell_core::contract::{
    CalledTicket, PublicLine, PublicQueue, QueueChanged, StreamEvent, WaitingTicket,
};
use waitwell_core::queue::LineId;
use waitwell_core::wait::{self, WaitDefaults, WaitRange};

/// How many of today's visits per line inform the wait estimate.
const RECENT_VISITS: i64 = 20;

#[utoipa::path(get, path = "/api/v1/queue", tag = "queue",
    responses((status = 200, description = "The public queue: ticket codes, rooms and wait ranges only", body = PublicQueue)))]
pub async fn public_queue(State(state): State<AppState>) -> Result<Json<PublicQueue>, AppError> {
    let day = state.today();
    // One read transaction: the version and the tickets come from the same
    // moment.
    let mut tx = state.db.begin().await?;
    let (version, updated_at) = super::stored_version(&mut tx, &day).await?;
    let rows: Vec<(String, i64, String, String, Option<String>, i64)> = sqlx::query_as(
        "SELECT code_line, code_number, line_id, status, room, calls FROM tickets
         WHERE day = ? AND status IN ('waiting', 'called')
         ORDER BY CASE status WHEN 'called' THEN -called_at ELSE queue_order END, id",
    )
    .bind(&day)
    .fetch_all(&mut *tx)
    .await?;
    let recent = recent_service_minutes(&mut tx, &day).await?;
    let notices = super::notices::open_notices(&mut tx, &day).await?;
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
    for (code_line, number, line_id, status, room, calls) in rows {
        let Some(line) = lines.iter_mut().find(|l| l.id.to_string() == line_id) else {
            continue;
        };
        let ticket = format!("{code_line}-{number:03}");
        if status == "called" {
            line.calling.push(CalledTicket {
                ticket,
                room: room.unwrap_or_default(),
                calls: u32::try_from(calls).unwrap_or(0),
            });
        } else {
            let position = line.waiting.len() + 1;
            let servers = servers(&state, line.id);
            let times = recent
                .get(&line.id.to_string())
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            line.waiting.push(WaitingTicket {
                ticket,
                position: u32::try_from(position).unwrap_or(u32::MAX),
                wait: wait::estimate(position - 1, servers, times, WaitDefaults::default()),
            });
        }
    }
    Ok(Json(PublicQueue {
        version,
        updated_at: super::rfc3339(updated_at),
        lines,
        notices,
    }))
}

/// The wait range of someone with `ahead` tickets before them on `line`.
pub async fn wait_for(state: &AppState, line: LineId, ahead: usize) -> Result<WaitRange, AppError> {
    let mut conn = state.db.acquire().await?;
    let recent = recent_service_minutes(&mut conn, &state.today()).await?;
    let times = recent
        .get(&line.to_string())
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    Ok(wait::estimate(
        ahead,
        servers(state, line),
        times,
        WaitDefaults::default(),
    ))
}

fn servers(state: &AppState, line: LineId) -> usize {
    state
        .settings
        .line(line)
        .map_or(1, |l| usize::try_from(l.servers).unwrap_or(1))
}

/// Minutes from call to served of today's most recent visits, per line.
async fn recent_service_minutes(
    conn: &mut sqlx::SqliteConnection,
    day: &str,
) -> Result<BTreeMap<String, Vec<f64>>, AppError> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT line_id, finished_at - called_at FROM (
            SELECT line_id, finished_at, called_at,
                   ROW_NUMBER() OVER (PARTITION BY line_id ORDER BY finished_at DESC) AS n
            FROM tickets
            WHERE day = ? AND status = 'served' AND called_at IS NOT NULL AND finished_at IS NOT NULL)
         WHERE n <= ?",
    )
    .bind(day)
    .bind(RECENT_VISITS)
    .fetch_all(conn)
    .await?;
    let mut by_line: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for (line, seconds) in rows {
        by_line.entry(line).or_default().push(seconds as f64 / 60.0);
    }
    Ok(by_line)
}

#[utoipa::path(get, path = "/api/v1/queue/events", tag = "queue",
    responses((status = 200, description = "Server-Sent Events: `queue` events whose data is a QueueChanged, the first one at once; `notices` events (no data worth reading) when delay notices change", content_type = "text/event-stream", body = QueueChanged)))]
/// `GET /queue/events`: the current version at once, then every change.
/// Each event carries only the version; a client refetches `/queue` for any
/// version it has not shown (and so also after a gap).
pub async fn events(
    State(state): State<AppState>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, AppError> {
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
    Ok(Sse::new(first.chain(stream::select(rest, notices)))
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}

fn change_event(version: u64) -> Event {
    Event::default()
        .event(StreamEvent::Queue.as_str())
        .id(version.to_string())
        .data(format!("{{\"version\":{version}}}"))
}
