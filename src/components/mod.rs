//! Components shared by several pages.

mod birth_date;
mod desk_field;
mod display;
mod enrolled;
mod errors;
mod idle;
mod keyboard;
mod page_heading;
mod scanner;
pub mod speech;
mod sync_status;
mod with_site;
mod words;

pub use birth_date::BirthDateInput;
pub use desk_field::DeskField;
pub use display::{endonym, DisplayPrefs, DisplayToolbar, LanguageSwitcher, StaffToolbar};
pub use enrolled::Enrolled;
pub use errors::error_text;
pub use idle::{IdleGuard, PatientSession};
pub use keyboard::{Layout, OnScreenKeyboard};
pub use page_heading::PageHeading;
pub use scanner::{can_scan, QrScanner};
pub use sync_status::SyncIndicator;
pub use with_site::WithSite;
pub use words::{reason_text, surface_name, theme_text};
