//! `staff_accounts` and `access_log`: who may sign in (hashes only), and
//! what each person did.

use crate::error::AppError;
use sqlx::SqlitePool;
use waitwell_core::contract::{AccessAction, StaffRole};

/// An account, with its secrets' hashes.
#[derive(Clone)]
pub struct Account {
    pub id: i64,
    pub name: String,
    pub role: StaffRole,
    pub passphrase_hash: String,
    pub pin_hash: Option<String>,
    pub disabled: bool,
}

impl std::fmt::Debug for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Account")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("role", &self.role)
            .field("disabled", &self.disabled)
            .finish_non_exhaustive()
    }
}

fn role(text: &str) -> Result<StaffRole, AppError> {
    StaffRole::parse(text).ok_or_else(|| AppError::Corrupt(format!("staff role {text:?}")))
}

/// The account called `name` (any case), disabled or not.
pub async fn by_name(db: &SqlitePool, name: &str) -> Result<Option<Account>, AppError> {
    let row = sqlx::query!(
        r#"SELECT id AS "id!: i64", name, role, passphrase_hash, pin_hash,
                  disabled_at IS NOT NULL AS "disabled!: bool"
           FROM staff_accounts WHERE name = ?"#,
        name
    )
    .fetch_optional(db)
    .await?;
    row.map(|r| {
        Ok(Account {
            id: r.id,
            name: r.name,
            role: role(&r.role)?,
            passphrase_hash: r.passphrase_hash,
            pin_hash: r.pin_hash,
            disabled: r.disabled,
        })
    })
    .transpose()
}

/// Why an account could not be added or changed.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("there is already an account called {0:?}")]
    Taken(String),
    #[error("there is no account called {0:?}")]
    Unknown(String),
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Store(#[from] AppError),
}

impl From<sqlx::Error> for AccountError {
    fn from(e: sqlx::Error) -> Self {
        AccountError::Store(e.into())
    }
}

/// Adds an account; its id.
pub async fn add(
    db: &SqlitePool,
    name: &str,
    role: StaffRole,
    passphrase_hash: &str,
    now: i64,
) -> Result<i64, AccountError> {
    let role_text = role.as_str();
    let done = sqlx::query!(
        "INSERT INTO staff_accounts (name, role, passphrase_hash, created_at)
         VALUES (?, ?, ?, ?) ON CONFLICT (name) DO NOTHING",
        name,
        role_text,
        passphrase_hash,
        now
    )
    .execute(db)
    .await?;
    if done.rows_affected() == 0 {
        return Err(AccountError::Taken(name.to_owned()));
    }
    Ok(done.last_insert_rowid())
}

/// Gives an account a new passphrase, forgets its PIN, ends its sessions.
pub async fn reset(db: &SqlitePool, name: &str, passphrase_hash: &str) -> Result<(), AccountError> {
    let mut tx = super::begin_write(db).await?;
    let id = sqlx::query_scalar!(
        r#"UPDATE staff_accounts SET passphrase_hash = ?, pin_hash = NULL
           WHERE name = ? RETURNING id AS "id!: i64""#,
        passphrase_hash,
        name
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| AccountError::Unknown(name.to_owned()))?;
    sqlx::query!("DELETE FROM staff_sessions WHERE account_id = ?", id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Gives an account the passphrase its owner chose, and ends its sessions
/// but `keep` (the token hash of the session that asked): whoever else was
/// signed in as them, with the old passphrase, is signed out.
pub async fn change_passphrase(
    db: &SqlitePool,
    account: i64,
    passphrase_hash: &str,
    keep: &str,
) -> Result<(), AppError> {
    let mut tx = super::begin_write(db).await?;
    sqlx::query!(
        "UPDATE staff_accounts SET passphrase_hash = ? WHERE id = ?",
        passphrase_hash,
        account
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "DELETE FROM staff_sessions WHERE account_id = ? AND token_hash <> ?",
        account,
        keep
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Disables an account (or enables it again) and ends its sessions.
pub async fn set_disabled(
    db: &SqlitePool,
    name: &str,
    disabled: bool,
    now: i64,
) -> Result<(), AccountError> {
    let at = disabled.then_some(now);
    let mut tx = super::begin_write(db).await?;
    let id = sqlx::query_scalar!(
        r#"UPDATE staff_accounts SET disabled_at = ? WHERE name = ? RETURNING id AS "id!: i64""#,
        at,
        name
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| AccountError::Unknown(name.to_owned()))?;
    sqlx::query!("DELETE FROM staff_sessions WHERE account_id = ?", id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Every account: name, role, whether disabled, whether it has a PIN.
pub async fn list(db: &SqlitePool) -> Result<Vec<(String, StaffRole, bool, bool)>, AppError> {
    let rows = sqlx::query!(
        r#"SELECT name, role, disabled_at IS NOT NULL AS "disabled!: bool",
                  pin_hash IS NOT NULL AS "pin!: bool"
           FROM staff_accounts ORDER BY name"#
    )
    .fetch_all(db)
    .await?;
    rows.into_iter()
        .map(|r| Ok((r.name, role(&r.role)?, r.disabled, r.pin)))
        .collect()
}

/// How many accounts can sign in.
pub async fn enabled_count(db: &SqlitePool) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar!(
        r#"SELECT COUNT(*) AS "n!: i64" FROM staff_accounts WHERE disabled_at IS NULL"#
    )
    .fetch_one(db)
    .await?)
}

/// Sets an account's personal PIN.
pub async fn set_pin(db: &SqlitePool, account: i64, pin_hash: &str) -> Result<(), AppError> {
    sqlx::query!(
        "UPDATE staff_accounts SET pin_hash = ? WHERE id = ?",
        pin_hash,
        account
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Adds a line to the access log.
pub async fn record(
    db: &SqlitePool,
    now: i64,
    account: Option<i64>,
    name: &str,
    action: AccessAction,
    detail: &str,
) -> Result<(), AppError> {
    let action = serde_json::to_value(action)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    sqlx::query!(
        "INSERT INTO access_log (at, account_id, name, action, detail) VALUES (?, ?, ?, ?, ?)",
        now,
        account,
        name,
        action,
        detail
    )
    .execute(db)
    .await?;
    Ok(())
}

/// One stored access log line: when (Unix seconds), who, what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logged {
    pub at: i64,
    pub name: String,
    pub action: AccessAction,
    pub detail: String,
}

/// The newest `limit` lines from `since` until before `until`, newest
/// first.
pub async fn log_between(
    db: &SqlitePool,
    since: i64,
    until: i64,
    limit: i64,
) -> Result<Vec<Logged>, AppError> {
    let rows = sqlx::query!(
        "SELECT at, name, action, detail FROM access_log WHERE at >= ? AND at < ?
         ORDER BY at DESC, id DESC LIMIT ?",
        since,
        until,
        limit
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Logged {
            at: r.at,
            name: r.name,
            action: serde_json::from_value(serde_json::Value::String(r.action))
                .unwrap_or(AccessAction::Unknown),
            detail: r.detail,
        })
        .collect())
}

/// Forgets access log lines older than `before`; how many.
pub async fn purge_log(db: &SqlitePool, before: i64) -> Result<u64, AppError> {
    let done = sqlx::query!("DELETE FROM access_log WHERE at < ?", before)
        .execute(db)
        .await?;
    Ok(done.rows_affected())
}
