//! The root component (providers, the shell around every page) and the
//! routes of each built page: `kiosk` (index.html), `board` (board.html),
//! `staff` (staff.html), `insights` (insights.html), `tablets`
//! (tablets.html) and `phone` (phone.html), each its own bundle with only
//! its surfaces (see `waitwell_core::Page`).

use crate::api::AdapterContext;
use crate::api::{load_runtime_config, Adapter};
use crate::components::Enrolled;
use crate::components::{DisplayPrefs, DisplayToolbar, StaffToolbar, SyncIndicator};
use crate::context::{Connectivity, DeviceContext, Enrollment};
use crate::device;
use crate::i18n::*;
use crate::offline::OutboxSync;
use crate::pages::NotFound;
use crate::pages::{BoardPage, InsightsPage, PhonePage, ReceptionPage, SetupPage, TabletsPage};
use futures::future::LocalBoxFuture;
use leptos::prelude::*;
use std::rc::Rc;
use waitwell_core::contract::{Heartbeat, ParkedOrder, ParkedWrite};
use waitwell_core::{Page, Surface};

/// How often to try `/config.json` again while it cannot be fetched.
const CONFIG_RETRY_MILLIS: u32 = 5_000;

/// The root of every page: providers, the shell, and that page's view
/// (`children`: see [`routes`]). `outbox` opens the durable outbox on a page
/// where patients write (the kiosk); the board and staff pages write
/// nothing of a patient's and are built without its code.
#[component]
pub fn App(
    page: Page,
    #[prop(optional)] outbox: Option<fn() -> Rc<dyn Backlog>>,
    children: Children,
) -> impl IntoView {
    let settings = device::load();
    let home = settings.surface;
    let last_known = settings.enrolled;
    let device_locale = settings
        .language
        .as_deref()
        .and_then(|tag| tag.parse::<Locale>().ok());
    provide_context(DeviceContext(settings));
    let adapter = RwSignal::new(None);
    provide_context(AdapterContext(adapter));
    Connectivity::provide();
    Enrollment::provide(last_known);
    let outbox = outbox.map(|open| open());
    if page.keeps_the_app() {
        crate::offline::shell::register(page);
    }
    arrived(page);
    leptos::task::spawn_local(async move {
        // A kiosk may boot before its network is up: keep trying while the
        // failure is one that can pass, and say what is wrong meanwhile.
        loop {
            let loaded = load_runtime_config()
                .await
                .map(|config| Adapter::new(&config));
            let again = matches!(&loaded, Err(e) if e.is_retryable());
            let ready = loaded.clone().ok();
            adapter.set(Some(loaded));
            if let Some(ready) = ready {
                if let Some(outbox) = &outbox {
                    outbox.deliver(ready.clone());
                }
                // A clinic device reports to reception; a patient's phone
                // is nobody's device and never enrols.
                if page.keeps_the_app() {
                    heartbeats(ready, home, outbox).await;
                }
                break;
            }
            if !again {
                break;
            }
            gloo_timers::future::TimeoutFuture::new(CONFIG_RETRY_MILLIS).await;
        }
    });

    view! {
        <I18nContextProvider>
            <ApplyDeviceLocale locale=device_locale />
            <Shell>
                {children()}
            </Shell>
        </I18nContextProvider>
    }
}

/// index.html: the patient kiosk (check-in and survey) and setup.
pub fn kiosk() -> impl IntoView {
    let home = device::load().surface;
    view! {
        <App page=Page::Kiosk outbox=open_outbox>
            {routes(
                Page::Kiosk,
                move |path| match path {
                    "/" => Some(kiosk_home(home)),
                    "/survey" => Some(kiosk_home(Surface::Survey)),
                    "/setup" => Some(view! { <SetupPage /> }.into_any()),
                    _ => None,
                },
            )}
        </App>
    }
}

/// phone.html: a patient's own phone following a ticket (nothing kept on
/// it: no outbox, no service worker).
pub fn phone() -> impl IntoView {
    view! { <App page=Page::Phone>{routes(Page::Phone, |_| Some(view! { <PhonePage /> }.into_any()))}</App> }
}

/// board.html: the queue board, on an enrolled device.
pub fn board() -> impl IntoView {
    view! {
        <App page=Page::Board>
            {routes(
                Page::Board,
                |_| Some(view! { <Enrolled surface=Surface::Board><BoardPage /></Enrolled> }.into_any()),
            )}
        </App>
    }
}

