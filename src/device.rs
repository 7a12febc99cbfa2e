//! This device's settings, kept in local storage.
//!
//! Only settings about the device live here (which surface it shows, its
//! default language): never anything about a patient.

use waitwell_core::DeviceSettings;
use web_sys::Storage;

/// The local-storage key of the device settings.
pub const STORAGE_KEY: &str = "waitwell.device";

/// Local storage could not be used (disabled, private mode, or full).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("this browser does not allow local storage")]
pub struct StorageUnavailable;

fn local_storage() -> Option<Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// Reads the settings; anything missing or unreadable gives the defaults, so
/// a garbled value can never stop the kiosk from starting.
pub fn load() -> DeviceSettings {
    local_storage()
        .and_then(|storage| storage.get_item(STORAGE_KEY).ok().flatten())
        .and_then(|stored| DeviceSettings::decode(&stored).ok())
        .unwrap_or_default()
}

/// Stores the settings. The kept first screen goes with the old settings
/// (it may be another surface's, or in another language).
pub fn save(settings: &DeviceSettings) -> Result<(), StorageUnavailable> {
    let storage = local_storage().ok_or(StorageUnavailable)?;
    let _ = storage.remove_item(crate::first_screen::STORAGE_KEY);
    storage
        .set_item(STORAGE_KEY, &settings.encode())
        .map_err(|_| StorageUnavailable)
}

/// The local-storage key of a staff computer's display choices.
pub const STAFF_DISPLAY_KEY: &str = "waitwell.staff-display";

/// How a staff computer shows reception and insights: a preference of the
/// people at that desk, kept across sign-ins (nothing about a patient).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct StaffDisplay {
    /// A locale tag; the device's or browser's language when absent.
    pub language: Option<String>,
    pub large_text: bool,
}

/// The staff display choices; unreadable ones give the defaults.
pub fn load_staff_display() -> StaffDisplay {
    local_storage()
        .and_then(|storage| storage.get_item(STAFF_DISPLAY_KEY).ok().flatten())
        .and_then(|stored| serde_json::from_str(&stored).ok())
        .unwrap_or_default()
}

/// Keeps the staff display choices (best effort: a browser that refuses
/// local storage just forgets them).
pub fn save_staff_display(display: &StaffDisplay) {
    if let (Some(storage), Ok(text)) = (local_storage(), serde_json::to_string(display)) {
        let _ = storage.set_item(STAFF_DISPLAY_KEY, &text);
    }
}
