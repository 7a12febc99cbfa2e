//! Free text as the contract accepts it.

/// Trimmed text of 1..=max characters with no control characters: what
/// every free-text field of the contract accepts.
pub fn clean_text(text: &str, max: usize) -> Option<String> {
    let text = text.trim();
    let len = text.chars().count();
    ((1..=max).contains(&len) && !text.chars().any(char::is_control)).then(|| text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_bounded_and_free_of_controls() {
        assert_eq!(clean_text("  Polski ", 10), Some("Polski".into()));
        assert_eq!(clean_text("   ", 10), None);
        assert_eq!(clean_text("abc", 2), None);
        assert_eq!(clean_text("ab", 2), Some("ab".into()));
        assert_eq!(clean_text("a\u{7}b", 10), None);
        assert_eq!(clean_text("ñandú", 5), Some("ñandú".into()));
    }
}
