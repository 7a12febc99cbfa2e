//! The outbox as the app runs it: entries kept in IndexedDB, the state
//! machine from `waitwell_core::outbox`, and one loop per app that delivers
//! them in order. Not tied to any screen: a patient walking away, the idle
//! reset or a page change never cancels a delivery, and a reload picks the
//! stored entries up again.

use super::store::{Store, StoreError, OUTBOX};
use crate::api::Adapter;
use crate::context::{use_connectivity, Reach};
use crate::time::now_ms;
use futures::channel::oneshot;
use futures::future::{select, FutureExt, LocalBoxFuture, Shared};
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use serde::{Deserialize, Serialize};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use waitwell_core::client::ClientError;
use waitwell_core::contract::{
    CheckInResponse, ParkedDecision, ParkedOrder, ParkedWrite, MAX_PARKED_REPORTED,
};
use waitwell_core::outbox::{Entry, EntryState, Next, Outbox, Outcome, RetryPolicy, Write};

/// What the sync status shows, on every surface.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SyncStatus {
    /// Entries still to deliver.
    pub backlog: usize,
    /// Entries the server refused, kept for staff.
    pub parked: usize,
    /// When the backend was last found unreachable (ms since the epoch),
    /// until it is reached again.
    pub offline_since: Option<f64>,
    /// The last delivery (ms since the epoch).
    pub last_sync: Option<f64>,
    /// New entries cannot be stored: the kiosk must not say "saved".
    pub storage: Option<StoreError>,
}

/// How the first attempt at a new entry went, for the screen that made it.
#[derive(Debug, Clone, PartialEq)]
pub enum FirstAttempt {
    /// The server has it; a check-in's ticket comes with it.
    Delivered(Option<CheckInResponse>),
    /// The server refused it; it is parked for staff.
    Refused(ClientError),
    /// It waits in the outbox (offline, failing server, or behind others).
    Queued,
}

/// One stored entry: its place in the order, and the entry.
#[derive(Deserialize)]
struct Stored {
    seq: u64,
    entry: Entry<Write>,
}

/// How an entry is written to storage.
#[derive(Serialize)]
struct StoredRef<'a> {
    seq: u64,
    entry: &'a Entry<Write>,
}

fn stored_text(seq: u64, entry: &Entry<Write>) -> Result<String, StoreError> {
    serde_json::to_string(&StoredRef { seq, entry }).map_err(|e| StoreError::Failed(e.to_string()))
}

/// The store, once opened and read into the state machine.
type Ready = Shared<LocalBoxFuture<'static, Result<Store, StoreError>>>;

struct Inner {
    ready: RefCell<Option<Ready>>,
    outbox: RefCell<Outbox<Write>>,
    seq: RefCell<HashMap<String, u64>>,
    next_seq: Cell<u64>,
    waiters: RefCell<HashMap<String, oneshot::Sender<FirstAttempt>>>,
    wake: RefCell<Option<oneshot::Sender<()>>>,
    policy: RetryPolicy,
}

/// The app's outbox. Provided at the root; `use_sync` finds it.
#[derive(Clone, Copy)]
pub struct OutboxSync {
    pub status: RwSignal<SyncStatus>,
    inner: StoredValue<SendWrapper<Rc<Inner>>>,
}

