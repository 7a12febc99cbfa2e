//! What the public board announces: which calls are new since the last
//! snapshot, and how a ticket code is read aloud.

use crate::contract::{CalledTicket, PublicQueue};

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

#[cfg(test)]
mod tests {
    use super::*;
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
}
