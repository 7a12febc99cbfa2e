//! Enrolled tablets reporting themselves, and staff decisions about their parked writes.

use crate::wire::wire_enum;
use serde::{Deserialize, Serialize};

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