impl OutboxSync {
    /// Opens the store and loads what is waiting in it; provides the
    /// context. Delivery starts with [`OutboxSync::run`].
    pub fn provide() -> Self {
        let status = RwSignal::new(SyncStatus::default());
        let inner = Rc::new(Inner {
            ready: RefCell::new(None),
            outbox: RefCell::new(Outbox::new()),
            seq: RefCell::default(),
            next_seq: Cell::new(0),
            waiters: RefCell::default(),
            wake: RefCell::new(None),
            policy: RetryPolicy::default(),
        });
        let sync = OutboxSync {
            status,
            inner: StoredValue::new(SendWrapper::new(Rc::clone(&inner))),
        };
        provide_context(sync);
        // Everything that needs the store waits for this, so nothing is
        // added before what was stored is loaded.
        let ready = async move { sync.load().await }.boxed_local().shared();
        inner.ready.replace(Some(ready.clone()));
        leptos::task::spawn_local(async move {
            if let Err(error) = ready.await {
                sync.status.update(|s| s.storage = Some(error));
            }
        });
        let offline = window_event_listener(leptos::ev::offline, move |_| {
            sync.status.update(|s| {
                s.offline_since.get_or_insert_with(now_ms);
            });
        });
        let online = window_event_listener(leptos::ev::online, move |_| {
            sync.with(|inner| inner.outbox.borrow_mut().online(now_ms() as u64));
            sync.poke();
        });
        if web_sys::window().is_some_and(|w| !w.navigator().on_line()) {
            status.update(|s| s.offline_since = Some(now_ms()));
        }
        // What others learn about reaching the backend (a live queue, a
        // config fetch) counts for the outbox too.
        if let Some(connectivity) = use_connectivity() {
            Effect::new(move |_| match connectivity.get() {
                Some(Reach::Reachable) => sync.reachable(),
                Some(Reach::Unreachable) => sync.unreachable(),
                None => {}
            });
        }
        on_cleanup(move || {
            offline.remove();
            online.remove();
        });
        sync
    }

    fn with<R>(&self, f: impl FnOnce(&Inner) -> R) -> R {
        self.inner.with_value(|inner| f(inner))
    }

    fn rc(&self) -> Rc<Inner> {
        self.inner.with_value(|inner| Rc::clone(inner))
    }

    /// The app's one open store (opened and loaded at start).
    pub async fn store(&self) -> Result<Store, StoreError> {
        let ready = self.with(|inner| inner.ready.borrow().clone());
        match ready {
            Some(ready) => ready.await,
            None => Err(StoreError::Unavailable),
        }
    }

    /// Opens the store and reads the stored entries into the state machine
    /// (once, at start).
    async fn load(self) -> Result<Store, StoreError> {
        let store = Store::open().await?;
        let mut stored: Vec<Stored> = store
            .all(OUTBOX)
            .await?
            .iter()
            // An entry this version cannot read is left where it is rather
            // than deleted: nothing is dropped.
            .filter_map(|text| serde_json::from_str(text).ok())
            .collect();
        stored.sort_by_key(|s| s.seq);
        let inner = self.rc();
        {
            let mut seq = inner.seq.borrow_mut();
            for s in &stored {
                seq.insert(s.entry.key.clone(), s.seq);
            }
        }
        inner.next_seq.set(
            stored
                .last()
                .map_or(0, |s| s.seq + 1)
                .max(inner.next_seq.get()),
        );
        *inner.outbox.borrow_mut() =
            Outbox::restore(stored.into_iter().map(|s| s.entry), now_ms() as u64);
        self.refresh();
        self.poke();
        Ok(store)
    }

    /// Writes `payload` to the outbox under `key` and returns once it is
    /// committed to storage: only then may the screen say it is saved. The
    /// answer resolves with the first delivery attempt.
    pub async fn enqueue(
        self,
        key: String,
        payload: Write,
    ) -> Result<oneshot::Receiver<FirstAttempt>, StoreError> {
        let result = self.try_enqueue(key, payload).await;
        if let Err(error) = &result {
            self.status.update(|s| s.storage = Some(error.clone()));
        }
        result
    }

