//! Today's appointment index, kept on a check-in kiosk so patients can be
//! recognised while the backend is unreachable. Fetched while online and
//! stored in IndexedDB as the server sends it: keyed argon2id hashes and
//! masked hints, never a name or a birth date. A lookup hashes what the
//! patient typed once or twice (tens of milliseconds each).

use super::store::INDEX;
use super::use_sync;
use crate::api::Adapter;
use leptos::prelude::*;
use waitwell_core::contract::{AppointmentHint, IdentifyRequest, OfflineIndex};
use waitwell_core::offline::INDEX_HASH;

const KEY: &str = "today";
/// How often a kiosk refreshes its index while it can.
const REFRESH_MILLIS: u32 = 5 * 60_000;
/// How soon it tries again after a failed refresh.
const RETRY_MILLIS: u32 = 30_000;

/// The index this kiosk holds, if any.
#[derive(Clone, Copy)]
pub struct OfflineIndexes(StoredValue<Option<OfflineIndex>>);

/// Today's date on this device, YYYY-MM-DD.
pub(super) fn local_today() -> String {
    let now = js_sys::Date::new_0();
    format!(
        "{:04}-{:02}-{:02}",
        now.get_full_year(),
        now.get_month() + 1,
        now.get_date()
    )
}

/// Deletes what only an enrolled kiosk holds: the stored index and its
/// ticket lease (this device is no longer enrolled). Through the outbox's
/// connection where the page has one; the board's page has none and opens
/// the store itself, since a former kiosk's data may be there all the same.
pub async fn forget_kiosk_data(sync: Option<super::OutboxSync>) {
    let store = match sync {
        Some(sync) => sync.store().await,
        None => super::store::Store::open().await,
    };
    if let Ok(store) = store {
        let _ = store.delete(INDEX, KEY).await;
        let _ = store.delete(super::store::LEASE, super::lease::KEY).await;
    }
}

impl OfflineIndexes {
    /// Loads the stored index and keeps it fresh for as long as the calling
    /// component lives.
    pub fn keep_fresh(adapter: Adapter) -> Self {
        let index = OfflineIndexes(StoredValue::new(None));
        let owner = Owner::current();
        // The outbox's connection: one open database per app.
        let Some(sync) = use_sync() else {
            return index;
        };
        crate::tasks::spawn_owned(owner.as_ref(), async move {
            let Ok(store) = sync.store().await else {
                return;
            };
            if let Ok(Some(text)) = store.get(INDEX, KEY).await {
                index.0.try_set_value(serde_json::from_str(&text).ok());
            }
            loop {
                let wait = match adapter.offline_index().await {
                    Ok(fresh) => {
                        if let Ok(text) = serde_json::to_string(&fresh) {
                            let _ = store.put(INDEX, KEY, &text).await;
                        }
                        index.0.try_set_value(Some(fresh));
                        REFRESH_MILLIS
                    }
                    Err(_) => RETRY_MILLIS,
                };
                gloo_timers::future::TimeoutFuture::new(wait).await;
            }
        });
        index
    }

    /// The appointments matching what the patient entered, from today's
    /// index; `None` when the kiosk has no index for today.
    pub fn find(&self, request: &IdentifyRequest) -> Option<Vec<AppointmentHint>> {
        self.0.with_value(|index| {
            // Today's, keyed the way this build hashes (a stored index from
            // before an update is not used: it would find nobody).
            let index = index
                .as_ref()
                .filter(|i| i.day == local_today() && i.hash == INDEX_HASH)?;
            Some(match request {
                IdentifyRequest::Name {
                    family_name,
                    birth_date,
                } => index.find_by_name(family_name, *birth_date),
                IdentifyRequest::Code { code } => index.find_by_code(code),
            })
        })
    }
}
