//! waitwell-server: the reference backend for Waitwell.
//!
//! One binary: the HTTP API under `/api/v1` over an embedded SQLite file,
//! and the built app (trunk's `dist/`) for every other path.

pub mod auth;
pub mod clock;
pub mod demo;
pub mod error;
pub mod http;
pub mod hub;
pub mod openapi;
pub mod schedule;
pub mod security;
pub mod settings;
pub mod store;

use axum::Router;
use clock::Clock;
use hub::QueueHub;
use settings::Settings;
use sqlx::SqlitePool;
use std::{net::SocketAddr, path::PathBuf, sync::Arc};
use tokio::net::TcpListener;

pub use error::AppError;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub db: SqlitePool,
    pub web: Arc<WebRoot>,
    pub settings: Arc<Settings>,
    pub clock: Arc<dyn Clock>,
    pub hub: Arc<QueueHub>,
    /// Per-installation secret: keys the hashes that stand in for
    /// identities in rate-limit records.
    pub secret: Arc<[u8; 32]>,
}

impl AppState {
    /// State over an opened database (reads or creates the secret).
    pub async fn new(
        db: SqlitePool,
        web: WebRoot,
        settings: Settings,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, sqlx::Error> {
        let secret = store::secret(&db).await?;
        Ok(AppState {
            db,
            web: Arc::new(web),
            settings: Arc::new(settings),
            clock,
            hub: Arc::new(QueueHub::default()),
            secret: Arc::new(secret),
        })
    }

    pub fn now(&self) -> jiff::Timestamp {
        self.clock.now()
    }

    /// Now, in the clinic's time zone.
    pub fn local_now(&self) -> jiff::Zoned {
        self.now().to_zoned(self.settings.time_zone.clone())
    }

    /// Today's clinic-local date, `YYYY-MM-DD`.
    pub fn today(&self) -> String {
        self.local_now().date().to_string()
    }
}

/// The built app that the server hands to browsers.
#[derive(Debug)]
pub struct WebRoot {
    /// trunk's output folder.
    pub dist: PathBuf,
    /// `index.html`, read once at start-up: every app route answers with it.
    pub index_html: Option<String>,
    /// The Content-Security-Policy for this build (names its inline script).
    pub csp: String,
}

impl WebRoot {
    /// Reads `index.html` from `dist`; a missing build is not fatal, since the
    /// API works without it (pages then answer 503 with a hint).
    pub fn load(dist: PathBuf) -> Self {
        let index_html = std::fs::read_to_string(dist.join("index.html")).ok();
        let csp = security::content_security_policy(index_html.as_deref());
        WebRoot {
            dist,
            index_html,
            csp,
        }
    }
}

/// The whole application, ready to serve or to test with `oneshot`.
pub fn app(state: AppState) -> Router {
    http::router(state)
}

/// Serves `app` on an already-bound listener until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown)
        .await
}

/// The URL of every surface, for the start-up banner.
pub fn surface_urls(addr: SocketAddr) -> Vec<(waitwell_core::Surface, String)> {
    waitwell_core::Surface::ALL
        .into_iter()
        .map(|s| (s, format!("http://{addr}{}", s.path())))
        .collect()
}
