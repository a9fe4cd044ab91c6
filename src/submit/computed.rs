//! Settings the form works out itself from their `eval` expression (the output path from the job's
//! name and the output root, the file extension from the format), and the words for the ones only
//! Blender can fill in.

use std::collections::BTreeMap;

use flamenco_api::{AvailableJobSetting, AvailableJobType, SettingType};

use super::eval::{evaluate, EvalError, Input, Known, Scope};
use super::formats::{extension_of, DEFAULT_FORMAT, EXTENSION_EVAL, FORMAT_EVAL};
use super::model::{Entry, FormState};
use super::validate::Problem;

/// The result of each computed setting, by key.
pub type Computed = BTreeMap<String, Result<String, EvalError>>;

/// Blender's data the form knows, given the job type (the extension follows the format setting).
fn blender_values(form: Option<&FormState>, job_type: &AvailableJobType) -> BTreeMap<&'static str, String> {
    let format = job_type.settings.iter().find(|setting| setting.eval.as_deref() == Some(FORMAT_EVAL));
    let extension = match (format, form) {
        (None, _) => None,
        // Only whether there is one matters when sorting settings.
        (Some(_), None) => Some(String::new()),
        (Some(format), Some(form)) => extension_of(&form.text(&format.key)).map(str::to_owned),
    };
    extension.map(|extension| (EXTENSION_EVAL, extension)).into_iter().collect()
}

/// Whether the form works this setting out itself: it has an `eval` that needs nothing of Blender's
/// scene that the form does not know.
pub fn is_computed(setting: &AvailableJobSetting, job_type: &AvailableJobType) -> bool {
    let Some(source) = &setting.eval else { return false };
    let settings = job_type.settings.iter().map(|other| (other.key.clone(), Known::Unusable)).collect();
    let blender = blender_values(None, job_type);
    let scope = Scope { job_name: "", settings: &settings, blender: &blender };
    !matches!(evaluate(source, &scope), Err(EvalError::NeedsBlender(_) | EvalError::Unsupported(_)))
}

/// A setting's typed value as an expression reads it.
fn known(setting: &AvailableJobSetting, entry: Option<&Entry>) -> Known {
    let text = match entry {
        Some(Entry::Flag(on)) => return Known::Flag(*on),
        Some(Entry::Text(text)) => text.trim(),
        None => "",
    };
    match setting.setting_type {
        _ if text.is_empty() => Known::Unusable,
        SettingType::Int32 => text.parse().map(Known::Int).unwrap_or(Known::Unusable),
        SettingType::Float => text.parse().map(Known::Float).unwrap_or(Known::Unusable),
        _ => Known::Text(text.to_owned()),
    }
}

/// Works out every computed setting from the form, in the job type's order, each seeing the ones
/// before it as they will be sent.
pub fn compute(form: &FormState, job_type: &AvailableJobType) -> Computed {
    let mut settings: BTreeMap<String, Known> = job_type
        .settings
        .iter()
        .map(|setting| (setting.key.clone(), known(setting, form.values.get(&setting.key))))
        .collect();
    let blender = blender_values(Some(form), job_type);
    let mut computed = Computed::new();
    for setting in job_type.settings.iter().filter(|setting| is_computed(setting, job_type)) {
        let Some(source) = &setting.eval else { continue };
        let scope = Scope { job_name: &form.name, settings: &settings, blender: &blender };
        let result = evaluate(source, &scope);
        if !form.is_own(&setting.key) {
            let entry = result.as_ref().ok().map(|text| Entry::Text(text.clone()));
            settings.insert(setting.key.clone(), known(setting, entry.as_ref()));
        }
        computed.insert(setting.key.clone(), result);
    }
    computed
}

/// The form as it will be sent: computed values in, except where the person typed their own.
pub fn with_computed(form: &FormState, computed: &Computed) -> FormState {
    let mut resolved = form.clone();
    for (key, result) in computed {
        if !form.is_own(key) {
            resolved.set_text(key, result.clone().unwrap_or_default());
        }
    }
    resolved
}

