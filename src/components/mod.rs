//! Components shared by several pages.

mod display;
mod page_heading;

pub use display::{endonym, DisplayPrefs, DisplayToolbar, LanguageSwitcher};
pub use page_heading::PageHeading;
