//! Security headers for everything the server answers.
//!
//! The Content-Security-Policy allows the app's own files and wasm
//! compilation (`'wasm-unsafe-eval'`, not `'unsafe-eval'`). trunk's
//! index.html boots the wasm with one inline module script; rather than
//! allowing inline scripts, the policy names that script by its SHA-256,
//! computed from the index.html actually served.

use axum::http::{header, HeaderName, HeaderValue};
use base64::Engine as _;
use sha2::{Digest, Sha256};
use tower_http::set_header::SetResponseHeaderLayer;

/// The `'sha256-…'` source of every inline `<script>` in `html`.
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    let mut hashes = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        rest = &rest[start..];
        let Some(open_end) = rest.find('>') else {
            break;
        };
        let tag = &rest[..open_end];
        let body_and_after = &rest[open_end + 1..];
        let Some(close) = body_and_after.find("</script>") else {
            break;
        };
        if !tag.contains(" src=") {
            let digest = Sha256::digest(&body_and_after.as_bytes()[..close]);
            let encoded = base64::engine::general_purpose::STANDARD.encode(digest);
            hashes.push(format!("'sha256-{encoded}'"));
        }
        rest = &body_and_after[close..];
    }
    hashes
}

/// The policy for an app whose index.html is `index_html` (if built).
pub fn content_security_policy(index_html: Option<&str>) -> String {
    let hashes = index_html.map(inline_script_hashes).unwrap_or_default();
    let mut script_src = vec!["'self'".to_owned(), "'wasm-unsafe-eval'".to_owned()];
    script_src.extend(hashes);
    [
        "default-src 'self'".to_owned(),
        format!("script-src {}", script_src.join(" ")),
        "style-src 'self'".to_owned(),
        "img-src 'self' data:".to_owned(),
        "connect-src 'self'".to_owned(),
        "object-src 'none'".to_owned(),
        "base-uri 'none'".to_owned(),
        "form-action 'self'".to_owned(),
        "frame-ancestors 'none'".to_owned(),
    ]
    .join("; ")
}

/// The header layers, outermost last.
pub fn layers(csp: &str) -> [SetResponseHeaderLayer<HeaderValue>; 3] {
    let csp = HeaderValue::from_str(csp).unwrap_or_else(|_| {
        // Only base64 and ASCII keywords go in; fall back to the strictest
        // policy rather than none if that ever changes.
        HeaderValue::from_static("default-src 'none'")
    });
    [
        SetResponseHeaderLayer::if_not_present(header::CONTENT_SECURITY_POLICY, csp),
        SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ),
        SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("x-content-type-options"),
            HeaderValue::from_static("nosniff"),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_inline_scripts_only() {
        let html = r#"<head><script type="module">boot()</script><script src="/x.js"></script>
            <script>second</script></head>"#;
        let hashes = inline_script_hashes(html);
        assert_eq!(hashes.len(), 2);
        // echo -n 'boot()' | openssl dgst -sha256 -binary | base64
        assert_eq!(
            hashes[0],
            "'sha256-MeZS89WlF0u+o0hCvHTBt4q1WHU+U+sJKgbdRUc36mY='"
        );
    }

    #[test]
    fn policy_is_strict() {
        let csp = content_security_policy(Some("<script>a</script>"));
        assert!(csp.contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-"));
        assert!(!csp.contains("'unsafe-eval'"));
        assert!(!csp.contains("'unsafe-inline'"));
        assert!(csp.contains("object-src 'none'"));
        assert!(csp.contains("frame-ancestors 'none'"));
    }

    #[test]
    fn unterminated_markup_does_not_panic() {
        for html in ["<script", "<script>", "<script>x", "</script><script>", ""] {
            let _ = inline_script_hashes(html);
        }
    }
}
