//! What the server forgets on its own, every ten minutes: idempotency keys
//! past their retention period, failed attempts past their window, tablets'
//! pairings nobody approved, tablets not heard from for `device_days`
//! (revoked), staff sessions past their shift, access log lines past
//! `staff.access_log_days`, past days' phone links, and rate-limit buckets of addresses gone quiet.
//! It also makes today's offline index hashes ahead of the kiosks.

use crate::state::AppState;
use crate::store::{attempts, devices, idempotency, sessions, staff};
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
    if let Err(e) = sessions::purge(&state.db, now - crate::auth::MAX_SESSION_SECONDS).await {
        tracing::warn!(error = %e, "forgetting old staff sessions failed");
    }
    let kept = i64::from(state.settings.staff.access_log_days) * 24 * 3600;
    if let Err(e) = staff::purge_log(&state.db, now.saturating_sub(kept)).await {
        tracing::warn!(error = %e, "forgetting old access log lines failed");
    }
    if let Err(e) = crate::store::follow::purge(&state.db, &state.today()).await {
        tracing::warn!(error = %e, "forgetting past days' phone links failed");
    }
    // A day's sent EHR writes are kept a week, for looking into.
    let week = now.saturating_sub(7 * 24 * 3600);
    if let Err(e) = crate::store::ehr_writes::purge(&state.db, week).await {
        tracing::warn!(error = %e, "forgetting sent EHR writes failed");
    }
    if let Err(e) = forget_stale_devices(state, now).await {
        tracing::warn!(error = %e, "forgetting expired pairings and lost tablets failed");
    }
    if let Err(e) = crate::http::offline::warm(state).await {
        tracing::warn!(error = %e, "making today's offline index hashes failed");
    }
    state.limits.forget_idle();
}

/// Pairings nobody approved, and enrolled tablets unheard of for
/// `device_days`; how many of each.
pub async fn forget_stale_devices(
    state: &AppState,
    now: i64,
) -> Result<(u64, u64), crate::AppError> {
    let unseen_for = i64::from(state.settings.limits.device_days) * 24 * 3600;
    let mut tx = crate::store::begin_write(&state.db).await?;
    let pairings =
        devices::forget_stale_pairings(&mut tx, now - crate::auth::PAIRING_SECONDS).await?;
    let tablets = devices::forget_unseen(&mut tx, now.saturating_sub(unseen_for)).await?;
    tx.commit().await?;
    devices::end_credentials();
    Ok((pairings, tablets))
}

/// Runs [`once`] every [`EVERY`], for ever (abort the task to stop it).
pub async fn run(state: AppState) {
    let mut every = tokio::time::interval(EVERY);
    loop {
        every.tick().await;
        once(&state).await;
    }
}
