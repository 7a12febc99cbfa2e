//! The queue service: today's queue in memory, its write lock, the one way
//! it changes, and the stream of changes.
//!
//! Every change goes through [`QueueHub::begin`]: it takes the lock and
//! opens a savepoint; [`Change::apply`] applies an action to a copy of the
//! day's `waitwell_core::queue::Queue` and stores the difference there;
//! whatever else belongs to the change (a check-in's stored answer) is
//! written there too; [`Change::commit`] keeps it, and returns once it is
//! on disk, with its queue swapped in and its version announced. Changes
//! that queue up together share one commit ([`writer`]: group commit). A
//! change that fails or is dropped on the way changes neither memory nor
//! database. Reads made while deciding (the wait estimate) use the same
//! connection, so no second one is taken while the lock is held.

mod writer;

use crate::error::AppError;
use crate::schedule::{Imported, QueueEvent, Schedule};
use crate::settings::Settings;
use crate::store::tickets::{self, NewTicket};
use sqlx::{SqliteConnection, SqlitePool};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::sync::{broadcast, MappedMutexGuard};
use waitwell_core::contract::ErrorCode;
use waitwell_core::contract::QueueChanged;
use waitwell_core::queue::{Action, LineId, Outcome, Queue, QueueError, TicketStatus};
use waitwell_core::wait::{self, Corrections, Drawn, Estimate, WaitDefaults};
use writer::{Open, Shared};

/// One day's queue.
#[derive(Debug, Clone)]
pub struct DayQueue {
    /// Clinic-local `YYYY-MM-DD`.
    pub day: String,
    pub queue: Queue,
}

/// Owner of the queue lock and the change stream.
pub struct QueueHub {
    /// Hears of every change, inside its transaction.
    schedule: Arc<dyn Schedule>,
    /// The queue lock, the day's queue, its writer and the change stream.
    shared: Arc<Shared>,
    /// Pings reception when alerts change (a count, carrying no data).
    alerts: broadcast::Sender<u64>,
    alert_count: AtomicU64,
    /// Pings every queue listener when delay notices change.
    notices: broadcast::Sender<()>,
    /// Pings phones following a ticket when reception ends a link.
    links: broadcast::Sender<()>,
    /// Counts changes to the delay notices (part of the public queue).
    notices_changed: AtomicU64,
    /// The public queue as last served, and what it was made from: every
    /// screen asks for the same one, and it changes a few times a minute.
    served: std::sync::Mutex<Option<(ServedKey, Arc<ServedQueue>)>>,
    /// What earlier days taught each line's wait ranges, and the day it
    /// was learned for (it changes once a day).
    learned: std::sync::Mutex<Option<(String, Arc<Learned>)>>,
    /// Each line's futures as last drawn: every screen and every check-in
    /// reads its places from the same drawing.
    drawings: std::sync::Mutex<std::collections::HashMap<LineId, KeptDrawing>>,
}

/// What a served public queue was made from (see [`QueueHub::served_key`]).
/// A change is published after its commit, so a queue read for a key is
/// never older than the key says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServedKey {
    day: String,
    version: u64,
    notices: u64,
    minute: i64,
}

/// The public queue, and its JSON as sent.
#[derive(Debug)]
pub struct ServedQueue {
    pub queue: waitwell_core::contract::PublicQueue,
    pub json: axum::body::Bytes,
}

/// A line's drawn places, and the digest of what they were drawn from.
type KeptDrawing = (u64, Arc<Vec<Drawn>>);

/// Places of a line drawn at the least: it grows one check-in at a time.
const PLACES_DRAWN: usize = 32;

/// Each line's corrections, by line id.
pub type Learned = std::collections::BTreeMap<String, Corrections>;

impl Default for QueueHub {
    fn default() -> Self {
        QueueHub::new(Arc::new(Imported))
    }
}

