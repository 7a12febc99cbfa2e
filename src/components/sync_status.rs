//! The sync status every surface shows in its app bar: all sent, sending
//! N, offline since 10:42, N need attention. Counts and a time only.

use crate::i18n::*;
use crate::offline::{use_sync, SyncStatus};
use crate::time::clock_time;
use leptos::prelude::*;

/// What the status says, most urgent first.
#[derive(Debug, Clone, PartialEq)]
enum Shown {
    StorageFailed,
    Attention(usize),
    Offline { since: f64, waiting: usize },
    Sending(usize),
    AllSent,
}

fn shown(status: &SyncStatus) -> Shown {
    if status.storage.is_some() {
        Shown::StorageFailed
    } else if status.parked > 0 {
        Shown::Attention(status.parked)
    } else if let Some(since) = status.offline_since {
        Shown::Offline {
            since,
            waiting: status.backlog,
        }
    } else if status.backlog > 0 {
        Shown::Sending(status.backlog)
    } else {
        Shown::AllSent
    }
}

#[component]
pub fn SyncIndicator() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let state = Memo::new(move |_| sync.map(|s| s.status.with(shown)));
    move || {
        let state = state.get()?;
        let kind = match state {
            Shown::StorageFailed | Shown::Attention(_) => "attention",
            Shown::Offline { .. } => "offline",
            Shown::Sending(_) => "sending",
            Shown::AllSent => "sent",
        };
        let text = move || match &state {
            Shown::StorageFailed => t_string!(i18n, sync.storage_failed).to_string(),
            Shown::Attention(count) => t_string!(i18n, sync.attention, count = *count).to_string(),
            Shown::Offline { since, waiting: 0 } => {
                t_string!(i18n, sync.offline, time = clock_time(*since)).to_string()
            }
            Shown::Offline { since, waiting } => t_string!(
                i18n,
                sync.offline_waiting,
                time = clock_time(*since),
                count = *waiting
            )
            .to_string(),
            Shown::Sending(count) => t_string!(i18n, sync.sending, count = *count).to_string(),
            Shown::AllSent => t_string!(i18n, sync.all_sent).to_string(),
        };
        Some(view! {
            <p class="sync-status" data-sync=kind role="status" aria-label=move || t_string!(i18n, sync.label).to_string()>
                <span class="sync-dot" aria-hidden="true"></span>
                <span class="sync-text">{text}</span>
            </p>
        })
    }
}
