//! Reception's calls: sign-in, the staff queue, actions, schedule imports.

use super::kiosk::Needs;
use super::queue::DelayNotice;
use crate::date::Date;
use crate::queue::{LineId, TicketState};
use serde::{Deserialize, Serialize};

/// Staff sign-in: a person's own account name and passphrase (accounts are
/// made with `waitwell-server staff add NAME`).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaffSignIn {
    pub name: String,
    pub passphrase: String,
}

impl std::fmt::Debug for StaffSignIn {
    /// Never prints the passphrase (a log line or a panic message).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StaffSignIn")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// A personal PIN: set by a signed-in person for themselves, or typed to
/// unlock their idle-locked session at an enrolled reception desk.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaffPin {
    pub pin: String,
}

impl std::fmt::Debug for StaffPin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StaffPin { .. }")
    }
}

/// A signed-in person's new passphrase of their own choosing, and their
/// current one, which proves it is them (not a colleague at a screen left
/// signed in). Both are compared and stored with the spaces at either end
/// trimmed, as a sign-in trims what is typed.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaffPassphrase {
    pub current: String,
    pub new: String,
}

impl std::fmt::Debug for StaffPassphrase {
    /// Never prints either passphrase (a log line or a panic message).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StaffPassphrase { .. }")
    }
}

/// What a staff account may do: staff run the queue; managers also read
/// insights' access log.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StaffRole {
    Staff,
    Manager,
}

impl StaffRole {
    pub const fn as_str(self) -> &'static str {
        match self {
            StaffRole::Staff => "staff",
            StaffRole::Manager => "manager",
        }
    }

    pub fn parse(text: &str) -> Option<StaffRole> {
        match text {
            "staff" => Some(StaffRole::Staff),
            "manager" => Some(StaffRole::Manager),
            _ => None,
        }
    }
}

/// Whether a session may be used now, or waits for its owner's PIN.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionState {
    Active,
    /// Idle too long: locked until its owner types their PIN at this
    /// enrolled reception desk (or signs in again).
    Locked,
}

/// A staff session's state (the session itself is an HttpOnly cookie).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffSession {
    /// The session locks after this many seconds without a staff request.
    pub idle_seconds: u64,
    /// The account's name, as staff see it ("Signed in as …").
    pub name: String,
    pub role: StaffRole,
    pub state: SessionState,
    /// The account has a personal PIN.
    pub pin_set: bool,
    /// This browser is an enrolled reception desk: an idle lock can be
    /// undone with the PIN here (elsewhere, idling means signing in again).
    pub desk: bool,
}

impl StaffSession {
    /// Whether an idle lock could be undone by PIN in this browser.
    pub fn unlock_by_pin(&self) -> bool {
        self.pin_set && self.desk
    }
}

/// What a staff member did, in the access log.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccessAction {
    SignedIn,
    SignedOut,
    UnlockedByPin,
    /// Five wrong PINs ended the session.
    PinLockout,
    PinSet,
    /// The person chose a new passphrase (their other sessions ended).
    PassphraseChanged,
    DeskEnrolled,
    /// A queue action (detail: the action and ticket code).
    QueueAction,
    WalkInAdded,
    ScheduleImported,
    DeviceApproved,
    DeviceRevoked,
    ParkedDecision,
    NoticePosted,
    NoticeCleared,
    /// Reception ended a ticket's phone links.
    FollowEnded,
    AlertAcknowledged,
    InsightsViewed,
    InsightsExported,
    AccessLogViewed,
    /// Accounts changed on the server's command line.
    AccountAdded,
    AccountReset,
    AccountDisabled,
    AccountEnabled,
    /// An action this build does not know (a newer server's).
    #[serde(other)]
    Unknown,
}

/// One line of the access log: who did what, when. No patient's name or
/// birth date: a ticket code, a count, a tablet's name at most.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessEntry {
    /// When, in the clinic's time (RFC 3339 with offset).
    pub at: String,
    /// The account's name.
    pub name: String,
    pub action: AccessAction,
    #[serde(default)]
    pub detail: String,
}

/// The access log, newest first.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessLog {
    pub entries: Vec<AccessEntry>,
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
    /// How the link to the clinic's EHR stands (with a FHIR schedule only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ehr: Option<EhrStatus>,
}

/// The link to the clinic's EHR, as reception sees it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct EhrStatus {
    /// Arrivals, calls and no-shows not yet written to the EHR.
    pub unsent: u32,
    /// RFC 3339: when the oldest of them happened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oldest_unsent_at: Option<String>,
    /// The oldest has waited longer than the site allows
    /// (`fhir.alert_after_minutes`).
    pub alert: bool,
    /// RFC 3339: the last time today's schedule was read from the EHR.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule_read_at: Option<String>,
    /// RFC 3339: since when reading it fails (absent while it works).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failing_since: Option<String>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffTicket {
    /// The queue's id for actions.
    pub id: u64,
    pub ticket: String,
    pub line: LineId,
    pub status: TicketState,
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
    /// A phone follows this ticket through a live link (reception can end
    /// it).
    #[serde(default)]
    pub phone_link: bool,
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
    pub status: TicketState,
    pub version: u64,
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

/// Digits in a personal PIN.
pub const PIN_DIGITS: std::ops::RangeInclusive<usize> = 4..=8;

/// Whether `pin` can be a personal PIN: 4 to 8 ASCII digits.
pub fn valid_pin(pin: &str) -> bool {
    PIN_DIGITS.contains(&pin.len()) && pin.bytes().all(|b| b.is_ascii_digit())
}

/// Characters in a passphrase a person chooses (trimmed): long enough to
/// resist guessing at the sign-in's limits, short enough that hashing it
/// costs the server no more than any other.
pub const PASSPHRASE_CHARS: std::ops::RangeInclusive<usize> = 12..=256;

/// Whether `new` (as typed) can replace `current`: 12 to 256 characters
/// once trimmed, and not the current passphrase. The page asks before it
/// sends; the server asks again.
pub fn valid_new_passphrase(current: &str, new: &str) -> bool {
    let new = new.trim();
    PASSPHRASE_CHARS.contains(&new.chars().count()) && new != current.trim()
}
