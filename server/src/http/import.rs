//! `POST /appointments/import` (staff): a day's schedule as JSON or CSV.
//! All or nothing: one broken row refuses the whole import, naming the row.

use super::extract::{IdempotencyKey, RawBody};
use crate::auth::Staff;
use crate::error::AppError;
use crate::schedule::normalise_code;
use crate::state::AppState;
use crate::store::{appointments, idempotency};
use axum::routing::post;
use axum::{extract::DefaultBodyLimit, Router};
use axum::{
    extract::State,
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
#[allow(unused_imports)]
use waitwell_core::contract::ApiError;
use waitwell_core::contract::{limits, AppointmentImport, ImportResult, ImportedAppointment};
use waitwell_core::contract::{AccessAction, ErrorCode};
use waitwell_core::date::Date;
use waitwell_core::text::clean_text;

#[utoipa::path(post, path = "/api/v1/appointments/import", tag = "staff", security(("staff_session" = [])),
    params(("Idempotency-Key" = String, Header, description = "A UUID made by the client")),
    request_body(content(
        (AppointmentImport = "application/json"),
        (String = "text/csv"),
    )),
    responses(
        (status = 200, description = "Imported: appointments matched by code were updated, others added", body = ImportResult),
        (status = 400, description = "A broken row or appointment, named in the message (codes: invalid_csv, invalid_body, invalid_appointment, too_many_rows)", body = ApiError),
        (status = 401, description = "Not signed in", body = ApiError),
        (status = 415, description = "Neither JSON nor CSV", body = ApiError),
        (status = 422, description = "An external_id already used by another appointment, or a reused Idempotency-Key", body = ApiError),
    ))]
pub async fn import(
    State(state): State<AppState>,
    staff: Staff,
    IdempotencyKey(key): IdempotencyKey,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> Result<Response, AppError> {
    let hash = idempotency::request_hash("POST /appointments/import", &body);
    if let Some(stored) = idempotency::find(&mut *state.db.acquire().await?, &key, &hash).await? {
        return Ok(stored.into_response());
    }
    let (day, rows) = parse_body(&headers, &body)?;
    let today: Date = state
        .today()
        .parse()
        .map_err(|_| AppError::Corrupt("today is not a date".into()))?;
    let day = day.unwrap_or(today);
    let rows = validate(&state, rows)?;

    let mut tx = crate::store::begin_write(&state.db).await?;
    let (added, updated) = store_rows(&mut tx, day, &rows).await?;
    let result = ImportResult {
        day,
        added,
        updated,
    };
    let body = serde_json::to_string(&result).map_err(|e| AppError::Corrupt(e.to_string()))?;
    let now = state.now().as_second();
    idempotency::record(&mut tx, &key, &hash, StatusCode::OK, &body, now).await?;
    tx.commit().await?;
    staff
        .log(
            &state,
            AccessAction::ScheduleImported,
            format!("{day}: {added} added, {updated} updated"),
        )
        .await?;
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response())
}

/// The schedule's day (if it names one) and rows, from JSON or CSV.
fn parse_body(
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(Option<Date>, Vec<ImportedAppointment>), AppError> {
    let media = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    match media.as_str() {
        "application/json" => {
            let import: AppointmentImport = serde_json::from_slice(body)
                .map_err(|e| AppError::bad_request(ErrorCode::InvalidBody, e.to_string()))?;
            Ok((import.day, import.appointments))
        }
        "text/csv" => Ok((None, parse_csv(body)?)),
        _ => Err(AppError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::UnsupportedMediaType,
            "send the schedule as application/json or text/csv",
        )),
    }
}

/// Adds or updates each row by (day, code); how many were added and
/// updated.
async fn store_rows(
    tx: &mut sqlx::SqliteConnection,
    day: Date,
    rows: &[ValidRow],
) -> Result<(u32, u32), AppError> {
    let (mut added, mut updated) = (0u32, 0u32);
    for row in rows {
        if let Some(external_id) = &row.source.external_id {
            if appointments::external_id_taken(tx, day, external_id, &row.code).await? {
                return Err(AppError::unprocessable(
                    ErrorCode::ExternalIdTaken,
                    format!(
                        "row {}: external_id is already used by another appointment",
                        row.number
                    ),
                ));
            }
        }
        let kiosk_ref =
            crate::store::random_token(16).map_err(|e| AppError::Corrupt(e.to_string()))?;
        if appointments::upsert(tx, day, &row.source, &row.code, &kiosk_ref).await? {
            updated += 1;
        } else {
            added += 1;
        }
    }
    Ok((added, updated))
}

/// Parses a CSV schedule with a header row naming the columns of
/// `ImportedAppointment`. Any broken row is an error naming it.
pub fn parse_csv(bytes: &[u8]) -> Result<Vec<ImportedAppointment>, AppError> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let mut rows = Vec::new();
    for (i, record) in reader.deserialize::<ImportedAppointment>().enumerate() {
        if rows.len() >= limits::IMPORT_ROWS {
            return Err(too_many());
        }
        // Row 1 is the header.
        let row = record.map_err(|e| {
            let what = match e.kind() {
                csv::ErrorKind::Deserialize { err, .. } => err.to_string(),
                csv::ErrorKind::UnequalLengths { .. } => "wrong number of fields".to_owned(),
                csv::ErrorKind::Utf8 { .. } => "not UTF-8 text".to_owned(),
                _ => "unreadable".to_owned(),
            };
            AppError::bad_request(ErrorCode::InvalidCsv, format!("row {}: {what}", i + 2))
        })?;
        rows.push(row);
    }
    Ok(rows)
}

