//! Job types and their settings, from which a submission form is generated.

use serde::{Deserialize, Serialize};

use crate::{SettingSubtype, SettingType, SettingVisibility};

/// The job types a Manager supports (`AvailableJobTypes`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AvailableJobTypes {
    pub job_types: Vec<AvailableJobType>,
}

/// One job type and its settings (`AvailableJobType`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AvailableJobType {
    pub name: String,
    pub label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub settings: Vec<AvailableJobSetting>,
    /// Hash of the job type; a submission carries it as `type_etag`.
    pub etag: String,
}

/// One setting of a job type (`AvailableJobSetting`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AvailableJobSetting {
    /// Unique within the job type.
    pub key: String,
    #[serde(rename = "type")]
    pub setting_type: SettingType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subtype: Option<SettingSubtype>,
    /// The only valid values, for string settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub choices: Option<Vec<String>>,
    /// Extra arguments of Blender's property, e.g. `{"min": 1, "max": 100}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub propargs: Option<serde_json::Map<String, serde_json::Value>>,
    /// Help text. Untyped in the OpenAPI file; job types send text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<serde_json::Value>,
    /// Display label. Untyped in the OpenAPI file; job types send text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<serde_json::Value>,
    /// A Python expression only Blender can evaluate: a web form must ask for the value instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eval: Option<String>,
    #[serde(default, rename = "evalInfo", skip_serializing_if = "Option::is_none")]
    pub eval_info: Option<EvalInfo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visible: Option<SettingVisibility>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub editable: Option<bool>,
}

/// How Blender's submission UI presents an `eval` setting (`evalInfo`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvalInfo {
    #[serde(rename = "showLinkButton")]
    pub show_link_button: bool,
    pub description: String,
}

impl AvailableJobSetting {
    /// Where the setting is shown, with the OpenAPI default applied.
    pub fn visibility(&self) -> SettingVisibility {
        self.visible.clone().unwrap_or_default()
    }

    /// Whether a job must have this setting (OpenAPI default: no).
    pub fn is_required(&self) -> bool {
        self.required.unwrap_or(false)
    }

    /// The label to show: the job type's own, or one made from the key (`render_output_path` ->
    /// "Render Output Path").
    pub fn display_label(&self) -> String {
        match &self.label {
            Some(serde_json::Value::String(label)) if !label.trim().is_empty() => label.clone(),
            _ => label_from_key(&self.key),
        }
    }

    /// The help text, if the job type gave one as text.
    pub fn help_text(&self) -> Option<&str> {
        match &self.description {
            Some(serde_json::Value::String(text)) if !text.trim().is_empty() => Some(text),
            _ => None,
        }
    }

    /// A numeric limit from `propargs` (`min`, `max`, `soft_min`, ...).
    pub fn proparg_f64(&self, name: &str) -> Option<f64> {
        self.propargs.as_ref()?.get(name)?.as_f64()
    }
}

/// Turns `snake_case` or `camelCase` keys into Title Case words.
pub fn label_from_key(key: &str) -> String {
    let mut words: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for ch in key.chars() {
        let boundary = ch == '_' || ch == '-' || ch == ' ' || (ch.is_uppercase() && previous_lower);
        if boundary && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        if ch != '_' && ch != '-' && ch != ' ' {
            current.push(ch);
        }
        previous_lower = ch.is_lowercase() || ch.is_ascii_digit();
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
        .iter()
        .map(|word| {
            let mut chars = word.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_made_from_keys_when_missing() {
        assert_eq!(label_from_key("render_output_path"), "Render Output Path");
        assert_eq!(label_from_key("tileSizeX"), "Tile Size X");
        assert_eq!(label_from_key("fps"), "Fps");
    }

    #[test]
    fn a_setting_uses_its_label_or_its_key() {
        let mut setting: AvailableJobSetting =
            serde_json::from_str(r#"{"key": "chunk_size", "type": "int32"}"#).unwrap();
        assert_eq!(setting.display_label(), "Chunk Size");
        assert_eq!(setting.visibility(), SettingVisibility::Visible);
        assert!(!setting.is_required());
        setting.label = Some(serde_json::json!("Frames per task"));
        assert_eq!(setting.display_label(), "Frames per task");
    }
}
