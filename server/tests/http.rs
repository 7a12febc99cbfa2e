//! The server against a real SQLite file, through `app()` and a real socket.

use axum::{body::Body, http::Request};
use std::sync::Arc;
use tower::ServiceExt;
use waitwell_server::{app, store, AppState, WebRoot};

mod common;
use common::{fixture, INDEX};

async fn get(state: &AppState, path: &str) -> (u16, Option<String>, String) {
    let reply = common::get(state, path).await;
    let content_type = reply
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (reply.status, content_type, reply.text)
}

#[tokio::test]
async fn health_reports_the_applied_schema() {
    let f = fixture().await;
    let (status, content_type, body) = get(&f.state, "/api/v1/health").await;
    assert_eq!(status, 200);
    assert_eq!(content_type.as_deref(), Some("application/json"));
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["status"], "ok");
    assert_eq!(json["version"], env!("CARGO_PKG_VERSION"));
    assert!(json["schema"].as_i64().unwrap() >= 1, "{json}");
}

#[tokio::test]
async fn database_is_in_wal_mode_and_migrations_are_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/dir/w.db");
    let first = store::connect(&path).await.unwrap();
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&first)
        .await
        .unwrap();
    assert_eq!(mode, "wal");
    first.close().await;
    // Opening the same file again must not re-run or fail migrations.
    let second = store::connect(&path).await.unwrap();
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM server_meta WHERE key = 'created_at'")
        .fetch_one(&second)
        .await
        .unwrap();
    assert_eq!(rows, 1);
}

#[tokio::test]
async fn every_app_route_gets_its_page() {
    let f = fixture().await;
    // Before the other pages are built, index.html serves all.
    for path in [
        "/",
        "/board",
        "/reception",
        "/tablets",
        "/t/some-token",
        "/no-such-page",
    ] {
        let (status, content_type, body) = get(&f.state, path).await;
        assert_eq!(status, 200, "{path}");
        assert!(content_type.unwrap_or_default().starts_with("text/html"));
        assert_eq!(body, INDEX, "{path}");
    }
    let dist = f.dir.path().join("dist");
    let board = "<html><script>board()</script></html>";
    let staff = "<html><script>staff()</script></html>";
    let insights = "<html><script>insights()</script></html>";
    let tablets = "<html><script>tablets()</script></html>";
    let phone = "<html><script>phone()</script></html>";
    std::fs::write(dist.join("board.html"), board).unwrap();
    std::fs::write(dist.join("staff.html"), staff).unwrap();
    std::fs::write(dist.join("insights.html"), insights).unwrap();
    std::fs::write(dist.join("tablets.html"), tablets).unwrap();
    std::fs::write(dist.join("phone.html"), phone).unwrap();
    let mut state = f.state.clone();
    state.web = Arc::new(WebRoot::load(dist));
    for (path, page) in [
        ("/", INDEX),
        ("/board", board),
        ("/reception", staff),
        ("/survey", INDEX),
        ("/insights", insights),
        ("/tablets", tablets),
        ("/setup", INDEX),
        ("/t/some-token", phone),
        ("/no-such-page", INDEX),
    ] {
        let reply = common::get(&state, path).await;
        assert_eq!(reply.status, 200, "{path}");
        assert_eq!(reply.text, page, "{path}");
        assert_eq!(reply.headers["cache-control"], "no-cache", "{path}");
        // One policy names every page's inline script.
        let csp = reply.headers["content-security-policy"].to_str().unwrap();
        for script in ["board()", "staff()", "phone()"] {
            let hash = waitwell_server::security::inline_script_hashes(&format!(
                "<script>{script}</script>"
            ));
            assert!(csp.contains(&hash[0]), "{path}: {csp}");
        }
    }
}

