//! `/board`: the public queue on a wall screen. Ticket codes, rooms and
//! wait ranges only; live, and honest about it when the connection drops.

use crate::api::live::{follow_queue, Connection, LiveQueue};
use crate::app::use_adapter;
use crate::components::{error_text, PageHeading};
use crate::i18n::*;
use leptos::prelude::*;
use waitwell_core::contract::{CalledTicket, PublicLine, WaitingTicket};

/// Local "HH:MM" of a time in ms since the epoch.
pub fn clock_time(ms: f64) -> String {
    let date = js_sys::Date::new(&ms.into());
    format!("{:02}:{:02}", date.get_hours(), date.get_minutes())
}

#[component]
pub fn BoardPage() -> impl IntoView {
    let i18n = use_i18n();
    crate::api::provide_in_flight();
    let adapter = use_adapter();
    view! {
        <section class="surface board" data-surface="board">
            <PageHeading>{t!(i18n, surface.board.title)}</PageHeading>
            {move || match adapter.get() {
                Some(Ok(adapter)) => view! { <LiveBoard live=follow_queue(adapter) /> }.into_any(),
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
fn LiveBoard(live: LiveQueue) -> impl IntoView {
    let i18n = use_i18n();
    let status = move || match live.connection.get() {
        Connection::Connecting => t_string!(i18n, board.connecting).to_string(),
        Connection::Live => t_string!(i18n, board.live).to_string(),
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
        // Stale while the connection is down: dimmed, and said above.
        <div class="lines" class:stale=lost aria-busy=move || lost().to_string()>
            // Each snapshot replaces the lines whole; the old views (and their
            // owners) are dropped with them, so nothing grows over a long day.
            {move || {
                live.snapshot
                    .get()
                    .map(|queue| {
                        queue.lines.into_iter().map(|line| view! { <Line line=line /> }).collect_view()
                    })
            }}
        </div>
    }
}

#[component]
fn Line(line: PublicLine) -> impl IntoView {
    let i18n = use_i18n();
    let heading_id = format!("line-{}", line.id);
    let PublicLine {
        name,
        calling,
        waiting,
        ..
    } = line;
    let calling_view = if calling.is_empty() {
        view! { <p class="empty">{t!(i18n, board.nobody_called)}</p> }.into_any()
    } else {
        view! {
            <ul class="calling">
                {calling
                    .into_iter()
                    .map(|CalledTicket { ticket, room }| {
                        view! {
                            <li class="called">
                                <span class="code">{ticket}</span>
                                <span class="room">{room}</span>
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
