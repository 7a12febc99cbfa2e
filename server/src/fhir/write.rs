//! Writing arrivals, calls, visits seen and no-shows back to the EHR.
//!
//! Each queue change of a ticket whose appointment came from the EHR queues
//! one row in `ehr_writes` inside the change's own transaction
//! ([`queue_for`]); [`FhirSchedule::write_back`] sends what is due, in
//! order per ticket, and retries what fails with a capped backoff. Every
//! write is safe to repeat, so a lost answer or a retry never doubles
//! anything:
//! - an arrival sets the Appointment to `arrived` with `If-Match` (on 412 it
//!   reads it again and applies only if it is still bookable) and creates
//!   the visit's Encounter with `If-None-Exist` on an identifier made from
//!   the ticket (one check-in, one ticket, however often it is replayed);
//! - a call, a visit seen, a return to the line update that Encounter
//!   (`in-progress` with the room, `finished`, `arrived`);
//! - a no-show sets the Appointment to `noshow` and cancels the Encounter.

use super::client::{Answer, FhirError};
use super::{questionnaire, FhirSchedule};
use crate::error::AppError;
use crate::schedule::QueueEvent;
use crate::store::ehr_writes::{self, Kind, Pending, Source};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use sqlx::{SqliteConnection, SqlitePool};
use std::collections::HashSet;
use waitwell_core::queue::TicketState;

/// The identifier system of the Encounters Waitwell makes.
pub const ENCOUNTER_SYSTEM: &str = "urn:waitwell:visit";
/// The longest wait between two tries of one write, seconds.
const MOST_BACKOFF: i64 = 300;
/// Tries of one update that keeps meeting 412 before it waits its turn.
const CONFLICT_TRIES: usize = 3;

/// Queues what the EHR must hear of `event`, in the change's transaction:
/// nothing for a ticket without an appointment from the EHR, and nothing
/// for a walk-in unless `walk_ins` (the site's `fhir.walk_in_encounters`).
pub async fn queue_for(
    tx: &mut SqliteConnection,
    event: &QueueEvent,
    now: i64,
    walk_ins: bool,
) -> Result<(), AppError> {
    let kind = match (event.before, event.after) {
        (None, TicketState::Waiting) => Kind::Arrived,
        (Some(_), TicketState::Waiting) => Kind::Waiting,
        (_, TicketState::Called) => Kind::Called,
        (_, TicketState::Served) => Kind::Served,
        (_, TicketState::NoShow) => Kind::NoShow,
    };
    let ticket = i64::try_from(event.ticket).map_err(|_| AppError::Corrupt("ticket id".into()))?;
    let (appointment, patient) = match ehr_writes::source_of(tx, &event.day, ticket).await? {
        Source::Appointment {
            appointment,
            patient,
        } => (Some(appointment), Some(patient)),
        Source::WalkIn if walk_ins => (None, None),
        Source::WalkIn | Source::Elsewhere => return Ok(()),
    };
    ehr_writes::queue(
        tx,
        &event.day,
        ticket,
        kind,
        appointment.as_deref(),
        patient.as_deref(),
        event.room.as_deref(),
        now,
    )
    .await
}

/// Why a write did not reach the EHR.
#[derive(Debug)]
enum Failure {
    /// The EHR could not be reached: the rest of the pass waits too.
    Away(String),
    /// It answered, and not as hoped: this write (and its ticket's later
    /// ones) waits its turn.
    Refused(String),
}

impl From<String> for Failure {
    fn from(why: String) -> Self {
        Failure::Refused(why)
    }
}

impl From<&str> for Failure {
    fn from(why: &str) -> Self {
        Failure::Refused(why.to_owned())
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Away(why) | Failure::Refused(why) => f.write_str(why),
        }
    }
}

/// What one pass of [`FhirSchedule::write_back`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sent {
    pub done: u32,
    pub failed: u32,
    /// Not yet due (backing off, or behind an earlier write of the ticket).
    pub waiting: u32,
}

