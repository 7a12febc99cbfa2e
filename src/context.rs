//! What the app shares through context that belongs to no layer: the
//! device's settings, and whether the backend is reachable. `app` provides
//! them; `api` writes connectivity, `offline` reads it, and none of them
//! reaches up into `app` (the adapter's own context is `api::use_adapter`).

use leptos::prelude::*;
use waitwell_core::DeviceSettings;

/// The settings this device started with; pages read them from context.
#[derive(Debug, Clone)]
pub struct DeviceContext(pub DeviceSettings);

/// What the app last learned about reaching the backend, from anything that
/// talked to it (a live queue, a config fetch). The outbox listens: when
/// the backend is back it sends at once rather than at its backed-off time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    Reachable,
    Unreachable,
}

/// The connectivity signal: written by `api`, read by `offline`.
#[derive(Debug, Clone, Copy)]
pub struct Connectivity(RwSignal<Option<Reach>>);

impl Connectivity {
    /// Provides a fresh signal (nothing learned yet).
    pub fn provide() -> Self {
        let connectivity = Connectivity(RwSignal::new(None));
        provide_context(connectivity);
        connectivity
    }

    /// Says what was learned; listeners hear every report, even a repeat.
    pub fn report(self, reach: Reach) {
        self.0.try_set(Some(reach));
    }

    /// The last report, tracked.
    pub fn get(self) -> Option<Reach> {
        self.0.get()
    }
}

/// The app's connectivity signal (none outside the app, in component tests).
pub fn use_connectivity() -> Option<Connectivity> {
    use_context::<Connectivity>()
}
