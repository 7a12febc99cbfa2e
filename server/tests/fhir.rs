//! The FHIR schedule (`--schedule fhir-r4`) against a real FHIR engine:
//! Medplum's, in memory, served over HTTP by `tests/fhir/server.mjs`
//! (`make test` installs it). Today's appointments are read from it into
//! check-in, cancelled ones leave, new ones are found by the lookup that
//! missed them, paging is followed, a server that goes away leaves the last
//! good schedule, and a server that lacks what the bridge needs is refused
//! at start-up.

mod common;

use common::*;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use waitwell_server::fhir::FhirSchedule;
use waitwell_server::hub::QueueHub;
use waitwell_server::settings::Settings;

/// The harness: a FHIR server on a free port, stopped when dropped.
struct Ehr {
    child: Child,
    base: String,
    http: reqwest::Client,
    token: Option<String>,
    /// SMART: the test's own requests go through the harness's back door
    /// (`/$harness/`) only.
    signed_in: bool,
}

impl Ehr {
    fn start(token: Option<&str>, dir: &std::path::Path) -> Ehr {
        Ehr::start_with(token, dir, &[])
    }

    /// With SMART Backend Services: the client's private keys are written
    /// to `dir`, tokens last `seconds`.
    fn start_smart(dir: &std::path::Path, seconds: u32) -> Ehr {
        let dir_arg = dir.to_str().unwrap().to_owned();
        let seconds = seconds.to_string();
        let mut ehr = Ehr::start_with(
            None,
            dir,
            &["--smart-dir", &dir_arg, "--token-seconds", &seconds],
        );
        ehr.signed_in = true;
        ehr
    }

    fn start_with(token: Option<&str>, dir: &std::path::Path, extra: &[&str]) -> Ehr {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let script = root.join("tests/fhir/server.mjs");
        assert!(
            root.join("tests/fhir/node_modules/@medplum/fhir-router")
                .exists(),
            "the FHIR harness is not installed: run `make test-tools` (npm ci in tests/fhir)"
        );
        let mut command = Command::new("node");
        command.arg(script).args(["--port", "0"]).args(extra);
        if let Some(token) = token {
            let file = dir.join("ehr-token");
            std::fs::write(&file, token).unwrap();
            command.arg("--token-file").arg(file);
        }
        let mut child = command
            .current_dir(root.join("tests/fhir"))
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("node runs");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let base = line
            .trim()
            .strip_prefix("fhir harness listening on ")
            .unwrap_or_else(|| panic!("harness said {line:?}"))
            .to_owned();
        Ehr {
            child,
            base,
            http: reqwest::Client::new(),
            token: token.map(str::to_owned),
            signed_in: false,
        }
    }

