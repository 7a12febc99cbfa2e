//! `GET /insights` and `GET /insights/responses.csv` (staff): survey and
//! wait figures for a period of clinic days.

use crate::auth::Staff;
use crate::error::AppError;
use crate::state::AppState;
use axum::routing::get;
use axum::Router;
use axum::{
    extract::{Query, State},
    http::header,
    response::{IntoResponse, Response},
    Json,
};
use serde::Deserialize;
use std::collections::BTreeMap;
#[allow(unused_imports)]
use waitwell_core::contract::ApiError;
use waitwell_core::contract::ErrorCode;
use waitwell_core::contract::{Comment, Insights, PeriodPoint, ThanksCount, Theme, ThemeCount};
use waitwell_core::date::Date;
use waitwell_core::insights::{happy_index, mean, nps, percentile};

/// The longest period one request may cover.
pub const MAX_DAYS: i32 = 366;

#[derive(Debug, Deserialize)]
pub struct Period {
    from: Option<String>,
    to: Option<String>,
    /// Only comments containing this text (case-insensitive).
    q: Option<String>,
}

#[derive(sqlx::FromRow)]
struct ResponseRow {
    created_at: i64,
    day: String,
    hour: i64,
    rating: i64,
    recommend: Option<i64>,
    better: String,
    went_well: String,
    comment: Option<String>,
    thanks: Option<String>,
    talk_to_someone: bool,
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

async fn responses(state: &AppState, from: Date, to: Date) -> Result<Vec<ResponseRow>, AppError> {
    Ok(sqlx::query_as(
        "SELECT created_at, day, hour, rating, recommend, better, went_well, comment, thanks, talk_to_someone
         FROM survey_responses WHERE day BETWEEN ? AND ? ORDER BY created_at DESC, rowid DESC",
    )
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(&state.db)
    .await?)
}

fn themes(json: &str) -> Vec<Theme> {
    serde_json::from_str(json).unwrap_or_default()
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
    _staff: Staff,
    Query(query): Query<Period>,
) -> Result<Json<Insights>, AppError> {
    let (from, to) = period(&state, &query)?;
    let rows = responses(&state, from, to).await?;
    let rating = |r: &ResponseRow| u8::try_from(r.rating).unwrap_or(0);

    let ratings: Vec<u8> = rows.iter().map(rating).collect();
    let scores: Vec<u8> = rows
        .iter()
        .filter_map(|r| r.recommend.and_then(|n| u8::try_from(n).ok()))
        .collect();
    let count_themes = |pick: fn(&ResponseRow) -> &str| {
        let mut counts: BTreeMap<Theme, u32> = BTreeMap::new();
        for row in &rows {
            for theme in themes(pick(row)) {
                *counts.entry(theme).or_default() += 1;
            }
        }
        let mut ranked: Vec<ThemeCount> = counts
            .into_iter()
            .map(|(theme, count)| ThemeCount { theme, count })
            .collect();
        ranked.sort_by(|a, b| b.count.cmp(&a.count).then(a.theme.cmp(&b.theme)));
        ranked
    };
    let needle = query
        .q
        .as_deref()
        .map(str::to_lowercase)
        .filter(|q| !q.trim().is_empty());
    let comments = rows
        .iter()
        .filter_map(|r| r.comment.as_ref().map(|c| (r, c)))
        .filter(|(_, c)| needle.as_ref().is_none_or(|q| c.to_lowercase().contains(q)))
        .take(500)
        .map(|(r, c)| Comment {
            at: crate::clock::rfc3339(r.created_at),
            rating: rating(r),
            text: c.clone(),
        })
        .collect();
    let staff = &state.settings.site.survey.staff;
    let mut thanks: BTreeMap<String, u32> = BTreeMap::new();
    for id in rows.iter().filter_map(|r| r.thanks.as_ref()) {
        let name = staff
            .iter()
            .find(|s| &s.id == id)
            .map_or(id.clone(), |s| s.name.clone());
        *thanks.entry(name).or_default() += 1;
    }
    let mut thanks: Vec<ThanksCount> = thanks
        .into_iter()
        .map(|(staff, count)| ThanksCount { staff, count })
        .collect();
    thanks.sort_by(|a, b| b.count.cmp(&a.count).then(a.staff.cmp(&b.staff)));

    let alerts: Vec<(i64, Option<i64>)> = sqlx::query_as(
        "SELECT a.raised_at, a.acknowledged_at FROM alerts a
         JOIN survey_responses r ON r.id = a.response_id
         WHERE a.kind = 'talk_to_me' AND r.day BETWEEN ? AND ?",
    )
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(&state.db)
    .await?;
    let ack_minutes: Vec<u32> = alerts
        .iter()
        .filter_map(|(raised, ack)| {
            ack.map(|a| u32::try_from((a - raised).max(0) / 60).unwrap_or(u32::MAX))
        })
        .collect();

    let waits: Vec<i64> = sqlx::query_scalar(
        "SELECT called_at - created_at FROM tickets WHERE day BETWEEN ? AND ? AND called_at IS NOT NULL",
    )
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(&state.db)
    .await?;
    let waits: Vec<u32> = waits
        .into_iter()
        .map(|s| u32::try_from(s.max(0) / 60).unwrap_or(u32::MAX))
        .collect();
    // Never seen: no-shows, and tickets still open at the end of a past day.
    let left: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM tickets WHERE day BETWEEN ? AND ?
           AND (status = 'no_show' OR (status IN ('waiting', 'called') AND day < ?))",
    )
    .bind(from.to_string())
    .bind(to.to_string())
    .bind(state.today())
    .fetch_one(&state.db)
    .await?;