    async fn try_enqueue(
        self,
        key: String,
        payload: Write,
    ) -> Result<oneshot::Receiver<FirstAttempt>, StoreError> {
        let store = self.store().await?;
        let inner = self.rc();
        let (answer, receiver) = oneshot::channel();
        if inner.outbox.borrow().entry(&key).is_some() {
            // A second tap on the same write: it is stored already.
            let _ = answer.send(FirstAttempt::Queued);
            return Ok(receiver);
        }
        let now = now_ms() as u64;
        let seq = inner.next_seq.get();
        inner.next_seq.set(seq + 1);
        let entry = Entry {
            key: key.clone(),
            created_ms: now,
            state: EntryState::Pending {
                attempts: 0,
                next_at_ms: now,
            },
            payload,
        };
        store.put(OUTBOX, &key, &stored_text(seq, &entry)?).await?;
        // A newer state of a survey response makes waiting older ones moot.
        let superseded = match entry.payload.survey_id() {
            Some(id) => inner
                .outbox
                .borrow_mut()
                .drop_superseded(|p| p.survey_id() == Some(id)),
            None => Vec::new(),
        };
        inner.seq.borrow_mut().insert(key.clone(), seq);
        inner
            .outbox
            .borrow_mut()
            .add(key.clone(), entry.payload, now);
        inner.waiters.borrow_mut().insert(key, answer);
        for old in superseded {
            inner.seq.borrow_mut().remove(&old);
            inner.waiters.borrow_mut().remove(&old);
            // Left in storage if this fails: resent later, harmlessly (a
            // PUT of an older state, then the newer one after it).
            let _ = store.delete(OUTBOX, &old).await;
        }
        self.status.update(|s| s.storage = None);
        self.refresh();
        self.poke();
        Ok(receiver)
    }

    /// Wakes the loop to look at the outbox again.
    fn poke(&self) {
        if let Some(wake) = self.with(|inner| inner.wake.borrow_mut().take()) {
            let _ = wake.send(());
        }
    }

    fn refresh(&self) {
        let (backlog, parked) = self.with(|inner| {
            let outbox = inner.outbox.borrow();
            (outbox.backlog(), outbox.parked())
        });
        self.status.update(|s| {
            s.backlog = backlog;
            s.parked = parked;
        });
    }

    fn answer(&self, key: &str, attempt: FirstAttempt) {
        if let Some(waiter) = self.with(|inner| inner.waiters.borrow_mut().remove(key)) {
            let _ = waiter.send(attempt);
        }
    }

    /// Delivers the outbox for as long as the app runs.
    pub fn run(self, adapter: Adapter) {
        leptos::task::spawn_local(async move {
            let Ok(store) = self.store().await else {
                return;
            };
            loop {
                let next = self.with(|inner| inner.outbox.borrow_mut().next(now_ms() as u64));
                match next {
                    Next::Send(key) => self.deliver(&store, &adapter, key).await,
                    Next::WaitUntil(at) => {
                        // Backing off: whoever waits on a first attempt
                        // should not wait for this.
                        let waiting: Vec<String> =
                            self.with(|inner| inner.waiters.borrow().keys().cloned().collect());
                        for key in waiting {
                            self.answer(&key, FirstAttempt::Queued);
                        }
                        let millis = (at as f64 - now_ms()).clamp(0.0, f64::from(u32::MAX));
                        self.sleep(Some(millis as u32)).await;
                    }
                    Next::Idle => self.sleep(None).await,
                }
            }
        });
    }

    /// Until `millis` pass (or forever) or the loop is poked.
    async fn sleep(&self, millis: Option<u32>) {
        let (wake, woken) = oneshot::channel();
        self.with(|inner| *inner.wake.borrow_mut() = Some(wake));
        match millis {
            Some(millis) => {
                let timer = gloo_timers::future::TimeoutFuture::new(millis);
                let _ = select(timer, woken).await;
            }
            None => {
                let _ = woken.await;
            }
        }
    }

