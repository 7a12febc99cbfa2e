//! Words for values that come from the site's settings.

use crate::i18n::*;
use leptos_i18n::I18nContext;

/// A configured reason in the patient's language (known categories are
/// translated; anything else is shown as the site wrote it).
pub fn reason_text(i18n: I18nContext<Locale>, reason: &str) -> String {
    match reason {
        "prescription" => t_string!(i18n, reasons.prescription).to_string(),
        "test_results" => t_string!(i18n, reasons.test_results).to_string(),
        "minor_illness" => t_string!(i18n, reasons.minor_illness).to_string(),
        "injury" => t_string!(i18n, reasons.injury).to_string(),
        "vaccination" => t_string!(i18n, reasons.vaccination).to_string(),
        "other" => t_string!(i18n, reasons.other).to_string(),
        other => other.to_owned(),
    }
}
