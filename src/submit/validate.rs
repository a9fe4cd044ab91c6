//! Checking the form before anything is sent, and turning it into the `SubmittedJob` the Manager gets.
//! The Manager enforces neither `required`, `choices` nor types: this does.

use std::collections::BTreeMap;

use flamenco_api::{
    AvailableJobSetting, AvailableJobType, JobMetadata, JobSettings, JobStatus, SettingType, SubmittedJob,
};
use serde_json::Value;

use super::computed::{compute, is_computed, problem as computed_problem, with_computed};
use super::frames::check_frames;
use super::model::{Entry, FormState};
use super::output_path::{reuse_problem, OUTPUT_PATH_KEY};

/// The setting Flamenco's frames job types take their frame range from; the Manager's frame chunker
/// reads it.
pub const FRAMES_KEY: &str = "frames";

/// A field of the form that can have a problem.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum FieldId {
    Name,
    Priority,
    Setting(String),
    MetadataKey(usize),
}

/// What is wrong with a field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// Required and empty.
    Missing,
    /// Filled in, but not acceptable; the text says why.
    Invalid(String),
    /// Worked out from other fields that are not filled in yet; the text names them.
    Pending(String),
}

impl Problem {
    pub fn message(&self) -> String {
        match self {
            Problem::Missing => "This is required.".to_owned(),
            Problem::Invalid(why) | Problem::Pending(why) => why.clone(),
        }
    }
}

/// The problems of a form, by field.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Problems(pub BTreeMap<FieldId, Problem>);

impl Problems {
    /// The message to show at a field. Empty required fields only count once the user tried to
    /// submit (a fresh form is not an error); wrong values show at once.
    pub fn message_for(&self, field: &FieldId, attempted: bool) -> Option<String> {
        match self.0.get(field)? {
            Problem::Missing | Problem::Pending(_) if !attempted => None,
            problem => Some(problem.message()),
        }
    }

    /// What the submit button says is left to do.
    pub fn summary(&self) -> Option<String> {
        // A field waiting for others is not one more to fill in, unless nothing else is left.
        let pending = self.0.values().filter(|problem| matches!(problem, Problem::Pending(_))).count();
        let missing = self.0.values().filter(|problem| **problem == Problem::Missing).count();
        let invalid = self.0.len() - missing - pending;
        let missing = if missing + invalid == 0 { pending } else { missing };
        let plural = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        match (missing, invalid) {
            (0, 0) => None,
            (m, 0) => Some(plural(m, "field to fill in", "fields to fill in")),
            (0, i) => Some(plural(i, "field to fix", "fields to fix")),
            (m, i) => {
                Some(format!("{}, {}", plural(m, "to fill in", "to fill in"), plural(i, "to fix", "to fix")))
            }
        }
    }
}

