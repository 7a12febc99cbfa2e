//! Request extractors whose rejections speak the contract's error format.

use crate::error::AppError;
use axum::extract::rejection::{BytesRejection, FailedToBufferBody};
use axum::{
    body::Bytes,
    extract::{FromRequest, FromRequestParts, Request},
    http::{request::Parts, StatusCode},
};
use serde::de::DeserializeOwned;
use waitwell_core::contract::ErrorCode;
use waitwell_core::contract::IDEMPOTENCY_KEY_HEADER;

/// A JSON body, decoded strictly, with the raw bytes kept (idempotency
/// compares them).
pub struct ApiJson<T> {
    pub value: T,
    pub raw: Bytes,
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.split(';')
                    .next()
                    .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
            });
        if !is_json {
            return Err(AppError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorCode::UnsupportedMediaType,
                "send the body as application/json",
            ));
        }
        let raw = Bytes::from_request(req, state)
            .await
            .map_err(body_refused)?;
        let value = serde_json::from_slice(&raw).map_err(|e| {
            // serde's message says which field is wrong and why; it can quote
            // the sender's own value, so it goes back to the sender only and
            // is never logged.
            let code = if e.is_syntax() || e.is_eof() {
                ErrorCode::InvalidJson
            } else {
                ErrorCode::InvalidBody
            };
            AppError::bad_request(code, e.to_string())
        })?;
        Ok(ApiJson { value, raw })
    }
}

/// Why a body could not be read: too large, or too slow (the transport's
/// body deadline passed).
fn body_refused(rejection: BytesRejection) -> AppError {
    let too_large = match &rejection {
        BytesRejection::FailedToBufferBody(FailedToBufferBody::LengthLimitError(_)) => true,
        BytesRejection::FailedToBufferBody(_) => false,
        _ => true,
    };
    if too_large {
        AppError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::BodyTooLarge,
            "the request body is too large",
        )
    } else {
        AppError::new(
            StatusCode::REQUEST_TIMEOUT,
            ErrorCode::BodyTimeout,
            "the request body did not arrive in time",
        )
    }
}

/// The `Idempotency-Key` header: required on creating POSTs, a UUID.
pub struct IdempotencyKey(pub String);

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyKey {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let value = parts
            .headers
            .get(IDEMPOTENCY_KEY_HEADER)
            .ok_or_else(|| {
                AppError::bad_request(
                    ErrorCode::IdempotencyKeyMissing,
                    "this request needs an Idempotency-Key header",
                )
            })?
            .to_str()
            .ok()
            .and_then(|v| uuid::Uuid::try_parse(v.trim()).ok())
            .ok_or_else(|| {
                AppError::bad_request(
                    ErrorCode::IdempotencyKeyInvalid,
                    "the Idempotency-Key header must be a UUID",
                )
            })?;
        Ok(IdempotencyKey(value.hyphenated().to_string()))
    }
}

/// The raw body, with the size limit answered in the contract's format.
pub struct RawBody(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for RawBody {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        Bytes::from_request(req, state)
            .await
            .map(RawBody)
            .map_err(body_refused)
    }
}

/// The address the request came from: the TCP peer (never a header the
/// client sets). Requests handed to the router without a connection (the
/// tests' `oneshot`) read as the unspecified address.
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub std::net::IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|info| info.0.ip());
        Ok(ClientIp(peer.unwrap_or(std::net::IpAddr::V6(
            std::net::Ipv6Addr::UNSPECIFIED,
        ))))
    }
}
