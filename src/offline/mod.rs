//! Working without the network: the durable outbox every patient write goes
//! through ([`sync`]), its IndexedDB layer ([`store`]), and today's
//! appointment index for identifying patients offline ([`index`]).

pub mod index;
pub mod shell;
pub mod store;
pub mod sync;

pub use index::forget_index;
pub use store::StoreError;
pub use sync::{use_sync, FirstAttempt, OutboxSync, SyncStatus};
