//! Today's queue in memory, its write lock, and the stream of changes.
//!
//! Every write to the queue takes the lock, applies the action to a copy of
//! the day's `waitwell_core::queue::Queue`, stores the change in one
//! transaction, and only then swaps the copy in and announces the new
//! version. A failed write therefore changes neither memory nor database.

use crate::{settings::Settings, AppError};
use sqlx::{Sqlite, SqlitePool, Transaction};
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::sync::{broadcast, MappedMutexGuard, Mutex, MutexGuard};
use waitwell_core::contract::{Needs, QueueChanged};
use waitwell_core::queue::{LineId, Queue, Ticket, TicketCode, TicketId, TicketStatus};

/// One day's queue.
#[derive(Debug, Clone)]
pub struct DayQueue {
    /// Clinic-local `YYYY-MM-DD`.
    pub day: String,
    pub queue: Queue,
}

/// Owner of the queue lock and the change stream.
pub struct QueueHub {
    current: Mutex<Option<DayQueue>>,
    changes: broadcast::Sender<QueueChanged>,
    /// The last version announced, for listeners that fell behind.
    latest: AtomicU64,
    /// Pings reception when alerts change (a count, carrying no data).
    alerts: broadcast::Sender<u64>,
    alert_count: AtomicU64,
    /// Pings every queue listener when delay notices change.
    notices: broadcast::Sender<()>,
}

impl Default for QueueHub {
    fn default() -> Self {
        QueueHub {
            current: Mutex::new(None),
            // A slow listener that falls this far behind gets `Lagged` and
            // refetches the snapshot: versions make the gap visible.
            changes: broadcast::channel(64).0,
            latest: AtomicU64::new(0),
            alerts: broadcast::channel(16).0,
            alert_count: AtomicU64::new(0),
            notices: broadcast::channel(16).0,
        }
    }
}

impl QueueHub {
    /// Locks the queue of `day`, loading it from the database when the day
    /// changed (or at first use).
    pub async fn lock(
        &self,
        db: &SqlitePool,
        settings: &Settings,
        day: &str,
    ) -> Result<MappedMutexGuard<'_, DayQueue>, AppError> {
        let mut guard = self.current.lock().await;
        if guard.as_ref().is_none_or(|d| d.day != day) {
            *guard = Some(load_day(db, settings, day).await?);
        }
        MutexGuard::try_map(guard, Option::as_mut)
            .map_err(|_| AppError::Corrupt("queue not loaded".into()))
    }

    pub fn subscribe(&self) -> broadcast::Receiver<QueueChanged> {
        self.changes.subscribe()
    }

    pub fn publish(&self, version: u64) {
        self.latest.store(version, Ordering::SeqCst);
        // No listeners is fine.
        let _ = self.changes.send(QueueChanged { version });
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
        let _ = self.notices.send(());
    }

    pub fn subscribe_notices(&self) -> broadcast::Receiver<()> {
        self.notices.subscribe()
    }

    /// The last version announced (0 before any change since start-up).
    pub fn latest(&self) -> u64 {
        self.latest.load(Ordering::SeqCst)
    }
}

#[derive(sqlx::FromRow)]
struct StoredTicket {
    id: i64,
    code_line: String,
    code_number: i64,
    line_id: String,
    status: String,
    room: Option<String>,
    calls: i64,
}

async fn load_day(db: &SqlitePool, settings: &Settings, day: &str) -> Result<DayQueue, AppError> {
    let rows: Vec<StoredTicket> = sqlx::query_as(
        "SELECT id, code_line, code_number, line_id, status, room, calls FROM tickets
         WHERE day = ?
         ORDER BY CASE status WHEN 'waiting' THEN 0 ELSE 1 END, queue_order, id",
    )
    .bind(day)
    .fetch_all(db)
    .await?;
    let tickets = rows
        .into_iter()
        .map(
            |StoredTicket {
                 id,
                 code_line,
                 code_number: number,
                 line_id: line,
                 status,
                 room,
                 calls,
             }| {
                let corrupt = || AppError::Corrupt(format!("ticket {id} of {day}"));
                let code = TicketCode {
                    line: parse_line(&code_line).ok_or_else(corrupt)?,
                    number: u16::try_from(number).map_err(|_| corrupt())?,
                };
                Ok(Ticket {
                    id: TicketId::try_from(id).map_err(|_| corrupt())?,
                    code,
                    line: parse_line(&line).ok_or_else(corrupt)?,
                    status: match (status.as_str(), room) {
                        ("waiting", _) => TicketStatus::Waiting,
                        ("called", Some(room)) => TicketStatus::Called { room },
                        ("served", _) => TicketStatus::Served,
                        ("no_show", _) => TicketStatus::NoShow,
                        _ => return Err(corrupt()),
                    },
                    calls: u32::try_from(calls).map_err(|_| corrupt())?,
                })
            },
        )
        .collect::<Result<Vec<_>, AppError>>()?;
    let version: Option<i64> = sqlx::query_scalar("SELECT version FROM queue_days WHERE day = ?")
        .bind(day)
        .fetch_optional(db)
        .await?;
    let version = u64::try_from(version.unwrap_or(0))
        .map_err(|_| AppError::Corrupt("queue version".into()))?;
    let queue = Queue::restore(settings.site.lines.iter().map(|l| l.id), tickets, version)
        .map_err(|e| AppError::Corrupt(e.to_string()))?;
    Ok(DayQueue {
        day: day.to_owned(),
        queue,
    })
}

