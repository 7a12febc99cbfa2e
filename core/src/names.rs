//! Matching a last name typed at the kiosk against the one on record.
//!
//! People type on a tablet keyboard without accents, apostrophes or capitals,
//! and many Spanish-speaking patients give only their first surname. So the
//! match ignores case, accents and punctuation and accepts the first part of
//! a compound surname. It never matches on spelling similarity: a wrong
//! identity is worse than a retry.

use crate::unicode;

/// Longest typed name considered; longer input is not a name.
pub const MAX_NAME_CHARS: usize = 100;

/// Lower-case words that belong to the name part after them ("van der Berg"
/// is one part), so they are never a part on their own.
const PARTICLES: &[&str] = &[
    "al", "ben", "bin", "da", "das", "de", "degli", "del", "della", "der", "des", "di", "do",
    "dos", "du", "el", "ibn", "la", "le", "lo", "st", "te", "ten", "ter", "van", "von", "zu",
];

/// Whether `typed` (as entered at the kiosk) identifies `on_record` (the
/// family name in the schedule).
///
/// It matches when, ignoring case, accents and punctuation, `typed` is the
/// whole name, or its first part when the record is a compound surname
/// ("García López", "Smith-Jones").
pub fn surname_matches(typed: &str, on_record: &str) -> bool {
    let record = surname_lookup_keys(on_record);
    typed_surname_keys(typed)
        .iter()
        .any(|key| record.contains(key))
}

/// The key under which a name is indexed: the whole name, folded. Two names
/// with the same key are the same to [`surname_matches`] as whole names.
pub fn surname_key(name: &str) -> String {
    name_parts(name, Transliteration::Plain).concat()
}

/// The keys a typed name is looked up by: the whole of it, folded, with
/// plain and German transliteration (deduplicated, empty when nothing
/// usable was typed). A record matches when one of these is one of its
/// [`surname_lookup_keys`].
pub fn typed_surname_keys(typed: &str) -> Vec<String> {
    if typed.chars().count() > MAX_NAME_CHARS {
        return Vec::new();
    }
    let mut keys = Vec::new();
    for t in [Transliteration::Plain, Transliteration::German] {
        let key = name_parts(typed, t).concat();
        if !key.is_empty() && !keys.contains(&key) {
            keys.push(key);
        }
    }
    keys
}