impl QueueHub {
    /// A hub whose changes `schedule` hears of.
    pub fn new(schedule: Arc<dyn Schedule>) -> Self {
        QueueHub {
            schedule,
            shared: Arc::new(Shared::new()),
            alerts: broadcast::channel(16).0,
            alert_count: AtomicU64::new(0),
            notices: broadcast::channel(16).0,
            links: broadcast::channel(16).0,
            notices_changed: AtomicU64::new(0),
            served: std::sync::Mutex::new(None),
            learned: std::sync::Mutex::new(None),
            drawings: std::sync::Mutex::new(std::collections::HashMap::new()),
        }
    }

    /// The schedule this hub's changes are reported to.
    pub fn schedule(&self) -> &dyn Schedule {
        self.schedule.as_ref()
    }
}

impl QueueHub {
    /// Locks the queue of `day` (as committed), loading it from the
    /// database when the day changed (or at first use).
    pub async fn lock(
        &self,
        db: &SqlitePool,
        settings: &Settings,
        day: &str,
    ) -> Result<MappedMutexGuard<'_, DayQueue>, AppError> {
        let open = self.shared.lock(db, settings, day).await?;
        Ok(MappedMutexGuard::map(open, |open| &mut open.today))
    }

    /// Starts a change of `day`'s queue: the lock, and the savepoint the
    /// change will be stored in.
    pub async fn begin(
        &self,
        db: &SqlitePool,
        settings: &Settings,
        day: &str,
    ) -> Result<Change<'_>, AppError> {
        let open = self.shared.lock(db, settings, day).await?;
        // The change exists before its savepoint does: dropped while its
        // batch begins (the write lock can take seconds), it still has what
        // it started undone (its Drop).
        let mut change = Change {
            hub: self,
            open,
            next: None,
            changed_at: None,
            kept: false,
        };
        change.open.start().await?;
        Ok(change)
    }

    /// Batches of changes committed since start-up.
    pub fn commits(&self) -> u64 {
        self.shared.commits.load(Ordering::SeqCst)
    }

    pub fn subscribe(&self) -> broadcast::Receiver<QueueChanged> {
        self.shared.changes.subscribe()
    }

    /// Tells staff listeners that alerts changed.
    pub fn alert(&self) {
        let n = self.alert_count.fetch_add(1, Ordering::SeqCst) + 1;
        let _ = self.alerts.send(n);
    }

    pub fn subscribe_alerts(&self) -> broadcast::Receiver<u64> {
        self.alerts.subscribe()
    }

    /// Tells queue listeners (board, reception) that delay notices changed.
    pub fn notices_changed(&self) {
        self.notices_changed.fetch_add(1, Ordering::SeqCst);
        let _ = self.notices.send(());
    }

    /// What a public queue served now would be made from: the day, the
    /// queue's version, the notices, and the minute (the wait ranges follow
    /// the visits in progress minute by minute).
    pub fn served_key(&self, day: &str, now: i64) -> ServedKey {
        ServedKey {
            day: day.to_owned(),
            version: self.latest(),
            notices: self.notices_changed.load(Ordering::SeqCst),
            minute: now.div_euclid(60),
        }
    }

    /// The public queue served for `key`, if it is the one kept.
    pub fn served(&self, key: &ServedKey) -> Option<Arc<ServedQueue>> {
        let kept = self.served.lock().unwrap_or_else(|e| e.into_inner());
        kept.as_ref()
            .filter(|(made_for, _)| made_for == key)
            .map(|(_, served)| served.clone())
    }

    /// Keeps `served`, made for `key`, for the requests that follow.
    pub fn keep_served(&self, key: ServedKey, served: Arc<ServedQueue>) {
        *self.served.lock().unwrap_or_else(|e| e.into_inner()) = Some((key, served));
    }

    pub fn subscribe_notices(&self) -> broadcast::Receiver<()> {
        self.notices.subscribe()
    }

    /// Tells phones following tickets that a link was ended (each phone
    /// refetches and learns whether it was its own).
    pub fn links_changed(&self) {
        let _ = self.links.send(());
    }

    pub fn subscribe_links(&self) -> broadcast::Receiver<()> {
        self.links.subscribe()
    }

    /// What the days before `day` taught each line's wait ranges: learned
    /// on `conn` at the first ask of a day, then kept.
    pub async fn learned(
        &self,
        conn: &mut sqlx::SqliteConnection,
        settings: &Settings,
        day: &str,
    ) -> Result<Arc<Learned>, AppError> {
        let kept = |cell: &std::sync::Mutex<Option<(String, Arc<Learned>)>>| {
            let guard = cell
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            guard
                .as_ref()
                .filter(|(d, _)| d == day)
                .map(|(_, l)| Arc::clone(l))
        };
        if let Some(learned) = kept(&self.learned) {
            return Ok(learned);
        }
        let earlier = tickets::earlier_outcomes(conn, day, &settings.time_zone).await?;
        let learned: Arc<Learned> = Arc::new(
            earlier
                .into_iter()
                .map(|(line, outcomes)| (line, Corrections::learn(outcomes)))
                .collect(),
        );
        *self
            .learned
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) =
            Some((day.to_owned(), Arc::clone(&learned)));
        Ok(learned)
    }

    /// The estimates of the `waiting` tickets of `line`, in order, from
    /// `visits`.
    pub fn estimates(
        &self,
        settings: &Settings,
        visits: &Visits,
        line: LineId,
        waiting: usize,
    ) -> Vec<Estimate> {
        // Those waiting before the first place: none; a room idle while
        // two or more wait is taken to be paused.
        let of = visits.line(settings, line, waiting.saturating_sub(1));
        let corrections = visits.corrections(line);
        self.drawing(line, &of, waiting)
            .iter()
            .take(waiting)
            .enumerate()
            .map(|(ahead, drawn)| wait::told(*drawn, ahead, corrections, visits.hour))
            .collect()
    }

    /// The estimate for someone checking in on `line` with `ahead` people
    /// waiting before them: the place the board will show them at.
    pub fn estimate(
        &self,
        settings: &Settings,
        visits: &Visits,
        line: LineId,
        ahead: usize,
    ) -> Estimate {
        let of = visits.line(settings, line, ahead);
        let places = wait::places_for(ahead);
        let drawn = self.drawing(line, &of, places);
        let place = drawn.get(places - 1).copied().unwrap_or(Drawn {
            low: 0.0,
            high: 0.0,
        });
        wait::told(place, ahead, visits.corrections(line), visits.hour)
    }

    /// At least the first `places` drawn places of `line` (as `of` is
    /// now): drawn again only when something the drawing reads changed (a
    /// visit begun or ended, another minute of one in progress) or the
    /// line grew past what was drawn. Drawing a long line takes
    /// milliseconds; a check-in or a board reads its places from the one
    /// drawing.
    fn drawing(&self, line: LineId, of: &wait::Line<'_>, places: usize) -> Arc<Vec<Drawn>> {
        if places == 0 {
            return Arc::default();
        }
        let key = of.digest();
        let cache = || {
            self.drawings
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        };
        let drawn_before = match cache().get(&line) {
            Some((k, kept)) if *k == key && kept.len() >= places => return Arc::clone(kept),
            Some((k, kept)) if *k == key => kept.len(),
            _ => 0,
        };
        let ahead_of_it = drawn_before
            .saturating_mul(2)
            .clamp(PLACES_DRAWN, wait::MAX_PLACES);
        let count = places.max(ahead_of_it);
        let fresh = Arc::new(wait::draws::drawn(of, count));
        cache().insert(line, (key, Arc::clone(&fresh)));
        fresh
    }

    /// The last version announced (0 before any change since start-up).
    pub fn latest(&self) -> u64 {
        self.shared.latest.load(Ordering::SeqCst)
    }
}

