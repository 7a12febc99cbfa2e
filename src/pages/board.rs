//! `/board`: the public queue on a wall screen. Ticket codes, rooms and
//! wait ranges only; live, and honest about it when the connection drops.

use crate::api::live::{follow_queue, Connection, LiveQueue};
use crate::api::use_adapter;
use crate::components::speech;
use crate::components::{error_text, PageHeading};
use crate::i18n::*;
use crate::time::{clock_time, parse_time};
use leptos::prelude::*;
use leptos_i18n::{I18nContext, Locale as _};
use leptos_use::use_timeout_fn;
use send_wrapper::SendWrapper;
use waitwell_core::board::{one_list, spoken_code, CallTracker};
use waitwell_core::contract::{
    BoardLayout, CalledTicket, DelayNotice, PublicLine, SiteConfig, WaitingTicket,
};
use waitwell_core::queue::LineId;

/// How long a new call stays highlighted.
const FRESH_MILLIS: u32 = 15_000;

type SiteSignal = Signal<Option<Result<SiteConfig, waitwell_core::client::ClientError>>>;

/// Line and room names in the board's language (the site's translations,
/// else the names as configured).
#[derive(Clone, Copy)]
struct Names {
    site: SiteSignal,
    i18n: I18nContext<Locale>,
}

impl Names {
    fn line(self, id: LineId, default: &str) -> String {
        let language = self.i18n.get_locale();
        self.site
            .with(|s| match s {
                Some(Ok(site)) => site.line_name(id, language.as_str()).map(str::to_owned),
                _ => None,
            })
            .unwrap_or_else(|| default.to_owned())
    }

    fn room(self, room: &str) -> String {
        let language = self.i18n.get_locale();
        self.site.with(|s| match s {
            Some(Ok(site)) => site.room_name(room, language.as_str()).to_owned(),
            _ => room.to_owned(),
        })
    }
}

#[component]
pub fn BoardPage() -> impl IntoView {
    let i18n = use_i18n();
    crate::api::provide_in_flight();
    let adapter = use_adapter();
    let site = crate::api::site::use_site_config();
    view! {
        <section class="surface board" data-surface="board">
            <PageHeading>{t!(i18n, surface.board.title)}</PageHeading>
            {move || match adapter.get() {
                Some(Ok(adapter)) => view! { <LiveBoard live=follow_queue(adapter) site=site /> }.into_any(),
                Some(Err(error)) => {
                    view! {
                        <p class="connection lost" role="status" data-connection="lost">
                            {move || error_text(i18n, &error)}
                        </p>
                    }
                        .into_any()
                }
                None => {
                    view! {
                        <p class="connection" role="status" data-connection="connecting">
                            {t!(i18n, board.connecting)}
                        </p>
                    }
                        .into_any()
                }
            }}
        </section>
    }
}

/// Says a call aloud in each of the clinic's languages, after a chime.
fn announce(
    call: &CalledTicket,
    languages: &[String],
    site: Option<&SiteConfig>,
    audio: &web_sys::AudioContext,
) {
    chime(audio);
    let spoken = spoken_code(&call.ticket);
    for tag in languages {
        let Ok(locale) = tag.parse::<Locale>() else {
            continue;
        };
        let room = site.map_or(call.room.as_str(), |s| s.room_name(&call.room, tag));
        let text = td_string!(
            locale,
            board.call_spoken,
            ticket = spoken.clone(),
            room = room.to_owned()
        )
        .to_string();
        speech::say_after(&text, locale.as_str());
    }
}

