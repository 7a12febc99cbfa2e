//! Working without the network: the durable outbox every patient write goes
//! through ([`sync`]), its IndexedDB layer ([`store`]), and today's
//! appointment index for identifying patients offline ([`index`]), and the
//! ticket numbers a check-in kiosk gives while offline ([`lease`]).

pub mod index;
pub mod lease;
pub mod shell;
pub mod store;
pub mod sync;

pub use index::forget_kiosk_data;
pub use store::StoreError;
pub use sync::{use_sync, FirstAttempt, OutboxSync, SyncStatus};