/// Announces `version` of the queue (committed).
fn publish(shared: &Shared, version: u64) {
    shared.latest.store(version, Ordering::SeqCst);
    // No listeners is fine.
    let _ = shared.changes.send(QueueChanged { version });
}

async fn load_day(db: &SqlitePool, settings: &Settings, day: &str) -> Result<DayQueue, AppError> {
    let mut conn = db.acquire().await?;
    let tickets = tickets::load_day(&mut conn, day).await?;
    let (version, _) = tickets::stored_version(&mut conn, day).await?;
    let mut queue = Queue::restore(settings.site.lines.iter().map(|l| l.id), tickets, version)
        .map_err(|e| AppError::Corrupt(e.to_string()))?;
    // Numbers leased to kiosks stay set aside; a line the site no longer
    // has issues nothing, so its leases do not matter.
    for (line, number) in crate::store::leases::highest(&mut conn, day).await? {
        let Some(line) = tickets::parse_line(&line).filter(|l| settings.line(*l).is_some()) else {
            continue;
        };
        let number =
            u16::try_from(number).map_err(|_| AppError::Corrupt("leased number".into()))?;
        queue
            .reserved_through(line, number)
            .map_err(|e| AppError::Corrupt(e.to_string()))?;
    }
    Ok(DayQueue {
        day: day.to_owned(),
        queue,
    })
}

