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

/// Stores the settings.
pub fn save(settings: &DeviceSettings) -> Result<(), StorageUnavailable> {
    local_storage()
        .ok_or(StorageUnavailable)?
        .set_item(STORAGE_KEY, &settings.encode())
        .map_err(|_| StorageUnavailable)
}
