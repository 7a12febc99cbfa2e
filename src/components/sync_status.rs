//! The sync status every surface shows in its app bar: all sent, sending
//! N, offline since 10:42, N need attention. Counts and a time only.

use crate::i18n::*;
use crate::offline::use_sync;
use crate::time::clock_time;
use leptos::prelude::*;
use waitwell_core::sync_status::SyncShown;

#[component]
pub fn SyncIndicator() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let state = Memo::new(move |_| {
        sync.map(|s| {
            s.status
                .with(|s| SyncShown::of(s.storage.is_some(), s.parked, s.offline_since, s.backlog))
        })
    });
    move || {
        let state = state.get()?;
        let kind = state.kind();
        let text = move || match state {
            SyncShown::StorageFailed => t_string!(i18n, sync.storage_failed).to_string(),
            SyncShown::Attention(count) => {
                t_string!(i18n, sync.attention, count = count).to_string()
            }
            SyncShown::Offline { since, waiting: 0 } => {
                t_string!(i18n, sync.offline, time = clock_time(since)).to_string()
            }
            SyncShown::Offline { since, waiting } => t_string!(
                i18n,
                sync.offline_waiting,
                time = clock_time(since),
                count = waiting
            )
            .to_string(),
            SyncShown::Sending(count) => t_string!(i18n, sync.sending, count = count).to_string(),
            SyncShown::AllSent => t_string!(i18n, sync.all_sent).to_string(),
        };
        Some(view! {
            <p class="sync-status" data-sync=kind role="status" aria-label=move || t_string!(i18n, sync.label).to_string()>
                <span class="sync-dot" aria-hidden="true"></span>
                <span class="sync-text">{text}</span>
            </p>
        })
    }
}
