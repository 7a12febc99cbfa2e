//! Exit surveys: `PUT /surveys/{id}` (the kiosk's own id, so every retry and
//! every follow-up lands on the same response), and the alerts they raise
//! for reception.

use super::extract::{ApiJson, ClientIp};
use crate::auth::{Device, Staff};
use crate::error::AppError;
use crate::limits::Budget;
use crate::state::AppState;
use crate::store::surveys;
use axum::routing::{self, get, post};
use axum::Router;
use axum::{
    extract::{Path, State},
    http::StatusCode,
    Json,
};
#[allow(unused_imports)]
use waitwell_core::contract::ApiError;
use waitwell_core::contract::{limits, Alert, AlertKind, SurveyResponse};
use waitwell_core::contract::{AccessAction, ErrorCode};
use waitwell_core::survey::LOW_RATING;
use waitwell_core::text::clean_text;

#[utoipa::path(put, path = "/api/v1/surveys/{id}", tag = "kiosk",
    params(("id" = String, Path, description = "A UUID the kiosk made for this response; every follow-up is sent again, whole, under it")),
    security(("device_credential" = [])),
    request_body = SurveyResponse,
    responses(
        (status = 204, description = "Stored (created or updated)"),
        (status = 401, description = "Not an enrolled device (device_not_enrolled)", body = ApiError),
        (status = 403, description = "Not a survey or check-in tablet (wrong_device_role)", body = ApiError),
        (status = 400, description = "Invalid response (codes: invalid_id, invalid_rating, invalid_recommend, invalid_comment, invalid_thanks, invalid_first_name, invalid_body)", body = ApiError),
        (status = 429, description = "Too many writes, or new alerts, from this address (too_many_requests); see Retry-After", body = ApiError),
    ))]
pub async fn put(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    device: Device,
    Path(id): Path<String>,
    ApiJson {
        value: response, ..
    }: ApiJson<SurveyResponse>,
) -> Result<StatusCode, AppError> {
    device.require(waitwell_core::Surface::Survey)?;
    state.limits.take(Budget::Write, ip)?;
    let id = uuid::Uuid::try_parse(&id)
        .map_err(|_| AppError::bad_request(ErrorCode::InvalidId, "a survey id is a UUID"))?
        .hyphenated()
        .to_string();
    let valid = validate(&state, response)?;
    let now = state.local_now();
    let day = now.date().to_string();
    let at = surveys::StoredAt {
        unix: now.timestamp().as_second(),
        day: &day,
        hour: u8::try_from(now.hour()).unwrap_or(0),
    };
    let mut tx = crate::store::begin_write(&state.db).await?;
    let raised = surveys::put(&mut tx, &id, &valid, at).await?;
    state.hub.schedule().record_survey(&mut tx, &id).await?;
    if raised {
        // A new alert costs from its own budget; refused, nothing is kept
        // (the transaction rolls back) and the kiosk's outbox tries later.
        state.limits.take(Budget::Alert, ip)?;
    }
    tx.commit().await?;
    // A new alert, or a change to one reception already shows (the patient
    // added their first name): tell reception to refetch.
    if raised || valid.talk_to_someone || valid.thanks.is_some() {
        state.hub.alert();
    }
    Ok(StatusCode::NO_CONTENT)
}

