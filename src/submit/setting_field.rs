//! One setting's field: typed, chosen, or worked out by the form (following its inputs until the
//! person edits it), with what Blender would fill in asked for in words.

use flamenco_api::{AvailableJobSetting, SettingSubtype, SettingType};
use leptos::prelude::*;

use super::computed::{blender_request, is_computed, shown_text, status};
use super::fields::{invalid, FieldError};
use super::form::FormContext;
use super::formats::{by_name, FORMATS, FORMAT_EVAL};
use super::validate::FieldId;

/// What kind of control a setting gets.
#[derive(Clone, Debug, PartialEq)]
enum Control {
    Checkbox,
    /// A select of (value, label) pairs.
    Choice(Vec<(String, String)>),
    Text {
        inputmode: Option<&'static str>,
    },
}

impl Control {
    fn for_setting(setting: &AvailableJobSetting) -> Control {
        let pairs =
            |choices: &[String]| choices.iter().map(|choice| (choice.clone(), choice.clone())).collect();
        match (&setting.setting_type, &setting.choices) {
            (SettingType::Bool, _) => Control::Checkbox,
            (SettingType::String, Some(choices)) => Control::Choice(pairs(choices)),
            (SettingType::String, None) if setting.eval.as_deref() == Some(FORMAT_EVAL) => Control::Choice(
                FORMATS.iter().map(|format| (format.name.to_owned(), format.label.to_owned())).collect(),
            ),
            (SettingType::Int32, _) => Control::Text { inputmode: Some("numeric") },
            (SettingType::Float, _) => Control::Text { inputmode: Some("decimal") },
            _ => Control::Text { inputmode: None },
        }
    }
}

/// The hints under a setting: path kind, limits, and how its value comes about.
fn hints(setting: &AvailableJobSetting, computed: bool) -> Vec<String> {
    let mut hints = Vec::new();
    match &setting.subtype {
        Some(SettingSubtype::FilePath) => {
            hints.push("A file path, as the Manager and Workers see it.".to_owned())
        }
        Some(SettingSubtype::DirPath) => {
            hints.push("A folder path, as the Manager and Workers see it.".to_owned())
        }
        Some(SettingSubtype::HashedFilePath) => {
            hints.push("A file path; #### stands for the frame number.".to_owned())
        }
        Some(SettingSubtype::FileName) => hints.push("A file name, without folders.".to_owned()),
        _ => {}
    }
    match (setting.proparg_f64("min"), setting.proparg_f64("max")) {
        (Some(min), Some(max)) => hints.push(format!("From {min} to {max}.")),
        (Some(min), None) => hints.push(format!("At least {min}.")),
        (None, Some(max)) => hints.push(format!("At most {max}.")),
        (None, None) => {}
    }
    match &setting.eval {
        Some(eval) if computed => hints.push(format!(
            "Worked out as Blender's add-on does ({eval}); it follows those fields until you edit it."
        )),
        Some(_) => hints.extend(blender_request(setting)),
        None => {}
    }
    hints
}

#[component]
pub fn SettingField(context: FormContext, setting: AvailableJobSetting) -> impl IntoView {
    let form = context.form;
    let computed = context.job_type.with_untracked(|job_type| is_computed(&setting, job_type));
    let key = setting.key.clone();
    let id = format!("setting-{key}");
    let error_id = format!("{id}-error");
    let field = FieldId::Setting(key.clone());
    let text = {
        let key = key.clone();
        move || form.with(|form| context.computed.with(|computed| shown_text(form, computed, &key)))
    };
    let set_text = {
        let key = key.clone();
        move |value: String| {
            form.update(
                |form| if computed { form.take_over(&key, value) } else { form.set_text(&key, value) },
            )
        }
    };
    let own = {
        let key = key.clone();
        move || form.with(|form| form.is_own(&key))
    };
    let control = match Control::for_setting(&setting) {
        Control::Checkbox => {
            let (read, write) = (key.clone(), key.clone());
            view! {
                <input id=id.clone() type="checkbox" prop:checked=move || form.with(|form| form.flag(&read))
                    on:change:target=move |event| form.update(|form| form.set_flag(&write, event.target().checked())) />
            }
            .into_any()
        }
        Control::Choice(choices) => {
            let options = choices
                .into_iter()
                .map(|(value, label)| {
                    let text = text.clone();
                    let compared = value.clone();
                    view! { <option value=value selected=move || text() == compared>{label}</option> }
                })
                .collect_view();
            let (empty, other) = (text.clone(), text.clone());
            // A value from a copied job that is not one of the choices stays visible as it is.
            let other = move || {
                let value = other();
                let unknown = !value.is_empty() && by_name(&value).is_none();
                unknown.then(|| view! { <option value=value.clone() selected=true>{value.clone()}</option> })
            };
            let is_format = setting.choices.is_none();
            view! {
                <select id=id.clone() aria-describedby=error_id.clone() aria-invalid=invalid(context, field.clone())
                    on:change:target=move |event| set_text(event.target().value())>
                    <option value="" selected=move || empty().is_empty()>"Choose…"</option>
                    {options}
                    {is_format.then_some(other)}
                </select>
            }
            .into_any()
        }
        Control::Text { inputmode } => {
            let locked = setting.editable == Some(false);
            let eval = setting.eval.is_some();
            let own = own.clone();
            view! {
                <input id=id.clone() type="text" inputmode=inputmode aria-describedby=error_id.clone()
                    aria-required=(setting.is_required() || computed).then_some("true")
                    aria-invalid=invalid(context, field.clone())
                    readonly=move || locked && (!eval || (computed && !own()))
                    prop:value=text on:input:target=move |event| set_text(event.target().value()) />
            }
            .into_any()
        }
    };
    let required = (setting.is_required() || computed)
        .then(|| view! { <span class="required-mark">" (required)"</span> });
    let help = setting.help_text().map(|help| view! { <p class="hint">{help.to_owned()}</p> });
    let hints = hints(&setting, computed)
        .into_iter()
        .map(|hint| view! { <p class="hint muted">{hint}</p> })
        .collect_view();
    let switch = computed.then(|| {
        view! { <ComputedSwitch context key=key.clone() label=setting.display_label() lockable=setting.editable == Some(false) /> }
    });
    let pending = computed.then(|| {
        let key = key.clone();
        move || {
            let attempted = context.attempted.get();
            let waiting = form.with(|form| context.computed.with(|computed| status(form, computed, &key)));
            waiting.filter(|_| !attempted).map(|text| view! { <p class="hint computed-pending">{text}</p> })
        }
    });
    view! {
        <div class="form-field" class:checkbox=setting.setting_type == SettingType::Bool class:computed=computed>
            <span class="field-label"><label for=id title=key>{setting.display_label()}</label>{required}</span>
            {control}
            {switch}
            {pending}
            {help}
            {hints}
            <FieldError context field id=error_id />
        </div>
    }
}

