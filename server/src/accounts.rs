//! Staff accounts as the command line manages them
//! (`waitwell-server staff add|reset|disable|enable|list`): each change is
//! in the access log, under "(command line)".

use crate::secrets;
use crate::store::staff::{self, AccountError};
use sqlx::SqlitePool;
use waitwell_core::contract::{AccessAction, StaffRole};
use waitwell_core::text::clean_text;

/// Longest account name.
pub const NAME_CHARS: usize = 40;
/// Who the access log names for a command-line change.
pub const COMMAND_LINE: &str = "(command line)";

/// An account name as typed, tidied; refused when empty or too long.
pub fn account_name(typed: &str) -> Result<String, AccountError> {
    clean_text(typed, NAME_CHARS).ok_or_else(|| {
        AccountError::Invalid(format!("an account name has 1 to {NAME_CHARS} characters"))
    })
}

async fn log(
    db: &SqlitePool,
    now: i64,
    action: AccessAction,
    name: &str,
) -> Result<(), AccountError> {
    staff::record(db, now, None, COMMAND_LINE, action, name).await?;
    Ok(())
}

/// Adds an account; its new passphrase (shown once).
pub async fn add(
    db: &SqlitePool,
    name: &str,
    role: StaffRole,
    now: i64,
) -> Result<String, AccountError> {
    let name = account_name(name)?;
    let passphrase = secrets::new_passphrase()?;
    staff::add(db, &name, role, &secrets::hash(&passphrase).await?, now).await?;
    log(
        db,
        now,
        AccessAction::AccountAdded,
        &format!("{name} ({})", role.as_str()),
    )
    .await?;
    Ok(passphrase)
}

/// Gives an account a new passphrase (shown once), forgets its PIN and
/// ends its sessions.
pub async fn reset(db: &SqlitePool, name: &str, now: i64) -> Result<String, AccountError> {
    let passphrase = secrets::new_passphrase()?;
    staff::reset(db, name.trim(), &secrets::hash(&passphrase).await?).await?;
    log(db, now, AccessAction::AccountReset, name.trim()).await?;
    Ok(passphrase)
}

/// Disables (or enables) an account; a disabled one's sessions end at once.
pub async fn set_disabled(
    db: &SqlitePool,
    name: &str,
    disabled: bool,
    now: i64,
) -> Result<(), AccountError> {
    staff::set_disabled(db, name.trim(), disabled, now).await?;
    let action = if disabled {
        AccessAction::AccountDisabled
    } else {
        AccessAction::AccountEnabled
    };
    log(db, now, action, name.trim()).await
}
