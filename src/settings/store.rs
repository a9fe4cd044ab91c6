//! The saved storage mappings in local storage; without any, `farmdeck.json`'s defaults apply.

use leptos::prelude::*;

use super::mapping::StorageMapping;
use crate::manager::use_manager;

const KEY: &str = "farmdeck.storage-mappings";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The user's saved mappings, if they saved any (a damaged entry counts as none).
pub fn saved_mappings() -> Option<Vec<StorageMapping>> {
    let text = storage()?.get_item(KEY).ok()??;
    serde_json::from_str(&text).ok()
}

/// Saves the user's mappings; an error when the browser keeps no local storage.
pub fn save(mappings: &[StorageMapping]) -> Result<(), String> {
    let text = serde_json::to_string(mappings).map_err(|e| e.to_string())?;
    storage()
        .ok_or("this browser keeps no local storage")?
        .set_item(KEY, &text)
        .map_err(|_| "the browser refused to keep the mappings (storage full or disabled)".to_string())
}

/// Forgets the user's mappings: the defaults apply again.
pub fn clear() {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(KEY);
    }
}

/// The mappings in effect: the user's, or `farmdeck.json`'s defaults.
pub fn storage_mappings() -> Vec<StorageMapping> {
    saved_mappings().unwrap_or_else(default_mappings)
}

/// `farmdeck.json`'s mappings.
pub fn default_mappings() -> Vec<StorageMapping> {
    use_context::<crate::manager::ManagerContext>()
        .map(|_| use_manager().settings.storage_mappings)
        .unwrap_or_default()
}

/// What came of looking for `farmdeck.json` (absent outside the app, e.g. in component tests).
pub fn config_file() -> crate::config::FileState {
    use_context::<crate::manager::ManagerContext>()
        .map(|manager| manager.settings.file)
        .unwrap_or(crate::config::FileState::Absent)
}
