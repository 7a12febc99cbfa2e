//! Work that outlives an event handler: tasks tied to an owner's cleanup,
//! and the ids that make a retried write safe.

/// Runs `task` once, `millis` from now (0: after the current task, so after
/// what it set off, such as a navigation, is done). Its closure is freed
/// once it has run, unlike a forgotten `gloo_timers` `Timeout`, whose
/// closure stays for the life of the page.
pub fn run_later(millis: u32, task: impl FnOnce() + 'static) {
    use wasm_bindgen::JsCast;
    let Some(window) = web_sys::window() else {
        return;
    };
    let task = wasm_bindgen::closure::Closure::once_into_js(task);
    let millis = i32::try_from(millis).unwrap_or(i32::MAX);
    let _ =
        window.set_timeout_with_callback_and_timeout_and_arguments_0(task.unchecked_ref(), millis);
}

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
