//! The bridge to a clinic's EHR over FHIR R4 (`--schedule fhir-r4`).
//!
//! The kiosks keep speaking the Waitwell contract; this server reads
//! today's schedule from the FHIR server into `store::appointments` (on
//! start, every `fhir.sync_seconds`, and before an identification answers
//! "no match"), so check-in, the offline index and the queue work as with
//! an imported schedule. A FHIR server that is down leaves the last good
//! schedule in place; [`FhirSchedule::status`] says since when.
//!
//! Arrivals, calls, visits seen and no-shows go back to the EHR through a
//! server-side outbox ([`write`]).
//!
//! Exit-survey responses go too, as QuestionnaireResponses of the
//! Questionnaire Waitwell ships ([`questionnaire`]).
//!
//! It signs in with a bearer token from a file, or as a SMART Backend
//! Services client ([`smart`]).
//!
//! Not yet: transaction Bundles.

pub mod capability;
pub mod client;
pub mod error;
pub mod questionnaire;
pub mod smart;
pub mod write;

use crate::clock::Clock;
use crate::error::AppError;
use crate::schedule::{QueueEvent, Schedule};
use crate::settings::Settings;
use crate::store::appointments::{self, FromSource, Synced};
pub use capability::Capabilities;
pub use client::{FhirClient, FhirError};
use futures_util::future::BoxFuture;
use jiff::Timestamp;
use sha2::{Digest, Sha256};
use sqlx::{SqliteConnection, SqlitePool};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use waitwell_core::contract::EhrStatus;
use waitwell_core::date::Date;
use waitwell_core::fhir::{Booked, Gathered, Standing};
use waitwell_core::queue::LineId;

/// The most pages one sync follows.
const MAX_PAGES: usize = 100;
/// Appointments asked for per page.
const PAGE_SIZE: usize = 100;
/// A lookup that found nothing reads the schedule again, unless it was read
/// this recently…
const FRESH_ENOUGH: jiff::SignedDuration = jiff::SignedDuration::from_secs(5);
/// …or a reading failed this recently (a lookup does not wait on an EHR
/// that is away).
const STILL_AWAY: jiff::SignedDuration = jiff::SignedDuration::from_secs(30);

/// How the schedule's reading has gone.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncStatus {
    /// The last time the whole schedule was read and stored.
    pub last_good: Option<Timestamp>,
    /// Since when every reading has failed (`None` while they work).
    pub failing_since: Option<Timestamp>,
    /// The last reading that failed.
    pub last_failed: Option<Timestamp>,
}

/// Today's schedule from a FHIR R4 server.
pub struct FhirSchedule {
    client: FhirClient,
    capabilities: Capabilities,
    clock: Arc<dyn Clock>,
    zone: jiff::tz::TimeZone,
    line: LineId,
    code_system: Option<String>,
    every: Duration,
    status: Mutex<SyncStatus>,
    /// One reading at a time (a lookup's refresh waits for the periodic one).
    reading: tokio::sync::Mutex<()>,
    /// One pass of writing back at a time.
    writing: tokio::sync::Mutex<()>,
    /// The exit survey's Questionnaire is in the EHR (made at the first
    /// response).
    questionnaire_ready: std::sync::atomic::AtomicBool,
    /// Seconds an unsent write may wait before reception is alerted.
    alert_after: i64,
    /// Walk-ins' visits go to the EHR too (an Encounter without a patient).
    walk_in_encounters: bool,
    /// The site's rooms as EHR Locations (`Location/{id}`).
    locations: std::collections::BTreeMap<String, String>,
}

impl std::fmt::Debug for FhirSchedule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FhirSchedule")
            .field("client", &self.client)
            .field("capabilities", &self.capabilities)
            .finish_non_exhaustive()
    }
}

