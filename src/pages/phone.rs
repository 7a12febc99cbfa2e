//! `/t/{token}`: a patient's own phone following their ticket, opened from
//! the QR code on the kiosk's ticket screen. It shows the ticket code, the
//! place in the line, the wait range and delay notices, and "you are being
//! called — Room 3", live; nothing that names the patient. When the link
//! has ended it says so. After the patient taps "Notify me", the phone
//! buzzes (and notifies, where allowed) when nearly up and when called.

use crate::api::live::{follow_link, Connection};
use crate::api::Adapter;
use crate::components::{PageHeading, WithSite};
use crate::i18n::*;
use leptos::prelude::*;
use waitwell_core::board::Standing;
use waitwell_core::client::ClientError;
use waitwell_core::contract::{DelayNotice, ErrorCode, SiteConfig};
use waitwell_core::phone::{Nudge, Nudges};
use wasm_bindgen::JsCast;

/// The page for `/t/{token}`.
#[component]
pub fn PhonePage() -> impl IntoView {
    let i18n = use_i18n();
    crate::app::ScreenChrome::claim(crate::app::Chrome::Phone);
    // The language the patient used at the kiosk, when the link says it.
    Effect::new(move |_| {
        if let Some(locale) = link_language().and_then(|tag| tag.parse::<Locale>().ok()) {
            i18n.set_locale(locale);
        }
    });
    view! {
        <section class="phone">
            <WithSite title=Signal::derive(move || t_string!(i18n, phone.title).to_string()) ready=followed />
        </section>
    }
}

/// The link's token, when it is a well-formed one (anything else is never
/// sent to the server), read from the address the page was loaded at.
fn token() -> Option<String> {
    let path = web_sys::window()?.location().pathname().ok()?;
    waitwell_core::phone::link_token(&path).map(str::to_owned)
}

/// The link's `lang`.
fn link_language() -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    web_sys::UrlSearchParams::new_with_str(&search)
        .ok()?
        .get("lang")
}

fn followed(adapter: Adapter, site: SiteConfig) -> AnyView {
    match token() {
        Some(token) => view! { <Followed adapter=adapter site=site token=token /> }.into_any(),
        None => view! { <Gone /> }.into_any(),
    }
}

