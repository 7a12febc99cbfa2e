//! The adapter client: the only module in the app where HTTP happens
//! (requests here, the live event stream in [`live`]).
//!
//! Every request has a timeout and is aborted when its owner is cleaned up
//! (the screen that asked for it went away), and every failure arrives as a
//! typed [`ClientError`]. Which backend is used comes from `/config.json`
//! at run time, never from the build.

pub mod live;
pub mod site;

use gloo_net::http::{Request, RequestBuilder};
use leptos::prelude::{on_cleanup, provide_context, use_context, RwSignal, Signal};
use send_wrapper::SendWrapper;
use serde::{de::DeserializeOwned, Serialize};
use std::{
    cell::{Cell, RefCell},
    rc::Rc,
    time::Duration,
};
use waitwell_core::client::{BackendConfig, ClientError, RuntimeConfig};
use waitwell_core::contract::{
    AccessLog, ApproveDevice, Enrollment, PairRequest, StaffPassphrase, StaffPin,
};
use waitwell_core::contract::{
    ActionResult, Alert, AppointmentImport, CheckInRequest, CheckInResponse, DelayNotice,
    DeviceStatus, EndFollow, FollowedTicket, Heartbeat, HeartbeatReply, IdentifyRequest,
    IdentifyResponse, ImportResult, Insights, NewDelayNotice, OfflineIndex, ParkedDecision,
    ParkedDecisionRequest, PublicQueue, SiteConfig, StaffQueue, StaffSession, StaffSignIn,
    SurveyResponse, API_PREFIX, IDEMPOTENCY_KEY_HEADER,
};
use waitwell_core::queue::Action;
use waitwell_core::Surface;

/// How long a screen waits for an answer before saying so.
pub const READ_TIMEOUT: Duration = Duration::from_secs(8);
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

/// The backend this app talks to.
///
/// Which device is asking is never said here: an enrolled device's
/// credential is an HttpOnly cookie the browser sends by itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Adapter {
    backend: Backend,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Backend {
    Waitwell { base_url: String },
    Unsupported,
}

/// Reads `/config.json` from the app's own origin. A deployment without one
/// talks to the server that serves the app.
/// The backend adapter, once `/config.json` has been read (`None` until then).
#[derive(Debug, Clone, Copy)]
pub struct AdapterContext(pub RwSignal<Option<Result<Adapter, ClientError>>>);

/// The adapter, if the runtime configuration has been read and is usable.
pub fn use_adapter() -> Signal<Option<Result<Adapter, ClientError>>> {
    match use_context::<AdapterContext>() {
        Some(context) => context.0.into(),
        // Outside the app (a component test): never ready.
        None => Signal::stored(None),
    }
}

pub async fn load_runtime_config() -> Result<RuntimeConfig, ClientError> {
    let answer = send(Request::get("/config.json"), None::<&()>, READ_TIMEOUT).await?;
    match answer.status {
        404 => Ok(RuntimeConfig::default()),
        200..=299 => RuntimeConfig::parse(answer.text()).map_err(|_| ClientError::Decode),
        _ => Err(answer.error()),
    }
}

/// This page of the app as the server hands it out now for the path on
/// screen (not from any cache), to tell whether a newer build is there.
pub async fn fresh_app_index() -> Result<String, ClientError> {
    let path = web_sys::window()
        .and_then(|w| w.location().pathname().ok())
        .unwrap_or_else(|| "/".to_owned());
    let request = Request::get(&path).cache(web_sys::RequestCache::NoStore);
    let answer = send(request, None::<&()>, READ_TIMEOUT).await?;
    if answer.ok() {
        Ok(answer.text().to_owned())
    } else {
        Err(answer.error())
    }
}

impl Adapter {
    pub fn new(config: &RuntimeConfig) -> Self {
        let backend = match &config.backend {
            BackendConfig::Waitwell { base_url } => Backend::Waitwell {
                base_url: base_url.clone(),
            },
            BackendConfig::FhirR4 { .. } => Backend::Unsupported,
        };
        Adapter { backend }
    }

