//! Group commit: the queue's changes share one fsync.
//!
//! The database is synchronous=FULL, so every commit waits for the disk,
//! and one commit per change caps check-ins at what the disk can flush.
//! Here every change is a savepoint inside a transaction left open on the
//! hub's own connection (the batch); the batch commits as soon as the
//! changes that queued for the lock behind the first one have had their
//! turn. A change's answer waits for its batch's commit, so nothing is
//! acknowledged that a power cut could take back; a change that fails or is
//! dropped rolls back to its savepoint and takes nothing else with it. A
//! change dropped while its savepoint is released (its client gone at that
//! moment) may find the release done: then it is in the batch, and so is
//! the queue it left, for the disk and the queue must never disagree.
//!
//! Who commits: the first change of a batch starts a flush task (one at a
//! time, [`Shared::pending`]). The lock is fair, so the flush gets it only
//! after every change already waiting, and commits them all. A flush is a
//! task of its own: a request whose client went away mid-way still gets
//! its batch committed, and nobody waits on it.

use super::{load_day, publish, DayQueue};
use crate::error::AppError;
use crate::settings::Settings;
use crate::store::tickets;
use sqlx::{SqliteConnection, SqlitePool};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use tokio::sync::{broadcast, watch, MappedMutexGuard, Mutex, MutexGuard};
use waitwell_core::contract::QueueChanged;
use waitwell_core::queue::Queue;

/// What the hub and its flush tasks share.
pub(super) struct Shared {
    pub current: Mutex<Option<Open>>,
    pub changes: broadcast::Sender<QueueChanged>,
    /// The last version announced, for listeners that fell behind.
    pub latest: AtomicU64,
    /// A flush task has been started and has not yet taken the lock.
    pending: AtomicBool,
    /// Batches committed (for tests and figures).
    pub commits: AtomicU64,
}

/// Behind the queue lock: the day's queue as committed, and the writer.
pub(super) struct Open {
    pub today: DayQueue,
    /// The connection every change is written on (taken from the pool).
    pub conn: SqliteConnection,
    /// The changes written since the last commit.
    pub batch: Option<Batch>,
    /// A change's savepoint is open: it is under way, or it was dropped
    /// before it finished (then it is rolled back before anything else).
    /// Set before the savepoint is asked for, so it may not exist yet.
    pub in_savepoint: bool,
    /// A batch's `BEGIN IMMEDIATE` was asked for and not seen to finish:
    /// its change was dropped while the statement waited for the write
    /// lock, and the statement may still have run. Nothing is in that
    /// transaction; it is rolled back before anything else, or it would
    /// hold SQLite's write lock against every other writer.
    pub beginning: bool,
    /// A change's savepoint is being released into the batch, and this is
    /// what it leaves the queue at: if it is dropped meanwhile, whether the
    /// `RELEASE` ran decides (in [`Open::settle`]) whether its queue joins
    /// the batch with its rows, or goes with them.
    releasing: Option<Kept>,
    /// The day's visits as read on `conn` since the last change that could
    /// alter them (see [`super::VisitRecord`]); `None`: read them again.
    pub visits: Option<Arc<super::VisitRecord>>,
}

/// What a change leaves: the queue after it (`None`: it changed none) and
/// when it last applied an action.
struct Kept {
    queue: Option<Queue>,
    changed_at: Option<i64>,
}

/// The changes written but not yet committed.
pub(super) struct Batch {
    /// The queue after them (`None`: none changed it).
    pub queue: Option<Queue>,
    /// When the last of them that applied an action did (unix seconds).
    changed_at: Option<i64>,
    /// Told once the batch is committed (or failed to be).
    done: watch::Sender<Option<Result<(), String>>>,
}

/// What a change waits on after its savepoint is released.
pub(super) type Committed = watch::Receiver<Option<Result<(), String>>>;

impl Shared {
    pub fn new() -> Shared {
        Shared {
            current: Mutex::new(None),
            // A slow listener that falls this far behind gets `Lagged` and
            // refetches the snapshot: versions make the gap visible.
            changes: broadcast::channel(64).0,
            latest: AtomicU64::new(0),
            pending: AtomicBool::new(false),
            commits: AtomicU64::new(0),
        }
    }