#[component]
fn Followed(adapter: Adapter, site: SiteConfig, token: String) -> impl IntoView {
    let i18n = use_i18n();
    let live = follow_link(adapter, token);
    let site = StoredValue::new(site);
    let gone = Memo::new(move |_| {
        live.error.with(|e| {
            matches!(
                e,
                Some(ClientError::Rejected {
                    code: ErrorCode::FollowLinkGone,
                    ..
                })
            )
        })
    });
    let ticket = Memo::new(move |_| live.snapshot.with(|t| t.as_ref().map(|t| t.ticket.clone())));
    let standing = Memo::new(move |_| {
        live.snapshot.with(|t| {
            t.as_ref().map_or(Standing::Unknown, |t| {
                Standing::in_queue(&t.queue, &t.ticket)
            })
        })
    });
    let notices = Memo::new(move |_| {
        live.snapshot.with(|t| {
            t.as_ref()
                .map(|t| t.queue.notices.clone())
                .unwrap_or_default()
        })
    });
    // A clock for "taking longer than we said".
    let tick = RwSignal::new(0u32);
    let clock = gloo_timers::callback::Interval::new(15_000, move || tick.update(|t| *t += 1));
    let clock = send_wrapper::SendWrapper::new(clock);
    on_cleanup(move || drop(clock));

    let room_name = move |room: &str| {
        let language = i18n.get_locale();
        site.with_value(|s| s.room_name(room, language.as_str()).to_owned())
    };
    let notify = notifications(standing, ticket, room_name);

    move || {
        if gone.get() {
            return view! { <Gone /> }.into_any();
        }
        let Some(code) = ticket.get() else {
            return view! {
                <PageHeading>{t!(i18n, phone.title)}</PageHeading>
                <p role="status">
                    {move || match live.error.get() {
                        Some(error) => crate::components::error_text(i18n, &error),
                        None => t_string!(i18n, check_in.getting_ready).to_string(),
                    }}
                </p>
            }
            .into_any();
        };
        let data = code.clone();
        view! {
            <PageHeading>{t!(i18n, phone.title)}</PageHeading>
            <p class="ticket-label">{t!(i18n, check_in.your_ticket)}</p>
            <p class="ticket-code" dir="ltr" data-ticket=data>{code}</p>
            <div class="standing" role="status" aria-live="polite">
                {move || match standing.get() {
                    Standing::Called { room } => {
                        let data = room.clone();
                        view! {
                            <p class="called-now" data-called=data>
                                {move || t_string!(i18n, check_in.called_now, room = room_name(&room)).to_string()}
                            </p>
                        }
                            .into_any()
                    }
                    Standing::Waiting { position, wait, promised_by } => {
                        view! {
                            <p class="position" data-position=position>
                                {move || t_string!(i18n, check_in.position, position = position).to_string()}
                            </p>
                            <p class="wait">
                                {move || {
                                    tick.track();
                                    crate::pages::check_in::wait_text(i18n, wait, promised_by)
                                }}
                            </p>
                        }
                            .into_any()
                    }
                    Standing::Unknown => ().into_any(),
                }}
            </div>
            <ul class="notices">
                {move || {
                    notices
                        .get()
                        .into_iter()
                        .map(|DelayNotice { clinician, minutes, .. }| {
                            view! {
                                <li class="notice">
                                    {move || t_string!(i18n, board.delay, clinician = clinician.clone(), minutes = minutes).to_string()}
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
            <NotifyMe state=notify />
            {move || {
                matches!(live.connection.get(), Connection::Lost { .. })
                    .then(|| view! { <p class="stale">{t!(i18n, check_in.ticket_offline)}</p> })
            }}
        }
        .into_any()
    }
}

/// "This link has ended".
#[component]
fn Gone() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="phone-gone" data-gone="true">
            <PageHeading>{t!(i18n, phone.gone_title)}</PageHeading>
            <p>{t!(i18n, phone.gone_body)}</p>
        </div>
    }
}

/// Whether the patient asked to be told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Notify {
    Off,
    /// Buzz, and show notifications where the phone allows them.
    On,
    /// Buzz and on-screen only: the phone refused notifications.
    Blocked,
}

/// Buzzes (and notifies) on each [`Nudge`] once the patient asked for it.
fn notifications(
    standing: Memo<Standing>,
    ticket: Memo<Option<String>>,
    room_name: impl Fn(&str) -> String + Send + Sync + 'static,
) -> RwSignal<Notify> {
    let i18n = use_i18n();
    let state = RwSignal::new(Notify::Off);
    let nudges = StoredValue::new(Nudges::default());
    Effect::new(move |_| {
        let now = standing.get();
        let nudge = nudges.try_update_value(|n| n.after(&now)).flatten();
        let (Some(nudge), on) = (nudge, state.get_untracked()) else {
            return;
        };
        if on == Notify::Off {
            return;
        }
        let code = ticket.get_untracked().unwrap_or_default();
        let (text, pattern): (String, &[u32]) = match nudge {
            Nudge::Near => (
                t_string!(i18n, phone.near, ticket = code).to_string(),
                &[200],
            ),
            Nudge::Called { room } => (
                t_string!(i18n, check_in.called_now, room = room_name(&room)).to_string(),
                &[300, 150, 300, 150, 300],
            ),
        };
        buzz(pattern);
        if on == Notify::On {
            show(&text);
        }
    });
    state
}

/// Vibrates, where the phone can.
fn buzz(pattern: &[u32]) {
    if let Some(window) = web_sys::window() {
        let pattern: js_sys::Array = pattern
            .iter()
            .map(|ms| wasm_bindgen::JsValue::from(*ms))
            .collect();
        let _ = window.navigator().vibrate_with_pattern(&pattern);
    }
}

/// A system notification: the page's own where the browser allows it,
/// else through the service worker (Android's browsers only allow that).
fn show(text: &str) {
    let title = t_string!(use_i18n(), app_name).to_string();
    let options = web_sys::NotificationOptions::new();
    options.set_body(text);
    options.set_tag("waitwell-ticket");
    if web_sys::Notification::new_with_options(&title, &options).is_ok() {
        return;
    }
    let Some(window) = web_sys::window() else {
        return;
    };
    let Ok(ready) = window.navigator().service_worker().ready() else {
        return;
    };
    let text = text.to_owned();
    leptos::task::spawn_local(async move {
        let Ok(registration) = wasm_bindgen_futures::JsFuture::from(ready).await else {
            return;
        };
        let registration: web_sys::ServiceWorkerRegistration = registration.unchecked_into();
        let options = web_sys::NotificationOptions::new();
        options.set_body(&text);
        let _ = registration.show_notification_with_options(&title, &options);
    });
}

/// Has this browser got notifications at all?
fn has_notifications() -> bool {
    web_sys::window().is_some_and(|w| {
        js_sys::Reflect::has(&w, &wasm_bindgen::JsValue::from_str("Notification")).unwrap_or(false)
    })
}

/// The "Notify me" button, then what it turned on.
#[component]
fn NotifyMe(state: RwSignal<Notify>) -> impl IntoView {
    let i18n = use_i18n();
    let ask = move |_| {
        // This tap is what lets the phone vibrate later.
        buzz(&[50]);
        if !has_notifications() {
            state.set(Notify::Blocked);
            return;
        }
        let Ok(asking) = web_sys::Notification::request_permission() else {
            state.set(Notify::Blocked);
            return;
        };
        leptos::task::spawn_local(async move {
            let answer = wasm_bindgen_futures::JsFuture::from(asking).await;
            let granted = answer
                .ok()
                .and_then(|a| a.as_string())
                .is_some_and(|a| a == "granted");
            state.set(if granted { Notify::On } else { Notify::Blocked });
        });
    };
    move || {
        match state.get() {
        Notify::Off => view! {
            <button type="button" class="primary notify-me" on:click=ask>
                {t!(i18n, phone.notify)}
            </button>
            <p class="hint">{t!(i18n, phone.notify_hint)}</p>
        }
        .into_any(),
        Notify::On => view! { <p class="notify-state" data-notify="on">{t!(i18n, phone.notify_on)}</p> }.into_any(),
        Notify::Blocked => {
            view! { <p class="notify-state" data-notify="blocked">{t!(i18n, phone.notify_blocked)}</p> }.into_any()
        }
    }
    }
}
