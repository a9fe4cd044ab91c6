//! Drafts: the form is kept in the browser's local storage per job type until it is submitted.

use super::model::FormState;

fn key(job_type: &str) -> String {
    format!("farmdeck.submit-draft.{job_type}")
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The saved draft for a job type, if there is a readable one.
pub fn load(job_type: &str) -> Option<FormState> {
    let text = storage()?.get_item(&key(job_type)).ok()??;
    serde_json::from_str(&text).ok()
}

/// Saves the draft; a full or disabled storage only means no draft is kept.
pub fn save(job_type: &str, form: &FormState) {
    if let (Some(storage), Ok(text)) = (storage(), serde_json::to_string(form)) {
        let _ = storage.set_item(&key(job_type), &text);
    }
}

pub fn clear(job_type: &str) {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(&key(job_type));
    }
}