/// staff.html: reception.
pub fn staff() -> impl IntoView {
    view! {
        <App page=Page::Staff>
            {routes(Page::Staff, |_| Some(view! { <ReceptionPage /> }.into_any()))}
        </App>
    }
}

/// insights.html: staff reports.
pub fn insights() -> impl IntoView {
    view! {
        <App page=Page::Insights>
            {routes(Page::Insights, |_| Some(view! { <InsightsPage /> }.into_any()))}
        </App>
    }
}

/// tablets.html: reception's tablets.
pub fn tablets() -> impl IntoView {
    view! {
        <App page=Page::Tablets>
            {routes(Page::Tablets, |_| Some(view! { <TabletsPage /> }.into_any()))}
        </App>
    }
}

/// The view of `this` page at the address it was loaded at: `view_at` its
/// [`Page::route`], for a path of this page, else [`elsewhere`].
///
/// No client-side router: nothing in the app moves between paths without
/// loading a page (a check-in's steps are not routes, so the browser's
/// history never holds a patient's step; a device shows one surface; the
/// few links, such as setup's, load their page), and leptos_router was
/// some 32 KiB brotli of each page's first load.
fn routes(this: Page, view_at: impl FnOnce(&str) -> Option<AnyView>) -> AnyView {
    let location = web_sys::window().map(|w| w.location());
    let path = location
        .as_ref()
        .and_then(|l| l.pathname().ok())
        .unwrap_or_default();
    let route = Page::route(&path);
    let view = (Page::for_path(route) == this)
        .then(|| view_at(route))
        .flatten();
    view.unwrap_or_else(|| {
        let search = location.and_then(|l| l.search().ok()).unwrap_or_default();
        elsewhere(this, &path, &search)
    })
}

/// How often a device tells the server it is alive.
const HEARTBEAT_MILLIS: u32 = 60_000;
/// How often the heartbeat loop looks for a change reception should see
/// sooner (a newly parked entry).
const HEARTBEAT_TICK_MILLIS: u32 = 2_000;

/// A page's patient writes kept on the device, as the root starts their
/// delivery and the heartbeat reports them (the kiosk's outbox; a page
/// without one reports none).
pub trait Backlog {
    /// Starts delivering to `adapter`.
    fn deliver(&self, adapter: Adapter);
    /// Resolves once what was stored is loaded.
    fn loaded(&self) -> LocalBoxFuture<'static, ()>;
    /// The heartbeat's report of it now.
    fn report(&self) -> BacklogReport;
    /// Entries parked now (untracked).
    fn parked(&self) -> usize;
    /// Carries out staff decisions; whether anything changed.
    fn carry_out(&self, orders: Vec<ParkedOrder>) -> LocalBoxFuture<'static, bool>;
}

/// What a heartbeat says of a page's backlog.
#[derive(Debug, Default)]
pub struct BacklogReport {
    backlog: usize,
    parked: usize,
    storage_failed: bool,
    last_sync: Option<f64>,
    parked_writes: Vec<ParkedWrite>,
}

/// The kiosk's outbox (see [`App`]'s `outbox`).
fn open_outbox() -> Rc<dyn Backlog> {
    Rc::new(OutboxSync::provide())
}

impl Backlog for OutboxSync {
    fn deliver(&self, adapter: Adapter) {
        self.run(adapter);
    }

    fn loaded(&self) -> LocalBoxFuture<'static, ()> {
        let sync = *self;
        Box::pin(async move {
            let _ = sync.store().await;
        })
    }

    fn report(&self) -> BacklogReport {
        let status = self.status.get_untracked();
        BacklogReport {
            backlog: status.backlog,
            parked: status.parked,
            storage_failed: status.storage.is_some(),
            last_sync: status.last_sync,
            parked_writes: self.parked_report(),
        }
    }

    fn parked(&self) -> usize {
        self.status.with_untracked(|s| s.parked)
    }

    fn carry_out(&self, orders: Vec<ParkedOrder>) -> LocalBoxFuture<'static, bool> {
        let sync = *self;
        Box::pin(async move { OutboxSync::carry_out(&sync, &orders).await })
    }
}