/// A change of the queue under way: holds the lock and its savepoint.
pub struct Change<'a> {
    hub: &'a QueueHub,
    open: MappedMutexGuard<'a, Open>,
    /// The queue after the actions applied so far, until commit.
    next: Option<Queue>,
    /// When the last of them was applied (unix seconds).
    changed_at: Option<i64>,
    /// Kept: released into the batch (else rolled back when dropped).
    kept: bool,
}

impl Change<'_> {
    /// Where everything the change writes goes.
    pub fn tx(&mut self) -> &mut SqliteConnection {
        &mut self.open.conn
    }

    /// The queue as this change sees it (with its own actions applied).
    pub fn queue(&self) -> &Queue {
        self.next.as_ref().unwrap_or_else(|| self.open.latest())
    }

    pub fn day(&self) -> &str {
        &self.open.today.day
    }

    /// Applies `action` and stores the difference; `new_ticket` carries who
    /// a new ticket is for.
    pub async fn apply(
        &mut self,
        action: &Action,
        new_ticket: Option<&NewTicket>,
        now_unix: i64,
    ) -> Result<Outcome, AppError> {
        let Open {
            conn,
            today,
            batch,
            visits,
            ..
        } = &mut *self.open;
        let before = match &self.next {
            Some(next) => next,
            None => writer::latest(batch, today),
        };
        let mut next = before.clone();
        let outcome = next.apply(action).map_err(refusal)?;
        if !matches!(action, Action::Enqueue { .. } | Action::Claim { .. }) {
            // A call, a visit's end or a move: the visits read so far no
            // longer hold.
            *visits = None;
        }
        tickets::persist(
            conn,
            &today.day,
            before,
            &next,
            outcome.ticket,
            new_ticket,
            now_unix,
        )
        .await?;
        if let Some(t) = next.ticket(outcome.ticket) {
            let event = QueueEvent {
                day: today.day.clone(),
                ticket: t.id,
                before: before.ticket(outcome.ticket).map(|b| b.status.state()),
                after: t.status.state(),
                room: match &t.status {
                    TicketStatus::Called { room } => Some(room.clone()),
                    _ => None,
                },
            };
            self.hub.schedule.record(conn, &event).await?;
        }
        self.next = Some(next);
        self.changed_at = Some(now_unix);
        Ok(outcome)
    }

    /// Sets the next `count` numbers of `line` aside (a kiosk's lease; the
    /// caller stores who holds them in the same change).
    pub fn reserve(
        &mut self,
        line: LineId,
        count: u16,
    ) -> Result<std::ops::RangeInclusive<u16>, QueueError> {
        let mut next = self.queue().clone();
        let range = next.reserve(line, count)?;
        self.next = Some(next);
        Ok(range)
    }

    /// The wait estimate of a ticket with `ahead` others before it on
    /// `line`, read on this change's connection.
    pub async fn wait_for(
        &mut self,
        settings: &Settings,
        line: LineId,
        ahead: usize,
        now_unix: i64,
    ) -> Result<Estimate, AppError> {
        let open = &mut *self.open;
        let record = match &open.visits {
            Some(kept) => Arc::clone(kept),
            None => {
                let read =
                    Arc::new(VisitRecord::read(&mut open.conn, settings, &open.today.day).await?);
                open.visits = Some(Arc::clone(&read));
                read
            }
        };
        let visits = Visits::of(
            &record,
            &mut open.conn,
            self.hub,
            settings,
            &open.today.day,
            now_unix,
        )
        .await?;
        Ok(self.hub.estimate(settings, &visits, line, ahead))
    }

    /// Keeps the change, lets go of the lock, and returns once the batch it
    /// joined is committed (its queue swapped in and its version announced).
    /// A change that only read (a replayed answer) commits too: what it
    /// read may be another change's, not yet on disk.
    pub async fn commit(mut self) -> Result<(), AppError> {
        let next = self.next.take();
        let done = self.open.keep(next, self.changed_at).await?;
        self.kept = true;
        self.hub.shared.after_change();
        drop(self);
        writer::committed(done).await
    }
}

