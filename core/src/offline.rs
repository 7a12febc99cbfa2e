//! The offline appointment index: how a kiosk can recognise today's patients
//! while the backend is unreachable without holding their names or birth
//! dates. The server sends, per appointment, salted SHA-256 hashes of
//! (name key, birth date) and of the appointment code, beside the masked
//! hint; the kiosk hashes what the patient types the same way and looks it
//! up. Matching follows [`crate::names`] exactly.

use crate::checkin::normalise_code;
use crate::contract::{AppointmentHint, IndexedAppointment, OfflineIndex};
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

/// One appointment's index entry, as the server builds it.
pub fn index_entry(
    salt: &str,
    family_name: &str,
    birth_date: Date,
    code: &str,
    hint: AppointmentHint,
) -> IndexedAppointment {
    IndexedAppointment {
        name_hashes: record_name_hashes(salt, family_name, birth_date),
        code_hash: code_hash(salt, &normalise_code(code).unwrap_or_default()),
        hint,
    }
}

impl OfflineIndex {
    /// The appointments a typed last name and birth date match, as the
    /// online matcher would answer.
    pub fn find_by_name(&self, typed_family_name: &str, birth_date: Date) -> Vec<AppointmentHint> {
        let typed = typed_name_hashes(&self.salt, typed_family_name, birth_date);
        if typed.is_empty() {
            return Vec::new();
        }
        self.appointments
            .iter()
            .filter(|a| a.name_hashes.iter().any(|h| typed.contains(h)))
            .map(|a| a.hint.clone())
            .collect()
    }

    /// The appointment with this code (as typed or scanned).
    pub fn find_by_code(&self, code: &str) -> Vec<AppointmentHint> {
        let Some(code) = normalise_code(code) else {
            return Vec::new();
        };
        let hash = code_hash(&self.salt, &code);
        self.appointments
            .iter()
            .filter(|a| a.code_hash == hash)
            .map(|a| a.hint.clone())
            .collect()
    }
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

    fn hint(appointment: &str) -> AppointmentHint {
        AppointmentHint {
            appointment: appointment.into(),
            initials: "M. G.".into(),
            time: "09:30".into(),
            clinician: "Dr. Lee".into(),
            ticket: None,
        }
    }

    #[test]
    fn an_index_finds_by_name_and_code_and_holds_neither() {
        let index = OfflineIndex {
            day: "2026-11-27".into(),
            salt: "day salt".into(),
            appointments: vec![
                index_entry("day salt", "García López", dob(), "gar-4k7", hint("a1")),
                index_entry("day salt", "Okafor", dob(), "OKA9", hint("a2")),
            ],
        };
        let found =
            |h: Vec<AppointmentHint>| h.into_iter().map(|h| h.appointment).collect::<Vec<_>>();
        assert_eq!(found(index.find_by_name("garcia", dob())), ["a1"]);
        assert_eq!(found(index.find_by_name("GARCIA LOPEZ", dob())), ["a1"]);
        assert!(index
            .find_by_name("garcia", "1980-04-13".parse().unwrap())
            .is_empty());
        assert!(index.find_by_name("", dob()).is_empty());
        assert_eq!(found(index.find_by_code(" gar 4k7 ")), ["a1"]);
        assert_eq!(found(index.find_by_code("OKA9")), ["a2"]);
        assert!(index.find_by_code("OKA8").is_empty());
        assert!(index.find_by_code("x").is_empty());
        let json = serde_json::to_string(&index).unwrap().to_lowercase();
        for secret in ["garc", "lopez", "okafor", "1980", "gar4k7", "oka9"] {
            assert!(!json.contains(secret), "{secret} in {json}");
        }
    }

    proptest! {
        /// Offline lookup answers exactly what the online matcher answers.
        #[test]
        fn the_index_agrees_with_the_matcher(typed in "[a-zA-Z' -]{0,20}|\\PC{0,12}", record in "[a-zA-Z' -]{1,24}|\\PC{1,12}") {
            prop_assert_eq!(found(&typed, &record), surname_matches(&typed, &record));
        }
    }
}