impl FhirSchedule {
    /// Sends every write that is due, oldest first; a ticket's writes go in
    /// order (one that fails holds back the later ones).
    pub async fn write_back(&self, db: &SqlitePool) -> Result<Sent, AppError> {
        let _one = self.writing.lock().await;
        let pending = ehr_writes::pending(&mut *db.acquire().await?).await?;
        let install = if pending.is_empty() {
            String::new()
        } else {
            installation(db).await?
        };
        let mut held: HashSet<(String, i64)> = HashSet::new();
        let mut sent = Sent::default();
        // Once the EHR cannot be reached, the rest waits for the next pass
        // (each would only wait out its own timeout).
        let mut away = false;
        for (write, next_at) in pending {
            let ticket = (write.day.clone(), write.ticket);
            let now = self.clock.now().as_second();
            if away || held.contains(&ticket) || next_at > now {
                held.insert(ticket);
                sent.waiting += 1;
                continue;
            }
            match self.apply(&write, &install).await {
                Ok(()) => {
                    ehr_writes::done(&mut *db.acquire().await?, write.id, now).await?;
                    sent.done += 1;
                }
                Err(why) => {
                    away = matches!(why, Failure::Away(_));
                    let wait = backoff(write.attempts);
                    tracing::warn!(
                        write = write.id,
                        kind = write.kind.as_str(),
                        attempts = write.attempts + 1,
                        "EHR write failed, tried again in {wait} s: {why}"
                    );
                    let why = why.to_string();
                    ehr_writes::failed(&mut *db.acquire().await?, write.id, now + wait, &why)
                        .await?;
                    held.insert(ticket);
                    sent.failed += 1;
                }
            }
        }
        for survey in ehr_writes::pending_surveys(&mut *db.acquire().await?).await? {
            let now = self.clock.now().as_second();
            if away || survey.next_at > now {
                sent.waiting += 1;
                continue;
            }
            match self.send_survey(db, &survey.id).await {
                Ok(()) => {
                    let mut conn = db.acquire().await?;
                    ehr_writes::survey_done(&mut conn, &survey.id, survey.generation, now).await?;
                    sent.done += 1;
                }
                Err(why) => {
                    away = matches!(why, Failure::Away(_));
                    let why = why.to_string();
                    let wait = backoff(survey.attempts);
                    tracing::warn!(
                        attempts = survey.attempts + 1,
                        "EHR survey write failed, tried again in {wait} s: {why}"
                    );
                    let mut conn = db.acquire().await?;
                    ehr_writes::survey_failed(&mut conn, &survey.id, now + wait, &why).await?;
                    sent.failed += 1;
                }
            }
        }
        Ok(sent)
    }

