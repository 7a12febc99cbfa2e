//! Phone links: a patient follows their own ticket on their own phone
//! through `/t/{token}`, opened from the QR code on the kiosk's ticket
//! screen. The token is all a phone has, so every answer here is about the
//! one ticket it names: its code, line, place, wait range or room, and the
//! board's delay notices; never a name, a birth date or a clinician. A link
//! works on its day only, while its ticket waits or is called, and until
//! reception ends it; reads are limited per network address.
//!
//! - `GET /follow/{token}`: the ticket ([`FollowedTicket`]);
//! - `GET /follow/{token}/events`: the queue's versions, to refetch on;
//! - `GET /follow/{token}/qr.svg`: the link as a QR code, for the kiosk;
//! - `POST /follow/end` (staff): end a ticket's links.

use super::extract::{ApiJson, ClientIp};
use crate::auth::{token_hash, Staff};
use crate::error::AppError;
use crate::limits::Budget;
use crate::state::AppState;
use crate::store::follow::{self, Followed};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures_util::{Stream, StreamExt};
use std::convert::Infallible;
use tokio_stream::wrappers::BroadcastStream;
use waitwell_core::contract::{
    AccessAction, EndFollow, ErrorCode, FollowLink, FollowedTicket, StreamEvent,
};

/// Bytes of randomness in a token (printed as twice as many hex digits).
pub const TOKEN_BYTES: usize = 16;

/// A new link to ticket `ticket` of `day`, recorded in `conn` (the
/// check-in's transaction); `headers` say where the kiosk reached us.
pub async fn mint(
    state: &AppState,
    conn: &mut sqlx::SqliteConnection,
    day: &str,
    ticket: i64,
    headers: &HeaderMap,
) -> Result<Option<FollowLink>, AppError> {
    if !state.settings.phone.links {
        return Ok(None);
    }
    let token = crate::store::random_token(TOKEN_BYTES)
        .map_err(|e| AppError::Corrupt(format!("drawing a token: {e}")))?;
    follow::create(
        conn,
        &token_hash(&token),
        day,
        ticket,
        state.now().as_second(),
    )
    .await?;
    let url = format!("{}/t/{token}", phone_origin(state, headers));
    Ok(Some(FollowLink { token, url }))
}

/// Where phones reach this server: the site's `phone.url`, else the
/// address the request came to (when it is a plain host name or address).
fn phone_origin(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(url) = &state.settings.phone.url {
        return url.clone();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.len() <= 255
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        })
        .unwrap_or("localhost");
    let scheme = if state.tls { "https" } else { "http" };
    format!("{scheme}://{host}")
}

fn gone() -> AppError {
    AppError::not_found(
        ErrorCode::FollowLinkGone,
        "this link has ended: the ticket was finished, the day is over, or reception ended it",
    )
}

/// A well-formed token: lower-case hex of [`TOKEN_BYTES`] bytes.
fn well_formed(token: &str) -> bool {
    token.len() == TOKEN_BYTES * 2
        && token
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The ticket `token` follows, if the link works; each call costs one of
/// the address's phone reads.
async fn followed(
    state: &AppState,
    ip: std::net::IpAddr,
    token: &str,
) -> Result<Followed, AppError> {
    state.limits.take(Budget::Follow, ip)?;
    if !well_formed(token) {
        return Err(gone());
    }
    let mut conn = state.db.acquire().await?;
    follow::live_ticket(&mut conn, &token_hash(token), &state.today())
        .await?
        .ok_or_else(gone)
}

#[utoipa::path(get, path = "/api/v1/follow/{token}", tag = "phone",
    params(("token" = String, Path, description = "The link's token (32 hex digits)")),
    responses(
        (status = 200, description = "The one ticket the link follows: its line with only that ticket in it, and the board's delay notices", body = FollowedTicket),
        (status = 404, description = "No such link, or it has ended (follow_link_gone)", body = waitwell_core::contract::ApiError),
        (status = 429, description = "Too many phone reads from this address (too_many_requests); see Retry-After", body = waitwell_core::contract::ApiError),
    ))]
/// `GET /follow/{token}`.
pub async fn ticket(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let Followed { code, .. } = followed(&state, ip, &token).await?;
    let mut queue = super::queue::served(&state).await?.queue.clone();
    queue.lines.retain_mut(|line| {
        line.calling.retain(|t| t.ticket == code);
        line.waiting.retain(|t| t.ticket == code);
        !(line.calling.is_empty() && line.waiting.is_empty())
    });
    if queue.lines.is_empty() {
        // Finished between the two reads.
        return Err(gone());
    }
    Ok((
        [(header::CACHE_CONTROL, "no-store")],
        Json(FollowedTicket {
            ticket: code,
            queue,
        }),
    )
        .into_response())
}

#[utoipa::path(get, path = "/api/v1/follow/{token}/events", tag = "phone",
    params(("token" = String, Path, description = "The link's token")),
    responses(
        (status = 200, description = "Server-Sent Events as on /queue/events, and `link` (a phone link was ended: refetch to learn whether it was this one): refetch /follow/{token} on each", content_type = "text/event-stream"),
        (status = 404, description = "No such link, or it has ended (follow_link_gone)", body = waitwell_core::contract::ApiError),
    ))]