/// The text a field shows: the computed value while the person has not typed their own.
pub fn shown_text(form: &FormState, computed: &Computed, key: &str) -> String {
    match computed.get(key) {
        Some(result) if !form.is_own(key) => result.clone().unwrap_or_default(),
        _ => form.text(key),
    }
}

/// What a computed field waits for, in words (`None` once it has a value or is the person's own).
pub fn status(form: &FormState, computed: &Computed, key: &str) -> Option<String> {
    match computed.get(key) {
        Some(Err(error @ EvalError::Waiting(_))) if !form.is_own(key) => Some(error_text(error)),
        _ => None,
    }
}

fn error_text(error: &EvalError) -> String {
    match error {
        EvalError::Waiting(inputs) => format!("Filled in once {} typed.", inputs_text(inputs, None)),
        _ => String::new(),
    }
}

/// What a computed setting that has no value says.
pub fn problem(error: &EvalError, job_type: &AvailableJobType) -> Problem {
    match error {
        EvalError::Waiting(inputs) => {
            Problem::Pending(format!("Filled in once {} typed.", inputs_text(inputs, Some(job_type))))
        }
        EvalError::Invalid(why) => Problem::Invalid(format!("This cannot be worked out: {why}.")),
        EvalError::NeedsBlender(_) | EvalError::Unsupported(_) => {
            Problem::Invalid("This cannot be worked out here: edit it and type the value.".into())
        }
    }
}

/// "Name and Render Output Root are".
fn inputs_text(inputs: &[Input], job_type: Option<&AvailableJobType>) -> String {
    let names: Vec<String> = inputs
        .iter()
        .map(|input| match input {
            Input::JobName => "Name".to_owned(),
            Input::Setting(key) => job_type
                .and_then(|job_type| job_type.settings.iter().find(|setting| &setting.key == key))
                .map(AvailableJobSetting::display_label)
                .unwrap_or_else(|| flamenco_api::job_types::label_from_key(key)),
        })
        .collect();
    match names.as_slice() {
        [one] => format!("{one} is"),
        [rest @ .., last] => format!("{} and {last} are", rest.join(", ")),
        [] => "its fields are".to_owned(),
    }
}

/// A value for a setting Blender would take from a new scene, where a person rarely wants another.
pub fn blender_default(setting: &AvailableJobSetting) -> Option<&'static str> {
    match setting.eval.as_deref()? {
        "C.scene.render.resolution_percentage" => Some("100"),
        FORMAT_EVAL => Some(DEFAULT_FORMAT),
        _ => None,
    }
}