    async fn deliver(&self, store: &Store, adapter: &Adapter, key: String) {
        let Some(payload) =
            self.with(|inner| inner.outbox.borrow().entry(&key).map(|e| e.payload.clone()))
        else {
            return;
        };
        let result = match &payload {
            Write::CheckIn { request } => adapter.check_in(&key, request).await.map(Some),
            Write::Survey { id, response } => adapter.put_survey(id, response).await.map(|()| None),
        };
        let outcome = match &result {
            Ok(_) => Outcome::Accepted,
            Err(error) => Outcome::from_error(error),
        };
        let now = now_ms();
        let inner = self.rc();
        inner.outbox.borrow_mut().settle(
            &key,
            outcome.clone(),
            now as u64,
            &inner.policy,
            js_sys::Math::random(),
        );
        // Storage follows the state machine; a failure here is repaired by
        // the next write or, at worst, a resend under the same key.
        self.persist(store, &key).await;
        let reached = !matches!(
            result,
            Err(ClientError::Network | ClientError::Timeout | ClientError::Aborted)
        );
        self.status.update(|s| {
            if reached {
                s.offline_since = None;
            } else {
                s.offline_since.get_or_insert(now);
            }
            if outcome == Outcome::Accepted {
                s.last_sync = Some(now);
            }
        });
        self.refresh();
        self.answer(
            &key,
            match result {
                Ok(ticket) => FirstAttempt::Delivered(ticket),
                Err(error) if matches!(outcome, Outcome::Refused { .. }) => {
                    FirstAttempt::Refused(error)
                }
                Err(_) => FirstAttempt::Queued,
            },
        );
    }

    /// Writes `key`'s entry as the state machine now has it, or deletes it
    /// from storage when the state machine no longer has it.
    async fn persist(&self, store: &Store, key: &str) {
        let inner = self.rc();
        let entry = inner.outbox.borrow().entry(key).cloned();
        match entry {
            None => {
                inner.seq.borrow_mut().remove(key);
                let _ = store.delete(OUTBOX, key).await;
            }
            Some(entry) => {
                let seq = inner.seq.borrow().get(key).copied().unwrap_or(0);
                if let Ok(text) = stored_text(seq, &entry) {
                    let _ = store.put(OUTBOX, key, &text).await;
                }
            }
        }
    }

    /// The parked entries as the heartbeat reports them to reception: what
    /// and why, never who.
    pub fn parked_report(&self) -> Vec<ParkedWrite> {
        self.with(|inner| {
            inner
                .outbox
                .borrow()
                .parked_report(MAX_PARKED_REPORTED, |ms| {
                    js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64))
                        .to_iso_string()
                        .into()
                })
        })
    }

    /// Carries out what staff decided at reception about parked entries:
    /// send one again, or delete it (staff dealt with the patient another
    /// way). Returns whether anything changed.
    pub async fn carry_out(&self, orders: &[ParkedOrder]) -> bool {
        let Ok(store) = self.store().await else {
            return false;
        };
        let mut changed = false;
        for order in orders {
            let done = self.with(|inner| {
                let mut outbox = inner.outbox.borrow_mut();
                match order.decision {
                    ParkedDecision::Retry => outbox.retry_parked(&order.key, now_ms() as u64),
                    ParkedDecision::Resolved => outbox.resolve_parked(&order.key),
                }
            });
            if done {
                self.persist(&store, &order.key).await;
                changed = true;
            }
        }
        if changed {
            self.refresh();
            self.poke();
        }
        changed
    }

    /// Someone else reached the backend (a live queue, a config fetch): the
    /// network is back, so waiting entries go now rather than at their
    /// backed-off time.
    fn reachable(&self) {
        let was_offline = self.status.with_untracked(|s| s.offline_since.is_some());
        if was_offline {
            self.status.update(|s| s.offline_since = None);
            self.with(|inner| inner.outbox.borrow_mut().online(now_ms() as u64));
            self.poke();
        }
    }

    /// Someone else found the backend unreachable.
    fn unreachable(&self) {
        if self.status.with_untracked(|s| s.offline_since.is_none()) {
            self.status.update(|s| s.offline_since = Some(now_ms()));
        }
    }
}

/// The app's outbox, if there is one (not in component tests).
pub fn use_sync() -> Option<OutboxSync> {
    use_context::<OutboxSync>()
}
