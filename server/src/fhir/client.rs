//! HTTP to the FHIR server: its base address, the bearer token, timeouts and
//! a cap on what an answer may weigh. The token goes to that server only:
//! a link to anywhere else (a `next` page on another host) is refused.

use reqwest::{header, Url};
use serde_json::Value;
use std::time::Duration;

/// The most one answer may weigh.
const MAX_BODY: usize = 32 << 20;
/// How long one request may take.
const TIMEOUT: Duration = Duration::from_secs(15);

pub use super::error::FhirError;

/// A client of one FHIR server.
#[derive(Clone)]
pub struct FhirClient {
    http: reqwest::Client,
    base: Url,
    auth: Auth,
}

/// How requests to the FHIR server are signed in.
#[derive(Clone)]
enum Auth {
    None,
    /// A bearer token given by the clinic.
    Bearer(String),
    /// SMART Backend Services.
    Smart(std::sync::Arc<super::smart::SmartAuth>),
}

impl std::fmt::Debug for FhirClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the token.
        let auth = match &self.auth {
            Auth::None => "none",
            Auth::Bearer(_) => "bearer token",
            Auth::Smart(_) => "SMART Backend Services",
        };
        f.debug_struct("FhirClient")
            .field("base", &self.base.as_str())
            .field("auth", &auth)
            .finish()
    }
}

impl FhirClient {
    pub fn new(base: &str, token: Option<String>) -> Result<Self, FhirError> {
        let mut base = Url::parse(base)
            .map_err(|e| FhirError::Setup(format!("the FHIR base address: {e}")))?;
        if !base.path().ends_with('/') {
            base.set_path(&format!("{}/", base.path()));
        }
        let http = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .connect_timeout(Duration::from_secs(5))
            // A redirect would carry the token who knows where.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| FhirError::Setup(e.to_string()))?;
        let auth = token.map_or(Auth::None, Auth::Bearer);
        Ok(FhirClient { http, base, auth })
    }

    /// Whether what is sent to the server stays private on the way: https,
    /// or a server on this machine.
    pub fn private(&self) -> bool {
        self.base.scheme() == "https"
            || matches!(
                self.base.host_str(),
                Some("127.0.0.1" | "localhost" | "[::1]")
            )
    }

    /// The same client, signed in with SMART Backend Services.
    pub fn with_smart(self, smart: std::sync::Arc<super::smart::SmartAuth>) -> Self {
        FhirClient {
            auth: Auth::Smart(smart),
            ..self
        }
    }

    /// The HTTP client (its timeouts, no redirects), for the token endpoint.
    pub fn http(&self) -> reqwest::Client {
        self.http.clone()
    }

