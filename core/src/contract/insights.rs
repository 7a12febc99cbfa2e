//! Managers' figures for a period (`GET /insights`).

use super::survey::Theme;
use crate::date::Date;
use serde::{Deserialize, Serialize};

/// Insights for a period (inclusive days).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Insights {
    pub from: Date,
    pub to: Date,
    pub responses: u32,
    /// Share of the two happy faces, 0–1; none without responses.
    pub happy_index: Option<f64>,
    pub nps: Option<i32>,
    pub better: Vec<ThemeCount>,
    pub went_well: Vec<ThemeCount>,
    /// Newest first.
    pub comments: Vec<Comment>,
    pub thanks: Vec<ThanksCount>,
    pub alerts_raised: u32,
    pub alerts_acknowledged: u32,
    pub median_ack_minutes: Option<u32>,
    pub average_wait_minutes: Option<u32>,
    pub p90_wait_minutes: Option<u32>,
    pub left_without_being_seen: u32,
    pub daily: Vec<PeriodPoint>,
    /// Local hour of day 0–23.
    pub by_hour: Vec<PeriodPoint>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThemeCount {
    pub theme: Theme,
    pub count: u32,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comment {
    pub at: String,
    pub rating: u8,
    pub text: String,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThanksCount {
    pub staff: String,
    pub count: u32,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeriodPoint {
    /// A day (YYYY-MM-DD) or an hour ("09").
    pub label: String,
    pub responses: u32,
    pub happy_index: Option<f64>,
}
