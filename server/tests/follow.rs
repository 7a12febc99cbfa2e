//! Phone links (`/follow/{token}`): what a patient's phone can read about
//! their own ticket, and for how long; through `app()` against a real
//! SQLite file.

mod common;

use common::*;
use waitwell_server::settings::Settings;

async fn walk_in(f: &Fixture, name: &str, host: &str) -> serde_json::Value {
    let body = format!(
        r#"{{"kind":"walk_in","first_name":"{name}","last_initial":"Q","reason":"other"}}"#
    );
    let reply = post_json(
        &f.state,
        "/api/v1/check-ins",
        &body,
        &[
            ("idempotency-key", &uuid()),
            ("cookie", &f.kiosk),
            ("host", host),
        ],
    )
    .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    reply.json()
}

fn token(answer: &serde_json::Value) -> String {
    answer["follow"]["token"]
        .as_str()
        .expect("a token")
        .to_owned()
}

async fn follow(f: &Fixture, token: &str) -> Reply {
    get(&f.state, &format!("/api/v1/follow/{token}")).await
}

async fn act(f: &Fixture, cookie: &str, action: &str) {
    let reply = post_json(
        &f.state,
        "/api/v1/queue/actions",
        action,
        &[("cookie", cookie)],
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
}

/// The staff queue's row for `code`.
async fn staff_row(f: &Fixture, cookie: &str, code: &str) -> serde_json::Value {
    let staff = staff_get(f, cookie, "/api/v1/queue/staff").await.json();
    staff["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["ticket"] == code)
        .cloned()
        .unwrap_or_else(|| panic!("{code} not in {staff}"))
}

#[tokio::test]
async fn a_link_shows_its_own_ticket_only_until_the_ticket_is_finished() {
    let f = fixture().await;
    let first = walk_in(&f, "Rosa", "clinic.test:8080").await;
    let second = walk_in(&f, "Tomas", "clinic.test:8080").await;
    let token = token(&second);
    assert_eq!(token.len(), 32);
    assert_ne!(token, self::token(&first), "each ticket its own link");
    assert_eq!(
        second["follow"]["url"],
        format!("http://clinic.test:8080/t/{token}"),
        "the address the kiosk reached"
    );

    let reply = follow(&f, &token).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.headers["cache-control"], "no-store");
    let seen = reply.json();
    assert_eq!(seen["ticket"], second["ticket"]);
    let lines = seen["queue"]["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 1, "only the ticket's line: {seen}");
    let waiting = lines[0]["waiting"].as_array().unwrap();
    assert_eq!(waiting.len(), 1, "only the ticket: {seen}");
    assert_eq!(waiting[0]["ticket"], second["ticket"]);
    assert_eq!(waiting[0]["position"], 2, "its real place");
    assert!(lines[0]["calling"].as_array().unwrap().is_empty());
    // Nothing names anyone: not this patient, not the one ahead.
    for word in ["Rosa", "Tomas", first["ticket"].as_str().unwrap()] {
        assert!(!reply.text.contains(word), "{word} in {}", reply.text);
    }

    // The QR code says the same address, and no copy is kept.
    let qr = get(&f.state, &format!("/api/v1/follow/{token}/qr.svg")).await;
    assert_eq!(qr.status, 200);
    assert_eq!(qr.headers["content-type"], "image/svg+xml");
    assert_eq!(qr.headers["cache-control"], "no-store");
    assert!(qr.text.contains("<svg"), "{}", qr.text);

    // Called: the phone sees the room.
    let staff = staff_cookie(&f).await;
    act(
        &f,
        &staff,
        r#"{"action":"call_next","line":"W","room":"Room 1"}"#,
    )
    .await;
    act(
        &f,
        &staff,
        r#"{"action":"call_next","line":"W","room":"Room 3"}"#,
    )
    .await;
    let called = follow(&f, &token).await.json();
    let line = &called["queue"]["lines"][0];
    assert_eq!(line["calling"].as_array().unwrap().len(), 1, "{called}");
    assert_eq!(line["calling"][0]["room"], "Room 3");
    assert_eq!(line["calling"][0]["ticket"], second["ticket"]);

    // Finished: the link is over, everywhere.
    let id = staff_row(&f, &staff, second["ticket"].as_str().unwrap()).await["id"].clone();
    act(
        &f,
        &staff,
        &format!(r#"{{"action":"serve","ticket":{id}}}"#),
    )
    .await;
    for path in ["", "/events", "/qr.svg"] {
        let reply = get(&f.state, &format!("/api/v1/follow/{token}{path}")).await;
        assert_eq!(
            (reply.status, reply.code().as_str()),
            (404, "follow_link_gone"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn made_up_or_garbled_tokens_find_nothing() {
    let f = fixture().await;
    let real = token(&walk_in(&f, "Rosa", "clinic.test").await);
    let mut changed = real.clone().into_bytes();
    changed[0] = if changed[0] == b'0' { b'1' } else { b'0' };
    let changed = String::from_utf8(changed).unwrap();
    for token in [
        changed.as_str(),
        &"0".repeat(32),
        &real.to_uppercase(),
        &real[..31],
        "..%2F..%2Fqueue",
        "%00",
    ] {
        let reply = follow(&f, token).await;
        assert_eq!(reply.status, 404, "{token}: {}", reply.text);
        assert_eq!(reply.code(), "follow_link_gone", "{token}");
    }
    assert_eq!(follow(&f, &real).await.status, 200);
}

#[tokio::test]
async fn reception_ends_a_link_and_the_day_ends_them_all() {
    let f = fixture().await;
    let answer = walk_in(&f, "Rosa", "clinic.test").await;
    let kept = token(&walk_in(&f, "Tomas", "clinic.test").await);
    let token = token(&answer);
    let code = answer["ticket"].as_str().unwrap();
    let staff = staff_cookie(&f).await;
    let row = staff_row(&f, &staff, code).await;
    assert_eq!(row["phone_link"], true);

    // Only staff can end a link.
    let body = format!(r#"{{"ticket":{}}}"#, row["id"]);
    let anonymous = post_json(&f.state, "/api/v1/follow/end", &body, &[]).await;
    assert_eq!(anonymous.status, 401);
    let kiosk = post_json(
        &f.state,
        "/api/v1/follow/end",
        &body,
        &[("cookie", &f.kiosk)],
    )
    .await;
    assert_eq!(kiosk.status, 401);
    assert_eq!(follow(&f, &token).await.status, 200);

    let ended = post_json(&f.state, "/api/v1/follow/end", &body, &[("cookie", &staff)]).await;
    assert_eq!(ended.status, 204, "{}", ended.text);
    assert_eq!(follow(&f, &token).await.code(), "follow_link_gone");
    assert_eq!(staff_row(&f, &staff, code).await["phone_link"], false);
    let again = post_json(&f.state, "/api/v1/follow/end", &body, &[("cookie", &staff)]).await;
    assert_eq!(again.status, 404);
    // The ticket itself is untouched, and so is the other patient's link.
    assert_eq!(staff_row(&f, &staff, code).await["status"], "waiting");
    assert_eq!(follow(&f, &kept).await.status, 200);
    let log = staff_get(&f, &staff, "/api/v1/insights/access-log").await;
    assert!(log.text.contains("follow_ended"), "{}", log.text);

    // The next day no link works, though the ticket was never finished.
    f.clock.advance(jiff::SignedDuration::from_hours(24));
    assert_eq!(follow(&f, &kept).await.code(), "follow_link_gone");
}

#[tokio::test]
async fn phone_reads_are_limited_per_address() {
    let mut settings = Settings::demo(jiff::tz::TimeZone::UTC);
    settings.phone.reads_per_minute = 3;
    let f = fixture_with(settings).await;
    let token = token(&walk_in(&f, "Rosa", "clinic.test").await);
    for _ in 0..3 {
        assert_eq!(follow(&f, &token).await.status, 200);
    }
    let refused = follow(&f, &token).await;
    assert_eq!(refused.status, 429);
    assert!(refused.headers.contains_key("retry-after"));
    // Guessing costs the same budget.
    assert_eq!(follow(&f, &"0".repeat(32)).await.status, 429);
}

#[tokio::test]
async fn the_site_says_where_phones_reach_us_or_turns_links_off() {
    let mut settings = Settings::demo(jiff::tz::TimeZone::UTC);
    settings.phone.url = Some("https://wait.example-clinic.org".into());
    let f = fixture_with(settings).await;
    let answer = walk_in(&f, "Rosa", "10.0.0.5:8080").await;
    assert_eq!(
        answer["follow"]["url"],
        format!("https://wait.example-clinic.org/t/{}", token(&answer))
    );

    let mut settings = Settings::demo(jiff::tz::TimeZone::UTC);
    settings.phone.links = false;
    let f = fixture_with(settings).await;
    let answer = walk_in(&f, "Rosa", "clinic.test").await;
    assert!(answer.get("follow").is_none(), "{answer}");

    for bad in [r#""ftp://x""#, r#""https://x/""#, r#""https://x y""#] {
        let json = format!(
            r#"{{"site":{},"phone":{{"url":{bad}}}}}"#,
            serde_json::to_string(&Settings::demo(jiff::tz::TimeZone::UTC).site).unwrap()
        );
        assert!(Settings::from_json(&json).is_err(), "{bad}");
    }
}

#[tokio::test]
async fn a_replayed_check_in_answers_the_same_link_and_makes_no_second() {
    let f = fixture().await;
    let key = uuid();
    let body = r#"{"kind":"walk_in","first_name":"Rosa","last_initial":"Q","reason":"other"}"#;
    let headers = [
        ("idempotency-key", key.as_str()),
        ("cookie", f.kiosk.as_str()),
    ];
    let send = || post_json(&f.state, "/api/v1/check-ins", body, &headers);
    let first = send().await;
    let replay = send().await;
    assert_eq!(first.status, 201);
    assert_eq!(replay.json()["follow"], first.json()["follow"]);
    let links: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM follow_links")
        .fetch_one(&f.state.db)
        .await
        .unwrap();
    assert_eq!(links, 1);
    // Only the token's hash is stored.
    let stored: String = sqlx::query_scalar("SELECT token_hash FROM follow_links")
        .fetch_one(&f.state.db)
        .await
        .unwrap();
    assert_ne!(stored, token(&first.json()));
}
