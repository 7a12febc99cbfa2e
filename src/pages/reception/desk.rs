//! The live queue at reception: who is waiting and what they need, and
//! every action on a ticket, with feedback and undo.

use super::actions::{Actions, Feedback};
use super::panels::{AccountPanel, AlertsPanel, Counters, NoticesPanel, WalkInPanel};
use super::row::TicketRow;
use crate::api::live::{follow_reception, Connection, ReceptionState};
use crate::components::{error_text, PageHeading};
use crate::i18n::*;
use crate::pages::staff_gate::{is_signed_out, sign_out, Desk};
use crate::time::clock_time;
use leptos::prelude::*;
use waitwell_core::contract::LineConfig;
use waitwell_core::queue::{Action, LineId};
use waitwell_core::reception::{self, EhrNote, RowAction};
use waitwell_core::Page;

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
        current: RwSignal::new(None),
        ticket_id: Callback::new(move |code: String| {
            live.snapshot.with_untracked(|s| {
                s.as_ref()
                    .and_then(|s| s.queue.tickets.iter().find(|t| t.ticket == code))
                    .map(|t| t.id)
            })
        }),
    };
    provide_context(actions);
    Effect::new(move |_| {
        if live.error.with(|e| e.as_ref().is_some_and(is_signed_out)) {
            desk.session_ended();
        }
    });
    let lines = desk.site.with_value(|s| s.lines.clone());
    let shortcut_lines: Vec<LineId> = lines.iter().map(|l| l.id).collect();
    listen_for_shortcuts(actions, shortcut_lines.clone());
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
            <a class="button" href=Page::TABLETS_PATH>{t!(i18n, surface.tablets.title)}</a>
            <button type="button" on:click=move |_| sign_out(desk)>
                {t!(i18n, reception.sign_out)}
            </button>
        </div>
        <p class="connection lost" role="status">
            {connection}
        </p>
        <EhrLine live=live />
        <Counters live=live />
        // On a wide desk screen, the queue on the left and what staff keep an
        // eye on (alerts, walk-ins, notices, their sign-in) beside it; the
        // tablets' wide table below both.
        <div class="desk-body">
            <div class="desk-queue">
                <FeedbackLine />
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
                        .enumerate()
                        .map(|(i, line)| view! { <LineDesk line=line live=live position=i + 1 /> })
                        .collect_view()}
                </div>
                <Shortcuts lines=shortcut_lines />
            </div>
            <div class="desk-side">
                <AlertsPanel live=live />
                <div class="desk-panels">
                    <WalkInPanel />
                    <NoticesPanel live=live />
                    <AccountPanel />
                </div>
            </div>
        </div>
    }
}

