//! Reception's calls: sign-in, the staff queue, actions, schedule imports.

use super::kiosk::Needs;
use super::queue::DelayNotice;
use crate::date::Date;
use crate::queue::{LineId, TicketState};
use serde::{Deserialize, Serialize};

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
