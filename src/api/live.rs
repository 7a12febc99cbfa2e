//! Following server state live: Server-Sent Events announce each change, the
//! snapshot is refetched for any queue version not yet shown (and for any
//! other announced change), and while the stream is down the snapshot is
//! polled instead. The connection state is exposed so a screen never shows
//! stale data as fresh.
//!
//! The public board and a patient's ticket follow `/queue` over
//! `/queue/events`; reception follows the staff queue and alerts over
//! `/staff/events`.

use super::Adapter;
use crate::context::{use_connectivity, Connectivity, Reach};
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use std::{
    cell::RefCell,
    future::Future,
    pin::Pin,
    rc::{Rc, Weak},
};
use waitwell_core::client::{ClientError, VersionTracker};
use waitwell_core::contract::{
    Alert, ErrorCode, FollowedTicket, PublicQueue, QueueChanged, StaffQueue, StreamEvent,
};
use wasm_bindgen::{closure::Closure, JsCast};

/// Poll this often while the live stream is down.
pub const POLL_MILLIS: u32 = 5_000;
/// Recreate a stream the browser gave up on after this long.
pub const RECONNECT_MILLIS: u32 = 3_000;

/// How current the snapshot on screen is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Connection {
    /// Not connected yet.
    Connecting,
    /// The stream is open: the snapshot is current.
    Live,
    /// The stream dropped at this time (ms since the epoch); reconnecting.
    Lost { since_ms: f64 },
}

/// A live view of some server state.
#[derive(Debug)]
pub struct Live<T: Send + Sync + 'static> {
    pub snapshot: ReadSignal<Option<T>>,
    pub connection: ReadSignal<Connection>,
    /// When the snapshot on screen was fetched (ms since the epoch).
    pub fetched_at: ReadSignal<Option<f64>>,
    /// The last fetch's failure, cleared by the next success (a staff screen
    /// learns this way that its session ended).
    pub error: ReadSignal<Option<ClientError>>,
}

impl<T: Send + Sync + 'static> Clone for Live<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for Live<T> {}

/// The public queue, live.
pub type LiveQueue = Live<PublicQueue>;

/// What reception follows: the staff queue and the open alerts.
#[derive(Debug, Clone, PartialEq)]
pub struct ReceptionState {
    pub queue: StaffQueue,
    pub alerts: Vec<Alert>,
}

type Fetch<T> = Rc<dyn Fn() -> Pin<Box<dyn Future<Output = Result<T, ClientError>>>>>;

/// The event stream and its callbacks; dropping it closes the stream and
/// frees the callbacks (nothing is `forget`-ed).
struct Stream {
    source: web_sys::EventSource,
    _on_queue: Closure<dyn FnMut(web_sys::MessageEvent)>,
    _on_other: Closure<dyn FnMut(web_sys::MessageEvent)>,
    _on_open: Closure<dyn FnMut(web_sys::Event)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

impl Drop for Stream {
    fn drop(&mut self) {
        self.source.set_onopen(None);
        self.source.set_onerror(None);
        self.source.close();
    }
}

struct Follower<T: Send + Sync + 'static> {
    url: String,
    /// Events other than `queue` that mean "refetch".
    others: &'static [StreamEvent],
    fetch: Fetch<T>,
    version_of: fn(&T) -> u64,
    /// A failure after which there is nothing more to follow.
    ends: fn(&ClientError) -> bool,
    tracker: VersionTracker,
    fetching: bool,
    refetch_after: bool,
    stream: Option<Stream>,
    reconnect: Option<gloo_timers::callback::Timeout>,
    poll: Option<gloo_timers::callback::Interval>,
    set_snapshot: WriteSignal<Option<T>>,
    set_connection: WriteSignal<Connection>,
    set_fetched_at: WriteSignal<Option<f64>>,
    set_error: WriteSignal<Option<ClientError>>,
    /// Told whether the backend answered, so the sync status and the
    /// outbox know when the network is back.
    connectivity: Option<Connectivity>,
}

type Shared<T> = Rc<RefCell<Follower<T>>>;

/// Follows the public queue; everything stops when the current owner is
/// cleaned up.
pub fn follow_queue(adapter: Adapter) -> LiveQueue {
    let url = adapter.queue_events_url();
    let fetch: Fetch<PublicQueue> = Rc::new(move || {
        let adapter = adapter.clone();
        Box::pin(async move { adapter.queue().await })
    });
    follow(
        url,
        &[StreamEvent::Notices],
        fetch,
        |q| q.version,
        |_| false,
    )
}