    async fn signed_in(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<reqwest::RequestBuilder, FhirError> {
        Ok(match &self.auth {
            Auth::None => request,
            Auth::Bearer(token) => request.bearer_auth(token),
            Auth::Smart(smart) => request.bearer_auth(smart.token().await?),
        })
    }

    /// A 401: a SMART token is forgotten, so the next request signs in anew.
    async fn refused(&self, status: reqwest::StatusCode) {
        if let (reqwest::StatusCode::UNAUTHORIZED, Auth::Smart(smart)) = (status, &self.auth) {
            smart.forget().await;
        }
    }

    /// `path` (e.g. `Appointment`) under the base address.
    pub fn url(&self, path: &str) -> Result<Url, FhirError> {
        self.base
            .join(path)
            .map_err(|e| FhirError::Setup(format!("{path}: {e}")))
    }

    /// A link the server gave (a `next` page), if it is on this server.
    pub fn own_link(&self, link: &str) -> Result<Url, FhirError> {
        let url = Url::parse(link).or_else(|_| self.base.join(link));
        match url {
            Ok(url)
                if url.origin() == self.base.origin()
                    && url.path().starts_with(self.base.path()) =>
            {
                Ok(url)
            }
            _ => Err(FhirError::ForeignLink(
                Url::parse(link)
                    .ok()
                    .and_then(|u| u.host_str().map(str::to_owned))
                    .unwrap_or_else(|| "an unreadable address".into()),
            )),
        }
    }

    /// GETs `url` as FHIR JSON. `what` names it in errors (never a query
    /// that holds a name: searches here are by date only).
    pub async fn get(&self, url: Url, what: &str) -> Result<Value, FhirError> {
        let request = self
            .http
            .get(url)
            .header(header::ACCEPT, "application/fhir+json");
        let response = self
            .signed_in(request)
            .await?
            .send()
            .await
            .map_err(|e| FhirError::Unreachable(without_url(&e)))?;
        let status = response.status();
        self.refused(status).await;
        let body = read_capped(response, what).await?;
        if !status.is_success() {
            return Err(FhirError::Status {
                status: status.as_u16(),
                what: what.to_owned(),
            });
        }
        serde_json::from_slice(&body).map_err(|e| FhirError::Answer {
            what: what.to_owned(),
            why: e.to_string(),
        })
    }
}

/// A FHIR server's answer to a write or a read whose status the caller
/// weighs.
#[derive(Debug)]
pub struct Answer {
    pub status: reqwest::StatusCode,
    /// The version in `ETag` (`W/"3"` → `3`), if any.
    pub version: Option<String>,
    /// The body, if it was JSON.
    pub body: Option<Value>,
}

impl FhirClient {
    /// Sends `method` to `url` with an optional FHIR JSON body and extra
    /// headers; any status is an answer, only transport failures are
    /// errors.
    pub async fn send(
        &self,
        method: reqwest::Method,
        url: Url,
        body: Option<&Value>,
        headers: &[(&str, String)],
        what: &str,
    ) -> Result<Answer, FhirError> {
        let mut request = self
            .http
            .request(method, url)
            .header(header::ACCEPT, "application/fhir+json");
        request = self.signed_in(request).await?;
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        if let Some(body) = body {
            // Asking for the resource back (a server may still send none).
            request = request
                .header(header::CONTENT_TYPE, "application/fhir+json")
                .header("prefer", "return=representation")
                .body(body.to_string());
        }
        let response = request
            .send()
            .await
            .map_err(|e| FhirError::Unreachable(without_url(&e)))?;
        let status = response.status();
        self.refused(status).await;
        let version = response
            .headers()
            .get(header::ETAG)
            .and_then(|v| v.to_str().ok())
            .map(etag_version);
        let bytes = read_capped(response, what).await?;
        Ok(Answer {
            status,
            version,
            body: serde_json::from_slice(&bytes).ok(),
        })
    }
}

/// `W/"3"` → `3`; `"3"` → `3`.
pub fn etag_version(etag: &str) -> String {
    etag.trim()
        .trim_start_matches("W/")
        .trim_matches('"')
        .to_owned()
}

async fn read_capped(mut response: reqwest::Response, what: &str) -> Result<Vec<u8>, FhirError> {
    let too_big = || FhirError::Answer {
        what: what.to_owned(),
        why: format!("larger than {} MiB", MAX_BODY >> 20),
    };
    if response
        .content_length()
        .is_some_and(|n| n > MAX_BODY as u64)
    {
        return Err(too_big());
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| FhirError::Unreachable(without_url(&e)))?
    {
        if body.len() + chunk.len() > MAX_BODY {
            return Err(too_big());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// A transport error without its address (the caller names what failed).
fn without_url(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection failed"
    } else {
        "request failed"
    };
    let mut source = std::error::Error::source(e);
    let mut detail = String::new();
    while let Some(s) = source {
        detail = s.to_string();
        source = s.source();
    }
    if detail.is_empty() {
        kind.to_owned()
    } else {
        format!("{kind} ({detail})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_followed_on_the_same_server_and_base_only() {
        let c = FhirClient::new("https://ehr.example/fhir/r4", Some("secret".into())).unwrap();
        assert_eq!(
            c.url("Appointment").unwrap().as_str(),
            "https://ehr.example/fhir/r4/Appointment"
        );
        assert!(c
            .own_link("https://ehr.example/fhir/r4/Appointment?page=2")
            .is_ok());
        assert!(c.own_link("Appointment?page=2").is_ok());
        for foreign in [
            "https://evil.example/fhir/r4/Appointment?page=2",
            "http://ehr.example/fhir/r4/Appointment?page=2",
            "https://ehr.example:8443/fhir/r4/Appointment",
            "https://ehr.example/other/Appointment",
        ] {
            assert!(
                matches!(c.own_link(foreign), Err(FhirError::ForeignLink(_))),
                "{foreign}"
            );
        }
        assert!(!format!("{c:?}").contains("secret"));
    }
}
