//! What every surface reads at start-up: the site's settings (`GET /config`).

use super::survey::SurveyConfig;
use crate::queue::LineId;
use serde::{Deserialize, Serialize};

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