impl FhirSchedule {
    /// Connects to the FHIR server `settings.fhir` names: reads the token
    /// file and checks the server's CapabilityStatement. The error is a
    /// message for whoever starts the server.
    pub async fn connect(settings: &Settings, clock: Arc<dyn Clock>) -> Result<Self, String> {
        let fhir = &settings.fhir;
        let base = fhir
            .base_url
            .as_deref()
            .ok_or("the FHIR schedule needs the FHIR server's address (--fhir-base URL)")?;
        let token = match &fhir.token_file {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| {
                    format!("cannot read the FHIR token file {}: {e}", path.display())
                })?;
                let token = text.trim().to_owned();
                let usable = !token.is_empty()
                    && token.len() <= 8192
                    && token.chars().all(|c| c.is_ascii_graphic());
                if !usable {
                    return Err(format!(
                        "the FHIR token file {} does not hold one token",
                        path.display()
                    ));
                }
                Some(token)
            }
            None => None,
        };
        let signs_in = token.is_some() || fhir.smart.is_some();
        let mut client = FhirClient::new(base, token).map_err(|e| e.to_string())?;
        if signs_in && !client.private() {
            return Err(format!(
                "the FHIR server's address {base} is not https: its token would cross the \
                 network readable (https, or a server on this machine)"
            ));
        }
        if let Some(smart) = &fhir.smart {
            client = signed_in_with_smart(client, smart, clock.clone()).await?;
        }
        let metadata = client
            .get(
                client.url("metadata").map_err(|e| e.to_string())?,
                "/metadata",
            )
            .await
            .map_err(|e| format!("{base}: {e}"))?;
        let capabilities = capability::check(&metadata).map_err(|missing| {
            format!(
                "the FHIR server at {base} lacks what Waitwell needs: {}",
                missing.join("; ")
            )
        })?;
        let line = fhir.line.unwrap_or_else(|| appointment_line(settings));
        Ok(FhirSchedule {
            client,
            capabilities,
            clock,
            zone: settings.time_zone.clone(),
            line,
            code_system: fhir.code_system.clone(),
            every: Duration::from_secs(fhir.sync_seconds),
            status: Mutex::default(),
            reading: tokio::sync::Mutex::new(()),
            writing: tokio::sync::Mutex::new(()),
            questionnaire_ready: std::sync::atomic::AtomicBool::new(false),
            locations: fhir.locations.clone(),
            alert_after: i64::from(fhir.alert_after_minutes) * 60,
            walk_in_encounters: fhir.walk_in_encounters,
        })
    }

    /// The client of the FHIR server.
    pub fn client(&self) -> &FhirClient {
        &self.client
    }

    pub fn capabilities(&self) -> Capabilities {
        self.capabilities
    }

    pub fn status(&self) -> SyncStatus {
        *self.status.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Reads `day`'s schedule and stores it. On failure nothing stored
    /// changes and the status says since when it fails.
    pub async fn sync(&self, db: &SqlitePool, day: &str) -> Result<Synced, SyncError> {
        let _one = self.reading.lock().await;
        let result = self.read_and_store(db, day).await;
        let now = self.clock.now();
        let mut status = self.status.lock().unwrap_or_else(|e| e.into_inner());
        match &result {
            Ok(_) => {
                status.last_good = Some(now);
                status.failing_since = None;
            }
            Err(_) => {
                status.failing_since.get_or_insert(now);
                status.last_failed = Some(now);
            }
        }
        result
    }

    async fn read_and_store(&self, db: &SqlitePool, day: &str) -> Result<Synced, SyncError> {
        let date: Date = day
            .parse()
            .map_err(|_| SyncError::Store(AppError::Corrupt(format!("day {day}"))))?;
        let gathered = self.read(date).await?;
        let (read, mut left_out) = gathered.appointments(self.code_system.as_deref());
        let mut booked = Vec::with_capacity(read.len());
        for appointment in read {
            // The search asked for the day; what the EHR sent of another
            // day (or with a start that is not an instant) is left out.
            match local_start(&appointment.start, date, &self.zone) {
                Some(starts_at) => booked.push((appointment, starts_at)),
                None => left_out += 1,
            }
        }
        let rows: Vec<FromSource> = booked
            .iter()
            .filter(|(b, _)| b.standing == Standing::Bookable)
            .map(|(b, starts_at)| from_source(b, starts_at))
            .collect();
        let line = self.line.to_string();
        let mut tx = crate::store::begin_write(db)
            .await
            .map_err(AppError::from)?;
        let synced = appointments::sync_source(&mut tx, day, "Appointment/", &line, &rows, || {
            crate::store::random_token(16).map_err(|e| AppError::Corrupt(e.to_string()))
        })
        .await?;
        tx.commit().await.map_err(AppError::from)?;
        if left_out > 0 {
            tracing::warn!(
                left_out,
                "FHIR schedule: appointments without a usable start, patient name or birth date were left out"
            );
        }
        tracing::info!(
            day,
            read = booked.len(),
            added = synced.added,
            updated = synced.updated,
            removed = synced.removed,
            "FHIR schedule read"
        );
        Ok(synced)
    }

    /// Every page of the day's Appointments with their patients.
    async fn read(&self, day: Date) -> Result<Gathered, FhirError> {
        let (from, to) = day_bounds(day, &self.zone)
            .ok_or_else(|| FhirError::Setup(format!("no such day {day} in the clinic's zone")))?;
        let mut url = self.client.url("Appointment")?;
        {
            let mut query = url.query_pairs_mut();
            query
                .append_pair("date", &format!("ge{from}"))
                .append_pair("date", &format!("lt{to}"))
                .append_pair("_include", "Appointment:patient");
            if self.capabilities.include_practitioner {
                query.append_pair("_include", "Appointment:practitioner");
            }
            query.append_pair("_count", &PAGE_SIZE.to_string());
        }
        let mut gathered = Gathered::default();
        for page in 1..=MAX_PAGES {
            let what = format!("the day's appointments (page {page})");
            let bundle = self.client.get(url, &what).await?;
            let next = gathered
                .add_page(&bundle)
                .map_err(|why| FhirError::Answer { what, why })?;
            match next {
                Some(link) => url = self.client.own_link(&link)?,
                None => return Ok(gathered),
            }
        }
        Err(FhirError::Answer {
            what: "the day's appointments".into(),
            why: format!("more than {MAX_PAGES} pages"),
        })
    }

    /// Reads the schedule every `fhir.sync_seconds` from now on (the
    /// first time after one period), for as long as the server runs.
    pub fn spawn(self: Arc<Self>, db: SqlitePool) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(self.every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            // The first tick is now: the caller has just read it.
            tick.tick().await;
            loop {
                tick.tick().await;
                let day = self.today();
                if let Err(e) = self.sync(&db, &day).await {
                    tracing::warn!("FHIR schedule not read (the last one read stays): {e}");
                }
            }
        })
    }

    /// Sends what is due to the EHR every second, for as long as the
    /// server runs; whenever what reception is told of the EHR changes (the
    /// backlog, its alert, a schedule that cannot be read), reception hears
    /// of it through `hub` and reads it again.
    pub fn spawn_writer(
        self: Arc<Self>,
        db: SqlitePool,
        hub: Arc<crate::hub::QueueHub>,
    ) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let mut told = None;
            loop {
                tick.tick().await;
                if let Err(e) = self.write_back(&db).await {
                    tracing::warn!("EHR writes not sent: {e}");
                }
                match self.health(&db).await {
                    Ok(Some(h)) => {
                        let now = Some((h.unsent, h.alert, h.failing_since));
                        if now != told {
                            hub.alert();
                            told = now;
                        }
                    }
                    Ok(None) => {}
                    Err(e) => tracing::warn!("EHR link status not read: {e}"),
                }
            }
        })
    }

    fn today(&self) -> String {
        self.clock
            .now()
            .to_zoned(self.zone.clone())
            .date()
            .to_string()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Fhir(#[from] FhirError),
    #[error("cannot store the schedule: {0}")]
    Store(#[from] AppError),
}

impl Schedule for FhirSchedule {
    fn refresh<'a>(
        &'a self,
        db: &'a SqlitePool,
        day: &'a str,
    ) -> BoxFuture<'a, Result<bool, AppError>> {
        Box::pin(async move {
            let (status, now) = (self.status(), self.clock.now());
            let fresh = status
                .last_good
                .is_some_and(|t| now.duration_since(t) < FRESH_ENOUGH);
            let away = status.failing_since.is_some()
                && status
                    .last_failed
                    .is_some_and(|t| now.duration_since(t) < STILL_AWAY);
            if fresh || away {
                return Ok(false);
            }
            match self.sync(db, day).await {
                Ok(synced) => Ok(synced.added + synced.updated > 0),
                // The lookup answers from the last schedule read.
                Err(e) => {
                    tracing::warn!("FHIR schedule not read before answering a lookup: {e}");
                    Ok(false)
                }
            }
        })
    }

    fn record<'a>(
        &'a self,
        tx: &'a mut SqliteConnection,
        event: &'a QueueEvent,
    ) -> BoxFuture<'a, Result<(), AppError>> {
        Box::pin(write::queue_for(
            tx,
            event,
            self.clock.now().as_second(),
            self.walk_in_encounters,
        ))
    }

    fn record_survey<'a>(
        &'a self,
        tx: &'a mut SqliteConnection,
        id: &'a str,
    ) -> BoxFuture<'a, Result<(), AppError>> {
        Box::pin(crate::store::ehr_writes::queue_survey(
            tx,
            id,
            self.clock.now().as_second(),
        ))
    }

    fn health<'a>(
        &'a self,
        db: &'a SqlitePool,
    ) -> BoxFuture<'a, Result<Option<EhrStatus>, AppError>> {
        Box::pin(async move {
            let (unsent, oldest) =
                crate::store::ehr_writes::backlog(&mut *db.acquire().await?).await?;
            let now = self.clock.now().as_second();
            let status = self.status();
            let at = |t: Option<Timestamp>| t.map(|t| crate::clock::rfc3339(t.as_second()));
            Ok(Some(EhrStatus {
                unsent,
                oldest_unsent_at: oldest.map(crate::clock::rfc3339),
                alert: oldest.is_some_and(|t| now - t >= self.alert_after),
                schedule_read_at: at(status.last_good),
                failing_since: at(status.failing_since),
            }))
        })
    }
}

