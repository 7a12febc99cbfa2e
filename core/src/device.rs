//! Per-device settings chosen at `/setup`.
//!
//! They describe the device, never a patient, so they may live in the
//! browser's local storage. What is read back from storage is untrusted: a
//! garbled or old value must decode to an error, not a panic.

use crate::Surface;
use serde::{Deserialize, Serialize};

/// How one tablet or screen is set up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct DeviceSettings {
    /// The surface this device shows at `/`.
    pub surface: Surface,
    /// The language the device returns to after each patient, as a locale
    /// tag such as `en`; `None` follows the browser's preference.
    pub language: Option<String>,
    /// This device's id, sent with kiosk requests so the server can limit
    /// failed attempts per device and show the device's health. Made once,
    /// at random, the first time the app starts.
    pub id: Option<String>,
}

/// Why stored settings could not be read.
#[derive(Debug, thiserror::Error)]
pub enum DeviceSettingsError {
    /// The stored text is not valid settings JSON.
    #[error("stored device settings are not valid: {0}")]
    Invalid(#[from] serde_json::Error),
}

impl DeviceSettings {
    /// Longest stored text accepted; anything longer is not ours.
    pub const MAX_STORED_LEN: usize = 1024;

    /// Decodes settings read back from storage.
    pub fn decode(stored: &str) -> Result<Self, DeviceSettingsError> {
        if stored.len() > Self::MAX_STORED_LEN {
            return Err(DeviceSettingsError::Invalid(serde::de::Error::custom(
                "stored value too long",
            )));
        }
        Ok(serde_json::from_str(stored)?)
    }

    /// Encodes settings for storage.
    pub fn encode(&self) -> String {
        // Serialising a struct of plain strings and enums cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn settings_round_trip() {
        let settings = DeviceSettings {
            surface: Surface::Board,
            language: Some("ar".into()),
            id: Some("0b5c2f0e-6d0a-4b8e-9a57-3f1f2d7c9e11".into()),
        };
        assert_eq!(
            DeviceSettings::decode(&settings.encode()).unwrap(),
            settings
        );
    }

    #[test]
    fn missing_fields_take_defaults() {
        let settings = DeviceSettings::decode("{}").unwrap();
        assert_eq!(settings.surface, Surface::CheckIn);
        assert_eq!(settings.language, None);
    }

    #[test]
    fn garbage_and_unknown_values_are_errors() {
        for stored in [
            "",
            "null",
            "{\"surface\":\"kitchen\"}",
            "{\"surface\":3}",
            "{\"surface\":\"board\",\"patient\":\"x\"}",
        ] {
            assert!(DeviceSettings::decode(stored).is_err(), "{stored:?}");
        }
    }

    #[test]
    fn oversized_values_are_rejected_before_parsing() {
        let padded = format!("{{\"language\":\"{}\"}}", "e".repeat(2000));
        assert!(DeviceSettings::decode(&padded).is_err());
    }

    proptest! {
        #[test]
        fn decoding_arbitrary_text_never_panics(stored in ".{0,200}") {
            let _ = DeviceSettings::decode(&stored);
        }

        #[test]
        fn decoding_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let stored = String::from_utf8_lossy(&bytes);
            let _ = DeviceSettings::decode(&stored);
        }
    }
}
