//! The check-in kiosk's ticket lease: numbers the server set aside for this
//! kiosk today, so that a patient it checks in while it cannot reach the
//! server gets a real ticket code at once. Renewed while online; kept in
//! IndexedDB, so a reload keeps what was given and what is left. What to
//! give and what a renewal means is `waitwell_core::lease::HeldLease`.

use super::store::LEASE;
use super::use_sync;
use crate::api::Adapter;
use futures::StreamExt;
use leptos::prelude::*;
use waitwell_core::lease::HeldLease;
use waitwell_core::queue::LineId;

pub(super) const KEY: &str = "today";
/// How often a kiosk renews its lease while it can: codes given offline are
/// replaced within this long of the check-ins reaching the server.
const REFRESH_MILLIS: u32 = 60_000;
/// How soon it tries again after a failed renewal.
const RETRY_MILLIS: u32 = 20_000;

/// This kiosk's lease (`None` until the stored one is loaded), and the
/// outbox's open database it is kept in.
#[derive(Clone, Copy)]
pub struct TicketLeases {
    held: StoredValue<Option<HeldLease>>,
    sync: Option<super::OutboxSync>,
}

impl TicketLeases {
    /// Loads the stored lease and renews it for as long as the calling
    /// component lives.
    pub fn keep_fresh(adapter: Adapter) -> Self {
        let leases = TicketLeases {
            held: StoredValue::new(None),
            sync: use_sync(),
        };
        let owner = Owner::current();
        let Some(sync) = leases.sync else {
            return leases;
        };
        // Renewed at once when the outbox has delivered everything: the
        // codes given offline have reached the server, which tops up.
        let (wake, mut woken) = futures::channel::mpsc::unbounded::<()>();
        Effect::new(move |was_clear: Option<bool>| {
            let clear = sync
                .status
                .with(|s| s.backlog == 0 && s.offline_since.is_none());
            if clear && was_clear == Some(false) {
                let _ = wake.unbounded_send(());
            }
            clear
        });
        crate::tasks::spawn_owned(owner.as_ref(), async move {
            let Ok(store) = sync.store().await else {
                return;
            };
            let stored = match store.get(LEASE, KEY).await {
                Ok(Some(text)) => serde_json::from_str(&text).unwrap_or_default(),
                _ => HeldLease::default(),
            };
            leases.held.try_set_value(Some(stored));
            loop {
                let wait = match adapter.ticket_lease().await {
                    Ok(fresh) => {
                        let renewed = leases.held.try_update_value(|held| {
                            let held = held.get_or_insert_with(HeldLease::default);
                            held.renew(fresh);
                            held.clone()
                        });
                        if let Some(held) = renewed {
                            leases.save(&held).await;
                        }
                        REFRESH_MILLIS
                    }
                    Err(_) => RETRY_MILLIS,
                };
                let timer = gloo_timers::future::TimeoutFuture::new(wait);
                futures::future::select(timer, woken.next()).await;
            }
        });
        leases
    }

    /// A code of `line` for a patient checked in now, given and stored
    /// before it is returned: after a reload it is never given again. `None`
    /// when none is left, or it could not be stored.
    pub async fn take(self, line: LineId) -> Option<String> {
        let today = super::index::local_today();
        let (code, held) = self
            .held
            .try_update_value(|held| {
                let held = held.as_mut()?;
                Some((held.take(line, &today)?, held.clone()))
            })
            .flatten()?;
        self.save(&held).await.then_some(code)
    }

    async fn save(self, held: &HeldLease) -> bool {
        let Some(sync) = self.sync else {
            return false;
        };
        let Ok(store) = sync.store().await else {
            return false;
        };
        let Ok(text) = serde_json::to_string(held) else {
            return false;
        };
        store.put(LEASE, KEY, &text).await.is_ok()
    }
}