/// `client`, signed in with SMART Backend Services: the token endpoint
/// from the FHIR server's SMART configuration, and a first token, so a
/// setup that cannot sign in is refused at start-up.
async fn signed_in_with_smart(
    client: FhirClient,
    smart: &crate::settings::SmartSettings,
    clock: Arc<dyn Clock>,
) -> Result<FhirClient, String> {
    let configuration = client
        .get(
            client
                .url(".well-known/smart-configuration")
                .map_err(|e| e.to_string())?,
            "the SMART configuration",
        )
        .await
        .map_err(|e| e.to_string())?;
    let token_url = smart::token_endpoint(&configuration)?;
    let key = std::fs::read_to_string(&smart.private_key_file).map_err(|e| {
        format!(
            "cannot read the SMART private key {}: {e}",
            smart.private_key_file.display()
        )
    })?;
    let auth = smart::SmartAuth::new(
        smart::Client {
            client_id: &smart.client_id,
            private_key: &key,
            algorithm: &smart.algorithm,
            key_id: smart.key_id.as_deref(),
            scope: &smart.scope,
        },
        token_url,
        clock,
        client.http(),
    )?;
    auth.token()
        .await
        .map_err(|e| format!("cannot sign in to the EHR: {e}"))?;
    Ok(client.with_smart(Arc::new(auth)))
}

