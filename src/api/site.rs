//! The site's configuration, loaded once a surface has its adapter.

use crate::api::use_adapter;
use crate::context::Reach;
use leptos::prelude::*;
use leptos_use::use_timeout_fn;
use waitwell_core::client::ClientError;
use waitwell_core::contract::SiteConfig;

/// How long to wait before asking again after a failure that can pass.
const RETRY_MILLIS: f64 = 5_000.0;

/// `GET /config`, loaded once the adapter is ready and asked again every
/// few seconds while the failure is one that can pass (the last answer
/// stays shown meanwhile). `None` until the first answer.
pub fn use_site_config() -> Signal<Option<Result<SiteConfig, ClientError>>> {
    let adapter = use_adapter();
    let connectivity = crate::context::use_connectivity();
    let config = LocalResource::new(move || {
        let adapter = adapter.get();
        async move {
            match adapter {
                Some(Ok(adapter)) => Some(adapter.site_config().await),
                _ => None,
            }
        }
    });
    let again = use_timeout_fn(move |()| config.refetch(), RETRY_MILLIS);
    Effect::new(move |_| {
        let Some(Some(Err(error))) = config.get() else {
            return;
        };
        // (Only a failure says something about reach: an answer may come
        // from the service worker's copy.)
        if let (Some(connectivity), ClientError::Network | ClientError::Timeout) =
            (connectivity, &error)
        {
            connectivity.report(Reach::Unreachable);
        }
        if error.is_retryable() {
            (again.start)(());
        }
    });
    // A memo, not a derived signal: reading a derived signal runs it, and
    // this one would clone the whole configuration at every read (the board
    // reads it for each line and room name it shows).
    Memo::new(move |_| config.get().flatten()).into()
}
