//! One patient's check-in: where they are ([`Step`]), what they entered
//! ([`Draft`]), and how the flow moves on ([`Flow`]). Which step follows
//! which is decided in `waitwell_core::checkin`; this carries it out.

use crate::api::{Adapter, WRITE_TIMEOUT};
use crate::offline::index::OfflineIndexes;
use crate::offline::lease::TicketLeases;
use crate::offline::{FirstAttempt, OutboxSync, StoreError};
use crate::tasks::{new_idempotency_key, spawn_owned};
use crate::time::now_ms;
use futures::channel::oneshot;
use futures::future::{select, Either};
use leptos::prelude::*;
use waitwell_core::checkin::{
    AfterDetails, BirthDatePicker, Identified, IdentifyFailure, Question,
};
use waitwell_core::client::ClientError;
use waitwell_core::contract::{
    AppointmentHint, CheckInRequest, CheckInResponse, IdentifyRequest, Needs, SiteConfig,
};
use waitwell_core::outbox::Write;
use waitwell_core::queue::LineId;

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
    /// Saved on this kiosk, not yet at the server: checked in all the same,
    /// with a code from the kiosk's lease (`None` when it had none left).
    Provisional(Option<String>),
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
    /// What the patient was identified by (sent again with the check-in:
    /// the server finds the appointment itself).
    pub identity: RwSignal<Option<IdentifyRequest>>,
    /// The appointment being checked in for, as its hint showed it; `None`
    /// for a walk-in.
    pub appointment: RwSignal<Option<AppointmentHint>>,
    pub needs: RwSignal<Needs>,
    /// The pending check-in's idempotency key: one per check-in, kept
    /// across retries so a retry can never make a second ticket.
    pub key: RwSignal<Option<String>>,
    /// The code given from the kiosk's lease with that key (the same on a
    /// retry: one key, one request).
    pub leased: RwSignal<Option<String>>,
}

impl Draft {
    pub(super) fn new() -> Self {
        Draft {
            family_name: RwSignal::new(String::new()),
            birth_date: RwSignal::new(BirthDatePicker::default()),
            code: RwSignal::new(String::new()),
            first_name: RwSignal::new(String::new()),
            last_initial: RwSignal::new(String::new()),
            reason: RwSignal::new(None),
            identity: RwSignal::new(None),
            appointment: RwSignal::new(None),
            needs: RwSignal::new(Needs::default()),
            key: RwSignal::new(None),
            leased: RwSignal::new(None),
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
    pub(super) sync: Option<OutboxSync>,
    pub(super) index: OfflineIndexes,
    pub(super) leases: TicketLeases,
    pub site: StoredValue<SiteConfig>,
    pub questions: StoredValue<Vec<Question>>,
    pub(super) owner: StoredValue<Option<Owner>>,
    pub(super) restart: Callback<()>,
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
                Identified::Matches(hints) => {
                    self.draft.identity.try_set(Some(request));
                    self.advance(&from, Step::Matches(hints))
                }
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

    /// Stores the check-in in the outbox, with a code from the kiosk's lease
    /// when `lease_line` says to give one; answers that code with the first
    /// attempt. Storing is not tied to this screen: once begun it finishes
    /// even if the patient walks away.
    fn store(
        self,
        key: String,
        mut request: CheckInRequest,
        lease_line: Option<LineId>,
    ) -> oneshot::Receiver<Stored> {
        let (saved_tx, saved) = oneshot::channel();
        let (sync, leases, draft) = (self.sync, self.leases, self.draft);
        // A retry sends the code the first try gave.
        let given = draft.leased.get_untracked();
        leptos::task::spawn_local(async move {
            let leased = match (given, lease_line) {
                (Some(code), _) => Some(code),
                (None, Some(line)) => leases.take(line).await,
                (None, None) => None,
            };
            draft.leased.try_set(leased.clone());
            request.set_leased(leased.clone());
            let result = match sync {
                Some(sync) => sync
                    .enqueue(key, Write::CheckIn { request })
                    .await
                    .map(|first| (first, leased)),
                None => Err(StoreError::Unavailable),
            };
            let _ = saved_tx.send(result);
        });
        saved
    }

    /// Whether this kiosk gives a code from its lease to the check-in being
    /// sent: only while it cannot reach the server (offline, or earlier
    /// check-ins still waiting to go), so that online every ticket takes
    /// the next number in order. The line is the appointment's, or the
    /// walk-in line.
    fn lease_line(self) -> Option<LineId> {
        let cut_off = self.sync.is_some_and(|sync| {
            sync.status
                .with_untracked(|s| s.offline_since.is_some() || s.backlog > 0)
        }) || web_sys::window().is_some_and(|w| !w.navigator().on_line());
        if !cut_off {
            return None;
        }
        match self.draft.appointment.get_untracked() {
            Some(hint) => hint.line,
            None => Some(self.site.with_value(|s| s.walk_in_line)),
        }
    }

    /// What the draft checks in: the confirmed appointment with the
    /// identity that found it, or the walk-in's details. `None` for an
    /// appointment without its identity (never made by the steps).
    fn request(self) -> Option<CheckInRequest> {
        let draft = self.draft;
        let needs = draft.needs.get_untracked();
        match draft.appointment.get_untracked() {
            Some(hint) => Some(CheckInRequest::Appointment {
                identity: draft.identity.get_untracked()?,
                time: hint.time,
                clinician: hint.clinician,
                needs,
                arrived_at: Some((now_ms() / 1000.0) as i64),
                leased: None,
            }),
            None => Some(CheckInRequest::WalkIn {
                first_name: draft.first_name.get_untracked().trim().to_owned(),
                last_initial: draft.last_initial.get_untracked().trim().to_owned(),
                reason: draft.reason.get_untracked().unwrap_or_default(),
                needs,
                leased: None,
            }),
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
        // A code from the lease only with a new key: a retry sends what the
        // first try stored.
        let fresh = draft.key.get_untracked().is_none();
        let Some(key) = draft.key.get_untracked().or_else(new_idempotency_key) else {
            self.error.set(Some(ClientError::Unsupported));
            return;
        };
        let Some(request) = self.request() else {
            self.error.set(Some(ClientError::Unsupported));
            return;
        };
        draft.key.set(Some(key.clone()));
        self.busy.set(true);
        self.error.set(None);
        self.not_saved.set(None);
        self.step.set(Step::Sending);
        let lease_line = if fresh { self.lease_line() } else { None };
        let saved = self.store(key, request, lease_line);
        self.spawn(async move {
            let (first, leased) = match saved.await {
                Ok(Ok(saved)) => saved,
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
                    draft.leased.set(None);
                    self.advance(&Step::Sending, Step::Ticket(ticket));
                }
                FirstAttempt::Delivered(None) | FirstAttempt::Queued => {
                    draft.key.set(None);
                    draft.leased.set(None);
                    self.advance(&Step::Sending, Step::Provisional(leased));
                }
                FirstAttempt::Refused(error) => self.error.set(Some(error)),
            }
        });
    }
}

/// What storing a check-in answers: its first attempt, and the code given
/// from the lease.
type Stored = Result<(oneshot::Receiver<FirstAttempt>, Option<String>), StoreError>;

/// The longest a patient waits for the server's ticket once the check-in
/// is saved: the request's own timeout, and a moment to read the answer.
const FIRST_ATTEMPT_MILLIS: u32 = WRITE_TIMEOUT.as_millis() as u32 + 1_000;
