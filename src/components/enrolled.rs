//! The gate in front of every patient-facing surface (check-in, board,
//! survey): the surface runs on an enrolled device only. Otherwise the
//! tablet pairs, shows its code until reception approves it, and says so
//! in words a patient understands ("ask reception").
//!
//! A revoked tablet (the server answers `device_not_enrolled` to anything)
//! forgets today's appointment index and pairs again. Its outbox is kept:
//! entries wait, untouched, until it is enrolled again.

use crate::api::{use_adapter, Adapter};
use crate::components::{error_text, PageHeading};
use crate::context::{use_enrollment, Standing};
use crate::i18n::*;
use crate::offline::OutboxSync;
use leptos::prelude::*;
use waitwell_core::client::ClientError;
use waitwell_core::contract::{Enrollment, EnrollmentStatus};
use waitwell_core::Surface;

/// How often a waiting tablet asks whether it has been approved.
const POLL_MILLIS: u32 = 3_000;
/// How soon it tries again after a failure.
const RETRY_MILLIS: u32 = 5_000;

fn standing_of(answer: &Enrollment) -> Standing {
    match (answer.status, &answer.pairing_code, answer.role) {
        (EnrollmentStatus::NotEnrolled, _, _) => Standing::Lost,
        (EnrollmentStatus::Enrolled, _, Some(role)) => Standing::Enrolled(role),
        (EnrollmentStatus::Pending, Some(code), _) => Standing::Pending { code: code.clone() },
        _ => Standing::Failed(ClientError::Decode),
    }
}

/// Remembers the role this device is enrolled for (or that it is not), so
/// that it starts while the server cannot be reached.
fn remember(role: Option<Surface>) {
    let mut settings = crate::device::load();
    if settings.enrolled != role {
        settings.enrolled = role;
        let _ = crate::device::save(&settings);
    }
}

/// One step of enrolling, from where it stands now; the next standing.
async fn step(
    adapter: &Adapter,
    surface: Surface,
    now: Standing,
    sync: Option<OutboxSync>,
) -> Standing {
    match now {
        // A fresh tablet pairs straight away (no "not set up" in between).
        Standing::Unknown => match adapter.enrollment().await {
            Ok(answer) if answer.status == EnrollmentStatus::NotEnrolled => {
                pair_again(adapter, surface, sync).await
            }
            Ok(answer) => standing_of(&answer),
            Err(e) => Standing::Failed(e),
        },
        // Offline first: a device enrolled before runs at once and keeps
        // running while the server cannot say otherwise.
        Standing::Assumed(role) => match adapter.enrollment().await {
            Ok(answer) => standing_of(&answer),
            Err(_) => Standing::Enrolled(role),
        },
        Standing::Lost => pair_again(adapter, surface, sync).await,
        Standing::Pending { code } => {
            gloo_timers::future::TimeoutFuture::new(POLL_MILLIS).await;
            match adapter.enrollment().await {
                Ok(answer) => standing_of(&answer),
                Err(_) => Standing::Pending { code },
            }
        }
        Standing::Failed(_) => {
            gloo_timers::future::TimeoutFuture::new(RETRY_MILLIS).await;
            Standing::Unknown
        }
        enrolled @ Standing::Enrolled(_) => enrolled,
    }
}

/// Forgets what only an enrolled device may hold, and pairs (again).
async fn pair_again(adapter: &Adapter, surface: Surface, sync: Option<OutboxSync>) -> Standing {
    remember(None);
    crate::offline::forget_kiosk_data(sync).await;
    match adapter.pair(surface).await {
        Ok(answer) => standing_of(&answer),
        Err(e) => Standing::Failed(e),
    }
}

/// Shows `children` (the surface) once this device is enrolled for a role
/// that allows `surface`; the pairing screen until then.
#[component]
pub fn Enrolled(surface: Surface, children: ChildrenFn) -> impl IntoView {
    let Some(enrollment) = use_enrollment() else {
        // Outside the app (a component test): nothing to enroll with.
        return children().into_any();
    };
    let standing = enrollment.0;
    let adapter = use_adapter();
    let owner = Owner::current();
    let sync = crate::offline::use_sync();
    // Each change of standing starts the next step, under this screen's
    // owner: leaving the surface stops it.
    Effect::new(move |_| {
        let now = standing.get();
        let Some(Ok(adapter)) = adapter.get() else {
            return;
        };
        if let Standing::Enrolled(role) = now {
            remember(Some(role));
            return;
        }
        crate::tasks::spawn_owned(owner.as_ref(), async move {
            let next = step(&adapter, surface, now, sync).await;
            standing.try_set(next);
        });
    });
    let allowed = move || match standing.get() {
        Standing::Enrolled(role) | Standing::Assumed(role) => role.allows(surface),
        // No usable backend configuration yet: nothing can be asked, and
        // the surface itself says why it cannot start.
        Standing::Unknown => matches!(adapter.get(), Some(Err(_))),
        _ => false,
    };
    // A fresh tablet asks first: nothing to show for that moment.
    let fallback = move || {
        if standing.get() == Standing::Unknown {
            view! { <section class="surface" aria-busy="true"></section> }.into_any()
        } else {
            view! { <Pairing surface=surface /> }.into_any()
        }
    };
    view! {
        <Show when=allowed fallback=fallback>
            {children()}
        </Show>
    }
    .into_any()
}

/// The pairing screen: what a patient reads ("ask reception"), and the code
/// reception types to approve this tablet.
#[component]
fn Pairing(surface: Surface) -> impl IntoView {
    let i18n = use_i18n();
    let standing = use_enrollment().map(|e| e.0);
    let sync = crate::offline::use_sync();
    let status = move || {
        let now = standing.map(|s| s.get());
        match now {
            Some(Standing::Pending { code }) => view! {
                <p>{t!(i18n, enrollment.approve_code)}</p>
                <p class="pairing-code">
                    <span aria-hidden="true">{code.clone()}</span>
                    <span class="visually-hidden">{spaced(&code)}</span>
                </p>
            }
            .into_any(),
            Some(Standing::Enrolled(role)) if !role.allows(surface) => {
                // Set up anew for this surface: a new code for reception
                // (approved at once in a demo).
                let again = move |_| {
                    if let Some(standing) = standing {
                        standing.set(Standing::Lost);
                    }
                };
                view! {
                    <p>{move || t_string!(i18n, enrollment.wrong_role, role = crate::components::surface_name(i18n, role))}</p>
                    <button type="button" class="button" on:click=again>
                        {move || t_string!(i18n, enrollment.set_up_for, surface = crate::components::surface_name(i18n, surface))}
                    </button>
                }
                .into_any()
            }
            Some(Standing::Failed(e)) => view! { <p>{error_text(i18n, &e)}</p> }.into_any(),
            _ => view! { <p>{t!(i18n, enrollment.checking)}</p> }.into_any(),
        }
    };
    let waiting = move || sync.map_or(0, |s| s.status.with(|s| s.backlog));
    view! {
        <section class="surface pairing">
            <PageHeading>{t!(i18n, enrollment.title)}</PageHeading>
            <p>{t!(i18n, enrollment.ask_reception)}</p>
            <div role="status">{status}</div>
            <Show when=move || { waiting() > 0 }>
                <p class="kept">{move || t_string!(i18n, enrollment.kept, count = waiting())}</p>
            </Show>
        </section>
    }
}

/// A code as a screen reader should spell it: one character at a time.
fn spaced(code: &str) -> String {
    code.chars().map(String::from).collect::<Vec<_>>().join(" ")
}
