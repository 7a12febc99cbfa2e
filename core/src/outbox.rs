//! The outbox: every write a patient makes waits here, durably, until the
//! server has acknowledged it. This is the state machine and the retry
//! policy; the browser keeps the entries in IndexedDB and drives the loop.
//!
//! Rules: entries are delivered in the order they were made; network
//! errors, timeouts, 408, 429 and 5xx are retried with capped, jittered
//! exponential backoff that honours Retry-After; other 4xx are parked for
//! staff, never dropped and never retried forever; an acknowledged entry is
//! removed (its personal data goes with it). An entry is never dropped for
//! its age. Every retry carries the same idempotency key, so a retry after a
//! lost response replays the server's first answer instead of repeating it.

use crate::client::ClientError;
use crate::contract::{CheckInRequest, ErrorCode, ParkedWrite, SurveyResponse, WriteKind};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// How long to wait before the next attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetryPolicy {
    pub base_ms: u64,
    pub max_ms: u64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            base_ms: 1_000,
            max_ms: 5 * 60_000,
        }
    }
}

impl RetryPolicy {
    /// The delay after `attempts` failed attempts (1 = the first failure),
    /// with `jitter` in [0, 1) spreading tablets that failed together, and at
    /// least the server's Retry-After.
    pub fn delay_ms(&self, attempts: u32, retry_after_seconds: Option<u64>, jitter: f64) -> u64 {
        let exponent = attempts.saturating_sub(1).min(30);
        let ceiling = self
            .base_ms
            .saturating_mul(1u64 << exponent)
            .min(self.max_ms)
            .max(1);
        let jitter = if jitter.is_finite() {
            jitter.clamp(0.0, 1.0)
        } else {
            0.5
        };
        // "Equal jitter": half fixed, half random, so a delay never collapses
        // to zero and retries still spread out.
        let delay = ceiling / 2 + ((ceiling / 2) as f64 * jitter) as u64;
        let floor = retry_after_seconds.map_or(0, |s| s.saturating_mul(1000));
        delay.max(floor)
    }
}

/// A write a patient made, as a kiosk's outbox keeps it until delivered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Write {
    /// `POST /check-ins` under the entry's key.
    CheckIn { request: CheckInRequest },
    /// `PUT /surveys/{id}`: the whole response as it stood.
    Survey {
        id: String,
        response: SurveyResponse,
    },
}

impl Write {
    /// The survey response this write sends, if it is one.
    pub fn survey_id(&self) -> Option<&str> {
        match self {
            Write::Survey { id, .. } => Some(id),
            Write::CheckIn { .. } => None,
        }
    }

    pub fn kind(&self) -> WriteKind {
        match self {
            Write::CheckIn { .. } => WriteKind::CheckIn,
            Write::Survey { .. } => WriteKind::Survey,
        }
    }
}

/// How long an entry waits before trying again while its device is not
/// enrolled.
pub const NOT_ENROLLED_RETRY_SECONDS: u64 = 30;

/// What one delivery attempt came back with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// 2xx: stored (or replayed) by the server.
    Accepted,
    /// Worth sending again later: no answer (offline, timed out, dropped),
    /// or 408, 429, 5xx.
    Retry { retry_after_seconds: Option<u64> },
    /// Refused as invalid (4xx), or an answer the app cannot read: parked
    /// for staff. `status` is 0 when there was no usable status; `code` is
    /// the server's error code, empty when it gave none.
    Refused { status: u16, code: String },
}

impl Outcome {
    /// From a failed request, using the adapter's classification.
    pub fn from_error(error: &ClientError) -> Self {
        match error {
            ClientError::Network | ClientError::Timeout | ClientError::Aborted => Outcome::Retry {
                retry_after_seconds: None,
            },
            ClientError::Unavailable {
                retry_after_seconds,
                ..
            } => Outcome::Retry {
                retry_after_seconds: *retry_after_seconds,
            },
            ClientError::Rejected { status, code, .. } => Outcome::Refused {
                status: *status,
                code: match code {
                    ErrorCode::Unknown => String::new(),
                    known => known.as_str().to_owned(),
                },
            },
            // Not refused: the entry waits until the device is enrolled
            // again (a patient was told it is saved).
            ClientError::NotEnrolled => Outcome::Retry {
                retry_after_seconds: Some(NOT_ENROLLED_RETRY_SECONDS),
            },
            ClientError::Decode | ClientError::Unsupported => Outcome::Refused {
                status: 0,
                code: String::new(),
            },
        }
    }
}

