//! The public queue (`GET /queue`), its event stream, and delay notices.

use crate::queue::LineId;
use crate::wait::WaitRange;
use crate::wire::wire_enum;
use serde::{Deserialize, Serialize};

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
    /// When the wait its holder was given at check-in ran out (Unix
    /// seconds): past it, the wait is longer than promised and a screen
    /// says so rather than showing the range as if nothing were wrong.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub promised_by: Option<i64>,
}

/// `GET /follow/{token}`: the public queue cut down to one ticket, for
/// the patient's phone. `queue.lines` holds only the ticket's line, with
/// only that ticket in it (in `waiting`, with its real position, or in
/// `calling`); the delay notices are the board's.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowedTicket {
    /// e.g. "A-017".
    pub ticket: String,
    pub queue: PublicQueue,
}

/// `POST /follow/end` (staff): end every phone link of a ticket.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EndFollow {
    /// The ticket's id (as in the staff queue).
    pub ticket: u64,
}

/// One Server-Sent Event on the queue stream: the queue changed to this
/// version. A client that sees a gap refetches the snapshot.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueChanged {
    pub version: u64,
}

wire_enum! {
    /// The names of the events on the live streams (`/queue/events`,
    /// `/staff/events`). Only `queue` carries data ([`QueueChanged`]); the
    /// others say "refetch" and carry `{}`.
    pub enum StreamEvent {
        /// The queue changed to a new version.
        Queue = "queue",
        /// Delay notices changed (both streams).
        Notices = "notices",
        /// Alerts changed (staff stream only).
        Alerts = "alerts",
        /// A phone link was ended (phone link streams only): refetch to
        /// learn whether it was this one.
        Link = "link",
    }
}
