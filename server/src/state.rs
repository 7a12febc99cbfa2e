//! What every handler can reach: the database, the settings, the clock, the
//! queue service, and the built app.

use crate::clock::Clock;
use crate::hub::QueueHub;
use crate::limits::RateLimits;
use crate::settings::Settings;
use crate::{security, store};
use sqlx::SqlitePool;
use std::{path::PathBuf, sync::Arc};
use waitwell_core::Page;

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
    /// Per-address write budgets.
    pub limits: Arc<RateLimits>,
    /// Served over TLS: cookies are `Secure` and HSTS is sent.
    pub tls: bool,
    /// The offline index's hashes, made once per appointment and day (each
    /// costs an argon2id).
    pub index_hashes: Arc<crate::http::offline::HashCache>,
    /// Tablets that read the queue lately (see `auth::QueueReaders`).
    pub queue_readers: Arc<crate::auth::QueueReaders>,
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
            limits: Arc::new(RateLimits::new(
                &settings.limits,
                settings.phone.reads_per_minute,
            )),
            tls: false,
            settings: Arc::new(settings),
            clock,
            hub: Arc::new(QueueHub::default()),
            secret: Arc::new(secret),
            index_hashes: Arc::default(),
            queue_readers: Arc::default(),
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
    /// `index.html`, read once at start-up (the kiosk's page, and the page
    /// of any path without one of its own).
    pub index_html: Option<String>,
    /// The other pages (`board.html`, `staff.html`, `insights.html`,
    /// `tablets.html`, `phone.html`), where built.
    others: Vec<(Page, String)>,
    /// The Content-Security-Policy for this build (names the pages' inline
    /// scripts).
    pub csp: String,
}

impl WebRoot {
    /// Reads the pages from `dist`; a missing build is not fatal, since the
    /// API works without it (pages then answer 503 with a hint), and a
    /// missing page is answered with `index.html`.
    pub fn load(dist: PathBuf) -> Self {
        let index_html = std::fs::read_to_string(dist.join(Page::Kiosk.file())).ok();
        let others: Vec<(Page, String)> = Page::ALL
            .into_iter()
            .filter(|page| *page != Page::Kiosk)
            .filter_map(|page| Some((page, std::fs::read_to_string(dist.join(page.file())).ok()?)))
            .collect();
        let pages: Vec<&str> = index_html
            .iter()
            .map(String::as_str)
            .chain(others.iter().map(|(_, html)| html.as_str()))
            .collect();
        let csp = security::content_security_policy(&pages);
        WebRoot {
            dist,
            index_html,
            others,
            csp,
        }
    }

    /// The page a browser gets for `path` (`None` when the app is not
    /// built).
    pub fn page_for(&self, path: &str) -> Option<&str> {
        let page = Page::for_path(path);
        self.others
            .iter()
            .find(|(built, _)| *built == page)
            .map(|(_, html)| html.as_str())
            .or(self.index_html.as_deref())
    }
}
