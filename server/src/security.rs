//! Security headers for everything the server answers, and the refusal of
//! cross-site writes.
//!
//! The Content-Security-Policy allows the app's own files and wasm
//! compilation (`'wasm-unsafe-eval'`, not `'unsafe-eval'`). Each page trunk
//! built boots its wasm with an inline module script (and index.html and
//! board.html paint their first screen with another), and carries its
//! styles inline (so it paints without waiting for a stylesheet); rather
//! than allowing inline scripts and styles, the policy names those scripts
//! and styles by their SHA-256, computed from the pages actually served.

use crate::error::AppError;
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use sha2::{Digest, Sha256};
use tower_http::set_header::SetResponseHeaderLayer;
use waitwell_core::contract::ErrorCode;

/// The `'sha256-…'` source of every inline `<script>` in `html`.
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    inline_hashes(html, "script")
}

/// The `'sha256-…'` source of every `<style>` element in `html`.
pub fn inline_style_hashes(html: &str) -> Vec<String> {
    inline_hashes(html, "style")
}

/// The `'sha256-…'` source of the content of every `<name>` element of
/// `html` that does not load its content from elsewhere (no `src`).
fn inline_hashes(html: &str, name: &str) -> Vec<String> {
    let open = format!("<{name}");
    let close = format!("</{name}>");
    let mut hashes = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find(&open) {
        rest = &rest[start + open.len()..];
        // `<styles`, `<scripted`: another element, not this one.
        if rest.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '-') {
            continue;
        }
        let Some(open_end) = rest.find('>') else {
            break;
        };
        let attributes = &rest[..open_end];
        let body_and_after = &rest[open_end + 1..];
        let Some(end) = body_and_after.find(&close) else {
            break;
        };
        if !attributes.contains(" src=") {
            let digest = Sha256::digest(&body_and_after.as_bytes()[..end]);
            let encoded = base64::engine::general_purpose::STANDARD.encode(digest);
            hashes.push(format!("'sha256-{encoded}'"));
        }
        rest = &body_and_after[end..];
    }
    hashes
}

/// The sorted, distinct hashes of `hashes_of` over `pages`.
fn hashes_of_pages(pages: &[&str], hashes_of: fn(&str) -> Vec<String>) -> Vec<String> {
    let mut hashes: Vec<String> = pages.iter().flat_map(|page| hashes_of(page)).collect();
    hashes.sort();
    hashes.dedup();
    hashes
}