/// A short two-note chime (Web Audio); silent where audio cannot start.
fn chime(context: &web_sys::AudioContext) {
    // Created before any tap, the context may start suspended.
    let _ = context.resume();
    let start = context.current_time();
    for (i, frequency) in [880.0_f32, 660.0].into_iter().enumerate() {
        let (Ok(oscillator), Ok(gain)) = (context.create_oscillator(), context.create_gain())
        else {
            return;
        };
        let at = start + 0.35 * i as f64;
        oscillator.frequency().set_value(frequency);
        let _ = gain.gain().set_value_at_time(0.0001, at);
        let _ = gain
            .gain()
            .exponential_ramp_to_value_at_time(0.4, at + 0.02);
        let _ = gain
            .gain()
            .exponential_ramp_to_value_at_time(0.0001, at + 0.6);
        let _ = oscillator.connect_with_audio_node(&gain);
        let _ = gain.connect_with_audio_node(&context.destination());
        let _ = oscillator.start_with_when(at);
        let _ = oscillator.stop_with_when(at + 0.65);
    }
}

#[component]
fn LiveBoard(live: LiveQueue, site: SiteSignal) -> impl IntoView {
    let i18n = use_i18n();
    let fresh = announce_calls(live, site);
    provide_context(FreshCalls(fresh.read_only()));
    let names = Names { site, i18n };
    provide_context(names);
    let lost = move || matches!(live.connection.get(), Connection::Lost { .. });
    view! {
        <ConnectionStatus live=live />
        <Notices live=live />
        // Stale while the connection is down: dimmed, and said above.
        <div class="lines" class:stale=lost aria-busy=move || lost().to_string()>
            // Each snapshot replaces the lines whole; the old views (and their
            // owners) are dropped with them, so nothing grows over a long day.
            {move || {
                let single = site
                    .with(|s| matches!(s, Some(Ok(s)) if s.board_layout == BoardLayout::Single));
                live.snapshot
                    .get()
                    .map(|queue| {
                        if single {
                            let all = Signal::derive(move || t_string!(i18n, board.all_lines).to_string());
                            one_list(queue.lines, String::new())
                                .map(|line| view! { <Line line=line name=all /> })
                                .into_any()
                        } else {
                            queue
                                .lines
                                .into_iter()
                                .map(|line| {
                                    let (id, default) = (line.id, line.name.clone());
                                    let name = Signal::derive(move || names.line(id, &default));
                                    view! { <Line line=line name=name /> }
                                })
                                .collect_view()
                                .into_any()
                        }
                    })
            }}
        </div>
    }
}

/// Highlights each new call (and recall) for a while, with a chime and the
/// call spoken in the clinic's languages where the site wants sound. The
/// calls highlighted now.
fn announce_calls(live: LiveQueue, site: SiteSignal) -> RwSignal<Vec<String>> {
    let i18n = use_i18n();
    let fresh = RwSignal::new(Vec::<String>::new());
    let tracker = StoredValue::new(CallTracker::default());
    // One audio context for the board's life.
    let audio = StoredValue::new(SendWrapper::new(web_sys::AudioContext::new().ok()));
    on_cleanup(move || {
        if let Some(Some(context)) = audio.try_with_value(|a| (**a).clone()) {
            let _ = context.close();
        }
    });
    // The highlight fades after a while; a newer call restarts the wait.
    let fade = use_timeout_fn(
        move |()| drop(fresh.try_set(Vec::new())),
        f64::from(FRESH_MILLIS),
    );
    Effect::new(move |_| {
        let Some(queue) = live.snapshot.get() else {
            return;
        };
        let calls = tracker
            .try_update_value(|t| t.new_calls(&queue))
            .unwrap_or_default();
        if calls.is_empty() {
            return;
        }
        let known = site.with_untracked(|s| match s {
            Some(Ok(site)) => Some(site.clone()),
            _ => None,
        });
        let (play, languages) = known
            .as_ref()
            .map(|site| (site.board_audio, site.languages.clone()))
            .unwrap_or((true, vec![i18n.get_locale_untracked().as_str().to_owned()]));
        fresh.set(calls.iter().map(|c| c.ticket.clone()).collect());
        if play {
            audio.with_value(|context| {
                if let Some(context) = context.as_ref() {
                    for call in &calls {
                        announce(call, &languages, known.as_ref(), context);
                    }
                }
            });
        }
        (fade.stop)();
        (fade.start)(());
    });
    fresh
}