fn validate(state: &AppState, mut r: SurveyResponse) -> Result<SurveyResponse, AppError> {
    let bad = |code: ErrorCode, message: &str| AppError::bad_request(code, message);
    if !(1..=4).contains(&r.rating) {
        return Err(bad(ErrorCode::InvalidRating, "rating is 1 to 4"));
    }
    if r.recommend.is_some_and(|n| n > 10) {
        return Err(bad(ErrorCode::InvalidRecommend, "recommend is 0 to 10"));
    }
    for themes in [&mut r.better, &mut r.went_well] {
        themes.sort_unstable();
        themes.dedup();
    }
    if let Some(comment) = &r.comment {
        let text = comment.trim();
        // Line breaks are fine; other control characters are not text.
        let clean = text.chars().count() <= limits::COMMENT_CHARS
            && !text
                .chars()
                .any(|c| c.is_control() && c != '\n' && c != '\t');
        if !clean {
            return Err(bad(
                ErrorCode::InvalidComment,
                "a comment has at most 500 characters of text",
            ));
        }
        // Markup is kept as typed: it is only ever shown as text.
        r.comment = (!text.is_empty()).then(|| text.to_owned());
    }
    if let Some(thanks) = &r.thanks {
        if !state
            .settings
            .site
            .survey
            .staff
            .iter()
            .any(|s| &s.id == thanks)
        {
            return Err(bad(
                ErrorCode::InvalidThanks,
                "thanks must name a configured member of staff",
            ));
        }
    }
    if let Some(name) = &r.first_name {
        let name = clean_text(name, limits::FIRST_NAME_CHARS).ok_or_else(|| {
            bad(
                ErrorCode::InvalidFirstName,
                "a first name has 1 to 40 characters",
            )
        })?;
        // Typed on the kiosk's capitals-only keyboard: as people write it.
        r.first_name = Some(waitwell_core::walk_in::natural_case(&name));
    }
    // Asking to talk only follows a low rating.
    r.talk_to_someone &= r.rating <= LOW_RATING;
    Ok(r)
}

#[utoipa::path(get, path = "/api/v1/alerts", tag = "staff", security(("staff_session" = [])),
    responses(
        (status = 200, description = "Open alerts, then today's acknowledged ones", body = Vec<Alert>),
        (status = 401, description = "Not signed in", body = ApiError),
    ))]
/// `GET /alerts` (staff): open alerts, and today's acknowledged ones.
pub async fn list(
    State(state): State<AppState>,
    _staff: Staff,
) -> Result<Json<Vec<Alert>>, AppError> {
    let rows = surveys::alerts(&state.db, &state.today()).await?;
    let staff = &state.settings.site.survey.staff;
    Ok(Json(
        rows.into_iter()
            .map(|row| {
                let kind = AlertKind::parse(&row.kind)
                    .ok_or_else(|| AppError::Corrupt(format!("alert {} kind", row.id)))?;
                let talk = kind == AlertKind::TalkToMe;
                Ok(Alert {
                    id: row.id,
                    raised_at: crate::clock::rfc3339(row.raised_at),
                    rating: talk.then(|| u8::try_from(row.rating).unwrap_or(0)),
                    first_name: if talk { row.first_name } else { None },
                    staff_name: if talk {
                        None
                    } else {
                        row.thanks.and_then(|id| {
                            staff.iter().find(|s| s.id == id).map(|s| s.name.clone())
                        })
                    },
                    acknowledged_at: row.acknowledged_at.map(crate::clock::rfc3339),
                    kind,
                })
            })
            .collect::<Result<_, AppError>>()?,
    ))
}

#[utoipa::path(post, path = "/api/v1/alerts/{id}/ack", tag = "staff", security(("staff_session" = [])),
    params(("id" = i64, Path)),
    responses(
        (status = 204, description = "Acknowledged"),
        (status = 401, description = "Not signed in", body = ApiError),
        (status = 404, description = "No such alert", body = ApiError),
    ))]
/// `POST /alerts/{id}/ack` (staff).
pub async fn acknowledge(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Result<StatusCode, AppError> {
    if !surveys::acknowledge(&state.db, id, state.now().as_second()).await? {
        return Err(AppError::not_found(
            ErrorCode::UnknownAlert,
            "no such alert",
        ));
    }
    state.hub.alert();
    staff
        .log(
            &state,
            AccessAction::AlertAcknowledged,
            format!("alert {id}"),
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// This area's routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/surveys/{id}", routing::put(put))
        .route("/alerts", get(list))
        .route("/alerts/{id}/ack", post(acknowledge))
}