/// The policy for an app whose pages are `pages` (none when not built).
pub fn content_security_policy(pages: &[&str]) -> String {
    let mut script_src = vec!["'self'".to_owned(), "'wasm-unsafe-eval'".to_owned()];
    script_src.extend(hashes_of_pages(pages, inline_script_hashes));
    let mut style_src = vec!["'self'".to_owned()];
    style_src.extend(hashes_of_pages(pages, inline_style_hashes));
    [
        "default-src 'self'".to_owned(),
        format!("script-src {}", script_src.join(" ")),
        format!("style-src {}", style_src.join(" ")),
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

/// The `Permissions-Policy` of a document at `path`: no powerful feature
/// anywhere, except the camera on the check-in route ("/"), where a
/// patient may scan the QR code of their appointment letter.
pub fn permissions_policy(path: &str) -> HeaderValue {
    // Two fixed values: nothing is built per response.
    macro_rules! nothing_else {
        () => {
            "accelerometer=(), bluetooth=(), geolocation=(), gyroscope=(), hid=(), \
             magnetometer=(), microphone=(), midi=(), payment=(), serial=(), usb=()"
        };
    }
    const CHECK_IN: &str = concat!("camera=(self), ", nothing_else!());
    const ELSEWHERE: &str = concat!("camera=(), ", nothing_else!());
    HeaderValue::from_static(if path == "/" { CHECK_IN } else { ELSEWHERE })
}

/// Sets [`permissions_policy`] on every response, by its request's path.
pub async fn permissions(request: Request, next: Next) -> Response {
    let policy = permissions_policy(request.uri().path());
    let mut response = next.run(request).await;
    response
        .headers_mut()
        .entry(HeaderName::from_static("permissions-policy"))
        .or_insert(policy);
    response
}

/// Refuses (403, `cross_site`) a write that a page of another site sent:
/// a plain HTML form posted from another port of the same host, say
/// (`SameSite` cookies ignore ports, so the cookie alone proves nothing).
/// Browsers say where a request comes from in `Sec-Fetch-Site`, or failing
/// that in `Origin`; a client that sends neither is not a browser page, and
/// has no victim's cookie to ride on.
pub async fn same_origin_writes(request: Request, next: Next) -> Response {
    if !request.method().is_safe() && is_cross_site(request.headers()) {
        return AppError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::CrossSite,
            "this request came from a page of another site",
        )
        .into_response();
    }
    next.run(request).await
}

/// Whether a request's headers say another site's page sent it.
pub fn is_cross_site(headers: &HeaderMap) -> bool {
    let text = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    if let Some(site) = text(HeaderName::from_static("sec-fetch-site")) {
        return !matches!(site, "same-origin" | "none");
    }
    let Some(origin) = text(header::ORIGIN) else {
        return false;
    };
    let authority = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"));
    match (authority, text(header::HOST)) {
        (Some(authority), Some(host)) => !authority.eq_ignore_ascii_case(host),
        // "null" (a sandboxed page, a file), or no Host to compare with.
        _ => true,
    }
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
    fn hashes_style_elements_only() {
        let html = r#"<head><style>b{}</style><styles>no</styles><script>s</script>
            <style media="print">i{}</style></head>"#;
        let hashes = inline_style_hashes(html);
        assert_eq!(hashes.len(), 2);
        // echo -n 'b{}' | openssl dgst -sha256 -binary | base64
        assert_eq!(
            hashes[0],
            "'sha256-7yqHVAesot11p6HczDsgKRipvI5UPgs97z80zNXlans='"
        );
        assert!(!inline_script_hashes(html).contains(&hashes[0]));
    }

    #[test]
    fn policy_is_strict() {
        let csp = content_security_policy(&["<script>a</script>", "<style>b{}</style>"]);
        assert!(csp.contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-"));
        assert!(csp.contains("style-src 'self' 'sha256-7yqH"));
        assert!(!csp.contains("'unsafe-eval'"));
        assert!(!csp.contains("'unsafe-inline'"));
        assert!(csp.contains("object-src 'none'"));
        assert!(csp.contains("frame-ancestors 'none'"));
    }

    #[test]
    fn unterminated_markup_does_not_panic() {
        for html in [
            "<script",
            "<script>",
            "<script>x",
            "</script><script>",
            "",
            "<style",
            "<styles",
        ] {
            let _ = inline_script_hashes(html);
            let _ = inline_style_hashes(html);
        }
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn writes_from_another_site_are_told_apart() {
        let host = ("host", "clinic.lan:8080");
        // The app itself, and clients that are not browser pages.
        for same in [
            headers(&[host, ("sec-fetch-site", "same-origin")]),
            headers(&[host, ("sec-fetch-site", "none")]),
            headers(&[host, ("origin", "http://clinic.lan:8080")]),
            headers(&[host, ("origin", "https://CLINIC.lan:8080")]),
            headers(&[host]),
        ] {
            assert!(!is_cross_site(&same), "{same:?}");
        }
        // Another port of the same host is "same-site", not same origin.
        for cross in [
            headers(&[host, ("sec-fetch-site", "same-site")]),
            headers(&[host, ("sec-fetch-site", "cross-site")]),
            headers(&[host, ("origin", "http://clinic.lan:9999")]),
            headers(&[host, ("origin", "null")]),
            headers(&[("origin", "http://clinic.lan:8080")]),
            // Sec-Fetch-Site wins over an Origin that looks right.
            headers(&[
                host,
                ("origin", "http://clinic.lan:8080"),
                ("sec-fetch-site", "cross-site"),
            ]),
        ] {
            assert!(is_cross_site(&cross), "{cross:?}");
        }
    }

    #[test]
    fn only_check_in_may_use_the_camera() {
        let policy = |path| permissions_policy(path).to_str().unwrap().to_owned();
        assert!(policy("/").starts_with("camera=(self),"));
        for path in [
            "/board",
            "/reception",
            "/survey",
            "/insights",
            "/setup",
            "/api/v1/queue",
        ] {
            assert!(policy(path).starts_with("camera=(),"), "{path}");
        }
        assert!(policy("/").contains("microphone=()"));
    }
}
