//! `POST /devices/lease`: the ticket numbers an enrolled check-in kiosk
//! holds for today, so that a patient it checks in while it cannot reach
//! this server gets a real code at once. The check-in brings the code with
//! it (`leased`), and `POST /check-ins` gives the ticket that code.

use super::extract::ClientIp;
use crate::auth::Device;
use crate::error::AppError;
use crate::limits::Budget;
use crate::state::AppState;
use crate::store::leases;
use axum::routing::post;
use axum::Router;
use axum::{extract::State, Json};
use waitwell_core::contract::{TicketLease, TICKET_LEASE, TICKET_LEASE_DAILY};
use waitwell_core::queue::QueueError;
use waitwell_core::Surface;

#[utoipa::path(post, path = "/api/v1/devices/lease", tag = "kiosk",
    security(("device_credential" = [])),
    responses(
        (status = 200, description = "This kiosk's unused ticket numbers for today, topped up to 10 per line (at most 200 per line and day)", body = TicketLease),
        (status = 401, description = "Not an enrolled device (device_not_enrolled)", body = waitwell_core::contract::ApiError),
        (status = 403, description = "Not a check-in kiosk (wrong_device_role)", body = waitwell_core::contract::ApiError),
        (status = 429, description = "Too many writes from this address (too_many_requests); see Retry-After", body = waitwell_core::contract::ApiError),
    ))]
/// Tops the kiosk's lease up and answers what it holds. Asking again gives
/// the same numbers until check-ins use them: a kiosk cannot drain a line.
pub async fn lease(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    device: Device,
) -> Result<Json<TicketLease>, AppError> {
    device.require(Surface::CheckIn)?;
    state.limits.take(Budget::Write, ip)?;
    let day = state.today();
    let now = state.now().as_second();
    let mut change = state.hub.begin(&state.db, &state.settings, &day).await?;
    let held = leases::held(change.tx(), &day, &device.id).await?;
    for line in state.settings.site.lines.iter().map(|l| l.id) {
        let held = held.get(&line.to_string()).copied().unwrap_or_default();
        let more = TICKET_LEASE
            .saturating_sub(held.unused)
            .min(TICKET_LEASE_DAILY.saturating_sub(held.total));
        if more == 0 {
            continue;
        }
        match change.reserve(line, more) {
            Ok(numbers) => {
                leases::grant(change.tx(), &day, &device.id, line, numbers, now).await?;
            }
            // The line's last numbers are for check-ins that reach us.
            Err(QueueError::LineFull { .. }) => {}
            Err(other) => return Err(crate::hub::refusal(other)),
        }
    }
    let codes = leases::unused(change.tx(), &day, &device.id)
        .await?
        .into_iter()
        .map(|code| code.to_string())
        .collect();
    change.commit().await?;
    Ok(Json(TicketLease { day, codes }))
}

/// This area's routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/devices/lease", post(lease))
}
