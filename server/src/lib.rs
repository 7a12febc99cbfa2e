//! waitwell-server: the reference backend for Waitwell.
//!
//! One binary: the HTTP API under `/api/v1` over an embedded SQLite file,
//! and the built app (trunk's `dist/`) for every other path.

pub mod accounts;
pub mod auth;
pub mod clock;
pub mod demo;
pub mod error;
pub mod fhir;
pub mod housekeeping;
pub mod http;
pub mod hub;
pub mod limits;
pub mod openapi;
pub mod schedule;
pub mod secrets;
pub mod security;
pub mod settings;
pub mod state;
pub mod store;
pub mod tls;
pub mod transport;

use axum::Router;
use std::net::SocketAddr;
use tokio::net::TcpListener;

pub use error::AppError;
pub use state::{AppState, WebRoot};

/// The whole application, ready to serve or to test with `oneshot`.
pub fn app(state: AppState) -> Router {
    http::router(state)
}

/// Serves `app` on an already-bound listener until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let limits = state.settings.connection_limits();
    transport::serve_with(listener, app(state), transport::PlainTcp, limits, shutdown).await
}

/// Serves `app` over TLS on an already-bound listener until `shutdown`
/// completes.
pub async fn serve_tls(
    listener: TcpListener,
    state: AppState,
    tls: tls::Tls,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let limits = state.settings.connection_limits();
    transport::serve_with(listener, app(state), tls, limits, shutdown).await
}

/// The URL of every surface, for the start-up banner.
pub fn surface_urls(addr: SocketAddr, scheme: &str) -> Vec<(waitwell_core::Surface, String)> {
    waitwell_core::Surface::ALL
        .into_iter()
        .map(|s| (s, format!("{scheme}://{addr}{}", s.path())))
        .collect()
}
