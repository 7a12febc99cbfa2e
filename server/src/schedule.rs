//! Today's appointments as check-in sees them: the arrival window, masked
//! hints, and the refusal for an arrival outside the window.
//!
//! The seam for where the schedule lives: [`Schedule`]. Today's
//! appointments are always read from [`crate::store::appointments`]; a
//! schedule source keeps that table current ([`Schedule::refresh`]) and is
//! told of every queue change inside the change's own transaction
//! ([`Schedule::record`]), where a bridge to an EHR queues what it must
//! write back. [`Imported`] (a schedule imported into SQLite) needs
//! neither. Handlers never match on the kind of schedule.

use crate::error::AppError;
use crate::settings::Settings;
pub use crate::store::appointments::Appointment;
use axum::http::StatusCode;
use futures_util::future::{self, BoxFuture};
use jiff::Timestamp;
use sqlx::{SqliteConnection, SqlitePool};
use waitwell_core::contract::ErrorCode;
use waitwell_core::contract::{AppointmentHint, EhrStatus};
use waitwell_core::queue::{TicketId, TicketState};

/// A change of one ticket, as a schedule source hears of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueEvent {
    /// The clinic day, YYYY-MM-DD.
    pub day: String,
    pub ticket: TicketId,
    /// `None` for a new ticket (a check-in or a walk-in).
    pub before: Option<TicketState>,
    pub after: TicketState,
    /// The room it was called to, when it was.
    pub room: Option<String>,
}

/// Where today's appointments come from, and who else hears of arrivals,
/// calls and no-shows.
pub trait Schedule: Send + Sync + 'static {
    /// Brings today's appointments up to date from the source, when an
    /// identification found nothing (the appointment may be new there).
    /// Whether anything changed.
    fn refresh<'a>(
        &'a self,
        db: &'a SqlitePool,
        day: &'a str,
    ) -> BoxFuture<'a, Result<bool, AppError>>;

    /// Called inside the transaction of every queue change, after the change
    /// is stored: whatever the source must be told is written here, so it
    /// commits (or not) with the change.
    fn record<'a>(
        &'a self,
        tx: &'a mut SqliteConnection,
        event: &'a QueueEvent,
    ) -> BoxFuture<'a, Result<(), AppError>>;

    /// Called inside the transaction that stores an exit-survey response
    /// (a new one, or one a follow-up replaced whole).
    fn record_survey<'a>(
        &'a self,
        _tx: &'a mut SqliteConnection,
        _id: &'a str,
    ) -> BoxFuture<'a, Result<(), AppError>> {
        Box::pin(future::ready(Ok(())))
    }

    /// How the link to the source stands, for reception (`None`: there is
    /// no other system to be linked to).
    fn health<'a>(
        &'a self,
        _db: &'a SqlitePool,
    ) -> BoxFuture<'a, Result<Option<EhrStatus>, AppError>> {
        Box::pin(future::ready(Ok(None)))
    }
}

/// A schedule imported into SQLite (`POST /appointments/import`, the demo):
/// the table is the source, and nobody else needs telling.
#[derive(Debug, Default, Clone, Copy)]
pub struct Imported;

impl Schedule for Imported {
    fn refresh<'a>(
        &'a self,
        _: &'a SqlitePool,
        _: &'a str,
    ) -> BoxFuture<'a, Result<bool, AppError>> {
        Box::pin(future::ready(Ok(false)))
    }

    fn record<'a>(
        &'a self,
        _: &'a mut SqliteConnection,
        _: &'a QueueEvent,
    ) -> BoxFuture<'a, Result<(), AppError>> {
        Box::pin(future::ready(Ok(())))
    }
}

/// Where now falls relative to an appointment's arrival window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrival {
    TooEarly { opens_at: Timestamp },
    InWindow,
    TooLate,
}

impl Appointment {
    /// The appointment's start as an instant in the clinic's zone.
    pub fn start(&self, settings: &Settings, day: &str) -> Result<Timestamp, AppError> {
        crate::clock::local_instant(&settings.time_zone, day, &self.starts_at)
            .ok_or_else(|| AppError::Corrupt(format!("appointment {} start", self.id)))
    }

    pub fn arrival(
        &self,
        settings: &Settings,
        day: &str,
        now: Timestamp,
    ) -> Result<Arrival, AppError> {
        self.arrival_at(settings, day, now)
    }

    /// Where `now` falls relative to the arrival window.
    pub fn arrival_at(
        &self,
        settings: &Settings,
        day: &str,
        now: Timestamp,
    ) -> Result<Arrival, AppError> {
        let window = settings.site.arrival_window;
        let start = self.start(settings, day)?;
        let opens_at = start - jiff::SignedDuration::from_mins(i64::from(window.minutes_before));
        let closes_at = start + jiff::SignedDuration::from_mins(i64::from(window.minutes_after));
        Ok(if now < opens_at {
            Arrival::TooEarly { opens_at }
        } else if now > closes_at {
            Arrival::TooLate
        } else {
            Arrival::InWindow
        })
    }

    /// What a kiosk may show: initials, time, clinician; `label` tells it
    /// apart from the other hints of the same answer.
    pub fn hint(&self, label: usize, ticket: Option<String>) -> AppointmentHint {
        AppointmentHint {
            appointment: label.to_string(),
            initials: initials(&self.given_name, &self.family_name),
            time: self.starts_at.clone(),
            clinician: self.clinician.clone(),
            ticket,
            line: crate::store::tickets::parse_line(&self.line_id),
        }
    }
}

/// "María García López" → "M. G."
pub fn initials(given: &str, family: &str) -> String {
    [given, family]
        .iter()
        .filter_map(|name| name.trim().chars().next())
        .map(|c| format!("{}.", c.to_uppercase()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The refusal for an appointment outside its window.
pub fn outside_window(arrival: Arrival, settings: &Settings) -> AppError {
    match arrival {
        Arrival::TooEarly { opens_at } => {
            let local = opens_at.to_zoned(settings.time_zone.clone());
            AppError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::TooEarly,
                format!(
                    "check-in for this appointment opens at {}",
                    local.strftime("%H:%M")
                ),
            )
        }
        Arrival::TooLate | Arrival::InWindow => AppError::unprocessable(
            ErrorCode::TooLate,
            "this appointment's check-in time has passed: please see reception",
        ),
    }
}

/// An appointment code as typed: spaces and hyphens dropped, upper case.
pub use waitwell_core::checkin::normalise_code;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initials_are_upper_case_letters_with_dots() {
        assert_eq!(initials("maría", "García López"), "M. G.");
        assert_eq!(initials(" ", "Ōta"), "Ō.");
        assert_eq!(initials("", ""), "");
    }

    #[test]
    fn codes_are_normalised_and_bounded() {
        assert_eq!(normalise_code(" ab-12 cd "), Some("AB12CD".into()));
        assert_eq!(normalise_code("ab1"), None);
        assert_eq!(normalise_code("ABCDEFGHIJKLM"), None);
        assert_eq!(normalise_code("AB12<>"), None);
        assert_eq!(normalise_code("ÄB12"), None);
    }
}
