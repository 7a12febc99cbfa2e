//! The FHIR R4 mapping of the server's EHR bridge (resource JSON in, domain
//! out): a day's schedule out of search Bundles, each Appointment with its
//! patient (and clinician), kept only with what check-in needs, and what
//! each Appointment status lets a patient do at the kiosk.
//!
//! Everything here reads untrusted JSON: a field that is missing, of the
//! wrong type or out of bounds drops that appointment (counted), never the
//! whole sync, and never panics. Times stay as the EHR wrote them: the
//! server places them in the clinic's day and time zone.

use crate::checkin::normalise_code;
use crate::contract::limits;
use crate::date::Date;
use crate::names::surname_key;
use crate::text::clean_text;
use serde_json::Value;
use std::collections::HashMap;

/// What an Appointment's status means at the kiosk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// booked, pending: the patient can check in.
    Bookable,
    /// arrived, checked-in, fulfilled: already in (at the desk, or here).
    AlreadyIn,
    /// cancelled, noshow, entered-in-error, and anything not yet booked
    /// (proposed, waitlist) or unknown: cannot check in.
    Closed,
}

impl Standing {
    pub fn of(status: &str) -> Standing {
        match status {
            "booked" | "pending" => Standing::Bookable,
            "arrived" | "checked-in" | "fulfilled" => Standing::AlreadyIn,
            _ => Standing::Closed,
        }
    }
}

/// One appointment of the day, as check-in needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Booked {
    /// `Appointment/{id}`.
    pub appointment: String,
    /// Its `meta.versionId` as read (opaque).
    pub version: Option<String>,
    pub standing: Standing,
    /// The start as the EHR gave it (a FHIR instant, with its offset).
    pub start: String,
    pub family_name: String,
    pub given_name: String,
    pub birth_date: Date,
    /// A display name ("Dr. Lee"); empty when the EHR names nobody.
    pub clinician: String,
    /// `Patient/{id}`.
    pub patient: String,
    /// The letter's code (the identifier of the site's `code_system`),
    /// normalised.
    pub code: Option<String>,
}

/// What the pages of one search hold: its Appointments, and the Patients
/// and Practitioners included with them (by `Type/id`).
#[derive(Debug, Default)]
pub struct Gathered {
    appointments: Vec<Value>,
    included: HashMap<String, Value>,
}

impl Gathered {
    /// Adds one page (a `searchset` Bundle); the address of the next page,
    /// if the page links one.
    pub fn add_page(&mut self, bundle: &Value) -> Result<Option<String>, String> {
        if bundle.get("resourceType").and_then(Value::as_str) != Some("Bundle") {
            return Err("not a Bundle".into());
        }
        let entries = bundle.get("entry").and_then(Value::as_array);
        for resource in entries
            .into_iter()
            .flatten()
            .filter_map(|e| e.get("resource"))
        {
            let kind = resource.get("resourceType").and_then(Value::as_str);
            let id = resource.get("id").and_then(Value::as_str);
            match (kind, id) {
                (Some("Appointment"), Some(_)) => self.appointments.push(resource.clone()),
                (Some(kind @ ("Patient" | "Practitioner")), Some(id)) => {
                    self.included
                        .insert(format!("{kind}/{id}"), resource.clone());
                }
                _ => {}
            }
        }
        if self.appointments.len() > MAX_APPOINTMENTS {
            return Err(format!(
                "more than {MAX_APPOINTMENTS} appointments in a day"
            ));
        }
        let links = bundle.get("link").and_then(Value::as_array);
        Ok(links
            .into_iter()
            .flatten()
            .find(|l| l.get("relation").and_then(Value::as_str) == Some("next"))
            .and_then(|l| l.get("url"))
            .and_then(Value::as_str)
            .map(str::to_owned))
    }

    /// The appointments read, each once; how many were left out (no start,
    /// no usable patient).
    pub fn appointments(&self, code_system: Option<&str>) -> (Vec<Booked>, usize) {
        let mut booked: Vec<Booked> = Vec::new();
        let mut left_out = 0;
        for appointment in &self.appointments {
            match self.read(appointment, code_system) {
                // A later page may repeat an appointment (it changed while
                // the pages were read): the last one read wins.
                Some(b) => match booked.iter_mut().find(|x| x.appointment == b.appointment) {
                    Some(earlier) => *earlier = b,
                    None => booked.push(b),
                },
                None => left_out += 1,
            }
        }
        (booked, left_out)
    }

