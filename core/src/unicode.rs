//! The Unicode data the rules need beyond what they can carry cheaply:
//! the canonical normal forms and case mappings.
//!
//! Natively they come from the unicode-normalization crate and the
//! standard library. In the browser they come from the browser's own
//! `String.prototype.normalize`, `toLowerCase` and `toUpperCase`, whose
//! tables every browser carries anyway: the crate's and std's would be some
//! 60 KiB (brotli) of a kiosk's download, for the few names it handles. Both
//! follow the Unicode standard; `tests/data/name-keys.tsv` and
//! `tests/data/natural-case.tsv` hold the two to the same results (natively
//! in core's tests, in Chromium in the app's `tests/web.rs`), so a key the
//! server indexes is the key a kiosk looks up.

/// `s` composed (NFC).
pub fn nfc(s: &str) -> String {
    imp::nfc(s)
}

/// `s` decomposed (NFD).
pub fn nfd(s: &str) -> String {
    imp::nfd(s)
}

/// `s` in lower case (Unicode's full mapping, with the final sigma).
pub fn lowercase(s: &str) -> String {
    imp::lowercase(s)
}

/// The upper case of `c` alone, when that is one character ('ß' is "SS":
/// `None`).
pub fn upper_char(c: char) -> Option<char> {
    one_char(&imp::uppercase_char(c))
}

/// The lower case of `c` alone, when that is one character ('İ' is "i̇":
/// `None`).
pub fn lower_char(c: char) -> Option<char> {
    one_char(&imp::lowercase_char(c))
}

fn one_char(mapped: &str) -> Option<char> {
    let mut chars = mapped.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => Some(c),
        _ => None,
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod imp {
    use unicode_normalization::UnicodeNormalization;

    pub fn nfc(s: &str) -> String {
        s.nfc().collect()
    }

    pub fn nfd(s: &str) -> String {
        s.nfd().collect()
    }

    pub fn lowercase(s: &str) -> String {
        s.to_lowercase()
    }

    pub fn uppercase_char(c: char) -> String {
        c.to_uppercase().collect()
    }

    pub fn lowercase_char(c: char) -> String {
        c.to_lowercase().collect()
    }
}

#[cfg(target_arch = "wasm32")]
mod imp {
    use js_sys::JsString;

    pub fn nfc(s: &str) -> String {
        JsString::from(s).normalize("NFC").into()
    }

    pub fn nfd(s: &str) -> String {
        JsString::from(s).normalize("NFD").into()
    }

    pub fn lowercase(s: &str) -> String {
        JsString::from(s).to_lower_case().into()
    }

    pub fn uppercase_char(c: char) -> String {
        JsString::from(c).to_upper_case().into()
    }

    pub fn lowercase_char(c: char) -> String {
        JsString::from(c).to_lower_case().into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_character_mappings_only() {
        assert_eq!(upper_char('ß'), None);
        assert_eq!(upper_char('é'), Some('É'));
        assert_eq!(lower_char('İ'), None);
        assert_eq!(lower_char('Ǆ'), Some('ǆ'));
        assert_eq!(upper_char('1'), Some('1'));
    }

    #[test]
    fn lower_case_knows_the_final_sigma() {
        assert_eq!(lowercase("ΣΩΚΡΑΤΗΣ"), "σωκρατης");
        assert_eq!(lowercase("İnce"), "i\u{307}nce");
    }

    #[test]
    fn normal_forms() {
        assert_eq!(nfc("u\u{308}"), "ü");
        assert_eq!(nfd("ü"), "u\u{308}");
    }
}
