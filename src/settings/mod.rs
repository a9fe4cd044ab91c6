//! The user's settings: storage mappings (where the farm's storage is served over HTTP), kept in
//! the browser's local storage, with `farmdeck.json`'s as the defaults.

pub mod mapping;
mod page;
mod store;

pub use mapping::{map_path, MapError, StorageMapping};
pub use page::SettingsPage;
pub use store::{saved_mappings, storage_mappings};
