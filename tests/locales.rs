//! Every locale has every key English has, with the same placeholders, and
//! no key English lacks. (leptos_i18n would quietly fall back to English for
//! a missing key; a patient would then see a mixed-language screen.)
#![cfg(not(target_arch = "wasm32"))]

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

const LOCALES: [&str; 3] = ["en", "es", "ar"];

/// Flattens nested keys to `a.b.c` → text.
fn flatten(prefix: &str, value: &Value, out: &mut BTreeMap<String, String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                flatten(&path, child, out);
            }
        }
        Value::String(text) => {
            out.insert(prefix.to_owned(), text.clone());
        }
        other => panic!("{prefix}: translations are strings, found {other}"),
    }
}

fn load(locale: &str) -> BTreeMap<String, String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("locales/{locale}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let json: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{locale}: {e}"));
    let mut keys = BTreeMap::new();
    flatten("", &json, &mut keys);
    keys
}

/// The `{{ name }}` placeholders in a text, sorted.
fn placeholders(text: &str) -> Vec<String> {
    let mut found: Vec<String> = text
        .split("{{")
        .skip(1)
        .filter_map(|rest| rest.split_once("}}"))
        .map(|(name, _)| name.trim().to_owned())
        .collect();
    found.sort();
    found
}

#[test]
fn every_locale_has_exactly_the_english_keys_and_placeholders() {
    let english = load("en");
    assert!(
        english.len() > 20,
        "English has only {} keys",
        english.len()
    );
    let mut problems = Vec::new();
    for locale in LOCALES.iter().filter(|l| **l != "en") {
        let other = load(locale);
        for (key, text) in &english {
            match other.get(key) {
                None => problems.push(format!("{locale}: missing {key}")),
                Some(t) if t.trim().is_empty() => problems.push(format!("{locale}: empty {key}")),
                Some(t) if placeholders(t) != placeholders(text) => problems.push(format!(
                    "{locale}: {key} has placeholders {:?}",
                    placeholders(t)
                )),
                Some(_) => {}
            }
        }
        for key in other.keys().filter(|k| !english.contains_key(*k)) {
            problems.push(format!("{locale}: {key} is not an English key"));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn placeholder_parsing_finds_names() {
    assert_eq!(placeholders("a {{ x }} b {{y}}"), ["x", "y"]);
    assert!(placeholders("none").is_empty());
}