    let points = |key: &dyn Fn(&ResponseRow) -> String| {
        let mut grouped: BTreeMap<String, Vec<u8>> = BTreeMap::new();
        for row in &rows {
            grouped.entry(key(row)).or_default().push(rating(row));
        }
        grouped
            .into_iter()
            .map(|(label, ratings)| PeriodPoint {
                label,
                responses: u32::try_from(ratings.len()).unwrap_or(u32::MAX),
                happy_index: happy_index(&ratings),
            })
            .collect::<Vec<_>>()
    };
    let daily = points(&|r| r.day.clone());
    let by_hour = points(&|r| format!("{:02}", r.hour));

    Ok(Json(Insights {
        from,
        to,
        responses: u32::try_from(rows.len()).unwrap_or(u32::MAX),
        happy_index: happy_index(&ratings),
        nps: nps(&scores),
        better: count_themes(|r| &r.better),
        went_well: count_themes(|r| &r.went_well),
        comments,
        thanks,
        alerts_raised: u32::try_from(alerts.len()).unwrap_or(u32::MAX),
        alerts_acknowledged: u32::try_from(ack_minutes.len()).unwrap_or(u32::MAX),
        median_ack_minutes: percentile(&ack_minutes, 50),
        average_wait_minutes: mean(&waits),
        p90_wait_minutes: percentile(&waits, 90),
        left_without_being_seen: u32::try_from(left).unwrap_or(0),
        daily,
        by_hour,
    }))
}

/// A CSV cell: quoted, and defused if a spreadsheet would read it as a
/// formula.
fn cell(text: &str) -> String {
    let defused = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    format!("\"{}\"", defused.replace('"', "\"\""))
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
    _staff: Staff,
    Query(query): Query<Period>,
) -> Result<Response, AppError> {
    let (from, to) = period(&state, &query)?;
    let rows = responses(&state, from, to).await?;
    let staff = &state.settings.site.survey.staff;
    let join = |json: &str| {
        themes(json)
            .iter()
            .map(|t| t.as_str())
            .collect::<Vec<_>>()
            .join(";")
    };
    let mut out =
        String::from("time,day,rating,recommend,better,went_well,comment,thanks,talk_to_someone\n");
    for r in rows.iter().rev() {
        let thanks = r
            .thanks
            .as_ref()
            .map(|id| {
                staff
                    .iter()
                    .find(|s| &s.id == id)
                    .map_or(id.clone(), |s| s.name.clone())
            })
            .unwrap_or_default();
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{},{}\n",
            cell(&crate::clock::rfc3339(r.created_at)),
            cell(&r.day),
            r.rating,
            r.recommend.map(|n| n.to_string()).unwrap_or_default(),
            cell(&join(&r.better)),
            cell(&join(&r.went_well)),
            cell(r.comment.as_deref().unwrap_or("")),
            cell(&thanks),
            r.talk_to_someone,
        ));
    }
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

/// This area's routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/insights", get(insights))
        .route("/insights/responses.csv", get(csv))
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn csv_cells_are_quoted_and_formulas_defused() {
        assert_eq!(cell("plain"), "\"plain\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell("-2+3"), "\"'-2+3\"");
    }
}
