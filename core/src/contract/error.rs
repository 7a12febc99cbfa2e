//! The contract's error body and its codes.

use crate::wire::wire_enum;
use serde::{Deserialize, Serialize};

/// Every error body: a stable machine-readable code and a human message.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    /// Seconds until trying again makes sense (lockouts, rate limits).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_seconds: Option<u64>,
}

wire_enum! {
    /// Why a request was refused. A client acts on the code, never on the
    /// message; a code this build does not know reads as `unknown`.
    pub enum ErrorCode {
        // Any request.
        /// The body is not valid JSON.
        InvalidJson = "invalid_json",
        /// The body is JSON but not what the endpoint takes.
        InvalidBody = "invalid_body",
        BodyTooLarge = "body_too_large",
        /// The body did not arrive in time.
        BodyTimeout = "body_timeout",
        UnsupportedMediaType = "unsupported_media_type",
        /// No such endpoint.
        NotFound = "not_found",
        /// A staff session is needed.
        Unauthorized = "unauthorized",
        /// Too many failed attempts; see `retry_after_seconds`.
        LockedOut = "locked_out",
        /// The staff session is idle-locked: its owner's PIN (at an enrolled
        /// reception desk) or a new sign-in opens it.
        SessionLocked = "session_locked",
        /// Only a manager's account may do this.
        ManagerOnly = "manager_only",
        /// A personal PIN is 4 to 8 digits.
        InvalidPin = "invalid_pin",
        /// A new passphrase is 12 to 256 characters, and not the current
        /// one.
        InvalidPassphrase = "invalid_passphrase",
        /// The current passphrase given with a new one is wrong (counted
        /// as a wrong sign-in).
        WrongPassphrase = "wrong_passphrase",
        /// Too many requests from one address; see `retry_after_seconds`.
        TooManyRequests = "too_many_requests",
        /// A write sent by a page of another site (`Origin` or
        /// `Sec-Fetch-Site` say so).
        CrossSite = "cross_site",
        /// The server has no built app to serve.
        AppNotBuilt = "app_not_built",
        IdempotencyKeyMissing = "idempotency_key_missing",
        IdempotencyKeyInvalid = "idempotency_key_invalid",
        /// The key was used before for a different request.
        IdempotencyKeyReused = "idempotency_key_reused",
        /// The first request with this key is still being answered.
        IdempotencyKeyInFlight = "idempotency_key_in_flight",

        // Kiosk: identify and check in.
        NoMatch = "no_match",
        /// Check-in for the appointment opens later.
        TooEarly = "too_early",
        /// The appointment's check-in window has passed.
        TooLate = "too_late",
        InvalidName = "invalid_name",
        InvalidCode = "invalid_code",
        UnknownAppointment = "unknown_appointment",
        InvalidFirstName = "invalid_first_name",
        InvalidLastInitial = "invalid_last_initial",
        InvalidReason = "invalid_reason",
        InvalidInterpreterLanguage = "invalid_interpreter_language",

        // The queue and reception.
        UnknownLine = "unknown_line",
        UnknownTicket = "unknown_ticket",
        LineEmpty = "line_empty",
        /// The line has given out every ticket number for the day.
        LineFull = "line_full",
        /// A leased ticket number that was not set aside, or is taken.
        NumberUnavailable = "number_unavailable",
        /// The action does not apply to the ticket's state.
        InvalidTransition = "invalid_transition",
        InvalidRoom = "invalid_room",
        UnknownRoom = "unknown_room",
        /// New tickets come from `POST /check-ins`, not from an action.
        UseCheckIn = "use_check_in",
        UnknownNotice = "unknown_notice",
        /// A phone link that never existed, or has ended (the day is
        /// over, the ticket finished, or reception ended it).
        FollowLinkGone = "follow_link_gone",
        InvalidClinician = "invalid_clinician",
        InvalidMinutes = "invalid_minutes",

        // Schedule imports.
        InvalidCsv = "invalid_csv",
        InvalidAppointment = "invalid_appointment",
        TooManyRows = "too_many_rows",
        ExternalIdTaken = "external_id_taken",

        // Devices.
        InvalidHeartbeat = "invalid_heartbeat",
        InvalidLastSync = "invalid_last_sync",
        InvalidParked = "invalid_parked",
        UnknownParkedWrite = "unknown_parked_write",
        /// A new device, and reception's list of devices is full.
        TooManyDevices = "too_many_devices",
        /// The request needs an enrolled device (its credential is missing,
        /// unknown, revoked, or still waiting for approval).
        DeviceNotEnrolled = "device_not_enrolled",
        /// The device is enrolled for another role (a board checking in).
        WrongDeviceRole = "wrong_device_role",
        /// No tablet is waiting with that pairing code (mistyped, expired).
        UnknownPairingCode = "unknown_pairing_code",
        InvalidDeviceName = "invalid_device_name",
        /// Only check-in, board and survey tablets are enrolled.
        InvalidDeviceRole = "invalid_device_role",
        UnknownDevice = "unknown_device",

        // Survey and alerts.
        InvalidId = "invalid_id",
        InvalidRating = "invalid_rating",
        InvalidRecommend = "invalid_recommend",
        InvalidComment = "invalid_comment",
        InvalidThanks = "invalid_thanks",
        UnknownAlert = "unknown_alert",

        // Insights.
        InvalidPeriod = "invalid_period",

        /// A code this build does not know (another backend's, or a newer
        /// server's): treated as a plain refusal.
        #[serde(other)]
        Unknown = "unknown",
    }
}

impl ErrorCode {
    /// The input was malformed: the person can correct what they typed.
    pub fn is_invalid_input(self) -> bool {
        self.as_str().starts_with("invalid_")
    }
}