    fn url(&self, path: &str) -> Result<String, ClientError> {
        match &self.backend {
            Backend::Waitwell { base_url } => Ok(format!("{base_url}{API_PREFIX}{path}")),
            Backend::Unsupported => Err(ClientError::Unsupported),
        }
    }

    async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, ClientError> {
        send(Request::get(&self.url(path)?), None::<&()>, READ_TIMEOUT)
            .await?
            .decode()
    }

    async fn post<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
        idempotency_key: Option<&str>,
    ) -> Result<T, ClientError> {
        let mut request = Request::post(&self.url(path)?);
        if let Some(key) = idempotency_key {
            request = request.header(IDEMPOTENCY_KEY_HEADER, key);
        }
        send(request, Some(body), WRITE_TIMEOUT).await?.decode()
    }

    pub async fn site_config(&self) -> Result<SiteConfig, ClientError> {
        self.get("/config").await
    }

    /// Where this device's enrollment stands (`NotEnrolled` when it never
    /// paired, its code expired, or it was revoked).
    pub async fn enrollment(&self) -> Result<Enrollment, ClientError> {
        self.get("/devices/me").await
    }

    /// Asks to be enrolled for `role`: the answer has the code to show.
    pub async fn pair(&self, role: Surface) -> Result<Enrollment, ClientError> {
        self.post("/devices/pair", &PairRequest { role }, None)
            .await
    }

    /// Staff approve the tablet showing `request.pairing_code`.
    pub async fn approve_device(&self, request: &ApproveDevice) -> Result<(), ClientError> {
        send(
            Request::post(&self.url("/devices/approve")?),
            Some(request),
            WRITE_TIMEOUT,
        )
        .await?
        .empty()
    }

    /// Staff revoke a device: its next request is refused.
    pub async fn revoke_device(&self, device: &str) -> Result<(), ClientError> {
        let path = format!("/devices/{}/revoke", encode_segment(device));
        send(Request::post(&self.url(&path)?), None::<&()>, WRITE_TIMEOUT)
            .await?
            .empty()
    }

    pub async fn identify(
        &self,
        request: &IdentifyRequest,
    ) -> Result<IdentifyResponse, ClientError> {
        self.post("/identify", request, None).await
    }

    /// `key` is the outbox entry's idempotency key: the same key for every
    /// retry of one check-in.
    pub async fn check_in(
        &self,
        key: &str,
        request: &CheckInRequest,
    ) -> Result<CheckInResponse, ClientError> {
        self.post("/check-ins", request, Some(key)).await
    }

    /// Today's appointment index for identifying patients offline.
    pub async fn offline_index(&self) -> Result<OfflineIndex, ClientError> {
        self.get("/offline-index").await
    }

    /// Tops up this check-in kiosk's ticket lease; what it holds today.
    pub async fn ticket_lease(&self) -> Result<waitwell_core::contract::TicketLease, ClientError> {
        self.post("/devices/lease", &serde_json::json!({}), None)
            .await
    }

    pub async fn queue(&self) -> Result<PublicQueue, ClientError> {
        self.get("/queue").await
    }

    /// The URL of the live queue stream (Server-Sent Events).
    pub fn queue_events_url(&self) -> Result<String, ClientError> {
        self.url("/queue/events")
    }

    /// The URL of reception's live stream (queue, alerts, notices).
    pub fn staff_events_url(&self) -> Result<String, ClientError> {
        self.url("/staff/events")
    }

    /// The ticket a phone link follows.
    pub async fn followed(&self, token: &str) -> Result<FollowedTicket, ClientError> {
        self.get(&format!("/follow/{token}")).await
    }

    /// The URL of a phone link's live stream.
    pub fn follow_events_url(&self, token: &str) -> Result<String, ClientError> {
        self.url(&format!("/follow/{token}/events"))
    }

    /// The image of a phone link's QR code, opening in `language`.
    pub fn follow_qr_url(&self, token: &str, language: &str) -> Result<String, ClientError> {
        self.url(&format!("/follow/{token}/qr.svg?lang={language}"))
    }

    /// Ends a ticket's phone links (staff).
    pub async fn end_follow(&self, ticket: u64) -> Result<(), ClientError> {
        send(
            Request::post(&self.url("/follow/end")?),
            Some(&EndFollow { ticket }),
            WRITE_TIMEOUT,
        )
        .await?
        .empty()
    }

    pub async fn post_notice(&self, notice: &NewDelayNotice) -> Result<DelayNotice, ClientError> {
        self.post("/notices", notice, None).await
    }

    pub async fn clear_notice(&self, id: i64) -> Result<(), ClientError> {
        send(
            Request::delete(&self.url(&format!("/notices/{id}"))?),
            None::<&()>,
            WRITE_TIMEOUT,
        )
        .await?
        .empty()
    }

    pub async fn staff_queue(&self) -> Result<StaffQueue, ClientError> {
        self.get("/queue/staff").await
    }

    pub async fn staff_session(&self) -> Result<StaffSession, ClientError> {
        self.get("/staff/session").await
    }

    pub async fn sign_in(&self, name: &str, passphrase: &str) -> Result<StaffSession, ClientError> {
        let body = StaffSignIn {
            name: name.to_owned(),
            passphrase: passphrase.to_owned(),
        };
        self.post("/staff/session", &body, None).await
    }

    /// Opens this person's idle-locked session with their PIN.
    pub async fn unlock(&self, pin: &str) -> Result<StaffSession, ClientError> {
        let body = StaffPin {
            pin: pin.to_owned(),
        };
        self.post("/staff/session/unlock", &body, None).await
    }

    /// Locks the session on the server too (the screen locked after a
    /// while without a touch).
    pub async fn lock(&self) -> Result<(), ClientError> {
        send(
            Request::post(&self.url("/staff/session/lock")?),
            None::<&()>,
            WRITE_TIMEOUT,
        )
        .await?
        .empty()
    }

    /// Sets the signed-in person's own PIN.
    pub async fn set_pin(&self, pin: &str) -> Result<(), ClientError> {
        let body = StaffPin {
            pin: pin.to_owned(),
        };
        send(
            Request::put(&self.url("/staff/pin")?),
            Some(&body),
            WRITE_TIMEOUT,
        )
        .await?
        .empty()
    }

    /// Replaces the signed-in person's passphrase with one they chose,
    /// proven with their current one.
    pub async fn change_passphrase(&self, current: &str, new: &str) -> Result<(), ClientError> {
        let body = StaffPassphrase {
            current: current.to_owned(),
            new: new.to_owned(),
        };
        send(
            Request::put(&self.url("/staff/passphrase")?),
            Some(&body),
            WRITE_TIMEOUT,
        )
        .await?
        .empty()
    }

    /// Enrolls this browser as a reception desk (a signed-in person's
    /// approval is the request itself).
    pub async fn enroll_desk(&self) -> Result<Enrollment, ClientError> {
        send(
            Request::post(&self.url("/devices/desk")?),
            None::<&()>,
            WRITE_TIMEOUT,
        )
        .await?
        .decode()
    }

    /// The access log for a period (managers).
    pub async fn access_log(&self, from: &str, to: &str) -> Result<AccessLog, ClientError> {
        let path = format!(
            "/insights/access-log?from={}&to={}",
            encode_segment(from),
            encode_segment(to)
        );
        self.get(&path).await
    }

    pub async fn sign_out(&self) -> Result<(), ClientError> {
        send(
            Request::delete(&self.url("/staff/session")?),
            None::<&()>,
            WRITE_TIMEOUT,
        )
        .await?
        .empty()
    }

    pub async fn act(&self, action: &Action) -> Result<ActionResult, ClientError> {
        self.post("/queue/actions", action, None).await
    }

    pub async fn devices(&self) -> Result<Vec<DeviceStatus>, ClientError> {
        self.get("/devices").await
    }

    /// Sends a survey response, whole, under the kiosk's own id for it.
    pub async fn put_survey(&self, id: &str, response: &SurveyResponse) -> Result<(), ClientError> {
        let path = format!("/surveys/{}", encode_segment(id));
        send(
            Request::put(&self.url(&path)?),
            Some(response),
            WRITE_TIMEOUT,
        )
        .await?
        .empty()
    }

    pub async fn alerts(&self) -> Result<Vec<Alert>, ClientError> {
        self.get("/alerts").await
    }

    pub async fn acknowledge_alert(&self, id: i64) -> Result<(), ClientError> {
        send(
            Request::post(&self.url(&format!("/alerts/{id}/ack"))?),
            None::<&()>,
            WRITE_TIMEOUT,
        )
        .await?
        .empty()
    }

    /// Figures for the days `from` to `to` (YYYY-MM-DD), comments filtered by `q`.
    pub async fn insights(&self, from: &str, to: &str, q: &str) -> Result<Insights, ClientError> {
        let path = format!(
            "/insights?from={}&to={}&q={}",
            encode_segment(from),
            encode_segment(to),
            encode_segment(q)
        );
        self.get(&path).await
    }

    /// Where the browser downloads the period's responses as CSV.
    pub fn insights_csv_url(&self, from: &str, to: &str) -> Result<String, ClientError> {
        self.url(&format!(
            "/insights/responses.csv?from={}&to={}",
            encode_segment(from),
            encode_segment(to)
        ))
    }

    pub async fn import_appointments(
        &self,
        key: &str,
        schedule: &AppointmentImport,
    ) -> Result<ImportResult, ClientError> {
        self.post("/appointments/import", schedule, Some(key)).await
    }

    /// Reports this device; the answer carries staff decisions about its
    /// parked entries (an older server answers 204 with none).
    pub async fn heartbeat(&self, beat: &Heartbeat) -> Result<HeartbeatReply, ClientError> {
        let answer = send(
            Request::post(&self.url("/devices/heartbeat")?),
            Some(beat),
            WRITE_TIMEOUT,
        )
        .await?;
        if answer.status == 204 {
            return Ok(HeartbeatReply::default());
        }
        answer.decode()
    }

    /// Staff decide about a device's parked entry.
    pub async fn decide_parked(
        &self,
        device: &str,
        key: &str,
        decision: ParkedDecision,
    ) -> Result<(), ClientError> {
        let path = format!(
            "/devices/{}/parked/{}",
            encode_segment(device),
            encode_segment(key)
        );
        send(
            Request::post(&self.url(&path)?),
            Some(&ParkedDecisionRequest { decision }),
            WRITE_TIMEOUT,
        )
        .await?
        .empty()
    }
}

