use crate::state::AppState;
use axum::routing::get;
use axum::Router;
use axum::{extract::State, Json};
use waitwell_core::contract::SiteConfig;

#[utoipa::path(get, path = "/api/v1/config", tag = "kiosk",
    responses((status = 200, description = "What a kiosk needs to know about the site", body = SiteConfig)))]
/// `GET /config`: what a kiosk needs to know about the site.
pub async fn site_config(State(state): State<AppState>) -> Json<SiteConfig> {
    Json(state.settings.site.clone())
}

/// This area's routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/config", get(site_config))
}
