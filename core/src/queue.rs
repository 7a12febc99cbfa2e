//! The queue of one clinic day: tickets per line, and every staff action as
//! a checked transition.
//!
//! The server holds one [`Queue`] per day and applies actions to it; each
//! action either succeeds and bumps the version, or is rejected with a
//! [`QueueError`] and changes nothing. The invariants (property-tested):
//! a ticket is in at most one place; waiting positions in a line are
//! 1, 2, 3, … with no gaps; ticket codes are unique per line and day.

use crate::wire::wire_enum;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, VecDeque};
use std::fmt;

/// A service line, e.g. `A` for appointments, `W` for walk-ins. Its id is
/// the letter that starts its ticket codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct LineId(char);

impl LineId {
    /// A line id is one ASCII capital letter.
    pub fn new(letter: char) -> Option<Self> {
        letter.is_ascii_uppercase().then_some(LineId(letter))
    }

    pub fn letter(self) -> char {
        self.0
    }
}

impl fmt::Display for LineId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl TryFrom<String> for LineId {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        let mut chars = s.chars();
        match (chars.next().and_then(LineId::new), chars.next()) {
            (Some(id), None) => Ok(id),
            _ => Err(format!("a line id is one capital letter, not {s:?}")),
        }
    }
}

impl From<LineId> for String {
    fn from(id: LineId) -> Self {
        id.0.to_string()
    }
}

/// A ticket's number within its line and day; shown as `A-017`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct TicketCode {
    pub line: LineId,
    pub number: u16,
}

impl fmt::Display for TicketCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{:03}", self.line, self.number)
    }
}

impl TicketCode {
    /// Parses `A-017` (the form printed on tickets).
    pub fn parse(s: &str) -> Option<Self> {
        let (line, number) = s.split_once('-')?;
        let line = LineId::try_from(line.to_owned()).ok()?;
        if number.is_empty() || number.len() > 4 || !number.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let number: u16 = number.parse().ok()?;
        (number > 0).then_some(TicketCode { line, number })
    }
}

/// Identifies a ticket for the day.
pub type TicketId = u64;

/// Where a ticket is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum TicketStatus {
    /// In its line's waiting list.
    Waiting,
    /// Called to a room, not yet served.
    Called { room: String },
    /// Seen: done.
    Served,
    /// Called but did not come; can be requeued.
    NoShow,
}

wire_enum! {
    /// A [`TicketStatus`] without its details: what reception, the
    /// database and the actions' answers call it.
    pub enum TicketState {
        Waiting = "waiting",
        Called = "called",
        Served = "served",
        NoShow = "no_show",
    }
}

impl TicketStatus {
    pub fn state(&self) -> TicketState {
        match self {
            TicketStatus::Waiting => TicketState::Waiting,
            TicketStatus::Called { .. } => TicketState::Called,
            TicketStatus::Served => TicketState::Served,
            TicketStatus::NoShow => TicketState::NoShow,
        }
    }

    pub fn name(&self) -> &'static str {
        self.state().as_str()
    }
}

/// One ticket of the day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticket {
    pub id: TicketId,
    pub code: TicketCode,
    pub line: LineId,
    pub status: TicketStatus,
    /// How many times it has been called (recalls included).
    pub calls: u32,
}

/// A staff (or kiosk) action on the queue.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    /// A new ticket at the end of `line` (check-in or walk-in).
    Enqueue { line: LineId },
    /// Call the first waiting ticket of `line` to `room`.
    CallNext { line: LineId, room: String },
    /// Call a specific waiting ticket to `room`.
    Call { ticket: TicketId, room: String },
    /// Call a called ticket again (same room).
    Recall { ticket: TicketId },
    /// A called ticket was seen.
    Serve { ticket: TicketId },
    /// A called ticket did not come.
    NoShow { ticket: TicketId },
    /// Put a called or no-show ticket back at the front of its line.
    Requeue { ticket: TicketId },
    /// Move a waiting ticket to the end of another line (keeps its code).
    Transfer { ticket: TicketId, line: LineId },
    /// A new ticket at the end of `line` with a number set aside earlier
    /// ([`Queue::reserve`]: a kiosk's lease, given to a patient while the
    /// kiosk was offline), as the check-in arrives.
    Claim { line: LineId, number: u16 },
}