fn too_many() -> AppError {
    AppError::bad_request(
        ErrorCode::TooManyRows,
        format!(
            "an import holds at most {} appointments",
            limits::IMPORT_ROWS
        ),
    )
}

struct ValidRow {
    number: usize,
    code: String,
    source: ImportedAppointment,
}

fn validate(state: &AppState, rows: Vec<ImportedAppointment>) -> Result<Vec<ValidRow>, AppError> {
    if rows.len() > limits::IMPORT_ROWS {
        return Err(too_many());
    }
    let mut seen_codes = std::collections::HashSet::new();
    let mut seen_external = std::collections::HashSet::new();
    let mut valid = Vec::with_capacity(rows.len());
    for (i, mut a) in rows.into_iter().enumerate() {
        let number = i + 1;
        let bad = |what: &str| {
            AppError::bad_request(
                ErrorCode::InvalidAppointment,
                format!("appointment {number}: {what}"),
            )
        };
        if a.starts_at.len() != 5 || a.starts_at.parse::<jiff::civil::Time>().is_err() {
            return Err(bad("starts_at must be HH:MM"));
        }
        if clean_text(&a.family_name, limits::FAMILY_NAME_CHARS).is_none()
            || waitwell_core::names::surname_key(&a.family_name).is_empty()
        {
            return Err(bad("family_name needs 1 to 100 characters with a letter"));
        }
        if clean_text(&a.given_name, limits::FAMILY_NAME_CHARS).is_none() {
            return Err(bad("given_name needs 1 to 100 characters"));
        }
        if clean_text(&a.clinician, limits::CLINICIAN_CHARS).is_none() {
            return Err(bad("clinician needs 1 to 60 characters"));
        }
        if state.settings.line(a.line).is_none() {
            return Err(bad("line is not one of the site's lines"));
        }
        if let Some(external_id) = &a.external_id {
            if clean_text(external_id, limits::EXTERNAL_ID_CHARS).is_none()
                || !seen_external.insert(external_id.clone())
            {
                return Err(bad("external_id must be 1 to 64 characters and unique"));
            }
        }
        let code = match a.code.take() {
            Some(code) => normalise_code(&code)
                .ok_or_else(|| bad("code must be 4 to 12 letters and digits"))?,
            None => new_code()?,
        };
        if !seen_codes.insert(code.clone()) {
            return Err(bad("code appears twice in this import"));
        }
        a.code = Some(code.clone());
        valid.push(ValidRow {
            number,
            code,
            source: a,
        });
    }
    Ok(valid)
}

/// A random appointment code: 6 characters, none that read alike (0/O, 1/I).
fn new_code() -> Result<String, AppError> {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 6];
    getrandom::fill(&mut bytes).map_err(|e| AppError::Corrupt(e.to_string()))?;
    Ok(bytes
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
        .collect())
}

/// This area's routes.
pub fn router() -> Router<AppState> {
    Router::new().route(
        "/appointments/import",
        post(import).layer(DefaultBodyLimit::max(limits::IMPORT_BYTES)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const CSV: &str =
        "starts_at,family_name,given_name,birth_date,clinician,line,code,external_id\n\
        09:30,García López,María,1980-04-12,Dr. Lee,A,GAR4K7,e-1\n\
        10:00,O'Brien,Sean,1975-09-30,Dr. Patel,A,,\n";

    #[test]
    fn csv_rows_decode_with_optional_columns() {
        let rows = parse_csv(CSV.as_bytes()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].family_name, "García López");
        assert_eq!(rows[0].code.as_deref(), Some("GAR4K7"));
        assert_eq!(rows[1].code, None);
        assert_eq!(rows[1].external_id, None);
    }

    #[test]
    fn broken_csv_rows_are_named() {
        let cases = [
            ("09:30,García,María,1980-02-30,Dr. Lee,A,,\n", "row 2"),
            ("09:30,García,María,1980-02-01,Dr. Lee,a,,\n", "row 2"),
            ("09:30,García\n", "row 2"),
        ];
        for (row, expected) in cases {
            let csv = format!("starts_at,family_name,given_name,birth_date,clinician,line,code,external_id\n{row}");
            match parse_csv(csv.as_bytes()) {
                Err(AppError::Client { code, message, .. }) => {
                    assert_eq!(code, ErrorCode::InvalidCsv);
                    assert!(message.starts_with(expected), "{message}");
                }
                other => panic!("{row}: {other:?}"),
            }
        }
    }

    #[test]
    fn made_up_codes_are_valid_codes() {
        for _ in 0..100 {
            let code = new_code().unwrap();
            assert_eq!(normalise_code(&code).as_deref(), Some(code.as_str()));
        }
    }

    proptest! {
        #[test]
        fn csv_decoding_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
            let _ = parse_csv(&bytes);
        }

        #[test]
        fn csv_with_a_valid_header_and_random_rows_never_panics(rows in ".{0,300}") {
            let csv = format!("starts_at,family_name,given_name,birth_date,clinician,line,code,external_id\n{rows}");
            let _ = parse_csv(csv.as_bytes());
        }
    }
}
