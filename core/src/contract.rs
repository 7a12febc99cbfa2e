//! The Waitwell HTTP contract (`/api/v1`, JSON): every request and response
//! body, defined once for the app and the server.
//!
//! Decoders are strict where a mistake would matter (unknown fields in what a
//! kiosk sends are refused) and every field that reaches a screen is bounded.

use crate::date::Date;
use crate::queue::LineId;
use crate::wait::WaitRange;
use serde::{Deserialize, Serialize};

/// Where the contract lives on a server.
pub const API_PREFIX: &str = "/api/v1";
/// The header that makes a creating POST safe to retry.
pub const IDEMPOTENCY_KEY_HEADER: &str = "Idempotency-Key";
/// The header naming the kiosk that sends a request (rate limits, heartbeat).
pub const DEVICE_HEADER: &str = "X-Waitwell-Device";

/// Every error body: a stable machine-readable code and a human message.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    pub code: String,
    pub message: String,
    /// Seconds until trying again makes sense (lockouts, rate limits).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_seconds: Option<u64>,
}

/// What a kiosk needs to know about the site.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteConfig {
    pub clinic_name: String,
    /// Locale tags offered on the kiosk, first is the default.
    pub languages: Vec<String>,
    pub lines: Vec<LineConfig>,
    pub rooms: Vec<String>,
    pub arrival_window: ArrivalWindow,
    pub idle: IdleTimings,
    /// The line walk-ins join.
    pub walk_in_line: LineId,
    /// Reason categories a walk-in chooses from.
    pub walk_in_reasons: Vec<String>,
    pub survey: SurveyConfig,
    /// The needs questions asked after identification (none: skipped).
    #[serde(default)]
    pub questions: CheckInQuestions,
    /// The board chimes and speaks each call (the visual call never
    /// depends on it).
    #[serde(default = "default_true")]
    pub board_audio: bool,
    /// Reception is told to check back with anyone waiting this long.
    #[serde(default = "default_wait_alert_minutes")]
    pub wait_alert_minutes: u32,
    /// How the board lays out the queue.
    #[serde(default)]
    pub board_layout: BoardLayout,
}

/// The board's layout: a column per line, or everything in one list.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BoardLayout {
    #[default]
    Lines,
    Single,
}

fn default_true() -> bool {
    true
}

fn default_wait_alert_minutes() -> u32 {
    30
}

/// The needs questions a check-in kiosk asks, one per screen, in this order:
/// interpreter, mobility help, contact details changed.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CheckInQuestions {
    /// Languages an interpreter can be booked for, as patients read them
    /// (e.g. "Polski"); empty: the interpreter question is not asked.
    pub interpreter_languages: Vec<String>,
    pub ask_mobility: bool,
    pub ask_contact_changed: bool,
}

/// A service line as configured.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineConfig {
    pub id: LineId,
    pub name: String,
    /// Rooms serving this line at once (for wait estimates).
    pub servers: u32,
}

/// How early and how late a patient may check in for an appointment.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArrivalWindow {
    pub minutes_before: u32,
    pub minutes_after: u32,
}

/// Idle reset on the patient surfaces.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdleTimings {
    /// Inactivity before the "are you still there?" warning.
    pub warn_after_seconds: u32,
    /// The warning's countdown (WCAG 2.2.1: at least 20 s).
    pub countdown_seconds: u32,
}

/// How a patient identifies at the kiosk.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case", deny_unknown_fields)]
pub enum IdentifyRequest {
    /// Last name as typed, and date of birth.
    Name {
        family_name: String,
        birth_date: Date,
    },
    /// The code from the appointment letter or QR code.
    Code { code: String },
}

/// The appointments that matched, in masked form only.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentifyResponse {
    pub matches: Vec<AppointmentHint>,
}

/// What the kiosk may show to let a patient confirm it is them: never a full
/// name, a birth date or a reason for the visit.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppointmentHint {
    /// Opaque reference to check in with; meaningless elsewhere.
    pub appointment: String,
    /// e.g. "M. G."
    pub initials: String,
    /// Local time, "HH:MM".
    pub time: String,
    /// The clinician's display name, e.g. "Dr. Lee".
    pub clinician: String,
    /// Already checked in: the existing ticket, so a second check-in is not
    /// offered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket: Option<String>,
}

