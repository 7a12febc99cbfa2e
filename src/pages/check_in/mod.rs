//! `/` on an entrance tablet: patient self check-in.
//!
//! Everything a patient enters lives in one [`Flow`], created afresh for
//! each patient: the idle reset (or the end of a check-in) drops the whole
//! flow, its signals, its DOM and its requests, and starts a new one. Steps
//! are not routes, so the browser's history never holds a patient's step.

mod found;
mod identify;
mod questions;
mod steps;
mod ticket;
mod walk_in;

use crate::api::{provide_in_flight, Adapter, WRITE_TIMEOUT};
use crate::components::{error_text, IdleGuard, PatientSession, WithSite};
use crate::i18n::*;
use crate::offline::index::OfflineIndexes;
use crate::offline::{use_sync, FirstAttempt, OutboxSync, StoreError};
use crate::tasks::{new_idempotency_key, spawn_owned};
use futures::future::{select, Either};
use leptos::prelude::*;
use waitwell_core::checkin::{
    questions, AfterDetails, BirthDatePicker, Identified, IdentifyFailure, Question,
};
use waitwell_core::client::ClientError;
use waitwell_core::contract::{
    AppointmentHint, CheckInRequest, CheckInResponse, IdentifyRequest, Needs, SiteConfig,
};
use waitwell_core::outbox::Write;

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
                    in_flow=session.in_flow
                    restart=session.restart
                />
            }
        }}
    }
}

/// Where the patient is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Welcome,
    /// How to find the appointment.
    Choose,
    FamilyName,
    BirthDate,
    Code,
    Scan,
    /// Masked hints of the matching appointments.
    Matches(Vec<AppointmentHint>),
    NoMatch,
    Refused(IdentifyFailure),
    WalkInName,
    WalkInInitial,
    WalkInReason,
    /// The n-th configured needs question.
    Question(usize),
    Sending,
    Ticket(CheckInResponse),
    /// Saved on this kiosk, not yet at the server: checked in all the same.
    Provisional,
}

/// Everything one patient has entered. Dropped whole at the end.
#[derive(Debug, Clone, Copy)]
pub struct Draft {
    pub family_name: RwSignal<String>,
    pub birth_date: RwSignal<BirthDatePicker>,
    pub code: RwSignal<String>,
    pub first_name: RwSignal<String>,
    pub last_initial: RwSignal<String>,
    pub reason: RwSignal<Option<String>>,
    /// The appointment being checked in for; `None` for a walk-in.
    pub appointment: RwSignal<Option<String>>,
    pub needs: RwSignal<Needs>,
    /// The pending check-in's idempotency key: one per check-in, kept
    /// across retries so a retry can never make a second ticket.
    pub key: RwSignal<Option<String>>,
}

impl Draft {
    fn new() -> Self {
        Draft {
            family_name: RwSignal::new(String::new()),
            birth_date: RwSignal::new(BirthDatePicker::default()),
            code: RwSignal::new(String::new()),
            first_name: RwSignal::new(String::new()),
            last_initial: RwSignal::new(String::new()),
            reason: RwSignal::new(None),
            appointment: RwSignal::new(None),
            needs: RwSignal::new(Needs::default()),
            key: RwSignal::new(None),
        }
    }
}

/// The current patient's flow, shared by the step views.
#[derive(Clone, Copy)]
pub struct Flow {
    pub step: RwSignal<Step>,
    pub draft: Draft,
    /// A request is on its way: buttons that would send another are off.
    pub busy: RwSignal<bool>,
    pub error: RwSignal<Option<ClientError>>,
    /// The check-in could not be stored on this kiosk: it is not saved.
    pub not_saved: RwSignal<Option<StoreError>>,
    pub adapter: StoredValue<Adapter>,
    sync: Option<OutboxSync>,
    index: OfflineIndexes,
    pub site: StoredValue<SiteConfig>,
    pub questions: StoredValue<Vec<Question>>,
    owner: StoredValue<Option<Owner>>,
    restart: Callback<()>,
}

impl Flow {
    /// Moves on from `from` to `to`; a second tap that arrives after the
    /// first already moved on does nothing.
    pub fn advance(self, from: &Step, to: Step) {
        if self.step.with_untracked(|s| s == from) {
            self.error.set(None);
            self.step.set(to);
        }
    }

    /// Starts over for the next person.
    pub fn restart(self) {
        self.restart.run(());
    }

    /// Runs a request under this flow: it is cancelled if the flow ends.
    fn spawn(self, task: impl std::future::Future<Output = ()> + 'static) {
        spawn_owned(self.owner.get_value().as_ref(), task);
    }