/// Follows one ticket through its phone link.
pub fn follow_link(adapter: Adapter, token: String) -> Live<FollowedTicket> {
    let url = adapter.follow_events_url(&token);
    let fetch: Fetch<FollowedTicket> = Rc::new(move || {
        let (adapter, token) = (adapter.clone(), token.clone());
        Box::pin(async move { adapter.followed(&token).await })
    });
    // An ended link stays ended: stop listening and polling.
    let ended = |e: &ClientError| {
        matches!(
            e,
            ClientError::Rejected {
                code: ErrorCode::FollowLinkGone,
                ..
            }
        )
    };
    follow(
        url,
        &[StreamEvent::Notices, StreamEvent::Link],
        fetch,
        |t| t.queue.version,
        ended,
    )
}

/// Follows the staff queue and alerts (staff session required).
pub fn follow_reception(adapter: Adapter) -> Live<ReceptionState> {
    let url = adapter.staff_events_url();
    let fetch: Fetch<ReceptionState> = Rc::new(move || {
        let adapter = adapter.clone();
        Box::pin(async move {
            let queue = adapter.staff_queue().await?;
            let alerts = adapter.alerts().await?;
            Ok(ReceptionState { queue, alerts })
        })
    });
    follow(
        url,
        &[StreamEvent::Alerts, StreamEvent::Notices],
        fetch,
        |s| s.queue.version,
        |_| false,
    )
}

fn follow<T: Clone + Send + Sync + 'static>(
    url: Result<String, ClientError>,
    others: &'static [StreamEvent],
    fetch: Fetch<T>,
    version_of: fn(&T) -> u64,
    ends: fn(&ClientError) -> bool,
) -> Live<T> {
    let (snapshot, set_snapshot) = signal(None);
    let (connection, set_connection) = signal(Connection::Connecting);
    let (fetched_at, set_fetched_at) = signal(None);
    let (error, set_error) = signal(None);
    let live = Live {
        snapshot,
        connection,
        fetched_at,
        error,
    };
    let url = match url {
        Ok(url) => url,
        Err(e) => {
            set_error.set(Some(e));
            set_connection.set(Connection::Lost {
                since_ms: js_sys::Date::now(),
            });
            return live;
        }
    };
    let shared: Shared<T> = Rc::new(RefCell::new(Follower {
        url,
        others,
        fetch,
        version_of,
        ends,
        tracker: VersionTracker::default(),
        fetching: false,
        refetch_after: false,
        stream: None,
        reconnect: None,
        poll: None,
        set_snapshot,
        set_connection,
        set_fetched_at,
        set_error,
        connectivity: use_connectivity(),
    }));
    connect(&shared);
    refetch(&shared);
    let owned = SendWrapper::new(shared);
    on_cleanup(move || {
        let mut f = owned.borrow_mut();
        f.stream = None;
        f.reconnect = None;
        f.poll = None;
    });
    live
}

fn connect<T: Clone + Send + Sync + 'static>(shared: &Shared<T>) {
    let url = shared.borrow().url.clone();
    let Ok(source) = web_sys::EventSource::new(&url) else {
        lost(shared);
        return;
    };
    let weak = Rc::downgrade(shared);
    let on_queue = queue_handler(weak.clone());
    let on_other = Closure::<dyn FnMut(web_sys::MessageEvent)>::new({
        let weak = weak.clone();
        move |_| {
            if let Some(shared) = weak.upgrade() {
                refetch(&shared);
            }
        }
    });
    let on_open = Closure::<dyn FnMut(web_sys::Event)>::new({
        let weak = weak.clone();
        move |_| {
            let Some(shared) = weak.upgrade() else { return };
            let mut f = shared.borrow_mut();
            f.poll = None;
            f.set_connection.set(Connection::Live);
        }
    });
    let on_error = error_handler(weak);
    let others = shared.borrow().others;
    let listening = source
        .add_event_listener_with_callback(
            StreamEvent::Queue.as_str(),
            on_queue.as_ref().unchecked_ref(),
        )
        .is_ok()
        && others.iter().all(|name| {
            source
                .add_event_listener_with_callback(name.as_str(), on_other.as_ref().unchecked_ref())
                .is_ok()
        });
    if !listening {
        lost(shared);
        return;
    }
    source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    shared.borrow_mut().stream = Some(Stream {
        source,
        _on_queue: on_queue,
        _on_other: on_other,
        _on_open: on_open,
        _on_error: on_error,
    });
}