/// Today's appointments as a kiosk keeps them for identifying patients while
/// the backend cannot be reached: salted hashes instead of names, birth
/// dates and codes, beside the masked hint (see [`crate::offline`]).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfflineIndex {
    /// The clinic day it is for, YYYY-MM-DD: useless on any other day.
    pub day: String,
    /// The salt of every hash in it (one per site and day).
    pub salt: String,
    pub appointments: Vec<IndexedAppointment>,
}

/// One appointment in the [`OfflineIndex`].
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexedAppointment {
    /// Salted SHA-256 (hex) of each surname key with the birth date.
    pub name_hashes: Vec<String>,
    /// Salted SHA-256 (hex) of the normalised appointment code.
    pub code_hash: String,
    pub hint: AppointmentHint,
}

/// Needs asked after identification; all optional.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Needs {
    /// The language an interpreter is needed for, if any.
    pub interpreter: Option<String>,
    pub mobility_help: bool,
    pub contact_changed: bool,
}

/// Checking in: an identified appointment, or a walk-in.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum CheckInRequest {
    Appointment {
        appointment: String,
        #[serde(default)]
        needs: Needs,
        /// When the patient checked in at the kiosk (Unix seconds), for a
        /// check-in that waited in the kiosk's outbox: the arrival window is
        /// judged at that time, not when the entry finally arrived.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        arrived_at: Option<i64>,
    },
    WalkIn {
        first_name: String,
        last_initial: String,
        reason: String,
        #[serde(default)]
        needs: Needs,
    },
}

/// The ticket a patient leaves with.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckInResponse {
    /// e.g. "A-017".
    pub ticket: String,
    pub line: LineId,
    /// 1 = next to be called.
    pub position: u32,
    pub wait: WaitRange,
    pub queue_version: u64,
}

/// The public queue: ticket codes only. Safe for a wall screen.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicQueue {
    pub version: u64,
    /// RFC 3339 time of the last change.
    pub updated_at: String,
    pub lines: Vec<PublicLine>,
    /// Delay notices posted by staff, oldest first.
    #[serde(default)]
    pub notices: Vec<DelayNotice>,
}

/// "Dr. Lee is running about 20 minutes late": shown on the board in each
/// language, so it is a clinician and a number rather than free text.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DelayNotice {
    pub id: i64,
    /// The clinician's display name, e.g. "Dr. Lee".
    pub clinician: String,
    /// About how late, in minutes (5 to 240).
    pub minutes: u32,
}

/// Posting a delay notice (staff).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewDelayNotice {
    pub clinician: String,
    pub minutes: u32,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicLine {
    pub id: LineId,
    pub name: String,
    /// Tickets called and not yet served, most recent first.
    pub calling: Vec<CalledTicket>,
    /// Waiting tickets in order.
    pub waiting: Vec<WaitingTicket>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalledTicket {
    pub ticket: String,
    pub room: String,
    /// Times called (a recall counts up), so a board can announce a recall.
    #[serde(default)]
    pub calls: u32,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaitingTicket {
    pub ticket: String,
    pub position: u32,
    pub wait: WaitRange,
}

/// One Server-Sent Event on the queue stream: the queue changed to this
/// version. A client that sees a gap refetches the snapshot.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueChanged {
    pub version: u64,
}

/// Staff sign-in.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaffSignIn {
    pub pin: String,
}

/// A staff session's state (the session itself is an HttpOnly cookie).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffSession {
    /// The session ends after this many seconds without a staff request.
    pub idle_seconds: u64,
}

/// The staff view of the queue: adds who is waiting and what they need.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffQueue {
    pub version: u64,
    pub updated_at: String,
    pub tickets: Vec<StaffTicket>,
    /// Counters for today.
    pub today: DayCounters,
    /// The delay notices on the board now.
    #[serde(default)]
    pub notices: Vec<DelayNotice>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffTicket {
    /// The queue's id for actions.
    pub id: u64,
    pub ticket: String,
    pub line: LineId,
    /// "waiting", "called", "served" or "no_show".
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub room: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<u32>,
    /// Full name for an appointment, "Ana G." for a walk-in.
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub walk_in_reason: Option<String>,
    pub needs: Needs,
    /// RFC 3339.
    pub checked_in_at: String,
    /// Local "HH:MM" of the appointment, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub appointment_time: Option<String>,
    /// Minutes since check-in (until called, for called tickets).
    pub waited_minutes: u32,
    /// Minutes after the appointment time the patient arrived (0 if on time).
    pub late_minutes: u32,
    pub calls: u32,
}