/// The line appointments join when the settings name none: the first line
/// that is not the walk-in line.
fn appointment_line(settings: &Settings) -> LineId {
    let lines = &settings.site.lines;
    lines
        .iter()
        .map(|l| l.id)
        .find(|id| *id != settings.site.walk_in_line)
        .or_else(|| lines.first().map(|l| l.id))
        .unwrap_or(settings.site.walk_in_line)
}

/// The start of `day` and of the day after in `zone`, as FHIR dateTimes
/// with their offset (e.g. `2026-03-10T00:00:00+01:00`).
fn day_bounds(day: Date, zone: &jiff::tz::TimeZone) -> Option<(String, String)> {
    let civil: jiff::civil::Date = day.to_string().parse().ok()?;
    let start = civil.to_zoned(zone.clone()).ok()?;
    let end = civil.tomorrow().ok()?.to_zoned(zone.clone()).ok()?;
    let format = |z: &jiff::Zoned| z.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string();
    Some((format(&start), format(&end)))
}

/// `start` (a FHIR instant) as the clinic's HH:MM, if it falls on `day`.
fn local_start(start: &str, day: Date, zone: &jiff::tz::TimeZone) -> Option<String> {
    let local = start.parse::<Timestamp>().ok()?.to_zoned(zone.clone());
    (local.date().to_string() == day.to_string()).then(|| local.strftime("%H:%M").to_string())
}