/// Live, reconnecting, or connecting, with when the board was last right.
#[component]
fn ConnectionStatus(live: LiveQueue) -> impl IntoView {
    let i18n = use_i18n();
    let updated = move || {
        live.snapshot
            .with(|q| q.as_ref().and_then(|q| parse_time(&q.updated_at)))
            .or_else(|| live.fetched_at.get())
    };
    let status = move || match live.connection.get() {
        Connection::Connecting => t_string!(i18n, board.connecting).to_string(),
        Connection::Live => match updated() {
            Some(at) => t_string!(i18n, board.live_updated, time = clock_time(at)).to_string(),
            None => t_string!(i18n, board.live).to_string(),
        },
        Connection::Lost { .. } => match live.fetched_at.get() {
            Some(at) => t_string!(i18n, board.reconnecting, time = clock_time(at)).to_string(),
            None => t_string!(i18n, board.reconnecting_never).to_string(),
        },
    };
    let lost = move || matches!(live.connection.get(), Connection::Lost { .. });
    view! {
        <p class="connection" class:lost=lost role="status" data-connection=move || match live.connection.get() {
            Connection::Connecting => "connecting",
            Connection::Live => "live",
            Connection::Lost { .. } => "lost",
        }>
            {status}
        </p>
    }
}

/// The delay notices staff posted, in the board's language.
#[component]
fn Notices(live: LiveQueue) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <ul class="notices">
            {move || {
                live.snapshot
                    .with(|q| q.as_ref().map(|q| q.notices.clone()).unwrap_or_default())
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
    }
}

/// The calls being highlighted now.
#[derive(Clone, Copy)]
struct FreshCalls(ReadSignal<Vec<String>>);

#[component]
fn Line(line: PublicLine, name: Signal<String>) -> impl IntoView {
    let i18n = use_i18n();
    let fresh = use_context::<FreshCalls>();
    let names = use_context::<Names>();
    let heading_id = format!("line-{}", line.id);
    let PublicLine {
        calling, waiting, ..
    } = line;
    let calling_view = if calling.is_empty() {
        view! { <p class="empty">{t!(i18n, board.nobody_called)}</p> }.into_any()
    } else {
        view! {
            <ul class="calling">
                {calling
                    .into_iter()
                    .map(|CalledTicket { ticket, room, .. }| {
                        let is_fresh = {
                            let ticket = ticket.clone();
                            move || fresh.is_some_and(|f| f.0.with(|f| f.contains(&ticket)))
                        };
                        view! {
                            <li class="called" class:fresh=is_fresh>
                                <span class="code">{ticket}</span>
                                <span class="room">
                                    {move || names.map_or_else(|| room.clone(), |n| n.room(&room))}
                                </span>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        }
        .into_any()
    };
    let waiting_view = if waiting.is_empty() {
        view! { <p class="empty">{t!(i18n, board.nobody_waiting)}</p> }.into_any()
    } else {
        view! {
            <table class="waiting">
                <thead>
                    <tr>
                        <th scope="col">{t!(i18n, board.ticket)}</th>
                        <th scope="col">{t!(i18n, board.wait)}</th>
                    </tr>
                </thead>
                <tbody>
                    {waiting
                        .into_iter()
                        .map(|WaitingTicket { ticket, wait, .. }| {
                            let (low, high) = (wait.low_minutes, wait.high_minutes);
                            view! {
                                <tr>
                                    <td class="code">{ticket}</td>
                                    <td>{move || t_string!(i18n, board.wait_range, low = low, high = high).to_string()}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        }
        .into_any()
    };
    let labelled_by = heading_id.clone();
    view! {
        <section class="line" aria-labelledby=labelled_by>
            <h2 id=heading_id>{name}</h2>
            <h3>{t!(i18n, board.now_calling)}</h3>
            {calling_view}
            <h3>{t!(i18n, board.next)}</h3>
            {waiting_view}
        </section>
    }
}