/// Today's counters at reception.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct DayCounters {
    pub waiting: u32,
    pub seen: u32,
    pub no_shows: u32,
    /// Minutes from check-in to call, over today's called tickets.
    pub average_wait_minutes: u32,
    pub p90_wait_minutes: u32,
}

/// What a queue action did.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionResult {
    pub ticket: String,
    pub status: String,
    pub version: u64,
}

/// A kiosk's periodic report of itself.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Heartbeat {
    pub device: String,
    pub surface: crate::Surface,
    pub app_version: String,
    /// Entries waiting in the device's outbox.
    pub outbox_backlog: u32,
    /// Entries the server refused, kept on the device for staff.
    #[serde(default)]
    pub outbox_parked: u32,
    /// The device cannot store new entries (storage full or unavailable):
    /// it is refusing check-ins until someone looks at it.
    #[serde(default)]
    pub storage_failed: bool,
    /// RFC 3339 time of the device's last successful sync, if any.
    #[serde(default)]
    pub last_sync: Option<String>,
    /// The parked entries themselves (what and why, never who), so that
    /// reception can deal with them. At most [`MAX_PARKED_REPORTED`].
    #[serde(default)]
    pub parked: Vec<ParkedWrite>,
}

/// How many parked entries one heartbeat may list.
pub const MAX_PARKED_REPORTED: usize = 50;

/// What a patient's write was.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WriteKind {
    CheckIn,
    Survey,
}

/// A write the server refused, parked on its device until staff decide.
/// It carries no personal data: no name, birth date, answer or comment.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParkedWrite {
    /// The write's idempotency key: staff decisions name it.
    pub key: String,
    pub kind: WriteKind,
    /// RFC 3339 time the patient made it.
    pub created_at: String,
    /// HTTP status of the refusal; 0 when the answer could not be read.
    pub status: u16,
    /// The error code the server refused it with, if it gave one.
    #[serde(default)]
    pub code: String,
}

/// What staff decided about a parked write.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParkedDecision {
    /// The cause is fixed: send it again.
    Retry,
    /// Staff dealt with the patient another way: delete it from the device.
    Resolved,
}

impl ParkedDecision {
    /// Its name in the contract (and in storage).
    pub fn as_str(self) -> &'static str {
        match self {
            ParkedDecision::Retry => "retry",
            ParkedDecision::Resolved => "resolved",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        [ParkedDecision::Retry, ParkedDecision::Resolved]
            .into_iter()
            .find(|d| d.as_str() == name)
    }
}

/// `POST /devices/{device}/parked/{key}` (staff).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParkedDecisionRequest {
    pub decision: ParkedDecision,
}

/// A staff decision waiting for its device to carry it out.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParkedOrder {
    pub key: String,
    pub decision: ParkedDecision,
}

/// The answer to a heartbeat: what staff decided about the device's parked
/// writes since (repeated until the device stops reporting them).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeartbeatReply {
    #[serde(default)]
    pub orders: Vec<ParkedOrder>,
}

/// A device as reception sees it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceStatus {
    pub device: String,
    pub surface: crate::Surface,
    pub app_version: String,
    pub outbox_backlog: u32,
    #[serde(default)]
    pub outbox_parked: u32,
    #[serde(default)]
    pub storage_failed: bool,
    #[serde(default)]
    pub last_sync: Option<String>,
    /// RFC 3339 time of the last heartbeat.
    pub last_seen: String,
    /// Set when no heartbeat came for a while: RFC 3339 of the last one.
    #[serde(default)]
    pub offline_since: Option<String>,
    /// The parked writes the device last reported.
    #[serde(default)]
    pub parked: Vec<ParkedWrite>,
    /// Staff decisions the device has not carried out yet.
    #[serde(default)]
    pub orders: Vec<ParkedOrder>,
}

/// One appointment of a clinic's schedule, as imported (JSON, or one CSV
/// row with these column names).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportedAppointment {
    /// Local start time, "HH:MM".
    pub starts_at: String,
    pub family_name: String,
    pub given_name: String,
    pub birth_date: Date,
    /// Display name, e.g. "Dr. Lee".
    pub clinician: String,
    pub line: LineId,
    /// The code on the appointment letter; made up when absent.
    #[serde(default)]
    pub code: Option<String>,
    /// The source system's id, if it has one.
    #[serde(default)]
    pub external_id: Option<String>,
}

