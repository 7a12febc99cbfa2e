//! The site's settings: what kiosks are told (`SiteConfig`) and what only
//! the server needs (time zone, limits, staff sign-in rules).

use jiff::tz::TimeZone;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;
use waitwell_core::contract::{
    limits, ArrivalWindow, CheckInQuestions, IdleTimings, LineConfig, SiteConfig, StaffMember,
    SurveyConfig, Translations,
};
use waitwell_core::queue::LineId;
use waitwell_core::text::clean_text;

/// Limits on failed identification attempts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentifyLimits {
    /// Failures allowed per identity (name + birth date, or code) in the window.
    pub per_identity: u32,
    /// Failures allowed per kiosk in the window.
    pub per_device: u32,
    /// Failures allowed per network address in the window (a device id is
    /// what the client says; its address is not).
    #[serde(default = "default_identify_per_ip")]
    pub per_ip: u32,
    /// The window, and how long a lockout lasts.
    pub window_seconds: u64,
}

impl Default for IdentifyLimits {
    fn default() -> Self {
        IdentifyLimits {
            per_identity: 3,
            per_device: 10,
            per_ip: default_identify_per_ip(),
            window_seconds: 15 * 60,
        }
    }
}

fn default_identify_per_ip() -> u32 {
    20
}

/// Staff sign-in rules. The people themselves are accounts in the database
/// (`waitwell-server staff add NAME`), never in this file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StaffSettings {
    /// A session locks after this much inactivity (its owner's PIN undoes
    /// the lock at an enrolled reception desk; elsewhere, sign in again).
    pub idle_seconds: u64,
    /// Wrong passphrases allowed for one account before each next try
    /// waits (`lockout_seconds`, doubling with every further failure, up
    /// to a day).
    pub max_wrong_per_account: u32,
    /// The same, for one network address.
    pub max_wrong_sign_ins: u32,
    /// Wrong passphrases allowed from all addresses together before every
    /// sign-in is locked for `lockout_seconds` (someone with many
    /// addresses).
    pub max_wrong_sign_ins_total: u32,
    pub lockout_seconds: u64,
    /// Wrong PINs that end an idle-locked session (then: full sign-in).
    pub pin_tries: u32,
    /// Days the access log keeps its lines.
    pub access_log_days: u32,
    /// The shared PIN of old site files: refused, with what to do instead.
    #[serde(rename = "pin", deserialize_with = "present")]
    shared_pin: bool,
}

/// True for any value: the field was there.
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    serde::de::IgnoredAny::deserialize(d).map(|_| true)
}

impl Default for StaffSettings {
    fn default() -> Self {
        StaffSettings {
            idle_seconds: 10 * 60,
            max_wrong_per_account: 5,
            max_wrong_sign_ins: 10,
            max_wrong_sign_ins_total: 30,
            lockout_seconds: 5 * 60,
            pin_tries: 5,
            access_log_days: 365,
            shared_pin: false,
        }
    }
}

/// Limits on what one network address may write, and on what the server
/// keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LimitSettings {
    /// Anonymous and device writes (check-ins, identifications, survey
    /// answers, heartbeats) per minute, all usable at once: a kiosk's
    /// outbox after an outage sends its backlog in one go.
    pub writes_per_minute: u32,
    /// New walk-in tickets per hour.
    pub walk_ins_per_hour: u32,
    /// Survey answers that raise an alert at reception, per hour.
    pub alerts_per_hour: u32,
    /// Tablets enrolled or waiting for approval; a pairing beyond this is
    /// refused until reception revokes one.
    pub max_devices: u32,
    /// An enrolled tablet not heard from for this many days is revoked (a
    /// tablet lost from the waiting room stops working by itself).
    pub device_days: u32,
    /// A request's headers must arrive within this many seconds (also how
    /// long an idle connection waits for its next request).
    pub header_timeout_seconds: u32,
    /// A request's body must arrive within this many seconds.
    pub body_timeout_seconds: u32,
    /// Connections open at once (each board, reception and kiosk event
    /// stream holds one); more wait.
    pub max_connections: u32,
}

impl Default for LimitSettings {
    fn default() -> Self {
        LimitSettings {
            writes_per_minute: 120,
            walk_ins_per_hour: 60,
            alerts_per_hour: 10,
            max_devices: 100,
            device_days: 30,
            header_timeout_seconds: 10,
            body_timeout_seconds: 20,
            max_connections: 512,
        }
    }
}