/// The keys a record can be found by: the whole name and its first part,
/// each with plain and German transliteration (deduplicated).
pub fn surname_lookup_keys(on_record: &str) -> Vec<String> {
    let mut keys = Vec::new();
    for t in [Transliteration::Plain, Transliteration::German] {
        let parts = name_parts(on_record, t);
        let whole = parts.concat();
        for key in [whole, parts.first().cloned().unwrap_or_default()] {
            if !key.is_empty() && !keys.contains(&key) {
                keys.push(key);
            }
        }
    }
    keys
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Transliteration {
    /// Accents dropped: "Müller" → "muller".
    Plain,
    /// German umlauts spelled out first: "Müller" → "mueller".
    German,
}

/// Splits a name into folded parts: lower case, no accents, no apostrophes;
/// hyphens and spaces separate parts; particles join the part after them.
fn name_parts(name: &str, transliteration: Transliteration) -> Vec<String> {
    let folded = fold(name, transliteration);
    let words: Vec<&str> = folded.split(' ').filter(|w| !w.is_empty()).collect();
    let mut parts = Vec::new();
    let mut pending = String::new();
    for (i, word) in words.iter().enumerate() {
        pending.push_str(word);
        let is_last = i + 1 == words.len();
        if !PARTICLES.contains(word) || is_last {
            parts.push(std::mem::take(&mut pending));
        }
    }
    parts
}

/// Lower-cases and strips accents, turning separators into single spaces
/// and dropping every other non-alphanumeric character.
fn fold(name: &str, transliteration: Transliteration) -> String {
    let mut out = String::with_capacity(name.len());
    // Compose first so an umlaut typed as u + combining diaeresis is seen.
    for c in unicode::lowercase(&unicode::nfc(name)).chars() {
        if transliteration == Transliteration::German {
            match c {
                'ä' => {
                    out.push_str("ae");
                    continue;
                }
                'ö' => {
                    out.push_str("oe");
                    continue;
                }
                'ü' => {
                    out.push_str("ue");
                    continue;
                }
                _ => {}
            }
        }
        match c {
            'ß' => out.push_str("ss"),
            'æ' => out.push_str("ae"),
            'œ' => out.push_str("oe"),
            'ø' => out.push('o'),
            'ł' => out.push('l'),
            'đ' | 'ð' => out.push('d'),
            'þ' => out.push_str("th"),
            'ı' => out.push('i'),
            c if c.is_whitespace()
                || matches!(c, '-' | '‐' | '‑' | '–' | '—' | '_' | '.' | ',') =>
            {
                out.push(' ')
            }
            c => {
                // Decompose and keep the base letters: "ễ" → "e".
                let mut one = [0u8; 4];
                for d in unicode::nfd(c.encode_utf8(&mut one)).chars() {
                    if d.is_alphanumeric() {
                        out.push(d);
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// `../shared/data/name-matching.tsv`, copied into the repository so the
    /// test runs anywhere; every line of it is a case here.
    const CASES: &str = include_str!("../tests/data/name-matching.tsv");

    #[test]
    fn every_case_in_the_name_matching_table() {
        let mut checked = 0;
        let mut wrong = Vec::new();
        for line in CASES
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        {
            let fields: Vec<&str> = line.split('\t').collect();
            assert_eq!(fields.len(), 4, "malformed line {line:?}");
            let expected = match fields[2] {
                "yes" => true,
                "no" => false,
                other => panic!("expected yes/no, got {other:?}"),
            };
            if surname_matches(fields[0], fields[1]) != expected {
                wrong.push(format!(
                    "{:?} vs {:?}: expected {expected} ({})",
                    fields[0], fields[1], fields[3]
                ));
            }
            checked += 1;
        }
        assert!(wrong.is_empty(), "{wrong:#?}");
        assert_eq!(
            checked,
            CASES
                .lines()
                .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
                .count()
        );
        assert!(checked >= 25, "only {checked} cases");
    }

    #[test]
    fn blank_or_punctuation_only_input_matches_nothing() {
        for typed in ["", "   ", "'", "-", "..."] {
            assert!(!surname_matches(typed, "O'Brien"), "{typed:?}");
            assert!(!surname_matches(typed, ""), "{typed:?}");
        }
    }

    #[test]
    fn a_particle_alone_is_not_a_name() {
        assert!(!surname_matches("van", "van der Berg"));
        assert!(!surname_matches("de", "de la Cruz"));
        assert!(surname_matches("de la cruz", "de la Cruz"));
        assert!(surname_matches("garcia", "García de la Cruz"));
        assert!(!surname_matches("cruz", "García de la Cruz"));
    }

    #[test]
    fn combining_marks_and_precomposed_letters_are_the_same() {
        assert!(surname_matches("Mu\u{308}ller", "Müller"));
        assert!(surname_matches("mueller", "Mu\u{308}ller"));
        assert!(surname_matches("Nguyê\u{303}n", "nguyen"));
    }

    #[test]
    fn over_long_input_is_refused() {
        let long = "a".repeat(MAX_NAME_CHARS + 1);
        assert!(!surname_matches(&long, &long));
    }

    #[test]
    fn lookup_keys_cover_whole_name_first_part_and_transliteration() {
        assert_eq!(
            surname_lookup_keys("García López"),
            ["garcialopez", "garcia"]
        );
        assert_eq!(surname_lookup_keys("Müller"), ["muller", "mueller"]);
        assert_eq!(surname_key("O’Brien"), "obrien");
    }

    proptest! {
        #[test]
        fn a_name_always_matches_itself(name in "\\PC{1,40}") {
            if !surname_key(&name).is_empty() {
                prop_assert!(surname_matches(&name, &name));
            }
        }

        #[test]
        fn case_never_matters(name in "[a-zA-Z]{1,20}( [a-zA-Z]{1,20})?") {
            prop_assert!(surname_matches(&name.to_uppercase(), &name.to_lowercase()));
        }

        #[test]
        fn a_strict_prefix_of_a_single_part_never_matches(name in "[a-z]{3,20}", cut in 1usize..3) {
            let prefix = &name[..name.len() - cut];
            prop_assume!(!PARTICLES.contains(&prefix));
            prop_assert!(!surname_matches(prefix, &name));
        }

        #[test]
        fn arbitrary_input_never_panics(typed in ".{0,120}", record in ".{0,60}") {
            let _ = surname_matches(&typed, &record);
            let _ = surname_lookup_keys(&record);
        }
    }
}