    /// Writes survey response `id` whole as a QuestionnaireResponse: made
    /// with `If-None-Exist` on its id, replaced when it was there.
    async fn send_survey(&self, db: &SqlitePool, id: &str) -> Result<(), Failure> {
        use std::sync::atomic::Ordering;
        if !self.questionnaire_ready.load(Ordering::SeqCst) {
            let unique = format!(
                "url={}&version={}",
                questionnaire::URL,
                questionnaire::VERSION
            );
            let made = self
                .call(
                    Method::POST,
                    "Questionnaire",
                    Some(&questionnaire::exit_survey()),
                    &[("if-none-exist", unique)],
                )
                .await?;
            written(made.status, "making the exit survey's Questionnaire")?;
            self.questionnaire_ready.store(true, Ordering::SeqCst);
        }
        let stored =
            crate::store::surveys::by_id(&mut *db.acquire().await.map_err(|e| e.to_string())?, id)
                .await
                .map_err(|e| Failure::Refused(e.to_string()))?;
        let Some((row, updated_at)) = stored else {
            return Ok(());
        };
        let mut response = questionnaire::response(id, &row, updated_at);
        let unique = unique_query(id);
        let made = self
            .call(
                Method::POST,
                "QuestionnaireResponse",
                Some(&response),
                &[("if-none-exist", unique)],
            )
            .await?;
        written(made.status, "making the survey's response")?;
        if made.status == StatusCode::CREATED {
            return Ok(());
        }
        let there = match made
            .body
            .filter(|b| is_resource(b, "QuestionnaireResponse"))
        {
            Some(body) => body,
            None => {
                self.find_one("QuestionnaireResponse", &unique_query(id))
                    .await?
            }
        };
        // It was there already: this follow-up replaces it whole.
        let Some(ehr_id) = there.get("id").and_then(Value::as_str) else {
            return Err("the EHR's QuestionnaireResponse has no id".into());
        };
        response["id"] = json!(ehr_id);
        let if_match = version_of(&there)
            .map(|v| vec![("if-match", format!("W/\"{v}\""))])
            .unwrap_or_default();
        let path = format!("QuestionnaireResponse/{ehr_id}");
        let replaced = self
            .call(Method::PUT, &path, Some(&response), &if_match)
            .await?;
        written(replaced.status, "replacing the survey's response")
    }

    async fn apply(&self, w: &Pending, install: &str) -> Result<(), Failure> {
        let visit = Visit::of(w, install);
        let Some(appointment) = w.appointment.as_deref() else {
            // A walk-in's visit: its Encounter alone.
            return match w.kind {
                Kind::Arrived => self.ensure_encounter(&visit, w).await.map(drop),
                Kind::Waiting => self.set_encounter(&visit, w, "arrived", None).await,
                Kind::Called => {
                    let room = w.room.as_deref().map(|r| self.location(r));
                    self.set_encounter(&visit, w, "in-progress", room).await
                }
                Kind::Served => self.set_encounter(&visit, w, "finished", None).await,
                Kind::NoShow => self.set_encounter(&visit, w, "cancelled", None).await,
            };
        };
        match w.kind {
            Kind::Arrived if self.capabilities.transactions => {
                self.arrive_in_one_transaction(&visit, w, appointment).await
            }
            Kind::Arrived => {
                self.set_appointment(appointment, "arrived", &["booked", "pending"])
                    .await?;
                self.ensure_encounter(&visit, w).await.map(drop)
            }
            Kind::Waiting => self.set_encounter(&visit, w, "arrived", None).await,
            Kind::Called => {
                let room = w.room.as_deref().map(|r| self.location(r));
                self.set_encounter(&visit, w, "in-progress", room).await
            }
            Kind::Served => self.set_encounter(&visit, w, "finished", None).await,
            Kind::NoShow => {
                self.set_appointment(
                    appointment,
                    "noshow",
                    &["booked", "pending", "arrived", "checked-in"],
                )
                .await?;
                self.set_encounter(&visit, w, "cancelled", None).await
            }
        }
    }

    /// The room as an Encounter location: the site's Location for it, else
    /// its name.
    fn location(&self, room: &str) -> Value {
        match self.locations.get(room) {
            Some(reference) => json!({"reference": reference, "display": room}),
            None => json!({"display": room}),
        }
    }