/// Enrolled devices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DeviceSettings {
    /// The board's queue (ticket codes, rooms) may be read by anyone on the
    /// network, not only by enrolled devices and staff.
    pub public_queue: bool,
    /// Tablets waiting for approval at once; more pairings are refused
    /// until one is approved or its code expires.
    pub max_pending: u32,
    /// Of those, from one network address (so that one laptop cannot hold
    /// every slot).
    pub max_pending_per_address: u32,
    /// Approve every pairing at once (`--demo`, `--approve-tablets`): the
    /// tablet still pairs and holds a credential. Never from a site file.
    #[serde(skip)]
    pub approve_at_once: bool,
}

/// Phone links: a patient follows their ticket on their own phone.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PhoneSettings {
    /// Check-in gives each new ticket a phone link (a QR code on the
    /// ticket screen).
    pub links: bool,
    /// The address phones reach this server at, e.g.
    /// `https://waitwell.example-clinic.org` (the guest Wi-Fi's, or a public
    /// one behind TLS). Unset: the address the kiosk itself uses.
    pub url: Option<String>,
    /// Reads of phone links per minute from one network address. Every
    /// phone on the guest Wi-Fi may share one address (and each refetches
    /// at every queue change), so this is generous; guessing a 128-bit
    /// token is hopeless at any rate.
    pub reads_per_minute: u32,
}

impl Default for PhoneSettings {
    fn default() -> Self {
        PhoneSettings {
            links: true,
            url: None,
            reads_per_minute: 600,
        }
    }
}

/// The bridge to a clinic's EHR over FHIR R4 (`--schedule fhir-r4`): where
/// today's appointments come from. Unset `base_url`: they are imported.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FhirSettings {
    /// The FHIR server's base address, e.g. `https://ehr.example.org/fhir/r4`.
    pub base_url: Option<String>,
    /// A file holding a bearer token for that server (read at start-up,
    /// never logged or shown).
    pub token_file: Option<std::path::PathBuf>,
    /// Seconds between two reads of today's schedule.
    pub sync_seconds: u64,
    /// The `Appointment.identifier` system whose value is the code printed
    /// on the patient's letter (unset: patients identify by name and birth
    /// date only).
    pub code_system: Option<String>,
    /// The line patients with an appointment join; the site's first line
    /// other than the walk-in line when unset.
    pub line: Option<LineId>,
    /// The site's rooms as the EHR's Locations, e.g. `{"Room 1":
    /// "Location/17"}` (a call names the room's Location in the visit's
    /// Encounter; an unmapped room is named by its name only).
    pub locations: BTreeMap<String, String>,
    /// Minutes an arrival, call or no-show may wait to reach the EHR
    /// before reception is alerted.
    pub alert_after_minutes: u32,
    /// Sign in with SMART Backend Services (instead of `token_file`).
    pub smart: Option<SmartSettings>,
    /// Walk-ins' visits go to the EHR too, as Encounters without a patient
    /// or appointment (by default walk-ins stay in Waitwell).
    pub walk_in_encounters: bool,
}

/// SMART Backend Services: this server as a registered client of the EHR.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmartSettings {
    /// The client id the EHR gave when the public key was registered.
    pub client_id: String,
    /// The private key: PEM (PKCS#8, or PKCS#1 for RSA) or a JWK.
    pub private_key_file: std::path::PathBuf,
    /// `RS384` or `ES384`.
    pub algorithm: String,
    /// The key's `kid`, where the EHR asks for one.
    #[serde(default)]
    pub key_id: Option<String>,
    /// The scopes asked for.
    #[serde(default = "SmartSettings::default_scope")]
    pub scope: String,
}

impl SmartSettings {
    fn default_scope() -> String {
        "system/Appointment.rs system/Patient.r system/Practitioner.r system/Encounter.cru \
         system/Questionnaire.cr system/QuestionnaireResponse.cru"
            .into()
    }
}

impl Default for FhirSettings {
    fn default() -> Self {
        FhirSettings {
            base_url: None,
            token_file: None,
            sync_seconds: 60,
            code_system: None,
            line: None,
            locations: BTreeMap::new(),
            alert_after_minutes: 10,
            smart: None,
            walk_in_encounters: false,
        }
    }
}

impl Default for DeviceSettings {
    fn default() -> Self {
        DeviceSettings {
            public_queue: false,
            max_pending: 20,
            max_pending_per_address: 3,
            approve_at_once: false,
        }
    }
}

