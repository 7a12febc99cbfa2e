//! The offline appointment index: how a kiosk can recognise today's patients
//! while the backend is unreachable without holding their names or birth
//! dates. The server sends, per appointment, salted SHA-256 hashes of
//! (name key, birth date) and of the appointment code, beside the masked
//! hint; the kiosk hashes what the patient types the same way and looks it
//! up. Matching follows [`crate::names`] exactly.

use crate::date::Date;
use crate::names::{surname_lookup_keys, typed_surname_keys};
use sha2::{Digest, Sha256};

/// One salted hash, hex.
pub fn salted(salt: &str, parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(salt.as_bytes());
    for part in parts {
        // A separator that cannot occur in the parts keeps ("ab","c") and
        // ("a","bc") apart.
        hasher.update([0u8]);
        hasher.update(part.as_bytes());
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The hashes an appointment is indexed under for name + birth date.
pub fn record_name_hashes(salt: &str, family_name: &str, birth_date: Date) -> Vec<String> {
    let birth = birth_date.to_string();
    surname_lookup_keys(family_name)
        .iter()
        .map(|key| salted(salt, &["name", key, &birth]))
        .collect()
}

/// The hashes to look up for what a patient typed.
pub fn typed_name_hashes(salt: &str, typed_family_name: &str, birth_date: Date) -> Vec<String> {
    let birth = birth_date.to_string();
    typed_surname_keys(typed_family_name)
        .iter()
        .map(|key| salted(salt, &["name", key, &birth]))
        .collect()
}

/// The hash an appointment code is indexed under (already normalised:
/// upper case, no spaces or hyphens).
pub fn code_hash(salt: &str, normalised_code: &str) -> String {
    salted(salt, &["code", normalised_code])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::names::surname_matches;
    use proptest::prelude::*;

    const CASES: &str = include_str!("../tests/data/name-matching.tsv");

    fn dob() -> Date {
        "1980-04-12".parse().unwrap()
    }

    fn found(typed: &str, record: &str) -> bool {
        let index = record_name_hashes("salt", record, dob());
        typed_name_hashes("salt", typed, dob())
            .iter()
            .any(|h| index.contains(h))
    }

    #[test]
    fn the_index_agrees_with_the_matcher_on_every_table_case() {
        for line in CASES
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        {
            let f: Vec<&str> = line.split('\t').collect();
            assert_eq!(found(f[0], f[1]), f[2] == "yes", "{line}");
        }
    }

    #[test]
    fn hashes_hide_the_name_and_date_and_depend_on_salt_and_birth_date() {
        let hashes = record_name_hashes("salt", "García López", dob());
        for h in &hashes {
            assert_eq!(h.len(), 64);
            assert!(!h.contains("garcia") && !h.contains("1980"));
        }
        assert_ne!(
            hashes,
            record_name_hashes("other salt", "García López", dob())
        );
        let other_day: Date = "1980-04-13".parse().unwrap();
        assert!(!typed_name_hashes("salt", "garcia", other_day)
            .iter()
            .any(|h| hashes.contains(h)));
        assert_ne!(salted("s", &["ab", "c"]), salted("s", &["a", "bc"]));
        assert_eq!(code_hash("s", "GAR4K7"), code_hash("s", "GAR4K7"));
        assert_ne!(code_hash("s", "GAR4K7"), code_hash("t", "GAR4K7"));
    }

    proptest! {
        /// Offline lookup answers exactly what the online matcher answers.
        #[test]
        fn the_index_agrees_with_the_matcher(typed in "[a-zA-Z' -]{0,20}|\\PC{0,12}", record in "[a-zA-Z' -]{1,24}|\\PC{1,12}") {
            prop_assert_eq!(found(&typed, &record), surname_matches(&typed, &record));
        }
    }
}
