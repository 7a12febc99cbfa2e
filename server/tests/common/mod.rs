//! Shared fixtures: a real SQLite file in a temp dir, a manual clock, the
//! demo settings in UTC, and helpers to call `app()` with `oneshot`.
#![allow(dead_code)]

use axum::{body::Body, http::Request};
use http_body_util::BodyExt;
use std::sync::Arc;
use tower::ServiceExt;
use waitwell_server::{app, clock::ManualClock, settings::Settings, store, AppState, WebRoot};

/// The fixture's staff account (a manager) and its passphrase.
pub const STAFF_NAME: &str = "Rosa";
pub const PASSPHRASE: &str = "river-stone-lamp-42";
/// The body that signs in as [`STAFF_NAME`].
pub const SIGN_IN: &str = r#"{"name":"Rosa","passphrase":"river-stone-lamp-42"}"#;

pub const INDEX: &str = "<!DOCTYPE html><html><head><script type=\"module\">boot()</script></head><body>waitwell test index</body></html>";

pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub state: AppState,
    pub clock: Arc<ManualClock>,
    /// The `Cookie` of a check-in kiosk enrolled through the API (paired,
    /// then approved by staff).
    pub kiosk: String,
}

/// 2026-03-10 09:00 UTC: a Tuesday morning at the demo clinic.
pub fn morning() -> jiff::Timestamp {
    "2026-03-10T09:00:00Z".parse().unwrap()
}

pub async fn fixture() -> Fixture {
    fixture_with(Settings::demo(jiff::tz::TimeZone::UTC)).await
}

pub async fn fixture_with(settings: Settings) -> Fixture {
    let dir = tempfile::tempdir().expect("temp dir");
    let dist = dir.path().join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(dist.join("index.html"), INDEX).unwrap();
    std::fs::write(dist.join("app-123.js"), "console.log(1)").unwrap();
    let pool = store::connect(&dir.path().join("data/test.db"))
        .await
        .expect("database opens");
    let clock = Arc::new(ManualClock::new(morning()));
    let state = AppState::new(pool, WebRoot::load(dist), settings, clock.clone())
        .await
        .unwrap();
    let hash = waitwell_server::secrets::hash(PASSPHRASE).await.unwrap();
    store::staff::add(
        &state.db,
        STAFF_NAME,
        waitwell_core::contract::StaffRole::Manager,
        &hash,
        morning().as_second(),
    )
    .await
    .unwrap();
    let kiosk = enroll(&state, "check-in").await;
    Fixture {
        dir,
        state,
        clock,
        kiosk,
    }
}

/// The `name=value` of a response's `Set-Cookie`.
pub fn set_cookie(reply: &Reply) -> String {
    reply.headers["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned()
}

/// Pairs a tablet for `role` and has staff approve its code, as reception
/// does; the tablet's `Cookie`.
pub async fn enroll(state: &AppState, role: &str) -> String {
    let paired = post_json(
        state,
        "/api/v1/devices/pair",
        &format!(r#"{{"role":"{role}"}}"#),
        &[],
    )
    .await;
    assert_eq!(paired.status, 200, "{}", paired.text);
    let device = set_cookie(&paired);
    let code = paired.json()["pairing_code"].as_str().unwrap().to_owned();
    let staff = staff_sign_in(state).await;
    let approved = post_json(
        state,
        "/api/v1/devices/approve",
        &format!(r#"{{"pairing_code":"{code}","name":"Tablet {code}","role":"{role}"}}"#),
        &[("cookie", &staff)],
    )
    .await;
    assert_eq!(approved.status, 204, "{}", approved.text);
    device
}

/// A POST from the fixture's enrolled check-in kiosk.
pub async fn kiosk_post(f: &Fixture, path: &str, body: &str, headers: &[(&str, &str)]) -> Reply {
    let mut all = headers.to_vec();
    all.push(("cookie", &f.kiosk));
    post_json(&f.state, path, body, &all).await
}

/// A check-in from the fixture's kiosk with a fresh Idempotency-Key; the
/// new ticket's answer (asserted 201).
pub async fn kiosk_check_in(f: &Fixture, body: &str) -> serde_json::Value {
    let reply = kiosk_post(
        f,
        "/api/v1/check-ins",
        body,
        &[("idempotency-key", &uuid())],
    )
    .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    reply.json()
}

/// A GET from the fixture's enrolled check-in kiosk.
pub async fn kiosk_get(f: &Fixture, path: &str) -> Reply {
    send(
        &f.state,
        Request::get(path)
            .header("cookie", &f.kiosk)
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

/// A response's parts, body decoded as JSON when it is JSON.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: axum::http::HeaderMap,
    pub text: String,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    pub fn code(&self) -> String {
        self.json()["code"].as_str().unwrap_or_default().to_owned()
    }
}

pub async fn send(state: &AppState, request: Request<Body>) -> Reply {
    let response = app(state.clone()).oneshot(request).await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    Reply {
        status,
        headers,
        text: String::from_utf8_lossy(&body).into_owned(),
    }
}

pub async fn get(state: &AppState, path: &str) -> Reply {
    send(state, Request::get(path).body(Body::empty()).unwrap()).await
}

pub async fn post_json(
    state: &AppState,
    path: &str,
    body: &str,
    headers: &[(&str, &str)],
) -> Reply {
    let mut request = Request::post(path).header("content-type", "application/json");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    send(state, request.body(Body::from(body.to_owned())).unwrap()).await
}

/// Adds an appointment today (clinic day of the fixture clock); what a
/// kiosk sends to check in for it: the fields `identity` (its code), `time`
/// and `clinician`, to splice into a body (`{"kind":"appointment",…}`).
pub async fn appointment(
    state: &AppState,
    given: &str,
    family: &str,
    birth: &str,
    time: &str,
    code: &str,
) -> String {
    let kiosk_ref = format!("ref-{code}");
    sqlx::query(
        "INSERT INTO appointments (day, starts_at, family_name, given_name, birth_date,
            clinician, line_id, code, kiosk_ref)
         VALUES (?, ?, ?, ?, ?, 'Dr. Lee', 'A', ?, ?)",
    )
    .bind(state.today())
    .bind(time)
    .bind(family)
    .bind(given)
    .bind(birth)
    .bind(code)
    .bind(&kiosk_ref)
    .execute(&state.db)
    .await
    .unwrap();
    identity_fields(code, time, "Dr. Lee")
}

/// The fields that name an appointment in a check-in: the code the patient
/// typed, and the time and clinician of the hint they confirmed.
pub fn identity_fields(code: &str, time: &str, clinician: &str) -> String {
    format!(
        r#""identity":{{"method":"code","code":"{code}"}},"time":"{time}","clinician":"{clinician}""#
    )
}

pub fn uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Signs in as staff ([`STAFF_NAME`]) and returns the `Cookie` value to send.
pub async fn staff_cookie(f: &Fixture) -> String {
    staff_sign_in(&f.state).await
}

pub async fn staff_sign_in(state: &AppState) -> String {
    let reply = post_json(state, "/api/v1/staff/session", SIGN_IN, &[]).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    set_cookie(&reply)
}

/// A GET with the staff session cookie.
pub async fn staff_get(f: &Fixture, cookie: &str, path: &str) -> Reply {
    send(
        &f.state,
        Request::get(path)
            .header("cookie", cookie)
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

/// The server on a real socket; send on the returned channel to stop it.
pub async fn spawn_server(
    state: &AppState,
) -> (
    std::net::SocketAddr,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<std::io::Result<()>>,
) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(waitwell_server::serve(listener, state.clone(), async {
        let _ = stopped.await;
    }));
    (addr, stop, server)
}
