//! What the server forgets on its own, every ten minutes: idempotency keys
//! past their retention period, failed attempts past their window, and
//! rate-limit buckets of addresses gone quiet.

use crate::state::AppState;
use crate::store::{attempts, idempotency};
use std::time::Duration;

/// How often [`once`] runs.
pub const EVERY: Duration = Duration::from_secs(600);

/// One round; a failure is logged and the next round tries again.
pub async fn once(state: &AppState) {
    let now = state.now().as_second();
    if let Err(e) = idempotency::purge(&state.db, now).await {
        tracing::warn!(error = %e, "purging old idempotency keys failed");
    }
    let window = state
        .settings
        .identify
        .window_seconds
        .max(state.settings.staff.lockout_seconds);
    if let Err(e) = attempts::purge(&state.db, now, window).await {
        tracing::warn!(error = %e, "purging old failed attempts failed");
    }
    state.limits.forget_idle();
}

/// Runs [`once`] every [`EVERY`], for ever (abort the task to stop it).
pub async fn run(state: AppState) {
    let mut every = tokio::time::interval(EVERY);
    loop {
        every.tick().await;
        once(&state).await;
    }
}
