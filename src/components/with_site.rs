//! The start of every surface that needs the backend: wait for the adapter
//! and the site's settings, saying what is happening meanwhile.

use crate::api::site::use_site_config;
use crate::api::use_adapter;
use crate::api::Adapter;
use crate::components::{error_text, PageHeading};
use crate::i18n::*;
use leptos::prelude::*;
use waitwell_core::contract::SiteConfig;

/// Renders `ready` once the adapter and the site settings are there; until
/// then a heading (`title`) and "getting ready", or why it cannot start (and,
/// on patient surfaces, to see reception).
#[component]
pub fn WithSite(
    #[prop(into)] title: Signal<String>,
    ready: fn(Adapter, SiteConfig) -> AnyView,
    #[prop(optional)] see_reception: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let adapter = use_adapter();
    let site = use_site_config();
    let both = Memo::new(move |_| match (adapter.get(), site.get()) {
        (Some(Ok(adapter)), Some(Ok(site))) => Some((adapter, site)),
        _ => None,
    });
    let problem = move || match (adapter.get(), site.get()) {
        (Some(Err(e)), _) | (_, Some(Err(e))) => Some(e),
        _ => None,
    };
    move || {
        match both.get() {
        Some((adapter, site)) => ready(adapter, site),
        None => view! {
            // Only "getting ready": a problem is the app's first screen.
            <PageHeading provisional=Signal::derive(move || problem().is_none())>
                {move || title.get()}
            </PageHeading>
            <p role="status">
                {move || match problem() {
                    Some(error) if see_reception => {
                        format!("{} {}", error_text(i18n, &error), t_string!(i18n, check_in.see_reception))
                    }
                    Some(error) => error_text(i18n, &error),
                    None => t_string!(i18n, check_in.getting_ready).to_string(),
                }}
            </p>
        }
        .into_any(),
    }
    }
}