/// Reports this device to reception's kiosk health list, every minute for
/// as long as the app runs (a failed beat is simply the next one's job),
/// and sooner when an entry is parked. The answer carries what staff
/// decided about parked entries; once those are carried out, the next beat
/// goes at once so that reception sees them done.
async fn heartbeats(adapter: Adapter, home: Surface, outbox: Option<Rc<dyn Backlog>>) {
    // Not before the stored outbox is read: a beat that reported no parked
    // entries would tell the server that staff decisions about them are done.
    if let Some(outbox) = &outbox {
        outbox.loaded().await;
    }
    let parked_now = || outbox.as_ref().map_or(0, |o| o.parked());
    loop {
        // Only an enrolled device reports (its credential says which it is).
        while !Enrollment::is_enrolled() {
            gloo_timers::future::TimeoutFuture::new(HEARTBEAT_TICK_MILLIS).await;
        }
        let path = web_sys::window()
            .and_then(|w| w.location().pathname().ok())
            .unwrap_or_default();
        let surface = Surface::ALL
            .into_iter()
            .find(|s| s.path() == path && path != "/")
            .unwrap_or(home);
        let report = outbox.as_ref().map(|o| o.report()).unwrap_or_default();
        let beat = Heartbeat {
            surface,
            app_version: env!("CARGO_PKG_VERSION").to_owned(),
            outbox_backlog: u32::try_from(report.backlog).unwrap_or(u32::MAX),
            outbox_parked: u32::try_from(report.parked).unwrap_or(u32::MAX),
            storage_failed: report.storage_failed,
            last_sync: report.last_sync.map(|ms| {
                js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms))
                    .to_iso_string()
                    .into()
            }),
            parked: report.parked_writes,
        };
        if let Ok(reply) = adapter.heartbeat(&beat).await {
            if let Some(outbox) = &outbox {
                if outbox.carry_out(reply.orders).await {
                    continue;
                }
            }
        }
        let mut waited = 0;
        while waited < HEARTBEAT_MILLIS && parked_now() == report.parked {
            gloo_timers::future::TimeoutFuture::new(HEARTBEAT_TICK_MILLIS).await;
            waited += HEARTBEAT_TICK_MILLIS;
        }
    }
}

/// What `/` shows on a device set up for `surface` (and `/survey`): the
/// patient surfaces on an enrolled device only. A device set up for a
/// surface of another page goes there.
fn kiosk_home(surface: Surface) -> AnyView {
    use crate::pages::{CheckInPage, SurveyPage};
    match surface {
        Surface::CheckIn => {
            view! { <Enrolled surface=surface><CheckInPage /></Enrolled> }.into_any()
        }
        Surface::Survey => view! { <Enrolled surface=surface><SurveyPage /></Enrolled> }.into_any(),
        Surface::Board | Surface::Reception | Surface::Insights => {
            load_page(surface.path());
            ().into_any()
        }
    }
}

/// The session-storage key of the last path sent to another page, with
/// when.
const SENT_KEY: &str = "waitwell.sent-to";
/// A path sent to another page that comes back here within this time was
/// answered with this page again (a server that does not tell the pages
/// apart): it is not sent again.
const SENT_AGAIN_MILLIS: u64 = 10_000;

/// What `this` page shows at a path that is not one of its own: a path
/// that belongs to another page (answered with this one by a worker or a
/// server that kept an older arrangement of the pages, say) is loaded from
/// the server again, which answers it with that page; a path that belongs
/// nowhere is not found.
fn elsewhere(this: Page, path: &str, search: &str) -> AnyView {
    let storage = web_sys::window().and_then(|w| w.session_storage().ok().flatten());
    // Whole milliseconds: no page parses an f64 (see `restart::decide`).
    let now = js_sys::Date::now() as u64;
    let sent_just_now = storage
        .as_ref()
        .and_then(|s| s.get_item(SENT_KEY).ok().flatten())
        .and_then(|sent| {
            let (at, sent_path) = sent.split_once(' ')?;
            let at: u64 = at.parse().ok()?;
            (sent_path == path && now.saturating_sub(at) < SENT_AGAIN_MILLIS).then_some(())
        })
        .is_some();
    if Page::for_path(path) != this && !sent_just_now {
        if let Some(storage) = storage {
            let _ = storage.set_item(SENT_KEY, &format!("{now} {path}"));
        }
        // Once this page has started: it replaces its own entry in the
        // history, not the one before it (Back returns to where the link
        // was).
        let target = format!("{path}{search}");
        crate::tasks::run_later(0, move || load_page(&target));
        return ().into_any();
    }
    view! { <NotFound /> }.into_any()
}