    /// Locks the queue of `day`: opened at first use, and loaded again
    /// (after the last day's batch is committed) when the day changed.
    pub async fn lock(
        &self,
        db: &SqlitePool,
        settings: &Settings,
        day: &str,
    ) -> Result<MappedMutexGuard<'_, Open>, AppError> {
        let mut guard = self.current.lock().await;
        match guard.as_mut() {
            None => {
                let today = load_day(db, settings, day).await?;
                let conn = db.acquire().await?.detach();
                *guard = Some(Open {
                    today,
                    conn,
                    batch: None,
                    in_savepoint: false,
                    beginning: false,
                    releasing: None,
                    visits: None,
                });
            }
            Some(open) if open.today.day != day => {
                open.flush(self).await?;
                open.today = load_day(db, settings, day).await?;
                open.visits = None;
            }
            Some(_) => {}
        }
        MutexGuard::try_map(guard, Option::as_mut)
            .map_err(|_| AppError::Corrupt("queue not loaded".into()))
    }

    /// After a change let go of its savepoint (released or dropped), with
    /// the lock still held: makes sure a flush is on its way.
    pub fn after_change(self: &Arc<Self>) {
        if self.pending.swap(true, Ordering::SeqCst) {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            self.pending.store(false, Ordering::SeqCst);
            return;
        };
        let shared = Arc::clone(self);
        runtime.spawn(async move {
            let mut guard = shared.current.lock().await;
            // Every change that saw the flag set ran before this point.
            shared.pending.store(false, Ordering::SeqCst);
            if let Some(open) = guard.as_mut() {
                if let Err(e) = open.flush(&shared).await {
                    tracing::error!(error = %e, "the queue's batch did not commit");
                }
            }
        });
    }
}

impl Open {
    /// Starts a change: its savepoint, in the batch (begun if none is open).
    pub async fn start(&mut self) -> Result<(), AppError> {
        self.settle().await?;
        if self.batch.is_none() {
            // The write lock from the start: a change reads (a stored
            // answer, the appointment, recent visits) before it writes.
            self.beginning = true;
            let begun = sqlx::query("BEGIN IMMEDIATE").execute(&mut self.conn).await;
            self.beginning = false;
            begun?;
            self.batch = Some(Batch {
                queue: None,
                changed_at: None,
                done: watch::channel(None).0,
            });
        }
        self.in_savepoint = true;
        if let Err(e) = sqlx::query("SAVEPOINT change")
            .execute(&mut self.conn)
            .await
        {
            self.abandon(&e.to_string()).await;
            return Err(e.into());
        }
        Ok(())
    }

    /// Keeps a change: its savepoint is released into the batch and its
    /// queue (changed at `changed_at`) becomes the batch's. Answers what to
    /// wait on for the commit.
    pub async fn keep(
        &mut self,
        next: Option<Queue>,
        changed_at: Option<i64>,
    ) -> Result<Committed, AppError> {
        // Noted before the statement is sent: a change dropped while it
        // runs may be in the batch all the same.
        self.releasing = Some(Kept {
            queue: next,
            changed_at,
        });
        if let Err(e) = sqlx::query("RELEASE change").execute(&mut self.conn).await {
            self.abandon(&e.to_string()).await;
            return Err(e.into());
        }
        self.in_savepoint = false;
        self.join_released()
    }

    /// The released change's queue becomes the batch's: its rows are in
    /// the batch, so the queue the next change starts from must hold them.
    fn join_released(&mut self) -> Result<Committed, AppError> {
        let kept = self.releasing.take();
        let batch = self
            .batch
            .as_mut()
            .ok_or_else(|| AppError::Corrupt("a change outside a batch".into()))?;
        if let Some(Kept { queue, changed_at }) = kept {
            if queue.is_some() {
                batch.queue = queue;
            }
            if changed_at.is_some() {
                batch.changed_at = changed_at;
            }
        }
        Ok(batch.done.subscribe())
    }

    /// The queue as the batch left it.
    pub fn latest(&self) -> &Queue {
        latest(&self.batch, &self.today)
    }