    fn read(&self, appointment: &Value, code_system: Option<&str>) -> Option<Booked> {
        let id = text(appointment.get("id"))?;
        let status = text(appointment.get("status"))?;
        let start = text(appointment.get("start"))?.to_owned();
        let participants = appointment.get("participant").and_then(Value::as_array);
        let actors = participants
            .into_iter()
            .flatten()
            .filter_map(|p| p.get("actor"));
        let (mut patient, mut clinician) = (None, None);
        for actor in actors {
            let Some(reference) = text(actor.get("reference")).and_then(local_reference) else {
                continue;
            };
            if reference.starts_with("Patient/") && patient.is_none() {
                patient = Some(reference);
            } else if reference.starts_with("Practitioner/") && clinician.is_none() {
                let display = text(actor.get("display")).map(str::to_owned);
                clinician =
                    display.or_else(|| self.included.get(&reference).and_then(practitioner_name));
            }
        }
        let patient = patient?;
        let person = self.included.get(&patient)?;
        let (family_name, given_name) = patient_name(person)?;
        let birth_date: Date = text(person.get("birthDate"))?.parse().ok()?;
        let code = code_system.and_then(|system| {
            let identifiers = appointment.get("identifier").and_then(Value::as_array);
            identifiers
                .into_iter()
                .flatten()
                .find(|i| text(i.get("system")) == Some(system))
                .and_then(|i| text(i.get("value")))
                .and_then(normalise_code)
        });
        let version = appointment
            .get("meta")
            .and_then(|m| text(m.get("versionId")))
            .map(str::to_owned);
        Some(Booked {
            appointment: format!("Appointment/{id}"),
            version,
            standing: Standing::of(status),
            start,
            family_name,
            given_name,
            birth_date,
            clinician: clinician
                .and_then(|c| clean_text(&c, limits::CLINICIAN_CHARS))
                .unwrap_or_default(),
            patient,
            code,
        })
    }
}

/// The most appointments one day's sync takes in (beyond it, the sync
/// fails and the last good schedule stays).
pub const MAX_APPOINTMENTS: usize = 5_000;

fn text(value: Option<&Value>) -> Option<&str> {
    value.and_then(Value::as_str).filter(|s| !s.is_empty())
}

/// `Patient/123` from `Patient/123`, `https://ehr/fhir/Patient/123` or
/// `Patient/123/_history/4`; `None` for anything else (a contained `#ref`,
/// a search URL).
pub fn local_reference(reference: &str) -> Option<String> {
    let path = reference.split(['?', '#']).next()?;
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    let at = parts
        .iter()
        .rposition(|p| matches!(*p, "Patient" | "Practitioner" | "Appointment"))?;
    let id = parts.get(at + 1)?;
    let id_ok = (1..=64).contains(&id.len())
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
    id_ok.then(|| format!("{}/{id}", parts[at]))
}

/// The official name (else the first), as (family, first given).
fn patient_name(patient: &Value) -> Option<(String, String)> {
    let names = patient.get("name").and_then(Value::as_array)?;
    let name = names
        .iter()
        .find(|n| text(n.get("use")) == Some("official"))
        .or_else(|| names.first())?;
    let family = clean_text(text(name.get("family"))?, limits::FAMILY_NAME_CHARS)?;
    if surname_key(&family).is_empty() {
        return None;
    }
    let given = name
        .get("given")
        .and_then(Value::as_array)
        .and_then(|g| text(g.first()))
        .and_then(|g| clean_text(g, limits::FAMILY_NAME_CHARS))
        .unwrap_or_default();
    Some((family, given))
}