/// Checks the form, with the settings it works out filled in; the job to send when nothing is wrong.
pub fn check(form: &FormState, job_type: &AvailableJobType) -> Result<SubmittedJob, Problems> {
    let computed = compute(form, job_type);
    let form = &with_computed(form, &computed);
    let mut problems = BTreeMap::new();
    let name = form.name.trim();
    if name.is_empty() {
        problems.insert(FieldId::Name, Problem::Missing);
    }
    let priority =
        parse_priority(&form.priority).map_err(|problem| problems.insert(FieldId::Priority, problem)).ok();
    let mut settings = JobSettings::new();
    for setting in &job_type.settings {
        let field = FieldId::Setting(setting.key.clone());
        if let Some(Err(error)) = computed.get(&setting.key).filter(|_| !form.is_own(&setting.key)) {
            problems.insert(field, computed_problem(error, job_type));
            continue;
        }
        // Blender always sends what it works out: so does the form, and the job compilers rely on it
        // (`render_output_path` is not marked required, yet without it they refuse the job).
        let required = is_computed(setting, job_type)
            .then(|| AvailableJobSetting { required: Some(true), ..setting.clone() });
        match setting_value(required.as_ref().unwrap_or(setting), form.values.get(&setting.key)) {
            Ok(Some(value)) if setting.key == FRAMES_KEY => {
                match check_frames(value.as_str().unwrap_or_default()) {
                    Ok(_) => {
                        settings.insert(setting.key.clone(), value);
                    }
                    Err(why) => {
                        problems.insert(field, Problem::Invalid(why));
                    }
                }
            }
            Ok(Some(value)) => {
                settings.insert(setting.key.clone(), value);
            }
            Ok(None) => {}
            Err(problem) => {
                problems.insert(FieldId::Setting(setting.key.clone()), problem);
            }
        }
    }
    if let Some(original) = &form.original_output {
        let typed = form.text(OUTPUT_PATH_KEY);
        let has_setting = job_type.settings.iter().any(|setting| setting.key == OUTPUT_PATH_KEY);
        if let Some(why) = reuse_problem(&typed, original).filter(|_| has_setting) {
            problems.insert(FieldId::Setting(OUTPUT_PATH_KEY.to_owned()), Problem::Invalid(why));
        }
    }
    let mut metadata = JobMetadata::new();
    for (index, row) in form.metadata.iter().enumerate() {
        let key = row.key.trim();
        if key.is_empty() && row.value.trim().is_empty() {
            continue;
        }
        if key.is_empty() {
            problems.insert(
                FieldId::MetadataKey(index),
                Problem::Invalid("A key is needed for this value.".into()),
            );
        } else if metadata.contains_key(key) {
            problems.insert(
                FieldId::MetadataKey(index),
                Problem::Invalid(format!("\"{key}\" is already used above.")),
            );
        } else {
            metadata.insert(key.to_owned(), row.value.clone());
        }
    }
    match priority {
        Some(priority) if problems.is_empty() => Ok(SubmittedJob {
            name: name.to_owned(),
            job_type: job_type.name.clone(),
            type_etag: Some(job_type.etag.clone()),
            priority,
            settings: Some(settings),
            metadata: (!metadata.is_empty()).then_some(metadata),
            // Paths typed here are as the Manager sees them.
            submitter_platform: "manager".into(),
            storage: None,
            worker_tag: form.worker_tag.clone().filter(|tag| !tag.is_empty()),
            // Only paused is ever sent; nothing means queued.
            initial_status: form.paused.then_some(JobStatus::Paused),
        }),
        _ => Err(Problems(problems)),
    }
}

fn parse_priority(text: &str) -> Result<i32, Problem> {
    let text = text.trim();
    if text.is_empty() {
        return Err(Problem::Missing);
    }
    match text.parse::<i32>() {
        Ok(priority) if (0..=100).contains(&priority) => Ok(priority),
        _ => Err(Problem::Invalid("The priority is a whole number from 0 to 100.".into())),
    }
}

/// The value a setting gets from its entry: `None` when left empty and not required.
pub fn setting_value(setting: &AvailableJobSetting, entry: Option<&Entry>) -> Result<Option<Value>, Problem> {
    let text = match entry {
        Some(Entry::Flag(on)) if setting.setting_type == SettingType::Bool => {
            return Ok(Some(Value::Bool(*on)))
        }
        None if setting.setting_type == SettingType::Bool => return Ok(Some(Value::Bool(false))),
        Some(Entry::Text(text)) => text.trim(),
        _ => "",
    };
    if text.is_empty() {
        return if setting.is_required() { Err(Problem::Missing) } else { Ok(None) };
    }
    match setting.setting_type {
        SettingType::Int32 => {
            let number = text
                .parse::<i64>()
                .map_err(|_| Problem::Invalid(format!("\"{text}\" is not a whole number.")))?;
            if i32::try_from(number).is_err() {
                return Err(Problem::Invalid("This number is too large.".into()));
            }
            within_limits(setting, number as f64)?;
            Ok(Some(Value::from(number)))
        }
        SettingType::Float => {
            let number = text
                .parse::<f64>()
                .ok()
                .filter(|number| number.is_finite())
                .ok_or_else(|| Problem::Invalid(format!("\"{text}\" is not a number.")))?;
            within_limits(setting, number)?;
            Ok(Some(Value::from(number)))
        }
        // Strings, and types this app does not know: sent as typed.
        _ => {
            if let Some(choices) = &setting.choices {
                if !choices.iter().any(|choice| choice == text) {
                    return Err(Problem::Invalid(format!("Choose one of: {}.", choices.join(", "))));
                }
            }
            Ok(Some(Value::from(text)))
        }
    }
}

