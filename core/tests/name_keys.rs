//! `data/name-keys.tsv`, natively: the keys the server indexes names by.

#[path = "data/name_keys.rs"]
mod name_keys;

#[test]
fn every_name_in_the_table_has_its_keys() {
    name_keys::every_name_has_its_keys();
}
