//! Following the public queue live: Server-Sent Events announce each new
//! version, the snapshot is refetched for any version not yet shown, and
//! while the stream is down the snapshot is polled instead. The connection
//! state is exposed so a screen never shows stale data as fresh.

use super::Adapter;
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use std::{cell::RefCell, rc::Rc};
use waitwell_core::client::VersionTracker;
use waitwell_core::contract::{PublicQueue, QueueChanged};
use wasm_bindgen::{closure::Closure, JsCast};

/// Poll this often while the live stream is down.
pub const POLL_MILLIS: u32 = 5_000;
/// Recreate a stream the browser gave up on after this long.
pub const RECONNECT_MILLIS: u32 = 3_000;

/// How current the queue on screen is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Connection {
    /// Not connected yet.
    Connecting,
    /// The stream is open: the snapshot is current.
    Live,
    /// The stream dropped at this time (ms since the epoch); reconnecting.
    Lost { since_ms: f64 },
}

/// A live view of the public queue.
#[derive(Debug, Clone, Copy)]
pub struct LiveQueue {
    pub snapshot: ReadSignal<Option<PublicQueue>>,
    pub connection: ReadSignal<Connection>,
    /// When the snapshot on screen was fetched (ms since the epoch).
    pub fetched_at: ReadSignal<Option<f64>>,
}

/// The event stream and its callbacks; dropping it closes the stream and
/// frees the callbacks (nothing is `forget`-ed).
struct Stream {
    source: web_sys::EventSource,
    _on_queue: Closure<dyn FnMut(web_sys::MessageEvent)>,
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

struct Follower {
    adapter: Adapter,
    url: String,
    tracker: VersionTracker,
    fetching: bool,
    refetch_after: bool,
    stream: Option<Stream>,
    reconnect: Option<gloo_timers::callback::Timeout>,
    poll: Option<gloo_timers::callback::Interval>,
    set_snapshot: WriteSignal<Option<PublicQueue>>,
    set_connection: WriteSignal<Connection>,
    set_fetched_at: WriteSignal<Option<f64>>,
}

type Shared = Rc<RefCell<Follower>>;

/// Starts following; everything stops when the current owner is cleaned up.
pub fn follow_queue(adapter: Adapter) -> LiveQueue {
    let (snapshot, set_snapshot) = signal(None);
    let (connection, set_connection) = signal(Connection::Connecting);
    let (fetched_at, set_fetched_at) = signal(None);
    let live = LiveQueue {
        snapshot,
        connection,
        fetched_at,
    };
    let Ok(url) = adapter.queue_events_url() else {
        set_connection.set(Connection::Lost {
            since_ms: js_sys::Date::now(),
        });
        return live;
    };
    let shared: Shared = Rc::new(RefCell::new(Follower {
        adapter,
        url,
        tracker: VersionTracker::default(),
        fetching: false,
        refetch_after: false,
        stream: None,
        reconnect: None,
        poll: None,
        set_snapshot,
        set_connection,
        set_fetched_at,
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

fn connect(shared: &Shared) {
    let url = shared.borrow().url.clone();
    let Ok(source) = web_sys::EventSource::new(&url) else {
        lost(shared);
        return;
    };
    let weak = Rc::downgrade(shared);
    let on_queue = Closure::<dyn FnMut(web_sys::MessageEvent)>::new({
        let weak = weak.clone();
        move |event: web_sys::MessageEvent| {
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
    let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
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
    });
    if source
        .add_event_listener_with_callback("queue", on_queue.as_ref().unchecked_ref())
        .is_err()
    {
        lost(shared);
        return;
    }
    source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    shared.borrow_mut().stream = Some(Stream {
        source,
        _on_queue: on_queue,
        _on_open: on_open,
        _on_error: on_error,
    });
}

/// The stream is down: say so, forget what version is shown (so the next
/// event refetches), and poll until it is back.
fn lost(shared: &Shared) {
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
fn refetch(shared: &Shared) {
    {
        let mut f = shared.borrow_mut();
        if f.fetching {
            f.refetch_after = true;
            return;
        }
        f.fetching = true;
    }
    let adapter = shared.borrow().adapter.clone();
    let weak = Rc::downgrade(shared);
    leptos::task::spawn_local(async move {
        let result = adapter.queue().await;
        let Some(shared) = weak.upgrade() else { return };
        let again = {
            let mut f = shared.borrow_mut();
            f.fetching = false;
            if let Ok(queue) = result {
                let live = f
                    .stream
                    .as_ref()
                    .is_some_and(|s| s.source.ready_state() == web_sys::EventSource::OPEN);
                if live {
                    f.tracker.shown(queue.version);
                }
                f.set_snapshot.set(Some(queue));
                f.set_fetched_at.set(Some(js_sys::Date::now()));
            }
            std::mem::take(&mut f.refetch_after)
        };
        if again {
            refetch(&shared);
        }
    });
}
