//! SMART Backend Services: signing in to the EHR as a system, without a
//! person (the client-credentials grant with a signed JWT assertion,
//! RS384 or ES384). The token endpoint is found in the FHIR server's
//! `.well-known/smart-configuration`; the access token is kept and renewed
//! before it expires. The private key never leaves this server: it is read
//! from a file at start-up, and neither it, the assertion nor the token is
//! logged or shown.

use super::error::FhirError;
use crate::clock::Clock;
use jiff::{SignedDuration, Timestamp};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::Url;
use serde_json::{json, Value};
use std::sync::Arc;

/// How long an assertion is good for (the most SMART allows).
const ASSERTION_SECONDS: i64 = 300;
/// A token is renewed this long before it expires (or halfway through its
/// life, if that is sooner).
const RENEW_BEFORE: i64 = 60;

/// Signs in to one token endpoint as one client.
pub struct SmartAuth {
    client_id: String,
    key: EncodingKey,
    algorithm: Algorithm,
    key_id: Option<String>,
    scope: String,
    token_url: Url,
    clock: Arc<dyn Clock>,
    http: reqwest::Client,
    cached: tokio::sync::Mutex<Option<Token>>,
}

#[derive(Clone)]
struct Token {
    value: String,
    renew_at: Timestamp,
}

impl std::fmt::Debug for SmartAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmartAuth")
            .field("client_id", &self.client_id)
            .field("algorithm", &self.algorithm)
            .field("token_url", &self.token_url.as_str())
            .finish_non_exhaustive()
    }
}

/// What [`SmartAuth::new`] needs beside the endpoint.
pub struct Client<'a> {
    pub client_id: &'a str,
    /// The private key file's text: PEM (PKCS#8, or PKCS#1 for RSA) or a
    /// JWK.
    pub private_key: &'a str,
    /// `RS384` or `ES384`.
    pub algorithm: &'a str,
    pub key_id: Option<&'a str>,
    pub scope: &'a str,
}

impl SmartAuth {
    pub fn new(
        client: Client<'_>,
        token_url: Url,
        clock: Arc<dyn Clock>,
        http: reqwest::Client,
    ) -> Result<Self, String> {
        let algorithm = match client.algorithm {
            "RS384" => Algorithm::RS384,
            "ES384" => Algorithm::ES384,
            other => return Err(format!("SMART: algorithm {other:?} (RS384 or ES384)")),
        };
        Ok(SmartAuth {
            client_id: client.client_id.to_owned(),
            key: load_key(client.private_key, algorithm)?,
            algorithm,
            key_id: client.key_id.map(str::to_owned),
            scope: client.scope.to_owned(),
            token_url,
            clock,
            http,
            cached: tokio::sync::Mutex::new(None),
        })
    }

    /// An access token: the one kept, or a new one when it is due for
    /// renewal.
    pub async fn token(&self) -> Result<String, FhirError> {
        let mut cached = self.cached.lock().await;
        let now = self.clock.now();
        if let Some(token) = cached.as_ref().filter(|t| now < t.renew_at) {
            return Ok(token.value.clone());
        }
        let fresh = self.request(now).await?;
        let value = fresh.value.clone();
        *cached = Some(fresh);
        Ok(value)
    }

    /// Forgets the kept token (the FHIR server refused it).
    pub async fn forget(&self) {
        *self.cached.lock().await = None;
    }

    async fn request(&self, now: Timestamp) -> Result<Token, FhirError> {
        let assertion = self.assertion(now)?;
        let form = [
            ("grant_type", "client_credentials"),
            ("scope", self.scope.as_str()),
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ),
            ("client_assertion", assertion.as_str()),
        ];
        let response = self
            .http
            .post(self.token_url.clone())
            .header(reqwest::header::ACCEPT, "application/json")
            .form(&form)
            .send()
            .await
            .map_err(|e| FhirError::Unreachable(format!("the SMART token endpoint: {e}")))?;
        let status = response.status();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        if !status.is_success() {
            // The endpoint's own words (an OAuth error code), never ours.
            let error = body["error"].as_str().unwrap_or("no error code");
            return Err(FhirError::Status {
                status: status.as_u16(),
                what: format!("the SMART token request ({error})"),
            });
        }
        let value = body["access_token"]
            .as_str()
            .filter(|t| !t.is_empty() && t.len() <= 8192 && t.chars().all(|c| c.is_ascii_graphic()))
            .ok_or_else(|| FhirError::Answer {
                what: "the SMART token request".into(),
                why: "no usable access_token".into(),
            })?
            .to_owned();
        let lasts = body["expires_in"]
            .as_i64()
            .unwrap_or(300)
            .clamp(1, 24 * 3600);
        let renew_at = now + SignedDuration::from_secs(lasts - RENEW_BEFORE.min(lasts / 2));
        Ok(Token { value, renew_at })
    }

    /// The signed client assertion (RFC 7523 as SMART profiles it).
    fn assertion(&self, now: Timestamp) -> Result<String, FhirError> {
        let mut jti = [0u8; 16];
        getrandom::fill(&mut jti).map_err(|e| FhirError::Setup(e.to_string()))?;
        let claims = json!({
            "iss": self.client_id,
            "sub": self.client_id,
            "aud": self.token_url.as_str(),
            "iat": now.as_second(),
            "exp": now.as_second() + ASSERTION_SECONDS,
            "jti": hex::encode(jti),
        });
        let mut header = Header::new(self.algorithm);
        header.typ = Some("JWT".into());
        header.kid = self.key_id.clone();
        jsonwebtoken::encode(&header, &claims, &self.key)
            .map_err(|e| FhirError::Setup(format!("signing the SMART assertion: {e}")))
    }
}

