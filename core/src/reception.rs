//! Reception's row actions: which a ticket in each state offers, the queue
//! action each sends, and how each is undone. The queue state machine
//! (`crate::queue`) is the authority; the tests here prove the desk offers
//! only what it accepts, and that every undo it offers is accepted too.

use crate::contract::{Alert, EhrStatus, StaffTicket};
use crate::queue::{Action, LineId, TicketId, TicketState};

/// A button on a ticket's row at reception.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RowAction {
    /// Call this waiting ticket to the desk's room.
    Call,
    /// Call again (the board announces it anew).
    Recall,
    Serve,
    NoShow,
    /// Back to the front of its line.
    Requeue,
}

impl RowAction {
    /// The buttons a ticket in `state` shows, in order. A waiting ticket can
    /// also be moved to another line (see [`can_transfer`]).
    pub fn offered(state: TicketState) -> &'static [RowAction] {
        match state {
            TicketState::Waiting => &[RowAction::Call],
            TicketState::Called => &[
                RowAction::Recall,
                RowAction::Serve,
                RowAction::NoShow,
                RowAction::Requeue,
            ],
            TicketState::NoShow => &[RowAction::Requeue],
            TicketState::Served => &[],
        }
    }

    /// The queue action this button sends.
    pub fn action(self, ticket: TicketId, room: String) -> Action {
        match self {
            RowAction::Call => Action::Call { ticket, room },
            RowAction::Recall => Action::Recall { ticket },
            RowAction::Serve => Action::Serve { ticket },
            RowAction::NoShow => Action::NoShow { ticket },
            RowAction::Requeue => Action::Requeue { ticket },
        }
    }

    /// The action that takes this one back, where that makes sense: a call
    /// or a no-show made by mistake puts the ticket back at the front. A
    /// recall cannot be unheard, and a served patient has gone.
    pub fn undo(self, ticket: TicketId) -> Option<Action> {
        match self {
            RowAction::Call | RowAction::NoShow => Some(Action::Requeue { ticket }),
            RowAction::Recall | RowAction::Serve | RowAction::Requeue => None,
        }
    }

    /// Whether this is the row's main button (drawn as primary).
    pub fn is_primary(self) -> bool {
        matches!(self, RowAction::Call | RowAction::Serve)
    }
}

/// Whether a ticket in `state` can be moved to another line.
pub fn can_transfer(state: TicketState) -> bool {
    state == TicketState::Waiting
}

/// Moving a waiting ticket to the end of `line`.
pub fn transfer(ticket: TicketId, line: LineId) -> Action {
    Action::Transfer { ticket, line }
}

/// Whether reception's table lists a ticket in `state` (served tickets
/// leave it; they are in the counters).
pub fn listed(state: TicketState) -> bool {
    state != TicketState::Served
}

/// Whether reception should check back with the holder of `ticket`: still
/// waiting after `threshold` minutes (the site's `wait_alert_minutes`).
pub fn waited_too_long(ticket: &StaffTicket, threshold: u32) -> bool {
    ticket.status == TicketState::Waiting && ticket.waited_minutes >= threshold
}

/// The alerts still to deal with (acknowledged ones have been).
pub fn open_alerts(alerts: &[Alert]) -> Vec<Alert> {
    alerts
        .iter()
        .filter(|a| a.acknowledged_at.is_none())
        .cloned()
        .collect()
}

/// What reception is told about the link to the EHR.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EhrNote {
    /// Arrivals, calls or no-shows not yet in the EHR; `since` (RFC 3339)
    /// is said once they have waited past the site's limit.
    Unsent { count: u32, since: Option<String> },
    /// Today's schedule is no longer being read; check-in uses the one
    /// read at `read_at` (RFC 3339).
    ScheduleStale { read_at: String },
    /// Today's schedule could not be read at all yet.
    ScheduleUnread,
}

