//! The live queue at reception: who is waiting and what they need, and
//! every action on a ticket, with feedback and undo.

use super::actions::{Actions, Feedback};
use super::panels::{AccountPanel, AlertsPanel, Counters, DevicesPanel, NoticesPanel, WalkInPanel};
use super::row::TicketRow;
use crate::api::live::{follow_reception, Connection, ReceptionState};
use crate::components::{error_text, PageHeading};
use crate::i18n::*;
use crate::pages::staff_gate::{is_signed_out, sign_out, Desk};
use crate::time::clock_time;
use leptos::prelude::*;
use waitwell_core::contract::LineConfig;
use waitwell_core::queue::Action;
use waitwell_core::reception::{self};

#[component]
pub fn DeskView() -> impl IntoView {
    let i18n = use_i18n();
    let desk = expect_context::<Desk>();
    let live = follow_reception(desk.adapter.get_value());
    let rooms = desk.site.with_value(|s| s.rooms.clone());
    let actions = Actions {
        desk,
        feedback: RwSignal::new(None),
        room: RwSignal::new(rooms.first().cloned().unwrap_or_default()),
    };
    provide_context(actions);
    Effect::new(move |_| {
        if live.error.with(|e| e.as_ref().is_some_and(is_signed_out)) {
            desk.session_ended();
        }
    });
    let lines = desk.site.with_value(|s| s.lines.clone());
    let connection = move || match live.connection.get() {
        Connection::Live => None,
        Connection::Connecting => Some(t_string!(i18n, board.connecting).to_string()),
        Connection::Lost { .. } => Some(match live.fetched_at.get() {
            Some(at) => t_string!(i18n, board.reconnecting, time = clock_time(at)).to_string(),
            None => t_string!(i18n, board.reconnecting_never).to_string(),
        }),
    };
    // Rooms are called by their configured name; staff read them in their
    // language.
    let room_options = rooms
        .into_iter()
        .map(|room| {
            let label = {
                let room = room.clone();
                move || {
                    let language = i18n.get_locale();
                    desk.site
                        .with_value(|s| s.room_name(&room, language.as_str()).to_owned())
                }
            };
            view! { <option value=room.clone()>{label}</option> }
        })
        .collect_view();
    view! {
        <div class="desk-top">
            <PageHeading>{t!(i18n, surface.reception.title)}</PageHeading>
            <p class="signed-in-as">
                {move || {
                    desk.who()
                        .map(|s| t_string!(i18n, reception.signed_in_as, name = s.name).to_string())
                }}
            </p>
            <button type="button" on:click=move |_| sign_out(desk)>
                {t!(i18n, reception.sign_out)}
            </button>
        </div>
        <p class="connection lost" role="status">
            {connection}
        </p>
        <Counters live=live />
        <FeedbackLine />
        <AlertsPanel live=live />
        <div class="room-choice">
            <label for="room" class="field">
                {t!(i18n, reception.room)}
            </label>
            <select
                id="room"
                prop:value=move || actions.room.get()
                on:change=move |ev| actions.room.set(event_target_value(&ev))
            >
                {room_options}
            </select>
        </div>
        <div class="desk-lines">
            {lines
                .into_iter()
                .map(|line| view! { <LineDesk line=line live=live /> })
                .collect_view()}
        </div>
        <div class="desk-panels">
            <WalkInPanel />
            <NoticesPanel live=live />
            <AccountPanel />
            <DevicesPanel />
        </div>
    }
}

#[component]
fn FeedbackLine() -> impl IntoView {
    let i18n = use_i18n();
    let actions = expect_context::<Actions>();
    view! {
        <div class="feedback" role="status">
            {move || match actions.feedback.get() {
                None => ().into_any(),
                Some(Feedback::Working) => view! { <p>{t!(i18n, check_in.working)}</p> }.into_any(),
                Some(Feedback::Failed(error)) => {
                    view! { <p class="failed">{move || error_text(i18n, &error)}</p> }.into_any()
                }
                Some(Feedback::Done { text, undo }) => {
                    view! {
                        <p class="done">
                            {text}
                            {undo
                                .map(|action| {
                                    view! {
                                        <button
                                            type="button"
                                            on:click=move |_| {
                                                actions
                                                    .run(
                                                        action.clone(),
                                                        |i18n, t| t_string!(i18n, reception.undone, ticket = t.to_owned()).to_string(),
                                                        None,
                                                    )
                                            }
                                        >
                                            {t!(i18n, reception.undo)}
                                        </button>
                                    }
                                })}
                        </p>
                    }
                        .into_any()
                }
            }}
        </div>
    }
}

/// The columns of a line's table.
#[component]
fn DeskTableHead() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <thead>
            <tr>
                <th scope="col">{t!(i18n, board.ticket)}</th>
                <th scope="col">{t!(i18n, reception.name)}</th>
                <th scope="col">{t!(i18n, reception.appointment)}</th>
                <th scope="col">{t!(i18n, reception.waited)}</th>
                <th scope="col">{t!(i18n, reception.needs)}</th>
                <th scope="col">{t!(i18n, reception.status)}</th>
                <th scope="col">{t!(i18n, reception.actions)}</th>
            </tr>
        </thead>
    }
}

#[component]
fn LineDesk(line: LineConfig, live: crate::api::live::Live<ReceptionState>) -> impl IntoView {
    let i18n = use_i18n();
    let actions = expect_context::<Actions>();
    let desk = expect_context::<Desk>();
    let id = line.id;
    let heading_id = format!("desk-line-{id}");
    let other_lines: Vec<LineConfig> = desk
        .site
        .with_value(|s| s.lines.iter().filter(|l| l.id != id).cloned().collect());
    let call_next = move |_| {
        let room = actions.room.get_untracked();
        actions.run(
            Action::CallNext {
                line: id,
                room: room.clone(),
            },
            move |i18n, t| {
                t_string!(
                    i18n,
                    reception.called,
                    ticket = t.to_owned(),
                    room = room.clone()
                )
                .to_string()
            },
            None,
        );
    };
    let rows = move || {
        live.snapshot.with(|s| {
            s.as_ref()
                .map(|s| {
                    s.queue
                        .tickets
                        .iter()
                        .filter(|t| t.line == id && reception::listed(t.status))
                        .cloned()
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };
    let other_lines = StoredValue::new(other_lines);
    let labelled_by = heading_id.clone();
    view! {
        <section class="desk-line" aria-labelledby=labelled_by>
            <div class="desk-line-top">
                <h2 id=heading_id>
                    {move || {
                        let language = i18n.get_locale();
                        desk.site
                            .with_value(|s| s.line_name(id, language.as_str()).map(str::to_owned))
                            .unwrap_or_else(|| line.name.clone())
                    }}
                </h2>
                <button type="button" class="primary" on:click=call_next>
                    {move || t_string!(i18n, reception.call_next_to, room = actions.room.get()).to_string()}
                </button>
            </div>
            <table class="desk-table">
                <DeskTableHead />
                <tbody>
                    // Rows are rebuilt from each snapshot: nothing per ticket
                    // outlives it.
                    {move || {
                        rows()
                            .into_iter()
                            .map(|ticket| view! { <TicketRow ticket=ticket other_lines=other_lines /> })
                            .collect_view()
                    }}
                </tbody>
            </table>
        </section>
    }
}