/// "Edit" for a computed setting the job type does not let people type (the person takes it over),
/// and the way back to the computed value once they did.
#[component]
fn ComputedSwitch(context: FormContext, key: String, label: String, lockable: bool) -> impl IntoView {
    let form = context.form;
    let own = {
        let key = key.clone();
        move || form.with(|form| form.is_own(&key))
    };
    let take_over = {
        let key = key.clone();
        move |_| {
            let current =
                form.with(|form| context.computed.with(|computed| shown_text(form, computed, &key)));
            form.update(|form| form.take_over(&key, current));
        }
    };
    let give_back = move |_| form.update(|form| form.give_back(&key));
    let (edit_label, back_label) = (format!(" {label}"), format!(" for {label}"));
    move || {
        if own() {
            view! {
                <button type="button" class="small" on:click=give_back.clone()>
                    "Use the computed value"<span class="visually-hidden">{back_label.clone()}</span>
                </button>
            }
            .into_any()
        } else if lockable {
            view! {
                <button type="button" class="small" on:click=take_over.clone()>
                    "Edit"<span class="visually-hidden">{edit_label.clone()}</span>
                </button>
            }
            .into_any()
        } else {
            ().into_any()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setting(json: serde_json::Value) -> AvailableJobSetting {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn controls_follow_the_setting_type() {
        assert_eq!(
            Control::for_setting(&setting(serde_json::json!({"key": "a", "type": "bool"}))),
            Control::Checkbox
        );
        assert_eq!(
            Control::for_setting(&setting(
                serde_json::json!({"key": "a", "type": "string", "choices": ["x"]})
            )),
            Control::Choice(vec![("x".into(), "x".into())])
        );
        assert_eq!(
            Control::for_setting(&setting(serde_json::json!({"key": "a", "type": "int32"}))),
            Control::Text { inputmode: Some("numeric") }
        );
    }

    #[test]
    fn blenders_output_format_is_a_choice_of_its_formats_by_name() {
        let format = setting(serde_json::json!({"key": "format", "type": "string", "eval": FORMAT_EVAL}));
        let Control::Choice(choices) = Control::for_setting(&format) else { panic!("a select") };
        assert!(choices.contains(&("OPEN_EXR_MULTILAYER".into(), "OpenEXR MultiLayer".into())));
        assert!(choices.contains(&("PNG".into(), "PNG".into())));
    }

    #[test]
    fn hints_name_paths_limits_and_how_the_value_comes_about() {
        let path = setting(serde_json::json!({
            "key": "a", "type": "string", "subtype": "dir_path", "propargs": {"min": 0, "max": 32}, "eval": "x"
        }));
        let shown = hints(&path, true);
        assert_eq!(shown[..2], ["A folder path, as the Manager and Workers see it.", "From 0 to 32."]);
        assert!(shown[2].starts_with("Worked out as Blender's add-on does (x)"));
        let frame =
            setting(serde_json::json!({"key": "frame", "type": "int32", "eval": "C.scene.frame_current"}));
        assert_eq!(
            hints(&frame, false),
            ["Blender fills this in from the scene's current frame; type the frame to render."]
        );
    }
}
