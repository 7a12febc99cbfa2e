//! The OpenAPI 3.1 description of the contract, generated from the handlers
//! and the `waitwell-core` types. `server/openapi.json` is this document;
//! a test fails when it is out of date (`make openapi` rewrites it).

use crate::http;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Waitwell HTTP contract",
        version = "1",
        description = "What a Waitwell kiosk needs from a clinic backend. JSON over HTTP under /api/v1.\n\n\
            Idempotency: POST /check-ins and POST /appointments/import take an Idempotency-Key header (a UUID). \
            A missing or malformed key is 400; the same key with a different body is 422; the same key while the \
            first request is still being processed is 409; the same key after completion replays the stored status \
            and body. Key and effect are committed in one transaction. Keys are kept for at least 7 days.\n\n\
            Errors: every 4xx has a JSON body {code, message} with a stable machine-readable code; 429 adds \
            retry_after_seconds and a Retry-After header. A 500 carries no details.\n\n\
            Staff endpoints need the HttpOnly session cookie set by POST /staff/session (a person's own account: \
            name and passphrase). After the site's idle time without staff requests a session is locked (401 \
            session_locked): at an enrolled reception desk its owner's PIN opens it (POST /staff/session/unlock); \
            elsewhere it ends. Managers also read the access log.\n\n\
            Kiosk endpoints need an enrolled device: POST /devices/pair sets its HttpOnly credential cookie and \
            answers a pairing code; once staff approve that code (POST /devices/approve) the credential says which \
            device and role every request comes from. Without it: 401 device_not_enrolled; with another role: 403 \
            wrong_device_role. The public queue needs a device or staff unless the site makes it public."
    ),
    paths(
        http::health::health,
        http::config::site_config,
        http::identify::identify,
        http::check_in::check_in,
        http::offline::offline_index,
        http::lease::lease,
        http::queue::public_queue,
        http::queue::events,
        http::enrollment::pair,
        http::enrollment::me,
        http::devices::heartbeat,
        http::surveys::put,
        http::session::sign_in,
        http::session::status,
        http::session::sign_out,
        http::session::unlock,
        http::session::lock,
        http::session::set_pin,
        http::session::change_passphrase,
        http::enrollment::enroll_desk,
        http::reception::staff_queue,
        http::reception::act,
        http::reception::events,
        http::devices::list,
        http::enrollment::approve,
        http::enrollment::revoke,
        http::devices::decide,
        http::import::import,
        http::surveys::list,
        http::surveys::acknowledge,
        http::insights::insights,
        http::insights::csv,
        http::insights::access_log,
        http::notices::post,
        http::notices::clear,
        http::follow::ticket,
        http::follow::events,
        http::follow::qr,
        http::follow::end,
    ),
    modifiers(&StaffCookie),
    tags(
        (name = "kiosk", description = "What patient-facing devices call"),
        (name = "queue", description = "The public queue: safe for a wall screen"),
        (name = "phone", description = "A patient's own phone following one ticket through its link"),
        (name = "staff", description = "Reception and insights (staff session)"),
        (name = "server", description = "Operations"),
    )
)]
pub struct ApiDoc;

struct StaffCookie;

impl Modify for StaffCookie {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "staff_session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(crate::auth::COOKIE))),
        );
        components.add_security_scheme(
            "device_credential",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(crate::auth::DEVICE_COOKIE))),
        );
    }
}

/// The document as committed in `server/openapi.json`.
pub fn document() -> String {
    let mut json = ApiDoc::openapi().to_pretty_json().unwrap_or_default();
    json.push('\n');
    json
}