/// Where an entry stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum EntryState {
    /// Waiting to be sent at or after `next_at_ms`.
    Pending { attempts: u32, next_at_ms: u64 },
    /// Being sent now.
    Sending { attempts: u32 },
    /// Refused by the server as invalid: kept for staff.
    Parked {
        status: u16,
        #[serde(default)]
        code: String,
    },
}

/// One write waiting to reach the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry<T> {
    pub key: String,
    pub created_ms: u64,
    pub state: EntryState,
    pub payload: T,
}

/// The outbox of one device.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Outbox<T> {
    entries: VecDeque<Entry<T>>,
}

/// What the sync loop should do next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// Send the entry with this key now.
    Send(String),
    /// Nothing is due before this time.
    WaitUntil(u64),
    /// Nothing to send (everything is delivered or parked).
    Idle,
}

impl<T> Outbox<T> {
    pub fn new() -> Self {
        Outbox {
            entries: VecDeque::new(),
        }
    }

    /// The outbox as it was stored, in the order the entries were made.
    /// Whatever was being sent when the app stopped is sent again (same
    /// key) at once; a key stored twice is kept once.
    pub fn restore(entries: impl IntoIterator<Item = Entry<T>>, now_ms: u64) -> Self {
        let mut outbox = Outbox::new();
        for entry in entries {
            if !outbox.entries.iter().any(|e| e.key == entry.key) {
                outbox.entries.push_back(entry);
            }
        }
        outbox.restart(now_ms);
        outbox
    }

    pub fn entry(&self, key: &str) -> Option<&Entry<T>> {
        self.entries.iter().find(|e| e.key == key)
    }

    /// Removes waiting entries that a newer write makes pointless (an
    /// earlier state of the same survey response, which the newer one
    /// repeats whole) and returns their keys. Entries being sent and parked
    /// entries are never removed.
    pub fn drop_superseded(&mut self, superseded: impl Fn(&T) -> bool) -> Vec<String> {
        let mut dropped = Vec::new();
        self.entries.retain(|e| {
            let drop = matches!(e.state, EntryState::Pending { .. }) && superseded(&e.payload);
            if drop {
                dropped.push(e.key.clone());
            }
            !drop
        });
        dropped
    }

    /// Adds a write. A second add with the same key (a double tap) changes
    /// nothing and returns `false`.
    pub fn add(&mut self, key: String, payload: T, now_ms: u64) -> bool {
        if self.entries.iter().any(|e| e.key == key) {
            return false;
        }
        self.entries.push_back(Entry {
            key,
            created_ms: now_ms,
            state: EntryState::Pending {
                attempts: 0,
                next_at_ms: now_ms,
            },
            payload,
        });
        true
    }

    /// The oldest undelivered entry goes first: entries are delivered in
    /// order, so a later one never overtakes an earlier one.
    pub fn next(&mut self, now_ms: u64) -> Next {
        let Some(head) = self
            .entries
            .iter_mut()
            .find(|e| !matches!(e.state, EntryState::Parked { .. }))
        else {
            return Next::Idle;
        };
        match head.state {
            EntryState::Pending {
                attempts,
                next_at_ms,
            } if next_at_ms <= now_ms => {
                head.state = EntryState::Sending { attempts };
                Next::Send(head.key.clone())
            }
            EntryState::Pending { next_at_ms, .. } => Next::WaitUntil(next_at_ms),
            // Only one delivery at a time; the caller is still sending.
            EntryState::Sending { .. } | EntryState::Parked { .. } => Next::Idle,
        }
    }

