//! `GET /offline-index`: today's appointments as a kiosk may keep them for
//! identifying patients while it cannot reach this server. Keyed argon2id
//! hashes of (surname key, birth date) and of the code stand in for the
//! patient's details; beside them only the masked hint a kiosk shows anyway.
//!
//! Each hash costs tens of milliseconds on purpose, so they are made once
//! per appointment and day ([`HashCache`]), off the request threads, and
//! housekeeping makes today's ahead of the kiosks' first fetch ([`warm`]).

use crate::auth::Device;
use crate::error::AppError;
use crate::state::AppState;
use crate::store::appointments;
use axum::routing::get;
use axum::Router;
use axum::{extract::State, http::header, response::IntoResponse, Json};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Mutex;
use waitwell_core::contract::{AppointmentHint, IndexedAppointment, OfflineIndex};
use waitwell_core::date::Date;
use waitwell_core::offline::{index_entry, INDEX_HASH};

/// One appointment's hashes, by what they are made from; for one salt (a
/// new day's salt empties it).
#[derive(Default)]
pub struct HashCache {
    inner: Mutex<(String, HashMap<[u8; 32], IndexedAppointment>)>,
}

/// What an appointment's hashes are made from, for the cache's key.
struct Source {
    key: [u8; 32],
    family_name: String,
    birth_date: Date,
    code: String,
}

fn source_key(salt: &str, family_name: &str, birth_date: &str, code: &str) -> [u8; 32] {
    let mut hasher = Sha256::new();
    for part in [salt, family_name, birth_date, code] {
        hasher.update(part.as_bytes());
        hasher.update([0u8]);
    }
    hasher.finalize().into()
}

/// The hashes of each source (by position), from the cache or made now on
/// the blocking pool.
async fn hashes_for(
    cache: &HashCache,
    salt: &str,
    sources: Vec<Source>,
) -> Result<Vec<IndexedAppointment>, AppError> {
    let poisoned = || AppError::Corrupt("the index hash cache".into());
    let mut missing = Vec::new();
    {
        let mut guard = cache.inner.lock().map_err(|_| poisoned())?;
        if guard.0 != salt {
            *guard = (salt.to_owned(), HashMap::new());
        }
        for source in &sources {
            if !guard.1.contains_key(&source.key) {
                missing.push((
                    source.key,
                    source.family_name.clone(),
                    source.birth_date,
                    source.code.clone(),
                ));
            }
        }
    }
    let made: HashMap<[u8; 32], IndexedAppointment> = if missing.is_empty() {
        HashMap::new()
    } else {
        let salt = salt.to_owned();
        tokio::task::spawn_blocking(move || {
            missing
                .into_iter()
                .map(|(key, family_name, birth_date, code)| {
                    let no_hint = AppointmentHint {
                        appointment: String::new(),
                        initials: String::new(),
                        time: String::new(),
                        clinician: String::new(),
                        ticket: None,
                        line: None,
                    };
                    (
                        key,
                        index_entry(&salt, &family_name, birth_date, &code, no_hint),
                    )
                })
                .collect()
        })
        .await
        .map_err(|_| AppError::Corrupt("making index hashes".into()))?
    };
    let mut guard = cache.inner.lock().map_err(|_| poisoned())?;
    // The day may have turned meanwhile: then answer from what was made
    // without keeping it.
    if guard.0 == salt {
        guard.1.extend(made.iter().map(|(k, e)| (*k, e.clone())));
    }
    sources
        .iter()
        .map(|s| {
            guard
                .1
                .get(&s.key)
                .or_else(|| made.get(&s.key))
                .cloned()
                .ok_or_else(|| AppError::Corrupt("an index hash went missing".into()))
        })
        .collect()
}

/// Today's index (hashes from the cache, made where missing).
async fn build(state: &AppState) -> Result<OfflineIndex, AppError> {
    let day = state.today();
    let salt = day_salt(&state.secret, &day);
    let rows = appointments::for_index(&mut *state.db.acquire().await?, &day).await?;
    let mut sources = Vec::with_capacity(rows.len());
    for row in &rows {
        let birth_date: Date = row.birth_date.parse().map_err(|_| {
            AppError::Corrupt(format!("appointment {} birth date", row.appointment.id))
        })?;
        sources.push(Source {
            key: source_key(
                &salt,
                &row.appointment.family_name,
                &row.birth_date,
                &row.code,
            ),
            family_name: row.appointment.family_name.clone(),
            birth_date,
            code: row.code.clone(),
        });
    }
    let hashed = hashes_for(&state.index_hashes, &salt, sources).await?;
    let appointments = rows
        .iter()
        .zip(hashed)
        .enumerate()
        .map(|(n, (row, hashed))| IndexedAppointment {
            // Whether it is checked in already is left out: the index is a
            // fallback, and the server answers that when the entry arrives.
            hint: row.appointment.hint(n + 1, None),
            ..hashed
        })
        .collect();
    Ok(OfflineIndex {
        day,
        salt,
        hash: INDEX_HASH.to_owned(),
        appointments,
    })
}

/// Makes today's hashes ahead of the kiosks' first fetch (housekeeping).
pub async fn warm(state: &AppState) -> Result<usize, AppError> {
    Ok(build(state).await?.appointments.len())
}

#[utoipa::path(get, path = "/api/v1/offline-index", tag = "kiosk",
    security(("device_credential" = [])),
    responses(
        (status = 200, description = "Today's appointments as keyed argon2id hashes with masked hints, for offline check-in", body = OfflineIndex),
        (status = 401, description = "Not an enrolled device (device_not_enrolled)", body = waitwell_core::contract::ApiError),
        (status = 403, description = "Not a check-in kiosk (wrong_device_role)", body = waitwell_core::contract::ApiError),
    ))]
/// `GET /offline-index`: for enrolled check-in kiosks only.
pub async fn offline_index(
    State(state): State<AppState>,
    device: Device,
) -> Result<impl IntoResponse, AppError> {
    device.require(waitwell_core::Surface::CheckIn)?;
    let index = build(&state).await?;
    // Personal data in hashed form: no cache but the kiosk's own store.
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(index)))
}

/// One salt per installation and day, so an index is worthless against
/// another day's or another clinic's.
fn day_salt(secret: &[u8; 32], day: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(secret);
    hasher.update(b"\0offline-index\0");
    hasher.update(day.as_bytes());
    hex::encode(&hasher.finalize()[..16])
}

/// This area's routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/offline-index", get(offline_index))
}
