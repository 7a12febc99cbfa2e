//! The server over a real TCP socket: the SSE stream delivers each change
//! with its version.

mod common;

use common::*;
use std::time::Duration;

/// Reads SSE frames until one with `event: <name>` arrives; returns its data.
async fn next_event(response: &mut reqwest::Response, buffer: &mut String, name: &str) -> String {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        while let Some(end) = buffer.find("\n\n") {
            let frame: String = buffer.drain(..end + 2).collect();
            let event = frame
                .lines()
                .find_map(|l| l.strip_prefix("event: "))
                .unwrap_or("");
            if event == name {
                return frame
                    .lines()
                    .filter_map(|l| l.strip_prefix("data: "))
                    .collect::<Vec<_>>()
                    .join("\n");
            }
        }
        let chunk = tokio::time::timeout_at(deadline, response.chunk())
            .await
            .expect("an event within 5 s")
            .expect("stream readable")
            .expect("stream still open");
        buffer.push_str(&String::from_utf8_lossy(&chunk));
    }
}

#[tokio::test]
async fn sse_delivers_each_change_with_its_version() {
    let f = fixture().await;
    let (addr, stop, server) = common::spawn_server(&f.state).await;

    let client = reqwest::Client::new();
    let mut events = client
        .get(format!("http://{addr}/api/v1/queue/events"))
        .header("cookie", &f.kiosk)
        .send()
        .await
        .unwrap();
    assert_eq!(events.status(), 200);
    assert_eq!(events.headers()["content-type"], "text/event-stream");
    let mut buffer = String::new();
    assert_eq!(
        next_event(&mut events, &mut buffer, "queue").await,
        r#"{"version":0}"#
    );

    for expected in 1..=2 {
        let check_in = client
            .post(format!("http://{addr}/api/v1/check-ins"))
            .header("content-type", "application/json")
            .header("idempotency-key", uuid())
            .header("cookie", &f.kiosk)
            .body(r#"{"kind":"walk_in","first_name":"Ana","last_initial":"G","reason":"other"}"#)
            .send()
            .await
            .unwrap();
        assert_eq!(check_in.status(), 201);
        let data = next_event(&mut events, &mut buffer, "queue").await;
        assert_eq!(data, format!(r#"{{"version":{expected}}}"#));
    }
    // The snapshot agrees with the last event.
    let snapshot: serde_json::Value = client
        .get(format!("http://{addr}/api/v1/queue"))
        .header("cookie", &f.kiosk)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(snapshot["version"], 2);
    assert_eq!(snapshot["lines"][1]["waiting"].as_array().unwrap().len(), 2);

    drop(events);
    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(5), server)
        .await
        .expect("server stops")
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn staff_events_ping_when_an_unhappy_patient_asks_to_talk() {
    let f = fixture().await;
    let (addr, stop, server) = common::spawn_server(&f.state).await;
    let client = reqwest::Client::new();
    assert_eq!(
        client
            .get(format!("http://{addr}/api/v1/staff/events"))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    let signed_in = client
        .post(format!("http://{addr}/api/v1/staff/session"))
        .header("content-type", "application/json")
        .body(SIGN_IN)
        .send()
        .await
        .unwrap();
    let cookie = signed_in.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let mut events = client
        .get(format!("http://{addr}/api/v1/staff/events"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    let mut buffer = String::new();
    next_event(&mut events, &mut buffer, "alerts").await; // the greeting

    let started = std::time::Instant::now();
    let put = client
        .put(format!("http://{addr}/api/v1/surveys/{}", uuid()))
        .header("content-type", "application/json")
        .header("cookie", &f.kiosk)
        .body(r#"{"rating":1,"talk_to_someone":true}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), 204);
    next_event(&mut events, &mut buffer, "alerts").await;
    assert!(started.elapsed() < Duration::from_secs(1));

    drop(events);
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}
