//! The SQLite database: one file, WAL mode, migrations at start-up; and
//! one module per table (or close family of tables), each with its rows and
//! queries. Nothing outside `store` writes SQL against these tables except
//! through them (see ARCHITECTURE.md for what is still on its way here).

pub mod appointments;
pub mod attempts;
pub mod devices;
pub mod ehr_writes;
pub mod follow;
pub mod idempotency;
pub mod leases;
pub mod notices;
pub mod sessions;
pub mod staff;
pub mod surveys;
pub mod tickets;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;
use std::{path::Path, str::FromStr, time::Duration};

/// Opens (creating if needed) the database at `path` and brings its schema
/// up to date.
pub async fn connect(path: &Path) -> Result<SqlitePool, sqlx::Error> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let options = SqliteConnectOptions::from_str("sqlite://")?
        .filename(path)
        .create_if_missing(true)
        // WAL lets the queue board's reads run alongside the kiosks' writes.
        .journal_mode(SqliteJournalMode::Wal)
        // FULL: a commit is on disk before it is acknowledged. A kiosk
        // deletes its outbox entry on the 201, so a check-in that a power
        // cut could roll back (NORMAL, in WAL mode) would be lost.
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5));
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(options)
        .await?;
    sqlx::migrate!("./migrations").run(&pool).await?;
    Ok(pool)
}

/// A transaction that writes. It takes SQLite's write lock at once
/// (`BEGIN IMMEDIATE`): a deferred transaction that reads first and then
/// writes fails outright (SQLITE_BUSY_SNAPSHOT, which no busy timeout waits
/// out) when another writer committed in between. Every transaction that
/// may write starts here.
pub async fn begin_write(
    db: &SqlitePool,
) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error> {
    begin(db, Some("BEGIN IMMEDIATE")).await
}

/// A transaction that only reads: one snapshot for all its queries.
pub async fn begin_read(
    db: &SqlitePool,
) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error> {
    begin(db, None).await
}

/// Begins a transaction on a connection of the pool in a task of its own,
/// so that a caller that goes away (a request whose client left) cannot
/// leave it begun. sqlx's own begin is not safe to drop once SQLite has run
/// the BEGIN and answered: its `Transaction` is never made, nothing rolls
/// back, and the connection goes back to the pool inside that transaction.
/// A BEGIN IMMEDIATE left so holds SQLite's write lock against every other
/// writer ("database is locked" for pairings, heartbeats and check-ins)
/// and fails the next begin on it ("non-zero transaction depth"); a read
/// left so keeps whoever uses the connection next on an old snapshot.
/// The BEGIN can wait the whole busy timeout for the lock, so the window
/// is wide. Here the task always makes the `Transaction`; if nobody takes
/// it, its drop rolls back before the connection is used again.
async fn begin(
    db: &SqlitePool,
    statement: Option<&'static str>,
) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error> {
    let db = db.clone();
    tokio::spawn(async move {
        match statement {
            Some(statement) => db.begin_with(statement).await,
            None => db.begin().await,
        }
    })
    .await
    .map_err(|e| sqlx::Error::Protocol(format!("beginning a transaction: {e}")))?
}

/// The installation's secret, created on first use.
pub async fn secret(pool: &SqlitePool) -> Result<[u8; 32], sqlx::Error> {
    let stored = sqlx::query_scalar!("SELECT value FROM server_meta WHERE key = 'secret'")
        .fetch_optional(pool)
        .await?;
    let text = match stored {
        Some(text) => text,
        None => {
            let mut bytes = [0u8; 32];
            getrandom::fill(&mut bytes)
                .map_err(|e| sqlx::Error::Protocol(format!("no randomness: {e}")))?;
            let fresh = hex::encode(bytes);
            // Another process may have won the race: keep whichever is stored.
            sqlx::query!(
                "INSERT OR IGNORE INTO server_meta (key, value) VALUES ('secret', ?)",
                fresh
            )
            .execute(pool)
            .await?;
            sqlx::query_scalar!("SELECT value FROM server_meta WHERE key = 'secret'")
                .fetch_one(pool)
                .await?
        }
    };
    let mut secret = [0u8; 32];
    hex::decode_to_slice(&text, &mut secret)
        .map_err(|_| sqlx::Error::Protocol("stored secret is malformed".into()))?;
    Ok(secret)
}

/// A fresh random token (hex), for opaque references and sessions.
pub fn random_token(bytes: usize) -> Result<String, getrandom::Error> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf)?;
    Ok(hex::encode(buf))
}

/// The schema version the database is at (0 before any migration).
/// (Unchecked SQL: `_sqlx_migrations` is sqlx's own table, not ours.)
pub async fn schema_version(db: &SqlitePool) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations")
        .fetch_one(db)
        .await
}
