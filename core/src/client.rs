//! What the app's adapter client decides without a browser: which backend
//! the runtime configuration names, how an HTTP answer becomes a typed
//! error, and when a live queue follower has missed a change.

use crate::contract::{ApiError, ErrorCode};
use serde::{Deserialize, Serialize};

/// `public/config.json`: which backend this deployment talks to. Read at
/// start-up, so changing backends never needs a rebuild.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuntimeConfig {
    pub backend: BackendConfig,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum BackendConfig {
    /// The Waitwell HTTP contract (`waitwell-server` or a clinic's own).
    Waitwell {
        /// "" for the serving origin, else `https://host[:port][/prefix]`.
        #[serde(default)]
        base_url: String,
    },
    /// A FHIR R4 server: refused. Tablets never talk to the EHR (it would
    /// need EHR credentials on a public tablet); the Waitwell server bridges
    /// to it (`--schedule fhir-r4`).
    FhirR4 { base_url: String },
}

/// Why a runtime configuration cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("config.json is not valid: {0}")]
    Invalid(String),
    #[error("base_url must be empty or an http(s) URL without a trailing slash")]
    BaseUrl,
}

impl RuntimeConfig {
    pub fn parse(text: &str) -> Result<Self, ConfigError> {
        let config: RuntimeConfig =
            serde_json::from_str(text).map_err(|e| ConfigError::Invalid(e.to_string()))?;
        let base = match &config.backend {
            BackendConfig::Waitwell { base_url } | BackendConfig::FhirR4 { base_url } => base_url,
        };
        let ok = base.is_empty()
            || ((base.starts_with("https://") || base.starts_with("http://"))
                && !base.ends_with('/')
                && !base.contains(char::is_whitespace));
        if ok {
            Ok(config)
        } else {
            Err(ConfigError::BaseUrl)
        }
    }
}

impl Default for RuntimeConfig {
    fn default() -> Self {
        RuntimeConfig {
            backend: BackendConfig::Waitwell {
                base_url: String::new(),
            },
        }
    }
}

/// What went wrong with a request, in terms the app can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClientError {
    /// No answer: offline, DNS, refused, or CORS. Worth retrying.
    #[error("the server could not be reached")]
    Network,
    /// No answer in time; the request was abandoned.
    #[error("the server did not answer in time")]
    Timeout,
    /// The request was cancelled (its screen went away).
    #[error("the request was cancelled")]
    Aborted,
    /// The server failed (5xx, or 408/429): worth retrying later.
    #[error("the server had a problem (HTTP {status})")]
    Unavailable {
        status: u16,
        retry_after_seconds: Option<u64>,
    },
    /// The server refused the request (4xx): retrying the same will not help.
    #[error("{message}")]
    Rejected {
        status: u16,
        code: ErrorCode,
        message: String,
        retry_after_seconds: Option<u64>,
    },
    /// The answer was not what the contract says.
    #[error("the server's answer could not be read")]
    Decode,
    /// The configured backend kind is not supported by this build.
    #[error("this backend is not supported yet")]
    Unsupported,
    /// This device is not enrolled (never paired, its code expired, or
    /// reception revoked it): it must pair again. What it holds for
    /// patients is kept until it can be delivered.
    #[error("this tablet is not set up")]
    NotEnrolled,
}

impl ClientError {
    /// From a non-2xx status, its body, and its `Retry-After` header.
    pub fn from_response(status: u16, body: &str, retry_after: Option<&str>) -> Self {
        let retry_after_seconds = retry_after.and_then(|v| v.trim().parse::<u64>().ok());
        let code = body_code(body);
        // A 429 without a contract body is load shedding, not a lockout; a
        // 409 for a key still in flight will be replayed once it finishes.
        let transient = status >= 500
            || status == 408
            || (status == 429 && code.is_none())
            || (status == 409 && code == Some(ErrorCode::IdempotencyKeyInFlight));
        if transient {
            return ClientError::Unavailable {
                status,
                retry_after_seconds,
            };
        }
        if status == 401 && code == Some(ErrorCode::DeviceNotEnrolled) {
            return ClientError::NotEnrolled;
        }
        match serde_json::from_str::<ApiError>(body) {
            Ok(error) => ClientError::Rejected {
                status,
                code: error.code,
                message: error.message,
                retry_after_seconds: retry_after_seconds.or(error.retry_after_seconds),
            },
            Err(_) => ClientError::Rejected {
                status,
                code: ErrorCode::Unknown,
                message: format!("HTTP {status}"),
                retry_after_seconds,
            },
        }
    }

    /// Whether sending the same request again later may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            ClientError::Network | ClientError::Timeout | ClientError::Unavailable { .. }
        )
    }

    /// The contract's error code, for a refusal.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            ClientError::Rejected { code, .. } if *code != ErrorCode::Unknown => Some(*code),
            _ => None,
        }
    }
}

