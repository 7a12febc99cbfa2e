//! Delay notices: staff post "Dr. Lee is running about 20 minutes late" and
//! clear it; the board shows today's open notices in each patient's language.

use super::extract::ApiJson;
use crate::auth::Staff;
use crate::error::AppError;
use crate::state::AppState;
use crate::store::notices;
use axum::routing;
use axum::Router;
use axum::{
    extract::{Path, State},
    http::StatusCode,
    Json,
};
use waitwell_core::contract::{limits, ApiError, DelayNotice, NewDelayNotice};
use waitwell_core::contract::{AccessAction, ErrorCode};
use waitwell_core::text::clean_text;

#[utoipa::path(post, path = "/api/v1/notices", tag = "staff", security(("staff_session" = [])),
    request_body = NewDelayNotice,
    responses(
        (status = 201, description = "Posted; the board shows it at once", body = DelayNotice),
        (status = 400, description = "Invalid notice (codes: invalid_body, invalid_clinician, invalid_minutes)", body = ApiError),
        (status = 401, description = "Not signed in", body = ApiError),
    ))]
/// `POST /notices` (staff).
pub async fn post(
    State(state): State<AppState>,
    staff: Staff,
    ApiJson { value: notice, .. }: ApiJson<NewDelayNotice>,
) -> Result<(StatusCode, Json<DelayNotice>), AppError> {
    let clinician = clean_text(&notice.clinician, limits::CLINICIAN_CHARS).ok_or_else(|| {
        AppError::bad_request(
            ErrorCode::InvalidClinician,
            "a clinician's name has 1 to 60 characters",
        )
    })?;
    if !limits::DELAY_MINUTES.contains(&notice.minutes) {
        return Err(AppError::bad_request(
            ErrorCode::InvalidMinutes,
            "a delay is 5 to 240 minutes",
        ));
    }
    let id = notices::post(
        &state.db,
        &state.today(),
        &clinician,
        notice.minutes,
        state.now().as_second(),
    )
    .await?;
    state.hub.notices_changed();
    staff
        .log(
            &state,
            AccessAction::NoticePosted,
            format!("{clinician}: {} min", notice.minutes),
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(DelayNotice {
            id,
            clinician,
            minutes: notice.minutes,
        }),
    ))
}

#[utoipa::path(delete, path = "/api/v1/notices/{id}", tag = "staff", security(("staff_session" = [])),
    params(("id" = i64, Path, description = "The notice")),
    responses(
        (status = 204, description = "Cleared (clearing twice is fine)"),
        (status = 401, description = "Not signed in", body = ApiError),
        (status = 404, description = "No such notice (code: unknown_notice)", body = ApiError),
    ))]
/// `DELETE /notices/{id}` (staff).
pub async fn clear(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Result<StatusCode, AppError> {
    if !notices::clear(&state.db, id, state.now().as_second()).await? {
        return Err(AppError::not_found(
            ErrorCode::UnknownNotice,
            "no such notice",
        ));
    }
    state.hub.notices_changed();
    staff
        .log(&state, AccessAction::NoticeCleared, format!("notice {id}"))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// This area's routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/notices", routing::post(post))
        .route("/notices/{id}", routing::delete(clear))
}