/// Everything the server is configured with.
#[derive(Debug, Clone)]
pub struct Settings {
    pub site: SiteConfig,
    pub time_zone: TimeZone,
    pub identify: IdentifyLimits,
    pub staff: StaffSettings,
    pub limits: LimitSettings,
    pub devices: DeviceSettings,
    pub phone: PhoneSettings,
    pub fhir: FhirSettings,
}

/// The settings file (JSON), as written by a clinic.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SettingsFile {
    site: SiteConfig,
    /// IANA name, e.g. "Europe/Madrid"; the machine's zone when absent.
    time_zone: Option<String>,
    #[serde(default)]
    identify: IdentifyLimits,
    #[serde(default)]
    staff: StaffSettings,
    #[serde(default)]
    limits: LimitSettings,
    #[serde(default)]
    devices: DeviceSettings,
    #[serde(default)]
    phone: PhoneSettings,
    #[serde(default)]
    fhir: FhirSettings,
}

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("cannot read {0}: {1}")]
    Read(String, std::io::Error),
    #[error("invalid settings: {0}")]
    Json(#[from] serde_json::Error),
    #[error("unknown time zone {0:?}")]
    TimeZone(String),
    #[error("invalid settings: {0}")]
    Invalid(String),
}

/// The demo clinic's lines and rooms, named in its three languages.
fn demo_lines_and_rooms() -> (Vec<LineConfig>, BTreeMap<String, Translations>) {
    let line = |c| LineId::new(c).expect("A and W are capital letters");
    let names = |pairs: &[(&str, &str)]| -> Translations {
        pairs
            .iter()
            .map(|(language, name)| ((*language).to_owned(), (*name).to_owned()))
            .collect()
    };
    let lines = vec![
        LineConfig {
            id: line('A'),
            name: "Appointments".into(),
            names: names(&[("es", "Citas"), ("ar", "المواعيد")]),
            servers: 2,
        },
        LineConfig {
            id: line('W'),
            name: "Walk-in".into(),
            names: names(&[("es", "Sin cita"), ("ar", "بدون موعد")]),
            servers: 1,
        },
    ];
    let rooms = (1..=3)
        .map(|n| {
            let translated = names(&[("es", &format!("Sala {n}")), ("ar", &format!("الغرفة {n}"))]);
            (format!("Room {n}"), translated)
        })
        .collect();
    (lines, rooms)
}

