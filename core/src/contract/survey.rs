//! The exit survey's response and the alerts it raises at reception.

use crate::wire::wire_enum;
use serde::{Deserialize, Serialize};

wire_enum! {
    /// The themes of good patient service, for "what could be better" and
    /// "what went well".
    pub enum Theme {
        WaitingTime = "waiting_time",
        KeptInformed = "kept_informed",
        StaffKindness = "staff_kindness",
        ExplanationOfCare = "explanation_of_care",
        Cleanliness = "cleanliness",
        EaseOfCheckIn = "ease_of_check_in",
    }
}

wire_enum! {
    /// What an alert at reception is about.
    pub enum AlertKind {
        /// An unhappy patient asked to talk to someone and is still here.
        TalkToMe = "talk_to_me",
        /// A patient thanked a member of staff.
        Thanks = "thanks",
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
    pub kind: AlertKind,
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
