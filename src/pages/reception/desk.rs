//! The live queue at reception: who is waiting and what they need, and
//! every action on a ticket, with feedback and undo.

use super::actions::{Actions, Feedback};
use super::panels::{AlertsPanel, Counters, DevicesPanel, NoticesPanel, WalkInPanel};
use crate::api::live::{follow_reception, Connection, ReceptionState};
use crate::components::{error_text, PageHeading};
use crate::i18n::*;
use crate::pages::staff_gate::{is_signed_out, sign_out, Desk};
use crate::time::clock_time;
use leptos::prelude::*;
use leptos_i18n::I18nContext;
use waitwell_core::contract::{LineConfig, StaffTicket, TicketState};
use waitwell_core::queue::Action;
use waitwell_core::reception::{self, RowAction};

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
    let room_options = rooms
        .into_iter()
        .map(|room| view! { <option value=room.clone()>{room.clone()}</option> })
        .collect_view();
    view! {
        <div class="desk-top">
            <PageHeading>{t!(i18n, surface.reception.title)}</PageHeading>
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

/// A needs badge list: interpreter (language), mobility help, new contact
/// details.
fn needs_text(i18n: I18nContext<Locale>, ticket: &StaffTicket) -> Vec<String> {
    let mut needs = Vec::new();
    if let Some(language) = &ticket.needs.interpreter {
        needs.push(
            t_string!(
                i18n,
                reception.needs_interpreter,
                language = language.clone()
            )
            .to_string(),
        );
    }
    if ticket.needs.mobility_help {
        needs.push(t_string!(i18n, reception.needs_mobility).to_string());
    }
    if ticket.needs.contact_changed {
        needs.push(t_string!(i18n, reception.needs_contact).to_string());
    }
    needs
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
                <h2 id=heading_id>{line.name.clone()}</h2>
                <button type="button" class="primary" on:click=call_next>
                    {move || t_string!(i18n, reception.call_next_to, room = actions.room.get()).to_string()}
                </button>
            </div>
            <table class="desk-table">
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

#[component]
fn TicketRow(ticket: StaffTicket, other_lines: StoredValue<Vec<LineConfig>>) -> impl IntoView {
    let i18n = use_i18n();
    let desk = expect_context::<Desk>();
    let threshold = desk.site.with_value(|s| s.wait_alert_minutes);
    let id = ticket.id;
    let code = ticket.ticket.clone();
    let needs = {
        let ticket = ticket.clone();
        move || needs_text(i18n, &ticket)
    };
    let appointment = {
        let (time, late) = (ticket.appointment_time.clone(), ticket.late_minutes);
        move || match &time {
            Some(time) if late > 0 => {
                t_string!(i18n, reception.late, time = time.clone(), minutes = late).to_string()
            }
            Some(time) => time.clone(),
            None => t_string!(i18n, reception.walk_in).to_string(),
        }
    };
    let status = {
        let (status, room, position) = (ticket.status, ticket.room.clone(), ticket.position);
        move || match status {
            TicketState::Called => t_string!(
                i18n,
                reception.status_called,
                room = room.clone().unwrap_or_default()
            )
            .to_string(),
            TicketState::NoShow => t_string!(i18n, reception.status_no_show).to_string(),
            _ => t_string!(
                i18n,
                reception.status_waiting,
                position = position.unwrap_or(0)
            )
            .to_string(),
        }
    };
    let buttons = RowAction::offered(ticket.status)
        .iter()
        .map(|&kind| view! { <ActionButton kind=kind id=id code=code.clone() /> })
        .collect_view();
    let transfer = reception::can_transfer(ticket.status).then(|| {
        other_lines.with_value(|lines| {
            lines
                .iter()
                .map(|l| view! { <TransferButton id=id code=code.clone() line=l.clone() /> })
                .collect_view()
        })
    });
    let long_wait = reception::waited_too_long(&ticket, threshold);
    let waited = ticket.waited_minutes;
    view! {
        <tr class="ticket-row" data-ticket=ticket.ticket.clone() data-status=ticket.status.as_str() class:long-wait=long_wait>
            <td class="code">{ticket.ticket.clone()}</td>
            <td>{ticket.name.clone()}</td>
            <td>{appointment}</td>
            <td>{move || t_string!(i18n, reception.minutes, minutes = waited).to_string()}</td>
            <td>
                <ul class="needs">
                    {move || needs().into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}
                </ul>
            </td>
            <td>{status}</td>
            <td class="row-actions">{buttons} {transfer}</td>
        </tr>
    }
}

/// Moves a waiting ticket to the end of another line.
#[component]
fn TransferButton(id: u64, code: String, line: LineConfig) -> impl IntoView {
    let i18n = use_i18n();
    let actions = expect_context::<Actions>();
    let LineConfig { id: to, name, .. } = line;
    let label = {
        let name = name.clone();
        move || t_string!(i18n, reception.transfer_to, line = name.clone()).to_string()
    };
    let named = {
        let label = label.clone();
        move || format!("{} {code}", label())
    };
    let click = move |_| {
        let name = name.clone();
        actions.run(
            reception::transfer(id, to),
            move |i18n, t| {
                t_string!(
                    i18n,
                    reception.transferred,
                    ticket = t.to_owned(),
                    line = name.clone()
                )
                .to_string()
            },
            None,
        )
    };
    view! {
        <button type="button" aria-label=named on:click=click>
            {label}
        </button>
    }
}

fn label(kind: RowAction, i18n: I18nContext<Locale>) -> String {
    match kind {
        RowAction::Call => t_string!(i18n, reception.call),
        RowAction::Recall => t_string!(i18n, reception.recall),
        RowAction::Serve => t_string!(i18n, reception.served),
        RowAction::NoShow => t_string!(i18n, reception.no_show),
        RowAction::Requeue => t_string!(i18n, reception.requeue),
    }
    .to_string()
}

/// What was done, for the feedback line.
fn done(kind: RowAction, i18n: I18nContext<Locale>, ticket: &str, room: &str) -> String {
    let ticket = ticket.to_owned();
    match kind {
        RowAction::Call => t_string!(
            i18n,
            reception.called,
            ticket = ticket,
            room = room.to_owned()
        )
        .to_string(),
        RowAction::Recall => t_string!(i18n, reception.recalled, ticket = ticket).to_string(),
        RowAction::Serve => t_string!(i18n, reception.marked_served, ticket = ticket).to_string(),
        RowAction::NoShow => t_string!(i18n, reception.marked_no_show, ticket = ticket).to_string(),
        RowAction::Requeue => t_string!(i18n, reception.requeued, ticket = ticket).to_string(),
    }
}

#[component]
fn ActionButton(kind: RowAction, id: u64, code: String) -> impl IntoView {
    let i18n = use_i18n();
    let actions = expect_context::<Actions>();
    let click = move |_| {
        let room = actions.room.get_untracked();
        actions.run(
            kind.action(id, room.clone()),
            move |i18n, t| done(kind, i18n, t, &room),
            kind.undo(id),
        );
    };
    view! {
        <button
            type="button"
            class:primary=kind.is_primary()
            aria-label=move || format!("{} {code}", label(kind, i18n))
            on:click=click
        >
            {move || label(kind, i18n)}
        </button>
    }
}
