//! The demo clinic `make run` starts with: today's appointments around the
//! current time, so a person can try a check-in at once.

use crate::error::AppError;
use crate::store::appointments;
use crate::{settings::Settings, store::random_token};
use jiff::{civil, Zoned};
use sqlx::SqlitePool;
use waitwell_core::contract::ImportedAppointment;
use waitwell_core::date::Date;

/// The demo staff account, printed at start-up (only ever made with --demo).
pub const STAFF_NAME: &str = "demo";
pub const STAFF_PASSPHRASE: &str = "waitwell-demo";

/// Makes the demo staff account (a manager) unless it exists; its name and
/// passphrase to print, or `None` when it exists with a passphrase someone
/// changed.
pub async fn ensure_staff(
    db: &SqlitePool,
    now: i64,
) -> Result<Option<(&'static str, &'static str)>, AppError> {
    use crate::store::staff;
    use waitwell_core::contract::StaffRole;
    if let Some(account) = staff::by_name(db, STAFF_NAME).await? {
        let same = crate::secrets::verify(Some(account.passphrase_hash), STAFF_PASSPHRASE).await?;
        return Ok((same && !account.disabled).then_some((STAFF_NAME, STAFF_PASSPHRASE)));
    }
    let hash = crate::secrets::hash(STAFF_PASSPHRASE).await?;
    match staff::add(db, STAFF_NAME, StaffRole::Manager, &hash, now).await {
        Ok(_) => Ok(Some((STAFF_NAME, STAFF_PASSPHRASE))),
        Err(staff::AccountError::Store(e)) => Err(e),
        Err(other) => Err(AppError::Corrupt(other.to_string())),
    }
}

/// Whether the demo account can still sign in with its published
/// passphrase (a database that ran `--demo` once, now started for real).
pub async fn published_staff_account(db: &SqlitePool) -> Result<bool, AppError> {
    match crate::store::staff::by_name(db, STAFF_NAME).await? {
        Some(account) if !account.disabled => {
            crate::secrets::verify(Some(account.passphrase_hash), STAFF_PASSPHRASE).await
        }
        _ => Ok(false),
    }
}

/// A demo patient to print at start-up (made-up people).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoPatient {
    pub family_name: &'static str,
    pub birth_date: &'static str,
    pub code: &'static str,
    pub time: String,
}

/// (given, family, birth date, code, minutes from now, clinician, line)
const PEOPLE: &[(&str, &str, &str, &str, i64, &str, char)] = &[
    (
        "María",
        "García López",
        "1980-04-12",
        "GAR4K7",
        10,
        "Dr. Lee",
        'A',
    ),
    (
        "Sean",
        "O'Brien",
        "1975-09-30",
        "OBR2M9",
        20,
        "Dr. Patel",
        'A',
    ),
    ("Amira", "Haddad", "1992-01-05", "HAD7Q3", 5, "Dr. Lee", 'A'),
    (
        "Amira",
        "Haddad",
        "1992-01-05",
        "HAD8R4",
        25,
        "Nurse Kim",
        'A',
    ),
    (
        "Jan",
        "van der Berg",
        "1968-11-21",
        "VDB3T6",
        15,
        "Dr. Patel",
        'A',
    ),
    (
        "Lukas",
        "Müller",
        "2001-06-17",
        "MUL5W2",
        180,
        "Dr. Lee",
        'A',
    ),
];

/// Makes today's demo appointments ready to check in now: each is added,
/// or moved to its time around `now` when it is there already and nobody
/// has checked in for it, so every `--demo` start (a second one the same
/// day, or one on a later day with the same database) leaves people to
/// try. A row with a demo code that is not the demo person's, and one
/// already checked in, is left alone. Returns the people ready now.
pub async fn seed(
    db: &SqlitePool,
    settings: &Settings,
    now: &Zoned,
) -> Result<Vec<DemoPatient>, AppError> {
    let day_text = now.date().to_string();
    let day: Date = day_text
        .parse()
        .map_err(|_| AppError::Corrupt(format!("today {day_text}")))?;
    let mut ready = Vec::new();
    let mut tx = crate::store::begin_write(db).await?;
    for &(given, family, birth, code, minutes, clinician, line) in PEOPLE {
        let Some(line) = settings
            .site
            .lines
            .iter()
            .map(|l| l.id)
            .find(|l| l.letter() == line)
        else {
            continue;
        };
        let stored = appointments::by_code(&mut tx, &day_text, code).await?;
        if let Some(a) = stored.first() {
            let theirs = a.family_name == family && a.given_name == given;
            if !theirs || a.ticket_id.is_some() {
                continue;
            }
        }
        let time = start_time(now, minutes);
        let appointment = ImportedAppointment {
            starts_at: time.clone(),
            family_name: family.into(),
            given_name: given.into(),
            birth_date: birth
                .parse()
                .map_err(|_| AppError::Corrupt(format!("demo birth date {birth}")))?,
            clinician: clinician.into(),
            line,
            code: Some(code.into()),
            external_id: None,
        };
        let kiosk_ref = random_token(16).map_err(|e| AppError::Corrupt(e.to_string()))?;
        appointments::upsert(&mut tx, day, &appointment, code, &kiosk_ref).await?;
        ready.push(DemoPatient {
            family_name: family,
            birth_date: birth,
            code,
            time,
        });
    }
    tx.commit().await?;
    Ok(ready)
}

