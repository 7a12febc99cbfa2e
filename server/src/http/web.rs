//! The whole router: the API under `/api/v1`, the built app for everything
//! else, and the security headers and request log around both.

use crate::error::AppError;
use crate::state::AppState;
use axum::http::HeaderValue;
use axum::middleware;
use axum::{
    extract::State,
    http::{header, Uri},
    response::{Html, IntoResponse, Response},
    routing::get,
    Router,
};
use tower_http::{
    compression::{CompressionLayer, CompressionLevel},
    services::ServeDir,
    set_header::SetResponseHeaderLayer,
    trace::TraceLayer,
};

/// The brotli quality (and gzip level) pages are sent with
/// (scripts/size.mjs counts them at the same).
const PAGE_COMPRESSION: CompressionLevel = CompressionLevel::Precise(6);

pub fn router(state: AppState) -> Router {
    // Files trunk built are served as they are (the brotli or gzip copy
    // scripts/compress.mjs wrote, to a browser that accepts it); any other
    // path is a route of the app and gets the page that shows it
    // (waitwell_core::Page: board.html, staff.html, phone.html, else
    // index.html), so a reload keeps the route. A page carries its styles
    // (10-16 KiB in all), so it is compressed for a browser that accepts
    // it, at a quality that takes under a millisecond (brotli 6: 3-5 KiB).
    let pages = get(app_route)
        .with_state(state.clone())
        .layer(CompressionLayer::new().quality(PAGE_COMPRESSION));
    let assets = ServeDir::new(&state.web.dist)
        .append_index_html_on_directories(false)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(pages);

    let [csp, referrer, nosniff] = crate::security::layers(&state.web.csp);
    // Answers of the API are never stored by a browser or proxy (some carry
    // names): no-store unless a handler says otherwise. Writes from another
    // site's pages are refused.
    let api = super::api()
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(middleware::from_fn(crate::security::same_origin_writes));
    // Over TLS, browsers are told to come back only over TLS (a year).
    let hsts = state.tls.then(|| {
        SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        )
    });
    Router::new()
        .nest(waitwell_core::contract::API_PREFIX, api)
        .fallback_service(assets)
        .layer(middleware::from_fn(built_files_are_immutable))
        .layer(middleware::from_fn(crate::security::permissions))
        .layer(tower::util::option_layer(hsts))
        .layer(csp)
        .layer(referrer)
        .layer(nosniff)
        .layer(
            // Log the path only (a query string could one day carry input),
            // without a phone link's token.
            TraceLayer::new_for_http().make_span_with(|req: &axum::extract::Request| {
                let path = super::follow::without_token(req.uri().path());
                tracing::info_span!("request", method = %req.method(), path = %path)
            }),
        )
        .with_state(state)
}

/// A file named by its content (`name-<hash>.js`, `…_bg.wasm`, `….css`, as
/// trunk names its output) never changes: browsers keep it a year without
/// asking again, so a reload does not fetch or revalidate the app.
/// (ServeDir picks the `.br`/`.gz` copy but does not say it varies.)
async fn built_files_are_immutable(
    request: axum::extract::Request,
    next: middleware::Next,
) -> Response {
    let built = is_built_name(request.uri().path());
    let mut response = next.run(request).await;
    if built && response.status().is_success() {
        let headers = response.headers_mut();
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=31536000, immutable"),
        );
        // One name, several encodings: a cache must key on what was accepted.
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    response
}

/// Whether the last segment of `path` is a built file named by its content:
/// `stem-HASH.ext` or `stem-HASH_bg.ext`, HASH 8 to 16 lowercase hex digits,
/// ext `js`, `wasm` or `css` (the rule scripts/compress.mjs follows too).
pub fn is_built_name(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    let Some((stem, ext)) = name.rsplit_once('.') else {
        return false;
    };
    if !matches!(ext, "js" | "wasm" | "css") {
        return false;
    }
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    let Some((_, hash)) = stem.rsplit_once('-') else {
        return false;
    };
    (8..=16).contains(&hash.len())
        && hash
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

async fn app_route(State(state): State<AppState>, uri: Uri) -> Response {
    // A missing file (a name with an extension) is a real 404, not the app:
    // answering HTML for a missing script would only hide the mistake.
    let last = uri.path().rsplit('/').next().unwrap_or_default();
    if last.contains('.') {
        return (axum::http::StatusCode::NOT_FOUND, "not found").into_response();
    }
    match state.web.page_for(uri.path()) {
        Some(page) => (
            // A page names the hashed bundle: always revalidate it.
            [(header::CACHE_CONTROL, "no-cache")],
            Html(page.to_owned()),
        )
            .into_response(),
        None => AppError::app_not_built().into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::is_built_name;

    #[test]
    fn built_names_are_those_trunk_gives_by_content() {
        for built in [
            "/waitwell-3201c9d15d1ab8d1.js",
            "/waitwell-3201c9d15d1ab8d1_bg.wasm",
            "/kiosk-47255006e3af6.css",
            "/tokens-8b05f0021c72451a.css",
        ] {
            assert!(is_built_name(built), "{built}");
        }
        for other in [
            "/",
            "/sw.js",
            "/config.json",
            "/favicon.svg",
            "/board",
            "/app-123.js",
            "/waitwell-3201C9D15D1AB8D1.js",
            "/waitwell-3201c9d15d1ab8d1.js.br",
            "/waitwell-3201c9d15d1ab8d1a.js",
            "/-.js",
        ] {
            assert!(!is_built_name(other), "{other}");
        }
    }
}
