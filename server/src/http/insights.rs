//! `GET /insights` and `GET /insights/responses.csv` (staff): survey and
//! wait figures for a period of clinic days.

use crate::auth::Staff;
use crate::clock::rfc3339;
use crate::error::AppError;
use crate::state::AppState;
use crate::store::{staff as staff_store, surveys, tickets};
use axum::routing::get;
use axum::Router;
use axum::{
    extract::{Query, State},
    http::header,
    response::{IntoResponse, Response},
    Json,
};
use jiff::Timestamp;
use serde::Deserialize;
#[allow(unused_imports)]
use waitwell_core::contract::ApiError;
use waitwell_core::contract::{AccessAction, ErrorCode};
use waitwell_core::contract::{AccessEntry, AccessLog, Insights, Theme};
use waitwell_core::date::Date;
use waitwell_core::insights::{self, Answer, PeriodFacts};

/// The longest period one request may cover.
pub const MAX_DAYS: i32 = 366;

#[derive(Debug, Deserialize)]
pub struct Period {
    from: Option<String>,
    to: Option<String>,
    /// Only comments containing this text (case-insensitive).
    q: Option<String>,
}

fn period(state: &AppState, p: &Period) -> Result<(Date, Date), AppError> {
    let today: Date = state
        .today()
        .parse()
        .map_err(|_| AppError::Corrupt("today".into()))?;
    let parse = |s: &Option<String>| -> Result<Date, AppError> {
        match s {
            None => Ok(today),
            Some(s) => s.parse().map_err(|_| {
                AppError::bad_request(
                    ErrorCode::InvalidPeriod,
                    "from and to are dates, YYYY-MM-DD",
                )
            }),
        }
    };
    let (from, to) = (parse(&p.from)?, parse(&p.to)?);
    let civil = |d: Date| {
        let year = i16::try_from(d.year()).unwrap_or(i16::MAX);
        jiff::civil::Date::new(year, d.month() as i8, d.day() as i8).ok()
    };
    let days = match (civil(from), civil(to)) {
        (Some(a), Some(b)) => a.until(b).map(|s| s.get_days()).unwrap_or(i32::MAX),
        _ => i32::MAX,
    };
    if from > to || days >= MAX_DAYS {
        return Err(AppError::bad_request(
            ErrorCode::InvalidPeriod,
            "from must not be after to, and a period covers at most 366 days",
        ));
    }
    Ok((from, to))
}

/// The display name of a member of staff by id (the id itself for one no
/// longer in the settings).
fn staff_name(state: &AppState, id: &str) -> String {
    state
        .settings
        .site
        .survey
        .staff
        .iter()
        .find(|s| s.id == id)
        .map_or_else(|| id.to_owned(), |s| s.name.clone())
}

fn whole_minutes(seconds: i64) -> u32 {
    u32::try_from(seconds.max(0) / 60).unwrap_or(u32::MAX)
}

#[utoipa::path(get, path = "/api/v1/insights", tag = "staff", security(("staff_session" = [])),
    params(
        ("from" = Option<String>, Query, description = "First day, YYYY-MM-DD (default today)"),
        ("to" = Option<String>, Query, description = "Last day, YYYY-MM-DD (default today); at most 366 days after from"),
        ("q" = Option<String>, Query, description = "Only comments containing this text"),
    ),
    responses(
        (status = 200, description = "Figures for the period", body = Insights),
        (status = 400, description = "Invalid period (code: invalid_period)", body = ApiError),
        (status = 401, description = "Not signed in", body = ApiError),
    ))]
pub async fn insights(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<Period>,
) -> Result<Json<Insights>, AppError> {
    let (from, to) = period(&state, &query)?;
    let answers: Vec<Answer> = surveys::responses(&state.db, from, to)
        .await?
        .into_iter()
        .map(|r| Answer {
            at: rfc3339(r.created_at),
            hour: u8::try_from(r.hour).unwrap_or(0),
            rating: u8::try_from(r.rating).unwrap_or(0),
            recommend: r.recommend.and_then(|n| u8::try_from(n).ok()),
            better: r.better(),
            went_well: r.went_well(),
            thanks: r.thanks.as_deref().map(|id| staff_name(&state, id)),
            comment: r.comment,
            day: r.day,
        })
        .collect();
    let alerts = surveys::talk_alert_times(&state.db, from, to).await?;
    let ack_minutes: Vec<u32> = alerts
        .iter()
        .filter_map(|(raised, ack)| ack.map(|a| whole_minutes(a - raised)))
        .collect();
    let (first, last) = (from.to_string(), to.to_string());
    let mut conn = state.db.acquire().await?;
    let waits: Vec<u32> = tickets::waits_between(&mut conn, &first, &last)
        .await?
        .into_iter()
        .map(whole_minutes)
        .collect();
    let never_seen = tickets::never_seen(&mut conn, &first, &last, &state.today()).await?;
    let facts = PeriodFacts {
        answers: &answers,
        comment_query: query.q.as_deref(),
        ack_minutes: &ack_minutes,
        alerts_raised: u32::try_from(alerts.len()).unwrap_or(u32::MAX),
        waits: &waits,
        left_without_being_seen: never_seen,
    };
    staff
        .log(
            &state,
            AccessAction::InsightsViewed,
            format!("{from} to {to}"),
        )
        .await?;
    Ok(Json(insights::summarise(from, to, &facts)))
}

