//! The queue service against a real SQLite file: a change that reads
//! before it writes is not undone by another writer committing in between.

mod common;

use common::*;
use std::future::Future;
use std::task::Poll;
use std::time::Duration;
use waitwell_core::contract::Needs;
use waitwell_core::queue::{Action, LineId, TicketCode};
use waitwell_server::hub::Change;
use waitwell_server::store::tickets::{Holder, NewTicket};
use waitwell_server::store::{self, idempotency};
use waitwell_server::AppError;

#[tokio::test]
async fn a_change_that_reads_first_still_writes_while_others_write() {
    let f = fixture().await;
    let day = f.state.today();
    let mut change = f
        .state
        .hub
        .begin(&f.state.db, &f.state.settings, &day)
        .await
        .unwrap();
    // A read first, as a check-in does (its stored answer, if any).
    assert!(idempotency::find(change.tx(), "key-1", "hash")
        .await
        .unwrap()
        .is_none());
    // Meanwhile another request writes (a heartbeat, a survey).
    let db = f.state.db.clone();
    let other = tokio::spawn(async move {
        sqlx::query("INSERT INTO server_meta (key, value) VALUES ('elsewhere', 'x')")
            .execute(&db)
            .await
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    let line = LineId::new('W').unwrap();
    let outcome = change
        .apply(
            &Action::Enqueue { line },
            Some(&walk_in("Ana G.")),
            1_773_133_200,
        )
        .await
        .expect("the change writes although another writer came along");
    change.commit().await.unwrap();
    other
        .await
        .unwrap()
        .expect("the other write goes through after it");
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tickets WHERE day = ? AND id = ?")
        .bind(&day)
        .bind(i64::try_from(outcome.ticket).unwrap())
        .fetch_one(&f.state.db)
        .await
        .unwrap();
    assert_eq!(stored, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pairings_and_heartbeats_go_through_while_others_write() {
    // (Every request here comes from one address: let its 10 pairings wait.)
    let mut settings = waitwell_server::settings::Settings::demo(jiff::tz::TimeZone::UTC);
    settings.devices.max_pending_per_address = 20;
    let f = fixture_with(settings).await;
    let mut tasks = Vec::new();
    for n in 0..40 {
        let (state, kiosk) = (f.state.clone(), f.kiosk.clone());
        tasks.push(tokio::spawn(async move {
            // A pairing reads (how many wait? is the code taken?) before it
            // writes, and a heartbeat writes, while check-ins write alongside.
            let walk_in =
                r#"{"kind":"walk_in","first_name":"Ana","last_initial":"G","reason":"other"}"#;
            let key = uuid();
            let headers = [
                ("idempotency-key", key.as_str()),
                ("cookie", kiosk.as_str()),
            ];
            let beat = async {
                if n % 4 == 0 {
                    post_json(&state, "/api/v1/devices/pair", r#"{"role":"board"}"#, &[]).await
                } else {
                    let beat = r#"{"surface":"check-in","app_version":"1","outbox_backlog":0}"#;
                    let cookie = [("cookie", kiosk.as_str())];
                    post_json(&state, "/api/v1/devices/heartbeat", beat, &cookie).await
                }
            };
            let (beat, checked_in) = tokio::join!(
                beat,
                post_json(&state, "/api/v1/check-ins", walk_in, &headers),
            );
            (beat.status, beat.text, checked_in.status)
        }));
    }
    for task in tasks {
        let (beat, text, checked_in) = task.await.unwrap();
        assert_eq!(beat, 200, "{text}");
        assert_eq!(checked_in, 201);
    }
}

/// The delay notices on the public queue, by clinician.
async fn notices_on_queue(f: &Fixture) -> Vec<String> {
    let reply = kiosk_get(f, "/api/v1/queue").await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.json()["notices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["clinician"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_public_queue_is_made_once_per_change_notice_and_minute() {
    let f = fixture().await;
    assert!(notices_on_queue(&f).await.is_empty());
    // A row written behind the server's back (no change announced) is not
    // seen: the queue served is the one made for this version and minute.
    sqlx::query(
        "INSERT INTO delay_notices (day, clinician, minutes, posted_at) VALUES (?, 'Dr. Behind', 20, 0)",
    )
    .bind(f.state.today())
    .execute(&f.state.db)
    .await
    .unwrap();
    assert!(notices_on_queue(&f).await.is_empty());

    // A notice posted through the API is seen at once (and the one behind
    // the server's back with it, since the queue is made again).
    let staff = staff_cookie(&f).await;
    let posted = post_json(
        &f.state,
        "/api/v1/notices",
        r#"{"clinician":"Dr. Lee","minutes":15}"#,
        &[("cookie", &staff)],
    )
    .await;
    assert_eq!(posted.status, 201, "{}", posted.text);
    assert_eq!(notices_on_queue(&f).await, ["Dr. Behind", "Dr. Lee"]);

    // So is a new ticket.
    let body = r#"{"kind":"walk_in","first_name":"Rosa","last_initial":"Q","reason":"other"}"#;
    let made = post_json(
        &f.state,
        "/api/v1/check-ins",
        body,
        &[("idempotency-key", &uuid()), ("cookie", &f.kiosk)],
    )
    .await;
    assert_eq!(made.status, 201, "{}", made.text);
    let ticket = made.json()["ticket"].clone();
    let queue = kiosk_get(&f, "/api/v1/queue").await.json();
    assert!(
        queue["lines"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["waiting"]
                .as_array()
                .unwrap()
                .iter()
                .any(|t| t["ticket"] == ticket)),
        "{queue}"
    );

    // Behind the server's back again: seen only once the minute turns.
    sqlx::query("UPDATE delay_notices SET cleared_at = 1 WHERE clinician = 'Dr. Behind'")
        .execute(&f.state.db)
        .await
        .unwrap();
    assert_eq!(notices_on_queue(&f).await, ["Dr. Behind", "Dr. Lee"]);
    f.clock.advance(jiff::SignedDuration::from_secs(60));
    assert_eq!(notices_on_queue(&f).await, ["Dr. Lee"]);
}

/// A GET of the public queue with `cookie`: its status.
async fn read_queue(f: &Fixture, cookie: &str) -> u16 {
    send(
        &f.state,
        axum::http::Request::get("/api/v1/queue")
            .header("cookie", cookie)
            .body(axum::body::Body::empty())
            .unwrap(),
    )
    .await
    .status
}

#[tokio::test]
async fn a_board_is_remembered_for_a_second_and_forgotten_the_moment_it_is_revoked() {
    let f = fixture().await;
    let board = enroll(&f.state, "board").await;
    let staff = staff_cookie(&f).await;
    assert_eq!(read_queue(&f, &board).await, 200);

    // Removed behind the server's back (no revocation): the board is
    // remembered for up to a second, then looked up again.
    let saved: Vec<(String, String, String)> =
        sqlx::query_as("SELECT device, credential_hash, role FROM devices WHERE role = 'board'")
            .fetch_all(&f.state.db)
            .await
            .unwrap();
    assert_eq!(saved.len(), 1);
    sqlx::query("UPDATE devices SET credential_hash = 'moved' WHERE role = 'board'")
        .execute(&f.state.db)
        .await
        .unwrap();
    assert_eq!(read_queue(&f, &board).await, 200, "remembered");
    f.clock.advance(jiff::SignedDuration::from_millis(1000));
    assert_eq!(
        read_queue(&f, &board).await,
        401,
        "looked up again after a second"
    );
    sqlx::query("UPDATE devices SET credential_hash = ? WHERE role = 'board'")
        .bind(&saved[0].1)
        .execute(&f.state.db)
        .await
        .unwrap();
    assert_eq!(read_queue(&f, &board).await, 200);

    // Revoked at reception: refused at once, though it read a moment ago.
    let devices = staff_get(&f, &staff, "/api/v1/devices").await.json();
    let id = devices
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["role"] == "board")
        .and_then(|d| d["device"].as_str())
        .unwrap()
        .to_owned();
    let revoked = post_json(
        &f.state,
        &format!("/api/v1/devices/{id}/revoke"),
        "",
        &[("cookie", &staff)],
    )
    .await;
    assert_eq!(revoked.status, 204, "{}", revoked.text);
    assert_eq!(read_queue(&f, &board).await, 401);
}

/// A walk-in's details, for a change applied directly.
fn walk_in(name: &str) -> NewTicket {
    NewTicket {
        holder: Holder::WalkIn {
            name: name.into(),
            reason: "other".into(),
        },
        needs: Needs::default(),
    }
}

/// A change of `day` that adds the walk-in `name` to line W, not committed.
async fn walk_in_change<'a>(f: &'a Fixture, day: &str, name: &str) -> Result<Change<'a>, AppError> {
    let mut change = f
        .state
        .hub
        .begin(&f.state.db, &f.state.settings, day)
        .await?;
    let line = LineId::new('W').expect("W is a line letter");
    change
        .apply(
            &Action::Enqueue { line },
            Some(&walk_in(name)),
            1_773_133_200,
        )
        .await?;
    Ok(change)
}

/// Holds today's queue lock (as reception's action would, a moment): the
/// changes that come meanwhile line up behind it.
async fn hold_queue(
    f: &Fixture,
) -> tokio::sync::MappedMutexGuard<'_, waitwell_server::hub::DayQueue> {
    f.state
        .hub
        .lock(&f.state.db, &f.state.settings, &f.state.today())
        .await
        .unwrap()
}

/// How many tickets of `day` are on disk, read on a connection of its own.
async fn tickets_on_disk(f: &Fixture, day: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM tickets WHERE day = ?")
        .bind(day)
        .fetch_one(&f.state.db)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_ins_that_wait_together_share_one_commit_and_answer_once_it_is_on_disk() {
    let f = fixture().await;
    let day = f.state.today();
    let before = f.state.hub.commits();
    // Reception holds the queue a moment; twelve check-ins line up for it.
    let held = hold_queue(&f).await;
    let mut tasks = Vec::new();
    let names = [
        "Ana", "Ben", "Cleo", "Dov", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jun", "Kai", "Lea",
    ];
    for name in names {
        let (state, kiosk) = (f.state.clone(), f.kiosk.clone());
        tasks.push(tokio::spawn(async move {
            let body = format!(
                r#"{{"kind":"walk_in","first_name":"{name}","last_initial":"G","reason":"other"}}"#
            );
            let key = uuid();
            let headers = [
                ("idempotency-key", key.as_str()),
                ("cookie", kiosk.as_str()),
            ];
            let reply = post_json(&state, "/api/v1/check-ins", &body, &headers).await;
            let on_disk: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM tickets WHERE day = ? AND code_number = ?",
            )
            .bind(state.today())
            .bind(
                reply.json()["ticket"]
                    .as_str()
                    .and_then(TicketCode::parse)
                    .map_or(0, |code| i64::from(code.number)),
            )
            .fetch_one(&state.db)
            .await
            .unwrap();
            (reply.status, reply.text, on_disk)
        }));
    }
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(
        f.state.hub.commits(),
        before,
        "nothing commits while the lock is held"
    );
    drop(held);
    let mut tickets = std::collections::BTreeSet::new();
    for task in tasks {
        let (status, text, on_disk) = task.await.unwrap();
        assert_eq!(status, 201, "{text}");
        // Its answer came once its ticket could be read from the disk.
        assert_eq!(on_disk, 1, "{text}");
        tickets.insert(text);
    }
    assert_eq!(tickets.len(), 12);
    assert_eq!(tickets_on_disk(&f, &day).await, 12);
    let commits = f.state.hub.commits() - before;
    assert!(commits <= 2, "12 check-ins in {commits} commits");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_given_up_inside_a_batch_takes_nothing_else_with_it() {
    let f = fixture().await;
    let day = f.state.today();
    let line = LineId::new('W').unwrap();
    let before = f.state.hub.commits();
    let held = hold_queue(&f).await;
    // Three changes in line for the lock, in this order; the second writes
    // its ticket and then fails.
    let mut tasks = Vec::new();
    for (n, keep) in [(0, true), (1, false), (2, true)] {
        let state = f.state.clone();
        let day = day.clone();
        tasks.push(tokio::spawn(async move {
            let mut change = state
                .hub
                .begin(&state.db, &state.settings, &day)
                .await
                .unwrap();
            let outcome = change
                .apply(
                    &Action::Enqueue { line },
                    Some(&walk_in(&format!("Ana{n} G."))),
                    1_773_133_200,
                )
                .await
                .unwrap();
            let code = change.queue().ticket(outcome.ticket).unwrap().code;
            if keep {
                change.commit().await.unwrap();
            }
            code.to_string()
        }));
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    drop(held);
    let mut codes = Vec::new();
    for task in tasks {
        codes.push(task.await.unwrap());
    }
    // The given-up ticket's number is given again, as if it never was.
    assert_eq!(codes, ["W-001", "W-002", "W-002"]);
    assert_eq!(tickets_on_disk(&f, &day).await, 2);
    let today = f
        .state
        .hub
        .lock(&f.state.db, &f.state.settings, &day)
        .await
        .unwrap();
    assert_eq!(today.queue.waiting(line).count(), 2);
    drop(today);
    assert_eq!(
        f.state.hub.commits() - before,
        1,
        "one commit for the batch"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_dropped_while_it_waits_for_the_write_lock_leaves_the_lock_free() {
    let f = fixture().await;
    let day = f.state.today();
    // Another connection holds SQLite's write lock, so a change's batch
    // waits in its BEGIN IMMEDIATE...
    let mut other = f.state.db.acquire().await.unwrap();
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut *other)
        .await
        .unwrap();
    let state = f.state.clone();
    let waiting = tokio::spawn({
        let day = day.clone();
        async move {
            let _change = state.hub.begin(&state.db, &state.settings, &day).await;
        }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    // ...when its request goes (the client left): the statement was sent
    // and runs once the lock is free.
    waiting.abort();
    let _ = waiting.await;
    sqlx::query("ROLLBACK").execute(&mut *other).await.unwrap();
    drop(other);
    tokio::time::sleep(Duration::from_millis(300)).await;
    // Writers other than the queue's are not locked out (a pairing waited
    // out the 5 s busy timeout and failed, until the next queue change).
    let paired = tokio::time::timeout(
        Duration::from_secs(3),
        post_json(&f.state, "/api/v1/devices/pair", r#"{"role":"board"}"#, &[]),
    )
    .await
    .expect("a pairing waited for the write lock");
    assert_eq!(paired.status, 200, "{}", paired.text);
    // And the queue's next change goes through as usual.
    let before = f.state.hub.commits();
    let change = walk_in_change(&f, &day, "Ana G.").await.unwrap();
    change.commit().await.unwrap();
    assert_eq!(tickets_on_disk(&f, &day).await, 1);
    assert_eq!(f.state.hub.commits() - before, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_dropped_while_its_savepoint_is_released_keeps_the_queue_and_the_disk_agreed() {
    let f = fixture().await;
    let day = f.state.today();
    let mut dropped = 0;
    for round in 0..40 {
        let change = walk_in_change(&f, &day, "Ana G.").await.unwrap();
        // The request goes (its client left) part-way through its commit:
        // polled a few times, a little apart, then dropped. Some drops come
        // before the RELEASE is sent, some while SQLite's thread runs it
        // (it still runs), some after: its rows are in the batch or gone.
        let mut commit = Box::pin(change.commit());
        let mut done = false;
        for _ in 0..=round % 3 {
            done = poll_once(&mut commit).await;
            if done {
                break;
            }
            std::thread::sleep(Duration::from_micros(40 * (round % 7)));
        }
        drop(commit);
        if !done {
            dropped += 1;
        }
        // The next check-in numbers its ticket after that one; on the old
        // code it took the same number (UNIQUE failed), and so did every
        // check-in after it.
        let next = walk_in_change(&f, &day, "Bo G.")
            .await
            .unwrap_or_else(|e| panic!("round {round}: {e}"));
        next.commit().await.unwrap();
        let on_disk = tickets_on_disk(&f, &day).await;
        let in_queue = f
            .state
            .hub
            .lock(&f.state.db, &f.state.settings, &day)
            .await
            .unwrap()
            .queue
            .tickets()
            .count();
        assert_eq!(in_queue as i64, on_disk, "round {round}: queue and disk");
    }
    // (The drop must have come while the commit waited.)
    assert!(dropped > 0, "no commit was dropped part-way");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_transaction_whose_caller_left_once_its_begin_ran_leaves_the_lock_free() {
    let f = fixture().await;
    for round in 0..24 {
        // Another connection holds SQLite's write lock, so a BEGIN
        // IMMEDIATE waits for it...
        let mut other = f.state.db.acquire().await.unwrap();
        sqlx::query("BEGIN IMMEDIATE")
            .execute(&mut *other)
            .await
            .unwrap();
        let mut waiting = Box::pin(store::begin_write(&f.state.db));
        for _ in 0..10 {
            assert!(
                !poll_once(&mut waiting).await,
                "round {round}: the BEGIN waits for the lock"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        // ...gets it once it is free, and its request is dropped a few
        // polls later (its client left): before SQLite ran the BEGIN, or
        // after. sqlx's own begin, dropped after the BEGIN ran and before
        // its `Transaction` was made (it checks the connection is in a
        // transaction first), left the pooled connection inside it,
        // holding the lock.
        sqlx::query("ROLLBACK").execute(&mut *other).await.unwrap();
        drop(other);
        for _ in 0..=round {
            if poll_once(&mut waiting).await {
                break;
            }
            tokio::time::sleep(Duration::from_micros(200)).await;
        }
        drop(waiting);
        // Other writers get the lock at once (a pairing waited out the busy
        // timeout and failed), on whichever connection the pool gives.
        for n in 0..f.state.db.size() {
            let tx = tokio::time::timeout(Duration::from_secs(2), store::begin_write(&f.state.db))
                .await
                .unwrap_or_else(|_| panic!("round {round}, write {n}: it waited for the lock"))
                .unwrap_or_else(|e| panic!("round {round}, write {n}: {e}"));
            tx.commit().await.unwrap();
        }
    }
    let paired = post_json(&f.state, "/api/v1/devices/pair", r#"{"role":"board"}"#, &[]).await;
    assert_eq!(paired.status, 200, "{}", paired.text);
}

/// Polls `future` once (as the runtime would, once): whether it finished.
async fn poll_once<F: Future>(future: &mut std::pin::Pin<Box<F>>) -> bool {
    std::future::poll_fn(|cx| Poll::Ready(future.as_mut().poll(cx).is_ready())).await
}
