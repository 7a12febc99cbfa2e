use crate::i18n::*;
use leptos_i18n::I18nContext;
use waitwell_core::client::ClientError;

/// A request failure in words a person can act on, in the current language.
pub fn error_text(i18n: I18nContext<Locale>, error: &ClientError) -> String {
    match error {
        ClientError::Network => t_string!(i18n, errors.network).to_string(),
        ClientError::Timeout => t_string!(i18n, errors.timeout).to_string(),
        ClientError::Aborted => t_string!(i18n, errors.aborted).to_string(),
        ClientError::Unavailable { .. } => t_string!(i18n, errors.unavailable).to_string(),
        ClientError::Rejected { .. } => t_string!(i18n, errors.rejected).to_string(),
        ClientError::Decode => t_string!(i18n, errors.decode).to_string(),
        ClientError::Unsupported => t_string!(i18n, errors.unsupported).to_string(),
        ClientError::NotEnrolled => t_string!(i18n, errors.not_enrolled).to_string(),
    }
}