/// A CSV text cell, defused if a spreadsheet would read it as a formula.
fn cell(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

#[utoipa::path(get, path = "/api/v1/insights/responses.csv", tag = "staff", security(("staff_session" = [])),
    params(
        ("from" = Option<String>, Query, description = "First day, YYYY-MM-DD (default today)"),
        ("to" = Option<String>, Query, description = "Last day, YYYY-MM-DD (default today)"),
    ),
    responses(
        (status = 200, description = "The period's responses, one per row, without first names", content_type = "text/csv", body = String),
        (status = 400, description = "Invalid period", body = ApiError),
        (status = 401, description = "Not signed in", body = ApiError),
    ))]
/// The period's responses, one per row, without first names.
pub async fn csv(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<Period>,
) -> Result<Response, AppError> {
    let (from, to) = period(&state, &query)?;
    let rows = surveys::responses(&state.db, from, to).await?;
    let names = |themes: Vec<Theme>| {
        themes
            .iter()
            .map(|t| t.as_str())
            .collect::<Vec<_>>()
            .join(";")
    };
    // Text cells are quoted (and defused by `cell`); numbers are not. The
    // header goes in by hand so that it reads as plain names.
    let mut out = csv::WriterBuilder::new()
        .quote_style(csv::QuoteStyle::NonNumeric)
        .from_writer(
            b"time,day,rating,recommend,better,went_well,comment,thanks,talk_to_someone\n".to_vec(),
        );
    let csv_error = |e: csv::Error| AppError::Corrupt(format!("csv: {e}"));
    for r in rows.iter().rev() {
        let thanks = r
            .thanks
            .as_deref()
            .map(|id| staff_name(&state, id))
            .unwrap_or_default();
        out.write_record([
            cell(&rfc3339(r.created_at)),
            cell(&r.day),
            r.rating.to_string(),
            r.recommend.map(|n| n.to_string()).unwrap_or_default(),
            cell(&names(r.better())),
            cell(&names(r.went_well())),
            cell(r.comment.as_deref().unwrap_or("")),
            cell(&thanks),
            r.talk_to_someone.to_string(),
        ])
        .map_err(csv_error)?;
    }
    let out = out
        .into_inner()
        .map_err(|e| AppError::Corrupt(format!("csv: {e}")))?;
    staff
        .log(
            &state,
            AccessAction::InsightsExported,
            format!("{from} to {to}: {} rows", rows.len()),
        )
        .await?;
    let filename = format!("attachment; filename=\"waitwell-responses-{from}-to-{to}.csv\"");
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, filename),
        ],
        out,
    )
        .into_response())
}

/// The most lines one access log answer holds.
pub const ACCESS_LOG_LINES: i64 = 1000;

#[utoipa::path(get, path = "/api/v1/insights/access-log", tag = "staff", security(("staff_session" = [])),
    params(
        ("from" = Option<String>, Query, description = "First day, YYYY-MM-DD (default today)"),
        ("to" = Option<String>, Query, description = "Last day, YYYY-MM-DD (default today)"),
    ),
    responses(
        (status = 200, description = "Who signed in and who looked at or changed what, newest first (at most 1,000 lines)", body = AccessLog),
        (status = 400, description = "Invalid period", body = ApiError),
        (status = 401, description = "Not signed in", body = ApiError),
        (status = 403, description = "Not a manager's account (manager_only)", body = ApiError),
    ))]
/// `GET /insights/access-log` (managers): the access log for a period.
/// Reading it is logged too.
pub async fn access_log(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<Period>,
) -> Result<Json<AccessLog>, AppError> {
    staff.require_manager()?;
    let (from, to) = period(&state, &query)?;
    let zone = &state.settings.time_zone;
    let start = |day: Date| {
        crate::clock::local_instant(zone, &day.to_string(), "00:00")
            .map(|t| t.as_second())
            .ok_or_else(|| AppError::Corrupt(format!("midnight of {day}")))
    };
    let until = to.next().map(start).transpose()?.unwrap_or(i64::MAX);
    staff
        .log(
            &state,
            AccessAction::AccessLogViewed,
            format!("{from} to {to}"),
        )
        .await?;
    let entries = staff_store::log_between(&state.db, start(from)?, until, ACCESS_LOG_LINES)
        .await?
        .into_iter()
        .map(|line| AccessEntry {
            at: Timestamp::from_second(line.at)
                .unwrap_or(Timestamp::UNIX_EPOCH)
                .to_zoned(zone.clone())
                .strftime("%Y-%m-%dT%H:%M:%S%:z")
                .to_string(),
            name: line.name,
            action: line.action,
            detail: line.detail,
        })
        .collect();
    Ok(Json(AccessLog { entries }))
}

/// This area's routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/insights", get(insights))
        .route("/insights/responses.csv", get(csv))
        .route("/insights/access-log", get(access_log))
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn csv_cells_are_quoted_and_formulas_defused() {
        assert_eq!(cell("plain"), "plain");
        assert_eq!(cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(cell("-2+3"), "'-2+3");
    }
}