    /// What the harness tells of itself at `/$harness/{what}`.
    async fn harness(&self, what: &str) -> Value {
        self.http
            .get(format!("{}/$harness/{what}", self.base))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// How many transaction Bundles came.
    async fn stats(&self) -> Value {
        self.harness("stats").await
    }

    /// What the SMART token endpoint accepted.
    async fn tokens(&self) -> Value {
        self.harness("tokens").await
    }

    async fn send(&self, method: reqwest::Method, path: &str, body: Option<&Value>) -> Value {
        let mut request = self
            .http
            .request(method, format!("{}/{path}", self.base))
            .header("content-type", "application/fhir+json")
            // The test's own requests pass the harness's faults by.
            .header("x-harness-observer", "1");
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.body(body.to_string());
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let answer: Value = response.json().await.unwrap_or(Value::Null);
        assert!(status.is_success(), "{path}: {status} {answer}");
        answer
    }

    async fn create(&self, resource: Value) -> String {
        let kind = resource["resourceType"].as_str().unwrap().to_owned();
        let made = self
            .send(reqwest::Method::POST, &kind, Some(&resource))
            .await;
        format!("{kind}/{}", made["id"].as_str().unwrap())
    }

    async fn read(&self, reference: &str) -> Value {
        self.send(reqwest::Method::GET, reference, None).await
    }

    async fn update(&self, mut resource: Value) {
        let path = format!(
            "{}/{}",
            resource["resourceType"].as_str().unwrap(),
            resource["id"].as_str().unwrap()
        );
        resource.as_object_mut().unwrap().remove("meta");
        self.send(reqwest::Method::PUT, &path, Some(&resource))
            .await;
    }

    async fn drop_capabilities(&self, drop: &[&str]) {
        self.http
            .post(format!("{}/$harness/capability", self.base))
            .json(&json!({ "drop": drop }))
            .send()
            .await
            .unwrap();
    }

    async fn patient(&self, family: &str, given: &str, birth: &str) -> String {
        self.create(json!({
            "resourceType": "Patient",
            "name": [{"use": "official", "family": family, "given": [given]}],
            "birthDate": birth,
        }))
        .await
    }

    /// An appointment of 15 minutes from `start` (UTC) for `patient` with
    /// Dr. Lee.
    async fn appointment(&self, patient: &str, doctor: &str, start: &str, status: &str) -> String {
        let start: jiff::Timestamp = start.parse().unwrap();
        let end = start + jiff::SignedDuration::from_mins(15);
        self.create(json!({
            "resourceType": "Appointment",
            "status": status,
            "start": start.to_string(),
            "end": end.to_string(),
            "identifier": [{"system": "urn:example:letters", "value": format!("L{}", &patient[8..14])}],
            "participant": [
                {"actor": {"reference": patient}, "status": "accepted"},
                {"actor": {"reference": doctor}, "status": "accepted"},
            ],
        }))
        .await
    }
}

impl Drop for Ehr {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn settings_for(ehr: &Ehr) -> Settings {
    let mut settings = Settings::demo(jiff::tz::TimeZone::UTC);
    settings.fhir.base_url = Some(ehr.base.clone());
    settings.fhir.code_system = Some("urn:example:letters".into());
    settings
}

/// A fixture whose schedule is `ehr`'s (connected, not yet read).
async fn fixture_on(_ehr: &Ehr, settings: Settings) -> (Fixture, Arc<FhirSchedule>) {
    let mut f = fixture_with(settings).await;
    let schedule = Arc::new(
        FhirSchedule::connect(&f.state.settings, f.clock.clone())
            .await
            .expect("the harness has what the bridge needs"),
    );
    f.state.hub = Arc::new(QueueHub::new(schedule.clone()));
    (f, schedule)
}

async fn identify(f: &Fixture, family: &str, birth: &str) -> Reply {
    let body = format!(r#"{{"method":"name","family_name":"{family}","birth_date":"{birth}"}}"#);
    kiosk_post(f, "/api/v1/identify", &body, &[]).await
}

async fn stored(f: &Fixture) -> Vec<(String, String, String, String, String)> {
    sqlx::query_as(
        "SELECT external_id, starts_at, family_name, clinician, code FROM appointments
         WHERE day = ? ORDER BY starts_at",
    )
    .bind(f.state.today())
    .fetch_all(&f.state.db)
    .await
    .unwrap()
}

#[tokio::test]
async fn todays_bookable_appointments_are_read_and_checked_in_against() {
    let tmp = tempfile::tempdir().unwrap();
    let ehr = Ehr::start(None, tmp.path());
    let doctor = ehr
        .create(
            json!({"resourceType": "Practitioner", "name": [{"prefix": ["Dr."], "family": "Lee"}]}),
        )
        .await;
    let maria = ehr.patient("García López", "María", "1980-04-12").await;
    let omar = ehr.patient("Haddad", "Omar", "1992-01-05").await;
    let ana = ehr.patient("Silva", "Ana", "1970-07-07").await;
    // The fixture's clock: 2026-03-10 09:00 UTC.
    let booked = ehr
        .appointment(&maria, &doctor, "2026-03-10T09:10:00Z", "booked")
        .await;
    ehr.appointment(&omar, &doctor, "2026-03-10T09:20:00Z", "cancelled")
        .await;
    ehr.appointment(&ana, &doctor, "2026-03-10T09:05:00Z", "arrived")
        .await;
    ehr.appointment(&omar, &doctor, "2026-03-11T09:20:00Z", "booked")
        .await;

    let (f, schedule) = fixture_on(&ehr, settings_for(&ehr)).await;
    assert_eq!(schedule.status().last_good, None);
    let synced = schedule.sync(&f.state.db, &f.state.today()).await.unwrap();
    assert_eq!((synced.added, synced.updated, synced.removed), (1, 0, 0));
    assert_eq!(schedule.status().last_good, Some(morning()));
    let rows = stored(&f).await;
    let letter = format!("L{}", &maria[8..14]).to_uppercase();
    assert_eq!(
        rows,
        [(
            booked.clone(),
            "09:10".into(),
            "García López".into(),
            "Dr. Lee".into(),
            letter.clone()
        )]
    );

    // The kiosk finds María by name and by her letter's code, masked.
    let found = identify(&f, "garcia", "1980-04-12").await;
    assert_eq!(found.status, 200, "{}", found.text);
    let hint = &found.json()["matches"][0];
    assert_eq!(hint["initials"], "M. G.");
    assert_eq!(hint["time"], "09:10");
    assert_eq!(hint["clinician"], "Dr. Lee");
    assert!(!found.text.contains("García"), "{}", found.text);
    let by_code = kiosk_post(
        &f,
        "/api/v1/identify",
        &format!(r#"{{"method":"code","code":"{letter}"}}"#),
        &[],
    )
    .await;
    assert_eq!(by_code.status, 200, "{}", by_code.text);
    // She checks in.
    let checked_in = kiosk_post(
        &f,
        "/api/v1/check-ins",
        &format!(
            r#"{{"kind":"appointment",{}}}"#,
            identity_fields(&letter, "09:10", "Dr. Lee")
        ),
        &[("idempotency-key", &uuid())],
    )
    .await;
    assert_eq!(checked_in.status, 201, "{}", checked_in.text);
    // Cancelled, already arrived and tomorrow's: not here.
    for (family, birth) in [("haddad", "1992-01-05"), ("silva", "1970-07-07")] {
        assert_eq!(identify(&f, family, birth).await.code(), "no_match");
    }

    // The EHR cancels María's appointment (she is checked in here: her
    // ticket stays) and books Omar today: the lookup that misses Omar
    // reads the schedule again and finds him.
    let mut appointment = ehr.read(&booked).await;
    appointment["status"] = json!("cancelled");
    ehr.update(appointment).await;
    f.clock.advance(jiff::SignedDuration::from_secs(10));
    let omar_today = ehr
        .appointment(&omar, &doctor, "2026-03-10T09:30:00Z", "booked")
        .await;
    let found = identify(&f, "haddad", "1992-01-05").await;
    assert_eq!(found.status, 200, "{}", found.text);
    assert_eq!(found.json()["matches"][0]["time"], "09:30");
    let ids: Vec<String> = stored(&f).await.into_iter().map(|r| r.0).collect();
    assert_eq!(ids, [booked.clone(), omar_today.clone()]);

    // Omar's is cancelled too, before he checks in: gone after one sync.
    let mut appointment = ehr.read(&omar_today).await;
    appointment["status"] = json!("cancelled");
    ehr.update(appointment).await;
    let synced = schedule.sync(&f.state.db, &f.state.today()).await.unwrap();
    assert_eq!(synced.removed, 1);
    f.clock.advance(jiff::SignedDuration::from_secs(10));
    assert_eq!(
        identify(&f, "haddad", "1992-01-05").await.code(),
        "no_match"
    );
    let ids: Vec<String> = stored(&f).await.into_iter().map(|r| r.0).collect();
    assert_eq!(ids, [booked]);
}

#[tokio::test]
async fn every_page_is_read_and_a_server_that_goes_away_leaves_the_last_schedule() {
    let tmp = tempfile::tempdir().unwrap();
    let ehr = Ehr::start(None, tmp.path());
    let doctor = ehr
        .create(json!({"resourceType": "Practitioner", "name": [{"family": "Patel"}]}))
        .await;
    // 250 appointments: three pages of 100 (the harness links them).
    for i in 0..250 {
        let patient = ehr
            .patient(&format!("Family{i:03}"), "Test", "1990-01-01")
            .await;
        let minute = 8 * 60 + i;
        let start = format!("2026-03-10T{:02}:{:02}:00Z", minute / 60, minute % 60);
        ehr.appointment(&patient, &doctor, &start, "booked").await;
    }
    let (f, schedule) = fixture_on(&ehr, settings_for(&ehr)).await;
    let synced = schedule.sync(&f.state.db, &f.state.today()).await.unwrap();
    assert_eq!(synced.added, 250);
    assert_eq!(stored(&f).await.len(), 250);
    assert_eq!(stored(&f).await[0].3, "Patel");

    drop(ehr);
    f.clock.advance(jiff::SignedDuration::from_mins(1));
    assert!(schedule.sync(&f.state.db, &f.state.today()).await.is_err());
    f.clock.advance(jiff::SignedDuration::from_mins(1));
    assert!(schedule.sync(&f.state.db, &f.state.today()).await.is_err());
    let status = schedule.status();
    assert_eq!(status.last_good, Some(morning()));
    assert_eq!(
        status.failing_since,
        Some(morning() + jiff::SignedDuration::from_mins(1))
    );
    assert_eq!(stored(&f).await.len(), 250, "the last good schedule stays");
    // A lookup still answers from it (its refresh fails quietly).
    f.clock.advance(jiff::SignedDuration::from_mins(1));
    let found = identify(&f, "family060", "1990-01-01").await;
    assert_eq!(found.status, 200, "{}", found.text);
    // A lookup that finds nothing tries the EHR again, but not within 30 s
    // of a failed reading: nobody waits on an EHR that is away.
    assert_eq!(
        identify(&f, "nobody", "1990-01-01").await.code(),
        "no_match"
    );
    let tried = schedule.status().last_failed;
    assert_eq!(tried, Some(morning() + jiff::SignedDuration::from_mins(3)));
    f.clock.advance(jiff::SignedDuration::from_secs(20));
    assert_eq!(
        identify(&f, "nobody", "1990-01-01").await.code(),
        "no_match"
    );
    assert_eq!(schedule.status().last_failed, tried);
    f.clock.advance(jiff::SignedDuration::from_secs(11));
    assert_eq!(
        identify(&f, "nobody", "1990-01-01").await.code(),
        "no_match"
    );
    assert!(schedule.status().last_failed > tried);
}

#[tokio::test]
async fn a_server_without_what_the_bridge_needs_is_refused_at_start_up() {
    let tmp = tempfile::tempdir().unwrap();
    let ehr = Ehr::start(None, tmp.path());
    ehr.drop_capabilities(&["r4", "conditional-create", "search:date"])
        .await;
    let settings = settings_for(&ehr);
    let clock = Arc::new(waitwell_server::clock::ManualClock::new(morning()));
    let refused = FhirSchedule::connect(&settings, clock.clone())
        .await
        .unwrap_err();
    for named in [
        "FHIR version 4.0 (R4): the server says 5.0.0",
        "searching Appointment by date",
        "conditional create of Encounter",
    ] {
        assert!(refused.contains(named), "{refused}");
    }
    ehr.drop_capabilities(&[]).await;
    assert!(FhirSchedule::connect(&settings, clock.clone())
        .await
        .is_ok());

    // Nobody there.
    let mut nowhere = settings.clone();
    nowhere.fhir.base_url = Some("http://127.0.0.1:9".into());
    let refused = FhirSchedule::connect(&nowhere, clock).await.unwrap_err();
    assert!(
        refused.contains("cannot reach the FHIR server"),
        "{refused}"
    );
}

#[tokio::test]
async fn a_bearer_token_from_a_file_is_sent_and_never_shown() {
    let tmp = tempfile::tempdir().unwrap();
    let secret = "s3cr3t-token-0123456789";
    let ehr = Ehr::start(Some(secret), tmp.path());
    let clock = Arc::new(waitwell_server::clock::ManualClock::new(morning()));
    let mut settings = settings_for(&ehr);
    // No token: refused by the server, and said so.
    let refused = FhirSchedule::connect(&settings, clock.clone())
        .await
        .unwrap_err();
    assert!(refused.contains("answered 401"), "{refused}");
    // The wrong one: the same, and the message does not repeat it.
    let wrong = tmp.path().join("wrong");
    std::fs::write(&wrong, "not-the-token\n").unwrap();
    settings.fhir.token_file = Some(wrong);
    let refused = FhirSchedule::connect(&settings, clock.clone())
        .await
        .unwrap_err();
    assert!(refused.contains("answered 401") && !refused.contains("not-the-token"));
    // The right one (with its file's newline).
    let right = tmp.path().join("right");
    std::fs::write(&right, format!("{secret}\n")).unwrap();
    settings.fhir.token_file = Some(right);
    let schedule = FhirSchedule::connect(&settings, clock.clone())
        .await
        .expect("the token is accepted");
    assert!(!format!("{schedule:?}").contains(secret));
    // Not over plain HTTP to another machine: the token would be readable.
    let mut plain = settings.clone();
    plain.fhir.base_url = Some("http://10.0.0.9/fhir".into());
    let refused = FhirSchedule::connect(&plain, clock.clone())
        .await
        .unwrap_err();
    assert!(refused.contains("is not https"), "{refused}");
    // A file that is not one token.
    let two = tmp.path().join("two");
    std::fs::write(&two, "one two").unwrap();
    settings.fhir.token_file = Some(two);
    let refused = FhirSchedule::connect(&settings, clock).await.unwrap_err();
    assert!(refused.contains("does not hold one token"), "{refused}");
}

impl Ehr {
    async fn fault(&self, fault: Value) {
        let reply = self
            .http
            .post(format!("{}/$harness/fault", self.base))
            .json(&fault)
            .send()
            .await
            .unwrap();
        assert_eq!(reply.status(), 204);
    }

    /// The resources a search finds (not what it includes).
    async fn search(&self, query: &str) -> Vec<Value> {
        let bundle = self.send(reqwest::Method::GET, query, None).await;
        bundle["entry"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|e| e["search"]["mode"] != "include")
            .map(|e| e["resource"].clone())
            .collect()
    }

    async fn status_of(&self, appointment: &str) -> String {
        self.read(appointment).await["status"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    async fn encounters_of(&self, appointment: &str) -> Vec<Value> {
        self.search(&format!("Encounter?appointment={appointment}"))
            .await
    }
}

/// A clinic of `n` patients booked at 09:00, 09:01, … with Dr. Lee, read
/// into a fixture; their appointments, and the codes on their letters.
async fn clinic(ehr: &Ehr, n: usize) -> (Fixture, Arc<FhirSchedule>, Vec<(String, String)>) {
    clinic_with(ehr, n, settings_for(ehr)).await
}

async fn clinic_with(
    ehr: &Ehr,
    n: usize,
    settings: Settings,
) -> (Fixture, Arc<FhirSchedule>, Vec<(String, String)>) {
    let doctor = ehr
        .create(
            json!({"resourceType": "Practitioner", "name": [{"prefix": ["Dr."], "family": "Lee"}]}),
        )
        .await;
    let mut booked = Vec::new();
    for i in 0..n {
        let patient = ehr
            .patient(&format!("Family{i:02}"), "Test", "1990-01-01")
            .await;
        let start = format!("2026-03-10T09:{i:02}:00Z");
        let appointment = ehr.appointment(&patient, &doctor, &start, "booked").await;
        booked.push((appointment, format!("L{}", &patient[8..14]).to_uppercase()));
    }
    let (f, schedule) = fixture_on(ehr, settings).await;
    schedule.sync(&f.state.db, &f.state.today()).await.unwrap();
    (f, schedule, booked)
}

/// Checks in the patient with `letter`, booked at 09:`i`; the ticket's code.
async fn check_in(f: &Fixture, letter: &str, i: usize) -> String {
    let body = format!(
        r#"{{"kind":"appointment",{}}}"#,
        identity_fields(letter, &format!("09:{i:02}"), "Dr. Lee")
    );
    kiosk_check_in(f, &body).await["ticket"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn act(f: &Fixture, staff: &str, action: String) {
    let reply = post_json(
        &f.state,
        "/api/v1/queue/actions",
        &action,
        &[("cookie", staff)],
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
}

/// The queue's id of the ticket with `code`, as reception sees it.
async fn ticket_id(f: &Fixture, staff: &str, code: &str) -> u64 {
    let queue = staff_get(f, staff, "/api/v1/queue/staff").await.json();
    queue["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["ticket"] == code)
        .and_then(|t| t["id"].as_u64())
        .unwrap()
}

async fn backlog(f: &Fixture) -> u32 {
    waitwell_server::store::ehr_writes::backlog(&mut f.state.db.acquire().await.unwrap())
        .await
        .unwrap()
        .0
}

#[tokio::test]
async fn an_arrival_reaches_the_ehr_once_whatever_the_network_does() {
    arrivals_reach_the_ehr_once(true).await;
}

#[tokio::test]
async fn without_transactions_an_arrival_is_two_writes_and_still_reaches_the_ehr_once() {
    arrivals_reach_the_ehr_once(false).await;
}

/// An arrival's writes (in one transaction Bundle, or as two writes where
/// the EHR offers no transactions) against lost answers, 503 and 429, a
/// change in between, and a cancellation in between.
async fn arrivals_reach_the_ehr_once(transactions: bool) {
    let tmp = tempfile::tempdir().unwrap();
    let ehr = Ehr::start(None, tmp.path());
    if !transactions {
        ehr.drop_capabilities(&["transaction"]).await;
    }
    let (f, schedule, booked) = clinic(&ehr, 5).await;
    assert_eq!(schedule.capabilities().transactions, transactions);
    let second = |s: i64| jiff::SignedDuration::from_secs(s);

    // Plainly: arrived, and one Encounter for the visit.
    check_in(&f, &booked[0].1, 0).await;
    assert_eq!(backlog(&f).await, 1);
    let sent = schedule.write_back(&f.state.db).await.unwrap();
    assert_eq!((sent.done, sent.failed), (1, 0));
    assert_eq!(ehr.status_of(&booked[0].0).await, "arrived");
    let encounters = ehr.encounters_of(&booked[0].0).await;
    assert_eq!(encounters.len(), 1);
    let visit = &encounters[0];
    assert_eq!(visit["status"], "arrived");
    assert_eq!(visit["class"]["code"], "AMB");
    assert_eq!(visit["period"]["start"], "2026-03-10T09:00:00Z");
    let patient = ehr.read(&booked[0].0).await["participant"][0]["actor"]["reference"].clone();
    assert_eq!(visit["subject"]["reference"], patient);
    assert_eq!(visit["identifier"][0]["system"], "urn:waitwell:visit");
    assert_eq!(backlog(&f).await, 0);
    // Sending again sends nothing.
    assert_eq!(schedule.write_back(&f.state.db).await.unwrap().done, 0);

    // Answers lost (without transactions: the Appointment's update, then
    // the Encounter's creation; with them, the transaction's, which then
    // finds the Appointment arrived and makes the Encounter alone): sent
    // again, and nothing doubled.
    let lost = if transactions { 1 } else { 2 };
    ehr.fault(json!({ "lose": lost })).await;
    check_in(&f, &booked[1].1, 1).await;
    let mut waited = 5;
    for _ in 0..lost {
        assert_eq!(schedule.write_back(&f.state.db).await.unwrap().failed, 1);
        f.clock.advance(second(waited));
        waited *= 2;
    }
    // Backing off: not yet (the next try is 10 s after the last failure).
    if !transactions {
        f.clock.advance(second(-5));
        assert_eq!(schedule.write_back(&f.state.db).await.unwrap().waiting, 1);
        f.clock.advance(second(5));
    }
    assert_eq!(schedule.write_back(&f.state.db).await.unwrap().done, 1);
    assert_eq!(ehr.status_of(&booked[1].0).await, "arrived");
    assert_eq!(ehr.encounters_of(&booked[1].0).await.len(), 1);

    // 503, then 429, for a while.
    ehr.fault(json!({"status": 503, "count": 2})).await;
    check_in(&f, &booked[2].1, 2).await;
    for wait in [5, 10] {
        assert_eq!(schedule.write_back(&f.state.db).await.unwrap().failed, 1);
        f.clock.advance(second(wait));
    }
    ehr.fault(json!({"status": 429, "count": 1})).await;
    assert_eq!(schedule.write_back(&f.state.db).await.unwrap().failed, 1);
    f.clock.advance(second(20));
    assert_eq!(schedule.write_back(&f.state.db).await.unwrap().done, 1);
    assert_eq!(ehr.status_of(&booked[2].0).await, "arrived");
    assert_eq!(ehr.encounters_of(&booked[2].0).await.len(), 1);

    // Changed by someone else between the read and the update (412): read
    // again and applied over their change, which stays.
    ehr.fault(json!({"touch": 1})).await;
    check_in(&f, &booked[3].1, 3).await;
    assert_eq!(schedule.write_back(&f.state.db).await.unwrap().done, 1);
    let appointment = ehr.read(&booked[3].0).await;
    assert_eq!(appointment["status"], "arrived");
    assert!(appointment["comment"]
        .as_str()
        .is_some_and(|c| c.starts_with("changed elsewhere")));

    // Cancelled in the EHR after the check-in: not set back to arrived.
    check_in(&f, &booked[4].1, 4).await;
    let mut cancelled = ehr.read(&booked[4].0).await;
    cancelled["status"] = json!("cancelled");
    ehr.update(cancelled).await;
    assert_eq!(schedule.write_back(&f.state.db).await.unwrap().done, 1);
    assert_eq!(ehr.status_of(&booked[4].0).await, "cancelled");
    assert_eq!(ehr.encounters_of(&booked[4].0).await.len(), 1);
    assert_eq!(backlog(&f).await, 0);
    let stats = ehr.stats().await;
    assert_eq!(
        stats["transactions"].as_u64().unwrap() > 0,
        transactions,
        "{stats}"
    );
}

#[tokio::test]
async fn reception_calls_visits_seen_and_no_shows_reach_the_ehr() {
    let tmp = tempfile::tempdir().unwrap();
    let ehr = Ehr::start(None, tmp.path());
    let mut settings = settings_for(&ehr);
    settings
        .fhir
        .locations
        .insert("Room 2".into(), "Location/room-2".into());
    let doctor = ehr
        .create(
            json!({"resourceType": "Practitioner", "name": [{"prefix": ["Dr."], "family": "Lee"}]}),
        )
        .await;
    let mut booked = Vec::new();
    for i in 0..2 {
        let patient = ehr
            .patient(&format!("Family{i:02}"), "Test", "1990-01-01")
            .await;
        let appointment = ehr
            .appointment(
                &patient,
                &doctor,
                &format!("2026-03-10T09:{i:02}:00Z"),
                "booked",
            )
            .await;
        booked.push((appointment, format!("L{}", &patient[8..14]).to_uppercase()));
    }
    let (f, schedule) = fixture_on(&ehr, settings).await;
    schedule.sync(&f.state.db, &f.state.today()).await.unwrap();
    let seen = check_in(&f, &booked[0].1, 0).await;
    let gone = check_in(&f, &booked[1].1, 1).await;
    let staff = staff_cookie(&f).await;
    let (seen, gone) = (
        ticket_id(&f, &staff, &seen).await,
        ticket_id(&f, &staff, &gone).await,
    );
    let encounter = |appointment: String| {
        let ehr = &ehr;
        async move { ehr.encounters_of(&appointment).await.remove(0) }
    };

    act(
        &f,
        &staff,
        format!(r#"{{"action":"call","ticket":{seen},"room":"Room 2"}}"#),
    )
    .await;
    schedule.write_back(&f.state.db).await.unwrap();
    let called = encounter(booked[0].0.clone()).await;
    assert_eq!(called["status"], "in-progress");
    assert_eq!(
        called["location"][0]["location"]["reference"],
        "Location/room-2"
    );
    assert_eq!(called["location"][0]["location"]["display"], "Room 2");

    f.clock.advance(jiff::SignedDuration::from_mins(12));
    let staff = staff_cookie(&f).await;
    act(
        &f,
        &staff,
        format!(r#"{{"action":"serve","ticket":{seen}}}"#),
    )
    .await;
    act(
        &f,
        &staff,
        format!(r#"{{"action":"call","ticket":{gone},"room":"Room 1"}}"#),
    )
    .await;
    act(
        &f,
        &staff,
        format!(r#"{{"action":"no_show","ticket":{gone}}}"#),
    )
    .await;
    let sent = schedule.write_back(&f.state.db).await.unwrap();
    assert_eq!((sent.done, sent.failed), (3, 0));
    let finished = encounter(booked[0].0.clone()).await;
    assert_eq!(finished["status"], "finished");
    assert_eq!(finished["period"]["end"], "2026-03-10T09:12:00Z");
    assert_eq!(ehr.status_of(&booked[0].0).await, "arrived");
    assert_eq!(ehr.status_of(&booked[1].0).await, "noshow");
    assert_eq!(encounter(booked[1].0.clone()).await["status"], "cancelled");
    for (appointment, _) in &booked {
        assert_eq!(ehr.encounters_of(appointment).await.len(), 1);
    }
}

#[tokio::test]
async fn twenty_arrivals_during_a_two_minute_outage_reach_the_ehr_once_each() {
    let tmp = tempfile::tempdir().unwrap();
    let ehr = Ehr::start(None, tmp.path());
    let mut settings = settings_for(&ehr);
    settings.fhir.alert_after_minutes = 1;
    let (f, schedule, booked) = clinic_with(&ehr, 20, settings).await;
    let staff = staff_cookie(&f).await;
    let ehr_at_reception =
        || async { staff_get(&f, &staff, "/api/v1/queue/staff").await.json()["ehr"].clone() };
    assert_eq!(
        ehr_at_reception().await,
        json!({"unsent": 0, "alert": false, "schedule_read_at": "2026-03-10T09:00:00Z"})
    );
    ehr.fault(json!({"down": true})).await;
    // Twenty check-ins over two minutes; the writer tries every 6 s.
    for (i, (_, letter)) in booked.iter().enumerate() {
        check_in(&f, letter, i).await;
        // One attempt a pass at most: the rest do not wait out the same
        // unreachable server in turn.
        let sent = schedule.write_back(&f.state.db).await.unwrap();
        assert!(sent.failed <= 1 && sent.done == 0, "{sent:?}");
        assert_eq!(sent.failed + sent.waiting, u32::try_from(i + 1).unwrap());
        f.clock.advance(jiff::SignedDuration::from_secs(6));
        assert_eq!(backlog(&f).await, u32::try_from(i + 1).unwrap());
        // Reception sees the backlog, and is alerted after a minute.
        let seen = ehr_at_reception().await;
        assert_eq!(seen["unsent"], i + 1);
        assert_eq!(seen["oldest_unsent_at"], "2026-03-10T09:00:00Z");
        assert_eq!(seen["alert"], i >= 9, "{i}: {seen}");
    }
    // The schedule's reading fails too, keeps what it had, and reception
    // hears since when.
    assert!(schedule.sync(&f.state.db, &f.state.today()).await.is_err());
    let seen = ehr_at_reception().await;
    assert_eq!(seen["failing_since"], "2026-03-10T09:02:00Z");
    assert_eq!(seen["schedule_read_at"], "2026-03-10T09:00:00Z");
    ehr.fault(json!({"down": false})).await;
    // Within the longest backoff, everything is sent.
    f.clock.advance(jiff::SignedDuration::from_mins(5));
    let sent = schedule.write_back(&f.state.db).await.unwrap();
    assert_eq!(sent.done, 20, "{sent:?}");
    assert_eq!(backlog(&f).await, 0);
    for (appointment, _) in &booked {
        assert_eq!(ehr.status_of(appointment).await, "arrived");
    }
    let visits = ehr.search("Encounter?_count=100").await;
    assert_eq!(visits.len(), 20);
    schedule.sync(&f.state.db, &f.state.today()).await.unwrap();
    let seen = ehr_at_reception().await;
    assert_eq!(
        (&seen["unsent"], &seen["alert"], &seen["failing_since"]),
        (&json!(0), &json!(false), &Value::Null)
    );
}

/// The fixture's kiosk sends survey response `id` (whole).
async fn put_survey(f: &Fixture, id: String, body: &'static str) {
    let reply = send(
        &f.state,
        axum::http::Request::put(format!("/api/v1/surveys/{id}"))
            .header("content-type", "application/json")
            .header("cookie", &f.kiosk)
            .body(axum::body::Body::from(body))
            .unwrap(),
    )
    .await;
    assert_eq!(reply.status, 204, "{}", reply.text);
}

/// Checks `response` against `questionnaire` as a FHIR validator would for
/// these item types: every answer's question exists, has an answer of its
/// type (a listed option for a choice), one unless it repeats, and every
/// required question is answered.
fn validate(questionnaire: &Value, response: &Value) -> Result<(), String> {
    let items = questionnaire["item"].as_array().ok_or("no items")?;
    let answered = response["item"].as_array().ok_or("no answers")?;
    let canonical = format!(
        "{}|{}",
        questionnaire["url"].as_str().unwrap_or_default(),
        questionnaire["version"].as_str().unwrap_or_default()
    );
    if response["questionnaire"] != canonical.as_str() {
        return Err(format!(
            "questionnaire {} is not {canonical}",
            response["questionnaire"]
        ));
    }
    for given in answered {
        let link = given["linkId"].as_str().ok_or("an answer without linkId")?;
        let item = items
            .iter()
            .find(|i| i["linkId"] == link)
            .ok_or(format!("{link}: no such question"))?;
        let answers = given["answer"]
            .as_array()
            .ok_or(format!("{link}: no answer"))?;
        if answers.len() > 1 && item["repeats"] != true {
            return Err(format!("{link}: more than one answer"));
        }
        for answer in answers {
            let ok = match item["type"].as_str() {
                Some("choice") => item["answerOption"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|o| {
                        o["valueCoding"]["system"] == answer["valueCoding"]["system"]
                            && o["valueCoding"]["code"] == answer["valueCoding"]["code"]
                    }),
                Some("integer") => answer["valueInteger"].is_i64(),
                Some("string" | "text") => answer["valueString"].is_string(),
                Some("boolean") => answer["valueBoolean"].is_boolean(),
                _ => false,
            };
            if !ok {
                return Err(format!("{link}: {answer} does not fit {}", item["type"]));
            }
        }
    }
    for item in items.iter().filter(|i| i["required"] == true) {
        if !answered.iter().any(|a| a["linkId"] == item["linkId"]) {
            return Err(format!("{}: required, not answered", item["linkId"]));
        }
    }
    Ok(())
}

#[tokio::test]
async fn a_survey_becomes_one_questionnaire_response_that_a_follow_up_replaces() {
    let tmp = tempfile::tempdir().unwrap();
    let ehr = Ehr::start(None, tmp.path());
    let (f, schedule, _) = clinic(&ehr, 0).await;
    let shipped: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fhir/exit-survey.questionnaire.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let put = |id: String, body: &'static str| put_survey(&f, id, body);
    let responses = |id: String| {
        let ehr = &ehr;
        async move {
            ehr.search(&format!(
                "QuestionnaireResponse?identifier=urn:waitwell:survey|{id}"
            ))
            .await
        }
    };

    // One tap.
    let id = uuid();
    put(id.clone(), r#"{"rating":1}"#).await;
    assert_eq!(backlog(&f).await, 1);
    assert_eq!(schedule.write_back(&f.state.db).await.unwrap().done, 1);
    let sent = responses(id.clone()).await;
    assert_eq!(sent.len(), 1);
    validate(&shipped, &sent[0]).unwrap();
    assert_eq!(sent[0]["item"][0]["answer"][0]["valueCoding"]["code"], "1");
    let questionnaires = ehr
        .search(&format!(
            "Questionnaire?url={}",
            shipped["url"].as_str().unwrap()
        ))
        .await;
    assert_eq!(
        questionnaires.len(),
        1,
        "the shipped Questionnaire is in the EHR"
    );

    // The follow-ups, sent whole; the answer to the first try is lost.
    put(
        id.clone(),
        r#"{"rating":1,"recommend":3,"better":["waiting_time","kept_informed"],"comment":"Too long","talk_to_someone":true,"first_name":"Ana"}"#,
    )
    .await;
    ehr.fault(json!({"lose": 1})).await;
    assert_eq!(schedule.write_back(&f.state.db).await.unwrap().failed, 1);
    f.clock.advance(jiff::SignedDuration::from_secs(5));
    assert_eq!(schedule.write_back(&f.state.db).await.unwrap().done, 1);
    let sent = responses(id.clone()).await;
    assert_eq!(sent.len(), 1, "replaced, not added");
    validate(&shipped, &sent[0]).unwrap();
    let answers: Vec<&str> = sent[0]["item"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["linkId"].as_str().unwrap())
        .collect();
    assert_eq!(
        answers,
        [
            "rating",
            "recommend",
            "better",
            "comment",
            "talk_to_someone"
        ]
    );
    assert_eq!(sent[0]["item"][2]["answer"].as_array().unwrap().len(), 2);
    assert_eq!(sent[0]["item"][4]["answer"][0]["valueBoolean"], true);
    assert!(
        !sent[0].to_string().contains("Ana"),
        "the first name stays here"
    );

    // Another patient's: a second response, the same Questionnaire.
    put(uuid(), r#"{"rating":4,"went_well":["staff_kindness"]}"#).await;
    assert_eq!(schedule.write_back(&f.state.db).await.unwrap().done, 1);
    assert_eq!(ehr.search("QuestionnaireResponse").await.len(), 2);
    assert_eq!(
        ehr.search(&format!(
            "Questionnaire?url={}",
            shipped["url"].as_str().unwrap()
        ))
        .await
        .len(),
        1
    );
    // A response that does not fit is caught by the check itself.
    let mut wrong = sent[0].clone();
    wrong["item"][0]["answer"][0]["valueCoding"]["code"] = json!("5");
    assert!(validate(&shipped, &wrong).is_err());
    assert_eq!(backlog(&f).await, 0);
}

#[tokio::test]
async fn smart_backend_services_signs_in_with_a_signed_assertion_and_renews_before_expiry() {
    let tmp = tempfile::tempdir().unwrap();
    let ehr = Ehr::start_smart(tmp.path(), 100);
    assert!(ehr.signed_in);
    // The token endpoint checks the assertion's times against its own
    // clock: each start is from the real time.
    let real_time = || {
        Arc::new(waitwell_server::clock::ManualClock::new(
            jiff::Timestamp::now(),
        ))
    };
    for (algorithm, file) in [
        ("RS384", "rs384.pem"),
        ("RS384", "rs384.jwk.json"),
        ("ES384", "es384.pem"),
        ("ES384", "es384.jwk.json"),
    ] {
        let mut settings = settings_for(&ehr);
        settings.fhir.smart = Some(waitwell_server::settings::SmartSettings {
            client_id: "waitwell".into(),
            private_key_file: tmp.path().join(file),
            algorithm: algorithm.into(),
            key_id: Some(format!("{file}-kid")),
            scope: "system/Appointment.rs".into(),
        });
        let before = ehr.tokens().await["issued"].as_u64().unwrap();
        let clock = real_time();
        let schedule = FhirSchedule::connect(&settings, clock.clone())
            .await
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        // One token, from an assertion the endpoint verified with the
        // public key.
        let tokens = ehr.tokens().await;
        assert_eq!(tokens["issued"].as_u64().unwrap(), before + 1, "{file}");
        let last = tokens["accepted"]
            .as_array()
            .unwrap()
            .last()
            .unwrap()
            .clone();
        assert_eq!(last["header"]["alg"], algorithm);
        assert_eq!(last["header"]["kid"], format!("{file}-kid"));
        assert_eq!(last["claims"]["iss"], "waitwell");
        assert_eq!(last["claims"]["sub"], "waitwell");
        assert_eq!(last["claims"]["aud"], format!("{}/auth/token", ehr.base));
        let lasts =
            last["claims"]["exp"].as_i64().unwrap() - last["claims"]["iat"].as_i64().unwrap();
        assert!((1..=300).contains(&lasts), "{lasts}");
        assert_eq!(last["scope"], "system/Appointment.rs");
        assert!(!format!("{schedule:?}").contains("PRIVATE"));

        // Reading the schedule uses the kept token while it is fresh…
        let db = fixture().await;
        clock.advance(jiff::SignedDuration::from_secs(20));
        schedule.sync(&db.state.db, "2026-03-10").await.unwrap();
        assert_eq!(ehr.tokens().await["issued"].as_u64().unwrap(), before + 1);
        // …and a new one halfway through its life (100 s: 50 s before it
        // runs out; a longer one, a minute before).
        clock.advance(jiff::SignedDuration::from_secs(31));
        schedule.sync(&db.state.db, "2026-03-10").await.unwrap();
        assert_eq!(ehr.tokens().await["issued"].as_u64().unwrap(), before + 2);
    }

    // A key the EHR does not know (another EHR's client key) is refused at
    // start-up, saying so.
    let elsewhere = tempfile::tempdir().unwrap();
    let other = Ehr::start_smart(elsewhere.path(), 100);
    let stranger = elsewhere.path().join("es384.jwk.json");
    drop(other);
    let mut settings = settings_for(&ehr);
    settings.fhir.smart = Some(waitwell_server::settings::SmartSettings {
        client_id: "waitwell".into(),
        private_key_file: stranger,
        algorithm: "ES384".into(),
        key_id: None,
        scope: "system/Appointment.rs".into(),
    });
    let refused = FhirSchedule::connect(&settings, real_time())
        .await
        .unwrap_err();
    assert!(refused.contains("cannot sign in to the EHR"), "{refused}");
    assert!(refused.contains("invalid_client"), "{refused}");
}

async fn walk_in(f: &Fixture, name: &str) -> String {
    let body = format!(
        r#"{{"kind":"walk_in","first_name":"{name}","last_initial":"Q","reason":"other"}}"#
    );
    kiosk_check_in(f, &body).await["ticket"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn walk_ins_stay_here_unless_the_site_sends_their_visits() {
    let tmp = tempfile::tempdir().unwrap();
    let ehr = Ehr::start(None, tmp.path());
    // By default: nothing for the EHR.
    let (f, schedule, _) = clinic(&ehr, 0).await;
    walk_in(&f, "Lina").await;
    assert_eq!(backlog(&f).await, 0);
    assert_eq!(schedule.write_back(&f.state.db).await.unwrap().done, 0);
    assert!(ehr.search("Encounter").await.is_empty());

    // The site sends walk-ins' visits: an Encounter naming nobody.
    let mut settings = settings_for(&ehr);
    settings.fhir.walk_in_encounters = true;
    let (f, schedule, _) = clinic_with(&ehr, 0, settings).await;
    let code = walk_in(&f, "Omar").await;
    assert_eq!(schedule.write_back(&f.state.db).await.unwrap().done, 1);
    let staff = staff_cookie(&f).await;
    let id = ticket_id(&f, &staff, &code).await;
    act(
        &f,
        &staff,
        format!(r#"{{"action":"call","ticket":{id},"room":"Room 1"}}"#),
    )
    .await;
    assert_eq!(schedule.write_back(&f.state.db).await.unwrap().done, 1);
    let visits = ehr.search("Encounter").await;
    assert_eq!(visits.len(), 1);
    let visit = &visits[0];
    assert_eq!(visit["status"], "in-progress");
    assert_eq!(visit["location"][0]["location"]["display"], "Room 1");
    assert!(visit.get("subject").is_none() && visit.get("appointment").is_none());
    assert!(!visit.to_string().contains("Omar"), "{visit}");
}

#[tokio::test]
async fn writes_answered_without_a_body_still_reach_the_ehr_once() {
    let tmp = tempfile::tempdir().unwrap();
    let ehr = Ehr::start(None, tmp.path());
    ehr.drop_capabilities(&["transaction"]).await;
    let (f, schedule, booked) = clinic(&ehr, 1).await;
    ehr.fault(json!({"minimal": true})).await;
    let code = check_in(&f, &booked[0].1, 0).await;
    assert_eq!(schedule.write_back(&f.state.db).await.unwrap().done, 1);
    let staff = staff_cookie(&f).await;
    let id = ticket_id(&f, &staff, &code).await;
    act(
        &f,
        &staff,
        format!(r#"{{"action":"call","ticket":{id},"room":"Room 1"}}"#),
    )
    .await;
    let survey = uuid();
    for body in [r#"{"rating":2}"#, r#"{"rating":2,"comment":"later words"}"#] {
        put_survey(&f, survey.clone(), body).await;
        let sent = schedule.write_back(&f.state.db).await.unwrap();
        assert_eq!(sent.failed, 0, "{sent:?}");
    }
    assert_eq!(ehr.status_of(&booked[0].0).await, "arrived");
    let visits = ehr.encounters_of(&booked[0].0).await;
    assert_eq!(visits.len(), 1);
    assert_eq!(visits[0]["status"], "in-progress");
    let responses = ehr.search("QuestionnaireResponse").await;
    assert_eq!(responses.len(), 1);
    assert!(responses[0].to_string().contains("later words"));
    assert_eq!(backlog(&f).await, 0);
}

#[tokio::test]
async fn a_rebooked_appointment_takes_the_code_on_the_letter() {
    let tmp = tempfile::tempdir().unwrap();
    let ehr = Ehr::start(None, tmp.path());
    let (f, schedule, booked) = clinic(&ehr, 1).await;
    let (first, letter) = booked[0].clone();
    // The EHR cancels it and books the patient again ten minutes later,
    // under the same letter (as a restarted demo EHR does too).
    let mut old = ehr.read(&first).await;
    old["status"] = json!("cancelled");
    let again = json!({
        "resourceType": "Appointment",
        "status": "booked",
        "start": "2026-03-10T09:10:00Z",
        "end": "2026-03-10T09:25:00Z",
        "identifier": old["identifier"].clone(),
        "participant": old["participant"].clone(),
    });
    ehr.update(old).await;
    let rebooked = ehr.create(again).await;
    let synced = schedule.sync(&f.state.db, &f.state.today()).await.unwrap();
    assert_eq!((synced.added, synced.removed), (1, 1));
    let found = kiosk_post(
        &f,
        "/api/v1/identify",
        &format!(r#"{{"method":"code","code":"{letter}"}}"#),
        &[],
    )
    .await;
    assert_eq!(found.status, 200, "{}", found.text);
    assert_eq!(found.json()["matches"][0]["time"], "09:10");
    let ids: Vec<String> = stored(&f).await.into_iter().map(|r| r.0).collect();
    assert_eq!(ids, [rebooked]);
}
