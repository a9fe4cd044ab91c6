//! What the user typed into the submission form, as plain data: it survives a reload (drafts), comes
//! from a copied job, and is fitted to a job type that changed on the Manager.

use std::collections::{BTreeMap, BTreeSet};

use flamenco_api::{AvailableJobSetting, AvailableJobType, Job, SettingType, SettingVisibility};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::computed::{blender_default, is_computed};
use super::formats::EXTENSION_EVAL;
use super::output_path::{fresh_output_path, OUTPUT_PATH_KEY};

/// The value of one setting as typed: text for strings and numbers (checked when submitting), a flag
/// for booleans.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Entry {
    Text(String),
    Flag(bool),
}

/// One metadata key/value row.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MetadataRow {
    pub key: String,
    pub value: String,
}

/// Everything the form holds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FormState {
    pub name: String,
    /// As typed; 0-100 once checked.
    pub priority: String,
    /// A worker tag id; `None` lets any worker run the job.
    pub worker_tag: Option<String>,
    pub metadata: Vec<MetadataRow>,
    /// Submit as paused: sends `initial_status: paused`.
    pub paused: bool,
    /// Per setting key.
    pub values: BTreeMap<String, Entry>,
    /// For a copy: the original's resolved output path, which the copy may not render into.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_output: Option<String>,
    /// Computed settings the person typed themselves: these no longer follow their inputs.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub own: BTreeSet<String>,
}

/// Where the form shows a setting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Section {
    /// The job type's own settings, and those the form works out from them.
    Settings,
    /// What Blender fills in through `eval` (and hidden settings the job type needs): typed in here.
    FromBlender,
}

/// The section of a setting; `None` for a hidden setting the job type does not need from a person.
pub fn section_of(setting: &AvailableJobSetting, job_type: &AvailableJobType) -> Option<Section> {
    // The extension follows the format, shown beside it with the scene's other output settings.
    let from_scene = setting.eval.as_deref() == Some(EXTENSION_EVAL);
    if is_computed(setting, job_type) && !from_scene {
        Some(Section::Settings)
    } else if setting.eval.is_some() {
        Some(Section::FromBlender)
    } else if setting.visibility() == SettingVisibility::Hidden {
        setting.is_required().then_some(Section::FromBlender)
    } else {
        Some(Section::Settings)
    }
}

/// The value a fresh form shows: the job type's default, or what a new Blender scene has.
fn default_entry(setting: &AvailableJobSetting) -> Entry {
    match (&setting.default, blender_default(setting)) {
        (None, Some(default)) => Entry::Text(default.to_owned()),
        (default, _) => entry_from_value(setting, default.as_ref()),
    }
}

/// A stored or default value as the form shows it for `setting`.
fn entry_from_value(setting: &AvailableJobSetting, value: Option<&Value>) -> Entry {
    match setting.setting_type {
        SettingType::Bool => Entry::Flag(value.and_then(Value::as_bool).unwrap_or(false)),
        _ => Entry::Text(match value {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(text)) => text.clone(),
            Some(other) => other.to_string(),
        }),
    }
}

/// Whether an entry has the shape a setting's type needs.
fn fits(setting: &AvailableJobSetting, entry: &Entry) -> bool {
    matches!(
        (&setting.setting_type, entry),
        (SettingType::Bool, Entry::Flag(_))
            | (SettingType::String | SettingType::Int32 | SettingType::Float, Entry::Text(_))
    )
}

impl FormState {
    /// A fresh form for a job type: its defaults filled in.
    pub fn defaults(job_type: &AvailableJobType) -> FormState {
        FormState {
            name: String::new(),
            priority: "50".into(),
            worker_tag: None,
            metadata: Vec::new(),
            paused: false,
            original_output: None,
            own: BTreeSet::new(),
            values: job_type
                .settings
                .iter()
                .map(|setting| (setting.key.clone(), default_entry(setting)))
                .collect(),
        }
    }

