//! The check behind `name-keys.tsv`, shared by core's native test
//! (`core/tests/name_keys.rs`, the unicode-normalization crate's tables) and
//! the app's in-browser one (`tests/web.rs`, the browser's): both must give
//! every name in the table its keys, or a kiosk would look a patient up by a
//! key the server never indexed.

use waitwell_core::names::{surname_lookup_keys, typed_surname_keys};

const TABLE: &str = include_str!("name-keys.tsv");

/// Panics with every name whose keys differ from the table's.
pub fn every_name_has_its_keys() {
    let mut checked = 0;
    let mut wrong = Vec::new();
    for line in TABLE
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let fields: Vec<&str> = line.split('\t').collect();
        assert_eq!(fields.len(), 4, "malformed line {line:?}");
        let [name, lookup, typed, what] = [fields[0], fields[1], fields[2], fields[3]];
        let keys = |k: Vec<String>| k.join(",");
        let (got_lookup, got_typed) = (
            keys(surname_lookup_keys(name)),
            keys(typed_surname_keys(name)),
        );
        if got_lookup != lookup || got_typed != typed {
            wrong.push(format!(
                "{name:?} ({what}): lookup {got_lookup:?}, typed {got_typed:?}; \
                 the table says {lookup:?}, {typed:?}"
            ));
        }
        checked += 1;
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
    assert!(checked >= 40, "only {checked} names");
}
