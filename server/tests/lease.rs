//! The check-in kiosks' ticket leases (`POST /devices/lease`) and check-ins
//! that bring a leased code, through `app()` against a real SQLite file.

mod common;

use common::*;

async fn lease(state: &waitwell_server::AppState, cookie: &str) -> Reply {
    post_json(state, "/api/v1/devices/lease", "{}", &[("cookie", cookie)]).await
}

fn codes(reply: &Reply) -> Vec<String> {
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.json()["codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect()
}

fn walk_in(name: &str, leased: Option<&str>) -> String {
    let leased = leased.map_or(String::new(), |c| format!(r#","leased":"{c}""#));
    format!(
        r#"{{"kind":"walk_in","first_name":"{name}","last_initial":"Q","reason":"other"{leased}}}"#
    )
}

async fn check_in(state: &waitwell_server::AppState, cookie: &str, body: &str) -> Reply {
    post_json(
        state,
        "/api/v1/check-ins",
        body,
        &[("idempotency-key", &uuid()), ("cookie", cookie)],
    )
    .await
}

/// The codes on the public queue, waiting, in order, for `line`.
async fn waiting(f: &Fixture, line: &str) -> Vec<String> {
    let reply = kiosk_get(f, "/api/v1/queue").await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let json = reply.json();
    json["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["id"] == line)
        .unwrap()["waiting"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["ticket"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_kiosk_holds_ten_numbers_per_line_and_asking_again_drains_nothing() {
    let f = fixture().await;
    let first = lease(&f.state, &f.kiosk).await;
    assert_eq!(first.json()["day"], f.state.today());
    let held = codes(&first);
    for line in ["A", "W"] {
        let of_line: Vec<_> = held
            .iter()
            .filter(|c| c.starts_with(line))
            .cloned()
            .collect();
        let expected: Vec<_> = (1..=10).map(|n| format!("{line}-{n:03}")).collect();
        assert_eq!(of_line, expected, "{line}");
    }
    assert_eq!(held.len(), 20, "the demo clinic has two lines");
    // Asked again (a kiosk renews every minute): the same numbers.
    for _ in 0..3 {
        assert_eq!(codes(&lease(&f.state, &f.kiosk).await), held);
    }
    // A second kiosk gets the next ten; online tickets come after both.
    let second = enroll(&f.state, "check-in").await;
    let other = codes(&lease(&f.state, &second).await);
    assert!(other.contains(&"W-011".to_owned()) && other.contains(&"W-020".to_owned()));
    let online = check_in(&f.state, &f.kiosk, &walk_in("Ana", None)).await;
    assert_eq!(online.status, 201, "{}", online.text);
    assert_eq!(online.json()["ticket"], "W-021");
}

#[tokio::test]
async fn only_an_enrolled_check_in_kiosk_gets_a_lease() {
    let f = fixture().await;
    let anonymous = post_json(&f.state, "/api/v1/devices/lease", "{}", &[]).await;
    assert_eq!(
        (anonymous.status, anonymous.code().as_str()),
        (401, "device_not_enrolled")
    );
    let board = enroll(&f.state, "board").await;
    let refused = lease(&f.state, &board).await;
    assert_eq!(
        (refused.status, refused.code().as_str()),
        (403, "wrong_device_role")
    );
    let staff = staff_cookie(&f).await;
    let staff_asks = lease(&f.state, &staff).await;
    assert_eq!(staff_asks.status, 401, "{}", staff_asks.text);
    let none: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ticket_leases")
        .fetch_one(&f.state.db)
        .await
        .unwrap();
    assert_eq!(none, 0);
}

#[tokio::test]
async fn a_leased_code_becomes_the_ticket_once_in_arrival_order() {
    let f = fixture().await;
    let held = codes(&lease(&f.state, &f.kiosk).await);
    assert!(held.contains(&"W-003".to_owned()));
    // Someone checks in online first (the next number after the lease).
    let online = check_in(&f.state, &f.kiosk, &walk_in("Bo", None)).await;
    assert_eq!(online.json()["ticket"], "W-011");
    // The offline check-ins arrive, in the order they were given.
    let key = uuid();
    let body = walk_in("Cy", Some("W-003"));
    let headers = [
        ("idempotency-key", key.as_str()),
        ("cookie", f.kiosk.as_str()),
    ];
    let leased = post_json(&f.state, "/api/v1/check-ins", &body, &headers).await;
    assert_eq!(leased.status, 201, "{}", leased.text);
    assert_eq!(leased.json()["ticket"], "W-003");
    assert_eq!(leased.json()["position"], 2);
    let later = check_in(&f.state, &f.kiosk, &walk_in("Di", Some("W-001"))).await;
    assert_eq!(later.json()["ticket"], "W-001");
    // A retry of the first is its stored answer, not a second ticket.
    let replay = post_json(&f.state, "/api/v1/check-ins", &body, &headers).await;
    assert_eq!(replay.text, leased.text);
    assert_eq!(waiting(&f, "W").await, ["W-011", "W-003", "W-001"]);
    // The same code again (never from a working kiosk): the next number.
    let again = check_in(&f.state, &f.kiosk, &walk_in("Ed", Some("W-003"))).await;
    assert_eq!(again.status, 201, "{}", again.text);
    assert_eq!(again.json()["ticket"], "W-012");
    // The lease no longer lists what was used, and is topped up to ten.
    let renewed = codes(&lease(&f.state, &f.kiosk).await);
    let of_w: Vec<_> = renewed
        .iter()
        .filter(|c| c.starts_with('W'))
        .cloned()
        .collect();
    assert_eq!(
        of_w,
        [
            "W-002", "W-004", "W-005", "W-006", "W-007", "W-008", "W-009", "W-010", "W-013",
            "W-014"
        ]
    );
}

#[tokio::test]
async fn another_kiosks_code_or_another_lines_gets_the_next_number() {
    let f = fixture().await;
    codes(&lease(&f.state, &f.kiosk).await);
    let second = enroll(&f.state, "check-in").await;
    // W-002 is the first kiosk's: the second cannot take it.
    let stolen = check_in(&f.state, &second, &walk_in("Fa", Some("W-002"))).await;
    assert_eq!(stolen.json()["ticket"], "W-011");
    // An A code on a walk-in (line W), a code never leased, and nonsense.
    for code in ["A-002", "W-500", "W-0", "W-002; DROP"] {
        let reply = check_in(&f.state, &f.kiosk, &walk_in("Gu", Some(code))).await;
        assert_eq!(reply.status, 201, "{code}: {}", reply.text);
        assert_ne!(reply.json()["ticket"], code);
    }
    // The first kiosk still has its W-002.
    let mine = check_in(&f.state, &f.kiosk, &walk_in("Ha", Some("W-002"))).await;
    assert_eq!(mine.json()["ticket"], "W-002");
}

#[tokio::test]
async fn an_appointment_checked_in_offline_keeps_its_leased_code() {
    let f = fixture().await;
    let fields = appointment(&f.state, "Ines", "Okafor", "1990-01-02", "09:10", "OKA123").await;
    let held = codes(&lease(&f.state, &f.kiosk).await);
    assert!(held.contains(&"A-004".to_owned()));
    let body = format!(r#"{{"kind":"appointment",{fields},"leased":"A-004"}}"#);
    let reply = check_in(&f.state, &f.kiosk, &body).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    assert_eq!(reply.json()["ticket"], "A-004");
    // The hint says which line, so a kiosk knows which number to give.
    let found = kiosk_post(
        &f,
        "/api/v1/identify",
        r#"{"method":"code","code":"OKA123"}"#,
        &[],
    )
    .await;
    assert_eq!(found.json()["matches"][0]["line"], "A");
}

#[tokio::test]
async fn numbers_set_aside_stay_set_aside_after_a_restart() {
    let f = fixture().await;
    codes(&lease(&f.state, &f.kiosk).await);
    let state = waitwell_server::AppState::new(
        f.state.db.clone(),
        waitwell_server::WebRoot::load(f.dir.path().join("dist")),
        waitwell_server::settings::Settings::demo(jiff::tz::TimeZone::UTC),
        f.clock.clone(),
    )
    .await
    .unwrap();
    let online = check_in(&state, &f.kiosk, &walk_in("Io", None)).await;
    assert_eq!(online.json()["ticket"], "W-011");
    let leased = check_in(&state, &f.kiosk, &walk_in("Jo", Some("W-007"))).await;
    assert_eq!(leased.json()["ticket"], "W-007");
}

#[tokio::test]
async fn a_lease_is_for_one_day() {
    let f = fixture().await;
    let today = codes(&lease(&f.state, &f.kiosk).await);
    let yesterday = f.state.today();
    f.clock.advance(jiff::SignedDuration::from_hours(24));
    // Yesterday's code on today's queue: the next number.
    let stale = check_in(
        &f.state,
        &f.kiosk,
        &walk_in(
            "Ka",
            today
                .iter()
                .find(|c| c.starts_with('W'))
                .map(String::as_str),
        ),
    )
    .await;
    assert_eq!(stale.json()["ticket"], "W-001");
    let tomorrow = lease(&f.state, &f.kiosk).await;
    assert_eq!(tomorrow.json()["day"], f.state.today());
    assert_ne!(tomorrow.json()["day"], serde_json::json!(yesterday));
    assert!(codes(&tomorrow).contains(&"W-011".to_owned()));
}
