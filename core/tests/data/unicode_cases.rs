//! The checks behind `name-keys.tsv` and `natural-case.tsv`, shared by
//! core's native test (`core/tests/unicode_cases.rs`: the
//! unicode-normalization crate's and std's tables) and the app's in-browser
//! one (`tests/web.rs`: the browser's, see `waitwell_core::unicode`). Both
//! must give every line its results, or a kiosk would look a patient up by a
//! key the server never indexed.

use waitwell_core::names::{surname_lookup_keys, typed_surname_keys};
use waitwell_core::unicode::lowercase;
use waitwell_core::walk_in::{last_initial, natural_case};

/// The lines of a table that are not comments, split at tabs into `N`
/// fields.
fn lines<const N: usize>(table: &str) -> Vec<[&str; N]> {
    table
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            fields
                .try_into()
                .unwrap_or_else(|_| panic!("not {N} fields: {line:?}"))
        })
        .collect()
}

/// Panics with every name whose keys differ from `name-keys.tsv`'s.
pub fn every_name_has_its_keys() {
    let table = lines::<4>(include_str!("name-keys.tsv"));
    let wrong: Vec<String> = table
        .iter()
        .filter_map(|[name, lookup, typed, what]| {
            let got_lookup = surname_lookup_keys(name).join(",");
            let got_typed = typed_surname_keys(name).join(",");
            (got_lookup != *lookup || got_typed != *typed).then(|| {
                format!(
                    "{name:?} ({what}): lookup {got_lookup:?}, typed {got_typed:?}; \
                     the table says {lookup:?}, {typed:?}"
                )
            })
        })
        .collect();
    assert!(wrong.is_empty(), "{wrong:#?}");
    assert!(table.len() >= 40, "only {} names", table.len());
}

/// Panics with every text whose natural case, lower case or initial
/// differs from `natural-case.tsv`'s.
pub fn every_text_is_cased_alike() {
    let table = lines::<5>(include_str!("natural-case.tsv"));
    let wrong: Vec<String> = table
        .iter()
        .filter_map(|[text, natural, lower, initial, what]| {
            let got = [
                natural_case(text),
                lowercase(text),
                text.chars()
                    .next()
                    .and_then(|c| last_initial(&c.to_string()).ok())
                    .map_or_else(|| "-".to_owned(), String::from),
            ];
            (got != [*natural, *lower, *initial])
                .then(|| format!("{text:?} ({what}): {got:?}; the table says {natural:?}, {lower:?}, {initial:?}"))
        })
        .collect();
    assert!(wrong.is_empty(), "{wrong:#?}");
    assert!(table.len() >= 20, "only {} texts", table.len());
}