impl Action {
    /// Whether the action makes a new ticket (only check-ins may).
    pub fn makes_ticket(&self) -> bool {
        matches!(self, Action::Enqueue { .. } | Action::Claim { .. })
    }
}

/// Why an action was refused. Nothing changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum QueueError {
    #[error("there is no line {line}")]
    UnknownLine { line: LineId },
    #[error("there is no ticket {ticket}")]
    UnknownTicket { ticket: TicketId },
    #[error("nobody is waiting in line {line}")]
    LineEmpty { line: LineId },
    #[error("a {status} ticket cannot be {action}")]
    InvalidTransition {
        status: &'static str,
        action: &'static str,
    },
    #[error("a room name needs 1 to 40 characters")]
    InvalidRoom,
    #[error("line {line} has issued all of today's ticket numbers")]
    LineFull { line: LineId },
    #[error("ticket number {number} of line {line} was not set aside or is taken")]
    NumberUnavailable { line: LineId, number: u16 },
}

/// Why stored tickets could not be turned back into a queue.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RestoreError {
    #[error("ticket {0} is stored twice")]
    DuplicateTicket(TicketId),
    #[error("ticket code {0} is stored twice")]
    DuplicateCode(TicketCode),
    #[error("ticket code {0} is out of range")]
    BadCode(TicketCode),
    #[error("stored ticket names unknown line {0}")]
    UnknownLine(LineId),
}

/// What an accepted action did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The ticket the action was about.
    pub ticket: TicketId,
    /// The queue's version after the action.
    pub version: u64,
}

/// The queue of one day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Queue {
    lines: BTreeMap<LineId, LineState>,
    tickets: BTreeMap<TicketId, Ticket>,
    next_id: TicketId,
    version: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct LineState {
    waiting: VecDeque<TicketId>,
    last_number: u16,
}

/// Highest ticket number per line and day. Codes show three digits
/// (`A-017`) and grow a fourth past 999 (`A-1000`).
pub const MAX_TICKET_NUMBER: u16 = 9999;

impl Queue {
    /// An empty day with these lines.
    pub fn new(lines: impl IntoIterator<Item = LineId>) -> Self {
        Queue {
            lines: lines
                .into_iter()
                .map(|l| (l, LineState::default()))
                .collect(),
            tickets: BTreeMap::new(),
            next_id: 1,
            version: 0,
        }
    }

    /// Rebuilds a day's queue from stored tickets. Waiting tickets join
    /// their line in the order given; `version` continues from where the
    /// stored queue was. Stored data is untrusted: duplicates or unknown
    /// lines are errors, never a panic or a silently wrong queue.
    pub fn restore(
        lines: impl IntoIterator<Item = LineId>,
        tickets: impl IntoIterator<Item = Ticket>,
        version: u64,
    ) -> Result<Self, RestoreError> {
        let mut queue = Queue::new(lines);
        queue.version = version;
        for ticket in tickets {
            if queue.tickets.contains_key(&ticket.id) {
                return Err(RestoreError::DuplicateTicket(ticket.id));
            }
            if queue.tickets.values().any(|t| t.code == ticket.code) {
                return Err(RestoreError::DuplicateCode(ticket.code));
            }
            if ticket.code.number == 0 || ticket.code.number > MAX_TICKET_NUMBER {
                return Err(RestoreError::BadCode(ticket.code));
            }
            let line = queue
                .lines
                .get_mut(&ticket.line)
                .ok_or(RestoreError::UnknownLine(ticket.line))?;
            if ticket.status == TicketStatus::Waiting {
                line.waiting.push_back(ticket.id);
            }
            // Codes keep counting from the highest issued on each line, even
            // for tickets that have since moved to another line.
            if let Some(issuing) = queue.lines.get_mut(&ticket.code.line) {
                issuing.last_number = issuing.last_number.max(ticket.code.number);
            } else {
                return Err(RestoreError::UnknownLine(ticket.code.line));
            }
            queue.next_id = queue.next_id.max(ticket.id.saturating_add(1));
            queue.tickets.insert(ticket.id, ticket);
        }
        Ok(queue)
    }