/// How the link to the clinic's EHR stands, when something is behind (a
/// FHIR schedule only).
#[component]
fn EhrLine(live: crate::api::live::Live<ReceptionState>) -> impl IntoView {
    let i18n = use_i18n();
    let notes = move || {
        live.snapshot.with(|s| {
            s.as_ref()
                .and_then(|s| s.queue.ehr.as_ref())
                .map(reception::ehr_notes)
                .unwrap_or_default()
        })
    };
    let time = |rfc3339: &str| clock_time(crate::time::parse_time(rfc3339).unwrap_or_default());
    view! {
        <div class="ehr-status" role="status">
            {move || {
                notes()
                    .into_iter()
                    .map(|note| {
                        let (alert, text) = match note {
                            EhrNote::Unsent { count, since: None } => {
                                (false, t_string!(i18n, reception.ehr_unsent, count = count).to_string())
                            }
                            EhrNote::Unsent { count, since: Some(since) } => {
                                (
                                    true,
                                    t_string!(i18n, reception.ehr_unsent_since, count = count, time = time(&since))
                                        .to_string(),
                                )
                            }
                            EhrNote::ScheduleStale { read_at } => {
                                (
                                    true,
                                    t_string!(i18n, reception.ehr_schedule_stale, time = time(&read_at))
                                        .to_string(),
                                )
                            }
                            EhrNote::ScheduleUnread => {
                                (true, t_string!(i18n, reception.ehr_schedule_unread).to_string())
                            }
                        };
                        view! { <p class:alert=alert>{text}</p> }
                    })
                    .collect_view()
            }}
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
                                            aria-keyshortcuts="U"
                                            on:click=move |_| undo_last(actions, action.clone())
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
fn LineDesk(
    line: LineConfig,
    live: crate::api::live::Live<ReceptionState>,
    /// Where the line is listed (1-based): the first nine have a digit key
    /// that calls their next patient.
    position: usize,
) -> impl IntoView {
    let i18n = use_i18n();
    let actions = expect_context::<Actions>();
    let desk = expect_context::<Desk>();
    let id = line.id;
    let heading_id = format!("desk-line-{id}");
    let other_lines: Vec<LineConfig> = desk
        .site
        .with_value(|s| s.lines.iter().filter(|l| l.id != id).cloned().collect());
    let call_next = move |_| call_next(actions, id);
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
                <button type="button" class="primary" on:click=call_next aria-keyshortcuts=(position <= 9).then(|| position.to_string())>
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

/// Calls the next patient on `line` to the desk's room.
fn call_next(actions: Actions, line: LineId) {
    let room = actions.room.get_untracked();
    actions.run(
        Action::CallNext {
            line,
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
}

/// What a key does at the desk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shortcut {
    /// Call the next patient on the n-th line (1-based).
    CallNext(usize),
    /// Recall, or mark served, the ticket this desk called last.
    Current(RowAction),
    /// Take back the last action, where it offers that.
    Undo,
}

impl Shortcut {
    /// The shortcut for a key press, if it is one: a plain key, without
    /// modifiers (those belong to the browser and assistive technology).
    fn of(key: &str) -> Option<Shortcut> {
        match key {
            "r" | "R" => Some(Shortcut::Current(RowAction::Recall)),
            "d" | "D" => Some(Shortcut::Current(RowAction::Serve)),
            "u" | "U" => Some(Shortcut::Undo),
            _ => key
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=9).contains(n))
                .map(Shortcut::CallNext),
        }
    }
}

/// Keys for the frequent actions, while the desk is on screen and no field
/// has the focus (typing a walk-in's name never calls anyone).
fn listen_for_shortcuts(actions: Actions, lines: Vec<LineId>) {
    let handle = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.ctrl_key() || ev.alt_key() || ev.meta_key() || ev.repeat() {
            return;
        }
        let typing = ev
            .target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
            .is_some_and(|el| {
                el.closest("input, select, textarea, dialog")
                    .ok()
                    .flatten()
                    .is_some()
            });
        if typing {
            return;
        }
        let Some(shortcut) = Shortcut::of(&ev.key()) else {
            return;
        };
        match shortcut {
            Shortcut::CallNext(n) => {
                let Some(line) = lines.get(n - 1).copied() else {
                    return;
                };
                ev.prevent_default();
                call_next(actions, line);
            }
            Shortcut::Current(kind) => {
                // The ticket this desk called last, while it is still called
                // (its id is in the queue since it was waiting).
                let Some(id) = actions
                    .current
                    .get_untracked()
                    .and_then(|code| actions.ticket_id.run(code))
                else {
                    return;
                };
                ev.prevent_default();
                super::row::act(actions, kind, id);
            }
            Shortcut::Undo => {
                let undo = actions.feedback.with_untracked(|f| match f {
                    Some(Feedback::Done { undo, .. }) => undo.clone(),
                    _ => None,
                });
                if let Some(action) = undo {
                    ev.prevent_default();
                    undo_last(actions, action);
                }
            }
        }
    });
    on_cleanup(move || handle.remove());
}

/// Takes the last action back.
fn undo_last(actions: Actions, action: Action) {
    actions.run(
        action,
        |i18n, t| t_string!(i18n, reception.undone, ticket = t.to_owned()).to_string(),
        None,
    );
}

/// The keys, listed on screen.
#[component]
fn Shortcuts(lines: Vec<LineId>) -> impl IntoView {
    let i18n = use_i18n();
    let desk = expect_context::<Desk>();
    let call_lines = lines
        .into_iter()
        .take(9)
        .enumerate()
        .map(|(i, id)| {
            let name = move || {
                let language = i18n.get_locale();
                desk.site
                    .with_value(|s| s.line_name(id, language.as_str()).map(str::to_owned))
                    .unwrap_or_else(|| id.to_string())
            };
            view! {
                <div>
                    <dt><kbd>{(i + 1).to_string()}</kbd></dt>
                    <dd>{move || t_string!(i18n, reception.key_call_next, line = name()).to_string()}</dd>
                </div>
            }
        })
        .collect_view();
    view! {
        <section class="shortcuts" aria-labelledby="desk-shortcuts">
            <h2 id="desk-shortcuts">{t!(i18n, reception.shortcuts)}</h2>
            <dl>
                {call_lines}
                <div>
                    <dt><kbd>"R"</kbd></dt>
                    <dd>{t!(i18n, reception.key_recall)}</dd>
                </div>
                <div>
                    <dt><kbd>"D"</kbd></dt>
                    <dd>{t!(i18n, reception.key_served)}</dd>
                </div>
                <div>
                    <dt><kbd>"U"</kbd></dt>
                    <dd>{t!(i18n, reception.key_undo)}</dd>
                </div>
            </dl>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_keys_map_to_the_desk_shortcuts() {
        assert_eq!(Shortcut::of("1"), Some(Shortcut::CallNext(1)));
        assert_eq!(Shortcut::of("9"), Some(Shortcut::CallNext(9)));
        assert_eq!(
            Shortcut::of("r"),
            Some(Shortcut::Current(RowAction::Recall))
        );
        assert_eq!(Shortcut::of("D"), Some(Shortcut::Current(RowAction::Serve)));
        assert_eq!(Shortcut::of("u"), Some(Shortcut::Undo));
        for other in ["0", "10", "x", "Enter", " ", ""] {
            assert_eq!(Shortcut::of(other), None, "{other:?}");
        }
    }
}