/// A day's schedule (JSON import). Appointments are matched to those already
/// stored by code: present ones are updated, new ones added.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppointmentImport {
    /// The clinic day; today when absent.
    #[serde(default)]
    pub day: Option<Date>,
    pub appointments: Vec<ImportedAppointment>,
}

/// What an import did.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportResult {
    pub day: Date,
    pub added: u32,
    pub updated: u32,
}

/// The themes of good patient service, for "what could be better" and
/// "what went well".
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    WaitingTime,
    KeptInformed,
    StaffKindness,
    ExplanationOfCare,
    Cleanliness,
    EaseOfCheckIn,
}

impl Theme {
    pub const ALL: [Theme; 6] = [
        Theme::WaitingTime,
        Theme::KeptInformed,
        Theme::StaffKindness,
        Theme::ExplanationOfCare,
        Theme::Cleanliness,
        Theme::EaseOfCheckIn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Theme::WaitingTime => "waiting_time",
            Theme::KeptInformed => "kept_informed",
            Theme::StaffKindness => "staff_kindness",
            Theme::ExplanationOfCare => "explanation_of_care",
            Theme::Cleanliness => "cleanliness",
            Theme::EaseOfCheckIn => "ease_of_check_in",
        }
    }
}

/// A member of staff a patient can thank.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffMember {
    pub id: String,
    pub name: String,
}

/// Which survey follow-ups the site asks.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SurveyConfig {
    pub ask_recommend: bool,
    pub ask_themes: bool,
    pub ask_comment: bool,
    /// Staff a patient can thank (none: the question is skipped).
    pub staff: Vec<StaffMember>,
    /// Seconds between two responses on one device.
    pub cooldown_seconds: u32,
}

/// An exit-survey response. Sent after the first tap and again, whole, after
/// each follow-up, under the same client-made id (`PUT /surveys/{id}`).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SurveyResponse {
    /// 1 very unhappy … 4 very happy (no neutral face).
    pub rating: u8,
    /// Likelihood to recommend, 0–10.
    #[serde(default)]
    pub recommend: Option<u8>,
    #[serde(default)]
    pub better: Vec<Theme>,
    #[serde(default)]
    pub went_well: Vec<Theme>,
    #[serde(default)]
    pub comment: Option<String>,
    /// Id of the staff member thanked.
    #[serde(default)]
    pub thanks: Option<String>,
    /// After a low rating: would they like someone to talk to them?
    #[serde(default)]
    pub talk_to_someone: bool,
    /// Only if the patient chooses to give it.
    #[serde(default)]
    pub first_name: Option<String>,
}

/// Something reception should act on now.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alert {
    pub id: i64,
    /// "talk_to_me" (an unhappy patient is still here) or "thanks".
    pub kind: String,
    /// RFC 3339.
    pub raised_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// For thanks: who was thanked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub staff_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acknowledged_at: Option<String>,
}