/// "Dr. Lee" from a Practitioner's name: its prefix and family name, else
/// its text.
fn practitioner_name(practitioner: &Value) -> Option<String> {
    let name = practitioner
        .get("name")
        .and_then(Value::as_array)?
        .first()?;
    let family = text(name.get("family"));
    let prefix = name
        .get("prefix")
        .and_then(Value::as_array)
        .and_then(|p| text(p.first()));
    match (prefix, family) {
        (Some(prefix), Some(family)) => Some(format!("{prefix} {family}")),
        (None, Some(family)) => Some(family.to_owned()),
        _ => text(name.get("text")).map(str::to_owned),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn page(entries: Vec<Value>, next: Option<&str>) -> Value {
        let mut bundle = json!({
            "resourceType": "Bundle",
            "type": "searchset",
            "entry": entries.into_iter().map(|r| json!({"resource": r})).collect::<Vec<_>>(),
        });
        if let Some(next) = next {
            bundle["link"] =
                json!([{"relation": "self", "url": "x"}, {"relation": "next", "url": next}]);
        }
        bundle
    }

    fn appointment(id: &str, status: &str, start: &str, patient: &str) -> Value {
        json!({
            "resourceType": "Appointment", "id": id, "status": status, "start": start,
            "meta": {"versionId": "v1"},
            "identifier": [{"system": "urn:other", "value": "NOPE99"}, {"system": "urn:letters", "value": "ab-12 cd"}],
            "participant": [
                {"actor": {"reference": "Practitioner/doc"}},
                {"actor": {"reference": patient, "display": "ignored"}},
            ],
        })
    }

    fn maria() -> Value {
        json!({
            "resourceType": "Patient", "id": "p1", "birthDate": "1980-04-12",
            "name": [{"use": "nickname", "family": "Gar"}, {"use": "official", "family": "García López", "given": ["María", "José"]}],
        })
    }

    fn doctor() -> Value {
        json!({"resourceType": "Practitioner", "id": "doc", "name": [{"prefix": ["Dr."], "family": "Lee", "given": ["Ann"]}]})
    }

    #[test]
    fn statuses_map_to_what_the_kiosk_may_do() {
        for s in ["booked", "pending"] {
            assert_eq!(Standing::of(s), Standing::Bookable);
        }
        for s in ["arrived", "checked-in", "fulfilled"] {
            assert_eq!(Standing::of(s), Standing::AlreadyIn);
        }
        for s in [
            "cancelled",
            "noshow",
            "entered-in-error",
            "proposed",
            "waitlist",
            "",
            "BOOKED",
        ] {
            assert_eq!(Standing::of(s), Standing::Closed, "{s}");
        }
    }

    #[test]
    fn an_appointment_is_read_with_its_patient_and_clinician() {
        let mut g = Gathered::default();
        let next = g
            .add_page(&page(
                vec![
                    // 08:30 UTC is 09:30 in Madrid in March.
                    appointment("a1", "booked", "2026-03-10T08:30:00Z", "Patient/p1"),
                    maria(),
                    doctor(),
                ],
                Some("https://ehr.example/fhir/Appointment?page=2"),
            ))
            .unwrap();
        assert_eq!(
            next.as_deref(),
            Some("https://ehr.example/fhir/Appointment?page=2")
        );
        let (booked, left_out) = g.appointments(Some("urn:letters"));
        assert_eq!(left_out, 0);
        assert_eq!(
            booked,
            vec![Booked {
                appointment: "Appointment/a1".into(),
                version: Some("v1".into()),
                standing: Standing::Bookable,
                start: "2026-03-10T08:30:00Z".into(),
                family_name: "García López".into(),
                given_name: "María".into(),
                birth_date: "1980-04-12".parse().unwrap(),
                clinician: "Dr. Lee".into(),
                patient: "Patient/p1".into(),
                code: Some("AB12CD".into()),
            }]
        );
        // Without a code system, no code.
        assert_eq!(g.appointments(None).0[0].code, None);
    }

    #[test]
    fn pages_add_up_and_a_repeated_appointment_keeps_its_last_reading() {
        let mut g = Gathered::default();
        g.add_page(&page(
            vec![appointment(
                "a1",
                "booked",
                "2026-03-10T08:30:00Z",
                "Patient/p1",
            )],
            None,
        ))
        .unwrap();
        // The patient arrives on the second page, with the same appointment
        // now cancelled.
        let last = g
            .add_page(&page(
                vec![
                    appointment("a1", "cancelled", "2026-03-10T08:30:00Z", "Patient/p1"),
                    maria(),
                ],
                None,
            ))
            .unwrap();
        assert_eq!(last, None);
        let (booked, _) = g.appointments(None);
        assert_eq!(booked.len(), 1);
        assert_eq!(booked[0].standing, Standing::Closed);
        assert_eq!(
            booked[0].clinician, "",
            "no practitioner included, no display"
        );
    }

    #[test]
    fn unusable_appointments_are_left_out_and_counted() {
        let mut no_birth = maria();
        no_birth["id"] = json!("p2");
        no_birth["birthDate"] = json!("1980");
        let mut no_name = maria();
        no_name["id"] = json!("p3");
        no_name["name"] = json!([{"family": "  -  "}]);
        let mut g = Gathered::default();
        g.add_page(&page(
            vec![
                appointment("ok", "booked", "2026-03-09T23:30:00Z", "Patient/p1"),
                appointment("nobody", "booked", "2026-03-10T09:00:00Z", "Patient/missing"),
                appointment("birth", "booked", "2026-03-10T09:00:00Z", "Patient/p2"),
                appointment("name", "booked", "2026-03-10T09:00:00Z", "Patient/p3"),
                json!({"resourceType": "Appointment", "id": "nostart", "status": "booked", "participant": []}),
                json!({"resourceType": "Appointment", "id": 7}),
                json!({"resourceType": "Appointment", "id": "x", "status": "booked", "start": "2026-03-10T09:00:00Z", "participant": "no"}),
                maria(),
                no_birth,
                no_name,
                json!("not even an object"),
            ],
            None,
        ))
        .unwrap();
        let (booked, left_out) = g.appointments(None);
        assert_eq!(
            booked
                .iter()
                .map(|b| b.appointment.as_str())
                .collect::<Vec<_>>(),
            ["Appointment/ok"]
        );
        // nobody, birth, name, nostart, x (one without an id is not even
        // an appointment).
        assert_eq!(left_out, 5);
        assert!(Gathered::default()
            .add_page(&json!({"resourceType": "OperationOutcome"}))
            .is_err());
        assert!(Gathered::default().add_page(&json!([])).is_err());
    }

    #[test]
    fn references_are_read_relative_absolute_or_versioned_and_nothing_else() {
        assert_eq!(local_reference("Patient/1").as_deref(), Some("Patient/1"));
        assert_eq!(
            local_reference("https://ehr.example/fhir/Patient/a-b.c/_history/3").as_deref(),
            Some("Patient/a-b.c")
        );
        assert_eq!(local_reference("#contained"), None);
        assert_eq!(local_reference("Patient?identifier=x"), None);
        assert_eq!(local_reference("Patient/"), None);
        assert_eq!(local_reference("Patient/a b"), None);
        assert_eq!(
            local_reference(&format!("Patient/{}", "x".repeat(65))),
            None
        );
    }

    /// JSON shaped like FHIR with the wrong things in the wrong places:
    /// the keys the reader looks for, holding anything.
    fn fhir_like() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            "[a-zA-Z0-9/:._ -]{0,12}".prop_map(Value::from),
            Just(json!("Patient/p1")),
            Just(json!("Appointment")),
            Just(json!("Patient")),
            Just(json!("booked")),
            Just(json!("2026-03-10T09:00:00Z")),
            Just(json!("1980-04-12")),
        ];
        let keys = prop_oneof![
            Just("resourceType"),
            Just("id"),
            Just("status"),
            Just("start"),
            Just("participant"),
            Just("actor"),
            Just("reference"),
            Just("display"),
            Just("name"),
            Just("family"),
            Just("given"),
            Just("prefix"),
            Just("use"),
            Just("birthDate"),
            Just("identifier"),
            Just("system"),
            Just("value"),
            Just("meta"),
            Just("versionId"),
        ];
        leaf.prop_recursive(4, 48, 6, move |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
                proptest::collection::btree_map(keys.clone(), inner, 0..6).prop_map(|m| {
                    Value::Object(m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
                }),
            ]
        })
    }

    proptest::proptest! {
        #[test]
        fn any_json_is_read_without_panicking(
            resources in proptest::collection::vec(fhir_like(), 0..8),
            text in ".{0,200}",
        ) {
            let mut g = Gathered::default();
            let entries: Vec<Value> = resources.into_iter().map(|r| json!({"resource": r})).collect();
            let _ = g.add_page(&json!({"resourceType": "Bundle", "entry": entries, "link": [{"relation": "next", "url": 3}]}));
            if let Ok(value) = serde_json::from_str::<Value>(&text) {
                let _ = g.add_page(&value);
            }
            let (booked, _) = g.appointments(Some("urn:letters"));
            for b in booked {
                proptest::prop_assert!(b.appointment.starts_with("Appointment/"));
                proptest::prop_assert!(b.patient.starts_with("Patient/"));
                proptest::prop_assert!(!b.family_name.is_empty());
            }
        }
    }
}
