//! The HTTP face of the server: `/api/v1`, one module per area, each with
//! its own `router()`; and the built app for every other path (`web`).
//! Handlers parse the request, call the queue service, the schedule or a
//! store, and answer; refusals are [`crate::error::AppError`]s.

pub mod check_in;
pub mod config;
pub mod devices;
pub mod enrollment;
pub mod extract;
pub mod follow;
pub mod health;
pub mod identify;
pub mod import;
pub mod insights;
pub mod lease;
pub mod notices;
pub mod offline;
pub mod queue;
pub mod reception;
pub mod session;
pub mod surveys;
pub mod web;

use crate::error::AppError;
use crate::state::AppState;
use axum::{extract::DefaultBodyLimit, Router};
use waitwell_core::contract::limits;

pub use web::router;

/// Every `/api/v1` endpoint.
pub fn api() -> Router<AppState> {
    Router::new()
        .merge(health::router())
        .merge(config::router())
        .merge(identify::router())
        .merge(check_in::router())
        .merge(offline::router())
        .merge(lease::router())
        .merge(queue::router())
        .merge(follow::router())
        .merge(reception::router())
        .merge(session::router())
        .merge(devices::router())
        .merge(surveys::router())
        .merge(insights::router())
        .merge(notices::router())
        .merge(import::router())
        .layer(DefaultBodyLimit::max(limits::BODY_BYTES))
        .fallback(|| async { AppError::no_endpoint() })
}
