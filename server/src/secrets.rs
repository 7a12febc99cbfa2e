//! Staff secrets: passphrases and personal PINs, kept only as argon2id
//! hashes (PHC strings, with their own salt and cost), compared by the
//! `argon2` crate in constant time. Hashing is slow on purpose (tens of
//! milliseconds, 19 MiB): it runs on the blocking pool, never on the
//! threads that serve requests.

use crate::error::AppError;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use std::sync::OnceLock;

/// The characters of a generated passphrase: lower-case letters and digits
/// without look-alikes (no i, l, o, 0, 1), easy to read off a screen.
const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
/// Groups of [`GROUP`] characters: 5 × 4 from 31 symbols is 99 bits.
const GROUPS: usize = 5;
const GROUP: usize = 4;

/// argon2id with the crate's defaults (19 MiB, 2 passes, 1 lane: OWASP's
/// recommendation), version 0x13.
fn argon2() -> Argon2<'static> {
    Argon2::default()
}

fn internal(what: &str) -> AppError {
    AppError::Corrupt(format!("{what} failed"))
}

/// The argon2id hash of `secret` (PHC string).
pub async fn hash(secret: &str) -> Result<String, AppError> {
    let secret = secret.to_owned();
    tokio::task::spawn_blocking(move || hash_now(&secret))
        .await
        .map_err(|_| internal("hashing"))?
}

/// [`hash`], on the calling thread (the command line; tests).
pub fn hash_now(secret: &str) -> Result<String, AppError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|_| internal("drawing a salt"))?;
    let salt = SaltString::encode_b64(&salt).map_err(|_| internal("encoding a salt"))?;
    argon2()
        .hash_password(secret.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|_| internal("hashing"))
}

/// Whether `secret` matches `stored`. With no stored hash (an unknown
/// account, no PIN set) it still does the same work against a hash made
/// once, so the time taken does not tell who has an account. A stored hash
/// that does not parse matches nothing.
pub async fn verify(stored: Option<String>, secret: &str) -> Result<bool, AppError> {
    let secret = secret.to_owned();
    tokio::task::spawn_blocking(move || {
        let known = stored.is_some();
        let stored = match stored {
            Some(s) => s,
            None => dummy()?.to_owned(),
        };
        let Ok(parsed) = PasswordHash::new(&stored) else {
            return Ok(false);
        };
        let matched = argon2().verify_password(secret.as_bytes(), &parsed).is_ok();
        Ok(matched && known)
    })
    .await
    .map_err(|_| internal("checking"))?
}

fn dummy() -> Result<&'static str, AppError> {
    static DUMMY: OnceLock<String> = OnceLock::new();
    if let Some(made) = DUMMY.get() {
        return Ok(made);
    }
    let made = hash_now("no such account")?;
    Ok(DUMMY.get_or_init(|| made))
}

/// A new random passphrase, shown once: `abcd-efgh-jkmn-pqrs-tuvw`.
pub fn new_passphrase() -> Result<String, AppError> {
    let mut out = String::with_capacity(GROUPS * (GROUP + 1));
    let mut drawn = 0;
    while drawn < GROUPS * GROUP {
        let mut byte = [0u8; 1];
        getrandom::fill(&mut byte).map_err(|_| internal("drawing a passphrase"))?;
        // Rejection sampling: 248 = 8 × 31, so every symbol is as likely.
        let limit = (256 / ALPHABET.len() * ALPHABET.len()) as u8;
        if byte[0] >= limit {
            continue;
        }
        if drawn > 0 && drawn % GROUP == 0 {
            out.push('-');
        }
        out.push(char::from(ALPHABET[usize::from(byte[0]) % ALPHABET.len()]));
        drawn += 1;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_matches_its_secret_only() {
        let stored = hash("correct horse").await.unwrap();
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify(Some(stored.clone()), "correct horse").await.unwrap());
        assert!(!verify(Some(stored.clone()), "correct horsf").await.unwrap());
        assert!(!verify(Some(stored), "").await.unwrap());
        // Two hashes of one secret differ (their salts do).
        assert_ne!(hash("x").await.unwrap(), hash("x").await.unwrap());
    }

    #[tokio::test]
    async fn nothing_stored_or_garbage_stored_matches_nothing() {
        assert!(!verify(None, "no such account").await.unwrap());
        assert!(!verify(Some("not a hash".into()), "x").await.unwrap());
    }

    #[test]
    fn passphrases_are_long_random_and_readable() {
        let a = new_passphrase().unwrap();
        assert_eq!(a.len(), GROUPS * GROUP + GROUPS - 1);
        assert!(waitwell_core::contract::valid_new_passphrase("", &a), "{a}");
        assert!(a
            .split('-')
            .all(|g| g.len() == GROUP && g.bytes().all(|b| ALPHABET.contains(&b))));
        assert_ne!(a, new_passphrase().unwrap());
    }
}
