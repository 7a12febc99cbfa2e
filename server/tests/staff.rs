//! Staff sign-in, the staff queue, queue actions and device health.

mod common;

use common::*;
use jiff::SignedDuration;

/// Signs in and returns the `Cookie` header value to send back.
async fn sign_in(f: &Fixture) -> String {
    let reply = post_json(&f.state, "/api/v1/staff/session", SIGN_IN, &[]).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let set_cookie = reply.headers["set-cookie"].to_str().unwrap().to_owned();
    assert!(set_cookie.contains("HttpOnly"), "{set_cookie}");
    assert!(set_cookie.contains("SameSite=Strict"), "{set_cookie}");
    let pair = set_cookie.split(';').next().unwrap().to_owned();
    // The token travels only in the cookie, never in the body.
    assert!(!reply.text.contains(pair.split('=').nth(1).unwrap()));
    pair
}

async fn act(f: &Fixture, cookie: &str, action: &str) -> Reply {
    post_json(
        &f.state,
        "/api/v1/queue/actions",
        action,
        &[("cookie", cookie)],
    )
    .await
}

/// The queue id of a ticket, from the staff queue.
async fn ticket_id(f: &Fixture, cookie: &str, code: &str) -> u64 {
    let staff = staff_get(f, cookie, "/api/v1/queue/staff").await.json();
    staff["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["ticket"] == code)
        .unwrap_or_else(|| panic!("{code} not in {staff}"))["id"]
        .as_u64()
        .unwrap()
}

async fn walk_in(f: &Fixture, first: &str) -> Reply {
    let body = format!(
        r#"{{"kind":"walk_in","first_name":"{first}","last_initial":"Z","reason":"other","needs":{{"interpreter":"Arabic","mobility_help":true}}}}"#
    );
    kiosk_post(
        f,
        "/api/v1/check-ins",
        &body,
        &[("idempotency-key", &uuid())],
    )
    .await
}

#[tokio::test]
async fn staff_endpoints_need_a_session() {
    let f = fixture().await;
    for path in [
        "/api/v1/queue/staff",
        "/api/v1/devices",
        "/api/v1/staff/session",
    ] {
        let reply = get(&f.state, path).await;
        assert_eq!(
            (reply.status, reply.code().as_str()),
            (401, "unauthorized"),
            "{path}"
        );
        let forged = staff_get(&f, &format!("waitwell_staff={}", "a".repeat(64)), path).await;
        assert_eq!(forged.status, 401, "{path}");
    }
    let reply = act(&f, "", r#"{"action":"serve","ticket":1}"#).await;
    assert_eq!(reply.status, 401);
}

async fn sign_in_as(f: &Fixture, name: &str, passphrase: &str) -> Reply {
    post_json(
        &f.state,
        "/api/v1/staff/session",
        &serde_json::json!({ "name": name, "passphrase": passphrase }).to_string(),
        &[],
    )
    .await
}

async fn put_pin(f: &Fixture, cookie: &str, pin: &str) -> Reply {
    send(
        &f.state,
        axum::http::Request::put("/api/v1/staff/pin")
            .header("cookie", cookie)
            .header("content-type", "application/json")
            .body(axum::body::Body::from(format!(r#"{{"pin":"{pin}"}}"#)))
            .unwrap(),
    )
    .await
}

async fn unlock(f: &Fixture, cookie: &str, pin: &str) -> Reply {
    post_json(
        &f.state,
        "/api/v1/staff/session/unlock",
        &format!(r#"{{"pin":"{pin}"}}"#),
        &[("cookie", cookie)],
    )
    .await
}

/// The access log's actions, newest first (read as the manager).
async fn logged(f: &Fixture) -> Vec<(String, String, String)> {
    let cookie = sign_in(f).await;
    let reply = staff_get(f, &cookie, "/api/v1/insights/access-log").await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.json()["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let text = |k: &str| e[k].as_str().unwrap().to_owned();
            (text("name"), text("action"), text("detail"))
        })
        .collect()
}

#[tokio::test]
async fn each_person_signs_in_with_their_own_account() {
    let f = fixture().await;
    let reply = sign_in_as(&f, "rosa", PASSPHRASE).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let session = reply.json();
    assert_eq!(session["name"], STAFF_NAME, "names match in any case");
    assert_eq!(session["role"], "manager");
    assert_eq!(session["state"], "active");
    assert_eq!(session["pin_set"], false);

    // A wrong passphrase and an unknown name get the same answer.
    let wrong = sign_in_as(&f, STAFF_NAME, "river-stone-lamp-43").await;
    let nobody = sign_in_as(&f, "Mallory", PASSPHRASE).await;
    assert_eq!((wrong.status, nobody.status), (401, 401));
    assert_eq!(wrong.text, nobody.text);

    // The command line adds accounts with a passphrase shown once; a
    // disabled account cannot sign in, and its sessions end at once.
    let now = f.state.now().as_second();
    let db = &f.state.db;
    let role = waitwell_core::contract::StaffRole::Staff;
    let given = waitwell_server::accounts::add(db, " Ben ", role, now)
        .await
        .unwrap();
    assert!(waitwell_server::accounts::add(db, "BEN", role, now)
        .await
        .is_err());
    let ben = sign_in_as(&f, "Ben", &given).await;
    assert_eq!(ben.status, 200);
    assert_eq!(ben.json()["role"], "staff");
    let ben_cookie = set_cookie(&ben);
    waitwell_server::accounts::set_disabled(db, "ben", true, now)
        .await
        .unwrap();
    assert_eq!(
        staff_get(&f, &ben_cookie, "/api/v1/queue/staff")
            .await
            .status,
        401
    );
    assert_eq!(sign_in_as(&f, "Ben", &given).await.status, 401);
    // Reset gives a new passphrase; the old one stops working.
    waitwell_server::accounts::set_disabled(db, "ben", false, now)
        .await
        .unwrap();
    let again = waitwell_server::accounts::reset(db, "Ben", now)
        .await
        .unwrap();
    assert_ne!(again, given);
    assert_eq!(sign_in_as(&f, "Ben", &given).await.status, 401);
    assert_eq!(sign_in_as(&f, "Ben", &again).await.status, 200);

    // No passphrase, and no name typed, is stored anywhere in clear.
    let stored: Vec<String> = sqlx::query_scalar("SELECT passphrase_hash FROM staff_accounts")
        .fetch_all(db)
        .await
        .unwrap();
    assert!(stored.iter().all(|h| h.starts_with("$argon2id$")));
    let scopes: Vec<String> = sqlx::query_scalar("SELECT scope FROM failed_attempts")
        .fetch_all(db)
        .await
        .unwrap();
    assert!(scopes
        .iter()
        .all(|s| !s.contains("Mallory") && !s.contains("river")));
}

#[tokio::test]
async fn wrong_passphrases_make_each_next_try_wait_longer() {
    let f = fixture().await;
    let rules = f.state.settings.staff.clone();
    for _ in 0..rules.max_wrong_per_account {
        assert_eq!(sign_in_as(&f, STAFF_NAME, "guess").await.status, 401);
    }
    let mut waits = Vec::new();
    for _ in 0..3 {
        // Even the right passphrase waits.
        let locked = sign_in_as(&f, STAFF_NAME, PASSPHRASE).await;
        assert_eq!((locked.status, locked.code().as_str()), (429, "locked_out"));
        let wait: i64 = locked.headers["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        waits.push(wait);
        f.clock.advance(SignedDuration::from_secs(wait));
        assert_eq!(sign_in_as(&f, STAFF_NAME, "guess").await.status, 401);
    }
    let base = rules.lockout_seconds as i64;
    assert_eq!(waits, [base, 2 * base, 4 * base]);
    f.clock.advance(SignedDuration::from_secs(8 * base));
    assert_eq!(sign_in_as(&f, STAFF_NAME, PASSPHRASE).await.status, 200);
}

async fn put_passphrase(f: &Fixture, cookie: &str, current: &str, new: &str) -> Reply {
    send(
        &f.state,
        axum::http::Request::put("/api/v1/staff/passphrase")
            .header("cookie", cookie)
            .header("content-type", "application/json")
            .body(axum::body::Body::from(
                serde_json::json!({ "current": current, "new": new }).to_string(),
            ))
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn a_person_chooses_their_own_passphrase_and_their_other_sessions_end() {
    let f = fixture().await;
    let chosen = "  Tulips at the front desk  ";
    let here = sign_in(&f).await;
    let elsewhere = sign_in(&f).await;
    assert_eq!(put_passphrase(&f, "", PASSPHRASE, chosen).await.status, 401);

    // Too short, too long, or the same: refused before the current one
    // is even looked at (so these answers say nothing about it).
    for (current, new) in [
        (PASSPHRASE, "short words"),
        (PASSPHRASE, &"x".repeat(257)),
        (PASSPHRASE, &format!(" {PASSPHRASE} ")),
        ("a guess", "short words"),
    ] {
        let refused = put_passphrase(&f, &here, current, new).await;
        assert_eq!(
            (refused.status, refused.code().as_str()),
            (400, "invalid_passphrase"),
            "{new:?}"
        );
    }
    // A wrong current passphrase: refused, and the session goes on (a 401
    // would sign the person out).
    let wrong = put_passphrase(&f, &here, "river-stone-lamp-43", chosen).await;
    assert_eq!(
        (wrong.status, wrong.code().as_str()),
        (403, "wrong_passphrase")
    );
    assert_eq!(
        staff_get(&f, &here, "/api/v1/queue/staff").await.status,
        200
    );
    assert_eq!(sign_in_as(&f, STAFF_NAME, chosen.trim()).await.status, 401);

    let changed = put_passphrase(&f, &here, &format!(" {PASSPHRASE}"), chosen).await;
    assert_eq!(changed.status, 204, "{}", changed.text);
    // This session goes on; the one elsewhere, opened with the old
    // passphrase, has ended.
    assert_eq!(
        staff_get(&f, &here, "/api/v1/queue/staff").await.status,
        200
    );
    assert_eq!(
        staff_get(&f, &elsewhere, "/api/v1/queue/staff")
            .await
            .status,
        401
    );
    assert_eq!(sign_in_as(&f, STAFF_NAME, PASSPHRASE).await.status, 401);
    // Trimmed, as a sign-in trims what is typed.
    assert_eq!(sign_in_as(&f, STAFF_NAME, chosen.trim()).await.status, 200);
    assert_eq!(sign_in_as(&f, STAFF_NAME, chosen).await.status, 200);

    // Said in the access log, without the passphrase; stored only hashed.
    let cookie = set_cookie(&sign_in_as(&f, STAFF_NAME, chosen).await);
    let reply = staff_get(&f, &cookie, "/api/v1/insights/access-log").await;
    assert!(
        reply.text.contains(r#""action":"passphrase_changed""#),
        "{}",
        reply.text
    );
    assert!(!reply.text.contains("Tulips"), "{}", reply.text);
    let stored: Vec<String> = sqlx::query_scalar("SELECT passphrase_hash FROM staff_accounts")
        .fetch_all(&f.state.db)
        .await
        .unwrap();
    assert!(stored.iter().all(|h| h.starts_with("$argon2id$")));
}

#[tokio::test]
async fn wrong_current_passphrases_count_as_wrong_sign_ins() {
    let f = fixture().await;
    let rules = f.state.settings.staff.clone();
    let cookie = sign_in(&f).await;
    let chosen = "Tulips at the front desk";
    for _ in 0..rules.max_wrong_per_account {
        let wrong = put_passphrase(&f, &cookie, "a guess", chosen).await;
        assert_eq!(wrong.code(), "wrong_passphrase");
    }
    // Locked out, here and at the sign-in, even with the right one.
    let locked = put_passphrase(&f, &cookie, PASSPHRASE, chosen).await;
    assert_eq!((locked.status, locked.code().as_str()), (429, "locked_out"));
    assert!(locked.headers.contains_key("retry-after"));
    let signing_in = sign_in_as(&f, STAFF_NAME, PASSPHRASE).await;
    assert_eq!(signing_in.code(), "locked_out");
    // Once the wait is over, the right one changes it.
    f.clock
        .advance(SignedDuration::from_secs(rules.lockout_seconds as i64));
    assert_eq!(
        staff_get(&f, &cookie, "/api/v1/queue/staff").await.status,
        200
    );
    assert_eq!(
        put_passphrase(&f, &cookie, PASSPHRASE, chosen).await.status,
        204
    );
}

#[tokio::test]
async fn an_idle_session_locks_and_the_owners_pin_opens_it_at_a_desk_only() {
    let f = fixture().await;
    let idle = f.state.settings.staff.idle_seconds as i64;
    let cookie = sign_in(&f).await;
    assert_eq!(put_pin(&f, &cookie, "12a4").await.code(), "invalid_pin");
    assert_eq!(put_pin(&f, &cookie, "4821").await.status, 204);

    // Not a reception desk: idling ends the session, PIN or not.
    f.clock.advance(SignedDuration::from_secs(idle + 1));
    let ended = staff_get(&f, &cookie, "/api/v1/staff/session").await;
    assert_eq!((ended.status, ended.code().as_str()), (401, "unauthorized"));

    // This browser becomes a reception desk.
    let cookie = sign_in(&f).await;
    let desk = post_json(&f.state, "/api/v1/devices/desk", "", &[("cookie", &cookie)]).await;
    assert_eq!(desk.status, 200, "{}", desk.text);
    let both = format!("{cookie}; {}", set_cookie(&desk));
    let here = staff_get(&f, &both, "/api/v1/staff/session").await.json();
    assert_eq!(
        (here["desk"].as_bool(), here["pin_set"].as_bool()),
        (Some(true), Some(true))
    );

    f.clock.advance(SignedDuration::from_secs(idle + 1));
    let locked = staff_get(&f, &both, "/api/v1/queue/staff").await;
    assert_eq!(
        (locked.status, locked.code().as_str()),
        (401, "session_locked")
    );
    assert_eq!(
        staff_get(&f, &both, "/api/v1/staff/session").await.json()["state"],
        "locked"
    );
    let wrong = unlock(&f, &both, "1111").await;
    assert_eq!(
        (wrong.status, wrong.code().as_str()),
        (401, "session_locked")
    );
    let opened = unlock(&f, &both, "4821").await;
    assert_eq!(opened.status, 200, "{}", opened.text);
    assert_eq!(opened.json()["state"], "active");
    assert_eq!(
        staff_get(&f, &both, "/api/v1/queue/staff").await.status,
        200
    );
    // The PIN alone, without the session's cookie, opens nothing.
    let desk_only = set_cookie(&desk);
    assert_eq!(unlock(&f, &desk_only, "4821").await.status, 401);

    // The page locks its screen before the server's idle time is up: the
    // server is locked too (a reload does not get round it), and the PIN
    // is checked even so.
    let locked_now = post_json(
        &f.state,
        "/api/v1/staff/session/lock",
        "",
        &[("cookie", &both)],
    )
    .await;
    assert_eq!(locked_now.status, 204);
    assert_eq!(
        staff_get(&f, &both, "/api/v1/queue/staff").await.code(),
        "session_locked"
    );
    assert_eq!(unlock(&f, &both, "9999").await.code(), "session_locked");
    assert_eq!(unlock(&f, &both, "4821").await.status, 200);

    // Five wrong PINs (the earlier one was forgiven by the right one) end it.
    f.clock.advance(SignedDuration::from_secs(idle + 1));
    let tries = f.state.settings.staff.pin_tries;
    for n in 1..=tries {
        let reply = unlock(&f, &both, "0000").await;
        // The last wrong PIN ends the session, and says it was the PINs.
        let expected = if n < tries {
            "session_locked"
        } else {
            "locked_out"
        };
        assert_eq!(reply.code(), expected, "try {n}");
    }
    assert_eq!(unlock(&f, &both, "4821").await.status, 401);
    assert_eq!(
        staff_get(&f, &both, "/api/v1/staff/session").await.status,
        401
    );

    // However active, a shift ends the session; then only a full sign-in.
    let cookie = sign_in(&f).await;
    let both = format!("{cookie}; {}", set_cookie(&desk));
    for _ in 0..(auth_shift() / (idle - 10) + 1) {
        f.clock.advance(SignedDuration::from_secs(idle - 10));
        let _ = staff_get(&f, &both, "/api/v1/staff/session").await;
    }
    // Not a PIN lockout: the right PIN no longer helps, and the answer
    // does not blame the PINs.
    assert_eq!(unlock(&f, &both, "4821").await.code(), "unauthorized");
    assert_eq!(
        staff_get(&f, &both, "/api/v1/queue/staff").await.status,
        401
    );

    let log = logged(&f).await;
    let actions: Vec<&str> = log.iter().map(|(_, a, _)| a.as_str()).collect();
    for expected in [
        "pin_set",
        "desk_enrolled",
        "unlocked_by_pin",
        "pin_lockout",
        "signed_in",
    ] {
        assert!(actions.contains(&expected), "{expected} in {actions:?}");
    }
}

fn auth_shift() -> i64 {
    waitwell_server::auth::MAX_SESSION_SECONDS
}

#[tokio::test]
async fn the_access_log_says_who_did_what_and_only_managers_read_it() {
    let f = fixture().await;
    let cookie = sign_in(&f).await;
    walk_in(&f, "Ana").await;
    let called = act(
        &f,
        &cookie,
        r#"{"action":"call_next","line":"W","room":"Room 1"}"#,
    )
    .await;
    assert_eq!(called.status, 200, "{}", called.text);
    let code = called.json()["ticket"].as_str().unwrap().to_owned();
    let id = ticket_id(&f, &cookie, &code).await;
    assert_eq!(
        act(
            &f,
            &cookie,
            &format!(r#"{{"action":"no_show","ticket":{id}}}"#)
        )
        .await
        .status,
        200
    );
    assert_eq!(
        staff_get(&f, &cookie, "/api/v1/insights/responses.csv")
            .await
            .status,
        200
    );

    let log = logged(&f).await;
    let has = |action: &str, detail: &str| {
        log.iter()
            .any(|(name, a, d)| name == STAFF_NAME && a == action && d.contains(detail))
    };
    assert!(has("queue_action", &format!("call_next {code}")), "{log:?}");
    assert!(has("queue_action", &format!("no_show {code}")), "{log:?}");
    assert!(has("insights_exported", "rows"), "{log:?}");
    assert!(has("signed_in", ""), "{log:?}");
    // The walk-in's name is nowhere in the log.
    assert!(log.iter().all(|(_, _, d)| !d.contains("Ana")), "{log:?}");

    // A staff account (not a manager) may not read it.
    let now = f.state.now().as_second();
    let role = waitwell_core::contract::StaffRole::Staff;
    let given = waitwell_server::accounts::add(&f.state.db, "Ben", role, now)
        .await
        .unwrap();
    let ben = set_cookie(&sign_in_as(&f, "Ben", &given).await);
    let refused = staff_get(&f, &ben, "/api/v1/insights/access-log").await;
    assert_eq!(
        (refused.status, refused.code().as_str()),
        (403, "manager_only")
    );
}

#[tokio::test]
async fn a_session_ends_after_inactivity_and_on_sign_out() {
    let f = fixture().await;
    let cookie = sign_in(&f).await;
    let idle = f.state.settings.staff.idle_seconds as i64;

    // Activity keeps it alive past the idle time in total.
    for _ in 0..3 {
        f.clock.advance(SignedDuration::from_secs(idle - 10));
        assert_eq!(
            staff_get(&f, &cookie, "/api/v1/staff/session").await.status,
            200
        );
    }
    f.clock.advance(SignedDuration::from_secs(idle + 1));
    let expired = staff_get(&f, &cookie, "/api/v1/queue/staff").await;
    assert_eq!(expired.status, 401);
    f.clock.advance(SignedDuration::from_secs(-(idle + 1)));
    assert_eq!(
        staff_get(&f, &cookie, "/api/v1/queue/staff").await.status,
        401,
        "ended for good"
    );

    let cookie = sign_in(&f).await;
    let out = send(
        &f.state,
        axum::http::Request::delete("/api/v1/staff/session")
            .header("cookie", &cookie)
            .body(axum::body::Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(out.status, 204);
    assert!(out.headers["set-cookie"]
        .to_str()
        .unwrap()
        .contains("Max-Age=0"));
    assert_eq!(
        staff_get(&f, &cookie, "/api/v1/queue/staff").await.status,
        401
    );
}

#[tokio::test]
async fn the_staff_queue_has_names_and_needs_the_public_one_does_not() {
    let f = fixture().await;
    appointment(
        &f.state,
        "María",
        "García López",
        "1980-04-12",
        "08:50",
        "GAR4K7",
    )
    .await;
    let reply = kiosk_post(
        &f,
        "/api/v1/check-ins",
        &format!(
            r#"{{"kind":"appointment",{},"needs":{{"contact_changed":true}}}}"#,
            identity_fields("GAR4K7", "08:50", "Dr. Lee")
        ),
        &[("idempotency-key", &uuid())],
    )
    .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    walk_in(&f, "Ana").await;
    f.clock.advance(SignedDuration::from_mins(12));
    let cookie = sign_in(&f).await;

    let staff = staff_get(&f, &cookie, "/api/v1/queue/staff").await;
    assert_eq!(staff.status, 200, "{}", staff.text);
    let json = staff.json();
    let tickets = json["tickets"].as_array().unwrap();
    let garcia = tickets.iter().find(|t| t["ticket"] == "A-001").unwrap();
    assert_eq!(garcia["name"], "María García López");
    assert_eq!(garcia["appointment_time"], "08:50");
    assert_eq!(garcia["late_minutes"], 10);
    assert_eq!(garcia["waited_minutes"], 12);
    assert_eq!(garcia["needs"]["contact_changed"], true);
    let ana = tickets.iter().find(|t| t["ticket"] == "W-001").unwrap();
    assert_eq!(ana["name"], "Ana Z.");
    assert_eq!(ana["needs"]["interpreter"], "Arabic");
    assert_eq!(ana["walk_in_reason"], "other");
    assert_eq!(json["today"]["waiting"], 2);

    let public = kiosk_get(&f, "/api/v1/queue").await;
    for secret in ["María", "García", "Ana", "Arabic", "1980", "Dr. Lee"] {
        assert!(
            !public.text.contains(secret),
            "{secret} on the public queue"
        );
    }
}

#[tokio::test]
async fn queue_actions_move_tickets_and_refuse_what_makes_no_sense() {
    let f = fixture().await;
    walk_in(&f, "Ana").await;
    walk_in(&f, "Bo").await;
    let cookie = sign_in(&f).await;

    let called = act(
        &f,
        &cookie,
        r#"{"action":"call_next","line":"W","room":"Room 2"}"#,
    )
    .await;
    assert_eq!(called.status, 200, "{}", called.text);
    assert_eq!(called.json()["ticket"], "W-001");
    assert_eq!(called.json()["status"], "called");
    let public = kiosk_get(&f, "/api/v1/queue").await.json();
    assert_eq!(
        public["lines"][1]["calling"][0],
        serde_json::json!({"ticket": "W-001", "room": "Room 2", "calls": 1})
    );
    assert_eq!(public["lines"][1]["waiting"][0]["ticket"], "W-002");
    assert_eq!(public["lines"][1]["waiting"][0]["position"], 1);

    let w1 = ticket_id(&f, &cookie, "W-001").await;
    let w2 = ticket_id(&f, &cookie, "W-002").await;

    assert_eq!(
        act(
            &f,
            &cookie,
            &format!(r#"{{"action":"recall","ticket":{w1}}}"#)
        )
        .await
        .status,
        200
    );
    // A recall counts up, so a board can announce it again.
    let public = kiosk_get(&f, "/api/v1/queue").await.json();
    assert_eq!(public["lines"][1]["calling"][0]["calls"], 2);
    f.clock.advance(SignedDuration::from_mins(8));
    let served = act(
        &f,
        &cookie,
        &format!(r#"{{"action":"serve","ticket":{w1}}}"#),
    )
    .await;
    assert_eq!(served.json()["status"], "served");
    let again = act(
        &f,
        &cookie,
        &format!(r#"{{"action":"serve","ticket":{w1}}}"#),
    )
    .await;
    assert_eq!(
        (again.status, again.code().as_str()),
        (409, "invalid_transition")
    );

    let moved = act(
        &f,
        &cookie,
        &format!(r#"{{"action":"transfer","ticket":{w2},"line":"A"}}"#),
    )
    .await;
    assert_eq!(moved.status, 200);
    let public = kiosk_get(&f, "/api/v1/queue").await.json();
    assert_eq!(public["lines"][0]["waiting"][0]["ticket"], "W-002");

    let cases = [
        (
            r#"{"action":"enqueue","line":"A"}"#.to_owned(),
            400,
            "use_check_in",
        ),
        (
            r#"{"action":"call_next","line":"W","room":"Kitchen"}"#.to_owned(),
            400,
            "unknown_room",
        ),
        (
            r#"{"action":"call_next","line":"W","room":"Room 1"}"#.to_owned(),
            409,
            "line_empty",
        ),
        (
            r#"{"action":"serve","ticket":999}"#.to_owned(),
            409,
            "unknown_ticket",
        ),
        (r#"{"action":"explode"}"#.to_owned(), 400, "invalid_body"),
        (
            format!(r#"{{"action":"requeue","ticket":{w2}}}"#),
            409,
            "invalid_transition",
        ),
    ];
    for (body, status, code) in cases {
        let reply = act(&f, &cookie, &body).await;
        assert_eq!(
            (reply.status, reply.code().as_str()),
            (status, code),
            "{body}"
        );
    }

    let staff = staff_get(&f, &cookie, "/api/v1/queue/staff").await.json();
    assert_eq!(staff["today"]["seen"], 1);
    let w1_row = staff["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["ticket"] == "W-001")
        .unwrap()
        .clone();
    assert_eq!(w1_row["calls"], 2);
    // Version: 2 check-ins + call + recall + serve + transfer.
    assert_eq!(staff["version"], 6);
}

#[tokio::test]
async fn no_show_and_requeue_put_the_ticket_back_first() {
    let f = fixture().await;
    walk_in(&f, "Ana").await;
    walk_in(&f, "Bo").await;
    let cookie = sign_in(&f).await;
    act(
        &f,
        &cookie,
        r#"{"action":"call_next","line":"W","room":"Room 1"}"#,
    )
    .await;
    let w1 = ticket_id(&f, &cookie, "W-001").await;
    assert_eq!(
        act(
            &f,
            &cookie,
            &format!(r#"{{"action":"no_show","ticket":{w1}}}"#)
        )
        .await
        .status,
        200
    );
    assert_eq!(
        act(
            &f,
            &cookie,
            &format!(r#"{{"action":"requeue","ticket":{w1}}}"#)
        )
        .await
        .status,
        200
    );
    let public = kiosk_get(&f, "/api/v1/queue").await.json();
    let waiting: Vec<_> = public["lines"][1]["waiting"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["ticket"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(waiting, ["W-001", "W-002"]);
}

#[tokio::test]
async fn counters_average_and_90th_percentile_wait() {
    let f = fixture().await;
    let cookie = sign_in(&f).await;
    // Ten walk-ins called after 1, 2, ..., 10 minutes of waiting.
    for i in 0..10 {
        walk_in(
            &f,
            &format!("P{}", char::from(b'a' + i)).replace('P', "Pat"),
        )
        .await;
    }
    for _ in 0..10 {
        f.clock.advance(SignedDuration::from_mins(1));
        let r = act(
            &f,
            &cookie,
            r#"{"action":"call_next","line":"W","room":"Room 1"}"#,
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.text);
    }
    let today = staff_get(&f, &cookie, "/api/v1/queue/staff").await.json()["today"].clone();
    // Waits 1..=10: mean 5.5 -> 5 (whole minutes, rounded down); p90 = 9.
    assert_eq!(today["average_wait_minutes"], 5);
    assert_eq!(today["p90_wait_minutes"], 9);
    assert_eq!(today["waiting"], 0);
}

#[tokio::test]
async fn heartbeats_show_device_health() {
    let f = fixture().await;
    let beat = r#"{"surface":"check-in","app_version":"0.1.0","outbox_backlog":3,"outbox_parked":2,"storage_failed":true,"last_sync":"2026-03-10T08:59:00Z"}"#;
    let reply = kiosk_post(&f, "/api/v1/devices/heartbeat", beat, &[]).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json()["orders"], serde_json::json!([]));
    let cookie = sign_in(&f).await;
    let list = staff_get(&f, &cookie, "/api/v1/devices").await.json();
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    assert!(list[0]["device"].as_str().unwrap().starts_with("d-"));
    assert!(list[0]["name"].as_str().unwrap().starts_with("Tablet "));
    assert_eq!(list[0]["role"], "check-in");
    assert_eq!(list[0]["surface"], "check-in");
    assert_eq!(list[0]["outbox_backlog"], 3);
    assert_eq!(list[0]["outbox_parked"], 2);
    assert_eq!(list[0]["storage_failed"], true);
    assert!(list[0]["offline_since"].is_null());

    f.clock.advance(SignedDuration::from_mins(5));
    let list = staff_get(&f, &cookie, "/api/v1/devices").await.json();
    assert_eq!(list[0]["offline_since"], "2026-03-10T09:00:00Z");

    for bad in [
        // A heartbeat cannot say which device it is from.
        r#"{"device":"entrance-1","surface":"board","app_version":"1","outbox_backlog":0}"#,
        r#"{"surface":"board","app_version":"","outbox_backlog":0}"#,
        r#"{"surface":"kitchen","app_version":"1","outbox_backlog":0}"#,
        r#"{"surface":"board","app_version":"1","outbox_backlog":-1}"#,
        r#"{"surface":"board","app_version":"1","outbox_backlog":0,"last_sync":"yesterday"}"#,
        r#"{"surface":"board","app_version":"1","outbox_backlog":0,"parked":[{"key":"k 1","kind":"survey","created_at":"2026-03-10T08:00:00Z","status":422}]}"#,
        r#"{"surface":"board","app_version":"1","outbox_backlog":0,"parked":[{"key":"k1","kind":"survey","created_at":"today","status":422}]}"#,
        r#"{"surface":"board","app_version":"1","outbox_backlog":0,"parked":[{"key":"k1","kind":"survey","created_at":"2026-03-10T08:00:00Z","status":422,"name":"Ana"}]}"#,
    ] {
        let reply = kiosk_post(&f, "/api/v1/devices/heartbeat", bad, &[]).await;
        assert_eq!(reply.status, 400, "{bad}: {}", reply.text);
    }
}

#[tokio::test]
async fn the_board_lists_the_most_recent_call_first() {
    let f = fixture().await;
    for name in ["Ana", "Bo", "Cy"] {
        walk_in(&f, name).await;
    }
    let cookie = sign_in(&f).await;
    for room in ["Room 1", "Room 2", "Room 3"] {
        f.clock.advance(SignedDuration::from_mins(1));
        act(
            &f,
            &cookie,
            &format!(r#"{{"action":"call_next","line":"W","room":"{room}"}}"#),
        )
        .await;
    }
    let public = kiosk_get(&f, "/api/v1/queue").await.json();
    let calling: Vec<_> = public["lines"][1]["calling"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["ticket"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(calling, ["W-003", "W-002", "W-001"]);
}

#[tokio::test]
async fn delay_notices_are_posted_shown_publicly_and_cleared() {
    let f = fixture().await;
    let cookie = sign_in(&f).await;
    let post = |body: &'static str, cookie: Option<String>| {
        let state = f.state.clone();
        async move {
            let headers: Vec<(&str, &str)> = match &cookie {
                Some(c) => vec![("cookie", c.as_str())],
                None => vec![],
            };
            post_json(&state, "/api/v1/notices", body, &headers).await
        }
    };
    // Staff only, and checked.
    assert_eq!(
        post(r#"{"clinician":"Dr. Lee","minutes":20}"#, None)
            .await
            .status,
        401
    );
    for (body, code) in [
        (r#"{"clinician":"  ","minutes":20}"#, "invalid_clinician"),
        (r#"{"clinician":"Dr. Lee","minutes":2}"#, "invalid_minutes"),
        (
            r#"{"clinician":"Dr. Lee","minutes":241}"#,
            "invalid_minutes",
        ),
        (
            r#"{"clinician":"Dr. Lee","minutes":20,"x":1}"#,
            "invalid_body",
        ),
    ] {
        let reply = post(body, Some(cookie.clone())).await;
        assert_eq!(
            (reply.status, reply.code()),
            (400, code.to_owned()),
            "{body}"
        );
    }
    let posted = post(
        r#"{"clinician":" Dr. Lee ","minutes":20}"#,
        Some(cookie.clone()),
    )
    .await;
    assert_eq!(posted.status, 201, "{}", posted.text);
    let id = posted.json()["id"].as_i64().unwrap();
    assert_eq!(posted.json()["clinician"], "Dr. Lee");

    let public = kiosk_get(&f, "/api/v1/queue").await.json();
    assert_eq!(
        public["notices"],
        serde_json::json!([{"id": id, "clinician": "Dr. Lee", "minutes": 20}])
    );
    let staff = staff_get(&f, &cookie, "/api/v1/queue/staff").await.json();
    assert_eq!(staff["notices"][0]["id"], id);

    let clear = |id: i64, cookie: Option<String>| {
        let state = f.state.clone();
        async move {
            let mut request = axum::http::Request::delete(format!("/api/v1/notices/{id}"));
            if let Some(c) = cookie {
                request = request.header("cookie", c);
            }
            send(&state, request.body(axum::body::Body::empty()).unwrap()).await
        }
    };
    assert_eq!(clear(id, None).await.status, 401);
    assert_eq!(clear(id, Some(cookie.clone())).await.status, 204);
    assert_eq!(
        clear(id, Some(cookie.clone())).await.status,
        204,
        "clearing twice is fine"
    );
    assert_eq!(clear(id + 100, Some(cookie.clone())).await.status, 404);
    let public = kiosk_get(&f, "/api/v1/queue").await.json();
    assert_eq!(public["notices"], serde_json::json!([]));
}

fn beat_with_parked(keys: &[&str]) -> String {
    let parked: Vec<String> = keys
        .iter()
        .map(|k| {
            format!(
                r#"{{"key":"{k}","kind":"check_in","created_at":"2026-03-10T08:30:00Z","status":422,"code":"too_late"}}"#
            )
        })
        .collect();
    format!(
        r#"{{"surface":"check-in","app_version":"0.1.0","outbox_backlog":0,"outbox_parked":{},"parked":[{}]}}"#,
        keys.len(),
        parked.join(",")
    )
}

async fn beat(f: &Fixture, keys: &[&str]) -> serde_json::Value {
    let reply = kiosk_post(f, "/api/v1/devices/heartbeat", &beat_with_parked(keys), &[]).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.json()["orders"].clone()
}

async fn decide(f: &Fixture, cookie: &str, device: &str, key: &str, decision: &str) -> Reply {
    post_json(
        &f.state,
        &format!("/api/v1/devices/{device}/parked/{key}"),
        &format!(r#"{{"decision":"{decision}"}}"#),
        &[("cookie", cookie)],
    )
    .await
}

#[tokio::test]
async fn staff_decide_about_parked_writes_and_the_device_is_told() {
    let f = fixture().await;
    assert_eq!(beat(&f, &["k-late", "k-gone"]).await, serde_json::json!([]));

    // Only staff decide, and only about writes the device reports.
    let anonymous = post_json(
        &f.state,
        "/api/v1/devices/entrance-1/parked/k-late",
        r#"{"decision":"retry"}"#,
        &[],
    )
    .await;
    assert_eq!(anonymous.status, 401);
    let cookie = sign_in(&f).await;
    let list = staff_get(&f, &cookie, "/api/v1/devices").await.json();
    let id = list[0]["device"].as_str().unwrap().to_owned();
    let id = id.as_str();
    assert_eq!(
        decide(&f, &cookie, id, "k-other", "retry").await.status,
        404
    );
    assert_eq!(
        decide(&f, &cookie, "lobby-9", "k-late", "retry")
            .await
            .status,
        404
    );
    assert_eq!(
        decide(&f, &cookie, id, "k-late", "forget").await.status,
        400
    );

    // Reception sees what was refused and why (never who).
    let list = staff_get(&f, &cookie, "/api/v1/devices").await.json();
    assert_eq!(list[0]["parked"][0]["key"], "k-late");
    assert_eq!(list[0]["parked"][0]["code"], "too_late");
    assert_eq!(list[0]["parked"][1]["kind"], "check_in");

    assert_eq!(decide(&f, &cookie, id, "k-late", "retry").await.status, 202);
    assert_eq!(
        decide(&f, &cookie, id, "k-gone", "resolved").await.status,
        202
    );
    let list = staff_get(&f, &cookie, "/api/v1/devices").await.json();
    assert_eq!(
        list[0]["orders"],
        serde_json::json!([
            {"key": "k-late", "decision": "retry"},
            {"key": "k-gone", "decision": "resolved"}
        ])
    );

    // The next heartbeat carries both decisions.
    assert_eq!(
        beat(&f, &["k-late", "k-gone"]).await,
        serde_json::json!([
            {"key": "k-late", "decision": "retry"},
            {"key": "k-gone", "decision": "resolved"}
        ])
    );
    // A retry is handed out once: refused again, the write parks again and
    // waits for staff. A removal is repeated until the device has done it.
    assert_eq!(
        beat(&f, &["k-late", "k-gone"]).await,
        serde_json::json!([{"key": "k-gone", "decision": "resolved"}])
    );
    assert_eq!(beat(&f, &["k-late"]).await, serde_json::json!([]));

    // A device that could not read its storage reports nothing parked; that
    // does not count as done.
    assert_eq!(
        decide(&f, &cookie, id, "k-late", "resolved").await.status,
        202
    );
    let unreadable = r#"{"surface":"check-in","app_version":"0.1.0","outbox_backlog":0,"storage_failed":true,"parked":[]}"#;
    let reply = kiosk_post(&f, "/api/v1/devices/heartbeat", unreadable, &[]).await;
    assert_eq!(reply.json()["orders"], serde_json::json!([]));
    assert_eq!(
        beat(&f, &["k-late"]).await,
        serde_json::json!([{"key": "k-late", "decision": "resolved"}])
    );
    assert_eq!(beat(&f, &[]).await, serde_json::json!([]));
    let list = staff_get(&f, &cookie, "/api/v1/devices").await.json();
    assert_eq!(list[0]["orders"], serde_json::json!([]));
    assert!(list[0]["parked"].as_array().unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_wrong_passphrases_get_no_more_tries_than_the_limit() {
    let f = fixture().await;
    let tries = (0..40).map(|_| {
        let state = f.state.clone();
        tokio::spawn(async move {
            post_json(
                &state,
                "/api/v1/staff/session",
                r#"{"name":"Rosa","passphrase":"guess"}"#,
                &[],
            )
            .await
            .status
        })
    });
    let mut statuses = Vec::new();
    for t in tries {
        statuses.push(t.await.unwrap());
    }
    let wrong = statuses.iter().filter(|&&s| s == 401).count();
    let locked = statuses.iter().filter(|&&s| s == 429).count();
    println!("40 parallel wrong passphrases: {wrong} tried, {locked} locked out");
    assert_eq!(wrong, f.state.settings.staff.max_wrong_per_account as usize);
    assert_eq!(locked, 40 - wrong);
}

#[tokio::test]
async fn housekeeping_forgets_failed_attempts_past_their_window() {
    let f = fixture().await;
    let wrong = post_json(
        &f.state,
        "/api/v1/staff/session",
        r#"{"name":"Rosa","passphrase":"guess"}"#,
        &[],
    )
    .await;
    assert_eq!(wrong.status, 401);
    let count = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM failed_attempts")
            .fetch_one(&f.state.db)
            .await
            .unwrap()
    };
    waitwell_server::housekeeping::once(&f.state).await;
    assert_eq!(
        count().await,
        3,
        "still inside the window: kept (account, address and overall)"
    );
    // Sign-in failures count for a day (their waits grow within it).
    f.clock.advance(SignedDuration::from_secs(
        waitwell_server::store::attempts::GROWING_WINDOW_SECONDS + 1,
    ));
    waitwell_server::housekeeping::once(&f.state).await;
    assert_eq!(count().await, 0);
}

#[tokio::test]
async fn the_wait_shown_follows_the_visit_in_progress() {
    let f = fixture().await;
    let cookie = sign_in(&f).await;
    // The walk-in line has one room: Ana is called in, Ben waits next.
    walk_in(&f, "Ana").await;
    let called = act(
        &f,
        &cookie,
        r#"{"action":"call_next","line":"W","room":"Room 1"}"#,
    )
    .await;
    assert_eq!(called.status, 200, "{}", called.text);
    let ben = walk_in(&f, "Ben").await.json();
    let told = |q: &serde_json::Value| {
        let waiting = &q["lines"][1]["waiting"][0];
        assert_eq!(waiting["ticket"], ben["ticket"]);
        (
            waiting["wait"]["low_minutes"].as_u64().unwrap(),
            waiting["wait"]["high_minutes"].as_u64().unwrap(),
        )
    };
    let at_once = told(&kiosk_get(&f, "/api/v1/queue").await.json());
    assert_eq!(
        at_once,
        (
            ben["wait"]["low_minutes"].as_u64().unwrap(),
            ben["wait"]["high_minutes"].as_u64().unwrap()
        )
    );
    // Nine minutes into Ana's visit, Ben is told a shorter wait.
    f.clock.advance(SignedDuration::from_mins(9));
    let later = told(&kiosk_get(&f, "/api/v1/queue").await.json());
    assert!(later.1 < at_once.1, "{at_once:?} then {later:?}");
}

#[tokio::test]
async fn each_check_in_is_told_from_the_visits_as_the_last_call_and_serve_left_them() {
    // Check-ins read the day's visits once and keep them for the next
    // check-in until a call or a serve changes them: each answer here is
    // what the board, reading afresh, shows for that ticket.
    let f = fixture().await;
    let cookie = sign_in(&f).await;
    let call = r#"{"action":"call_next","line":"W","room":"Room 1"}"#;
    let told = |ticket: &serde_json::Value| {
        (
            ticket["wait"]["low_minutes"].as_u64().unwrap(),
            ticket["wait"]["high_minutes"].as_u64().unwrap(),
        )
    };
    let on_board = |q: serde_json::Value, code: &serde_json::Value| {
        let waiting = q["lines"][1]["waiting"].as_array().unwrap().clone();
        let row = waiting
            .iter()
            .find(|w| w["ticket"] == *code)
            .unwrap()
            .clone();
        told(&row)
    };
    let zed = walk_in(&f, "Zed").await.json();
    assert_eq!(
        told(&zed),
        on_board(kiosk_get(&f, "/api/v1/queue").await.json(), &zed["ticket"])
    );
    // Zed goes in: Ana, next, waits for his visit to end.
    assert_eq!(act(&f, &cookie, call).await.status, 200);
    f.clock.advance(SignedDuration::from_mins(2));
    let ana = walk_in(&f, "Ana").await.json();
    let board = on_board(kiosk_get(&f, "/api/v1/queue").await.json(), &ana["ticket"]);
    assert_eq!(told(&ana), board);
    assert!(told(&ana).1 > told(&zed).1, "{zed} then {ana}");
    // Zed's visit ends after 40 minutes: Ben is told from it.
    f.clock.advance(SignedDuration::from_mins(38));
    let cookie = sign_in(&f).await;
    let id = ticket_id(&f, &cookie, zed["ticket"].as_str().unwrap()).await;
    let served = act(
        &f,
        &cookie,
        &format!(r#"{{"action":"serve","ticket":{id}}}"#),
    )
    .await;
    assert_eq!(served.status, 200, "{}", served.text);
    let ben = walk_in(&f, "Ben").await.json();
    let board = on_board(kiosk_get(&f, "/api/v1/queue").await.json(), &ben["ticket"]);
    assert_eq!(told(&ben), board);
    assert_ne!(told(&ben), told(&ana), "{ana} then {ben}");
}

/// Calls Ana in and tells Ben, checking in next, his wait on the walk-in
/// line (one room): after `history` visits of `minutes` each the day before.
async fn wait_after(history: usize, minutes: i64) -> (u64, u64) {
    let f = fixture().await;
    let call = r#"{"action":"call_next","line":"W","room":"Room 1"}"#;
    for i in 0..history {
        let cookie = sign_in(&f).await;
        walk_in(&f, &format!("Yday{}", char::from(b'a' + i as u8))).await;
        let called = act(&f, &cookie, call).await.json();
        let id = ticket_id(&f, &cookie, called["ticket"].as_str().unwrap()).await;
        f.clock.advance(SignedDuration::from_mins(minutes));
        // (Longer than a session's idle limit: sign in again.)
        let cookie = sign_in(&f).await;
        let served = format!(r#"{{"action":"serve","ticket":{id}}}"#);
        let done = act(&f, &cookie, &served).await;
        assert_eq!(done.status, 200, "{}", done.text);
    }
    f.clock.advance(SignedDuration::from_hours(24));
    let cookie = sign_in(&f).await;
    walk_in(&f, "Ana").await;
    act(&f, &cookie, call).await;
    let ben = walk_in(&f, "Ben").await.json();
    (
        ben["wait"]["low_minutes"].as_u64().unwrap(),
        ben["wait"]["high_minutes"].as_u64().unwrap(),
    )
}

#[tokio::test]
async fn the_first_patients_of_a_day_are_told_from_earlier_days_visits() {
    // Without history: the 10-minute guess. After a day of 30-minute
    // visits: a range around 30 minutes.
    let guess = wait_after(0, 0).await;
    let known = wait_after(5, 30).await;
    assert!(guess.1 <= 20, "{guess:?}");
    assert!(known.0 <= 30 && 30 <= known.1, "{known:?}");
    assert!(known.1 > guess.1, "{guess:?} then {known:?}");
}

#[tokio::test]
async fn staff_add_walk_ins_at_the_desk_without_an_enrolled_device() {
    let f = fixture().await;
    let walk_in = r#"{"kind":"walk_in","first_name":"Ana","last_initial":"G","reason":"other"}"#;
    let anonymous = post_json(
        &f.state,
        "/api/v1/check-ins",
        walk_in,
        &[("idempotency-key", &uuid())],
    )
    .await;
    assert_eq!(
        (anonymous.status, anonymous.code().as_str()),
        (401, "device_not_enrolled")
    );
    let cookie = sign_in(&f).await;
    let desk = post_json(
        &f.state,
        "/api/v1/check-ins",
        walk_in,
        &[("idempotency-key", &uuid()), ("cookie", &cookie)],
    )
    .await;
    assert_eq!(desk.status, 201, "{}", desk.text);
    // One browser showing the board and reception (a demo machine): the
    // board's credential does not get in the way of the desk's walk-in,
    let board = enroll(&f.state, "board").await;
    let both = format!("{board}; {cookie}");
    let desk = post_json(
        &f.state,
        "/api/v1/check-ins",
        walk_in,
        &[("idempotency-key", &uuid()), ("cookie", &both)],
    )
    .await;
    assert_eq!(desk.status, 201, "{}", desk.text);
    // but the board alone cannot add one.
    let alone = post_json(
        &f.state,
        "/api/v1/check-ins",
        walk_in,
        &[("idempotency-key", &uuid()), ("cookie", &board)],
    )
    .await;
    assert_eq!(
        (alone.status, alone.code().as_str()),
        (403, "wrong_device_role")
    );
    // A session cookie is not a kiosk: identifying patients stays with kiosks.
    let identify = post_json(
        &f.state,
        "/api/v1/identify",
        r#"{"method":"code","code":"GAR4K7"}"#,
        &[("cookie", &cookie)],
    )
    .await;
    assert_eq!(identify.status, 401);
}

#[tokio::test]
async fn housekeeping_forgets_unapproved_pairings_and_revokes_lost_tablets() {
    let f = fixture().await;
    let waiting = post_json(&f.state, "/api/v1/devices/pair", r#"{"role":"board"}"#, &[]).await;
    let waiting = set_cookie(&waiting);
    let me = |cookie: String| {
        let state = f.state.clone();
        async move {
            let reply = send(
                &state,
                axum::http::Request::get("/api/v1/devices/me")
                    .header("cookie", cookie)
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await;
            reply.json()["status"].as_str().unwrap().to_owned()
        }
    };
    assert_eq!(me(waiting.clone()).await, "pending");
    assert_eq!(me(f.kiosk.clone()).await, "enrolled");

    // 16 minutes: the code has expired and the pairing is forgotten.
    f.clock.advance(SignedDuration::from_mins(16));
    assert_eq!(me(waiting.clone()).await, "not_enrolled");
    let now = f.state.now().as_second();
    let forgotten = waitwell_server::housekeeping::forget_stale_devices(&f.state, now)
        .await
        .unwrap();
    assert_eq!(forgotten, (1, 0));
    assert_eq!(me(f.kiosk.clone()).await, "enrolled");

    // A tablet not heard from for `device_days` is revoked.
    let days = i64::from(f.state.settings.limits.device_days);
    f.clock.advance(SignedDuration::from_hours(24 * days));
    let now = f.state.now().as_second();
    let forgotten = waitwell_server::housekeeping::forget_stale_devices(&f.state, now)
        .await
        .unwrap();
    assert_eq!(forgotten, (0, 1));
    assert_eq!(me(f.kiosk.clone()).await, "not_enrolled");
    let refused = kiosk_get(&f, "/api/v1/offline-index").await;
    assert_eq!(
        (refused.status, refused.code().as_str()),
        (401, "device_not_enrolled")
    );
}

#[tokio::test]
async fn a_tablet_set_up_anew_for_another_role_ends_its_old_enrollment() {
    let f = fixture().await;
    let board = enroll(&f.state, "board").await;
    // Asking again for the same role changes nothing.
    let same = post_json(
        &f.state,
        "/api/v1/devices/pair",
        r#"{"role":"board"}"#,
        &[("cookie", &board)],
    )
    .await;
    assert_eq!(same.json()["status"], "enrolled");
    assert!(same.headers.get("set-cookie").is_none());
    // For another role: a new pairing, waiting for reception, and the
    // board's credential stops working.
    let anew = post_json(
        &f.state,
        "/api/v1/devices/pair",
        r#"{"role":"check-in"}"#,
        &[("cookie", &board)],
    )
    .await;
    assert_eq!(anew.json()["status"], "pending");
    assert_ne!(set_cookie(&anew), board);
    let old = send(
        &f.state,
        axum::http::Request::get("/api/v1/queue")
            .header("cookie", &board)
            .body(axum::body::Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(old.status, 401);
}

#[tokio::test]
async fn wait_ranges_are_fitted_to_the_latest_visits_across_earlier_days_up_to_the_limit() {
    use waitwell_server::store::tickets::{recent_service_minutes, HISTORY_DAYS, RECENT_VISITS};
    let f = fixture().await;
    let line = f.state.settings.site.lines[0].id;
    // Served visits of the line, each a whole number of minutes that says
    // which day it was and in what order it ended.
    let mut next_id = 0;
    let mut served = |day: &'static str, minutes: i64, finished_at: i64| {
        next_id += 1;
        let id = next_id;
        let pool = f.state.db.clone();
        let line = line.to_string();
        async move {
            sqlx::query(
                "INSERT INTO tickets (day, id, code_line, code_number, line_id, status,
                 created_at, called_at, finished_at)
                 VALUES (?, ?, 'T', ?, ?, 'served', ?, ?, ?)",
            )
            .bind(day)
            .bind(id)
            .bind(id)
            .bind(line)
            .bind(finished_at - minutes * 60)
            .bind(finished_at - minutes * 60)
            .bind(finished_at)
            .execute(&pool)
            .await
            .unwrap();
        }
    };
    let today = "2026-03-10";
    // Today 120 visits of 1..=120 minutes' worth of order (ending later
    // and later), the day before 120 of 1001..=1120, two days before 50,
    // and 60 from longer ago than the history reaches.
    for i in 1..=120 {
        served(today, i, 1_000_000 + i * 600).await;
        served("2026-03-09", 1000 + i, 900_000 + i * 600).await;
    }
    for i in 1..=50 {
        served("2026-03-08", 2000 + i, 800_000 + i * 600).await;
    }
    for i in 1..=60 {
        served("2026-01-01", 3000 + i, 100_000 + i * 600).await;
    }
    let mut conn = f.state.db.acquire().await.unwrap();
    let read = recent_service_minutes(&mut conn, today, &[line])
        .await
        .unwrap()
        .remove(&line.to_string())
        .unwrap();
    // Today's newest first, then the day before's newest first, until the
    // limit: well past the twenty of old.
    let expected: Vec<f64> = (1..=120)
        .rev()
        .map(|i| i as f64)
        .chain((1..=120).rev().map(|i| (1000 + i) as f64))
        .take(usize::try_from(RECENT_VISITS).unwrap())
        .collect();
    assert_eq!(read, expected);
    assert_eq!(RECENT_VISITS, 200);
    // With little history, all of it that is recent enough, and none older
    // than the history reaches.
    let reach = recent_service_minutes(&mut conn, "2026-03-09", &[line])
        .await
        .unwrap()
        .remove(&line.to_string())
        .unwrap();
    assert_eq!(
        reach.len(),
        120 + 50,
        "{HISTORY_DAYS} days back: not January's"
    );
    assert!(reach.iter().all(|m| *m < 3000.0));
}