impl Settings {
    /// Reads a settings file.
    pub fn load(path: &Path) -> Result<Self, SettingsError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| SettingsError::Read(path.display().to_string(), e))?;
        Self::from_json(&text)
    }

    pub fn from_json(text: &str) -> Result<Self, SettingsError> {
        let file: SettingsFile = serde_json::from_str(text)?;
        let time_zone = match file.time_zone {
            Some(name) => TimeZone::get(&name).map_err(|_| SettingsError::TimeZone(name))?,
            None => TimeZone::system(),
        };
        let settings = Settings {
            site: file.site,
            time_zone,
            identify: file.identify,
            staff: file.staff,
            limits: file.limits,
            devices: file.devices,
            phone: file.phone,
            fhir: file.fhir,
        };
        if settings.staff.shared_pin {
            return Err(SettingsError::Invalid(
                "staff.pin: a shared PIN is no longer used; remove it and give each person \
                 an account (waitwell-server staff add NAME)"
                    .into(),
            ));
        }
        settings.validate()?;
        Ok(settings)
    }

    /// The demo clinic that `make run` starts with.
    pub fn demo(time_zone: TimeZone) -> Self {
        let line = |c| LineId::new(c).expect("A and W are capital letters");
        let (lines, room_names) = demo_lines_and_rooms();
        Settings {
            site: SiteConfig {
                clinic_name: "Waitwell Demo Clinic".into(),
                languages: vec!["en".into(), "es".into(), "ar".into()],
                lines,
                rooms: vec!["Room 1".into(), "Room 2".into(), "Room 3".into()],
                room_names,
                arrival_window: ArrivalWindow {
                    minutes_before: 30,
                    minutes_after: 15,
                },
                idle: IdleTimings {
                    warn_after_seconds: 60,
                    countdown_seconds: 30,
                },
                walk_in_line: line('W'),
                walk_in_reasons: vec![
                    "prescription".into(),
                    "test_results".into(),
                    "minor_illness".into(),
                    "other".into(),
                ],
                survey: SurveyConfig {
                    ask_recommend: true,
                    ask_themes: true,
                    ask_comment: true,
                    staff: vec![
                        StaffMember {
                            id: "lee".into(),
                            name: "Dr. Lee".into(),
                        },
                        StaffMember {
                            id: "patel".into(),
                            name: "Dr. Patel".into(),
                        },
                        StaffMember {
                            id: "kim".into(),
                            name: "Nurse Kim".into(),
                        },
                        StaffMember {
                            id: "front-desk".into(),
                            name: "The front desk team".into(),
                        },
                    ],
                    cooldown_seconds: 20,
                },
                questions: CheckInQuestions {
                    interpreter_languages: vec![
                        "Español".into(),
                        "العربية".into(),
                        "Polski".into(),
                        "Português".into(),
                    ],
                    ask_mobility: true,
                    ask_contact_changed: true,
                },
                board_audio: true,
                wait_alert_minutes: 30,
                board_layout: Default::default(),
            },
            time_zone,
            identify: IdentifyLimits::default(),
            staff: StaffSettings::default(),
            limits: LimitSettings::default(),
            devices: DeviceSettings::default(),
            phone: PhoneSettings::default(),
            fhir: FhirSettings::default(),
        }
    }

    fn validate(&self) -> Result<(), SettingsError> {
        let invalid = |m: &str| Err(SettingsError::Invalid(m.to_owned()));
        let site = &self.site;
        if site
            .questions
            .interpreter_languages
            .iter()
            .any(|l| l.trim().is_empty() || l.chars().count() > limits::LANGUAGE_CHARS)
        {
            return invalid("questions.interpreter_languages: each has 1 to 40 characters");
        }
        if let Some(url) = &self.phone.url {
            let scheme_ok = url.starts_with("https://") || url.starts_with("http://");
            if !scheme_ok
                || url.ends_with('/')
                || url.len() > 200
                || url.chars().any(|c| c.is_whitespace() || c.is_control())
            {
                return invalid(
                    "phone.url: an http(s) address without a trailing slash, e.g. https://waitwell.example.org",
                );
            }
        }
        if site.lines.is_empty() {
            return invalid("at least one line is needed");
        }
        let fhir = &self.fhir;
        if let Some(url) = &fhir.base_url {
            let parsed = reqwest::Url::parse(url).ok();
            if !parsed.is_some_and(|u| matches!(u.scheme(), "http" | "https") && u.has_host()) {
                return invalid(
                    "fhir.base_url: an http(s) address, e.g. https://ehr.example.org/fhir/r4",
                );
            }
        }
        if let Some(smart) = &fhir.smart {
            if fhir.token_file.is_some() {
                return invalid("fhir: either token_file or smart, not both");
            }
            if !matches!(smart.algorithm.as_str(), "RS384" | "ES384") {
                return invalid("fhir.smart.algorithm: RS384 or ES384");
            }
            if clean_text(&smart.client_id, 200).is_none() {
                return invalid("fhir.smart.client_id: 1 to 200 characters");
            }
        }
        if !(1..=24 * 60).contains(&fhir.alert_after_minutes) {
            return invalid("fhir.alert_after_minutes: 1 to 1440");
        }
        if !(5..=3600).contains(&fhir.sync_seconds) {
            return invalid("fhir.sync_seconds: 5 to 3600");
        }
        if fhir.line.is_some_and(|line| self.line(line).is_none()) {
            return invalid("fhir.line: one of the site's lines");
        }
        for (room, location) in &fhir.locations {
            let id = location.strip_prefix("Location/").unwrap_or("");
            let id_ok = (1..=64).contains(&id.len())
                && id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
            if !site.rooms.contains(room) || !id_ok {
                return invalid("fhir.locations: each of the site's rooms to \"Location/{id}\"");
            }
        }
        let mut ids: Vec<_> = site.lines.iter().map(|l| l.id).collect();
        ids.sort();
        ids.dedup();
        if ids.len() != site.lines.len() {
            return invalid("line ids must be unique");
        }
        if !ids.contains(&site.walk_in_line) {
            return invalid("walk_in_line must be one of the lines");
        }
        if site.lines.iter().any(|l| l.servers == 0) {
            return invalid("every line needs at least one server");
        }
        if site.rooms.is_empty() {
            return invalid("at least one room is needed");
        }
        let translations = site
            .lines
            .iter()
            .map(|l| &l.names)
            .chain(site.room_names.values());
        for names in translations {
            if names.iter().any(|(language, name)| {
                !site.languages.contains(language) || name.trim().is_empty()
            }) {
                return invalid(
                    "a translated name needs one of the site's languages and some text",
                );
            }
        }
        if site
            .room_names
            .keys()
            .any(|room| !site.rooms.contains(room))
        {
            return invalid("room_names: translate the site's own rooms");
        }
        if site.idle.countdown_seconds < 20 {
            return invalid("idle.countdown_seconds must be at least 20 (WCAG 2.2.1)");
        }
        let staff = &self.staff;
        if [
            staff.max_wrong_per_account,
            staff.max_wrong_sign_ins,
            staff.max_wrong_sign_ins_total,
            staff.pin_tries,
        ]
        .contains(&0)
        {
            return invalid("staff sign-in limits must allow at least one attempt");
        }
        if staff.access_log_days == 0 {
            return invalid("staff.access_log_days must be at least 1");
        }
        let l = &self.limits;
        if [
            l.writes_per_minute,
            l.walk_ins_per_hour,
            l.alerts_per_hour,
            l.max_devices,
        ]
        .contains(&0)
        {
            return invalid("limits must allow at least one of each");
        }
        if self.identify.per_identity == 0
            || self.identify.per_device == 0
            || self.identify.per_ip == 0
        {
            return invalid("identify limits must allow at least one attempt");
        }
        Ok(())
    }

    /// The limits on connections these settings ask for.
    pub fn connection_limits(&self) -> crate::transport::ConnectionLimits {
        let l = &self.limits;
        crate::transport::ConnectionLimits {
            header_timeout: std::time::Duration::from_secs(l.header_timeout_seconds.into()),
            body_timeout: std::time::Duration::from_secs(l.body_timeout_seconds.into()),
            max_connections: usize::try_from(l.max_connections).unwrap_or(usize::MAX),
            ..Default::default()
        }
    }

    pub fn line(&self, id: LineId) -> Option<&LineConfig> {
        self.site.lines.iter().find(|l| l.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn settings_decoding_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
            let _ = Settings::from_json(&String::from_utf8_lossy(&bytes));
        }
    }

    #[test]
    fn the_example_settings_file_loads() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("site.example.json");
        let settings = Settings::load(&path).unwrap();
        assert_eq!(settings.site.lines.len(), 3);
        assert_eq!(settings.staff, StaffSettings::default());
    }

    #[test]
    fn demo_settings_are_valid() {
        Settings::demo(TimeZone::UTC).validate().unwrap();
    }

    #[test]
    fn a_settings_file_round_trips_and_is_validated() {
        let demo = Settings::demo(TimeZone::UTC);
        let site = serde_json::to_string(&demo.site).unwrap();
        let staff = r#"{"idle_seconds":300,"max_wrong_per_account":3}"#;
        let ok = format!(r#"{{"site":{site},"time_zone":"Europe/Madrid","staff":{staff}}}"#);
        let s = Settings::from_json(&ok).unwrap();
        assert_eq!(s.site, demo.site);
        assert_eq!(s.staff.idle_seconds, 300);
        assert_eq!(s.staff.max_wrong_per_account, 3);
        assert_eq!(s.staff.max_wrong_sign_ins_total, 30);
        assert_eq!(s.limits, LimitSettings::default());
        // No staff section: the defaults.
        let no_staff = format!(r#"{{"site":{site},"time_zone":"Europe/Madrid"}}"#);
        assert_eq!(
            Settings::from_json(&no_staff).unwrap().staff,
            StaffSettings::default()
        );

        // An old file's shared PIN is refused with what to do instead.
        let shared = ok.replace(r#""idle_seconds""#, r#""pin":"739162","idle_seconds""#);
        let error = Settings::from_json(&shared).unwrap_err().to_string();
        assert!(error.contains("staff add"), "{error}");

        let bad_zone = format!(r#"{{"site":{site},"time_zone":"Mars/Olympus"}}"#);
        assert!(matches!(
            Settings::from_json(&bad_zone),
            Err(SettingsError::TimeZone(_))
        ));
        let no_tries = format!(r#"{{"site":{site},"staff":{{"pin_tries":0}}}}"#);
        assert!(matches!(
            Settings::from_json(&no_tries),
            Err(SettingsError::Invalid(_))
        ));
        let extra = format!(r#"{{"site":{site},"colour":"red"}}"#);
        assert!(matches!(
            Settings::from_json(&extra),
            Err(SettingsError::Json(_))
        ));
    }
}
