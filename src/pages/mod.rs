//! One module per page.

mod board;
mod check_in;
mod insights;
mod not_found;
mod reception;
mod setup;
mod surface;
mod survey;

pub use board::{clock_time, local_date, parse_time, BoardPage};
pub use check_in::CheckInPage;
pub use insights::InsightsPage;
pub use not_found::NotFound;
pub use reception::ReceptionPage;
pub use setup::SetupPage;
pub use surface::surface_name;
pub use survey::SurveyPage;
