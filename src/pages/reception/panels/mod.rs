//! Reception's side panels, one file each: today's counters, alerts (the
//! tablets' among them), adding a walk-in, delay notices, and the
//! signed-in person's PIN and desk.

mod account;
mod alerts;
mod counters;
mod notices;
mod walk_in;

pub use account::AccountPanel;
pub use alerts::AlertsPanel;
pub use counters::Counters;
pub use notices::NoticesPanel;
pub use walk_in::WalkInPanel;
