//! One ticket's row at reception: who, since when, what they need, where
//! they stand, and the actions its state offers (core decides which).

use super::actions::{Actions, Feedback};
use crate::i18n::*;
use crate::pages::staff_gate::Desk;
use leptos::prelude::*;
use leptos_i18n::I18nContext;
use waitwell_core::contract::{LineConfig, StaffTicket, TicketState};
use waitwell_core::reception::{self, RowAction};

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
pub(super) fn TicketRow(
    ticket: StaffTicket,
    other_lines: StoredValue<Vec<LineConfig>>,
) -> impl IntoView {
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
    let phone = ticket
        .phone_link
        .then(|| view! { <EndLinkButton id=id code=code.clone() /> });
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
            <td class="row-actions">{buttons} {transfer} {phone}</td>
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

/// Ends the ticket's phone links (a patient says someone else has their
/// phone, or the link went where it should not).
#[component]
fn EndLinkButton(id: u64, code: String) -> impl IntoView {
    let i18n = use_i18n();
    let actions = expect_context::<Actions>();
    let named = {
        let code = code.clone();
        move || format!("{} {code}", t_string!(i18n, reception.end_phone_link))
    };
    let click = move |_| {
        if actions.feedback.get_untracked() == Some(Feedback::Working) {
            return;
        }
        actions.feedback.set(Some(Feedback::Working));
        let adapter = actions.desk.adapter.get_value();
        let code = code.clone();
        actions.desk.spawn(async move {
            let result = adapter.end_follow(id).await.map(|()| {
                t_string!(actions.desk.i18n, reception.phone_link_ended, ticket = code).to_string()
            });
            actions.report(result, None);
        });
    };
    view! {
        <button type="button" class="end-link" aria-label=named on:click=click>
            {t!(i18n, reception.end_phone_link)}
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

/// Does `kind` to ticket `id`, saying so on the feedback line.
pub(super) fn act(actions: Actions, kind: RowAction, id: u64) {
    let room = actions.room.get_untracked();
    actions.run(
        kind.action(id, room.clone()),
        move |i18n, t| done(kind, i18n, t, &room),
        kind.undo(id),
    );
}

#[component]
fn ActionButton(kind: RowAction, id: u64, code: String) -> impl IntoView {
    let i18n = use_i18n();
    let actions = expect_context::<Actions>();
    let click = move |_| act(actions, kind, id);
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
