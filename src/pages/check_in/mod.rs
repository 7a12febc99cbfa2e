//! `/` on an entrance tablet: patient self check-in.
//!
//! Everything a patient enters lives in one [`Flow`], created afresh for
//! each patient: the idle reset (or the end of a check-in) drops the whole
//! flow, its signals, its DOM and its requests, and starts a new one. Steps
//! are not routes, so the browser's history never holds a patient's step.

mod flow;
mod found;
mod identify;
mod questions;
mod steps;
mod ticket;
mod walk_in;

use crate::api::{provide_in_flight, Adapter};
use crate::components::{error_text, IdleGuard, PatientSession, WithSite};
use crate::i18n::*;
use crate::offline::index::OfflineIndexes;
use crate::offline::lease::TicketLeases;
use crate::offline::use_sync;
pub use flow::{Draft, Flow, Step};
use leptos::prelude::*;
pub(crate) use ticket::wait_text;
use waitwell_core::checkin::questions;
use waitwell_core::client::ClientError;
use waitwell_core::contract::SiteConfig;

#[component]
pub fn CheckInPage() -> impl IntoView {
    let i18n = use_i18n();
    provide_in_flight();
    view! {
        <section class="surface check-in" data-surface="check-in">
            <WithSite
                title=Signal::derive(move || t_string!(i18n, check_in.unavailable_title).to_string())
                ready=|adapter, site| view! { <Kiosk adapter=adapter site=site /> }.into_any()
                see_reception=true
            />
        </section>
    }
}

/// One kiosk: the idle guard, and the current patient's flow.
#[component]
fn Kiosk(adapter: Adapter, site: SiteConfig) -> impl IntoView {
    let idle = site.idle;
    let index = OfflineIndexes::keep_fresh(adapter.clone());
    let leases = TicketLeases::keep_fresh(adapter.clone());
    let adapter = StoredValue::new(adapter);
    let site = StoredValue::new(site);
    let session = PatientSession::start();
    view! {
        <IdleGuard timings=idle active=session.active on_reset=session.restart />
        {move || {
            session.patient.track();
            view! {
                <FlowView
                    adapter=adapter
                    site=site
                    index=index
                    leases=leases
                    in_flow=session.in_flow
                    restart=session.restart
                />
            }
        }}
    }
}

#[component]
fn FlowView(
    adapter: StoredValue<Adapter>,
    site: StoredValue<SiteConfig>,
    index: OfflineIndexes,
    leases: TicketLeases,
    in_flow: RwSignal<bool>,
    restart: Callback<()>,
) -> impl IntoView {
    provide_in_flight();
    let flow = Flow {
        step: RwSignal::new(Step::Welcome),
        draft: Draft::new(),
        busy: RwSignal::new(false),
        error: RwSignal::new(None),
        not_saved: RwSignal::new(None),
        adapter,
        sync: use_sync(),
        index,
        leases,
        site,
        questions: StoredValue::new(site.with_value(|s| questions(&s.questions))),
        owner: StoredValue::new(Owner::current()),
        restart,
    };
    provide_context(flow);
    Effect::new(move |_| in_flow.set(flow.step.with(|s| *s != Step::Welcome)));
    move || {
        let view = match flow.step.get() {
            Step::Welcome => view! { <steps::Welcome /> }.into_any(),
            Step::Choose => view! { <steps::Choose /> }.into_any(),
            Step::FamilyName => view! { <identify::FamilyName /> }.into_any(),
            Step::BirthDate => view! { <identify::BirthDate /> }.into_any(),
            Step::Code => view! { <identify::Code /> }.into_any(),
            Step::Scan => view! { <identify::Scan /> }.into_any(),
            Step::Matches(hints) => view! { <found::Matches hints=hints /> }.into_any(),
            Step::NoMatch => view! { <found::NoMatch /> }.into_any(),
            Step::Refused(why) => view! { <found::Refused why=why /> }.into_any(),
            Step::WalkInName => view! { <walk_in::WalkInName /> }.into_any(),
            Step::WalkInInitial => view! { <walk_in::WalkInInitial /> }.into_any(),
            Step::WalkInReason => view! { <walk_in::WalkInReason /> }.into_any(),
            Step::Question(index) => view! { <questions::QuestionStep index=index /> }.into_any(),
            Step::Sending => view! { <steps::Sending /> }.into_any(),
            Step::Ticket(ticket) => view! { <ticket::TicketStep ticket=ticket /> }.into_any(),
            Step::Provisional(code) => view! { <ticket::ProvisionalStep code=code /> }.into_any(),
        };
        // A fresh element per step: its entry animation briefly ignores
        // taps, so the second half of a double tap cannot land on the next
        // step's buttons.
        view! { <div class="step">{view}</div> }
    }
}

/// The error of the last request, with what to do about it.
#[component]
pub fn RequestError(#[prop(into)] retry: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let flow = expect_context::<Flow>();
    move || {
        if flow.not_saved.get().is_some() {
            return Some(
                view! {
                    <div class="request-error" role="alert">
                        <p>{t!(i18n, check_in.not_saved)}</p>
                        <button type="button" class="primary" on:click=move |_| retry.run(())>
                            {t!(i18n, check_in.retry)}
                        </button>
                    </div>
                }
                .into_any(),
            );
        }
        flow.error.get().map(|error| {
            let retryable = error.is_retryable() || matches!(error, ClientError::Aborted);
            view! {
                <div class="request-error" role="alert">
                    <p>
                        {move || error_text(i18n, &error)} " "
                        {move || {
                            if retryable {
                                t_string!(i18n, check_in.try_again_hint).to_string()
                            } else {
                                t_string!(i18n, check_in.see_reception).to_string()
                            }
                        }}
                    </p>
                    {retryable
                        .then(|| {
                            view! {
                                <button type="button" class="primary" on:click=move |_| retry.run(())>
                                    {t!(i18n, check_in.retry)}
                                </button>
                            }
                        })}
                </div>
            }
                .into_any()
        })
    }
}

/// Shown right away while a request is on its way.
#[component]
pub fn Busy() -> impl IntoView {
    let i18n = use_i18n();
    let flow = expect_context::<Flow>();
    view! {
        <p class="busy" role="status">
            {move || flow.busy.get().then(|| t_string!(i18n, check_in.working).to_string())}
        </p>
    }
}

/// The page heading of a step, re-exported for the step modules.
pub(crate) use crate::components::PageHeading as Heading;
