//! The Waitwell HTTP contract (`/api/v1`, JSON): every request and response
//! body, defined once for the app and the server.
//!
//! Decoders are strict where a mistake would matter (unknown fields in what a
//! kiosk sends are refused) and every field that reaches a screen is bounded.
//!
//! One module per area of the API; everything is re-exported here, so a
//! caller names `contract::CheckInRequest` without knowing the area. Codes,
//! states, kinds and event names are enums: a typo is a compile error, and
//! `wire_names_are_stable` below keeps their names on the wire from moving.

mod devices;
mod error;
mod insights;
mod kiosk;
mod queue;
mod site;
mod staff;
mod survey;

pub use devices::*;
pub use error::*;
pub use insights::*;
pub use kiosk::*;
pub use queue::*;
pub use site::*;
pub use staff::*;
pub use survey::*;

// Reception and the actions' answers name a ticket's state on the wire.
pub use crate::queue::TicketState;

/// Where the contract lives on a server.
pub const API_PREFIX: &str = "/api/v1";

/// The header that makes a creating POST safe to retry.
pub const IDEMPOTENCY_KEY_HEADER: &str = "Idempotency-Key";

/// Limits on what a kiosk may send.
pub mod limits {
    pub const FAMILY_NAME_CHARS: usize = crate::names::MAX_NAME_CHARS;
    pub const APPOINTMENT_CODE_CHARS: usize = 12;
    pub const FIRST_NAME_CHARS: usize = 40;
    pub const REASON_CHARS: usize = 60;
    pub const LANGUAGE_CHARS: usize = 40;
    /// Largest request body the API reads.
    pub const BODY_BYTES: usize = 64 * 1024;
    /// Largest schedule import (JSON or CSV).
    pub const IMPORT_BYTES: usize = 2 * 1024 * 1024;
    /// Most appointments in one import.
    pub const IMPORT_ROWS: usize = 5000;
    pub const CLINICIAN_CHARS: usize = 60;
    pub const EXTERNAL_ID_CHARS: usize = 64;
    pub const COMMENT_CHARS: usize = 500;
    /// Delay notices: at least this late to be worth saying, at most this.
    pub const DELAY_MINUTES: std::ops::RangeInclusive<u32> = 5..=240;
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Serde, `as_str` and `parse` agree for every variant of `$ty`, and
    /// the names are exactly `$names`: a rename is a contract change.
    macro_rules! assert_wire_names {
        ($ty:ty, [$($name:literal),* $(,)?]) => {{
            let expected: &[&str] = &[$($name),*];
            let got: Vec<&str> = <$ty>::ALL.iter().map(|v| v.as_str()).collect();
            assert_eq!(got, expected, "wire names of {}", stringify!($ty));
            for v in <$ty>::ALL {
                assert_eq!(serde_json::to_value(v).unwrap(), v.as_str());
                assert_eq!(serde_json::from_value::<$ty>(v.as_str().into()).unwrap(), *v);
                assert_eq!(<$ty>::parse(v.as_str()), Some(*v));
            }
        }};
    }

    #[test]
    fn wire_names_are_stable() {
        assert_wire_names!(
            ErrorCode,
            [
                "invalid_json",
                "invalid_body",
                "body_too_large",
                "body_timeout",
                "unsupported_media_type",
                "not_found",
                "unauthorized",
                "locked_out",
                "session_locked",
                "manager_only",
                "invalid_pin",
                "invalid_passphrase",
                "wrong_passphrase",
                "too_many_requests",
                "cross_site",
                "app_not_built",
                "idempotency_key_missing",
                "idempotency_key_invalid",
                "idempotency_key_reused",
                "idempotency_key_in_flight",
                "no_match",
                "too_early",
                "too_late",
                "invalid_name",
                "invalid_code",
                "unknown_appointment",
                "invalid_first_name",
                "invalid_last_initial",
                "invalid_reason",
                "invalid_interpreter_language",
                "unknown_line",
                "unknown_ticket",
                "line_empty",
                "line_full",
                "number_unavailable",
                "invalid_transition",
                "invalid_room",
                "unknown_room",
                "use_check_in",
                "unknown_notice",
                "follow_link_gone",
                "invalid_clinician",
                "invalid_minutes",
                "invalid_csv",
                "invalid_appointment",
                "too_many_rows",
                "external_id_taken",
                "invalid_heartbeat",
                "invalid_last_sync",
                "invalid_parked",
                "unknown_parked_write",
                "too_many_devices",
                "device_not_enrolled",
                "wrong_device_role",
                "unknown_pairing_code",
                "invalid_device_name",
                "invalid_device_role",
                "unknown_device",
                "invalid_id",
                "invalid_rating",
                "invalid_recommend",
                "invalid_comment",
                "invalid_thanks",
                "unknown_alert",
                "invalid_period",
                "unknown",
            ]
        );
        assert_wire_names!(TicketState, ["waiting", "called", "served", "no_show"]);
        assert_wire_names!(AlertKind, ["talk_to_me", "thanks"]);
        assert_wire_names!(StreamEvent, ["queue", "notices", "alerts", "link"]);
        assert_wire_names!(ParkedDecision, ["retry", "resolved"]);
        assert_wire_names!(WriteKind, ["check_in", "survey"]);
        assert_wire_names!(
            Theme,
            [
                "waiting_time",
                "kept_informed",
                "staff_kindness",
                "explanation_of_care",
                "cleanliness",
                "ease_of_check_in",
            ]
        );
        assert_eq!(ParkedDecision::parse("forget"), None);
    }