/// On a page that owns the path it was loaded at, a path sent here from
/// another page has arrived: sending it again later is fine.
fn arrived(page: Page) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let path = window.location().pathname().unwrap_or_default();
    if Page::for_path(&path) == page {
        if let Ok(Some(storage)) = window.session_storage() {
            let _ = storage.remove_item(SENT_KEY);
        }
    }
}

/// Leaves this page for `path`, loaded from the server (its own page).
fn load_page(path: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.location().replace(path);
    }
}

/// Switches to the device's default language once the i18n context has
/// settled on the browser's preference.
#[component]
fn ApplyDeviceLocale(locale: Option<Locale>) -> impl IntoView {
    let i18n = use_i18n();
    // An effect, not a direct call: the i18n provider applies the browser's
    // language in an effect of its own, which would otherwise run after us.
    Effect::new(move |_| {
        if let Some(locale) = locale {
            i18n.set_locale(locale);
        }
    });
}

/// What the app bar above a page is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chrome {
    /// The patient toolbar: languages, Large text, High contrast, Read aloud.
    Patient,
    /// Reception and insights: the language and text size as a preference
    /// of the staff computer.
    Staff,
    /// A wall screen (the queue board): no app bar, the whole screen.
    Wall,
    /// A patient's own phone: the display options, and no word about this
    /// device's outbox (it has none).
    Phone,
}

/// The app bar the page on screen asked for, with the number of that
/// claim.
#[derive(Clone, Copy)]
pub struct ScreenChrome(RwSignal<(u64, Chrome)>);

impl ScreenChrome {
    /// Sets the app bar for as long as the calling component lives. Its
    /// cleanup undoes only its own claim: a page that replaces it may have
    /// claimed already, whichever order the router runs the two in.
    pub fn claim(chrome: Chrome) {
        if let Some(ScreenChrome(current)) = use_context::<ScreenChrome>() {
            let mine = current.with_untracked(|(n, _)| n.wrapping_add(1));
            current.set((mine, chrome));
            on_cleanup(move || {
                let _ = current.try_update(|(n, chrome)| {
                    if *n == mine {
                        *chrome = Chrome::Patient;
                    }
                });
            });
        }
    }
}

/// The frame around every page: skip link, app bar and main landmark.
#[component]
pub fn Shell(children: Children) -> impl IntoView {
    let i18n = use_i18n();
    let prefs = DisplayPrefs::provide();
    let claimed = RwSignal::new((0, Chrome::Patient));
    provide_context(ScreenChrome(claimed));
    let chrome = Memo::new(move |_| claimed.with(|(_, chrome)| *chrome));
    view! {
        <leptos_meta::Html
            attr:data-contrast=move || {
                if prefs.high_contrast.get() { "high" } else { "normal" }
            }
            attr:data-text=move || if prefs.large_text.get() { "large" } else { "normal" }
            attr:data-wall=move || (chrome.get() == Chrome::Wall).then_some("true")
        />
        <a class="skip-link" href="#main">
            {t!(i18n, skip_to_content)}
        </a>
        {move || match chrome.get() {
            Chrome::Wall => ().into_any(),
            Chrome::Patient => {
                view! {
                    <header class="app-bar">
                        <span class="brand">{t!(i18n, app_name)}</span>
                        <SyncIndicator />
                        <DisplayToolbar />
                    </header>
                }
                    .into_any()
            }
            Chrome::Phone => {
                view! {
                    <header class="app-bar">
                        <span class="brand">{t!(i18n, app_name)}</span>
                        <DisplayToolbar />
                    </header>
                }
                    .into_any()
            }
            Chrome::Staff => {
                view! {
                    <header class="app-bar staff">
                        <span class="brand">{t!(i18n, app_name)}</span>
                        <StaffToolbar />
                    </header>
                }
                    .into_any()
            }
        }}
        <main id="main" tabindex="-1">
            {children()}
        </main>
    }
}
