//! The offline appointment index: how a kiosk can recognise today's patients
//! while the backend is unreachable without holding their names or birth
//! dates. The server sends, per appointment, keyed hashes of (name key,
//! birth date) and of the appointment code, beside the masked hint; the
//! kiosk hashes what the patient types the same way and looks it up.
//! Matching follows [`crate::names`] exactly.
//!
//! The hash is argon2id, slow and memory-hard on purpose: whoever holds an
//! index (a stolen kiosk) can only test candidates one expensive hash at a
//! time, while a kiosk needs one or two per lookup. Its cost is
//! [`INDEX_HASH`]; README.md gives the figures.

use crate::checkin::normalise_code;
use crate::contract::{AppointmentHint, IndexedAppointment, OfflineIndex};
use crate::date::Date;
use crate::names::{surname_lookup_keys, typed_surname_keys};
use argon2::{Algorithm, Argon2, Params, Version};

/// The cost of one index hash: argon2id, 12 MiB, 2 passes, 1 lane (about
/// 12 ms on the reference machine: 11 M candidates take more than a day).
pub const INDEX_HASH_MEMORY_KIB: u32 = 12 * 1024;
pub const INDEX_HASH_PASSES: u32 = 2;
/// The name of the scheme, sent with every index: a kiosk ignores an index
/// keyed any other way (an older server's, or a stored one from before an
/// update) rather than finding nobody in it.
pub const INDEX_HASH: &str = "argon2id-v19-m12288-t2-p1";
// The README's and SECURITY.md's figures are for at least this cost: a
// cheaper setting does not build.
const _: () = assert!(INDEX_HASH_MEMORY_KIB >= 12 * 1024 && INDEX_HASH_PASSES >= 2);

/// Bytes of each hash (hex in the index).
const HASH_BYTES: usize = 16;

/// One keyed hash of `parts` under `salt`, hex; `None` if the salt is
/// unusable (shorter than argon2's 8 bytes).
pub fn keyed(salt: &str, parts: &[&str]) -> Option<String> {
    let mut input = Vec::new();
    for part in parts {
        // A separator that cannot occur in the parts keeps ("ab","c") and
        // ("a","bc") apart.
        input.push(0u8);
        input.extend_from_slice(part.as_bytes());
    }
    let params = Params::new(
        INDEX_HASH_MEMORY_KIB,
        INDEX_HASH_PASSES,
        1,
        Some(HASH_BYTES),
    )
    .ok()?;
    let mut out = [0u8; HASH_BYTES];
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(&input, salt.as_bytes(), &mut out)
        .ok()?;
    Some(out.iter().map(|b| format!("{b:02x}")).collect())
}

/// The hashes an appointment is indexed under for name + birth date.
pub fn record_name_hashes(salt: &str, family_name: &str, birth_date: Date) -> Vec<String> {
    let birth = birth_date.to_string();
    surname_lookup_keys(family_name)
        .iter()
        .filter_map(|key| keyed(salt, &["name", key, &birth]))
        .collect()
}

/// The hashes to look up for what a patient typed.
pub fn typed_name_hashes(salt: &str, typed_family_name: &str, birth_date: Date) -> Vec<String> {
    let birth = birth_date.to_string();
    typed_surname_keys(typed_family_name)
        .iter()
        .filter_map(|key| keyed(salt, &["name", key, &birth]))
        .collect()
}

/// The hash an appointment code is indexed under (already normalised:
/// upper case, no spaces or hyphens).
pub fn code_hash(salt: &str, normalised_code: &str) -> Option<String> {
    keyed(salt, &["code", normalised_code])
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
        // An entry whose code cannot be hashed is found by name only (an
        // empty hash is never looked up).
        code_hash: normalise_code(code)
            .and_then(|c| code_hash(salt, &c))
            .unwrap_or_default(),
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
        let Some(hash) = normalise_code(code).and_then(|c| code_hash(&self.salt, &c)) else {
            return Vec::new();
        };
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

    const SALT: &str = "0123456789abcdef";

    fn dob() -> Date {
        "1980-04-12".parse().unwrap()
    }

    fn found(typed: &str, record: &str) -> bool {
        let index = record_name_hashes(SALT, record, dob());
        typed_name_hashes(SALT, typed, dob())
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
        let hashes = record_name_hashes(SALT, "García López", dob());
        for h in &hashes {
            assert_eq!(h.len(), 2 * HASH_BYTES);
            assert!(!h.contains("garcia") && !h.contains("1980"));
        }
        assert_ne!(
            hashes,
            record_name_hashes("another day's salt", "García López", dob())
        );
        let other_day: Date = "1980-04-13".parse().unwrap();
        assert!(!typed_name_hashes(SALT, "garcia", other_day)
            .iter()
            .any(|h| hashes.contains(h)));
        assert_ne!(keyed(SALT, &["ab", "c"]), keyed(SALT, &["a", "bc"]));
        assert_eq!(code_hash(SALT, "GAR4K7"), code_hash(SALT, "GAR4K7"));
        assert_ne!(
            code_hash(SALT, "GAR4K7"),
            code_hash("another salt", "GAR4K7")
        );
        // A salt argon2 cannot use hashes nothing, so finds nothing.
        assert!(record_name_hashes("short", "García López", dob()).is_empty());
        assert_eq!(code_hash("short", "GAR4K7"), None);
    }

    fn hint(appointment: &str) -> AppointmentHint {
        AppointmentHint {
            appointment: appointment.into(),
            initials: "M. G.".into(),
            time: "09:30".into(),
            clinician: "Dr. Lee".into(),
            ticket: None,
            line: None,
        }
    }

    #[test]
    fn an_index_finds_by_name_and_code_and_holds_neither() {
        let index = OfflineIndex {
            day: "2026-11-27".into(),
            salt: SALT.into(),
            hash: INDEX_HASH.into(),
            appointments: vec![
                index_entry(SALT, "García López", dob(), "gar-4k7", hint("a1")),
                index_entry(SALT, "Okafor", dob(), "OKA9", hint("a2")),
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
        // Each case hashes a few times at 8 MiB: fewer cases than usual.
        #![proptest_config(ProptestConfig::with_cases(48))]
        /// Offline lookup answers exactly what the online matcher answers.
        #[test]
        fn the_index_agrees_with_the_matcher(typed in "[a-zA-Z' -]{0,20}|\\PC{0,12}", record in "[a-zA-Z' -]{1,24}|\\PC{1,12}") {
            prop_assert_eq!(found(&typed, &record), surname_matches(&typed, &record));
        }
    }
}
