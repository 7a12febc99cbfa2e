//! A walk-in's details: one rule for the kiosk's steps, reception's desk and
//! the server, so each can say at once what to fix and none accepts what
//! another refuses.

use crate::checkin::is_name_text;
use crate::contract::{limits, ErrorCode};
use crate::unicode;

/// A walk-in's details after checking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalkIn {
    /// Trimmed, as typed.
    pub first_name: String,
    /// Upper case.
    pub last_initial: char,
    pub reason: String,
}

/// Which detail is wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum WalkInError {
    #[error("enter a first name of 1 to 40 letters")]
    FirstName,
    #[error("enter the first letter of the last name")]
    LastInitial,
    #[error("choose one of the configured reasons")]
    Reason,
}

impl WalkInError {
    /// The contract's code for this refusal.
    pub fn code(self) -> ErrorCode {
        match self {
            WalkInError::FirstName => ErrorCode::InvalidFirstName,
            WalkInError::LastInitial => ErrorCode::InvalidLastInitial,
            WalkInError::Reason => ErrorCode::InvalidReason,
        }
    }
}

/// A first name: 1 to 40 characters of name text once trimmed, in natural
/// case (see [`natural_case`]).
pub fn first_name(text: &str) -> Result<String, WalkInError> {
    let text = text.trim();
    let len = text.chars().count();
    if (1..=limits::FIRST_NAME_CHARS).contains(&len) && is_name_text(text) {
        Ok(natural_case(text))
    } else {
        Err(WalkInError::FirstName)
    }
}

/// A name as people write it. The kiosk's keyboard types capitals only, so
/// a name in one case ("ANA MARÍA", "o'brien") becomes title case ("Ana
/// María", "O'Brien": a capital after a space, hyphen or apostrophe); a
/// name typed in mixed case ("McDonald") is kept as it is.
pub fn natural_case(name: &str) -> String {
    let has_upper = name.chars().any(char::is_uppercase);
    let has_lower = name.chars().any(char::is_lowercase);
    if has_upper && has_lower {
        return name.to_owned();
    }
    let mut out = String::with_capacity(name.len());
    let mut start_of_word = true;
    for c in name.chars() {
        let cased = if start_of_word {
            unicode::upper_char(c)
        } else {
            unicode::lower_char(c)
        };
        // A letter whose other case is not one letter ('ß' is "SS") stays
        // as it is: the name keeps its length, and tidying it again
        // changes nothing.
        out.push(cased.unwrap_or(c));
        start_of_word = matches!(c, ' ' | '-' | '\'' | '’');
    }
    out
}

/// The first letter of the last name: exactly one letter once trimmed.
pub fn last_initial(text: &str) -> Result<char, WalkInError> {
    let mut chars = text.trim().chars();
    match (chars.next(), chars.next()) {
        // A letter whose capital is one letter too ('ß' is not).
        (Some(c), None) if c.is_alphabetic() => Ok(unicode::upper_char(c).unwrap_or(c)),
        _ => Err(WalkInError::LastInitial),
    }
}

/// All of a walk-in's details, the reason one of the site's.
pub fn check(
    first: &str,
    initial: &str,
    reason: &str,
    reasons: &[String],
) -> Result<WalkIn, WalkInError> {
    let first_name = first_name(first)?;
    let last_initial = last_initial(initial)?;
    if !reasons.iter().any(|r| r == reason) {
        return Err(WalkInError::Reason);
    }
    Ok(WalkIn {
        first_name,
        last_initial,
        reason: reason.to_owned(),
    })
}

impl WalkIn {
    /// How staff see the walk-in: "Ana G.".
    pub fn display_name(&self) -> String {
        format!("{} {}.", self.first_name, self.last_initial)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn names_in_one_case_become_title_case() {
        for (typed, shown) in [
            ("ANA", "Ana"),
            ("JEAN-LUC", "Jean-Luc"),
            ("O'BRIEN", "O'Brien"),
            ("ØYVIND", "Øyvind"),
            ("zoë", "Zoë"),
            ("MARY ANN", "Mary Ann"),
            ("McDonald", "McDonald"),
            ("DeShawn", "DeShawn"),
            // 'ß' has no one-letter capital; 'İ' no one-letter small.
            ("ßa", "ßa"),
            ("İA", "İa"),
        ] {
            assert_eq!(natural_case(typed), shown, "{typed}");
            assert_eq!(natural_case(shown), shown, "{shown} again");
        }
    }

    fn reasons() -> Vec<String> {
        vec!["Minor illness".into(), "Test results".into()]
    }

    #[test]
    fn good_details_pass_and_are_tidied() {
        let w = check("  Ana María ", " g ", "Test results", &reasons()).unwrap();
        assert_eq!(w.first_name, "Ana María");
        assert_eq!(w.last_initial, 'G');
        assert_eq!(w.display_name(), "Ana María G.");
        // As the kiosk's capitals-only keyboard types it.
        let typed = check("ANA MARÍA", "G", "Test results", &reasons()).unwrap();
        assert_eq!(typed.display_name(), "Ana María G.");
        assert_eq!(last_initial("ø"), Ok('Ø'));
    }

    #[test]
    fn each_bad_detail_is_named() {
        let r = reasons();
        assert_eq!(
            check("", "G", "Test results", &r),
            Err(WalkInError::FirstName)
        );
        assert_eq!(
            check("Ana1", "G", "Test results", &r),
            Err(WalkInError::FirstName)
        );
        assert_eq!(
            check(&"a".repeat(41), "G", "Test results", &r),
            Err(WalkInError::FirstName)
        );
        assert!(check(&"a".repeat(40), "G", "Test results", &r).is_ok());
        assert_eq!(
            check("Ana", "", "Test results", &r),
            Err(WalkInError::LastInitial)
        );
        assert_eq!(
            check("Ana", "GA", "Test results", &r),
            Err(WalkInError::LastInitial)
        );
        assert_eq!(
            check("Ana", "7", "Test results", &r),
            Err(WalkInError::LastInitial)
        );
        assert_eq!(check("Ana", "G", "Anything", &r), Err(WalkInError::Reason));
        assert_eq!(WalkInError::FirstName.code(), ErrorCode::InvalidFirstName);
        assert_eq!(
            WalkInError::LastInitial.code(),
            ErrorCode::InvalidLastInitial
        );
        assert_eq!(WalkInError::Reason.code(), ErrorCode::InvalidReason);
    }

    proptest! {
        /// Whatever is typed, a name that passes is trimmed, bounded name
        /// text, and checking it again changes nothing.
        #[test]
        fn accepted_names_are_bounded_and_stable(text in "\\PC{0,50}") {
            if let Ok(name) = first_name(&text) {
                prop_assert!(name.chars().count() <= limits::FIRST_NAME_CHARS);
                prop_assert_eq!(name.trim(), name.as_str());
                prop_assert!(is_name_text(&name));
                prop_assert_eq!(first_name(&name), Ok(name.clone()));
            }
        }
    }
}