fn body_code(body: &str) -> Option<ErrorCode> {
    serde_json::from_str::<ApiError>(body).ok().map(|e| e.code)
}

/// Follows the queue's version numbers from a live stream. Events carry only
/// the version, so every version not yet on screen means a refetch of the
/// snapshot; whatever was missed in a gap is in that snapshot too.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct VersionTracker {
    shown: Option<u64>,
}

impl VersionTracker {
    /// A change announced `version`: is a refetch needed?
    pub fn announce(&self, version: u64) -> bool {
        self.shown != Some(version)
    }

    /// A snapshot with `version` is now on screen.
    pub fn shown(&mut self, version: u64) {
        self.shown = Some(version);
    }

    /// The stream dropped: whatever comes next needs a refetch.
    pub fn lost(&mut self) {
        self.shown = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn config_parses_and_checks_the_base_url() {
        let same_origin = RuntimeConfig::parse(r#"{"backend":{"kind":"waitwell"}}"#).unwrap();
        assert_eq!(same_origin, RuntimeConfig::default());
        let remote = RuntimeConfig::parse(
            r#"{"backend":{"kind":"waitwell","base_url":"https://clinic.example/kiosk"}}"#,
        );
        assert!(remote.is_ok());
        let fhir = RuntimeConfig::parse(
            r#"{"backend":{"kind":"fhir-r4","base_url":"https://ehr.example/fhir"}}"#,
        );
        assert!(matches!(
            fhir.unwrap().backend,
            BackendConfig::FhirR4 { .. }
        ));
        for bad in [
            r#"{"backend":{"kind":"waitwell","base_url":"https://x/"}}"#,
            r#"{"backend":{"kind":"waitwell","base_url":"ftp://x"}}"#,
            r#"{"backend":{"kind":"waitwell","base_url":"javascript:alert(1)"}}"#,
        ] {
            assert_eq!(
                RuntimeConfig::parse(bad),
                Err(ConfigError::BaseUrl),
                "{bad}"
            );
        }
        assert!(matches!(
            RuntimeConfig::parse(r#"{"backend":{"kind":"soap"}}"#),
            Err(ConfigError::Invalid(_))
        ));
        assert!(matches!(
            RuntimeConfig::parse("<html>"),
            Err(ConfigError::Invalid(_))
        ));
    }

    #[test]
    fn responses_become_typed_errors() {
        let refused =
            ClientError::from_response(404, r#"{"code":"no_match","message":"not found"}"#, None);
        assert_eq!(refused.code(), Some(ErrorCode::NoMatch));
        assert!(!refused.is_retryable());

        let locked = ClientError::from_response(
            429,
            r#"{"code":"locked_out","message":"wait","retry_after_seconds":60}"#,
            Some("30"),
        );
        assert_eq!(
            locked,
            ClientError::Rejected {
                status: 429,
                code: ErrorCode::LockedOut,
                message: "wait".into(),
                retry_after_seconds: Some(30)
            }
        );

        let busy = ClientError::from_response(429, "slow down", Some("7"));
        assert_eq!(
            busy,
            ClientError::Unavailable {
                status: 429,
                retry_after_seconds: Some(7)
            }
        );
        assert!(busy.is_retryable());
        assert!(ClientError::from_response(503, "", None).is_retryable());
        assert!(ClientError::from_response(408, "", None).is_retryable());
        let odd = ClientError::from_response(400, "<html>", Some("soon"));
        assert_eq!(odd.code(), None);
        assert!(!odd.is_retryable());

        // Another backend's code is still a refusal with its message.
        let foreign = ClientError::from_response(
            400,
            r#"{"code":"ehr_said_no","message":"The EHR refused it"}"#,
            None,
        );
        assert_eq!(foreign.code(), None);
        assert_eq!(foreign.to_string(), "The EHR refused it");
    }

    #[test]
    fn the_tracker_refetches_at_start_on_gaps_and_after_loss() {
        let mut t = VersionTracker::default();
        assert!(t.announce(5), "first sight");
        t.shown(5);
        assert!(!t.announce(5), "already shown");
        assert!(t.announce(6));
        t.shown(6);
        assert!(t.announce(9), "gap");
        t.shown(9);
        assert!(t.announce(0), "a new day starts again at 0");
        t.shown(0);
        t.lost();
        assert!(
            t.announce(0),
            "after a reconnect, refetch even the same version"
        );
    }

    proptest! {
        #[test]
        fn classification_never_panics(status in 0u16..1000, body in ".{0,80}", retry in proptest::option::of(".{0,8}")) {
            let e = ClientError::from_response(status, &body, retry.as_deref());
            if status >= 500 { prop_assert!(e.is_retryable()); }
        }

        #[test]
        fn config_parsing_never_panics(text in ".{0,120}") {
            let _ = RuntimeConfig::parse(&text);
        }
    }
}