pub fn parse_line(s: &str) -> Option<LineId> {
    LineId::try_from(s.to_owned()).ok()
}

/// Who a new ticket is for.
#[derive(Debug, Clone)]
pub enum Holder {
    Appointment(i64),
    WalkIn { name: String, reason: String },
}

/// What a new ticket carries besides its place in the queue.
#[derive(Debug, Clone)]
pub struct NewTicket {
    pub holder: Holder,
    pub needs: Needs,
}

/// Stores the difference between `before` and `after` (one accepted action
/// about `ticket`) in `tx`, with the day's new version.
pub async fn persist(
    tx: &mut Transaction<'_, Sqlite>,
    day: &str,
    before: &Queue,
    after: &Queue,
    ticket: TicketId,
    new_ticket: Option<&NewTicket>,
    now_unix: i64,
) -> Result<(), AppError> {
    let t = after
        .ticket(ticket)
        .ok_or_else(|| AppError::Corrupt(format!("ticket {ticket} vanished")))?;
    let id = i64::try_from(t.id).map_err(|_| AppError::Corrupt("ticket id".into()))?;
    let room = match &t.status {
        TicketStatus::Called { room } => Some(room.as_str()),
        _ => None,
    };
    match (before.ticket(ticket), new_ticket) {
        (None, Some(new)) => {
            let (appointment, name, reason) = match &new.holder {
                Holder::Appointment(id) => (Some(*id), None, None),
                Holder::WalkIn { name, reason } => {
                    (None, Some(name.as_str()), Some(reason.as_str()))
                }
            };
            let needs = serde_json::to_string(&new.needs).unwrap_or_else(|_| "{}".into());
            sqlx::query(
                "INSERT INTO tickets (day, id, code_line, code_number, line_id, status, room, calls,
                    appointment_id, walk_in_name, walk_in_reason, needs, created_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(day)
            .bind(id)
            .bind(t.code.line.to_string())
            .bind(i64::from(t.code.number))
            .bind(t.line.to_string())
            .bind(t.status.name())
            .bind(room)
            .bind(i64::from(t.calls))
            .bind(appointment)
            .bind(name)
            .bind(reason)
            .bind(needs)
            .bind(now_unix)
            .execute(&mut **tx)
            .await?;
            if let Holder::Appointment(appointment) = new.holder {
                sqlx::query("UPDATE appointments SET ticket_id = ? WHERE id = ?")
                    .bind(id)
                    .bind(appointment)
                    .execute(&mut **tx)
                    .await?;
            }
        }
        (Some(old), _) => {
            let newly_called = matches!(t.status, TicketStatus::Called { .. })
                && (!matches!(old.status, TicketStatus::Called { .. }) || t.calls != old.calls);
            let finished = matches!(t.status, TicketStatus::Served | TicketStatus::NoShow);
            sqlx::query(
                "UPDATE tickets SET line_id = ?, status = ?, room = ?, calls = ?,
                    called_at = CASE WHEN ? THEN ? ELSE called_at END,
                    finished_at = CASE WHEN ? THEN ? ELSE NULL END
                 WHERE day = ? AND id = ?",
            )
            .bind(t.line.to_string())
            .bind(t.status.name())
            .bind(room)
            .bind(i64::from(t.calls))
            .bind(newly_called)
            .bind(now_unix)
            .bind(finished)
            .bind(now_unix)
            .bind(day)
            .bind(id)
            .execute(&mut **tx)
            .await?;
        }
        (None, None) => return Err(AppError::Corrupt("new ticket without details".into())),
    }
    // `queue_order` is a sort key, not a position: an action only ever puts
    // a ticket at the front (requeue) or the back (enqueue, transfer) of a
    // line, so one write keeps the stored order whatever the line's length.
    if let Some(position) = after.position(ticket) {
        let (first, last): (Option<i64>, Option<i64>) = sqlx::query_as(
            "SELECT MIN(queue_order), MAX(queue_order) FROM tickets
             WHERE day = ? AND line_id = ? AND status = 'waiting' AND id != ?",
        )
        .bind(day)
        .bind(t.line.to_string())
        .bind(id)
        .fetch_one(&mut **tx)
        .await?;
        let order = if position == 1 {
            first.map_or(0, |f| f - 1)
        } else {
            last.map_or(0, |l| l + 1)
        };
        sqlx::query("UPDATE tickets SET queue_order = ? WHERE day = ? AND id = ?")
            .bind(order)
            .bind(day)
            .bind(id)
            .execute(&mut **tx)
            .await?;
    }
    sqlx::query(
        "INSERT INTO queue_days (day, version, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (day) DO UPDATE SET version = excluded.version, updated_at = excluded.updated_at",
    )
    .bind(day)
    .bind(i64::try_from(after.version()).unwrap_or(i64::MAX))
    .bind(now_unix)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
