//! Per-device settings chosen at `/setup`.
//!
//! They describe the device, never a patient, so they may live in the
//! browser's local storage. What is read back from storage is untrusted: a
//! garbled or old value must decode to an error, not a panic.

use crate::contract::{DeviceStatus, ParkedDecision, ParkedOrder, ParkedWrite};
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
    /// No longer used: the server names devices from their enrollment
    /// credential. Kept so that settings stored by older builds still read.
    pub id: Option<String>,
    /// The role this device was last known to be enrolled for, so that it
    /// starts while the server cannot be reached. Cleared when the server
    /// says it is not enrolled.
    pub enrolled: Option<Surface>,
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

/// What to do with staff decisions about a device's parked writes at its
/// heartbeat.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settled {
    /// Decisions to hand the device now.
    pub send: Vec<ParkedOrder>,
    /// Keys whose decision is done with and can be forgotten.
    pub forget: Vec<String>,
}

/// Settles `decided` against what a device now `reported` parked.
///
/// A decision is done once the device no longer reports its write. A retry
/// is handed out once: should the write be refused again, it parks again
/// and waits for staff rather than going round and round. A device that
/// cannot read its storage reports nothing parked without having done
/// anything, so its decisions stay.
pub fn settle_orders(
    decided: &[ParkedOrder],
    reported: &[ParkedWrite],
    storage_failed: bool,
) -> Settled {
    let mut settled = Settled::default();
    for order in decided {
        let is_reported = reported.iter().any(|p| p.key == order.key);
        if is_reported {
            settled.send.push(order.clone());
        }
        let once = order.decision == ParkedDecision::Retry;
        if (!is_reported && !storage_failed) || (is_reported && once) {
            settled.forget.push(order.key.clone());
        }
    }
    settled
}

/// One parked write as reception lists it: its device, the write, and
/// the decision staff made that the device has not carried out yet.
pub type ParkedRow = (String, ParkedWrite, Option<ParkedDecision>);

/// Every device's parked writes, oldest first, each with its pending
/// decision.
pub fn parked_rows(devices: &[DeviceStatus]) -> Vec<ParkedRow> {
    let mut all: Vec<ParkedRow> = devices
        .iter()
        .flat_map(|d| {
            d.parked.iter().map(|p| {
                let decided = d.orders.iter().find(|o| o.key == p.key).map(|o| o.decision);
                (d.device.clone(), p.clone(), decided)
            })
        })
        .collect();
    all.sort_by(|a, b| a.1.created_at.cmp(&b.1.created_at));
    all
}

/// What a tablet needs from staff, as reception's alerts say it (staff
/// deal with it at `/tablets`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attention {
    /// `count` writes the server refused wait for a staff decision.
    Parked { name: String, count: usize },
    /// No report since `since` (RFC 3339).
    Offline { name: String, since: String },
    /// It cannot keep what patients enter.
    StorageFailed { name: String },
}