    /// Records the outcome of sending `key`.
    pub fn settle(
        &mut self,
        key: &str,
        outcome: Outcome,
        now_ms: u64,
        policy: &RetryPolicy,
        jitter: f64,
    ) {
        let Some(index) = self.entries.iter().position(|e| e.key == key) else {
            return;
        };
        let attempts = match self.entries[index].state {
            EntryState::Sending { attempts } | EntryState::Pending { attempts, .. } => attempts + 1,
            EntryState::Parked { .. } => return,
        };
        let retry = |retry_after: Option<u64>| EntryState::Pending {
            attempts,
            next_at_ms: now_ms.saturating_add(policy.delay_ms(attempts, retry_after, jitter)),
        };
        match outcome {
            Outcome::Accepted => {
                self.entries.remove(index);
            }
            Outcome::Retry {
                retry_after_seconds,
            } => self.entries[index].state = retry(retry_after_seconds),
            Outcome::Refused { status, code } => {
                self.entries[index].state = EntryState::Parked { status, code }
            }
        }
    }

    /// After a crash or reload: whatever was being sent may or may not have
    /// arrived; it is sent again (same key), at once.
    pub fn restart(&mut self, now_ms: u64) {
        for entry in &mut self.entries {
            if let EntryState::Sending { attempts } = entry.state {
                entry.state = EntryState::Pending {
                    attempts,
                    next_at_ms: now_ms,
                };
            }
        }
    }

    /// The network came back: retry now rather than at the backed-off time.
    pub fn online(&mut self, now_ms: u64) {
        for entry in &mut self.entries {
            if let EntryState::Pending { next_at_ms, .. } = &mut entry.state {
                *next_at_ms = (*next_at_ms).min(now_ms);
            }
        }
    }

    /// Staff released a parked entry after fixing the cause: send it again.
    /// Returns whether `key` was parked.
    pub fn retry_parked(&mut self, key: &str, now_ms: u64) -> bool {
        match self.entries.iter_mut().find(|e| e.key == key) {
            Some(entry) if matches!(entry.state, EntryState::Parked { .. }) => {
                entry.state = EntryState::Pending {
                    attempts: 0,
                    next_at_ms: now_ms,
                };
                true
            }
            _ => false,
        }
    }

    /// Staff dealt with a parked entry another way: it is removed, with its
    /// personal data. Only a parked entry can be removed like this; returns
    /// whether `key` was one.
    pub fn resolve_parked(&mut self, key: &str) -> bool {
        let before = self.entries.len();
        self.entries
            .retain(|e| !(e.key == key && matches!(e.state, EntryState::Parked { .. })));
        self.entries.len() != before
    }

    pub fn entries(&self) -> impl Iterator<Item = &Entry<T>> {
        self.entries.iter()
    }

    /// Entries still to be delivered (pending or sending).
    pub fn backlog(&self) -> usize {
        self.entries
            .iter()
            .filter(|e| !matches!(e.state, EntryState::Parked { .. }))
            .count()
    }

    /// Entries parked for staff.
    pub fn parked(&self) -> usize {
        self.entries.len() - self.backlog()
    }
}