#[tokio::test]
async fn pages_carry_their_styles_compressed_for_browsers_that_accept_it() {
    use http_body_util::BodyExt;
    let f = fixture().await;
    let dist = f.dir.path().join("dist");
    // A page with its styles inline, as trunk builds them (about 30 KB).
    let style = "main .tile{color:#123;margin:1rem}".repeat(800);
    let board = format!("<html><head><style>{style}</style></head><script>board()</script></html>");
    std::fs::write(dist.join("board.html"), &board).unwrap();
    let mut state = f.state.clone();
    state.web = Arc::new(WebRoot::load(dist));

    // The policy names the page's styles (and no style attribute may run).
    let plain = common::get(&state, "/board").await;
    assert_eq!(plain.text, board);
    assert!(plain.headers.get("content-encoding").is_none());
    let csp = plain.headers["content-security-policy"].to_str().unwrap();
    let hash = &waitwell_server::security::inline_style_hashes(&board)[0];
    assert!(csp.contains(&format!("style-src 'self' {hash}")), "{csp}");
    assert!(!csp.contains("unsafe-inline"));

    // A browser that takes brotli gets the same page, compressed.
    let response = app(state.clone())
        .oneshot(
            Request::get("/board")
                .header("accept-encoding", "gzip, deflate, br")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-encoding"], "br");
    assert!(response.headers()["vary"]
        .to_str()
        .unwrap()
        .contains("accept-encoding"));
    assert_eq!(response.headers()["cache-control"], "no-cache");
    let sent = response.into_body().collect().await.unwrap().to_bytes();
    assert!(sent.len() * 10 < board.len(), "{} bytes", sent.len());
    let mut page = Vec::new();
    brotli_decompressor::BrotliDecompress(&mut &sent[..], &mut page).unwrap();
    assert_eq!(page, board.as_bytes());
}

#[tokio::test]
async fn built_files_are_served_and_missing_files_are_404() {
    let f = fixture().await;
    let (status, content_type, body) = get(&f.state, "/app-123.js").await;
    assert_eq!(status, 200);
    assert!(content_type.unwrap().contains("javascript"));
    assert_eq!(body, "console.log(1)");

    let (status, _, body) = get(&f.state, "/app-999.js").await;
    assert_eq!(status, 404);
    assert_ne!(body, INDEX);
}

#[tokio::test]
async fn built_files_go_compressed_to_browsers_that_accept_it_and_are_kept_a_year() {
    let f = fixture().await;
    let dist = f.dir.path().join("dist");
    let name = "waitwell-0123456789abcdef_bg.wasm";
    let wasm = b"\0asm\x01\0\0\0 the module".to_vec();
    std::fs::write(dist.join(name), &wasm).unwrap();
    std::fs::write(dist.join(format!("{name}.br")), b"brotli bytes").unwrap();
    std::fs::write(dist.join(format!("{name}.gz")), b"gzip bytes").unwrap();
    let fetch = |accept: &'static str| {
        let state = f.state.clone();
        async move {
            let mut request = Request::get(format!("/{name}"));
            if !accept.is_empty() {
                request = request.header("accept-encoding", accept);
            }
            let response = app(state)
                .oneshot(request.body(Body::empty()).unwrap())
                .await
                .unwrap();
            let header = |h: &str| {
                response
                    .headers()
                    .get(h)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned)
            };
            let seen = (
                header("content-encoding"),
                header("content-type"),
                header("cache-control"),
                header("vary"),
            );
            let body = http_body_util::BodyExt::collect(response.into_body())
                .await
                .unwrap()
                .to_bytes()
                .to_vec();
            (seen, body)
        }
    };
    let year = Some("public, max-age=31536000, immutable".to_owned());
    let wasm_type = Some("application/wasm".to_owned());
    for (accept, encoding, body) in [
        ("gzip, deflate, br", Some("br"), b"brotli bytes".to_vec()),
        ("gzip, deflate", Some("gzip"), b"gzip bytes".to_vec()),
        ("", None, wasm.clone()),
    ] {
        let ((got_encoding, got_type, cache, vary), got_body) = fetch(accept).await;
        assert_eq!(got_encoding.as_deref(), encoding, "{accept}");
        assert_eq!(got_type, wasm_type, "{accept}");
        assert_eq!(cache, year, "{accept}");
        assert_eq!(got_body, body, "{accept}");
        assert_eq!(vary.as_deref(), Some("accept-encoding"), "{accept}");
    }

    // Anything else is asked again each time: a file without a content
    // name (config.json may be edited), and index.html.
    let plain = common::get(&f.state, "/app-123.js").await;
    assert_eq!(plain.status, 200);
    assert_eq!(plain.headers.get("cache-control"), None);
    let index = common::get(&f.state, "/board").await;
    assert_eq!(index.headers["cache-control"], "no-cache");
}

#[tokio::test]
async fn unknown_api_paths_are_json_404s() {
    let f = fixture().await;
    let (status, content_type, body) = get(&f.state, "/api/v1/nope").await;
    assert_eq!(status, 404);
    assert_eq!(content_type.as_deref(), Some("application/json"));
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["code"], "not_found");
}

#[tokio::test]
async fn pages_answer_503_when_the_app_is_not_built() {
    let f = fixture().await;
    let mut state = f.state.clone();
    state.web = Arc::new(WebRoot::load(f.dir.path().join("no-dist")));
    let (status, _, body) = get(&state, "/board").await;
    assert_eq!(status, 503);
    assert!(body.contains("app_not_built"));
    // The API keeps working without the app.
    let (status, _, _) = get(&state, "/api/v1/health").await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn serves_over_a_real_socket_and_shuts_down() {
    let f = fixture().await;
    let (addr, stop, server) = common::spawn_server(&f.state).await;

    let client = reqwest::Client::new();
    let health: serde_json::Value = client
        .get(format!("http://{addr}/api/v1/health"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["status"], "ok");
    let page = client
        .get(format!("http://{addr}/board"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.text().await.unwrap(), INDEX);

    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
    assert!(reqwest::get(format!("http://{addr}/api/v1/health"))
        .await
        .is_err());
}

#[tokio::test]
async fn security_headers_on_pages_files_and_api() {
    let f = fixture().await;
    for path in [
        "/",
        "/board",
        "/app-123.js",
        "/api/v1/health",
        "/api/v1/nope",
    ] {
        let response = app(f.state.clone())
            .oneshot(Request::get(path).body(Body::empty()).unwrap())
            .await
            .unwrap();
        let h = response.headers();
        let csp = h.get("content-security-policy").unwrap().to_str().unwrap();
        assert!(
            csp.contains("script-src 'self' 'wasm-unsafe-eval'"),
            "{path}: {csp}"
        );
        assert!(csp.contains("object-src 'none'") && csp.contains("frame-ancestors 'none'"));
        assert!(!csp.contains("unsafe-inline") && !csp.contains("'unsafe-eval'"));
        assert_eq!(h.get("referrer-policy").unwrap(), "no-referrer", "{path}");
        assert_eq!(
            h.get("x-content-type-options").unwrap(),
            "nosniff",
            "{path}"
        );
    }
}