    #[test]
    fn a_chosen_passphrase_is_12_to_256_characters_once_trimmed_and_not_the_current_one() {
        let old = "river-stone-lamp-42";
        assert!(!valid_new_passphrase(old, "eleven-char"));
        assert!(!valid_new_passphrase(old, "   eleven-char   "));
        assert!(valid_new_passphrase(old, "twelve-chars"));
        // Characters, not bytes: twelve letters of Arabic are enough.
        assert!(valid_new_passphrase(old, &"ب".repeat(12)));
        assert!(!valid_new_passphrase(old, &"ب".repeat(11)));
        assert!(valid_new_passphrase(old, &"x".repeat(256)));
        assert!(!valid_new_passphrase(old, &"x".repeat(257)));
        // The current one, however it is padded, is no new passphrase.
        assert!(!valid_new_passphrase(old, old));
        assert!(!valid_new_passphrase(
            &format!(" {old}"),
            &format!("{old}  ")
        ));
        let both = StaffPassphrase {
            current: "old secret words".into(),
            new: "new secret words".into(),
        };
        assert!(!format!("{both:?}").contains("secret"));
    }

    #[test]
    fn an_unknown_error_code_still_decodes() {
        let foreign: ApiError =
            serde_json::from_str(r#"{"code":"ehr_said_no","message":"No"}"#).unwrap();
        assert_eq!(foreign.code, ErrorCode::Unknown);
        assert_eq!(foreign.message, "No");
        assert!(ErrorCode::InvalidRating.is_invalid_input());
        assert!(!ErrorCode::NoMatch.is_invalid_input());
    }

    #[test]
    fn identify_requests_decode_and_refuse_extras() {
        let by_name: IdentifyRequest = serde_json::from_str(
            r#"{"method":"name","family_name":"García","birth_date":"1980-02-29"}"#,
        )
        .unwrap();
        assert!(matches!(by_name, IdentifyRequest::Name { .. }));
        for bad in [
            r#"{"method":"name","family_name":"x","birth_date":"1981-02-29"}"#,
            r#"{"method":"name","family_name":"x"}"#,
            r#"{"method":"code","code":"AB12","patient":"x"}"#,
            r#"{"method":"guess"}"#,
            r#"[]"#,
        ] {
            assert!(
                serde_json::from_str::<IdentifyRequest>(bad).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn check_in_needs_default_to_none() {
        let req: CheckInRequest = serde_json::from_str(
            r#"{"kind":"appointment","identity":{"method":"code","code":"GAR4K7"},
                "time":"08:50","clinician":"Dr. Lee"}"#,
        )
        .unwrap();
        assert_eq!(
            req,
            CheckInRequest::Appointment {
                identity: IdentifyRequest::Code {
                    code: "GAR4K7".into()
                },
                time: "08:50".into(),
                clinician: "Dr. Lee".into(),
                needs: Needs::default(),
                arrived_at: None,
                leased: None,
            }
        );
        // The old shape, an opaque reference, is refused.
        assert!(serde_json::from_str::<CheckInRequest>(
            r#"{"kind":"appointment","appointment":"abc"}"#
        )
        .is_err());
    }

    proptest! {
        /// No decoder of the contract panics on any bytes.
        #[test]
        fn decoders_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
            let _ = serde_json::from_slice::<IdentifyRequest>(&bytes);
            let _ = serde_json::from_slice::<CheckInRequest>(&bytes);
            let _ = serde_json::from_slice::<IdentifyResponse>(&bytes);
            let _ = serde_json::from_slice::<CheckInResponse>(&bytes);
            let _ = serde_json::from_slice::<OfflineIndex>(&bytes);
            let _ = serde_json::from_slice::<PublicQueue>(&bytes);
            let _ = serde_json::from_slice::<SiteConfig>(&bytes);
            let _ = serde_json::from_slice::<QueueChanged>(&bytes);
            let _ = serde_json::from_slice::<ApiError>(&bytes);
            let _ = serde_json::from_slice::<StaffSignIn>(&bytes);
            let _ = serde_json::from_slice::<StaffSession>(&bytes);
            let _ = serde_json::from_slice::<AccessLog>(&bytes);
            let _ = serde_json::from_slice::<StaffQueue>(&bytes);
            let _ = serde_json::from_slice::<ActionResult>(&bytes);
            let _ = serde_json::from_slice::<Heartbeat>(&bytes);
            let _ = serde_json::from_slice::<DeviceStatus>(&bytes);
            let _ = serde_json::from_slice::<HeartbeatReply>(&bytes);
            let _ = serde_json::from_slice::<ParkedDecisionRequest>(&bytes);
            let _ = serde_json::from_slice::<AppointmentImport>(&bytes);
            let _ = serde_json::from_slice::<ImportResult>(&bytes);
            let _ = serde_json::from_slice::<SurveyResponse>(&bytes);
            let _ = serde_json::from_slice::<Alert>(&bytes);
            let _ = serde_json::from_slice::<Insights>(&bytes);
            let _ = serde_json::from_slice::<crate::queue::Action>(&bytes);
        }
    }
}
