//! The site's configuration, loaded once a surface has its adapter.

use crate::api::use_adapter;
use crate::context::Reach;
use leptos::prelude::*;
use waitwell_core::client::ClientError;
use waitwell_core::contract::SiteConfig;

/// How often to try again while it cannot be loaded.
const RETRY_MILLIS: u32 = 5_000;

/// Loads `GET /config` once the adapter is ready, retrying while the
/// failure is one that can pass. `None` until the first answer.
pub fn use_site_config() -> RwSignal<Option<Result<SiteConfig, ClientError>>> {
    let adapter = use_adapter();
    let site = RwSignal::new(None);
    let owner = Owner::current();
    let connectivity = crate::context::use_connectivity();
    Effect::new(move |started: Option<bool>| {
        if started == Some(true) {
            return true;
        }
        let Some(Ok(adapter)) = adapter.get() else {
            return false;
        };
        let load = async move {
            loop {
                let loaded = adapter.site_config().await;
                // (Only the failure says something: an answer may come from
                // the service worker's copy.)
                if let (Some(connectivity), Err(ClientError::Network | ClientError::Timeout)) =
                    (connectivity, &loaded)
                {
                    connectivity.report(Reach::Unreachable);
                }
                let again = matches!(&loaded, Err(e) if e.is_retryable());
                if site.try_set(Some(loaded)).is_some() || !again {
                    break;
                }
                gloo_timers::future::TimeoutFuture::new(RETRY_MILLIS).await;
            }
        };
        crate::tasks::spawn_owned(owner.as_ref(), load);
        true
    });
    site
}
