//! The ticket: code, place in the queue, an honest wait range, what happens
//! next; live while it is on screen, then back to the start after a short,
//! visible countdown.

use super::steps::Nav;
use super::{Flow, Heading};
use crate::api::live::{follow_queue, Connection};
use crate::i18n::*;
use crate::time::now_ms;
use leptos::prelude::*;
use waitwell_core::board::Standing;
use waitwell_core::contract::{CheckInResponse, FollowLink};

/// Seconds the ticket stays up before the kiosk starts over.
pub const TICKET_SECONDS: u32 = 30;

#[component]
pub fn TicketStep(ticket: CheckInResponse) -> impl IntoView {
    let i18n = use_i18n();
    let flow = expect_context::<Flow>();
    let live = follow_queue(flow.adapter.get_value());
    let code = ticket.ticket.clone();
    let first = Standing::Waiting {
        position: ticket.position,
        wait: ticket.wait,
        promised_by: None,
    };
    // The newest word on this ticket: live when the snapshot knows it and
    // is at least as new as the check-in, the check-in's answer otherwise.
    let now = {
        let code = code.clone();
        let version = ticket.queue_version;
        Memo::new(move |_| {
            live.snapshot
                .with(|q| Standing::newest(q.as_ref(), &code, version, &first))
        })
    };

    let left = count_down(flow);

    let code_for_next = code.clone();
    view! {
        <div class="ticket">
            <Heading>{t!(i18n, check_in.ticket_title)}</Heading>
            <p class="ticket-label">{t!(i18n, check_in.your_ticket)}</p>
            <p class="ticket-code" dir="ltr" data-ticket=code.clone()>
                {code.clone()}
            </p>
            <div class="standing" role="status" aria-live="polite">
                {move || match now.get() {
                    Standing::Called { room } => {
                        view! {
                            <p class="called-now">
                                {move || {
                                    let language = i18n.get_locale();
                                    let room = flow.site.with_value(|s| s.room_name(&room, language.as_str()).to_owned());
                                    t_string!(i18n, check_in.called_now, room = room).to_string()
                                }}
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
                                    // (Looked at again with every tick of the countdown.)
                                    left.track();
                                    wait_text(i18n, wait, promised_by)
                                }}
                            </p>
                        }
                            .into_any()
                    }
                    Standing::Unknown => ().into_any(),
                }}
            </div>
            <p class="next">
                {move || t_string!(i18n, check_in.what_next, ticket = code_for_next.clone()).to_string()}
            </p>
            {ticket.follow.clone().map(|link| view! { <PhoneLink link=link /> })}
            {move || {
                matches!(live.connection.get(), Connection::Lost { .. })
                    .then(|| view! { <p class="stale">{t!(i18n, check_in.ticket_offline)}</p> })
            }}
        </div>
        <Finish left=left />
    }
}

/// The ticket's phone link as a QR code (drawn by the server, never kept by
/// the browser), opening in the language on screen. The kiosk's idle reset
/// takes it away with the rest of the ticket.
#[component]
fn PhoneLink(link: FollowLink) -> impl IntoView {
    let i18n = use_i18n();
    let adapter = expect_context::<Flow>().adapter.get_value();
    let FollowLink { token, url } = link;
    // The image's address holds the token: the kiosk keeps no list of the
    // resources it loaded (nothing here reads one), so once the ticket is
    // off the screen no trace of it is left in the page either.
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        performance.set_resource_timing_buffer_size(0);
        performance.clear_resource_timings();
    }
    on_cleanup(|| {
        if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
            performance.clear_resource_timings();
        }
    });
    let language = move || i18n.get_locale().as_str().to_owned();
    let src = move || adapter.follow_qr_url(&token, &language()).ok();
    view! {
        <figure class="phone-link" data-link=move || format!("{url}?lang={}", language())>
            <img
                src=src
                alt=move || t_string!(i18n, check_in.follow_qr).to_string()
                width="168"
                height="168"
            />
            <figcaption>
                <strong>{t!(i18n, check_in.follow_title)}</strong>
                <span>{t!(i18n, check_in.follow_hint)}</span>
            </figcaption>
        </figure>
    }
}

/// A waiting patient's words about their wait, in the language on screen.
pub(crate) fn wait_text(
    i18n: leptos_i18n::I18nContext<Locale>,
    wait: waitwell_core::wait::WaitRange,
    promised_by: Option<i64>,
) -> String {
    use waitwell_core::board::WaitWords;
    match WaitWords::of(wait, promised_by, (now_ms() / 1000.0) as i64) {
        WaitWords::LongerSoon => t_string!(i18n, check_in.wait_longer_soon).to_string(),
        WaitWords::Longer { low, high } => {
            t_string!(i18n, check_in.wait_longer, low = low, high = high).to_string()
        }
        WaitWords::Soon => t_string!(i18n, check_in.wait_none).to_string(),
        WaitWords::Range { low, high } => {
            t_string!(i18n, check_in.wait_range, low = low, high = high).to_string()
        }
    }
}

/// Seconds left before the kiosk starts over by itself; the ticket's
/// screen stays up that long.
fn count_down(flow: Flow) -> RwSignal<u32> {
    crate::time::use_countdown(TICKET_SECONDS, move || flow.restart())
}

/// The visible countdown, and "Done" to start over now.
#[component]
fn Finish(left: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let flow = expect_context::<Flow>();
    // One row: the ticket above keeps the room a phone link's QR code needs.
    view! {
        <Nav>
            <button type="button" class="primary" on:click=move |_| flow.restart()>
                {t!(i18n, check_in.done)}
            </button>
            <p class="countdown">
                {move || t_string!(i18n, check_in.returning, seconds = left.get()).to_string()}
            </p>
        </Nav>
    }
}

/// Checked in while the server could not be reached: the check-in is saved
/// on this kiosk and goes to the server as soon as it can, with the code
/// given from the kiosk's lease (the board shows it then). Without one (the
/// lease used up, or the connection lost while this check-in was on its
/// way) the patient is told to let reception know they are here.
#[component]
pub fn ProvisionalStep(code: Option<String>) -> impl IntoView {
    let i18n = use_i18n();
    let flow = expect_context::<Flow>();
    let left = count_down(flow);
    let numbered = code.is_some();
    view! {
        <div class="ticket provisional" data-provisional="true" data-numbered=numbered.to_string()>
            <Heading>{t!(i18n, check_in.ticket_title)}</Heading>
            {match code {
                Some(code) => {
                    let (next, data) = (code.clone(), code.clone());
                    view! {
                        <p class="ticket-label">{t!(i18n, check_in.your_ticket)}</p>
                        <p class="ticket-code" dir="ltr" data-ticket=data>
                            {code}
                        </p>
                        <p>{t!(i18n, check_in.provisional_body)}</p>
                        <p class="next">
                            {move || t_string!(i18n, check_in.what_next, ticket = next.clone()).to_string()}
                        </p>
                    }
                        .into_any()
                }
                None => {
                    view! {
                        <p>{t!(i18n, check_in.provisional_body)}</p>
                        <p class="next">{t!(i18n, check_in.provisional_no_number)}</p>
                    }
                        .into_any()
                }
            }}
        </div>
        <Finish left=left />
    }
}