    /// Increases with every accepted action.
    pub fn version(&self) -> u64 {
        self.version
    }

    pub fn lines(&self) -> impl Iterator<Item = LineId> + '_ {
        self.lines.keys().copied()
    }

    pub fn ticket(&self, id: TicketId) -> Option<&Ticket> {
        self.tickets.get(&id)
    }

    pub fn tickets(&self) -> impl Iterator<Item = &Ticket> {
        self.tickets.values()
    }

    /// The waiting tickets of `line`, first in line first.
    pub fn waiting(&self, line: LineId) -> impl Iterator<Item = &Ticket> {
        self.lines
            .get(&line)
            .into_iter()
            .flat_map(|l| l.waiting.iter())
            .filter_map(|id| self.tickets.get(id))
    }

    /// 1 for the next to be called; `None` when the ticket is not waiting.
    pub fn position(&self, id: TicketId) -> Option<usize> {
        let ticket = self.tickets.get(&id)?;
        let line = self.lines.get(&ticket.line)?;
        line.waiting.iter().position(|t| *t == id).map(|i| i + 1)
    }

    /// Applies `action`; on error nothing changed.
    pub fn apply(&mut self, action: &Action) -> Result<Outcome, QueueError> {
        let ticket = match action {
            Action::Enqueue { line } => self.enqueue(*line)?,
            Action::Claim { line, number } => self.claim(*line, *number)?,
            Action::CallNext { line, room } => {
                let room = valid_room(room)?;
                let state = self
                    .lines
                    .get(line)
                    .ok_or(QueueError::UnknownLine { line: *line })?;
                let first = *state
                    .waiting
                    .front()
                    .ok_or(QueueError::LineEmpty { line: *line })?;
                self.call(first, room)?
            }
            Action::Call { ticket, room } => {
                let room = valid_room(room)?;
                self.call(*ticket, room)?
            }
            Action::Recall { ticket } => {
                let t = self.get_mut(*ticket)?;
                require(t, "recalled", |s| matches!(s, TicketStatus::Called { .. }))?;
                t.calls = t.calls.saturating_add(1);
                *ticket
            }
            Action::Serve { ticket } => {
                let t = self.get_mut(*ticket)?;
                require(t, "served", |s| matches!(s, TicketStatus::Called { .. }))?;
                t.status = TicketStatus::Served;
                *ticket
            }
            Action::NoShow { ticket } => {
                let t = self.get_mut(*ticket)?;
                require(t, "marked no-show", |s| {
                    matches!(s, TicketStatus::Called { .. })
                })?;
                t.status = TicketStatus::NoShow;
                *ticket
            }
            Action::Requeue { ticket } => {
                let t = self.get_mut(*ticket)?;
                require(t, "requeued", |s| {
                    matches!(s, TicketStatus::Called { .. } | TicketStatus::NoShow)
                })?;
                let line = t.line;
                self.line_mut(line)?.waiting.push_front(*ticket);
                self.get_mut(*ticket)?.status = TicketStatus::Waiting;
                *ticket
            }
            Action::Transfer { ticket, line } => {
                if !self.lines.contains_key(line) {
                    return Err(QueueError::UnknownLine { line: *line });
                }
                let t = self.get_mut(*ticket)?;
                require(t, "transferred", |s| matches!(s, TicketStatus::Waiting))?;
                let from = t.line;
                self.line_mut(from)?.waiting.retain(|id| id != ticket);
                self.line_mut(*line)?.waiting.push_back(*ticket);
                self.get_mut(*ticket)?.line = *line;
                *ticket
            }
        };
        self.version += 1;
        Ok(Outcome {
            ticket,
            version: self.version,
        })
    }

    /// Sets the next `count` numbers of `line` aside (for a kiosk's lease):
    /// no new ticket takes them; [`Action::Claim`] does, one each. Changes
    /// no ticket and not the version.
    pub fn reserve(
        &mut self,
        line: LineId,
        count: u16,
    ) -> Result<std::ops::RangeInclusive<u16>, QueueError> {
        let state = self.line_mut(line)?;
        let first = state.last_number.saturating_add(1);
        let last = state
            .last_number
            .checked_add(count)
            .filter(|last| *last <= MAX_TICKET_NUMBER && count > 0)
            .ok_or(QueueError::LineFull { line })?;
        state.last_number = last;
        Ok(first..=last)
    }

    /// Restores numbers set aside earlier: new tickets of `line` count on
    /// from past `number`.
    pub fn reserved_through(&mut self, line: LineId, number: u16) -> Result<(), RestoreError> {
        let code = TicketCode { line, number };
        if number == 0 || number > MAX_TICKET_NUMBER {
            return Err(RestoreError::BadCode(code));
        }
        let state = self
            .lines
            .get_mut(&line)
            .ok_or(RestoreError::UnknownLine(line))?;
        state.last_number = state.last_number.max(number);
        Ok(())
    }

    fn enqueue(&mut self, line: LineId) -> Result<TicketId, QueueError> {
        let state = self.line_mut(line)?;
        if state.last_number >= MAX_TICKET_NUMBER {
            return Err(QueueError::LineFull { line });
        }
        state.last_number += 1;
        let number = state.last_number;
        self.add(TicketCode { line, number })
    }

    /// A ticket with a number set aside by [`Queue::reserve`] and not yet
    /// taken.
    fn claim(&mut self, line: LineId, number: u16) -> Result<TicketId, QueueError> {
        let code = TicketCode { line, number };
        let reserved = number > 0 && number <= self.line_mut(line)?.last_number;
        if !reserved || self.tickets.values().any(|t| t.code == code) {
            return Err(QueueError::NumberUnavailable { line, number });
        }
        self.add(code)
    }

    /// A new waiting ticket with `code`, at the end of its line.
    fn add(&mut self, code: TicketCode) -> Result<TicketId, QueueError> {
        let id = self.next_id;
        let line = code.line;
        self.line_mut(line)?.waiting.push_back(id);
        self.tickets.insert(
            id,
            Ticket {
                id,
                code,
                line,
                status: TicketStatus::Waiting,
                calls: 0,
            },
        );
        self.next_id += 1;
        Ok(id)
    }

    fn call(&mut self, id: TicketId, room: String) -> Result<TicketId, QueueError> {
        let t = self.get_mut(id)?;
        require(t, "called", |s| matches!(s, TicketStatus::Waiting))?;
        let line = t.line;
        self.line_mut(line)?.waiting.retain(|w| *w != id);
        let t = self.get_mut(id)?;
        t.status = TicketStatus::Called { room };
        t.calls = t.calls.saturating_add(1);
        Ok(id)
    }

    fn get_mut(&mut self, id: TicketId) -> Result<&mut Ticket, QueueError> {
        self.tickets
            .get_mut(&id)
            .ok_or(QueueError::UnknownTicket { ticket: id })
    }

    fn line_mut(&mut self, line: LineId) -> Result<&mut LineState, QueueError> {
        self.lines
            .get_mut(&line)
            .ok_or(QueueError::UnknownLine { line })
    }
}

