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
use tower_http::{services::ServeDir, set_header::SetResponseHeaderLayer, trace::TraceLayer};

pub fn router(state: AppState) -> Router {
    // Files trunk built are served as they are; any other path is a route of
    // the single-page app and gets index.html, so a reload keeps the route.
    let assets = ServeDir::new(&state.web.dist)
        .append_index_html_on_directories(false)
        .fallback(get(app_route).with_state(state.clone()));

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

async fn app_route(State(state): State<AppState>, uri: Uri) -> Response {
    // A missing file (a name with an extension) is a real 404, not the app:
    // answering HTML for a missing script would only hide the mistake.
    let last = uri.path().rsplit('/').next().unwrap_or_default();
    if last.contains('.') {
        return (axum::http::StatusCode::NOT_FOUND, "not found").into_response();
    }
    match &state.web.index_html {
        Some(index) => (
            // index.html names the hashed bundle: always revalidate it.
            [(header::CACHE_CONTROL, "no-cache")],
            Html(index.clone()),
        )
            .into_response(),
        None => AppError::app_not_built().into_response(),
    }
}
