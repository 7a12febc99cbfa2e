//! `server/openapi.json` is the generated document, and every path in it is
//! served.

mod common;

use common::*;

#[test]
fn the_committed_openapi_document_is_current() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi.json");
    let generated = waitwell_server::openapi::document();
    if std::env::var_os("WAITWELL_UPDATE_OPENAPI").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "server/openapi.json is out of date: run `make openapi` and commit it"
    );
    let json: serde_json::Value = serde_json::from_str(&generated).unwrap();
    assert_eq!(json["openapi"], "3.1.0");
}

#[tokio::test]
async fn every_documented_operation_is_served() {
    let f = fixture().await;
    let spec: serde_json::Value =
        serde_json::from_str(&waitwell_server::openapi::document()).unwrap();
    let paths = spec["paths"].as_object().unwrap();
    assert!(paths.len() >= 17, "{} paths", paths.len());
    for (path, operations) in paths {
        for method in operations.as_object().unwrap().keys() {
            let uri = path.replace("{id}", "1");
            let request = axum::http::Request::builder()
                .method(method.to_uppercase().as_str())
                .uri(&uri)
                .header("content-type", "application/json")
                .body(axum::body::Body::from("{}"))
                .unwrap();
            // Status and headers only: an event stream never ends.
            let response =
                tower::ServiceExt::oneshot(waitwell_server::app(f.state.clone()), request)
                    .await
                    .unwrap();
            let status = response.status().as_u16();
            assert_ne!(status, 405, "{method} {path}");
            let streaming = response
                .headers()
                .get("content-type")
                .is_some_and(|v| v.as_bytes().starts_with(b"text/event-stream"));
            let text = if streaming {
                String::new()
            } else {
                let body = http_body_util::BodyExt::collect(response.into_body())
                    .await
                    .unwrap();
                String::from_utf8_lossy(&body.to_bytes()).into_owned()
            };
            let no_endpoint = status == 404 && text.contains("\"not_found\"");
            assert!(!no_endpoint, "{method} {path} is documented but not served");
        }
    }
}
