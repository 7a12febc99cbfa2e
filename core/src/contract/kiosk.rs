//! The check-in kiosk's calls: identify, check in, and the offline index.

use crate::date::Date;
use crate::queue::LineId;
use crate::wait::WaitRange;
use serde::{Deserialize, Serialize};

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
    /// Tells the hints of one answer apart ("1", "2", …); it refers to
    /// nothing on the server: a check-in sends the identity again.
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
    /// The line its ticket joins: which of its lease's numbers a kiosk
    /// gives while offline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<LineId>,
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
    /// How its hashes are made ([`crate::offline::INDEX_HASH`]); a kiosk
    /// uses an index keyed its own way only.
    #[serde(default)]
    pub hash: String,
    pub appointments: Vec<IndexedAppointment>,
}

/// One appointment in the [`OfflineIndex`].
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexedAppointment {
    /// Keyed hash (argon2id, hex) of each surname key with the birth date.
    pub name_hashes: Vec<String>,
    /// Keyed hash (argon2id, hex) of the normalised appointment code.
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
        /// What the patient typed to find the appointment, sent again: the
        /// server finds it itself, so a kiosk can only check in someone it
        /// identified (also from its offline index, while offline).
        identity: IdentifyRequest,
        /// Which of the matches the patient confirmed: its time ("HH:MM")
        /// and clinician, as the hint showed them.
        time: String,
        clinician: String,
        #[serde(default)]
        needs: Needs,
        /// When the patient checked in at the kiosk (Unix seconds), for a
        /// check-in that waited in the kiosk's outbox: the arrival window is
        /// judged at that time, not when the entry finally arrived.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        arrived_at: Option<i64>,
        /// The code this kiosk gave the patient from its lease while it was
        /// offline (e.g. "A-013"): the ticket gets it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        leased: Option<String>,
    },
    WalkIn {
        first_name: String,
        last_initial: String,
        reason: String,
        #[serde(default)]
        needs: Needs,
        /// As for an appointment.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        leased: Option<String>,
    },
}

impl CheckInRequest {
    /// The leased code the patient was given, if any.
    pub fn leased(&self) -> Option<&str> {
        match self {
            CheckInRequest::Appointment { leased, .. } | CheckInRequest::WalkIn { leased, .. } => {
                leased.as_deref()
            }
        }
    }

    /// Gives the check-in the leased code the patient was given.
    pub fn set_leased(&mut self, code: Option<String>) {
        match self {
            CheckInRequest::Appointment { leased, .. } | CheckInRequest::WalkIn { leased, .. } => {
                *leased = code;
            }
        }
    }
}

/// The ticket numbers an enrolled check-in kiosk holds for today, to give
/// patients real codes while it cannot reach the server. `POST
/// /devices/lease` tops it up to [`TICKET_LEASE`] unused numbers per line
/// and answers all of this kiosk's unused ones.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketLease {
    /// The clinic day they are for ("YYYY-MM-DD"): never used on another.
    pub day: String,
    /// Unused codes, e.g. "A-011", in the order to give them.
    pub codes: Vec<String>,
}

/// How many unused ticket numbers per line a check-in kiosk holds.
pub const TICKET_LEASE: u16 = 10;
/// The most numbers one kiosk is leased per line and day, used or not.
pub const TICKET_LEASE_DAILY: u16 = 200;

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
    /// A link for the patient's own phone to follow this ticket (shown as
    /// a QR code on the ticket screen); absent where the site turned links
    /// off, and for an answer that found an existing ticket.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follow: Option<FollowLink>,
}

/// A ticket's phone link: `GET /follow/{token}` answers that one ticket's
/// place, and nothing else, until the end of the day, the ticket is
/// finished, or reception ends the link.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowLink {
    /// 32 hex digits (128 random bits).
    pub token: String,
    /// The page a phone opens: `{phone address}/t/{token}`.
    pub url: String,
}