/// `GET /follow/{token}/events`: as `/queue/events` (versions only, which
/// say nothing of anyone's ticket), for a link that works when it opens.
pub async fn events(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(token): Path<String>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, AppError> {
    followed(&state, ip, &token).await?;
    let links = BroadcastStream::new(state.hub.subscribe_links()).map(|_| {
        Ok(Event::default()
            .event(StreamEvent::Link.as_str())
            .data("{}"))
    });
    let queue = super::queue::changes(&state).await?;
    Ok(Sse::new(futures_util::stream::select(queue, links))
        .keep_alive(KeepAlive::new().interval(std::time::Duration::from_secs(15))))
}

/// `qr.svg?lang=es`.
#[derive(Debug, serde::Deserialize)]
pub struct QrQuery {
    lang: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/follow/{token}/qr.svg", tag = "phone",
    params(("token" = String, Path, description = "The link's token"),
        ("lang" = Option<String>, Query, description = "One of the site's languages: the link opens in it")),
    responses(
        (status = 200, description = "The link's address as a QR code (never cached)", content_type = "image/svg+xml"),
        (status = 404, description = "No such link, or it has ended (follow_link_gone)", body = waitwell_core::contract::ApiError),
    ))]
/// `GET /follow/{token}/qr.svg`: drawn here rather than on the kiosk, so
/// the kiosk's app carries no QR encoder.
pub async fn qr(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Path(token): Path<String>,
    Query(QrQuery { lang }): Query<QrQuery>,
) -> Result<Response, AppError> {
    followed(&state, ip, &token).await?;
    let mut url = format!("{}/t/{token}", phone_origin(&state, &headers));
    // The phone opens in the language the patient used at the kiosk.
    if let Some(lang) = lang.filter(|l| state.settings.site.languages.contains(l)) {
        url.push_str("?lang=");
        url.push_str(&lang);
    }
    let code = qrcode::QrCode::with_error_correction_level(url.as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| AppError::Corrupt(format!("QR code: {e}")))?;
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(220, 220)
        .quiet_zone(true)
        .build();
    Ok((
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            // The kiosk keeps no copy: its idle reset leaves no trace.
            (header::CACHE_CONTROL, "no-store"),
        ],
        svg,
    )
        .into_response())
}

#[utoipa::path(post, path = "/api/v1/follow/end", tag = "staff", security(("staff_session" = [])),
    request_body = EndFollow,
    responses(
        (status = 204, description = "The ticket's phone links no longer work"),
        (status = 401, description = "Not signed in", body = waitwell_core::contract::ApiError),
        (status = 404, description = "The ticket has no working phone link today (follow_link_gone)", body = waitwell_core::contract::ApiError),
    ))]
/// `POST /follow/end` (staff): ends every phone link of a ticket, e.g. when
/// a patient says someone else has their phone.
pub async fn end(
    State(state): State<AppState>,
    staff: Staff,
    ApiJson { value: request, .. }: ApiJson<EndFollow>,
) -> Result<StatusCode, AppError> {
    let ticket = i64::try_from(request.ticket).map_err(|_| gone())?;
    let day = state.today();
    let mut tx = crate::store::begin_write(&state.db).await?;
    let ended = follow::end(&mut tx, &day, ticket, state.now().as_second()).await?;
    tx.commit().await?;
    if ended == 0 {
        return Err(gone());
    }
    staff
        .log(
            &state,
            AccessAction::FollowEnded,
            format!("ticket {ticket}"),
        )
        .await?;
    // Reception refetches (its row loses the button), and so do phones:
    // the one whose link it was finds it ended.
    state.hub.alert();
    state.hub.links_changed();
    Ok(StatusCode::NO_CONTENT)
}

/// `path` as logged: a phone link's token (`/t/{token}`,
/// `/api/v1/follow/{token}…`) replaced by `…`, since whoever reads the log
/// could follow the ticket with it.
pub fn without_token(path: &str) -> std::borrow::Cow<'_, str> {
    let follow = format!("{}/follow/", waitwell_core::contract::API_PREFIX);
    for prefix in ["/t/", follow.as_str()] {
        if let Some(rest) = path.strip_prefix(prefix) {
            let token_end = rest.find('/').unwrap_or(rest.len());
            if &rest[..token_end] == "end" {
                break;
            }
            return format!("{prefix}…{}", &rest[token_end..]).into();
        }
    }
    path.into()
}

/// This area's routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/follow/end", post(end))
        .route("/follow/{token}", get(ticket))
        .route("/follow/{token}/events", get(events))
        .route("/follow/{token}/qr.svg", get(qr))
}

#[cfg(test)]
mod tests {
    use super::without_token;

    #[test]
    fn tokens_stay_out_of_the_log() {
        let token = "0123456789abcdef0123456789abcdef";
        for (path, logged) in [
            (format!("/t/{token}"), "/t/…"),
            (format!("/api/v1/follow/{token}"), "/api/v1/follow/…"),
            (
                format!("/api/v1/follow/{token}/events"),
                "/api/v1/follow/…/events",
            ),
            (
                format!("/api/v1/follow/{token}/qr.svg"),
                "/api/v1/follow/…/qr.svg",
            ),
            ("/api/v1/follow/end".to_owned(), "/api/v1/follow/end"),
            ("/api/v1/queue".to_owned(), "/api/v1/queue"),
            ("/reception".to_owned(), "/reception"),
        ] {
            assert_eq!(without_token(&path), logged);
        }
    }
}