    /// A form for submitting a copy of `job`: its settings, metadata, priority and tag, its name marked.
    pub fn copy_of(job: &Job, job_type: &AvailableJobType) -> FormState {
        let settings = job.settings.clone().unwrap_or_default();
        let mut form = FormState::defaults(job_type);
        form.name = format!("Copy of {}", job.name);
        form.priority = job.priority.to_string();
        form.worker_tag = job.worker_tag.clone().filter(|tag| !tag.is_empty());
        form.metadata = job
            .metadata
            .clone()
            .unwrap_or_default()
            .into_iter()
            .map(|(key, value)| MetadataRow { key, value })
            .collect();
        for setting in &job_type.settings {
            if let Some(value) = settings.get(&setting.key) {
                form.values.insert(setting.key.clone(), entry_from_value(setting, Some(value)));
            }
        }
        // The stored path has the original's timestamp in it: the copy gets a fresh one, or, when
        // the folder has no timestamp, must be given another (validation says so).
        if let Some(Value::String(resolved)) = settings.get(OUTPUT_PATH_KEY) {
            if let Some(fresh) = fresh_output_path(resolved) {
                form.set_text(OUTPUT_PATH_KEY, fresh);
            }
            // The copy keeps its original's folder layout rather than one worked out again.
            form.own.insert(OUTPUT_PATH_KEY.to_owned());
            form.original_output = Some(resolved.clone());
        }
        form
    }

    /// This form for `job_type` (a draft, or after the job type changed): every value that still
    /// applies is kept, settings the type no longer has are dropped, new ones get their defaults.
    pub fn fitted_to(&self, job_type: &AvailableJobType) -> FormState {
        let fresh = FormState::defaults(job_type);
        let values: BTreeMap<String, Entry> = job_type
            .settings
            .iter()
            .map(|setting| {
                let kept = self.values.get(&setting.key).filter(|entry| fits(setting, entry));
                let entry = kept.or_else(|| fresh.values.get(&setting.key)).cloned();
                (setting.key.clone(), entry.unwrap_or_else(|| entry_from_value(setting, None)))
            })
            .collect();
        let own = self.own.iter().filter(|key| values.contains_key(*key)).cloned().collect();
        FormState { values, own, ..self.clone() }
    }

    /// Whether the person typed this computed setting themselves.
    pub fn is_own(&self, key: &str) -> bool {
        self.own.contains(key)
    }

    /// The person takes a computed setting over, starting from `value`.
    pub fn take_over(&mut self, key: &str, value: String) {
        self.own.insert(key.to_owned());
        self.set_text(key, value);
    }

    /// A computed setting follows its inputs again.
    pub fn give_back(&mut self, key: &str) {
        self.own.remove(key);
    }

    /// The text typed for a setting ("" if none).
    pub fn text(&self, key: &str) -> String {
        match self.values.get(key) {
            Some(Entry::Text(text)) => text.clone(),
            _ => String::new(),
        }
    }

    pub fn flag(&self, key: &str) -> bool {
        matches!(self.values.get(key), Some(Entry::Flag(true)))
    }

    pub fn set_text(&mut self, key: &str, text: String) {
        self.values.insert(key.to_owned(), Entry::Text(text));
    }

    pub fn set_flag(&mut self, key: &str, on: bool) {
        self.values.insert(key.to_owned(), Entry::Flag(on));
    }

    /// Sets one part of a metadata row; rows that do not exist are ignored.
    pub fn set_metadata(&mut self, row: usize, part: MetadataPart, text: String) {
        if let Some(row) = self.metadata.get_mut(row) {
            match part {
                MetadataPart::Key => row.key = text,
                MetadataPart::Value => row.value = text,
            }
        }
    }

    pub fn remove_metadata(&mut self, row: usize) {
        if row < self.metadata.len() {
            self.metadata.remove(row);
        }
    }
}