    /// Sets an Appointment's status with `If-Match`, if its status now is
    /// one of `from` (else it is left as the EHR has it: cancelled there, or
    /// already further on).
    async fn set_appointment(
        &self,
        appointment: &str,
        to: &str,
        from: &[&str],
    ) -> Result<(), Failure> {
        for _ in 0..CONFLICT_TRIES {
            let read = self.call(Method::GET, appointment, None, &[]).await?;
            if matches!(read.status, StatusCode::NOT_FOUND | StatusCode::GONE) {
                tracing::warn!("{appointment} is gone from the EHR; its status was not set");
                return Ok(());
            }
            let resource = success(read.status, read.body, "reading the appointment")?;
            let mut resource = of_kind(resource, "Appointment")?;
            let status = resource.get("status").and_then(Value::as_str).unwrap_or("");
            if status == to {
                return Ok(());
            }
            if !from.contains(&status) {
                tracing::warn!("{appointment} is {status:?} in the EHR; not set to {to}");
                return Ok(());
            }
            let version = read.version.or_else(|| version_of(&resource));
            resource["status"] = json!(to);
            let if_match = version
                .map(|v| vec![("if-match", format!("W/\"{v}\""))])
                .unwrap_or_default();
            let answer = self
                .call(Method::PUT, appointment, Some(&resource), &if_match)
                .await?;
            if answer.status == StatusCode::PRECONDITION_FAILED {
                // Changed by someone else since it was read: read it again.
                continue;
            }
            return written(answer.status, "updating the appointment");
        }
        Err(Failure::Refused(format!(
            "{appointment} kept changing under the update ({CONFLICT_TRIES} tries)"
        )))
    }

    /// An arrival where the EHR takes transaction Bundles: the Appointment's
    /// update (`ifMatch`) and the Encounter's creation (`ifNoneExist`) in
    /// one, so the EHR has both or neither. A 412 reads the Appointment
    /// again; one no longer bookable gets the Encounter alone.
    async fn arrive_in_one_transaction(
        &self,
        visit: &Visit,
        w: &Pending,
        appointment_ref: &str,
    ) -> Result<(), Failure> {
        for _ in 0..CONFLICT_TRIES {
            let read = self.call(Method::GET, appointment_ref, None, &[]).await?;
            if matches!(read.status, StatusCode::NOT_FOUND | StatusCode::GONE) {
                tracing::warn!("{appointment_ref} is gone from the EHR; its status was not set");
                return self.ensure_encounter(visit, w).await.map(drop);
            }
            let appointment = success(read.status, read.body, "reading the appointment")?;
            let mut appointment = of_kind(appointment, "Appointment")?;
            let status = appointment
                .get("status")
                .and_then(Value::as_str)
                .unwrap_or("");
            if !matches!(status, "booked" | "pending") {
                if status != "arrived" {
                    tracing::warn!(
                        "{appointment_ref} is {status:?} in the EHR; not set to arrived"
                    );
                }
                return self.ensure_encounter(visit, w).await.map(drop);
            }
            let mut update = json!({"method": "PUT", "url": appointment_ref});
            if let Some(v) = read.version.or_else(|| version_of(&appointment)) {
                update["ifMatch"] = json!(format!("W/\"{v}\""));
            }
            appointment["status"] = json!("arrived");
            let mut random = [0u8; 16];
            getrandom::fill(&mut random).map_err(|e| e.to_string())?;
            let full_url = format!(
                "urn:uuid:{}",
                uuid::Builder::from_random_bytes(random).into_uuid()
            );
            let bundle = json!({
                "resourceType": "Bundle",
                "type": "transaction",
                "entry": [
                    {"resource": appointment, "request": update},
                    {
                        "fullUrl": full_url,
                        "resource": visit.encounter(w),
                        "request": {"method": "POST", "url": "Encounter", "ifNoneExist": visit.search()},
                    },
                ],
            });
            let done = self.call(Method::POST, "", Some(&bundle), &[]).await?;
            if done.status == StatusCode::PRECONDITION_FAILED {
                continue;
            }
            let answer = success(done.status, done.body, "the arrival's transaction")?;
            let entries = answer.get("entry").and_then(Value::as_array);
            let all_done = entries.is_some_and(|e| {
                e.len() == 2
                    && e.iter().all(|e| {
                        e.pointer("/response/status")
                            .and_then(Value::as_str)
                            .is_some_and(|s| s.starts_with('2'))
                    })
            });
            return if all_done {
                Ok(())
            } else {
                Err("the arrival's transaction did not answer for both writes".into())
            };
        }
        Err(Failure::Refused(format!(
            "{appointment_ref} kept changing under the update ({CONFLICT_TRIES} tries)"
        )))
    }