/// The notes for `status`, most urgent first; none while all is well.
pub fn ehr_notes(status: &EhrStatus) -> Vec<EhrNote> {
    let mut notes = Vec::new();
    if status.failing_since.is_some() {
        notes.push(match &status.schedule_read_at {
            Some(read_at) => EhrNote::ScheduleStale {
                read_at: read_at.clone(),
            },
            None => EhrNote::ScheduleUnread,
        });
    }
    if status.unsent > 0 {
        notes.push(EhrNote::Unsent {
            count: status.unsent,
            since: status
                .alert
                .then(|| status.oldest_unsent_at.clone())
                .flatten(),
        });
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::queue::{Queue, TicketStatus};

    fn line(c: char) -> LineId {
        LineId::new(c).unwrap()
    }

    /// A queue with one ticket in each state, and that ticket's id.
    fn ticket_in(state: TicketState) -> (Queue, TicketId) {
        let mut q = Queue::new([line('A'), line('B')]);
        let t = q
            .apply(&Action::Enqueue { line: line('A') })
            .unwrap()
            .ticket;
        // A second ticket, so a requeue has someone to go in front of.
        q.apply(&Action::Enqueue { line: line('A') }).unwrap();
        let steps: &[Action] = match state {
            TicketState::Waiting => &[],
            TicketState::Called => &[Action::Call {
                ticket: t,
                room: "1".into(),
            }],
            TicketState::Served => &[
                Action::Call {
                    ticket: t,
                    room: "1".into(),
                },
                Action::Serve { ticket: t },
            ],
            TicketState::NoShow => &[
                Action::Call {
                    ticket: t,
                    room: "1".into(),
                },
                Action::NoShow { ticket: t },
            ],
        };
        for step in steps {
            q.apply(step).unwrap();
        }
        assert_eq!(q.ticket(t).unwrap().status.state(), state);
        (q, t)
    }

    const EVERY: [RowAction; 5] = [
        RowAction::Call,
        RowAction::Recall,
        RowAction::Serve,
        RowAction::NoShow,
        RowAction::Requeue,
    ];

    #[test]
    fn the_desk_offers_exactly_what_the_queue_accepts() {
        for &state in TicketState::ALL {
            for kind in EVERY {
                let (mut q, t) = ticket_in(state);
                let accepted = q.apply(&kind.action(t, "2".into())).is_ok();
                let offered = RowAction::offered(state).contains(&kind);
                assert_eq!(offered, accepted, "{kind:?} on a {state} ticket");
            }
            let (mut q, t) = ticket_in(state);
            let moved = q.apply(&transfer(t, line('B'))).is_ok();
            assert_eq!(can_transfer(state), moved, "transfer of a {state} ticket");
        }
    }

    #[test]
    fn every_undo_is_accepted_and_puts_the_ticket_back_in_line() {
        for &state in TicketState::ALL {
            for &kind in RowAction::offered(state) {
                let (mut q, t) = ticket_in(state);
                q.apply(&kind.action(t, "2".into())).unwrap();
                if let Some(undo) = kind.undo(t) {
                    q.apply(&undo).unwrap();
                    assert_eq!(q.ticket(t).unwrap().status, TicketStatus::Waiting);
                    assert_eq!(q.position(t), Some(1), "{kind:?} undone goes to the front");
                }
            }
        }
    }

    #[test]
    fn served_tickets_leave_the_table() {
        assert!(!listed(TicketState::Served));
        assert!(listed(TicketState::Waiting));
        assert!(listed(TicketState::Called));
        assert!(listed(TicketState::NoShow));
    }

    #[test]
    fn who_reception_should_check_back_with() {
        let mut t: StaffTicket = serde_json::from_value(serde_json::json!({
            "id": 1, "ticket": "A-001", "line": "A", "status": "waiting",
            "name": "Ana G.", "needs": {}, "checked_in_at": "2026-03-10T09:00:00Z",
            "waited_minutes": 30, "late_minutes": 0, "calls": 0
        }))
        .unwrap();
        assert!(waited_too_long(&t, 30));
        assert!(!waited_too_long(&t, 31));
        t.status = TicketState::Called;
        assert!(!waited_too_long(&t, 30), "a called patient is being seen");
    }

    #[test]
    fn acknowledged_alerts_are_dealt_with() {
        let alert = |id, ack: Option<&str>| Alert {
            id,
            kind: crate::contract::AlertKind::TalkToMe,
            raised_at: "2026-03-10T09:00:00Z".into(),
            rating: Some(1),
            first_name: None,
            staff_name: None,
            acknowledged_at: ack.map(Into::into),
        };
        let open = open_alerts(&[alert(1, None), alert(2, Some("2026-03-10T09:05:00Z"))]);
        assert_eq!(open.iter().map(|a| a.id).collect::<Vec<_>>(), [1]);
    }

    #[test]
    fn reception_hears_of_the_ehr_only_when_something_is_behind() {
        let fine = EhrStatus {
            schedule_read_at: Some("2026-03-10T09:00:00Z".into()),
            ..EhrStatus::default()
        };
        assert_eq!(ehr_notes(&fine), []);
        let behind = EhrStatus {
            unsent: 3,
            oldest_unsent_at: Some("2026-03-10T08:50:00Z".into()),
            alert: false,
            failing_since: Some("2026-03-10T08:51:00Z".into()),
            ..fine.clone()
        };
        assert_eq!(
            ehr_notes(&behind),
            [
                EhrNote::ScheduleStale {
                    read_at: "2026-03-10T09:00:00Z".into()
                },
                EhrNote::Unsent {
                    count: 3,
                    since: None
                },
            ]
        );
        let late = EhrStatus {
            alert: true,
            schedule_read_at: None,
            ..behind
        };
        assert_eq!(
            ehr_notes(&late),
            [
                EhrNote::ScheduleUnread,
                EhrNote::Unsent {
                    count: 3,
                    since: Some("2026-03-10T08:50:00Z".into())
                },
            ]
        );
    }
}