impl Outbox<Write> {
    /// The parked entries as a heartbeat reports them (what and why, never
    /// who), oldest first and at most `limit`. `time` writes a Unix time in
    /// milliseconds as RFC 3339.
    pub fn parked_report(&self, limit: usize, time: impl Fn(u64) -> String) -> Vec<ParkedWrite> {
        self.entries
            .iter()
            .filter_map(|e| match &e.state {
                EntryState::Parked { status, code } => Some(ParkedWrite {
                    key: e.key.clone(),
                    kind: e.payload.kind(),
                    created_at: time(e.created_ms),
                    status: *status,
                    code: code.clone(),
                }),
                _ => None,
            })
            .take(limit)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::{HashMap, HashSet};

    const P: RetryPolicy = RetryPolicy {
        base_ms: 1_000,
        max_ms: 60_000,
    };

    fn refused_422() -> Outcome {
        Outcome::Refused {
            status: 422,
            code: "invalid_body".into(),
        }
    }

    #[test]
    fn backoff_doubles_is_capped_and_honours_retry_after() {
        assert_eq!(P.delay_ms(1, None, 0.0), 500);
        assert_eq!(P.delay_ms(1, None, 0.999_999), 999);
        assert_eq!(P.delay_ms(2, None, 0.0), 1_000);
        assert_eq!(P.delay_ms(3, None, 1.0), 4_000);
        assert_eq!(P.delay_ms(30, None, 1.0), 60_000);
        assert_eq!(P.delay_ms(u32::MAX, None, 0.0), 30_000);
        assert_eq!(P.delay_ms(1, Some(120), 0.0), 120_000);
        assert_eq!(P.delay_ms(1, None, f64::NAN), 750);
    }

    #[test]
    fn answers_are_retried_or_parked() {
        let retried = |status: u16, body: &str| {
            let e = ClientError::from_response(status, body, Some("7"));
            matches!(Outcome::from_error(&e), Outcome::Retry { .. })
        };
        for s in [408, 429, 500, 502, 503, 504] {
            assert!(retried(s, ""), "{s}");
        }
        assert!(retried(
            409,
            r#"{"code":"idempotency_key_in_flight","message":"m"}"#
        ));
        // A device reception revoked keeps what it holds until it is
        // enrolled again; only that refusal, not another 401.
        let not_enrolled = r#"{"code":"device_not_enrolled","message":"m"}"#;
        assert_eq!(
            Outcome::from_error(&ClientError::from_response(401, not_enrolled, None)),
            Outcome::Retry {
                retry_after_seconds: Some(NOT_ENROLLED_RETRY_SECONDS)
            }
        );
        assert!(!retried(401, r#"{"code":"unauthorized","message":"m"}"#));
        assert!(!retried(
            403,
            r#"{"code":"wrong_device_role","message":"m"}"#
        ));
        for s in [400, 401, 403, 404, 409, 413, 415, 422] {
            assert!(
                !retried(s, r#"{"code":"invalid_body","message":"m"}"#),
                "{s}"
            );
        }
        assert_eq!(
            Outcome::from_error(&ClientError::from_response(503, "", Some("7"))),
            Outcome::Retry {
                retry_after_seconds: Some(7)
            }
        );
        assert_eq!(
            Outcome::from_error(&ClientError::Network),
            Outcome::Retry {
                retry_after_seconds: None
            }
        );
        assert_eq!(
            Outcome::from_error(&ClientError::Decode),
            Outcome::Refused {
                status: 0,
                code: String::new()
            }
        );
    }

    #[test]
    fn a_double_tap_adds_one_entry() {
        let mut o = Outbox::new();
        assert!(o.add("k".into(), 1, 0));
        assert!(!o.add("k".into(), 1, 5));
        assert_eq!(o.backlog(), 1);
    }

    #[test]
    fn delivery_is_in_order_and_waits_for_the_head() {
        let mut o = Outbox::new();
        o.add("a".into(), (), 0);
        o.add("b".into(), (), 0);
        assert_eq!(o.next(0), Next::Send("a".into()));
        assert_eq!(o.next(0), Next::Idle, "one at a time");
        o.settle(
            "a",
            Outcome::Retry {
                retry_after_seconds: None,
            },
            0,
            &P,
            0.0,
        );
        assert_eq!(o.next(100), Next::WaitUntil(500), "b does not overtake a");
        assert_eq!(o.next(500), Next::Send("a".into()));
        o.settle("a", Outcome::Accepted, 500, &P, 0.0);
        assert_eq!(o.next(500), Next::Send("b".into()));
    }

    #[test]
    fn a_parked_entry_is_kept_and_skipped() {
        let mut o = Outbox::new();
        o.add("bad".into(), (), 0);
        o.add("good".into(), (), 0);
        assert_eq!(o.next(0), Next::Send("bad".into()));
        o.settle("bad", refused_422(), 0, &P, 0.0);
        assert_eq!(o.parked(), 1);
        assert_eq!(o.next(0), Next::Send("good".into()));
        o.settle("good", Outcome::Accepted, 0, &P, 0.0);
        assert_eq!(o.next(0), Next::Idle);
        assert_eq!(o.entries().count(), 1, "never dropped");
        assert!(
            !o.retry_parked("good", 10),
            "only a parked entry is released"
        );
        assert!(o.retry_parked("bad", 10));
        assert_eq!(o.next(10), Next::Send("bad".into()));
    }

    #[test]
    fn staff_can_remove_a_parked_entry_and_nothing_else() {
        let mut o = Outbox::new();
        o.add("bad".into(), (), 0);
        o.add("waiting".into(), (), 0);
        assert_eq!(o.next(0), Next::Send("bad".into()));
        assert!(!o.resolve_parked("bad"), "not while it is being sent");
        o.settle("bad", refused_422(), 0, &P, 0.0);
        assert!(!o.resolve_parked("waiting"), "an undelivered entry stays");
        assert!(o.resolve_parked("bad"));
        assert!(!o.resolve_parked("bad"), "once");
        assert_eq!(
            o.entries().map(|e| e.key.as_str()).collect::<Vec<_>>(),
            ["waiting"]
        );
    }

    #[test]
    fn the_parked_report_says_what_and_why_never_who() {
        use crate::contract::{CheckInRequest, ParkedWrite, WriteKind};
        let mut o = Outbox::new();
        let walk_in = Write::CheckIn {
            request: CheckInRequest::WalkIn {
                first_name: "Marisol".into(),
                last_initial: "Q".into(),
                reason: "Fever".into(),
                needs: Default::default(),
                leased: None,
            },
        };
        o.add("w".into(), walk_in, 1_700_000_000_000);
        assert_eq!(o.next(1_700_000_000_000), Next::Send("w".into()));
        o.settle("w", refused_422(), 1_700_000_000_000, &P, 0.0);
        let report = o.parked_report(10, |ms| format!("t{ms}"));
        assert_eq!(
            report,
            [ParkedWrite {
                key: "w".into(),
                kind: WriteKind::CheckIn,
                created_at: "t1700000000000".into(),
                status: 422,
                code: "invalid_body".into(),
            }]
        );
        let json = serde_json::to_string(&report).unwrap();
        assert!(
            !json.contains("Marisol") && !json.contains("Fever"),
            "{json}"
        );
        assert!(o.parked_report(0, |_| String::new()).is_empty());
    }

    #[test]
    fn a_restored_outbox_resends_what_was_in_flight_in_order() {
        let mut o = Outbox::new();
        o.add("a".into(), 1, 0);
        o.add("b".into(), 2, 0);
        assert_eq!(o.next(0), Next::Send("a".into()));
        let stored: Vec<Entry<i32>> = o.entries().cloned().collect();
        let json = serde_json::to_string(&stored).unwrap();
        let back: Vec<Entry<i32>> = serde_json::from_str(&json).unwrap();
        let mut again = Outbox::restore(back.into_iter().chain(stored.clone()), 50);
        assert_eq!(
            again.entries().count(),
            2,
            "a key stored twice is kept once"
        );
        assert_eq!(again.next(50), Next::Send("a".into()));
        assert_eq!(again.entry("b").map(|e| e.payload), Some(2));
    }

    #[test]
    fn only_waiting_entries_are_superseded() {
        let mut o = Outbox::new();
        o.add("s1".into(), "survey", 0);
        o.add("c".into(), "check-in", 0);
        o.add("s2".into(), "survey", 0);
        assert_eq!(o.next(0), Next::Send("s1".into()));
        // s1 is being sent: it stays; s2 is waiting: it goes.
        assert_eq!(o.drop_superseded(|p| *p == "survey"), ["s2"]);
        o.settle("s1", refused_422(), 0, &P, 0.0);
        assert!(
            o.drop_superseded(|p| *p == "survey").is_empty(),
            "parked stays"
        );
        assert_eq!(o.entries().count(), 2);
    }

    #[test]
    fn going_online_retries_at_once() {
        let mut o = Outbox::new();
        o.add("a".into(), (), 0);
        o.next(0);
        o.settle(
            "a",
            Outcome::Retry {
                retry_after_seconds: None,
            },
            0,
            &P,
            0.5,
        );
        assert!(matches!(o.next(1), Next::WaitUntil(_)));
        o.online(1);
        assert_eq!(o.next(1), Next::Send("a".into()));
    }

    // ----- model-based property test -----

    /// One step of the world around the outbox.
    #[derive(Debug, Clone)]
    enum Step {
        /// A patient makes a write (key index), possibly tapping twice.
        Make {
            key: u8,
            double_tap: bool,
        },
        /// The loop runs once; the server answers this way.
        Deliver(Server),
        /// Time passes.
        Wait(u64),
        /// The tablet crashes and restarts (the outbox is durable).
        Restart,
        /// The network drops or returns.
        Offline,
        Online,
        /// Staff decide about the oldest parked entry.
        Staff {
            retry: bool,
        },
    }

    #[derive(Debug, Clone, Copy)]
    enum Server {
        /// Commits and answers.
        Ok,
        /// Commits, then the answer is lost.
        LostResponse,
        /// Fails before committing.
        Error5xx,
        TooMany {
            retry_after: u64,
        },
        Invalid,
    }

    fn step() -> impl Strategy<Value = Step> {
        let server = prop_oneof![
            4 => Just(Server::Ok),
            2 => Just(Server::LostResponse),
            2 => Just(Server::Error5xx),
            1 => (0u64..5).prop_map(|r| Server::TooMany { retry_after: r }),
            1 => Just(Server::Invalid),
        ];
        prop_oneof![
            3 => (0u8..12, any::<bool>()).prop_map(|(key, double_tap)| Step::Make { key, double_tap }),
            6 => server.prop_map(Step::Deliver),
            2 => (0u64..120_000).prop_map(Step::Wait),
            1 => Just(Step::Restart),
            1 => Just(Step::Offline),
            1 => Just(Step::Online),
            1 => any::<bool>().prop_map(|retry| Step::Staff { retry }),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(10_000))]

        /// Against a server that stores the first result of each key: every
        /// entry ends acknowledged or parked (never both), at most one effect
        /// per key, acknowledged entries are gone, nothing is lost.
        #[test]
        fn nothing_lost_nothing_doubled(steps in prop::collection::vec(step(), 0..60), jitter in 0.0f64..1.0) {
            let mut outbox: Outbox<u8> = Outbox::new();
            let mut now = 0u64;
            let mut offline = false;
            let mut made: HashSet<String> = HashSet::new();
            // The server: key -> number of effects it committed.
            let mut effects: HashMap<String, u32> = HashMap::new();
            let mut acknowledged: HashSet<String> = HashSet::new();
            let mut parked_keys: HashSet<String> = HashSet::new();
            let mut resolved: HashSet<String> = HashSet::new();

            let deliver = |outbox: &mut Outbox<u8>, now: u64, offline: bool, server: Server,
                           effects: &mut HashMap<String, u32>, acknowledged: &mut HashSet<String>,
                           parked_keys: &mut HashSet<String>| {
                if let Next::Send(key) = outbox.next(now) {
                    // What the adapter would report, classified as in the app.
                    let answer = if offline {
                        Err(ClientError::Network)
                    } else {
                        match server {
                            Server::Ok | Server::LostResponse => {
                                // Idempotent: the first commit is the only effect.
                                effects.entry(key.clone()).or_insert(1);
                                if matches!(server, Server::Ok) { Ok(()) } else { Err(ClientError::Network) }
                            }
                            Server::Error5xx => Err(ClientError::from_response(503, "", None)),
                            Server::TooMany { retry_after } => Err(ClientError::from_response(429, "", Some(&retry_after.to_string()))),
                            Server::Invalid => Err(ClientError::from_response(422, r#"{"code":"invalid_body","message":"m"}"#, None)),
                        }
                    };
                    let outcome = answer.as_ref().map_or_else(Outcome::from_error, |()| Outcome::Accepted);
                    outbox.settle(&key, outcome.clone(), now, &P, jitter);
                    match outcome {
                        Outcome::Accepted => { acknowledged.insert(key); }
                        Outcome::Refused { .. } => { parked_keys.insert(key); }
                        Outcome::Retry { .. } => {}
                    }
                }
            };

            for s in &steps {
                match s {
                    Step::Make { key, double_tap } => {
                        let key = format!("k{key}");
                        // A key is a patient's one write; a new one each time in
                        // real use, so only add keys not yet made.
                        if made.insert(key.clone()) {
                            prop_assert!(outbox.add(key.clone(), 0, now));
                            if *double_tap {
                                prop_assert!(!outbox.add(key, 0, now));
                            }
                        }
                    }
                    Step::Deliver(server) => deliver(&mut outbox, now, offline, *server, &mut effects, &mut acknowledged, &mut parked_keys),
                    Step::Wait(ms) => now += ms,
                    // What survives a crash is what was stored: every entry,
                    // in order, through its serialised form.
                    Step::Restart => {
                        let stored = serde_json::to_string(&outbox.entries().collect::<Vec<_>>()).unwrap();
                        let back: Vec<Entry<u8>> = serde_json::from_str(&stored).unwrap();
                        outbox = Outbox::restore(back, now);
                    }
                    Step::Offline => offline = true,
                    Step::Online => { offline = false; outbox.online(now); }
                    Step::Staff { retry } => {
                        let oldest = outbox.entries().find(|e| matches!(e.state, EntryState::Parked { .. })).map(|e| e.key.clone());
                        if let Some(key) = oldest {
                            if *retry {
                                prop_assert!(outbox.retry_parked(&key, now));
                                parked_keys.remove(&key);
                            } else {
                                prop_assert!(outbox.resolve_parked(&key));
                                prop_assert!(outbox.entry(&key).is_none());
                                parked_keys.remove(&key);
                                resolved.insert(key);
                            }
                        }
                    }
                }
                // Acknowledged entries are purged; parked ones are kept.
                for e in outbox.entries() {
                    prop_assert!(!acknowledged.contains(&e.key));
                }
                prop_assert!(effects.values().all(|n| *n == 1));
            }

            // Then the network comes back and the server behaves: the loop
            // drains everything that is not parked.
            offline = false;
            outbox.online(now);
            for _ in 0..10_000 {
                match outbox.next(now) {
                    Next::Idle => break,
                    Next::WaitUntil(t) => now = t,
                    Next::Send(_) => {}
                }
                if outbox.entries().any(|e| matches!(e.state, EntryState::Sending { .. })) {
                    // Find the one being sent and let the server accept it.
                    let key = outbox.entries().find(|e| matches!(e.state, EntryState::Sending { .. })).map(|e| e.key.clone());
                    if let Some(key) = key {
                        effects.entry(key.clone()).or_insert(1);
                        outbox.settle(&key, Outcome::Accepted, now, &P, jitter);
                        acknowledged.insert(key);
                    }
                }
            }
            prop_assert_eq!(outbox.backlog(), 0, "everything delivered or parked");
            for key in &made {
                let acked = acknowledged.contains(key);
                let parked = parked_keys.contains(key) && outbox.entries().any(|e| &e.key == key);
                let settled_by_staff = resolved.contains(key) && outbox.entry(key).is_none();
                prop_assert_eq!(u8::from(acked) + u8::from(parked) + u8::from(settled_by_staff), 1,
                    "{} acked={} parked={} resolved={}", key, acked, parked, settled_by_staff);
                prop_assert!(effects.get(key).copied().unwrap_or(0) <= 1);
            }
            prop_assert!(!offline);
        }
    }
}
