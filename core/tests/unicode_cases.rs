//! `data/name-keys.tsv` and `data/natural-case.tsv`, natively: how the
//! server folds and tidies names.

#[path = "data/unicode_cases.rs"]
mod unicode_cases;

#[test]
fn every_name_in_the_table_has_its_keys() {
    unicode_cases::every_name_has_its_keys();
}

#[test]
fn every_text_in_the_table_is_cased_as_it_says() {
    unicode_cases::every_text_is_cased_alike();
}