    /// Looks the patient up; the result decides the next step.
    pub fn identify(self, from: Step, request: IdentifyRequest) {
        if self.busy.get_untracked() {
            return;
        }
        self.busy.set(true);
        self.error.set(None);
        let adapter = self.adapter.get_value();
        self.spawn(async move {
            let mut next = Identified::from_answer(adapter.identify(&request).await);
            self.busy.set(false);
            // The backend cannot be reached: today's index, kept on the
            // kiosk, may still know the patient.
            if let Identified::TryOffline(error) = next {
                next = Identified::from_index(self.index.find(&request), error);
            }
            match next {
                Identified::Matches(hints) => self.advance(&from, Step::Matches(hints)),
                Identified::NoMatch => self.advance(&from, Step::NoMatch),
                Identified::Refused(why) => self.advance(&from, Step::Refused(why)),
                Identified::TryOffline(error) | Identified::Error(error) => {
                    self.error.set(Some(error))
                }
            }
        });
    }

    /// After identification or the walk-in details: the first question, or
    /// straight to sending when none are configured.
    pub fn after_details(self, from: &Step) {
        self.after(from, None);
    }

    /// After question `index` was answered.
    pub fn answered(self, index: usize) {
        self.after(&Step::Question(index), Some(index));
    }

    fn after(self, from: &Step, answered: Option<usize>) {
        if !self.step.with_untracked(|s| s == from) {
            return;
        }
        match AfterDetails::after(answered, self.questions.with_value(Vec::len)) {
            AfterDetails::Question(next) => self.advance(from, Step::Question(next)),
            AfterDetails::Send => self.send(),
        }
    }

    /// Saves the check-in in the kiosk's outbox, then waits a bounded time
    /// for the server's ticket; without one in time the patient is checked
    /// in all the same (a provisional ticket) and the outbox delivers it
    /// later. Again after a failure: with the same key.
    pub fn send(self) {
        if self.busy.get_untracked() {
            return;
        }
        let draft = self.draft;
        let Some(key) = draft.key.get_untracked().or_else(new_idempotency_key) else {
            self.error.set(Some(ClientError::Unsupported));
            return;
        };
        draft.key.set(Some(key.clone()));
        let needs = draft.needs.get_untracked();
        let request = match draft.appointment.get_untracked() {
            Some(appointment) => CheckInRequest::Appointment {
                appointment,
                needs,
                arrived_at: Some((js_sys::Date::now() / 1000.0) as i64),
            },
            None => CheckInRequest::WalkIn {
                first_name: draft.first_name.get_untracked().trim().to_owned(),
                last_initial: draft.last_initial.get_untracked().trim().to_owned(),
                reason: draft.reason.get_untracked().unwrap_or_default(),
                needs,
            },
        };
        self.busy.set(true);
        self.error.set(None);
        self.not_saved.set(None);
        self.step.set(Step::Sending);
        // Storing is not tied to this screen: once begun it finishes even
        // if the patient walks away.
        let (saved_tx, saved) = futures::channel::oneshot::channel();
        let sync = self.sync;
        leptos::task::spawn_local(async move {
            let result = match sync {
                Some(sync) => sync.enqueue(key, Write::CheckIn { request }).await,
                None => Err(StoreError::Unavailable),
            };
            let _ = saved_tx.send(result);
        });
        self.spawn(async move {
            let first = match saved.await {
                Ok(Ok(first)) => first,
                Ok(Err(error)) => {
                    self.busy.set(false);
                    self.not_saved.set(Some(error));
                    return;
                }
                Err(_) => {
                    self.busy.set(false);
                    self.not_saved.set(Some(StoreError::Unavailable));
                    return;
                }
            };
            let patience = gloo_timers::future::TimeoutFuture::new(FIRST_ATTEMPT_MILLIS);
            let attempt = match select(first, patience).await {
                Either::Left((Ok(attempt), _)) => attempt,
                _ => FirstAttempt::Queued,
            };
            self.busy.set(false);
            match attempt {
                FirstAttempt::Delivered(Some(ticket)) => {
                    draft.key.set(None);
                    self.advance(&Step::Sending, Step::Ticket(ticket));
                }
                FirstAttempt::Delivered(None) | FirstAttempt::Queued => {
                    draft.key.set(None);
                    self.advance(&Step::Sending, Step::Provisional);
                }
                FirstAttempt::Refused(error) => self.error.set(Some(error)),
            }
        });
    }
}

/// The longest a patient waits for the server's ticket once the check-in
/// is saved: the request's own timeout, and a moment to read the answer.
const FIRST_ATTEMPT_MILLIS: u32 = WRITE_TIMEOUT.as_millis() as u32 + 1_000;

#[component]
fn FlowView(
    adapter: StoredValue<Adapter>,
    site: StoredValue<SiteConfig>,
    index: OfflineIndexes,
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
            Step::Provisional => view! { <ticket::ProvisionalStep /> }.into_any(),
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