/// The token endpoint a FHIR server names in its SMART configuration.
pub fn token_endpoint(configuration: &Value) -> Result<Url, String> {
    let methods = configuration["token_endpoint_auth_methods_supported"].as_array();
    if methods.is_some_and(|m| !m.iter().any(|m| m == "private_key_jwt")) {
        return Err("the FHIR server's SMART configuration does not offer private_key_jwt".into());
    }
    let url = configuration["token_endpoint"]
        .as_str()
        .and_then(|u| Url::parse(u).ok())
        .ok_or("the FHIR server's SMART configuration names no token_endpoint")?;
    let local = matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    if url.scheme() != "https" && !local {
        return Err(format!("the SMART token endpoint {url} is not https"));
    }
    Ok(url)
}

/// A private key from PEM or JWK text, for `algorithm`.
fn load_key(text: &str, algorithm: Algorithm) -> Result<EncodingKey, String> {
    let text = text.trim();
    let bad = |e: &dyn std::fmt::Display| format!("SMART: the private key cannot be read: {e}");
    if text.starts_with('{') {
        let jwk: Value = serde_json::from_str(text).map_err(|e| bad(&e))?;
        return match (jwk["kty"].as_str(), algorithm) {
            (Some("RSA"), Algorithm::RS384) => rsa_from_jwk(&jwk).map_err(|e| bad(&e)),
            (Some("EC"), Algorithm::ES384) => {
                use p384::pkcs8::EncodePrivateKey;
                let key = p384::SecretKey::from_jwk_str(text).map_err(|e| bad(&e))?;
                let der = key.to_pkcs8_der().map_err(|e| bad(&e))?;
                Ok(EncodingKey::from_ec_der(der.as_bytes()))
            }
            _ => Err(bad(&"its kty does not fit the algorithm")),
        };
    }
    match algorithm {
        Algorithm::RS384 => EncodingKey::from_rsa_pem(text.as_bytes()).map_err(|e| bad(&e)),
        _ => EncodingKey::from_ec_pem(text.as_bytes()).map_err(|e| bad(&e)),
    }
}

fn rsa_from_jwk(jwk: &Value) -> Result<EncodingKey, String> {
    use base64::Engine;
    use rsa::pkcs1::EncodeRsaPrivateKey;
    let number = |name: &str| -> Result<rsa::BigUint, String> {
        let text = jwk[name].as_str().ok_or(format!("no {name}"))?;
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(text.trim_end_matches('='))
            .map_err(|e| format!("{name}: {e}"))?;
        Ok(rsa::BigUint::from_bytes_be(&bytes))
    };
    let key = rsa::RsaPrivateKey::from_components(
        number("n")?,
        number("e")?,
        number("d")?,
        vec![number("p")?, number("q")?],
    )
    .map_err(|e| e.to_string())?;
    let der = key.to_pkcs1_der().map_err(|e| e.to_string())?;
    Ok(EncodingKey::from_rsa_der(der.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_endpoint_must_take_signed_assertions_over_https() {
        let ok = json!({"token_endpoint": "https://ehr.example/auth/token",
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "private_key_jwt"]});
        assert_eq!(
            token_endpoint(&ok).unwrap().as_str(),
            "https://ehr.example/auth/token"
        );
        let local = json!({"token_endpoint": "http://127.0.0.1:9/token"});
        assert!(token_endpoint(&local).is_ok());
        let plain = json!({"token_endpoint": "http://ehr.example/auth/token"});
        assert!(token_endpoint(&plain).unwrap_err().contains("not https"));
        let secret_only = json!({"token_endpoint": "https://ehr.example/t",
            "token_endpoint_auth_methods_supported": ["client_secret_basic"]});
        assert!(token_endpoint(&secret_only)
            .unwrap_err()
            .contains("private_key_jwt"));
        assert!(token_endpoint(&json!({})).is_err());
    }

    #[test]
    fn keys_that_do_not_fit_are_refused_without_echoing_them() {
        let jwk = r#"{"kty":"EC","crv":"P-384","d":"secret-ish"}"#;
        let refused = load_key(jwk, Algorithm::RS384).err().unwrap();
        assert!(refused.contains("does not fit") && !refused.contains("secret-ish"));
        let refused = load_key(
            "-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----",
            Algorithm::RS384,
        )
        .err()
        .unwrap();
        assert!(!refused.contains("nope"), "{refused}");
        assert!(load_key("{not json", Algorithm::ES384).is_err());
    }
}
