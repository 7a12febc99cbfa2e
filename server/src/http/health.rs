use crate::error::AppError;
use crate::state::AppState;
use axum::routing::get;
use axum::Router;
use axum::{extract::State, Json};
use serde::Serialize;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Health {
    pub status: &'static str,
    pub version: &'static str,
    /// The newest applied database migration.
    pub schema: i64,
}

#[utoipa::path(get, path = "/api/v1/health", tag = "server",
    responses((status = 200, description = "The server and its database answer", body = Health)))]
/// `GET /health`: the server and its database answer.
pub async fn health(State(state): State<AppState>) -> Result<Json<Health>, AppError> {
    let schema = crate::store::schema_version(&state.db).await?;
    Ok(Json(Health {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
        schema,
    }))
}

/// This area's routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/health", get(health))
}