/// A `queue` event: refetch when its version is not on screen yet.
fn queue_handler<T: Clone + Send + Sync + 'static>(
    weak: Weak<RefCell<Follower<T>>>,
) -> Closure<dyn FnMut(web_sys::MessageEvent)> {
    Closure::new(move |event: web_sys::MessageEvent| {
        let Some(shared) = weak.upgrade() else { return };
        let Some(change) = event
            .data()
            .as_string()
            .and_then(|data| serde_json::from_str::<QueueChanged>(&data).ok())
        else {
            return;
        };
        let needed = shared.borrow().tracker.announce(change.version);
        if needed {
            refetch(&shared);
        }
    })
}

/// The stream failed: poll meanwhile, and start a new stream if the browser
/// gave up on this one.
fn error_handler<T: Clone + Send + Sync + 'static>(
    weak: Weak<RefCell<Follower<T>>>,
) -> Closure<dyn FnMut(web_sys::Event)> {
    Closure::new(move |_| {
        let Some(shared) = weak.upgrade() else { return };
        lost(&shared);
        let closed = shared
            .borrow()
            .stream
            .as_ref()
            .is_some_and(|s| s.source.ready_state() == web_sys::EventSource::CLOSED);
        if closed {
            // The browser gave up (e.g. an HTTP error): start a new stream.
            let weak = Rc::downgrade(&shared);
            shared.borrow_mut().reconnect = Some(gloo_timers::callback::Timeout::new(
                RECONNECT_MILLIS,
                move || {
                    if let Some(shared) = weak.upgrade() {
                        shared.borrow_mut().stream = None;
                        connect(&shared);
                    }
                },
            ));
        }
    })
}

/// The stream is down: say so, forget what version is shown (so the next
/// event refetches), and poll until it is back.
fn lost<T: Clone + Send + Sync + 'static>(shared: &Shared<T>) {
    let mut f = shared.borrow_mut();
    f.tracker.lost();
    let now = js_sys::Date::now();
    f.set_connection.update(|c| {
        if !matches!(c, Connection::Lost { .. }) {
            *c = Connection::Lost { since_ms: now };
        }
    });
    if f.poll.is_none() {
        let weak = Rc::downgrade(shared);
        f.poll = Some(gloo_timers::callback::Interval::new(
            POLL_MILLIS,
            move || {
                if let Some(shared) = weak.upgrade() {
                    refetch(&shared);
                }
            },
        ));
    }
}

/// Fetches the snapshot; one fetch at a time, with one more queued if a
/// change arrives meanwhile.
fn refetch<T: Clone + Send + Sync + 'static>(shared: &Shared<T>) {
    let fetch = {
        let mut f = shared.borrow_mut();
        if f.fetching {
            f.refetch_after = true;
            return;
        }
        f.fetching = true;
        f.fetch.clone()
    };
    let weak = Rc::downgrade(shared);
    leptos::task::spawn_local(async move {
        let result = fetch().await;
        let Some(shared) = weak.upgrade() else { return };
        let again = {
            let mut f = shared.borrow_mut();
            f.fetching = false;
            match result {
                Ok(snapshot) => {
                    let live = f
                        .stream
                        .as_ref()
                        .is_some_and(|s| s.source.ready_state() == web_sys::EventSource::OPEN);
                    if live {
                        let version = (f.version_of)(&snapshot);
                        f.tracker.shown(version);
                    }
                    f.set_snapshot.set(Some(snapshot));
                    f.set_fetched_at.set(Some(js_sys::Date::now()));
                    f.set_error.set(None);
                    if let Some(connectivity) = f.connectivity {
                        connectivity.report(Reach::Reachable);
                    }
                }
                Err(error) => {
                    if let (Some(connectivity), ClientError::Network | ClientError::Timeout) =
                        (f.connectivity, &error)
                    {
                        connectivity.report(Reach::Unreachable);
                    }
                    if (f.ends)(&error) {
                        f.stream = None;
                        f.reconnect = None;
                        f.poll = None;
                        f.refetch_after = false;
                    }
                    f.set_error.set(Some(error));
                }
            }
            std::mem::take(&mut f.refetch_after)
        };
        if again {
            refetch(&shared);
        }
    });
}