fn from_source(b: &Booked, starts_at: &str) -> FromSource {
    FromSource {
        external_id: b.appointment.clone(),
        version: b.version.clone(),
        patient_ref: b.patient.clone(),
        starts_at: starts_at.to_owned(),
        family_name: b.family_name.clone(),
        given_name: b.given_name.clone(),
        birth_date: b.birth_date.to_string(),
        clinician: b.clinician.clone(),
        code: b.code.clone(),
        fallback_code: code_for(&b.appointment),
    }
}

/// A stable 8-character code for an appointment that has none: not on any
/// letter, so only a placeholder that keeps codes unique.
fn code_for(appointment: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    Sha256::digest(appointment.as_bytes())
        .iter()
        .take(8)
        .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_is_bounded_by_its_local_midnights() {
        let madrid = jiff::tz::TimeZone::get("Europe/Madrid").unwrap();
        // The night the clocks go forward: still midnight to midnight.
        let day: Date = "2026-03-29".parse().unwrap();
        assert_eq!(
            day_bounds(day, &madrid),
            Some((
                "2026-03-29T00:00:00+01:00".into(),
                "2026-03-30T00:00:00+02:00".into()
            ))
        );
    }

    #[test]
    fn a_start_is_placed_in_the_clinics_day_and_time() {
        let madrid = jiff::tz::TimeZone::get("Europe/Madrid").unwrap();
        let day: Date = "2026-03-10".parse().unwrap();
        // 08:30 UTC is 09:30 in Madrid in March; 23:30 UTC the night
        // before is already the 10th there, 22:30 is not.
        assert_eq!(
            local_start("2026-03-10T08:30:00Z", day, &madrid).as_deref(),
            Some("09:30")
        );
        assert_eq!(
            local_start("2026-03-10T10:30:00+02:00", day, &madrid).as_deref(),
            Some("09:30")
        );
        assert_eq!(
            local_start("2026-03-09T23:30:00Z", day, &madrid).as_deref(),
            Some("00:30")
        );
        assert_eq!(local_start("2026-03-09T22:30:00Z", day, &madrid), None);
        assert_eq!(local_start("2026-03-10", day, &madrid), None);
        assert_eq!(local_start("tomorrow", day, &madrid), None);
    }

    #[test]
    fn placeholder_codes_are_stable_and_valid() {
        let code = code_for("Appointment/123");
        assert_eq!(code, code_for("Appointment/123"));
        assert_ne!(code, code_for("Appointment/124"));
        assert_eq!(
            waitwell_core::checkin::normalise_code(&code).as_deref(),
            Some(code.as_str())
        );
    }
}