fn require(
    ticket: &Ticket,
    action: &'static str,
    allowed: impl Fn(&TicketStatus) -> bool,
) -> Result<(), QueueError> {
    if allowed(&ticket.status) {
        Ok(())
    } else {
        Err(QueueError::InvalidTransition {
            status: ticket.status.name(),
            action,
        })
    }
}

fn valid_room(room: &str) -> Result<String, QueueError> {
    let room = room.trim();
    let len = room.chars().count();
    if (1..=40).contains(&len) && !room.chars().any(char::is_control) {
        Ok(room.to_owned())
    } else {
        Err(QueueError::InvalidRoom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashSet;

    fn line(c: char) -> LineId {
        LineId::new(c).unwrap()
    }

    fn room(r: &str) -> String {
        r.to_owned()
    }

    #[test]
    fn codes_count_up_per_line_and_print_with_three_digits() {
        let mut q = Queue::new([line('A'), line('W')]);
        let a1 = q
            .apply(&Action::Enqueue { line: line('A') })
            .unwrap()
            .ticket;
        let w1 = q
            .apply(&Action::Enqueue { line: line('W') })
            .unwrap()
            .ticket;
        let a2 = q
            .apply(&Action::Enqueue { line: line('A') })
            .unwrap()
            .ticket;
        assert_eq!(q.ticket(a1).unwrap().code.to_string(), "A-001");
        assert_eq!(q.ticket(w1).unwrap().code.to_string(), "W-001");
        assert_eq!(q.ticket(a2).unwrap().code.to_string(), "A-002");
        assert_eq!(q.position(a2), Some(2));
        assert_eq!(q.version(), 3);
    }

    #[test]
    fn codes_grow_a_fourth_digit_past_999() {
        let code = TicketCode {
            line: LineId::new('W').unwrap(),
            number: 1000,
        };
        assert_eq!(code.to_string(), "W-1000");
        assert_eq!(TicketCode::parse("W-1000"), Some(code));
    }

    #[test]
    fn ticket_codes_parse_back() {
        let code = TicketCode {
            line: line('A'),
            number: 17,
        };
        assert_eq!(TicketCode::parse(&code.to_string()), Some(code));
        for bad in [
            "", "A", "A-", "a-017", "AB-1", "A-0", "A-+17", "A-12345", "-017",
        ] {
            assert_eq!(TicketCode::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_call_moves_the_first_ticket_out_and_the_rest_up() {
        let mut q = Queue::new([line('A')]);
        let first = q
            .apply(&Action::Enqueue { line: line('A') })
            .unwrap()
            .ticket;
        let second = q
            .apply(&Action::Enqueue { line: line('A') })
            .unwrap()
            .ticket;
        let called = q
            .apply(&Action::CallNext {
                line: line('A'),
                room: room(" Room 3 "),
            })
            .unwrap()
            .ticket;
        assert_eq!(called, first);
        assert_eq!(
            q.ticket(first).unwrap().status,
            TicketStatus::Called {
                room: room("Room 3")
            }
        );
        assert_eq!(q.position(first), None);
        assert_eq!(q.position(second), Some(1));
    }

    #[test]
    fn requeue_puts_the_ticket_back_at_the_front() {
        let mut q = Queue::new([line('A')]);
        let first = q
            .apply(&Action::Enqueue { line: line('A') })
            .unwrap()
            .ticket;
        let second = q
            .apply(&Action::Enqueue { line: line('A') })
            .unwrap()
            .ticket;
        q.apply(&Action::CallNext {
            line: line('A'),
            room: room("1"),
        })
        .unwrap();
        q.apply(&Action::NoShow { ticket: first }).unwrap();
        q.apply(&Action::Requeue { ticket: first }).unwrap();
        assert_eq!(q.position(first), Some(1));
        assert_eq!(q.position(second), Some(2));
    }

    #[test]
    fn each_status_accepts_only_its_actions() {
        // (status reached by, action, accepted?)
        type Reach = fn(&mut Queue, TicketId);
        type MakeAction = fn(TicketId) -> Action;
        let statuses: [(&str, Reach); 4] = [
            ("waiting", |_, _| {}),
            ("called", |q, t| {
                q.apply(&Action::Call {
                    ticket: t,
                    room: room("1"),
                })
                .unwrap();
            }),
            ("served", |q, t| {
                q.apply(&Action::Call {
                    ticket: t,
                    room: room("1"),
                })
                .unwrap();
                q.apply(&Action::Serve { ticket: t }).unwrap();
            }),
            ("no_show", |q, t| {
                q.apply(&Action::Call {
                    ticket: t,
                    room: room("1"),
                })
                .unwrap();
                q.apply(&Action::NoShow { ticket: t }).unwrap();
            }),
        ];
        let actions: [(&str, MakeAction, [bool; 4]); 6] = [
            (
                "call",
                |t| Action::Call {
                    ticket: t,
                    room: room("2"),
                },
                [true, false, false, false],
            ),
            (
                "recall",
                |t| Action::Recall { ticket: t },
                [false, true, false, false],
            ),
            (
                "serve",
                |t| Action::Serve { ticket: t },
                [false, true, false, false],
            ),
            (
                "no-show",
                |t| Action::NoShow { ticket: t },
                [false, true, false, false],
            ),
            (
                "requeue",
                |t| Action::Requeue { ticket: t },
                [false, true, false, true],
            ),
            (
                "transfer",
                |t| Action::Transfer {
                    ticket: t,
                    line: line('W'),
                },
                [true, false, false, false],
            ),
        ];
        for (name, make, accepted) in actions {
            for (i, (status, reach)) in statuses.iter().enumerate() {
                let mut q = Queue::new([line('A'), line('W')]);
                let t = q
                    .apply(&Action::Enqueue { line: line('A') })
                    .unwrap()
                    .ticket;
                reach(&mut q, t);
                let before = q.clone();
                let result = q.apply(&make(t));
                assert_eq!(
                    result.is_ok(),
                    accepted[i],
                    "{name} from {status}: {result:?}"
                );
                if result.is_err() {
                    assert_eq!(q, before, "{name} from {status} changed the queue");
                }
            }
        }
    }

    #[test]
    fn bad_rooms_unknown_lines_and_tickets_are_refused() {
        let mut q = Queue::new([line('A')]);
        let t = q
            .apply(&Action::Enqueue { line: line('A') })
            .unwrap()
            .ticket;
        let too_long = "x".repeat(41);
        for bad in ["", "   ", too_long.as_str(), "a\u{7}b"] {
            assert_eq!(
                q.apply(&Action::Call {
                    ticket: t,
                    room: room(bad)
                }),
                Err(QueueError::InvalidRoom)
            );
        }
        assert_eq!(
            q.apply(&Action::Enqueue { line: line('Z') }),
            Err(QueueError::UnknownLine { line: line('Z') })
        );
        assert_eq!(
            q.apply(&Action::Serve { ticket: 99 }),
            Err(QueueError::UnknownTicket { ticket: 99 })
        );
        q.apply(&Action::Call {
            ticket: t,
            room: room("1"),
        })
        .unwrap();
        assert_eq!(
            q.apply(&Action::CallNext {
                line: line('A'),
                room: room("1")
            }),
            Err(QueueError::LineEmpty { line: line('A') })
        );
    }

    #[test]
    fn restore_refuses_inconsistent_data() {
        let t = |id, n| Ticket {
            id,
            code: TicketCode {
                line: line('A'),
                number: n,
            },
            line: line('A'),
            status: TicketStatus::Waiting,
            calls: 0,
        };
        assert_eq!(
            Queue::restore([line('A')], [t(1, 1), t(1, 2)], 0),
            Err(RestoreError::DuplicateTicket(1))
        );
        assert!(matches!(
            Queue::restore([line('A')], [t(1, 1), t(2, 1)], 0),
            Err(RestoreError::DuplicateCode(_))
        ));
        assert!(matches!(
            Queue::restore([line('A')], [t(1, 0)], 0),
            Err(RestoreError::BadCode(_))
        ));
        assert_eq!(
            Queue::restore([line('W')], [t(1, 1)], 0),
            Err(RestoreError::UnknownLine(line('A')))
        );
    }

    #[test]
    fn a_line_stops_at_9999_tickets() {
        let mut q = Queue::new([line('A')]);
        for _ in 0..MAX_TICKET_NUMBER {
            q.apply(&Action::Enqueue { line: line('A') }).unwrap();
        }
        assert_eq!(
            q.apply(&Action::Enqueue { line: line('A') }),
            Err(QueueError::LineFull { line: line('A') })
        );
    }

    #[test]
    fn numbers_set_aside_are_skipped_by_new_tickets_and_claimed_once_each() {
        let mut q = Queue::new([line('A'), line('W')]);
        let code = |q: &Queue, id| q.ticket(id).unwrap().code.to_string();
        let a1 = q.apply(&Action::Enqueue { line: line('A') }).unwrap();
        assert_eq!(q.reserve(line('A'), 3), Ok(2..=4));
        assert_eq!(q.version(), 1, "setting numbers aside changes no ticket");
        let next = q.apply(&Action::Enqueue { line: line('A') }).unwrap();
        assert_eq!(code(&q, next.ticket), "A-005");
        // A claimed number joins at the end of its line, as it arrives.
        let claimed = q
            .apply(&Action::Claim {
                line: line('A'),
                number: 3,
            })
            .unwrap();
        assert_eq!(code(&q, claimed.ticket), "A-003");
        assert_eq!(q.position(claimed.ticket), Some(3));
        assert_eq!(q.position(a1.ticket), Some(1));
        // Once only; never an issued number, one not set aside, or 0.
        for number in [3, 1, 5, 6, 0] {
            assert_eq!(
                q.apply(&Action::Claim {
                    line: line('A'),
                    number
                }),
                Err(QueueError::NumberUnavailable {
                    line: line('A'),
                    number
                }),
                "{number}"
            );
        }
        assert_eq!(
            q.apply(&Action::Claim {
                line: line('Z'),
                number: 1
            }),
            Err(QueueError::UnknownLine { line: line('Z') })
        );
        // Nothing past the last number, and no empty lease.
        assert_eq!(
            q.reserve(line('W'), MAX_TICKET_NUMBER),
            Ok(1..=MAX_TICKET_NUMBER)
        );
        assert_eq!(
            q.reserve(line('W'), 1),
            Err(QueueError::LineFull { line: line('W') })
        );
        assert_eq!(
            q.reserve(line('A'), 0),
            Err(QueueError::LineFull { line: line('A') })
        );
    }

    #[test]
    fn a_restored_day_keeps_its_numbers_set_aside() {
        let mut q = Queue::new([line('A')]);
        q.apply(&Action::Enqueue { line: line('A') }).unwrap();
        q.reserve(line('A'), 10).unwrap();
        let mut back = Queue::restore([line('A')], q.tickets().cloned(), q.version()).unwrap();
        back.reserved_through(line('A'), 11).unwrap();
        let next = back.apply(&Action::Enqueue { line: line('A') }).unwrap();
        assert_eq!(back.ticket(next.ticket).unwrap().code.to_string(), "A-012");
        assert!(back
            .apply(&Action::Claim {
                line: line('A'),
                number: 7
            })
            .is_ok());
        assert_eq!(
            back.reserved_through(line('A'), 0),
            Err(RestoreError::BadCode(TicketCode {
                line: line('A'),
                number: 0
            }))
        );
        assert_eq!(
            back.reserved_through(line('B'), 3),
            Err(RestoreError::UnknownLine(line('B')))
        );
    }

    const LINES: [char; 3] = ['A', 'B', 'W'];

    fn any_action() -> impl Strategy<Value = Action> {
        // 'Z' is a line the queue does not have; ids past the issued ones
        // are unknown tickets; "" and a control character are bad rooms.
        let line =
            prop::sample::select(vec!['A', 'B', 'W', 'Z']).prop_map(|c| LineId::new(c).unwrap());
        let ticket = 0u64..40;
        let room =
            prop::sample::select(vec!["1", "Room 2", "", "bad\u{0}"]).prop_map(str::to_owned);
        prop_oneof![
            3 => line.clone().prop_map(|line| Action::Enqueue { line }),
            2 => (line.clone(), room.clone()).prop_map(|(line, room)| Action::CallNext { line, room }),
            1 => (ticket.clone(), room).prop_map(|(ticket, room)| Action::Call { ticket, room }),
            1 => ticket.clone().prop_map(|ticket| Action::Recall { ticket }),
            2 => ticket.clone().prop_map(|ticket| Action::Serve { ticket }),
            1 => ticket.clone().prop_map(|ticket| Action::NoShow { ticket }),
            1 => ticket.clone().prop_map(|ticket| Action::Requeue { ticket }),
            1 => (ticket, line.clone()).prop_map(|(ticket, line)| Action::Transfer { ticket, line }),
            1 => (line, 0u16..12).prop_map(|(line, number)| Action::Claim { line, number }),
        ]
    }

    fn check_invariants(q: &Queue) -> Result<(), TestCaseError> {
        let mut seen = HashSet::new();
        for l in q.lines() {
            for (i, t) in q.waiting(l).enumerate() {
                // In one place only, and that place is its own line.
                prop_assert!(seen.insert(t.id), "{} waits twice", t.id);
                prop_assert_eq!(t.line, l);
                prop_assert_eq!(&t.status, &TicketStatus::Waiting);
                // Positions are 1, 2, 3, ... with no gaps.
                prop_assert_eq!(q.position(t.id), Some(i + 1));
            }
        }
        for t in q.tickets() {
            let waiting = t.status == TicketStatus::Waiting;
            prop_assert_eq!(waiting, seen.contains(&t.id), "{:?}", t);
        }
        let codes: HashSet<_> = q.tickets().map(|t| t.code).collect();
        prop_assert_eq!(codes.len(), q.tickets().count(), "duplicate codes");
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]

        #[test]
        fn invariants_hold_after_any_sequence(actions in prop::collection::vec(any_action(), 0..120)) {
            let mut q = Queue::new(LINES.map(|c| LineId::new(c).unwrap()));
            // A kiosk's lease on line A: claims of 1 to 6 may succeed.
            q.reserve(LineId::new('A').unwrap(), 6).unwrap();
            for action in &actions {
                let before = q.clone();
                match q.apply(action) {
                    Ok(outcome) => {
                        prop_assert_eq!(outcome.version, before.version() + 1);
                        prop_assert!(q.ticket(outcome.ticket).is_some());
                    }
                    Err(_) => prop_assert_eq!(&q, &before, "a refused action changed the queue"),
                }
                check_invariants(&q)?;
            }
        }

        #[test]
        fn restoring_a_queue_from_its_tickets_gives_it_back(actions in prop::collection::vec(any_action(), 0..80)) {
            let mut q = Queue::new(LINES.map(|c| LineId::new(c).unwrap()));
            for action in &actions {
                let _ = q.apply(action);
            }
            // Waiting tickets in line order first, as a store would list them.
            let mut stored: Vec<Ticket> = q.lines().flat_map(|l| q.waiting(l).cloned().collect::<Vec<_>>()).collect();
            stored.extend(q.tickets().filter(|t| t.status != TicketStatus::Waiting).cloned());
            let restored = Queue::restore(q.lines().collect::<Vec<_>>(), stored, q.version()).unwrap();
            prop_assert_eq!(&restored, &q);
            // And it goes on issuing the same next code.
            let mut a = q.clone();
            let mut b = restored;
            let line = LineId::new('A').unwrap();
            prop_assert_eq!(a.apply(&Action::Enqueue { line }).map(|o| a.ticket(o.ticket).map(|t| t.code)),
                            b.apply(&Action::Enqueue { line }).map(|o| b.ticket(o.ticket).map(|t| t.code)));
        }

        #[test]
        fn ticket_code_parsing_never_panics(s in ".{0,12}") {
            if let Some(code) = TicketCode::parse(&s) {
                prop_assert_eq!(TicketCode::parse(&code.to_string()), Some(code));
            }
        }
    }
}

#[cfg(feature = "openapi")]
mod schema {
    use super::LineId;
    use utoipa::openapi::{schema::SchemaType, ObjectBuilder, RefOr, Schema, Type};

    impl utoipa::PartialSchema for LineId {
        fn schema() -> RefOr<Schema> {
            ObjectBuilder::new()
                .schema_type(SchemaType::new(Type::String))
                .pattern(Some("^[A-Z]$"))
                .description(Some(
                    "A service line: one capital letter, the first of its ticket codes",
                ))
                .examples([serde_json::json!("A")])
                .into()
        }
    }

    impl utoipa::ToSchema for LineId {}
}
