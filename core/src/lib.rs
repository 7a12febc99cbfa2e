//! Platform-free domain logic for Waitwell.
//!
//! Everything here builds for both the browser (wasm32) and the server, and
//! is tested natively: the app and the server share one definition of each
//! type so the two can never disagree about the contract. (One exception to
//! "platform-free": on wasm32, [`unicode`] takes Unicode's normal forms and
//! case mappings from the browser.)

pub mod board;
pub mod checkin;
pub mod client;
pub mod contract;
pub mod date;
pub mod device;
pub mod fhir;
pub mod idle;
pub mod insights;
pub mod lease;
pub mod names;
pub mod offline;
pub mod outbox;
pub mod phone;
pub mod queue;
pub mod reception;
pub mod restart;
pub mod surface;
pub mod survey;
pub mod sync_status;
pub mod text;
pub mod unicode;
pub mod wait;
pub mod walk_in;
pub mod wall;
mod wire;

pub use device::{DeviceSettings, DeviceSettingsError};
pub use surface::{Page, Surface, UnknownSurface};
