//! The `/api/v1` endpoints, one module per area.

pub(crate) mod check_in;
pub(crate) mod config;
pub(crate) mod devices;
pub(crate) mod health;
pub(crate) mod identify;
pub(crate) mod import;
pub(crate) mod insights;
pub(crate) mod queue;
pub(crate) mod reception;
pub(crate) mod schedule;
pub mod staff;
pub(crate) mod surveys;

use crate::{AppError, AppState};
use axum::{
    extract::DefaultBodyLimit,
    routing::{get, post, put},
    Router,
};
use waitwell_core::contract::limits;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/health", get(health::health))
        .route("/config", get(config::site_config))
        .route("/identify", post(identify::identify))
        .route("/check-ins", post(check_in::check_in))
        .route("/queue", get(queue::public_queue))
        .route("/queue/events", get(queue::events))
        .route("/queue/staff", get(reception::staff_queue))
        .route("/queue/actions", post(reception::act))
        .route(
            "/staff/session",
            get(staff::status)
                .post(staff::sign_in)
                .delete(staff::sign_out),
        )
        .route("/devices/heartbeat", post(devices::heartbeat))
        .route("/devices", get(devices::list))
        .route("/surveys/{id}", put(surveys::put))
        .route("/alerts", get(surveys::list))
        .route("/alerts/{id}/ack", post(surveys::acknowledge))
        .route("/insights", get(insights::insights))
        .route("/insights/responses.csv", get(insights::csv))
        .route("/staff/events", get(reception::events))
        .route(
            "/appointments/import",
            post(import::import).layer(DefaultBodyLimit::max(limits::IMPORT_BYTES)),
        )
        .layer(DefaultBodyLimit::max(limits::BODY_BYTES))
        .fallback(|| async { AppError::no_endpoint() })
}
