//! `/board`: the public queue on a wall screen. Ticket codes, rooms and
//! wait ranges only; live, and honest about it when the connection drops.

use crate::api::live::{follow_queue, Connection, LiveQueue};
use crate::api::use_adapter;
use crate::components::{error_text, PageHeading};
use crate::i18n::*;
use crate::time::{clock_time, parse_time};
use leptos::prelude::*;
use leptos_i18n::{I18nContext, Locale as _};
use waitwell_core::board::one_list;
use waitwell_core::contract::{BoardLayout, CalledTicket, DelayNotice, PublicLine, WaitingTicket};
use waitwell_core::queue::LineId;

mod calls;

use calls::{announce_calls, FreshCalls, SiteSignal};

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
