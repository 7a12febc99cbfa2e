//! Enrolled tablets reporting themselves, and staff decisions about their parked writes.

use crate::wire::wire_enum;
use serde::{Deserialize, Serialize};

/// A tablet asking to be enrolled (`POST /devices/pair`): the role it
/// is being set up for. Staff confirm or change it when they approve.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PairRequest {
    pub role: crate::Surface,
}

wire_enum! {
    /// Where a tablet's enrollment stands.
    pub enum EnrollmentStatus {
        /// Never paired, its code expired, or revoked: pair (again).
        NotEnrolled = "not_enrolled",
        /// Paired, waiting for staff to approve its code.
        Pending = "pending",
        /// Approved: it may do what its role allows.
        Enrolled = "enrolled",
    }
}

/// A tablet's enrollment as the tablet itself sees it (`POST /devices/pair`,
/// `GET /devices/me`). Its credential travels only in an `HttpOnly` cookie.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enrollment {
    pub status: EnrollmentStatus,
    /// While pending: the short code to read out to reception.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pairing_code: Option<String>,
    /// While pending: RFC 3339 time the code stops working.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    /// Once enrolled: the name staff gave it, e.g. "Entrance kiosk".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// What it paired or is enrolled for; none when not enrolled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<crate::Surface>,
}

impl Enrollment {
    /// The answer for a device that is not enrolled.
    pub fn not_enrolled() -> Self {
        Enrollment {
            status: EnrollmentStatus::NotEnrolled,
            pairing_code: None,
            expires_at: None,
            name: None,
            role: None,
        }
    }
}

/// Staff approve a waiting tablet by the code it shows (`POST
/// /devices/approve`), naming it and giving it its role.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApproveDevice {
    pub pairing_code: String,
    pub name: String,
    pub role: crate::Surface,
}

/// Pairing codes: this many characters from [`PAIRING_ALPHABET`].
pub const PAIRING_CODE_CHARS: usize = 6;
/// No 0/O, 1/I/L, 2/Z, 5/S, 8/B: easy to read out and type.
pub const PAIRING_ALPHABET: &[u8] = b"34679ACDEFGHJKMNPQRTUVWXY";
/// A device name's length.
pub const DEVICE_NAME_CHARS: usize = 40;

/// The code as typed at reception, tidied: spaces and dashes dropped,
/// letters in capitals. `None` when it cannot be a pairing code.
pub fn normalise_pairing_code(typed: &str) -> Option<String> {
    let code: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (code.len() == PAIRING_CODE_CHARS && code.bytes().all(|b| PAIRING_ALPHABET.contains(&b)))
        .then_some(code)
}

/// A kiosk's periodic report of itself. Which device it is comes from its
/// credential, never from the body.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Heartbeat {
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

wire_enum! {
    /// What a patient's write was.
    pub enum WriteKind {
        CheckIn = "check_in",
        Survey = "survey",
    }
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

wire_enum! {
    /// What staff decided about a parked write.
    pub enum ParkedDecision {
        /// The cause is fixed: send it again.
        Retry = "retry",
        /// Staff dealt with the patient another way: delete it from the device.
        Resolved = "resolved",
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
    /// The server-issued id (revoke and parked decisions name it).
    pub device: String,
    /// The name staff gave it.
    pub name: String,
    /// What it is enrolled for: check-in, board or survey.
    pub role: crate::Surface,
    /// The surface it last reported showing (its role until it reports).
    pub surface: crate::Surface,
    /// Empty until its first heartbeat.
    pub app_version: String,
    pub outbox_backlog: u32,
    #[serde(default)]
    pub outbox_parked: u32,
    #[serde(default)]
    pub storage_failed: bool,
    #[serde(default)]
    pub last_sync: Option<String>,
    /// RFC 3339 time of the last heartbeat (of the approval before one).
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairing_codes_are_tidied_and_checked() {
        assert_eq!(normalise_pairing_code("k7p-4qx").as_deref(), Some("K7P4QX"));
        assert_eq!(
            normalise_pairing_code(" K7P 4QX ").as_deref(),
            Some("K7P4QX")
        );
        assert_eq!(normalise_pairing_code("K7P4Q"), None, "too short");
        assert_eq!(normalise_pairing_code("K7P4QXX"), None, "too long");
        assert_eq!(normalise_pairing_code("K7P4Q0"), None, "0 is not used");
        assert_eq!(normalise_pairing_code("K7P4QÉ"), None);
    }
}
