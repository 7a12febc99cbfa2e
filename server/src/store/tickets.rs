//! `tickets` and `queue_days`: the day's tickets as the queue state machine
//! sees them, the change of one action, and the day's version.

use crate::error::AppError;
use sqlx::SqliteConnection;
use std::collections::BTreeMap;
use waitwell_core::contract::Needs;
use waitwell_core::queue::{
    LineId, Queue, Ticket, TicketCode, TicketId, TicketState, TicketStatus,
};
use waitwell_core::wait::learned::{Earlier, Outcome};
use waitwell_core::wait::{Drawn, Estimate};

/// How many of a line's latest visits the wait estimate fits its visit
/// lengths to (today's first, then earlier days'). Twenty left the fitted
/// mean some 10% out either way, which every range then had to allow for:
/// on `make bench-waits` 200 (with the upper end at 93%, `core::wait::
/// learned`) narrow the median range from 30 to 25 minutes, the wait past
/// it 6.3% of the time (5.7% before, 7% at most wanted). The query reads
/// them off an index.
pub const RECENT_VISITS: i64 = 200;

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

pub struct StoredTicket {
    id: i64,
    code_line: String,
    code_number: i64,
    line_id: String,
    status: String,
    room: Option<String>,
    calls: i64,
}

impl StoredTicket {
    /// The ticket as the queue state machine holds it; a row that cannot be
    /// one is corrupt.
    pub fn into_ticket(self, day: &str) -> Result<Ticket, AppError> {
        let StoredTicket {
            id,
            code_line,
            code_number,
            line_id,
            status,
            room,
            calls,
        } = self;
        let corrupt = || AppError::Corrupt(format!("ticket {id} of {day}"));
        let status = match (TicketState::parse(&status), room) {
            (Some(TicketState::Waiting), _) => TicketStatus::Waiting,
            (Some(TicketState::Called), Some(room)) => TicketStatus::Called { room },
            (Some(TicketState::Served), _) => TicketStatus::Served,
            (Some(TicketState::NoShow), _) => TicketStatus::NoShow,
            _ => return Err(corrupt()),
        };
        Ok(Ticket {
            id: TicketId::try_from(id).map_err(|_| corrupt())?,
            code: TicketCode {
                line: parse_line(&code_line).ok_or_else(corrupt)?,
                number: u16::try_from(code_number).map_err(|_| corrupt())?,
            },
            line: parse_line(&line_id).ok_or_else(corrupt)?,
            status,
            calls: u32::try_from(calls).map_err(|_| corrupt())?,
        })
    }
}