impl Drop for Change<'_> {
    fn drop(&mut self) {
        // A change given up inside its savepoint: the next to hold the lock
        // rolls it back, and the batch still commits.
        if !self.kept {
            self.hub.shared.after_change();
        }
    }
}

/// What the wait estimates read of the day, per line: the latest visits'
/// lengths, the minutes each visit in progress has been going, what
/// earlier days taught, and the hour it is.
#[derive(Debug, Clone, Default)]
pub struct Visits {
    pub recent: std::collections::BTreeMap<String, Vec<f64>>,
    pub in_progress: std::collections::BTreeMap<String, Vec<f64>>,
    pub learned: Arc<Learned>,
    /// The clinic's hour of the day, 0–23, and its day.
    pub hour: usize,
    pub day: String,
}

/// What [`Visits`] reads of the day's tickets: each line's latest visit
/// lengths and when each visit in progress began. Only a queue change that
/// calls, serves or moves a ticket alters it (a new ticket does not), so a
/// change keeps it for the changes after it ([`Change::wait_for`]).
#[derive(Debug, Clone, Default)]
pub struct VisitRecord {
    recent: std::collections::BTreeMap<String, Vec<f64>>,
    called_at: std::collections::BTreeMap<String, Vec<i64>>,
}

impl VisitRecord {
    /// Reads it for `day` on `conn`.
    pub async fn read(
        conn: &mut sqlx::SqliteConnection,
        settings: &Settings,
        day: &str,
    ) -> Result<VisitRecord, AppError> {
        let lines: Vec<LineId> = settings.site.lines.iter().map(|l| l.id).collect();
        Ok(VisitRecord {
            recent: tickets::recent_service_minutes(conn, day, &lines).await?,
            called_at: tickets::visits_in_progress(conn, day).await?,
        })
    }
}

impl Visits {
    /// Reads them for `day` at `now_unix` on `conn`.
    pub async fn read(
        conn: &mut sqlx::SqliteConnection,
        hub: &QueueHub,
        settings: &Settings,
        day: &str,
        now_unix: i64,
    ) -> Result<Visits, AppError> {
        let record = VisitRecord::read(conn, settings, day).await?;
        Visits::of(&record, conn, hub, settings, day, now_unix).await
    }

    /// Them at `now_unix`, from `record` (of `day`).
    async fn of(
        record: &VisitRecord,
        conn: &mut sqlx::SqliteConnection,
        hub: &QueueHub,
        settings: &Settings,
        day: &str,
        now_unix: i64,
    ) -> Result<Visits, AppError> {
        let hour = jiff::Timestamp::from_second(now_unix)
            .map_or(0, |t| t.to_zoned(settings.time_zone.clone()).hour());
        Ok(Visits {
            recent: record.recent.clone(),
            in_progress: tickets::minutes_going(&record.called_at, now_unix),
            learned: hub.learned(conn, settings, day).await?,
            hour: usize::try_from(hour).unwrap_or(0),
            day: day.to_owned(),
        })
    }