/// Insights for a period (inclusive days).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Insights {
    pub from: Date,
    pub to: Date,
    pub responses: u32,
    /// Share of the two happy faces, 0–1; none without responses.
    pub happy_index: Option<f64>,
    pub nps: Option<i32>,
    pub better: Vec<ThemeCount>,
    pub went_well: Vec<ThemeCount>,
    /// Newest first.
    pub comments: Vec<Comment>,
    pub thanks: Vec<ThanksCount>,
    pub alerts_raised: u32,
    pub alerts_acknowledged: u32,
    pub median_ack_minutes: Option<u32>,
    pub average_wait_minutes: Option<u32>,
    pub p90_wait_minutes: Option<u32>,
    pub left_without_being_seen: u32,
    pub daily: Vec<PeriodPoint>,
    /// Local hour of day 0–23.
    pub by_hour: Vec<PeriodPoint>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThemeCount {
    pub theme: Theme,
    pub count: u32,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comment {
    pub at: String,
    pub rating: u8,
    pub text: String,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThanksCount {
    pub staff: String,
    pub count: u32,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeriodPoint {
    /// A day (YYYY-MM-DD) or an hour ("09").
    pub label: String,
    pub responses: u32,
    pub happy_index: Option<f64>,
}

/// Limits on what a kiosk may send.
pub mod limits {
    pub const FAMILY_NAME_CHARS: usize = crate::names::MAX_NAME_CHARS;
    pub const APPOINTMENT_CODE_CHARS: usize = 12;
    pub const FIRST_NAME_CHARS: usize = 40;
    pub const REASON_CHARS: usize = 60;
    pub const LANGUAGE_CHARS: usize = 40;
    /// Largest request body the API reads.
    pub const BODY_BYTES: usize = 64 * 1024;
    /// Largest schedule import (JSON or CSV).
    pub const IMPORT_BYTES: usize = 2 * 1024 * 1024;
    /// Most appointments in one import.
    pub const IMPORT_ROWS: usize = 5000;
    pub const CLINICIAN_CHARS: usize = 60;
    pub const EXTERNAL_ID_CHARS: usize = 64;
    pub const COMMENT_CHARS: usize = 500;
    /// Delay notices: at least this late to be worth saying, at most this.
    pub const DELAY_MINUTES: std::ops::RangeInclusive<u32> = 5..=240;
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_parked_decision_is_named_as_serde_names_it() {
        for d in [ParkedDecision::Retry, ParkedDecision::Resolved] {
            assert_eq!(serde_json::to_value(d).unwrap(), d.as_str());
            assert_eq!(ParkedDecision::parse(d.as_str()), Some(d));
        }
        assert_eq!(ParkedDecision::parse("forget"), None);
    }

    #[test]
    fn identify_requests_decode_and_refuse_extras() {
        let by_name: IdentifyRequest = serde_json::from_str(
            r#"{"method":"name","family_name":"García","birth_date":"1980-02-29"}"#,
        )
        .unwrap();
        assert!(matches!(by_name, IdentifyRequest::Name { .. }));
        for bad in [
            r#"{"method":"name","family_name":"x","birth_date":"1981-02-29"}"#,
            r#"{"method":"name","family_name":"x"}"#,
            r#"{"method":"code","code":"AB12","patient":"x"}"#,
            r#"{"method":"guess"}"#,
            r#"[]"#,
        ] {
            assert!(
                serde_json::from_str::<IdentifyRequest>(bad).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn check_in_needs_default_to_none() {
        let req: CheckInRequest =
            serde_json::from_str(r#"{"kind":"appointment","appointment":"abc"}"#).unwrap();
        assert_eq!(
            req,
            CheckInRequest::Appointment {
                appointment: "abc".into(),
                needs: Needs::default(),
                arrived_at: None,
            }
        );
    }

    proptest! {
        /// No decoder of the contract panics on any bytes.
        #[test]
        fn decoders_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
            let _ = serde_json::from_slice::<IdentifyRequest>(&bytes);
            let _ = serde_json::from_slice::<CheckInRequest>(&bytes);
            let _ = serde_json::from_slice::<IdentifyResponse>(&bytes);
            let _ = serde_json::from_slice::<CheckInResponse>(&bytes);
            let _ = serde_json::from_slice::<OfflineIndex>(&bytes);
            let _ = serde_json::from_slice::<PublicQueue>(&bytes);
            let _ = serde_json::from_slice::<SiteConfig>(&bytes);
            let _ = serde_json::from_slice::<QueueChanged>(&bytes);
            let _ = serde_json::from_slice::<ApiError>(&bytes);
            let _ = serde_json::from_slice::<StaffSignIn>(&bytes);
            let _ = serde_json::from_slice::<StaffQueue>(&bytes);
            let _ = serde_json::from_slice::<ActionResult>(&bytes);
            let _ = serde_json::from_slice::<Heartbeat>(&bytes);
            let _ = serde_json::from_slice::<DeviceStatus>(&bytes);
            let _ = serde_json::from_slice::<HeartbeatReply>(&bytes);
            let _ = serde_json::from_slice::<ParkedDecisionRequest>(&bytes);
            let _ = serde_json::from_slice::<AppointmentImport>(&bytes);
            let _ = serde_json::from_slice::<ImportResult>(&bytes);
            let _ = serde_json::from_slice::<SurveyResponse>(&bytes);
            let _ = serde_json::from_slice::<Alert>(&bytes);
            let _ = serde_json::from_slice::<Insights>(&bytes);
            let _ = serde_json::from_slice::<crate::queue::Action>(&bytes);
        }
    }
}