/// Checks `propargs` `min` and `max`.
fn within_limits(setting: &AvailableJobSetting, number: f64) -> Result<(), Problem> {
    if let Some(min) = setting.proparg_f64("min").filter(|min| number < *min) {
        return Err(Problem::Invalid(format!("The smallest value allowed is {min}.")));
    }
    if let Some(max) = setting.proparg_f64("max").filter(|max| number > *max) {
        return Err(Problem::Invalid(format!("The largest value allowed is {max}.")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::submit::model::tests::job_type;
    use crate::submit::model::MetadataRow;

    fn valid_form() -> FormState {
        let mut form = FormState::defaults(&job_type());
        form.name = " Shot ".into();
        form.set_text("frame", "1".into());
        form.set_text("format", "PNG".into());
        form.set_text("resolution_x", "640".into());
        form
    }

    fn problem(form: &FormState, field: FieldId) -> Option<Problem> {
        check(form, &job_type()).err().and_then(|problems| problems.0.get(&field).cloned())
    }

    #[test]
    fn a_valid_form_becomes_a_queued_job_with_the_etag() {
        let job = check(&valid_form(), &job_type()).unwrap();
        assert_eq!(job.name, "Shot");
        assert_eq!(job.type_etag.as_deref(), Some("e1"));
        assert_eq!(job.initial_status, None, "unchecked sends no initial status at all");
        let settings = job.settings.unwrap();
        assert_eq!(settings["frame"], Value::from(1));
        assert_eq!(settings["tile_size_x"], Value::from(64));
        assert_eq!(settings["has_previews"], Value::Bool(false));
        assert!(!settings.contains_key("scale"), "empty optional settings are left out");
        assert_eq!(job.metadata, None);
    }

    #[test]
    fn submit_as_paused_sends_paused_and_nothing_else() {
        let mut form = valid_form();
        form.paused = true;
        assert_eq!(check(&form, &job_type()).unwrap().initial_status, Some(JobStatus::Paused));
    }

    #[test]
    fn required_types_choices_and_limits_are_checked() {
        let mut form = valid_form();
        form.set_text("frame", "".into());
        assert_eq!(problem(&form, FieldId::Setting("frame".into())), Some(Problem::Missing));
        form.set_text("frame", "1.5".into());
        assert!(matches!(problem(&form, FieldId::Setting("frame".into())), Some(Problem::Invalid(_))));
        form.set_text("frame", "abc".into());
        assert_eq!(
            problem(&form, FieldId::Setting("frame".into())),
            Some(Problem::Invalid("\"abc\" is not a whole number.".into()))
        );
        form.set_text("frame", "99999999999".into());
        assert!(problem(&form, FieldId::Setting("frame".into())).is_some());
        form.set_text("add_path_components", "33".into());
        assert_eq!(
            problem(&form, FieldId::Setting("add_path_components".into())),
            Some(Problem::Invalid("The largest value allowed is 32.".into()))
        );
        form.set_text("format", "JPEG".into());
        assert!(matches!(problem(&form, FieldId::Setting("format".into())), Some(Problem::Invalid(_))));
        form.set_text("scale", "0.25".into());
        assert_eq!(
            problem(&form, FieldId::Setting("scale".into())),
            Some(Problem::Invalid("The smallest value allowed is 0.5.".into()))
        );
        form.set_text("scale", "NaN".into());
        assert!(problem(&form, FieldId::Setting("scale".into())).is_some());
    }

    #[test]
    fn job_fields_are_checked() {
        let mut form = valid_form();
        form.name = "  ".into();
        form.priority = "101".into();
        form.metadata = vec![
            MetadataRow { key: "a".into(), value: "1".into() },
            MetadataRow { key: "a".into(), value: "2".into() },
            MetadataRow { key: "".into(), value: "".into() },
            MetadataRow { key: "".into(), value: "3".into() },
        ];
        let problems = check(&form, &job_type()).unwrap_err();
        assert_eq!(problems.0.get(&FieldId::Name), Some(&Problem::Missing));
        assert!(problems.0.contains_key(&FieldId::Priority));
        assert!(problems.0.contains_key(&FieldId::MetadataKey(1)));
        assert!(!problems.0.contains_key(&FieldId::MetadataKey(2)), "empty rows are ignored");
        assert!(problems.0.contains_key(&FieldId::MetadataKey(3)));
        assert_eq!(problems.summary().as_deref(), Some("1 to fill in, 3 to fix"));
    }

    #[test]
    fn missing_values_are_shown_only_after_an_attempt() {
        let mut form = valid_form();
        form.set_text("frame", "".into());
        form.set_text("resolution_x", "x".into());
        let problems = check(&form, &job_type()).unwrap_err();
        assert_eq!(problems.message_for(&FieldId::Setting("frame".into()), false), None);
        assert_eq!(
            problems.message_for(&FieldId::Setting("frame".into()), true).as_deref(),
            Some("This is required.")
        );
        assert!(problems.message_for(&FieldId::Setting("resolution_x".into()), false).is_some());
        assert_eq!(Problems::default().summary(), None);
        let mut one = Problems::default();
        one.0.insert(FieldId::Name, Problem::Missing);
        assert_eq!(one.summary().as_deref(), Some("1 field to fill in"));
    }

    #[test]
    fn a_copy_may_not_render_into_the_originals_folder() {
        let mut job_type = job_type();
        job_type.settings.push(
            serde_json::from_value(serde_json::json!({"key": "render_output_path", "type": "string"}))
                .unwrap(),
        );
        let mut form = valid_form();
        form.original_output = Some("/r/shot/######".into());
        form.set_text("render_output_path", "/r/shot/######".into());
        let problems = check(&form, &job_type).unwrap_err();
        let message = problems.message_for(&FieldId::Setting("render_output_path".into()), false);
        assert!(message.is_some_and(|message| message.contains("overwrite")));
        form.set_text("render_output_path", "/r/shot-2/######".into());
        assert!(check(&form, &job_type).is_ok());
    }

    #[test]
    fn metadata_and_worker_tag_are_sent() {
        let mut form = valid_form();
        form.metadata = vec![MetadataRow { key: " project ".into(), value: "x".into() }];
        form.worker_tag = Some("tag-1".into());
        let job = check(&form, &job_type()).unwrap();
        assert_eq!(job.metadata.unwrap().get("project").map(String::as_str), Some("x"));
        assert_eq!(job.worker_tag.as_deref(), Some("tag-1"));
    }

    #[test]
    fn frame_ranges_are_checked_as_the_managers_chunker_reads_them() {
        let job_type: AvailableJobType = serde_json::from_value(serde_json::json!({
            "name": "frames", "label": "Frames", "etag": "e",
            "settings": [{"key": "frames", "type": "string", "required": true,
                          "eval": "f'{C.scene.frame_start}-{C.scene.frame_end}'"}]
        }))
        .unwrap();
        let mut form = FormState::defaults(&job_type);
        form.name = "F".into();
        form.set_text("frames", "1-5-9".into());
        let problems = check(&form, &job_type).unwrap_err();
        let message = problems.message_for(&FieldId::Setting("frames".into()), false);
        assert!(message.is_some_and(|message| message.contains("more than one dash")));
        form.set_text("frames", " 1-10, 20 ".into());
        let job = check(&form, &job_type).unwrap();
        assert_eq!(job.settings.unwrap()["frames"], "1-10, 20");
    }
}
