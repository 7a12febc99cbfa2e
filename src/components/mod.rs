//! Components shared by several pages.

mod display;
mod errors;
mod page_heading;

pub use display::{endonym, DisplayPrefs, DisplayToolbar, LanguageSwitcher};
pub use errors::error_text;
pub use page_heading::PageHeading;