/// The two halves of a metadata row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MetadataPart {
    Key,
    Value,
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn job_type() -> AvailableJobType {
        serde_json::from_value(serde_json::json!({
            "name": "single-image-render", "label": "Single Image Render", "etag": "e1",
            "settings": [
                {"key": "tile_size_x", "type": "int32", "default": 64},
                {"key": "frame", "type": "int32", "required": true, "eval": "C.scene.frame_current"},
                {"key": "add_path_components", "type": "int32", "required": true, "default": 0,
                 "propargs": {"min": 0, "max": 32}, "visible": "submission"},
                {"key": "format", "type": "string", "required": true, "choices": ["PNG", "OPEN_EXR"]},
                {"key": "scale", "type": "float", "propargs": {"min": 0.5}},
                {"key": "has_previews", "type": "bool", "eval": "x", "visible": "hidden"},
                {"key": "secret", "type": "string", "visible": "hidden"},
                {"key": "resolution_x", "type": "int32", "required": true, "visible": "hidden"}
            ]
        }))
        .unwrap()
    }

    #[test]
    fn defaults_fill_the_form_and_booleans_are_flags() {
        let form = FormState::defaults(&job_type());
        assert_eq!(form.text("tile_size_x"), "64");
        assert_eq!(form.text("frame"), "");
        assert!(!form.flag("has_previews"));
        assert_eq!(form.priority, "50");
        assert!(!form.paused);
    }

    #[test]
    fn eval_and_needed_hidden_settings_are_asked_for_in_their_own_section() {
        let job_type = job_type();
        let section =
            |key: &str| section_of(job_type.settings.iter().find(|s| s.key == key).unwrap(), &job_type);
        assert_eq!(section("tile_size_x"), Some(Section::Settings));
        assert_eq!(section("add_path_components"), Some(Section::Settings));
        assert_eq!(section("frame"), Some(Section::FromBlender));
        assert_eq!(section("has_previews"), Some(Section::FromBlender));
        assert_eq!(section("resolution_x"), Some(Section::FromBlender));
        assert_eq!(section("secret"), None);
    }

    #[test]
    fn a_copy_takes_the_jobs_values_and_marks_the_name() {
        let job: Job = serde_json::from_value(serde_json::json!({
            "id": "j1", "name": "Shot 10", "type": "single-image-render", "priority": 70,
            "settings": {"frame": 12, "format": "PNG", "has_previews": true, "gone": 1},
            "metadata": {"project": "p"}, "submitter_platform": "linux", "worker_tag": "t1",
            "created": "2026-01-01T00:00:00Z", "updated": "2026-01-01T00:00:00Z",
            "status": "completed", "activity": "", "steps_completed": 1, "steps_total": 1
        }))
        .unwrap();
        let form = FormState::copy_of(&job, &job_type());
        assert_eq!(form.name, "Copy of Shot 10");
        assert_eq!(form.priority, "70");
        assert_eq!(form.worker_tag.as_deref(), Some("t1"));
        assert_eq!(form.text("frame"), "12");
        assert_eq!(form.text("tile_size_x"), "64");
        assert!(form.flag("has_previews"));
        assert!(!form.values.contains_key("gone"));
        assert_eq!(form.metadata, [MetadataRow { key: "project".into(), value: "p".into() }]);
        assert_eq!(form.original_output, None, "no output path, nothing to keep clear of");
    }

    #[test]
    fn a_copy_renders_into_a_fresh_timestamped_folder() {
        let mut job_type = job_type();
        job_type.settings.push(
            serde_json::from_value(serde_json::json!({"key": "render_output_path", "type": "string"}))
                .unwrap(),
        );
        let job: Job = serde_json::from_value(serde_json::json!({
            "id": "j1", "name": "Shot 10", "type": "single-image-render", "priority": 50,
            "settings": {"render_output_path": "/r/Shot 10/2026-11-30_141904/tiles"},
            "submitter_platform": "", "created": "2026-01-01T00:00:00Z", "updated": "2026-01-01T00:00:00Z",
            "status": "completed", "activity": "", "steps_completed": 1, "steps_total": 1
        }))
        .unwrap();
        let form = FormState::copy_of(&job, &job_type);
        assert_eq!(form.text("render_output_path"), "/r/Shot 10/{timestamp}/tiles");
        assert_eq!(form.original_output.as_deref(), Some("/r/Shot 10/2026-11-30_141904/tiles"));
    }

    #[test]
    fn fitting_to_a_changed_type_keeps_what_still_applies() {
        let mut form = FormState::defaults(&job_type());
        form.name = "Kept".into();
        form.set_text("frame", "7".into());
        form.set_text("format", "PNG".into());
        let mut changed = job_type();
        changed.settings.retain(|setting| setting.key != "format");
        changed.settings.push(
            serde_json::from_value(serde_json::json!({"key": "new", "type": "string", "default": "d"}))
                .unwrap(),
        );
        // A setting whose type changed to bool cannot keep its text.
        changed.settings.iter_mut().find(|s| s.key == "tile_size_x").unwrap().setting_type =
            SettingType::Bool;
        let fitted = form.fitted_to(&changed);
        assert_eq!(fitted.name, "Kept");
        assert_eq!(fitted.text("frame"), "7");
        assert_eq!(fitted.text("new"), "d");
        assert!(!fitted.values.contains_key("format"));
        assert_eq!(fitted.values.get("tile_size_x"), Some(&Entry::Flag(false)));
    }

    #[test]
    fn metadata_rows_are_edited_by_index_and_out_of_range_is_ignored() {
        let mut form = FormState::defaults(&job_type());
        form.metadata.push(MetadataRow::default());
        form.set_metadata(0, MetadataPart::Key, "k".into());
        form.set_metadata(0, MetadataPart::Value, "v".into());
        form.set_metadata(5, MetadataPart::Key, "x".into());
        form.remove_metadata(5);
        assert_eq!(form.metadata, [MetadataRow { key: "k".into(), value: "v".into() }]);
        form.remove_metadata(0);
        assert!(form.metadata.is_empty());
    }
}
