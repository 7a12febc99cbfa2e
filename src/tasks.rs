//! Work that outlives an event handler: tasks tied to an owner's cleanup,
//! and the ids that make a retried write safe.

/// A fresh idempotency key (UUID v4 from the browser's CSPRNG).
pub fn new_idempotency_key() -> Option<String> {
    web_sys::window()?.crypto().ok().map(|c| c.random_uuid())
}

/// Runs `task` under `owner`, so it is cancelled when that owner is cleaned
/// up (a screen that went away); without an owner it runs detached. Event
/// handlers call this with the owner their component captured, since they
/// do not run under one themselves.
pub fn spawn_owned(
    owner: Option<&leptos::prelude::Owner>,
    task: impl std::future::Future<Output = ()> + 'static,
) {
    match owner {
        Some(owner) => owner.with(|| leptos::task::spawn_local_scoped_with_cancellation(task)),
        None => leptos::task::spawn_local(task),
    }
}