/// `HH:MM`, `minutes` from now rounded to 5 minutes, kept within today.
fn start_time(now: &Zoned, minutes: i64) -> String {
    let start = now
        .datetime()
        .saturating_add(jiff::SignedDuration::from_mins(minutes));
    let time = if start.date() == now.date() {
        start.time()
    } else {
        civil::time(23, 55, 0, 0)
    };
    let rounded = (time.minute() / 5) * 5;
    format!("{:02}:{:02}", time.hour(), rounded)
}

/// The identifier system of the demo letters' codes in a demo EHR.
pub const DEMO_LETTERS: &str = "urn:waitwell:demo-letter";

/// Writes the demo clinic's appointments for today into a FHIR server on
/// this machine (`make run-fhir`: the FHIR harness, which starts empty):
/// the same people as [`seed`], with their practitioners. Refused for a
/// FHIR server anywhere else: made-up patients have no place in a real
/// EHR. Returns the people ready now.
pub async fn seed_ehr(
    client: &crate::fhir::FhirClient,
    settings: &Settings,
    now: &Zoned,
) -> Result<Vec<DemoPatient>, String> {
    use reqwest::Method;
    use serde_json::{json, Value};
    let base = client.url("").map_err(|e| e.to_string())?;
    let local = matches!(base.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    if !local {
        return Err(format!(
            "--demo adds made-up patients to the EHR only on this machine, not at {base}"
        ));
    }
    let create = |resource: Value, unique: String| async move {
        let kind = resource["resourceType"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let url = client.url(&kind).map_err(|e| e.to_string())?;
        let answer = client
            .send(
                Method::POST,
                url,
                Some(&resource),
                &[("if-none-exist", unique)],
                &kind,
            )
            .await
            .map_err(|e| e.to_string())?;
        match answer.body.as_ref().and_then(|b| b["id"].as_str()) {
            Some(id) if answer.status.is_success() => Ok(format!("{kind}/{id}")),
            _ => Err(format!("the demo {kind} was refused: {}", answer.status)),
        }
    };
    let mut ready = Vec::new();
    for &(given, family, birth, code, minutes, clinician, _) in PEOPLE {
        let patient = create(
            json!({"resourceType": "Patient", "identifier": [{"system": DEMO_LETTERS, "value": family}],
                "name": [{"use": "official", "family": family, "given": [given]}], "birthDate": birth}),
            format!("identifier={DEMO_LETTERS}|{family}"),
        )
        .await?;
        let (prefix, name) = clinician.split_once(' ').unwrap_or(("", clinician));
        let practitioner = create(
            json!({"resourceType": "Practitioner", "identifier": [{"system": DEMO_LETTERS, "value": clinician}],
                "name": [{"prefix": [prefix], "family": name}]}),
            format!("identifier={DEMO_LETTERS}|{clinician}"),
        )
        .await?;
        let time = start_time(now, minutes);
        let start =
            crate::clock::local_instant(&settings.time_zone, &now.date().to_string(), &time)
                .ok_or("the demo start time")?;
        let end = start + jiff::SignedDuration::from_mins(15);
        create(
            json!({"resourceType": "Appointment", "status": "booked",
            "identifier": [{"system": DEMO_LETTERS, "value": code}],
            "start": start.to_string(), "end": end.to_string(),
            "participant": [
                {"actor": {"reference": patient}, "status": "accepted"},
                {"actor": {"reference": practitioner, "display": clinician}, "status": "accepted"},
            ]}),
            format!("identifier={DEMO_LETTERS}|{code}"),
        )
        .await?;
        ready.push(DemoPatient {
            family_name: family,
            birth_date: birth,
            code,
            time,
        });
    }
    Ok(ready)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_demo_never_goes_into_a_real_ehr() {
        let settings = Settings::demo(jiff::tz::TimeZone::UTC);
        let now = jiff::Timestamp::UNIX_EPOCH.to_zoned(jiff::tz::TimeZone::UTC);
        for base in ["https://ehr.example.org/fhir", "http://10.0.0.5:8080/fhir"] {
            let client = crate::fhir::FhirClient::new(base, None).unwrap();
            let refused = seed_ehr(&client, &settings, &now).await.unwrap_err();
            assert!(refused.contains("only on this machine"), "{refused}");
        }
    }
}