/// The day's tickets, waiting ones in their order first.
pub async fn load_day(conn: &mut SqliteConnection, day: &str) -> Result<Vec<Ticket>, AppError> {
    let rows = sqlx::query_as!(
        StoredTicket,
        "SELECT id, code_line, code_number, line_id, status, room, calls FROM tickets
         WHERE day = ?
         ORDER BY CASE status WHEN 'waiting' THEN 0 ELSE 1 END, queue_order, id",
        day
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter().map(|row| row.into_ticket(day)).collect()
}

pub fn parse_line(s: &str) -> Option<LineId> {
    LineId::try_from(s.to_owned()).ok()
}

/// Stores the difference between `before` and `after` (one accepted action
/// about `ticket`) in `tx`; the day's new version is stored once for the
/// batch the change joins ([`store_version`]).
pub async fn persist(
    tx: &mut SqliteConnection,
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
    match (before.ticket(ticket), new_ticket) {
        // (A new ticket joins the end of its line as it is inserted.)
        (None, Some(new)) => insert(tx, day, id, t, new, now_unix).await?,
        (Some(old), _) => {
            update(tx, day, id, old, t, now_unix).await?;
            if let Some(position) = after.position(ticket) {
                place(tx, day, id, t.line, position).await?;
            }
        }
        (None, None) => return Err(AppError::Corrupt("new ticket without details".into())),
    }
    Ok(())
}

/// Stores `version` as the day's queue version, changed at `now_unix`
/// (once per batch of changes, before its commit).
pub async fn store_version(
    tx: &mut SqliteConnection,
    day: &str,
    version: u64,
    now_unix: i64,
) -> Result<(), AppError> {
    let version = i64::try_from(version).unwrap_or(i64::MAX);
    sqlx::query!(
        "INSERT INTO queue_days (day, version, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (day) DO UPDATE SET version = excluded.version, updated_at = excluded.updated_at",
        day,
        version,
        now_unix
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// A ticket's state as its columns hold it: line, status, room, calls.
fn state_columns(t: &Ticket) -> (String, &'static str, Option<&str>, i64) {
    let room = match &t.status {
        TicketStatus::Called { room } => Some(room.as_str()),
        _ => None,
    };
    (
        t.line.to_string(),
        t.status.name(),
        room,
        i64::from(t.calls),
    )
}

/// A new ticket at the end of its line, and its appointment's link to it.
async fn insert(
    conn: &mut SqliteConnection,
    day: &str,
    id: i64,
    t: &Ticket,
    new: &NewTicket,
    now_unix: i64,
) -> Result<(), AppError> {
    let (appointment, name, reason) = match &new.holder {
        Holder::Appointment(id) => (Some(*id), None, None),
        Holder::WalkIn { name, reason } => (None, Some(name.as_str()), Some(reason.as_str())),
    };
    let needs = serde_json::to_string(&new.needs).unwrap_or_else(|_| "{}".into());
    let (code_line, code_number) = (t.code.line.to_string(), i64::from(t.code.number));
    let (line, status, room, calls) = state_columns(t);
    sqlx::query!(
        "INSERT INTO tickets (day, id, code_line, code_number, line_id, status, room, calls,
            appointment_id, walk_in_name, walk_in_reason, needs, created_at, queue_order)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, COALESCE((
            SELECT queue_order + 1 FROM tickets
             WHERE day = ?1 AND line_id = ?5 AND status = 'waiting'
             ORDER BY queue_order DESC LIMIT 1), 0))",
        day,
        id,
        code_line,
        code_number,
        line,
        status,
        room,
        calls,
        appointment,
        name,
        reason,
        needs,
        now_unix
    )
    .execute(&mut *conn)
    .await?;
    if let Holder::Appointment(appointment) = new.holder {
        sqlx::query!(
            "UPDATE appointments SET ticket_id = ? WHERE id = ?",
            id,
            appointment
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// A ticket's new state, with when it was (last) called and finished.
async fn update(
    conn: &mut SqliteConnection,
    day: &str,
    id: i64,
    old: &Ticket,
    t: &Ticket,
    now_unix: i64,
) -> Result<(), AppError> {
    let newly_called = matches!(t.status, TicketStatus::Called { .. })
        && (!matches!(old.status, TicketStatus::Called { .. }) || t.calls != old.calls);
    let finished = matches!(t.status, TicketStatus::Served | TicketStatus::NoShow);
    let (line, status, room, calls) = state_columns(t);
    sqlx::query!(
        "UPDATE tickets SET line_id = ?, status = ?, room = ?, calls = ?,
            called_at = CASE WHEN ? THEN ? ELSE called_at END,
            finished_at = CASE WHEN ? THEN ? ELSE NULL END
         WHERE day = ? AND id = ?",
        line,
        status,
        room,
        calls,
        newly_called,
        now_unix,
        finished,
        now_unix,
        day,
        id
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Puts a waiting ticket at its place in its line.
///
/// `queue_order` is a sort key, not a position: an action only ever puts a
/// ticket at the front (requeue) or the back (enqueue, transfer) of a line,
/// so one write keeps the stored order whatever the line's length.
async fn place(
    conn: &mut SqliteConnection,
    day: &str,
    id: i64,
    line: LineId,
    position: usize,
) -> Result<(), AppError> {
    let line = line.to_string();
    // Before the first or after the last of the line it joins, read off
    // `tickets_waiting` (one row, however long the line) in the same
    // statement.
    if position == 1 {
        sqlx::query!(
            "UPDATE tickets SET queue_order = COALESCE((
                SELECT queue_order - 1 FROM tickets
                 WHERE day = ?1 AND line_id = ?2 AND status = 'waiting' AND id != ?3
                 ORDER BY queue_order LIMIT 1), 0)
             WHERE day = ?1 AND id = ?3",
            day,
            line,
            id
        )
        .execute(conn)
        .await?;
    } else {
        sqlx::query!(
            "UPDATE tickets SET queue_order = COALESCE((
                SELECT queue_order + 1 FROM tickets
                 WHERE day = ?1 AND line_id = ?2 AND status = 'waiting' AND id != ?3
                 ORDER BY queue_order DESC LIMIT 1), 0)
             WHERE day = ?1 AND id = ?3",
            day,
            line,
            id
        )
        .execute(conn)
        .await?;
    }
    Ok(())
}

/// The day's stored queue version and the unix time of its last change
/// (0 and 0 before the first).
pub async fn stored_version(
    conn: &mut sqlx::SqliteConnection,
    day: &str,
) -> Result<(u64, i64), AppError> {
    let row = sqlx::query!(
        "SELECT version, updated_at FROM queue_days WHERE day = ?",
        day
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map_or((0, 0), |r| {
        (u64::try_from(r.version).unwrap_or(0), r.updated_at)
    }))
}

/// How many days back visits still say something about today's.
pub const HISTORY_DAYS: i64 = 28;

/// Minutes from call to served of each line's most recent visits: today's,
/// topped up from earlier days (at most [`HISTORY_DAYS`] back) while today
/// has fewer than [`RECENT_VISITS`], so the first patients of a day get a
/// range from real visits rather than a guess.
pub async fn recent_service_minutes(
    conn: &mut sqlx::SqliteConnection,
    day: &str,
    lines: &[LineId],
) -> Result<BTreeMap<String, Vec<f64>>, AppError> {
    let since = days_before(day, HISTORY_DAYS);
    let mut by_line: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    // A line at a time: each reads its newest visits off `tickets_served`
    // and stops after the last it needs.
    for line in lines {
        let line = line.to_string();
        let seconds = sqlx::query_scalar!(
            r#"SELECT finished_at - called_at AS "seconds!: i64" FROM tickets
             WHERE status = 'served' AND line_id = ? AND day <= ? AND day >= ?
               AND called_at IS NOT NULL AND finished_at IS NOT NULL
             ORDER BY day DESC, finished_at DESC
             LIMIT ?"#,
            line,
            day,
            since,
            RECENT_VISITS
        )
        .fetch_all(&mut *conn)
        .await?;
        if !seconds.is_empty() {
            let minutes = seconds.into_iter().map(|s| s as f64 / 60.0).collect();
            by_line.insert(line, minutes);
        }
    }
    Ok(by_line)
}

/// When each visit in progress (a called ticket) of `day` began (unix
/// seconds), per line.
pub async fn visits_in_progress(
    conn: &mut SqliteConnection,
    day: &str,
) -> Result<BTreeMap<String, Vec<i64>>, AppError> {
    let rows = sqlx::query!(
        r#"SELECT line_id, called_at AS "called_at!: i64" FROM tickets
         WHERE day = ? AND status = 'called' AND called_at IS NOT NULL"#,
        day
    )
    .fetch_all(conn)
    .await?;
    let mut by_line: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for row in rows {
        by_line.entry(row.line_id).or_default().push(row.called_at);
    }
    Ok(by_line)
}

/// Whole minutes each visit begun at `called_at` has been going at
/// `now_unix` (seconds change no estimate, and whole minutes let the queue
/// reuse one drawing for a minute).
pub fn minutes_going(
    called_at: &BTreeMap<String, Vec<i64>>,
    now_unix: i64,
) -> BTreeMap<String, Vec<f64>> {
    called_at
        .iter()
        .map(|(line, began)| {
            let minutes = began
                .iter()
                .map(|&t| (now_unix.saturating_sub(t).max(0) / 60) as f64)
                .collect();
            (line.clone(), minutes)
        })
        .collect()
}

/// One ticket on the public board: the ticket, and when the wait its
/// holder was given at check-in ran out (unix seconds; `None` for tickets
/// from before that was kept).
pub struct BoardRow {
    pub ticket: Ticket,
    pub promised_by: Option<i64>,
}

/// The day's called tickets (most recent first), then its waiting ones (in
/// order): what the public board shows.
pub async fn on_board(conn: &mut SqliteConnection, day: &str) -> Result<Vec<BoardRow>, AppError> {
    let rows = sqlx::query!(
        "SELECT id, code_line, code_number, line_id, status, room, calls, promised_by FROM tickets
         WHERE day = ? AND status IN ('waiting', 'called')
         ORDER BY CASE status WHEN 'called' THEN -called_at ELSE queue_order END, id",
        day
    )
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|row| {
            let ticket = StoredTicket {
                id: row.id,
                code_line: row.code_line,
                code_number: row.code_number,
                line_id: row.line_id,
                status: row.status,
                room: row.room,
                calls: row.calls,
            }
            .into_ticket(day)?;
            Ok(BoardRow {
                ticket,
                promised_by: row.promised_by,
            })
        })
        .collect()
}

/// Keeps when the wait given to a new ticket's holder runs out, and what
/// the estimate drew for it with `ahead` people ahead (for later days to
/// learn from).
pub async fn promise(
    conn: &mut SqliteConnection,
    day: &str,
    id: TicketId,
    by: i64,
    estimate: &Estimate,
    ahead: usize,
) -> Result<(), AppError> {
    let id = i64::try_from(id).map_err(|_| AppError::Corrupt("ticket id".into()))?;
    let ahead = i64::try_from(ahead).unwrap_or(i64::MAX);
    let (low, high) = (estimate.drawn.low, estimate.drawn.high);
    // (SQLite stores a NaN as NULL: such a ticket is not learned from.)
    sqlx::query!(
        "UPDATE tickets SET promised_by = ?, drawn_low = ?, drawn_high = ?, ahead_at_check_in = ?
         WHERE day = ? AND id = ?",
        by,
        low,
        high,
        ahead,
        day,
        id
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Every check-in of the [`HISTORY_DAYS`] before `day` that was called and
/// whose drawn range was kept, per line: its hour (in `zone`), the people
/// ahead then, and how its range held.
pub async fn earlier_outcomes(
    conn: &mut SqliteConnection,
    day: &str,
    zone: &jiff::tz::TimeZone,
) -> Result<BTreeMap<String, Vec<Earlier>>, AppError> {
    let since = days_before(day, HISTORY_DAYS);
    let rows = sqlx::query!(
        r#"SELECT line_id, created_at, called_at AS "called_at!: i64", drawn_low AS "drawn_low!: f64",
                  drawn_high AS "drawn_high!: f64", ahead_at_check_in AS "ahead!: i64"
         FROM tickets
         WHERE day < ? AND day >= ? AND called_at IS NOT NULL AND drawn_low IS NOT NULL
           AND drawn_high IS NOT NULL AND ahead_at_check_in IS NOT NULL"#,
        day,
        since
    )
    .fetch_all(conn)
    .await?;
    let mut by_line: BTreeMap<String, Vec<Earlier>> = BTreeMap::new();
    for row in rows {
        let Ok(at) = jiff::Timestamp::from_second(row.created_at) else {
            continue;
        };
        let hour = usize::try_from(at.to_zoned(zone.clone()).hour()).unwrap_or(0);
        by_line.entry(row.line_id).or_default().push(Earlier {
            hour,
            ahead: usize::try_from(row.ahead).unwrap_or(usize::MAX),
            outcome: Outcome {
                drawn: Drawn {
                    low: row.drawn_low,
                    high: row.drawn_high,
                },
                waited: row.called_at.saturating_sub(row.created_at) as f64 / 60.0,
            },
        });
    }
    Ok(by_line)
}

/// `day` less `days`, as `YYYY-MM-DD` (`day` itself when it does not parse).
fn days_before(day: &str, days: i64) -> String {
    day.parse::<jiff::civil::Date>()
        .ok()
        .and_then(|d| d.checked_sub(jiff::Span::new().days(days)).ok())
        .map_or_else(|| day.to_owned(), |d| d.to_string())
}

/// A ticket with what reception sees of its holder.
pub struct StaffRow {
    pub ticket: StoredTicket,
    /// `Needs` as JSON.
    pub needs: String,
    pub created_at: i64,
    pub called_at: Option<i64>,
    pub walk_in_name: Option<String>,
    pub walk_in_reason: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub starts_at: Option<String>,
}

/// The day's tickets for reception: by line, waiting (in order) before
/// called before the rest.
pub async fn for_staff(conn: &mut SqliteConnection, day: &str) -> Result<Vec<StaffRow>, AppError> {
    let rows = sqlx::query!(
        r#"SELECT t.id, t.code_line, t.code_number, t.line_id, t.status, t.room, t.calls, t.needs,
                t.created_at, t.called_at, t.walk_in_name, t.walk_in_reason,
                a.given_name AS "given_name?", a.family_name AS "family_name?",
                a.starts_at AS "starts_at?"
         FROM tickets t LEFT JOIN appointments a ON a.id = t.appointment_id
         WHERE t.day = ?
         ORDER BY t.line_id, CASE t.status WHEN 'waiting' THEN 0 WHEN 'called' THEN 1 ELSE 2 END,
                  t.queue_order, t.called_at DESC, t.id"#,
        day
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| StaffRow {
            ticket: StoredTicket {
                id: r.id,
                code_line: r.code_line,
                code_number: r.code_number,
                line_id: r.line_id,
                status: r.status,
                room: r.room,
                calls: r.calls,
            },
            needs: r.needs,
            created_at: r.created_at,
            called_at: r.called_at,
            walk_in_name: r.walk_in_name,
            walk_in_reason: r.walk_in_reason,
            given_name: r.given_name,
            family_name: r.family_name,
            starts_at: r.starts_at,
        })
        .collect())
}

/// Seconds from check-in to call of each ticket called in `from..=to`.
pub async fn waits_between(
    conn: &mut SqliteConnection,
    from: &str,
    to: &str,
) -> Result<Vec<i64>, AppError> {
    Ok(sqlx::query_scalar!(
        r#"SELECT called_at - created_at AS "waited!: i64" FROM tickets
         WHERE day BETWEEN ? AND ? AND called_at IS NOT NULL"#,
        from,
        to
    )
    .fetch_all(conn)
    .await?)
}

/// Tickets of `from..=to` never seen: no-shows, and those still open at the
/// end of a day before `today`.
pub async fn never_seen(
    conn: &mut SqliteConnection,
    from: &str,
    to: &str,
    today: &str,
) -> Result<u32, AppError> {
    let left = sqlx::query_scalar!(
        "SELECT COUNT(*) FROM tickets WHERE day BETWEEN ? AND ?
           AND (status = 'no_show' OR (status IN ('waiting', 'called') AND day < ?))",
        from,
        to,
        today
    )
    .fetch_one(conn)
    .await?;
    Ok(u32::try_from(left).unwrap_or(0))
}

/// The code of one of the day's tickets.
pub async fn code(
    conn: &mut SqliteConnection,
    day: &str,
    id: i64,
) -> Result<Option<TicketCode>, AppError> {
    let row = sqlx::query!(
        "SELECT code_line, code_number FROM tickets WHERE day = ? AND id = ?",
        day,
        id
    )
    .fetch_optional(conn)
    .await?
    .map(|r| (r.code_line, r.code_number));
    row.map(|(line, number)| {
        let corrupt = || AppError::Corrupt(format!("ticket {id} of {day}"));
        Ok(TicketCode {
            line: parse_line(&line).ok_or_else(corrupt)?,
            number: u16::try_from(number).map_err(|_| corrupt())?,
        })
    })
    .transpose()
}
