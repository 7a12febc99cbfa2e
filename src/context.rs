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

/// Where this device's enrollment stands, as far as the app knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    /// Not asked yet (or asking).
    Unknown,
    /// Enrolled for this role as this device last knew (local storage): the
    /// surfaces run at once, offline too, while the server is asked.
    Assumed(waitwell_core::Surface),
    /// Enrolled for this role: the surfaces run.
    Enrolled(waitwell_core::Surface),
    /// Paired, waiting for reception to approve `code`.
    Pending { code: String },
    /// The server said this device is not enrolled (revoked, or its code
    /// expired): it pairs again.
    Lost,
    /// Pairing cannot go on (the server cannot be reached and the device
    /// was never enrolled, or it refused the pairing).
    Failed(waitwell_core::client::ClientError),
}

/// The enrollment signal: written by the enrollment gate, and by `api`
/// whenever the server answers `device_not_enrolled`.
#[derive(Debug, Clone, Copy)]
pub struct Enrollment(pub RwSignal<Standing>);

thread_local! {
    // The app's enrollment signal, for requests made outside any reactive
    // owner (the outbox's delivery loop).
    static ENROLLMENT: std::cell::Cell<Option<Enrollment>> = const { std::cell::Cell::new(None) };
}

impl Enrollment {
    /// Provides the signal, starting from what this device last knew.
    pub fn provide(last_known: Option<waitwell_core::Surface>) -> Self {
        let start = last_known.map_or(Standing::Unknown, Standing::Assumed);
        let enrollment = Enrollment(RwSignal::new(start));
        provide_context(enrollment);
        ENROLLMENT.with(|cell| cell.set(Some(enrollment)));
        enrollment
    }

    /// The server refused this device as not enrolled.
    pub fn lost() {
        if let Some(enrollment) = ENROLLMENT.with(std::cell::Cell::get) {
            if !matches!(
                enrollment.0.get_untracked(),
                Standing::Lost | Standing::Pending { .. }
            ) {
                enrollment.0.try_set(Standing::Lost);
            }
        }
    }

    /// Whether this device is enrolled (untracked).
    pub fn is_enrolled() -> bool {
        ENROLLMENT.with(std::cell::Cell::get).is_some_and(|e| {
            matches!(
                e.0.get_untracked(),
                Standing::Enrolled(_) | Standing::Assumed(_)
            )
        })
    }
}

/// The app's enrollment signal (none outside the app, in component tests).
pub fn use_enrollment() -> Option<Enrollment> {
    use_context::<Enrollment>()
}