/// The request shown at a setting only Blender can fill in, naming what to type.
pub fn blender_request(setting: &AvailableJobSetting) -> Option<String> {
    let source = setting.eval.as_deref()?;
    let settings = BTreeMap::new();
    let blender = BTreeMap::new();
    let scope = Scope { job_name: "", settings: &settings, blender: &blender };
    let read = match evaluate(source, &scope) {
        Err(EvalError::NeedsBlender(read)) => read,
        Err(EvalError::Unsupported(_)) => {
            return Some(format!(
                "Farmdeck cannot work out Blender's expression for this ({source}): type the value."
            ))
        }
        _ => return None,
    };
    let what = match read.as_str() {
        "C.scene.frame_current" => "the scene's current frame; type the frame to render",
        "C.scene.frame_start" | "C.scene.frame_end" => {
            "the scene's frame range; type the frames to render, e.g. 1-250"
        }
        "C.scene.render.resolution_x" => "the scene's output width; type it in pixels",
        "C.scene.render.resolution_y" => "the scene's output height; type it in pixels",
        "C.scene.render.resolution_percentage" => "the scene's resolution scale; Flamenco renders at 100 %",
        "C.scene.render.image_settings.file_format" => "the scene's output format; choose it",
        "C.scene.render.fps" | "C.scene.render.fps_base" => {
            "the scene's frame rate; type it in frames per second"
        }
        "C.scene.render.image_settings.use_preview" => {
            "the scene's output settings; tick it when Blender writes previews"
        }
        "C.scene.name" => "the scene's name; type the name of the scene to render",
        _ => return Some(format!("Blender fills this in from the scene ({read}); type the value.")),
    };
    Some(format!("Blender fills this in from {what}."))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::submit::model::{section_of, Section};
    use crate::submit::validate::{check, FieldId};

    /// Flamenco's published single-image job type, as simfarm serves it.
    fn single_image() -> AvailableJobType {
        serde_json::from_value(serde_json::json!({
            "name": "single-image-render", "label": "Single Image Render", "etag": "e1",
            "settings": [
                {"key": "tile_size_x", "type": "int32", "default": 64},
                {"key": "tile_size_y", "type": "int32", "default": 64},
                {"key": "frame", "type": "int32", "required": true, "eval": "C.scene.frame_current"},
                {"key": "render_output_root", "type": "string", "subtype": "dir_path", "required": true, "visible": "submission"},
                {"key": "add_path_components", "type": "int32", "required": true, "default": 0, "propargs": {"min": 0, "max": 32}, "visible": "submission"},
                {"key": "render_output_path", "type": "string", "subtype": "file_path", "editable": false,
                 "eval": "str(Path(abspath(settings.render_output_root), last_n_dir_parts(settings.add_path_components), jobname, '{timestamp}', 'tiles'))"},
                {"key": "blendfile", "type": "string", "required": true, "visible": "web"},
                {"key": "format", "type": "string", "required": true, "eval": "C.scene.render.image_settings.file_format", "visible": "web"},
                {"key": "image_file_extension", "type": "string", "required": true, "eval": "C.scene.render.file_extension", "visible": "hidden"},
                {"key": "resolution_x", "type": "int32", "required": true, "eval": "C.scene.render.resolution_x", "visible": "hidden"},
                {"key": "resolution_y", "type": "int32", "required": true, "eval": "C.scene.render.resolution_y", "visible": "hidden"},
                {"key": "resolution_scale", "type": "int32", "required": true, "eval": "C.scene.render.resolution_percentage", "visible": "hidden"}
            ]
        }))
        .unwrap()
    }

    /// Only what a person can know, typed in.
    fn minimal() -> FormState {
        let mut form = FormState::defaults(&single_image());
        form.name = "Still".into();
        for (key, value) in [
            ("blendfile", "/projects/film/010/still.blend"),
            ("render_output_root", "/render"),
            ("frame", "1"),
            ("resolution_x", "128"),
            ("resolution_y", "128"),
        ] {
            form.set_text(key, value.into());
        }
        form
    }

    fn setting<'a>(job_type: &'a AvailableJobType, key: &str) -> &'a AvailableJobSetting {
        job_type.settings.iter().find(|setting| setting.key == key).unwrap()
    }

    #[test]
    fn paths_and_extensions_are_computed_and_scene_data_is_asked_for() {
        let job_type = single_image();
        let computed = |key: &str| is_computed(setting(&job_type, key), &job_type);
        assert!(computed("render_output_path"));
        assert!(computed("image_file_extension"));
        assert!(!computed("frame"));
        assert!(!computed("format"));
        assert!(!computed("render_output_root"));
        let section = |key: &str| section_of(setting(&job_type, key), &job_type);
        assert_eq!(section("render_output_path"), Some(Section::Settings), "beside the fields it is made of");
        assert_eq!(section("image_file_extension"), Some(Section::FromBlender), "beside the format");
        assert_eq!(
            blender_request(setting(&job_type, "frame")).as_deref(),
            Some("Blender fills this in from the scene's current frame; type the frame to render.")
        );
        assert!(blender_request(setting(&job_type, "resolution_x")).unwrap().contains("width"));
        assert_eq!(blender_request(setting(&job_type, "blendfile")), None);
        let odd: AvailableJobSetting = serde_json::from_value(
            serde_json::json!({"key": "x", "type": "string", "eval": "C.scene.camera.name"}),
        )
        .unwrap();
        assert!(blender_request(&odd).unwrap().contains("(C.scene.camera.name); type the value"));
        let unknown: AvailableJobSetting =
            serde_json::from_value(serde_json::json!({"key": "x", "type": "string", "eval": "os.getcwd()"}))
                .unwrap();
        assert!(blender_request(&unknown).unwrap().contains("cannot work out"));
    }

    #[test]
    fn a_fresh_form_starts_at_100_percent_in_a_chosen_format() {
        let form = FormState::defaults(&single_image());
        assert_eq!(form.text("resolution_scale"), "100");
        assert_eq!(form.text("format"), "OPEN_EXR_MULTILAYER");
        assert_eq!(compute(&form, &single_image())["image_file_extension"], Ok(".exr".into()));
    }

    #[test]
    fn the_minimal_form_becomes_a_job_the_compiler_accepts() {
        let job = check(&minimal(), &single_image()).unwrap();
        let settings = job.settings.unwrap();
        assert_eq!(settings["render_output_path"], "/render/Still/{timestamp}/tiles");
        assert_eq!(settings["image_file_extension"], ".exr");
        assert_eq!(settings["format"], "OPEN_EXR_MULTILAYER");
        assert_eq!(settings["resolution_scale"], 100);
    }

    #[test]
    fn computed_values_follow_their_inputs_until_the_person_takes_them_over() {
        let job_type = single_image();
        let mut form = minimal();
        form.name = "Other".into();
        form.set_text("add_path_components", "1".into());
        form.set_text("format", "PNG".into());
        let computed = compute(&form, &job_type);
        assert_eq!(shown_text(&form, &computed, "render_output_path"), "/render/010/Other/{timestamp}/tiles");
        assert_eq!(shown_text(&form, &computed, "image_file_extension"), ".png");
        form.take_over("render_output_path", "/render/mine".into());
        form.name = "Third".into();
        let computed = compute(&form, &job_type);
        assert_eq!(shown_text(&form, &computed, "render_output_path"), "/render/mine");
        assert_eq!(check(&form, &job_type).unwrap().settings.unwrap()["render_output_path"], "/render/mine");
        form.give_back("render_output_path");
        assert_eq!(
            shown_text(&form, &compute(&form, &job_type), "render_output_path"),
            "/render/010/Third/{timestamp}/tiles"
        );
    }

    #[test]
    fn a_computed_setting_without_its_inputs_waits_for_them_and_one_taken_over_is_required() {
        let job_type = single_image();
        let mut form = minimal();
        form.name = " ".into();
        form.set_text("render_output_root", "".into());
        let computed = compute(&form, &job_type);
        assert_eq!(
            status(&form, &computed, "render_output_path").as_deref(),
            Some("Filled in once Name and Render Output Root are typed.")
        );
        let problems = check(&form, &job_type).unwrap_err();
        let field = FieldId::Setting("render_output_path".into());
        assert_eq!(problems.message_for(&field, false), None, "not an error before an attempt");
        assert_eq!(
            problems.message_for(&field, true).as_deref(),
            Some("Filled in once Name and Render Output Root are typed.")
        );
        assert_eq!(problems.summary().as_deref(), Some("2 fields to fill in"), "the path is not one more");

        let mut form = minimal();
        form.take_over("render_output_path", "".into());
        let problems = check(&form, &job_type).unwrap_err();
        assert_eq!(problems.message_for(&field, false), None);
        assert_eq!(problems.message_for(&field, true).as_deref(), Some("This is required."));

        let mut form = minimal();
        form.set_text("render_output_root", "renders".into());
        let problems = check(&form, &job_type).unwrap_err();
        assert!(problems.message_for(&field, false).is_some_and(|why| why.contains("relative path")));
    }
}
