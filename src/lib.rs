//! Waitwell: the kiosk app (Leptos, client-side rendered, compiled to wasm32).
//!
//! Pure logic lives in `waitwell-core`; this crate holds what needs a
//! browser: pages, components, and the thin layers over browser storage.

include!(concat!(env!("OUT_DIR"), "/i18n/mod.rs"));

pub mod api;
pub mod app;
pub mod components;
pub mod context;
pub mod device;
pub mod first_screen;
pub mod offline;
pub mod pages;
pub mod panic;
pub mod tasks;
pub mod time;