/// Percent-encodes a path segment or query value.
fn encode_segment(text: &str) -> String {
    js_sys::encode_uri_component(text).into()
}

/// A whole answer: status, `Retry-After`, body. The body is kept as the
/// bytes that came (an `ArrayBuffer` copied into the wasm's memory) and
/// parsed from them: as text it would be decoded into a JavaScript string
/// and encoded back into UTF-8, twice the work for a board's queue of
/// hundreds of tickets, at every change.
struct Answer {
    status: u16,
    retry_after: Option<String>,
    body: Vec<u8>,
}

impl Answer {
    fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The body as text, without a byte order mark (as `Response.text()`
    /// gave it); empty when it is not UTF-8, which no answer of a backend's
    /// should be (it then reads as no JSON at all).
    fn text(&self) -> &str {
        let text = std::str::from_utf8(&self.body).unwrap_or_default();
        text.strip_prefix('\u{feff}').unwrap_or(text)
    }

    fn error(&self) -> ClientError {
        let error =
            ClientError::from_response(self.status, self.text(), self.retry_after.as_deref());
        if error == ClientError::NotEnrolled {
            crate::context::Enrollment::lost();
        }
        error
    }

    fn decode<T: DeserializeOwned>(self) -> Result<T, ClientError> {
        if !self.ok() {
            return Err(self.error());
        }
        // From `str`, as every other JSON the app reads: each type's parser
        // is compiled for one kind of input, not two.
        serde_json::from_str(self.text()).map_err(|_| ClientError::Decode)
    }

    fn empty(self) -> Result<(), ClientError> {
        if self.ok() {
            Ok(())
        } else {
            Err(self.error())
        }
    }
}

async fn send<B: Serialize>(
    request: RequestBuilder,
    body: Option<&B>,
    timeout: Duration,
) -> Result<Answer, ClientError> {
    let flight = Flight::start(timeout)?;
    let request = request.abort_signal(Some(&flight.signal));
    let request = match body {
        Some(body) => {
            let json = serde_json::to_string(body).map_err(|_| ClientError::Decode)?;
            request
                .header("content-type", "application/json")
                .body(json)
                .map_err(|_| ClientError::Decode)?
        }
        None => request.build().map_err(|_| ClientError::Network)?,
    };
    flight.exchange(request).await
}

/// The requests in flight under one screen. A screen that makes requests
/// calls [`provide_in_flight`]; when it is cleaned up (the patient moved on,
/// the idle reset fired) its unfinished requests are aborted. One cleanup per
/// screen, and finished requests leave the set, so a board that polls all
/// day holds no more than the requests actually in flight.
#[derive(Clone)]
pub struct InFlight(SendWrapper<Rc<RefCell<Vec<web_sys::AbortController>>>>);

/// Ties the requests started under the current owner to its cleanup.
pub fn provide_in_flight() {
    let set = InFlight(SendWrapper::new(Rc::default()));
    provide_context(set.clone());
    on_cleanup(move || {
        for controller in set.0.borrow_mut().drain(..) {
            controller.abort();
        }
    });
}

/// One request in flight: aborted by its timeout, or with its screen.
struct Flight {
    controller: web_sys::AbortController,
    signal: web_sys::AbortSignal,
    timed_out: Rc<Cell<bool>>,
    in_flight: Option<InFlight>,
    _timer: gloo_timers::callback::Timeout,
}

impl Flight {
    fn start(timeout: Duration) -> Result<Self, ClientError> {
        let controller = web_sys::AbortController::new().map_err(|_| ClientError::Network)?;
        let timed_out = Rc::new(Cell::new(false));
        let timer = {
            let controller = controller.clone();
            let timed_out = timed_out.clone();
            let millis = u32::try_from(timeout.as_millis()).unwrap_or(u32::MAX);
            // Cancelled when the flight is dropped.
            gloo_timers::callback::Timeout::new(millis, move || {
                timed_out.set(true);
                controller.abort();
            })
        };
        let in_flight = use_context::<InFlight>();
        if let Some(set) = &in_flight {
            set.0.borrow_mut().push(controller.clone());
        }
        Ok(Flight {
            signal: controller.signal(),
            controller,
            timed_out,
            in_flight,
            _timer: timer,
        })
    }

    /// Sends and reads the whole answer, both within the timeout.
    async fn exchange(self, request: Request) -> Result<Answer, ClientError> {
        let response = request.send().await.map_err(|_| self.failure())?;
        let status = response.status();
        let retry_after = response.headers().get("retry-after");
        let body = response.binary().await.map_err(|_| self.failure())?;
        Ok(Answer {
            status,
            retry_after,
            body,
        })
    }

    fn failure(&self) -> ClientError {
        if self.timed_out.get() {
            ClientError::Timeout
        } else if self.signal.aborted() {
            ClientError::Aborted
        } else {
            ClientError::Network
        }
    }
}

impl Drop for Flight {
    fn drop(&mut self) {
        if let Some(set) = &self.in_flight {
            set.0.borrow_mut().retain(|c| *c != self.controller);
        }
    }
}