/// The tablets that need staff, in the order the server lists them: those
/// holding refused writes nobody decided on yet, those gone quiet, those
/// that cannot save. A tablet may need staff for more than one reason.
pub fn needs_staff(devices: &[DeviceStatus]) -> Vec<Attention> {
    let mut needs = Vec::new();
    for d in devices {
        let undecided = d
            .parked
            .iter()
            .filter(|p| !d.orders.iter().any(|o| o.key == p.key))
            .count();
        if undecided > 0 {
            needs.push(Attention::Parked {
                name: d.name.clone(),
                count: undecided,
            });
        }
        if let Some(since) = &d.offline_since {
            needs.push(Attention::Offline {
                name: d.name.clone(),
                since: since.clone(),
            });
        } else if d.storage_failed {
            needs.push(Attention::StorageFailed {
                name: d.name.clone(),
            });
        }
    }
    needs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::WriteKind;
    use proptest::prelude::*;

    fn order(key: &str, decision: ParkedDecision) -> ParkedOrder {
        ParkedOrder {
            key: key.into(),
            decision,
        }
    }

    fn parked(key: &str) -> ParkedWrite {
        ParkedWrite {
            key: key.into(),
            kind: WriteKind::CheckIn,
            created_at: "2026-03-10T08:00:00Z".into(),
            status: 422,
            code: String::new(),
        }
    }

    #[test]
    fn orders_are_handed_out_until_carried_out_and_a_retry_once() {
        let decided = [
            order("r", ParkedDecision::Retry),
            order("x", ParkedDecision::Resolved),
            order("gone", ParkedDecision::Resolved),
        ];
        let reported = [parked("r"), parked("x")];
        let s = settle_orders(&decided, &reported, false);
        assert_eq!(s.send, decided[..2].to_vec());
        // The retry goes out once; the removal until the device stops
        // reporting it; the one no longer reported is done.
        assert_eq!(s.forget, ["r", "gone"]);
    }

    #[test]
    fn a_device_whose_storage_failed_keeps_its_decisions() {
        let decided = [order("x", ParkedDecision::Resolved)];
        let s = settle_orders(&decided, &[], true);
        assert!(s.send.is_empty() && s.forget.is_empty());
        assert_eq!(settle_orders(&decided, &[], false).forget, ["x"]);
    }

    #[test]
    fn settings_round_trip() {
        let settings = DeviceSettings {
            surface: Surface::Board,
            language: Some("ar".into()),
            id: None,
            enrolled: Some(Surface::Board),
        };
        assert_eq!(
            DeviceSettings::decode(&settings.encode()).unwrap(),
            settings
        );
    }

    #[test]
    fn settings_stored_by_an_older_build_still_read() {
        let old =
            r#"{"surface":"survey","language":"es","id":"0b5c2f0e-6d0a-4b8e-9a57-3f1f2d7c9e11"}"#;
        let settings = DeviceSettings::decode(old).unwrap();
        assert_eq!(settings.surface, Surface::Survey);
        assert_eq!(settings.enrolled, None);
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

    fn device(name: &str, parked: Vec<ParkedWrite>, orders: Vec<ParkedOrder>) -> DeviceStatus {
        DeviceStatus {
            device: name.into(),
            name: name.into(),
            role: crate::Surface::CheckIn,
            surface: crate::Surface::CheckIn,
            app_version: "1".into(),
            outbox_backlog: 0,
            outbox_parked: 0,
            storage_failed: false,
            last_sync: None,
            last_seen: "2026-03-10T09:00:00Z".into(),
            offline_since: None,
            parked,
            orders,
        }
    }

    #[test]
    fn parked_rows_are_oldest_first_with_their_decisions() {
        let mut late = parked("b");
        late.created_at = "2026-03-10T09:30:00Z".into();
        let devices = [
            device("one", vec![late], vec![order("b", ParkedDecision::Retry)]),
            device("two", vec![parked("a")], vec![]),
        ];
        let rows = parked_rows(&devices);
        let summary: Vec<_> = rows
            .iter()
            .map(|(d, p, o)| (d.as_str(), p.key.as_str(), *o))
            .collect();
        assert_eq!(
            summary,
            [
                ("two", "a", None),
                ("one", "b", Some(ParkedDecision::Retry))
            ]
        );
    }

    #[test]
    fn the_tablets_that_need_staff_and_why() {
        let quiet = DeviceStatus {
            offline_since: Some("2026-03-10T08:40:00Z".into()),
            // Gone quiet is what staff are told; its storage is not known.
            storage_failed: true,
            ..device("Door", vec![parked("a"), parked("b"), parked("c")], vec![])
        };
        let decided = device(
            "Exit",
            vec![parked("d")],
            vec![order("d", ParkedDecision::Resolved)],
        );
        let full = DeviceStatus {
            storage_failed: true,
            ..device("Lobby", vec![], vec![])
        };
        let mixed = device(
            "Wall",
            vec![parked("e"), parked("f")],
            vec![order("e", ParkedDecision::Retry)],
        );
        let well = device("Board", vec![], vec![]);
        let needs = needs_staff(&[quiet, decided, full, mixed, well]);
        assert_eq!(
            needs,
            [
                Attention::Parked {
                    name: "Door".into(),
                    count: 3
                },
                Attention::Offline {
                    name: "Door".into(),
                    since: "2026-03-10T08:40:00Z".into()
                },
                Attention::StorageFailed {
                    name: "Lobby".into()
                },
                Attention::Parked {
                    name: "Wall".into(),
                    count: 1
                },
            ]
        );
        assert_eq!(needs_staff(&[]), []);
    }
}