    /// Rolls back a change that was dropped inside its savepoint, or while
    /// its batch began.
    async fn settle(&mut self) -> Result<(), AppError> {
        if self.beginning {
            // (An error here: the BEGIN never ran, or failed.)
            let _ = sqlx::query("ROLLBACK").execute(&mut self.conn).await;
            self.beginning = false;
            self.in_savepoint = false;
            self.visits = None;
            return Ok(());
        }
        if !self.in_savepoint {
            return Ok(());
        }
        let undone = match sqlx::query("ROLLBACK TO change")
            .execute(&mut self.conn)
            .await
        {
            Ok(_) => {
                // Undone: whatever it was releasing goes with it.
                self.releasing = None;
                sqlx::query("RELEASE change")
                    .execute(&mut self.conn)
                    .await
                    .map(drop)
            }
            // Dropped before its savepoint was made (nothing of it to
            // undo), or while it was released: its rows are in the batch,
            // and so its queue must be (else the next change would number
            // a ticket that is already on disk, and every change after it
            // would fail on that).
            Err(e) if no_such_savepoint(&e) => match self.releasing {
                Some(_) => self
                    .join_released()
                    .map(drop)
                    .map_err(|e| sqlx::Error::Protocol(format!("a released change: {e}"))),
                None => Ok(()),
            },
            Err(e) => Err(e),
        };
        self.in_savepoint = false;
        // What was read inside the change is gone with it.
        self.visits = None;
        if let Err(e) = undone {
            self.abandon(&e.to_string()).await;
            return Err(e.into());
        }
        Ok(())
    }

    /// Commits the batch, swaps its queue in and announces it.
    pub async fn flush(&mut self, shared: &Shared) -> Result<(), AppError> {
        self.settle().await?;
        let Some(batch) = self.batch.take() else {
            return Ok(());
        };
        let version = batch
            .queue
            .as_ref()
            .map(Queue::version)
            .filter(|v| *v != self.today.queue.version());
        let (conn, day) = (&mut self.conn, &self.today.day);
        let committed = async {
            if let (Some(version), Some(at)) = (version, batch.changed_at) {
                // The day's version, once for the whole batch.
                tickets::store_version(conn, day, version, at).await?;
            }
            sqlx::query("COMMIT").execute(&mut *conn).await?;
            Ok::<(), AppError>(())
        }
        .await;
        if let Err(e) = committed {
            // (Some failures leave the transaction open, some do not.)
            let _ = sqlx::query("ROLLBACK").execute(&mut self.conn).await;
            self.visits = None;
            let _ = batch.done.send(Some(Err(e.to_string())));
            return Err(e);
        }
        shared.commits.fetch_add(1, Ordering::SeqCst);
        if let Some(queue) = batch.queue {
            let version = queue.version();
            let changed = version != self.today.queue.version();
            self.today.queue = queue;
            // (Numbers set aside change no ticket: nothing to announce.)
            if changed {
                publish(shared, version);
            }
        }
        let _ = batch.done.send(Some(Ok(())));
        Ok(())
    }

    /// Gives up the batch after a failure: rolled back, and every change in
    /// it told.
    async fn abandon(&mut self, why: &str) {
        let _ = sqlx::query("ROLLBACK").execute(&mut self.conn).await;
        self.in_savepoint = false;
        self.releasing = None;
        self.visits = None;
        if let Some(batch) = self.batch.take() {
            let _ = batch.done.send(Some(Err(why.to_owned())));
        }
    }
}

/// SQLite's answer to `ROLLBACK TO` a savepoint that is not there.
fn no_such_savepoint(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(e) if e.message().starts_with("no such savepoint"))
}

/// The queue as `batch` left `today`'s.
pub(super) fn latest<'a>(batch: &'a Option<Batch>, today: &'a DayQueue) -> &'a Queue {
    batch
        .as_ref()
        .and_then(|b| b.queue.as_ref())
        .unwrap_or(&today.queue)
}

/// Waits for the batch a change was kept in to be committed.
pub(super) async fn committed(mut done: Committed) -> Result<(), AppError> {
    let outcome = done
        .wait_for(Option::is_some)
        .await
        .map(|told| told.clone())
        .ok()
        .flatten();
    match outcome {
        Some(Ok(())) => Ok(()),
        Some(Err(why)) => Err(AppError::Database(sqlx::Error::Protocol(format!(
            "the queue's batch did not commit: {why}"
        )))),
        None => Err(AppError::Database(sqlx::Error::Protocol(
            "the queue's batch was given up".into(),
        ))),
    }
}
