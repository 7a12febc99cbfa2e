//! A check-in kiosk's ticket lease as it keeps it: today's unused numbers
//! from the server, and the ones it has given to patients that the server
//! may not have seen yet. Giving a code and renewing the lease in any order
//! never gives one code twice.

use crate::contract::TicketLease;
use crate::queue::{LineId, TicketCode};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldLease {
    /// The clinic day the codes are for.
    pub day: String,
    /// Codes not given yet, in the order to give them.
    pub free: Vec<String>,
    /// Codes given to patients that the server still counts as unused (their
    /// check-ins have not reached it).
    pub given: Vec<String>,
}

impl HeldLease {
    /// Takes in what the server says this kiosk holds. A code given here is
    /// never free again, whatever the answer says; one the server no longer
    /// lists has reached it and is forgotten.
    pub fn renew(&mut self, lease: TicketLease) {
        if lease.day != self.day {
            self.given.clear();
        }
        self.given.retain(|code| lease.codes.contains(code));
        let given = &self.given;
        self.free = lease
            .codes
            .into_iter()
            .filter(|code| !given.contains(code) && TicketCode::parse(code).is_some())
            .collect();
        self.day = lease.day;
    }

    /// A code of `line` for a patient checked in on `today`, now given; `None`
    /// when none is left (or the lease is another day's).
    pub fn take(&mut self, line: LineId, today: &str) -> Option<String> {
        if self.day != today {
            return None;
        }
        let at = self
            .free
            .iter()
            .position(|code| TicketCode::parse(code).is_some_and(|c| c.line == line))?;
        let code = self.free.remove(at);
        self.given.push(code.clone());
        Some(code)
    }

    /// How many codes of `line` are left for `today`.
    pub fn left(&self, line: LineId, today: &str) -> usize {
        if self.day != today {
            return 0;
        }
        self.free
            .iter()
            .filter(|code| TicketCode::parse(code).is_some_and(|c| c.line == line))
            .count()
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

    fn lease(day: &str, codes: &[&str]) -> TicketLease {
        TicketLease {
            day: day.into(),
            codes: codes.iter().map(|c| (*c).to_owned()).collect(),
        }
    }

    #[test]
    fn codes_are_given_by_line_in_order_and_only_on_their_day() {
        let mut held = HeldLease::default();
        held.renew(lease("2026-12-02", &["A-011", "A-012", "W-004", "junk"]));
        assert_eq!(held.left(line('A'), "2026-12-02"), 2);
        assert_eq!(held.take(line('W'), "2026-12-03"), None);
        assert_eq!(held.take(line('W'), "2026-12-02").as_deref(), Some("W-004"));
        assert_eq!(held.take(line('W'), "2026-12-02"), None);
        assert_eq!(held.take(line('A'), "2026-12-02").as_deref(), Some("A-011"));
        assert_eq!(held.left(line('A'), "2026-12-02"), 1);
        assert_eq!(held.left(line('A'), "2026-12-03"), 0);
    }

    #[test]
    fn a_renewal_never_frees_a_given_code_and_forgets_delivered_ones() {
        let day = "2026-12-02";
        let mut held = HeldLease::default();
        held.renew(lease(day, &["A-001", "A-002", "A-003"]));
        assert_eq!(held.take(line('A'), day).as_deref(), Some("A-001"));
        // An answer made before the server saw A-001 still lists it.
        held.renew(lease(day, &["A-001", "A-002", "A-003"]));
        assert_eq!(held.free, ["A-002", "A-003"]);
        assert_eq!(held.given, ["A-001"]);
        // Once delivered, the server no longer lists it: forgotten.
        held.renew(lease(day, &["A-002", "A-003", "A-004"]));
        assert_eq!(held.given, Vec::<String>::new());
        assert_eq!(held.free, ["A-002", "A-003", "A-004"]);
        // A new day starts afresh.
        held.take(line('A'), day);
        held.renew(lease("2026-12-03", &["A-002", "A-005"]));
        assert_eq!(held.free, ["A-002", "A-005"]);
        assert!(held.given.is_empty());
    }

    proptest! {
        /// Whatever the order of renewals (each listing the server's view:
        /// every leased code it has not seen used) and takes, no code is
        /// given twice.
        #[test]
        fn no_code_is_given_twice(steps in prop::collection::vec((any::<bool>(), 0usize..4), 1..60)) {
            let day = "2026-12-02";
            let mut held = HeldLease::default();
            let mut leased = 0u16;
            let mut delivered: HashSet<String> = HashSet::new();
            let mut given: Vec<String> = Vec::new();
            for (renew, n) in steps {
                if renew {
                    // The server tops up to 3 unused and may have seen any
                    // prefix of what was given.
                    for code in given.iter().take(n) {
                        delivered.insert(code.clone());
                    }
                    let unused = |leased: u16, delivered: &HashSet<String>| (1..=leased)
                        .map(|n| TicketCode { line: line('A'), number: n }.to_string())
                        .filter(|c| !delivered.contains(c))
                        .collect::<Vec<_>>();
                    while unused(leased, &delivered).len() < 3 {
                        leased += 1;
                    }
                    held.renew(TicketLease { day: day.into(), codes: unused(leased, &delivered) });
                } else if let Some(code) = held.take(line('A'), day) {
                    prop_assert!(!given.contains(&code), "{} given twice", code);
                    given.push(code);
                }
            }
        }
    }
}
