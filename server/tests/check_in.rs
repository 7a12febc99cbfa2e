//! Identification, check-in, idempotency and the public queue, through
//! `app()` against a real SQLite file.

mod common;

use common::*;
use jiff::SignedDuration;

const GARCIA: &str = r#"{"method":"name","family_name":"garcia","birth_date":"1980-04-12"}"#;

async fn seed_garcia(f: &Fixture) -> String {
    // 09:10 appointment; the fixture clock says 09:00.
    appointment(
        &f.state,
        "María",
        "García López",
        "1980-04-12",
        "09:10",
        "GAR4K7",
    )
    .await
}

fn check_in_body(fields: &str) -> String {
    format!(r#"{{"kind":"appointment",{fields}}}"#)
}

#[tokio::test]
async fn identify_by_name_answers_masked_hints_only() {
    let f = fixture().await;
    seed_garcia(&f).await;
    let reply = kiosk_post(&f, "/api/v1/identify", GARCIA, &[]).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let json = reply.json();
    // The hint refers to nothing on the server: a check-in sends the
    // identity again.
    assert_eq!(
        json,
        serde_json::json!({"matches": [{
            "appointment": "1", "initials": "M. G.", "time": "09:10", "clinician": "Dr. Lee", "line": "A"
        }]})
    );
    // Nothing more than the hint: no name, no birth date anywhere.
    assert!(!reply.text.contains("García") && !reply.text.contains("1980"));
}

#[tokio::test]
async fn identify_by_code_ignores_case_spaces_and_hyphens() {
    let f = fixture().await;
    seed_garcia(&f).await;
    let reply = kiosk_post(
        &f,
        "/api/v1/identify",
        r#"{"method":"code","code":"gar-4k7"}"#,
        &[],
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json()["matches"][0]["initials"], "M. G.");
}

#[tokio::test]
async fn no_match_is_a_404_with_a_code() {
    let f = fixture().await;
    seed_garcia(&f).await;
    for body in [
        r#"{"method":"name","family_name":"lopez","birth_date":"1980-04-12"}"#,
        r#"{"method":"name","family_name":"garcia","birth_date":"1980-04-13"}"#,
        r#"{"method":"code","code":"NOPE99"}"#,
    ] {
        let reply = kiosk_post(&f, "/api/v1/identify", body, &[]).await;
        assert_eq!(
            (reply.status, reply.code().as_str()),
            (404, "no_match"),
            "{body}"
        );
    }
}

#[tokio::test]
async fn two_appointments_today_are_both_offered() {
    let f = fixture().await;
    appointment(&f.state, "Amira", "Haddad", "1992-01-05", "09:05", "HAD7Q3").await;
    appointment(&f.state, "Amira", "Haddad", "1992-01-05", "09:25", "HAD8R4").await;
    let reply = kiosk_post(
        &f,
        "/api/v1/identify",
        r#"{"method":"name","family_name":"HADDAD","birth_date":"1992-01-05"}"#,
        &[],
    )
    .await;
    let matches = reply.json()["matches"].as_array().unwrap().clone();
    let times: Vec<_> = matches
        .iter()
        .map(|m| m["time"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(times, ["09:05", "09:25"]);
}

#[tokio::test]
async fn the_arrival_window_refuses_too_early_and_too_late() {
    let f = fixture().await;
    appointment(&f.state, "Lukas", "Müller", "2001-06-17", "12:00", "MUL5W2").await;
    let body = r#"{"method":"name","family_name":"mueller","birth_date":"2001-06-17"}"#;
    let early = kiosk_post(&f, "/api/v1/identify", body, &[]).await;
    assert_eq!((early.status, early.code().as_str()), (422, "too_early"));
    assert!(
        early.json()["message"].as_str().unwrap().contains("11:30"),
        "{}",
        early.text
    );

    f.clock.advance(SignedDuration::from_mins(3 * 60 + 16)); // 12:16
    let late = kiosk_post(&f, "/api/v1/identify", body, &[]).await;
    assert_eq!((late.status, late.code().as_str()), (422, "too_late"));

    f.clock
        .set(common::morning() + SignedDuration::from_mins(3 * 60 + 15)); // 12:15 exactly
    let edge = kiosk_post(&f, "/api/v1/identify", body, &[]).await;
    assert_eq!(edge.status, 200, "{}", edge.text);
}

#[tokio::test]
async fn repeated_failures_lock_out_the_identity_then_expire() {
    let f = fixture().await;
    seed_garcia(&f).await;
    let wrong = r#"{"method":"name","family_name":"garcia","birth_date":"1980-04-11"}"#;
    let limit = f.state.settings.identify.per_identity;
    for _ in 0..limit {
        let reply = kiosk_post(&f, "/api/v1/identify", wrong, &[]).await;
        assert_eq!(reply.status, 404);
    }
    let locked = kiosk_post(&f, "/api/v1/identify", wrong, &[]).await;
    assert_eq!((locked.status, locked.code().as_str()), (429, "locked_out"));
    let retry: u64 = locked.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry > 0 && retry <= f.state.settings.identify.window_seconds);
    // Another identity from no particular device is not affected.
    assert_eq!(
        kiosk_post(&f, "/api/v1/identify", GARCIA, &[]).await.status,
        200
    );

    f.clock.advance(SignedDuration::from_secs(retry as i64 + 1));
    assert_eq!(
        kiosk_post(&f, "/api/v1/identify", wrong, &[]).await.status,
        404
    );
}

#[tokio::test]
async fn repeated_failures_lock_out_the_device() {
    let f = fixture().await;
    seed_garcia(&f).await;
    // The device is the enrolled kiosk's credential: a header naming
    // another device changes nothing.
    for i in 0..f.state.settings.identify.per_device {
        let body = format!(r#"{{"method":"code","code":"WRONG{i:02}"}}"#);
        let spoof = format!("kiosk-{i}");
        assert_eq!(
            kiosk_post(
                &f,
                "/api/v1/identify",
                &body,
                &[("x-waitwell-device", &spoof)]
            )
            .await
            .status,
            404
        );
    }
    let locked = kiosk_post(&f, "/api/v1/identify", GARCIA, &[]).await;
    assert_eq!((locked.status, locked.code().as_str()), (429, "locked_out"));
    // The same details from another enrolled kiosk still work.
    let second = enroll(&f.state, "check-in").await;
    let other = post_json(&f.state, "/api/v1/identify", GARCIA, &[("cookie", &second)]).await;
    assert_eq!(other.status, 200);
    // Failure records hold no name, birth date or code.
    let scopes: Vec<String> = sqlx::query_scalar("SELECT scope FROM failed_attempts")
        .fetch_all(&f.state.db)
        .await
        .unwrap();
    // (A keyed hash is hex, so it may hold "1980" by chance: look for the
    // date as written.)
    assert!(scopes.iter().all(|s| !s.to_lowercase().contains("garcia")
        && !s.contains("1980-")
        && !s.contains("WRONG")));
}

#[tokio::test]
async fn bad_identify_input_is_a_4xx_with_a_code() {
    let f = fixture().await;
    let long = format!(
        r#"{{"method":"name","family_name":"{}","birth_date":"1980-01-01"}}"#,
        "a".repeat(101)
    );
    let cases: Vec<(&str, String, u16, &str)> = vec![
        ("application/json", "{".into(), 400, "invalid_json"),
        (
            "application/json",
            r#"{"method":"name","family_name":"x","birth_date":"1980-02-30"}"#.into(),
            400,
            "invalid_body",
        ),
        (
            "application/json",
            r#"{"method":"name","family_name":"x","birth_date":"1980-01-01","dob":1}"#.into(),
            400,
            "invalid_body",
        ),
        (
            "application/json",
            r#"{"method":"name","family_name":"  '' ","birth_date":"1980-01-01"}"#.into(),
            400,
            "invalid_name",
        ),
        ("application/json", long, 400, "invalid_name"),
        (
            "application/json",
            r#"{"method":"code","code":"<script>"}"#.into(),
            400,
            "invalid_code",
        ),
        ("text/plain", GARCIA.into(), 415, "unsupported_media_type"),
    ];
    for (content_type, body, status, code) in cases {
        let reply = send(
            &f.state,
            axum::http::Request::post("/api/v1/identify")
                .header("content-type", content_type)
                .header("cookie", &f.kiosk)
                .body(axum::body::Body::from(body.clone()))
                .unwrap(),
        )
        .await;
        assert_eq!(
            (reply.status, reply.code().as_str()),
            (status, code),
            "{body}"
        );
        assert!(reply.json()["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()));
    }
    let huge = format!(r#"{{"method":"code","code":"{}"}}"#, "A".repeat(70_000));
    let reply = kiosk_post(&f, "/api/v1/identify", &huge, &[]).await;
    assert_eq!(
        (reply.status, reply.code().as_str()),
        (413, "body_too_large")
    );
}

#[tokio::test]
async fn check_in_makes_a_ticket_with_position_and_wait_range() {
    let f = fixture().await;
    let garcia = seed_garcia(&f).await;
    let reply = kiosk_post(
        &f,
        "/api/v1/check-ins",
        &check_in_body(&garcia),
        &[("idempotency-key", &uuid())],
    )
    .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let json = reply.json();
    assert_eq!(json["ticket"], "A-001");
    assert_eq!(json["line"], "A");
    assert_eq!(json["position"], 1);
    assert_eq!(json["queue_version"], 1);
    let (low, high) = (
        json["wait"]["low_minutes"].as_u64().unwrap(),
        json["wait"]["high_minutes"].as_u64().unwrap(),
    );
    assert!(low < high, "{json}");

    // The public queue shows the same ticket, and nothing personal.
    let queue = kiosk_get(&f, "/api/v1/queue").await;
    assert_eq!(queue.status, 200);
    let q = queue.json();
    assert_eq!(q["version"], 1);
    assert_eq!(q["lines"][0]["waiting"][0]["ticket"], "A-001");
    assert_eq!(q["lines"][0]["waiting"][0]["position"], 1);
    assert_eq!(q["lines"][0]["waiting"][0]["wait"], json["wait"]);
    assert!(
        !queue.text.contains("García")
            && !queue.text.contains("Dr. Lee")
            && !queue.text.contains("1980")
    );

    // Identifying again shows the ticket instead of offering a second one.
    let again = kiosk_post(&f, "/api/v1/identify", GARCIA, &[]).await;
    assert_eq!(again.json()["matches"][0]["ticket"], "A-001");
}

#[tokio::test]
async fn checking_in_twice_with_new_keys_returns_the_same_ticket() {
    let f = fixture().await;
    let garcia = seed_garcia(&f).await;
    let first = kiosk_post(
        &f,
        "/api/v1/check-ins",
        &check_in_body(&garcia),
        &[("idempotency-key", &uuid())],
    )
    .await;
    let second = kiosk_post(
        &f,
        "/api/v1/check-ins",
        &check_in_body(&garcia),
        &[("idempotency-key", &uuid())],
    )
    .await;
    assert_eq!((first.status, second.status), (201, 200));
    assert_eq!(first.json()["ticket"], second.json()["ticket"]);
    let tickets: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tickets")
        .fetch_one(&f.state.db)
        .await
        .unwrap();
    assert_eq!(tickets, 1);
}

#[tokio::test]
async fn idempotency_rules() {
    let f = fixture().await;
    let garcia = seed_garcia(&f).await;
    let body = check_in_body(&garcia);

    let missing = kiosk_post(&f, "/api/v1/check-ins", &body, &[]).await;
    assert_eq!(
        (missing.status, missing.code().as_str()),
        (400, "idempotency_key_missing")
    );
    let invalid = kiosk_post(
        &f,
        "/api/v1/check-ins",
        &body,
        &[("idempotency-key", "not-a-uuid")],
    )
    .await;
    assert_eq!(
        (invalid.status, invalid.code().as_str()),
        (400, "idempotency_key_invalid")
    );

    let key = uuid();
    let first = kiosk_post(&f, "/api/v1/check-ins", &body, &[("idempotency-key", &key)]).await;
    assert_eq!(first.status, 201);
    let replay = kiosk_post(&f, "/api/v1/check-ins", &body, &[("idempotency-key", &key)]).await;
    assert_eq!(replay.status, 201);
    assert_eq!(replay.text, first.text);
    assert_eq!(replay.headers["idempotent-replay"], "true");

    let other = r#"{"kind":"walk_in","first_name":"Ana","last_initial":"G","reason":"other"}"#;
    let reused = kiosk_post(&f, "/api/v1/check-ins", other, &[("idempotency-key", &key)]).await;
    assert_eq!(
        (reused.status, reused.code().as_str()),
        (422, "idempotency_key_reused")
    );
    let tickets: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tickets")
        .fetch_one(&f.state.db)
        .await
        .unwrap();
    assert_eq!(tickets, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ten_identical_posts_at_once_make_one_ticket() {
    let f = fixture().await;
    let key = uuid();
    let body = r#"{"kind":"walk_in","first_name":"Ana","last_initial":"g","reason":"other"}"#;
    let tasks: Vec<_> = (0..10)
        .map(|_| {
            let (state, key, kiosk) = (f.state.clone(), key.clone(), f.kiosk.clone());
            tokio::spawn(async move {
                post_json(
                    &state,
                    "/api/v1/check-ins",
                    body,
                    &[("idempotency-key", &key), ("cookie", &kiosk)],
                )
                .await
            })
        })
        .collect();
    let mut replies = Vec::new();
    for task in tasks {
        replies.push(task.await.unwrap());
    }
    for reply in &replies {
        assert!(
            reply.status == 201 || reply.status == 409,
            "{}: {}",
            reply.status,
            reply.text
        );
        if reply.status == 201 {
            assert_eq!(reply.json()["ticket"], "W-001");
        }
    }
    let tickets: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tickets")
        .fetch_one(&f.state.db)
        .await
        .unwrap();
    assert_eq!(tickets, 1);
    let name: String = sqlx::query_scalar("SELECT walk_in_name FROM tickets")
        .fetch_one(&f.state.db)
        .await
        .unwrap();
    assert_eq!(name, "Ana G.");
}

#[tokio::test]
async fn check_in_refusals() {
    let f = fixture().await;
    let lukas = appointment(&f.state, "Lukas", "Müller", "2001-06-17", "12:00", "MUL5W2").await;
    let key = [("idempotency-key", uuid())];
    let headers: Vec<(&str, &str)> = key.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let cases = [
        (check_in_body(&lukas), 422, "too_early"),
        // The right identity at another time, or another clinician's.
        (check_in_body(&identity_fields("MUL5W2", "11:00", "Dr. Lee")), 404, "unknown_appointment"),
        (check_in_body(&identity_fields("MUL5W2", "12:00", "Dr. Patel")), 404, "unknown_appointment"),
        (check_in_body(&identity_fields("NOPE99", "12:00", "Dr. Lee")), 404, "unknown_appointment"),
        // The old opaque reference is not enough.
        (r#"{"kind":"appointment","appointment":"ref-MUL5W2"}"#.into(), 400, "invalid_body"),
        (r#"{"kind":"walk_in","first_name":"","last_initial":"G","reason":"other"}"#.into(), 400, "invalid_first_name"),
        (r#"{"kind":"walk_in","first_name":"<img src=x>","last_initial":"G","reason":"other"}"#.into(), 400, "invalid_first_name"),
        (r#"{"kind":"walk_in","first_name":"Ana","last_initial":"GH","reason":"other"}"#.into(), 400, "invalid_last_initial"),
        (r#"{"kind":"walk_in","first_name":"Ana","last_initial":"G","reason":"lottery"}"#.into(), 400, "invalid_reason"),
        (r#"{"kind":"walk_in","first_name":"Ana","last_initial":"G","reason":"other","needs":{"interpreter":"\u0007"}}"#.into(), 400, "invalid_interpreter_language"),
        (r#"{"kind":"walk_in","first_name":"Ana","last_initial":"G","reason":"other","ticket":"A-001"}"#.into(), 400, "invalid_body"),
    ];
    for (body, status, code) in cases {
        let reply = kiosk_post(&f, "/api/v1/check-ins", &body, &headers).await;
        assert_eq!(
            (reply.status, reply.code().as_str()),
            (status, code),
            "{body}"
        );
    }
    let tickets: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tickets")
        .fetch_one(&f.state.db)
        .await
        .unwrap();
    assert_eq!(tickets, 0, "a refused check-in changed nothing");
}

#[tokio::test]
async fn positions_count_up_and_the_queue_survives_a_restart() {
    let f = fixture().await;
    for i in 0..3 {
        let body = format!(
            r#"{{"kind":"walk_in","first_name":"P{i}","last_initial":"X","reason":"other"}}"#
        );
        let body = body
            .replace("P0", "Ana")
            .replace("P1", "Bo")
            .replace("P2", "Cy");
        let reply = kiosk_post(
            &f,
            "/api/v1/check-ins",
            &body,
            &[("idempotency-key", &uuid())],
        )
        .await;
        assert_eq!(reply.json()["position"], i + 1, "{}", reply.text);
    }
    // A new server over the same database continues the codes and version.
    let state = waitwell_server::AppState::new(
        f.state.db.clone(),
        waitwell_server::WebRoot::load(f.dir.path().join("dist")),
        waitwell_server::settings::Settings::demo(jiff::tz::TimeZone::UTC),
        f.clock.clone(),
    )
    .await
    .unwrap();
    let reply = post_json(
        &state,
        "/api/v1/check-ins",
        r#"{"kind":"walk_in","first_name":"Di","last_initial":"X","reason":"other"}"#,
        &[("idempotency-key", &uuid()), ("cookie", &f.kiosk)],
    )
    .await;
    assert_eq!(reply.json()["ticket"], "W-004");
    assert_eq!(reply.json()["position"], 4);
    assert_eq!(reply.json()["queue_version"], 4);
}

#[tokio::test]
async fn site_config_is_served() {
    let f = fixture().await;
    let reply = get(&f.state, "/api/v1/config").await;
    assert_eq!(reply.status, 200);
    let json = reply.json();
    assert_eq!(json["clinic_name"], "Waitwell Demo Clinic");
    assert_eq!(json["walk_in_line"], "W");
    assert_eq!(json["arrival_window"]["minutes_before"], 30);
    assert!(json["idle"]["countdown_seconds"].as_u64().unwrap() >= 20);
}

#[tokio::test]
async fn idempotency_keys_are_kept_seven_days_then_purged() {
    let f = fixture().await;
    let key = uuid();
    let body = r#"{"kind":"walk_in","first_name":"Ana","last_initial":"G","reason":"other"}"#;
    kiosk_post(&f, "/api/v1/check-ins", body, &[("idempotency-key", &key)]).await;
    let now = f.state.now().as_second();
    let six_days = now + 6 * 24 * 3600;
    assert_eq!(
        waitwell_server::store::idempotency::purge(&f.state.db, six_days)
            .await
            .unwrap(),
        0
    );
    let eight_days = now + 8 * 24 * 3600;
    assert_eq!(
        waitwell_server::store::idempotency::purge(&f.state.db, eight_days)
            .await
            .unwrap(),
        1
    );
}

#[tokio::test]
async fn the_offline_index_finds_todays_patients_without_holding_their_details() {
    let f = fixture().await;
    appointment(
        &f.state,
        "María",
        "García López",
        "1980-04-12",
        "09:30",
        "GAR4K7",
    )
    .await;
    appointment(&f.state, "Chidi", "Okafor", "1975-11-02", "10:00", "OKA9Q2").await;
    let reply = kiosk_get(&f, "/api/v1/offline-index").await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.headers["cache-control"], "no-store");
    // (The fixture's kiosk references are made from the code; real ones
    // are random.)
    // Hashes and the salt are hex: digits of a birth year can turn up in
    // them by chance, so they are blanked before the search.
    fn blank_hex(value: &mut serde_json::Value) {
        match value {
            serde_json::Value::String(s)
                if s.len() >= 32 && s.bytes().all(|b| b.is_ascii_hexdigit()) =>
            {
                s.clear()
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(blank_hex),
            serde_json::Value::Object(fields) => fields.values_mut().for_each(blank_hex),
            _ => {}
        }
    }
    let mut visible = reply.json();
    blank_hex(&mut visible);
    let lower = visible.to_string().to_lowercase();
    for secret in [
        "garc", "lopez", "lópez", "okafor", "maría", "chidi", "1980", "1975", "gar4k7", "oka9q2",
    ] {
        assert!(!lower.contains(secret), "{secret} in the index");
    }
    let index: waitwell_core::contract::OfflineIndex = serde_json::from_str(&reply.text).unwrap();
    assert_eq!(index.day, f.state.today());
    assert_eq!(index.appointments.len(), 2);
    let dob = |d: &str| d.parse().unwrap();
    let found = index.find_by_name("garcia", dob("1980-04-12"));
    assert_eq!(found.len(), 1);
    // No reference to check in with: only labels within the index.
    assert_eq!(found[0].initials, "M. G.");
    assert_eq!(found[0].time, "09:30");
    let okafor_hint = &index.find_by_code("oka-9q2")[0];
    assert_ne!(okafor_hint.appointment, found[0].appointment);
    assert!(
        !reply.text.contains("ref-"),
        "no kiosk reference in the index"
    );
    assert!(index.find_by_name("garcia", dob("1980-04-13")).is_empty());

    // Another day's index has another salt.
    f.clock.advance(SignedDuration::from_hours(24));
    let tomorrow: waitwell_core::contract::OfflineIndex =
        serde_json::from_str(&kiosk_get(&f, "/api/v1/offline-index").await.text).unwrap();
    assert_ne!(tomorrow.salt, index.salt);
    assert!(tomorrow.appointments.is_empty());
}

#[tokio::test]
async fn a_check_in_that_waited_offline_is_judged_by_when_the_patient_arrived() {
    let f = fixture().await;
    // 09:00 now; the window is 09:00 -30 .. +15 for a 09:10 appointment.
    let reference = appointment(&f.state, "Lukas", "Müller", "2001-06-17", "09:10", "MUL5W2").await;
    let arrived = common::morning().as_second();
    f.clock.advance(SignedDuration::from_mins(60)); // 10:00: too late now
    let body = |at: i64| format!(r#"{{"kind":"appointment",{reference},"arrived_at":{at}}}"#);
    let late = kiosk_post(
        &f,
        "/api/v1/check-ins",
        &body(0),
        &[("idempotency-key", &uuid())],
    )
    .await;
    assert_eq!(
        (late.status, late.code().as_str()),
        (422, "too_late"),
        "an arrival time from long ago is not believed"
    );
    let future = arrived + 2 * 3600;
    let late = kiosk_post(
        &f,
        "/api/v1/check-ins",
        &body(future),
        &[("idempotency-key", &uuid())],
    )
    .await;
    assert_eq!(
        (late.status, late.code().as_str()),
        (422, "too_late"),
        "nor one from the future"
    );
    let ok = kiosk_post(
        &f,
        "/api/v1/check-ins",
        &body(arrived),
        &[("idempotency-key", &uuid())],
    )
    .await;
    assert_eq!(ok.status, 201, "{}", ok.text);
}

#[tokio::test]
async fn a_replay_answers_the_ticket_only_to_the_device_that_made_it() {
    let f = fixture().await;
    let garcia = seed_garcia(&f).await;
    let key = uuid();
    let headers = [("idempotency-key", key.as_str())];
    let first = kiosk_post(&f, "/api/v1/check-ins", &check_in_body(&garcia), &headers).await;
    assert_eq!(first.status, 201, "{}", first.text);
    let again = kiosk_post(&f, "/api/v1/check-ins", &check_in_body(&garcia), &headers).await;
    assert_eq!(
        (again.status, again.text.as_str()),
        (201, first.text.as_str())
    );
    // The same key and body from another enrolled kiosk: not its request.
    let other = enroll(&f.state, "check-in").await;
    let replayed = post_json(
        &f.state,
        "/api/v1/check-ins",
        &check_in_body(&garcia),
        &[("idempotency-key", &key), ("cookie", &other)],
    )
    .await;
    assert_eq!(
        (replayed.status, replayed.code().as_str()),
        (422, "idempotency_key_reused")
    );
    assert!(!replayed.text.contains("A-001"));
}

#[tokio::test]
async fn wrong_identities_in_check_ins_count_as_failed_identifications() {
    let f = fixture().await;
    let garcia = seed_garcia(&f).await;
    for i in 0..f.state.settings.identify.per_device {
        let guess = identity_fields(&format!("GUESS{i:02}"), "09:10", "Dr. Lee");
        let reply = kiosk_post(
            &f,
            "/api/v1/check-ins",
            &check_in_body(&guess),
            &[("idempotency-key", &uuid())],
        )
        .await;
        assert_eq!(reply.status, 404, "{}", reply.text);
    }
    // The kiosk is locked out, even for a right identity.
    let locked = kiosk_post(
        &f,
        "/api/v1/check-ins",
        &check_in_body(&garcia),
        &[("idempotency-key", &uuid())],
    )
    .await;
    assert_eq!((locked.status, locked.code().as_str()), (429, "locked_out"));
    // A right one from another kiosk goes through, and is not counted.
    let other = enroll(&f.state, "check-in").await;
    let body = check_in_body(&garcia);
    for _ in 0..5 {
        let reply = post_json(
            &f.state,
            "/api/v1/check-ins",
            &body,
            &[("idempotency-key", &uuid()), ("cookie", &other)],
        )
        .await;
        assert!(reply.status == 201 || reply.status == 200, "{}", reply.text);
    }
}

#[tokio::test]
async fn the_board_knows_when_each_wait_given_runs_out() {
    let f = fixture().await;
    let mut given = Vec::new();
    for name in ["Ana", "Bo", "Cy"] {
        let body = format!(
            r#"{{"kind":"walk_in","first_name":"{name}","last_initial":"G","reason":"other"}}"#
        );
        let reply = kiosk_post(
            &f,
            "/api/v1/check-ins",
            &body,
            &[("idempotency-key", &uuid())],
        )
        .await;
        assert_eq!(reply.status, 201, "{}", reply.text);
        given.push(reply.json()["wait"]["high_minutes"].as_i64().unwrap());
        f.clock.advance(SignedDuration::from_mins(1));
    }
    let queue = kiosk_get(&f, "/api/v1/queue").await.json();
    let waiting = queue["lines"][1]["waiting"].as_array().unwrap().clone();
    assert_eq!(waiting.len(), 3);
    for (i, (ticket, high)) in waiting.iter().zip(&given).enumerate() {
        // The upper end given, from when it was given; "very soon" counts
        // as five minutes.
        let checked_in = morning().as_second() + 60 * i as i64;
        assert_eq!(
            ticket["promised_by"].as_i64(),
            Some(checked_in + 60 * (*high).max(5)),
            "{ticket}"
        );
    }
}

/// Three walk-ins a minute apart: the last one's wait range as told.
async fn three_walk_ins(f: &Fixture) -> (i64, i64) {
    let mut last = (0, 0);
    for name in ["Ana", "Bo", "Cy"] {
        let body = format!(
            r#"{{"kind":"walk_in","first_name":"{name}","last_initial":"G","reason":"other"}}"#
        );
        let answer = kiosk_check_in(f, &body).await;
        let wait = &answer["wait"];
        last = (
            wait["low_minutes"].as_i64().unwrap(),
            wait["high_minutes"].as_i64().unwrap(),
        );
        f.clock.advance(SignedDuration::from_mins(1));
    }
    last
}

#[tokio::test]
async fn waits_that_ran_long_at_this_hour_on_earlier_days_widen_todays_ranges() {
    // A clinic with no past: the range as drawn. Each check-in keeps what
    // was drawn for it and how many were ahead, to be learned from.
    let fresh = fixture().await;
    let (_, plain_high) = three_walk_ins(&fresh).await;
    // (line, drawn low, drawn high, people ahead)
    type Kept = (String, Option<f64>, Option<f64>, Option<i64>);
    let kept: Vec<Kept> = sqlx::query_as(
        "SELECT line_id, drawn_low, drawn_high, ahead_at_check_in FROM tickets ORDER BY id",
    )
    .fetch_all(&fresh.state.db)
    .await
    .unwrap();
    assert_eq!(kept.len(), 3);
    for (ahead, (_, low, high, stored_ahead)) in kept.iter().enumerate() {
        let (low, high) = (low.expect("drawn low kept"), high.expect("drawn high kept"));
        assert!(0.0 <= low && low <= high, "{low} {high}");
        assert_eq!(*stored_ahead, Some(ahead as i64));
    }
    let line = kept[0].0.clone();

    // The same clinic where, on each of the last few days at this hour,
    // people with two ahead waited an hour past the upper end drawn (and,
    // on a day too long ago to count, an hour less than the lower end).
    let f = fixture().await;
    let at = |days_ago: i64, i: i64| morning().as_second() - days_ago * 86_400 + i * 60;
    let mut n = 0;
    for (days_ago, called_after) in [(1, 70), (2, 70), (3, 70), (40, 0)] {
        let day = (morning() - SignedDuration::from_hours(24 * days_ago))
            .to_zoned(f.state.settings.time_zone.clone())
            .date()
            .to_string();
        for i in 0..15 {
            n += 1;
            sqlx::query(
                "INSERT INTO tickets (day, id, code_line, code_number, line_id, status, created_at,
                    called_at, finished_at, drawn_low, drawn_high, ahead_at_check_in)
                 VALUES (?, ?, 'W', ?, ?, 'served', ?, ?, ?, 5.0, 10.0, 2)",
            )
            .bind(&day)
            .bind(n)
            .bind(n)
            .bind(&line)
            .bind(at(days_ago, i))
            .bind(at(days_ago, i) + called_after * 60)
            .bind(at(days_ago, i) + (called_after + 10) * 60)
            .execute(&f.state.db)
            .await
            .unwrap();
        }
    }
    let (learned_low, learned_high) = three_walk_ins(&f).await;
    // 45 outcomes at this hour: the upper end moves up by what they ran
    // over (60 minutes), the lower end by what they were above it.
    assert!(
        learned_high >= plain_high + 50,
        "{plain_high} -> {learned_high}"
    );
    assert!(learned_low >= 30, "{learned_low}");
    // The board says the same for the same ticket.
    let queue = kiosk_get(&f, "/api/v1/queue").await.json();
    let third = &queue["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["id"] == line.as_str())
        .unwrap()["waiting"][2];
    assert!(
        third["wait"]["high_minutes"].as_i64().unwrap() >= plain_high + 50,
        "{third}"
    );
}
