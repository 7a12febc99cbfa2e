//! What every surface reads at start-up: the site's settings (`GET /config`).

use super::survey::SurveyConfig;
use crate::queue::LineId;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A name's translations by language tag (`"es"`, `"ar"`), beside its
/// default.
pub type Translations = BTreeMap<String, String>;

/// What a kiosk needs to know about the site.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteConfig {
    pub clinic_name: String,
    /// Locale tags offered on the kiosk, first is the default.
    pub languages: Vec<String>,
    pub lines: Vec<LineConfig>,
    /// Rooms by their (default) name: what staff call a ticket to.
    pub rooms: Vec<String>,
    /// Room names in other languages, by room: `{"Room 1": {"es": "Sala 1"}}`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub room_names: BTreeMap<String, Translations>,
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
    /// The name in other languages: `{"es": "Citas"}`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub names: Translations,
    /// Rooms serving this line at once (for wait estimates).
    pub servers: u32,
}

impl SiteConfig {
    /// A line's name in `language` (a locale tag such as `es` or `es-MX`),
    /// else its default name; `None` for a line the site does not have.
    pub fn line_name(&self, id: LineId, language: &str) -> Option<&str> {
        let line = self.lines.iter().find(|l| l.id == id)?;
        Some(translated(&line.names, language).unwrap_or(&line.name))
    }

    /// A room's name in `language`, else the room as staff named it.
    pub fn room_name<'a>(&'a self, room: &'a str, language: &str) -> &'a str {
        self.room_names
            .get(room)
            .and_then(|names| translated(names, language))
            .unwrap_or(room)
    }
}

/// The translation for `language`: its exact tag, else its primary
/// language (`es` for `es-MX`).
fn translated<'a>(names: &'a Translations, language: &str) -> Option<&'a str> {
    let primary = language.split(['-', '_']).next().unwrap_or(language);
    names
        .get(language)
        .or_else(|| names.get(primary))
        .map(String::as_str)
        .filter(|name| !name.trim().is_empty())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_translated_with_a_fallback() {
        let json = r#"{
            "clinic_name": "C", "languages": ["en", "es", "ar"],
            "lines": [{"id": "A", "name": "Appointments", "names": {"es": "Citas"}, "servers": 1},
                      {"id": "W", "name": "Walk-in", "servers": 1}],
            "rooms": ["Room 1", "Room 2"],
            "room_names": {"Room 1": {"es": "Sala 1", "ar": "الغرفة 1"}},
            "arrival_window": {"minutes_before": 30, "minutes_after": 15},
            "idle": {"warn_after_seconds": 60, "countdown_seconds": 30},
            "walk_in_line": "W", "walk_in_reasons": ["other"],
            "survey": {"ask_recommend": false, "ask_themes": false, "ask_comment": false, "staff": [], "cooldown_seconds": 20}
        }"#;
        let site: SiteConfig = serde_json::from_str(json).unwrap();
        let a = LineId::new('A').unwrap();
        let w = LineId::new('W').unwrap();
        assert_eq!(site.line_name(a, "es"), Some("Citas"));
        assert_eq!(site.line_name(a, "es-MX"), Some("Citas"));
        assert_eq!(site.line_name(a, "ar"), Some("Appointments"));
        assert_eq!(site.line_name(w, "es"), Some("Walk-in"));
        assert_eq!(site.line_name(LineId::new('Z').unwrap(), "es"), None);
        assert_eq!(site.room_name("Room 1", "ar"), "الغرفة 1");
        assert_eq!(site.room_name("Room 1", "en"), "Room 1");
        assert_eq!(site.room_name("Room 2", "es"), "Room 2");
        assert_eq!(site.room_name("Somewhere else", "es"), "Somewhere else");
        // Without translations the wire stays as it was.
        let plain = serde_json::to_value(&site.lines[1]).unwrap();
        assert!(plain.get("names").is_none());
    }
}