    fn line(&self, settings: &Settings, line: LineId, waiting: usize) -> wait::Line<'_> {
        let rooms = settings
            .line(line)
            .map_or(1, |l| usize::try_from(l.servers).unwrap_or(1));
        let key = line.to_string();
        wait::Line {
            rooms,
            recent: self.recent.get(&key).map_or(&[], Vec::as_slice),
            in_progress: self.in_progress.get(&key).map_or(&[], Vec::as_slice),
            waiting,
            typical: WaitDefaults::default().service_minutes,
        }
    }

    fn corrections(&self, line: LineId) -> &Corrections {
        static NONE: std::sync::OnceLock<Corrections> = std::sync::OnceLock::new();
        self.learned
            .get(&line.to_string())
            .unwrap_or_else(|| NONE.get_or_init(Corrections::default))
    }
}

/// A refusal of the queue state machine, in the contract's terms.
pub fn refusal(error: QueueError) -> AppError {
    let code = match &error {
        QueueError::UnknownLine { .. } => ErrorCode::UnknownLine,
        QueueError::UnknownTicket { .. } => ErrorCode::UnknownTicket,
        QueueError::LineEmpty { .. } => ErrorCode::LineEmpty,
        QueueError::InvalidTransition { .. } => ErrorCode::InvalidTransition,
        QueueError::InvalidRoom => ErrorCode::InvalidRoom,
        QueueError::LineFull { .. } => ErrorCode::LineFull,
        QueueError::NumberUnavailable { .. } => ErrorCode::NumberUnavailable,
    };
    AppError::conflict(code, error.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_drawing_serves_the_board_and_every_check_in_until_a_visit_moves() {
        let settings = Settings::demo(jiff::tz::TimeZone::UTC);
        let line = settings.site.lines[0].id;
        let key = line.to_string();
        let hub = QueueHub::default();
        let mut visits = Visits {
            recent: [(key.clone(), vec![9.0, 10.0, 11.0, 12.0])].into(),
            in_progress: [(key.clone(), vec![3.0])].into(),
            learned: Arc::default(),
            hour: 10,
            day: "2026-03-10".into(),
        };
        let drawn = |visits: &Visits, ahead: usize| {
            let of = visits.line(&settings, line, ahead);
            hub.drawing(line, &of, wait::places_for(ahead))
        };
        // What the hub tells is what the estimator says, drawn afresh.
        let fresh = |visits: &Visits, ahead: usize| {
            let of = visits.line(&settings, line, ahead);
            wait::estimate_place(&of, ahead, visits.corrections(line), visits.hour)
        };
        let board = hub.estimates(&settings, &visits, line, 5);
        assert_eq!(board.len(), 5);
        let first = drawn(&visits, 4);
        for ahead in [1, 4, 7, 31] {
            assert_eq!(
                hub.estimate(&settings, &visits, line, ahead),
                fresh(&visits, ahead)
            );
            assert!(Arc::ptr_eq(&first, &drawn(&visits, ahead)), "{ahead}");
        }
        let of = visits.line(&settings, line, 4);
        let whole = wait::estimate_line(&of, 5, visits.corrections(line), visits.hour);
        assert_eq!(board, whole);
        assert_eq!(board[1..], [1, 2, 3, 4].map(|ahead| fresh(&visits, ahead)));
        // A longer line than was drawn: drawn again, further.
        assert_eq!(
            hub.estimate(&settings, &visits, line, 300),
            fresh(&visits, 300)
        );
        let longer = drawn(&visits, 300);
        assert!(!Arc::ptr_eq(&first, &longer) && longer.len() >= 301);
        // Nobody waiting: an idle room is free now, not paused.
        assert_eq!(hub.estimate(&settings, &visits, line, 0), fresh(&visits, 0));
        // The visit in progress ten minutes further on ends sooner.
        visits.in_progress.insert(key, vec![13.0]);
        let later = hub.estimates(&settings, &visits, line, 5);
        assert_ne!(board[0], later[0]);
        assert_eq!(later[4], fresh(&visits, 4));
        // Another hour: the same drawing, corrected for that hour.
        let before = drawn(&visits, 4);
        visits.hour = 11;
        assert!(Arc::ptr_eq(&before, &drawn(&visits, 4)));
        assert_eq!(hub.estimate(&settings, &visits, line, 4), fresh(&visits, 4));
    }
}
