//! The one error type handlers return, and how it becomes a response.

use axum::{
    http::StatusCode,
    response::{IntoResponse, Response},
    Json,
};
use serde::Serialize;

/// An error body: a stable machine-readable code and a sentence for people.
#[derive(Debug, Serialize)]
pub struct ErrorBody {
    pub code: &'static str,
    pub message: String,
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("no such endpoint")]
    NotFound,
    #[error("the app has not been built: run `make run`")]
    AppNotBuilt,
    /// Unexpected: logged, and answered as a bare 500.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, code) = match &self {
            AppError::NotFound => (StatusCode::NOT_FOUND, "not_found"),
            AppError::AppNotBuilt => (StatusCode::SERVICE_UNAVAILABLE, "app_not_built"),
            AppError::Database(cause) => {
                // The cause goes to the log, never to the client. sqlx errors
                // name tables and constraints, not the values in a row.
                tracing::error!(error = %cause, "internal error");
                return (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response();
            }
        };
        let body = ErrorBody {
            code,
            message: self.to_string(),
        };
        (status, Json(body)).into_response()
    }
}
