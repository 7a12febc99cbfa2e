//! What the public board shows and announces: which calls are new since
//! the last snapshot, how a ticket code is read aloud, the one-list layout,
//! and where one ticket stands (the ticket screen follows it live).

use crate::contract::{CalledTicket, PublicLine, PublicQueue};
use crate::wait::WaitRange;

/// A ticket code as people say it: the letter, then each digit, so a speech
/// engine reads "A 0 1 7" rather than "A-seventeen" or "oh-oh-seventeen".
pub fn spoken_code(code: &str) -> String {
    let mut parts: Vec<String> = Vec::new();
    for c in code.chars() {
        if c.is_alphanumeric() {
            parts.push(c.to_string());
        }
    }
    parts.join(" ")
}

/// Remembers the calls on screen, to tell which ones are new. Bounded by
/// what is being called right now, whatever the length of the day.
#[derive(Debug, Default, Clone)]
pub struct CallTracker {
    /// (ticket, times called) of the calls in the last snapshot.
    seen: Vec<(String, u32)>,
    primed: bool,
}

impl CallTracker {
    /// The calls in `queue` not in the previous snapshot, including a recall
    /// (called again). The first snapshot only primes the tracker: a board
    /// that has just started does not announce calls made before it.
    pub fn new_calls(&mut self, queue: &PublicQueue) -> Vec<CalledTicket> {
        let now: Vec<(&CalledTicket, (String, u32))> = queue
            .lines
            .iter()
            .flat_map(|line| line.calling.iter())
            .map(|c| (c, (c.ticket.clone(), c.calls)))
            .collect();
        let fresh = if self.primed {
            now.iter()
                .filter(|(_, key)| !self.seen.contains(key))
                .map(|(c, _)| (*c).clone())
                .collect()
        } else {
            Vec::new()
        };
        self.seen = now.into_iter().map(|(_, key)| key).collect();
        self.primed = true;
        fresh
    }
}

/// Where one ticket stands in a queue snapshot, as its holder is told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    Waiting {
        position: u32,
        wait: WaitRange,
        /// When the wait given at check-in ran out (Unix seconds).
        promised_by: Option<i64>,
    },
    Called {
        room: String,
    },
    /// Not in the snapshot (served, or the snapshot is older).
    Unknown,
}

impl Standing {
    /// Where `ticket` stands in `queue`.
    pub fn in_queue(queue: &PublicQueue, ticket: &str) -> Standing {
        for line in &queue.lines {
            if let Some(called) = line.calling.iter().find(|c| c.ticket == ticket) {
                return Standing::Called {
                    room: called.room.clone(),
                };
            }
            if let Some(waiting) = line.waiting.iter().find(|w| w.ticket == ticket) {
                return Standing::Waiting {
                    position: waiting.position,
                    wait: waiting.wait,
                    promised_by: waiting.promised_by,
                };
            }
        }
        Standing::Unknown
    }

    /// The newest word on a ticket checked in at `checked_in_version` with
    /// the answer `first`: the live snapshot when it knows the ticket and is
    /// at least as new as the check-in, `first` otherwise.
    pub fn newest(
        snapshot: Option<&PublicQueue>,
        ticket: &str,
        checked_in_version: u64,
        first: &Standing,
    ) -> Standing {
        snapshot
            .filter(|q| q.version >= checked_in_version)
            .map(|q| Standing::in_queue(q, ticket))
            .filter(|s| *s != Standing::Unknown)
            .unwrap_or_else(|| first.clone())
    }
}

/// What a waiting patient is told of their wait: the range, or "very
/// soon" for a range that starts at 0; and, once the wait given at
/// check-in has run out, that it is taking longer than said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaitWords {
    Soon,
    Range { low: u32, high: u32 },
    LongerSoon,
    Longer { low: u32, high: u32 },
}

impl WaitWords {
    /// The words for `wait` at `now_unix`, given when the first promise
    /// ran out.
    pub fn of(wait: WaitRange, promised_by: Option<i64>, now_unix: i64) -> WaitWords {
        let (low, high) = (wait.low_minutes, wait.high_minutes);
        match (crate::wait::past_promise(promised_by, now_unix), high) {
            (true, 0) => WaitWords::LongerSoon,
            (true, _) => WaitWords::Longer { low, high },
            (false, 0) => WaitWords::Soon,
            (false, _) => WaitWords::Range { low, high },
        }
    }
}