    /// The visit's Encounter, made if it is not there (`If-None-Exist`); as
    /// the EHR answered it, or read by its identifier where the answer
    /// carried none.
    async fn ensure_encounter(&self, visit: &Visit, w: &Pending) -> Result<Value, Failure> {
        let made = self
            .call(
                Method::POST,
                "Encounter",
                Some(&visit.encounter(w)),
                &[("if-none-exist", visit.search())],
            )
            .await?;
        written(made.status, "making the visit's Encounter")?;
        match made.body.filter(|b| is_resource(b, "Encounter")) {
            Some(encounter) => Ok(encounter),
            None => self.find_one("Encounter", &visit.search()).await,
        }
    }

    /// The one `kind` that `query` (e.g. `identifier=system|value`) finds.
    async fn find_one(&self, kind: &str, query: &str) -> Result<Value, Failure> {
        let found = self
            .call(Method::GET, &format!("{kind}?{query}"), None, &[])
            .await?;
        let bundle = success(found.status, found.body, "finding what was just written")?;
        bundle
            .get("entry")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|e| e.get("resource"))
            .find(|r| is_resource(r, kind))
            .cloned()
            .ok_or_else(|| {
                Failure::Refused(format!(
                    "the EHR said it has the {kind}, and then did not find it"
                ))
            })
    }

    /// Sets the visit's Encounter's status (and location), making it first
    /// if it is missing.
    async fn set_encounter(
        &self,
        visit: &Visit,
        w: &Pending,
        to: &str,
        location: Option<Value>,
    ) -> Result<(), Failure> {
        for _ in 0..CONFLICT_TRIES {
            let mut encounter = self.ensure_encounter(visit, w).await?;
            let Some(path) = encounter
                .get("id")
                .and_then(Value::as_str)
                .map(|id| format!("Encounter/{id}"))
            else {
                return Err("the EHR's Encounter has no id".into());
            };
            let version = version_of(&encounter);
            encounter["status"] = json!(to);
            if let Some(location) = &location {
                encounter["location"] = json!([{"location": location, "status": "active"}]);
            }
            if to == "finished" || to == "cancelled" {
                if !encounter["period"].is_object() {
                    encounter["period"] = json!({});
                }
                encounter["period"]["end"] = json!(crate::clock::rfc3339(w.at));
            }
            let if_match = version
                .map(|v| vec![("if-match", format!("W/\"{v}\""))])
                .unwrap_or_default();
            let answer = self
                .call(Method::PUT, &path, Some(&encounter), &if_match)
                .await?;
            if answer.status == StatusCode::PRECONDITION_FAILED {
                continue;
            }
            return written(answer.status, "updating the visit's Encounter");
        }
        Err(Failure::Refused(format!(
            "the visit's Encounter kept changing under the update ({CONFLICT_TRIES} tries)"
        )))
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        headers: &[(&str, String)],
    ) -> Result<Answer, Failure> {
        let url = self.client.url(path).map_err(|e| e.to_string())?;
        self.client
            .send(method, url, body, headers, path)
            .await
            .map_err(|e: FhirError| match e {
                FhirError::Unreachable(_) => Failure::Away(e.to_string()),
                other => Failure::Refused(other.to_string()),
            })
    }
}

/// The visit's identifier: one per ticket of this installation.
struct Visit {
    value: String,
}

impl Visit {
    fn of(w: &Pending, install: &str) -> Visit {
        Visit {
            value: format!("{install}-{}-{}", w.day, w.ticket),
        }
    }

    fn search(&self) -> String {
        format!("identifier={ENCOUNTER_SYSTEM}|{}", self.value)
    }

