//! One module per page.

mod board;
mod check_in;
mod insights;
mod not_found;
mod phone;
mod reception;
mod setup;
mod staff_gate;
mod survey;
mod tablets;

pub use board::BoardPage;
pub use check_in::CheckInPage;
pub use insights::InsightsPage;
pub use not_found::NotFound;
pub use phone::PhonePage;
pub use reception::ReceptionPage;
pub use setup::SetupPage;
pub use survey::SurveyPage;
pub use tablets::TabletsPage;