/// The whole queue as one list (the site's `board_layout: single`): every
/// call, and every waiting ticket ordered by its wait and renumbered. `None`
/// for a site without lines.
pub fn one_list(lines: Vec<PublicLine>, name: String) -> Option<PublicLine> {
    let id = lines.first()?.id;
    let mut calling = Vec::new();
    let mut waiting = Vec::new();
    for line in lines {
        calling.extend(line.calling);
        waiting.extend(line.waiting);
    }
    waiting.sort_by_key(|w| (w.wait.low_minutes, w.wait.high_minutes, w.position));
    for (i, w) in waiting.iter_mut().enumerate() {
        w.position = u32::try_from(i + 1).unwrap_or(u32::MAX);
    }
    Some(PublicLine {
        id,
        name,
        calling,
        waiting,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wait_past_its_promise_says_so() {
        let range = |low, high| WaitRange {
            low_minutes: low,
            high_minutes: high,
        };
        assert_eq!(
            WaitWords::of(range(5, 20), Some(1_000), 1_000),
            WaitWords::Range { low: 5, high: 20 }
        );
        assert_eq!(
            WaitWords::of(range(5, 20), Some(1_000), 1_001),
            WaitWords::Longer { low: 5, high: 20 }
        );
        assert_eq!(WaitWords::of(range(0, 0), None, 1_001), WaitWords::Soon);
        assert_eq!(
            WaitWords::of(range(0, 0), Some(1_000), 1_001),
            WaitWords::LongerSoon
        );
    }
    use crate::contract::PublicLine;
    use crate::queue::LineId;

    fn queue(calls: &[(&str, &str, u32)]) -> PublicQueue {
        PublicQueue {
            version: 1,
            updated_at: String::new(),
            lines: vec![PublicLine {
                id: LineId::new('A').unwrap(),
                name: "A".into(),
                calling: calls
                    .iter()
                    .map(|(t, r, n)| CalledTicket {
                        ticket: (*t).into(),
                        room: (*r).into(),
                        calls: *n,
                    })
                    .collect(),
                waiting: vec![],
            }],
            notices: vec![],
        }
    }

    #[test]
    fn codes_are_read_letter_then_digits() {
        assert_eq!(spoken_code("A-017"), "A 0 1 7");
        assert_eq!(spoken_code("W-1234"), "W 1 2 3 4");
        assert_eq!(spoken_code(""), "");
    }

    #[test]
    fn only_new_calls_and_recalls_are_announced() {
        let mut tracker = CallTracker::default();
        assert!(
            tracker
                .new_calls(&queue(&[("A-001", "Room 1", 1)]))
                .is_empty(),
            "priming"
        );
        let fresh = tracker.new_calls(&queue(&[("A-002", "Room 2", 1), ("A-001", "Room 1", 1)]));
        assert_eq!(fresh.len(), 1);
        assert_eq!(fresh[0].ticket, "A-002");
        assert!(
            tracker
                .new_calls(&queue(&[("A-002", "Room 2", 1)]))
                .is_empty(),
            "served leaves quietly"
        );
        let recall = tracker.new_calls(&queue(&[("A-002", "Room 2", 2)]));
        assert_eq!(recall.len(), 1, "a recall is announced again");
        assert!(
            tracker
                .new_calls(&queue(&[("A-002", "Room 2", 2)]))
                .is_empty(),
            "same snapshot twice"
        );
    }

    fn snapshot(version: u64, lines: Vec<PublicLine>) -> PublicQueue {
        PublicQueue {
            version,
            updated_at: "2026-03-10T09:00:00Z".into(),
            lines,
            notices: vec![],
        }
    }

    fn line(id: char, calling: &[(&str, &str)], waiting: &[(&str, u32, u32)]) -> PublicLine {
        PublicLine {
            id: crate::queue::LineId::new(id).unwrap(),
            name: format!("Line {id}"),
            calling: calling
                .iter()
                .map(|(t, room)| CalledTicket {
                    ticket: (*t).into(),
                    room: (*room).into(),
                    calls: 1,
                })
                .collect(),
            waiting: waiting
                .iter()
                .enumerate()
                .map(|(i, (t, low, high))| crate::contract::WaitingTicket {
                    ticket: (*t).into(),
                    position: u32::try_from(i + 1).unwrap(),
                    wait: WaitRange {
                        low_minutes: *low,
                        high_minutes: *high,
                    },
                    promised_by: None,
                })
                .collect(),
        }
    }

    #[test]
    fn a_ticket_stands_where_the_newest_snapshot_says() {
        let first = Standing::Waiting {
            position: 2,
            wait: WaitRange {
                low_minutes: 10,
                high_minutes: 20,
            },
            promised_by: None,
        };
        let q = snapshot(
            7,
            vec![line('A', &[("A-001", "Room 2")], &[("A-002", 5, 10)])],
        );
        assert_eq!(
            Standing::newest(Some(&q), "A-002", 7, &first),
            Standing::Waiting {
                position: 1,
                wait: WaitRange {
                    low_minutes: 5,
                    high_minutes: 10
                },
                promised_by: None,
            }
        );
        assert_eq!(
            Standing::newest(Some(&q), "A-001", 7, &first),
            Standing::Called {
                room: "Room 2".into()
            }
        );
        // Older than the check-in, or not in it: the check-in's answer.
        assert_eq!(Standing::newest(Some(&q), "A-002", 8, &first), first);
        assert_eq!(Standing::newest(Some(&q), "A-009", 7, &first), first);
        assert_eq!(Standing::newest(None, "A-002", 0, &first), first);
    }

    #[test]
    fn one_list_orders_everyone_by_wait_and_renumbers() {
        let lines = vec![
            line(
                'A',
                &[("A-001", "1")],
                &[("A-002", 10, 25), ("A-003", 20, 40)],
            ),
            line('W', &[], &[("W-001", 5, 15)]),
        ];
        let one = one_list(lines, "Everyone".into()).unwrap();
        assert_eq!(one.name, "Everyone");
        assert_eq!(one.calling.len(), 1);
        let order: Vec<_> = one
            .waiting
            .iter()
            .map(|w| (w.ticket.as_str(), w.position))
            .collect();
        assert_eq!(order, [("W-001", 1), ("A-002", 2), ("A-003", 3)]);
        assert_eq!(one_list(vec![], "x".into()), None);
    }
}