    /// The visit's Encounter: its patient and appointment, if it has them
    /// (a walk-in's names nobody).
    fn encounter(&self, w: &Pending) -> Value {
        let mut encounter = json!({
            "resourceType": "Encounter",
            "identifier": [{"system": ENCOUNTER_SYSTEM, "value": self.value}],
            "status": "arrived",
            "class": {
                "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                "code": "AMB",
                "display": "ambulatory",
            },
            "period": {"start": crate::clock::rfc3339(w.at)},
        });
        if let Some(patient) = &w.patient {
            encounter["subject"] = json!({ "reference": patient });
        }
        if let Some(appointment) = &w.appointment {
            encounter["appointment"] = json!([{ "reference": appointment }]);
        }
        encounter
    }
}

/// A short tag for this installation (from its secret), so two Waitwell
/// servers writing to one EHR never share a visit identifier.
async fn installation(db: &SqlitePool) -> Result<String, AppError> {
    let secret = crate::store::secret(db).await?;
    let digest = Sha256::new()
        .chain_update(b"waitwell installation\0")
        .chain_update(secret)
        .finalize();
    Ok(hex::encode(&digest[..8]))
}

/// Seconds to wait after the `attempts`-th failure: 5, 10, 20 … up to 5
/// minutes.
pub fn backoff(attempts: i64) -> i64 {
    let doublings = u32::try_from(attempts.clamp(0, 16)).unwrap_or(16);
    (5i64 << doublings).min(MOST_BACKOFF)
}

fn version_of(resource: &Value) -> Option<String> {
    resource
        .get("meta")
        .and_then(|m| m.get("versionId"))
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// A write's answer: any 2xx did it (with or without a body back).
fn written(status: StatusCode, what: &str) -> Result<(), Failure> {
    if status.is_success() {
        Ok(())
    } else {
        Err(Failure::Refused(format!(
            "{what}: the EHR answered {status}"
        )))
    }
}

/// `value` if it is a `kind` resource (an object: safe to change); what
/// the EHR sent otherwise is refused, never trusted to be one.
fn of_kind(value: Value, kind: &str) -> Result<Value, Failure> {
    if value.is_object() && value.get("resourceType").and_then(Value::as_str) == Some(kind) {
        Ok(value)
    } else {
        Err(Failure::Refused(format!(
            "the EHR answered something other than the {kind}"
        )))
    }
}

/// A `kind` resource with an id.
fn is_resource(value: &Value, kind: &str) -> bool {
    value.get("resourceType").and_then(Value::as_str) == Some(kind)
        && value.get("id").and_then(Value::as_str).is_some()
}

/// The search for survey response `id`.
fn unique_query(id: &str) -> String {
    format!("identifier={}|{id}", questionnaire::RESPONSE_SYSTEM)
}

/// The body of a successful read; the failure said otherwise.
fn success(status: StatusCode, body: Option<Value>, what: &str) -> Result<Value, Failure> {
    match body {
        Some(body) if status.is_success() => Ok(body),
        _ if status.is_success() => Err(Failure::Refused(format!(
            "{what}: the EHR answered {status} without JSON"
        ))),
        _ => Err(Failure::Refused(format!(
            "{what}: the EHR answered {status}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_resource_of_the_kind_asked_for_is_changed() {
        assert!(of_kind(
            json!({"resourceType": "Appointment", "status": "booked"}),
            "Appointment"
        )
        .is_ok());
        for other in [
            json!([1]),
            json!("Appointment"),
            json!(null),
            json!({"resourceType": "Patient"}),
        ] {
            assert!(of_kind(other, "Appointment").is_err());
        }
    }

    #[test]
    fn backoff_doubles_up_to_five_minutes() {
        let waits: Vec<i64> = (0..8).map(backoff).collect();
        assert_eq!(waits, [5, 10, 20, 40, 80, 160, 300, 300]);
        assert_eq!(backoff(-3), 5);
        assert_eq!(backoff(i64::MAX), 300);
    }
}
