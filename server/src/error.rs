//! The one error type handlers return, and how it becomes a response.
//!
//! Every 4xx carries a stable machine-readable `code` and a sentence for
//! people (the contract's `ApiError`); internal errors are logged here and
//! answered with a bare 500 that reveals nothing.

use axum::{
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use waitwell_core::contract::ApiError;
use waitwell_core::contract::ErrorCode;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A refusal the client can act on.
    #[error("{message}")]
    Client {
        status: StatusCode,
        code: ErrorCode,
        message: String,
        retry_after: Option<u64>,
    },
    /// Unexpected: logged, and answered as a bare 500.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// Stored data that does not make sense (logged, 500).
    #[error("inconsistent stored data: {0}")]
    Corrupt(String),
}

impl AppError {
    pub fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        AppError::Client {
            status,
            code,
            message: message.into(),
            retry_after: None,
        }
    }

    pub fn bad_request(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn unprocessable(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
    }

    pub fn not_found(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, code, message)
    }

    pub fn conflict(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, message)
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, ErrorCode::Unauthorized, message)
    }

    /// 429 with `Retry-After`.
    pub fn locked_out(code: ErrorCode, message: impl Into<String>, retry_after: u64) -> Self {
        AppError::Client {
            status: StatusCode::TOO_MANY_REQUESTS,
            code,
            message: message.into(),
            retry_after: Some(retry_after.max(1)),
        }
    }

    /// The no-such-endpoint answer.
    pub fn no_endpoint() -> Self {
        Self::not_found(ErrorCode::NotFound, "no such endpoint")
    }

    pub fn app_not_built() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::AppNotBuilt,
            "the app has not been built: run `make run`",
        )
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match self {
            AppError::Client {
                status,
                code,
                message,
                retry_after,
            } => {
                let body = ApiError {
                    code: code.to_owned(),
                    message,
                    retry_after_seconds: retry_after,
                };
                let mut response = (status, Json(body)).into_response();
                if let Some(seconds) = retry_after {
                    response
                        .headers_mut()
                        .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
                }
                response
            }
            AppError::Database(cause) => {
                // sqlx errors name tables and constraints, not row values.
                tracing::error!(error = %cause, "database error");
                (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
            }
            AppError::Corrupt(what) => {
                tracing::error!(%what, "inconsistent stored data");
                (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
            }
        }
    }
}
