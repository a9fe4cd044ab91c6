//! The settings file as a form: read from the Manager's JSON, checked before saving, and written
//! back into the file it came from, so keys the form does not know travel through untouched.

use flamenco_api::{parse_go_duration, VARIABLE_PLATFORMS};
use serde_json::{Map, Value};

use super::fields::{FieldKind, FieldSpec, FIELDS, VARIABLE_AUDIENCES};

/// The settings file as JSON.
pub type ConfigFile = Map<String, Value>;

/// A field's value as the form holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FieldValue {
    Text(String),
    Toggle(bool),
}

/// One value of a variable: for a platform, maybe for one audience.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ValueDraft {
    pub platform: String,
    pub audience: String,
    pub value: String,
}

/// A variable being edited.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VariableDraft {
    pub name: String,
    pub is_twoway: bool,
    pub values: Vec<ValueDraft>,
    /// Its name in the file it was read from, to keep what the form does not show.
    pub original_name: Option<String>,
}

/// Which input a problem is at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FieldRef {
    Field(usize),
    VariableName(usize),
    ValuePlatform(usize, usize),
    ValueAudience(usize, usize),
}

/// Why a value cannot be saved, at the input it is in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub at: FieldRef,
    pub message: String,
}

/// The whole form.
#[derive(Clone, Debug, PartialEq)]
pub struct ConfigDraft {
    /// One per [`FIELDS`] entry, in the same order.
    pub values: Vec<FieldValue>,
    pub variables: Vec<VariableDraft>,
    original: ConfigFile,
}

fn get_path<'a>(file: &'a ConfigFile, path: &str) -> Option<&'a Value> {
    let mut parts = path.split('.');
    let mut value = file.get(parts.next()?)?;
    for part in parts {
        value = value.get(part)?;
    }
    Some(value)
}

fn set_path(file: &mut ConfigFile, path: &str, new: Value) {
    let parts: Vec<&str> = path.split('.').collect();
    let Some((last, parents)) = parts.split_last() else { return };
    let mut object = file;
    for part in parents {
        let entry = object.entry(part.to_string()).or_insert_with(|| Value::Object(Map::new()));
        if !entry.is_object() {
            *entry = Value::Object(Map::new());
        }
        let Value::Object(inner) = entry else { return };
        object = inner;
    }
    object.insert(last.to_string(), new);
}

fn text_of(value: Option<&Value>) -> String {
    match value {
        Some(Value::String(text)) => text.clone(),
        Some(Value::Number(number)) => number.to_string(),
        Some(Value::Bool(on)) => on.to_string(),
        _ => String::new(),
    }
}

fn read_variables(file: &ConfigFile) -> Vec<VariableDraft> {
    let Some(Value::Object(variables)) = file.get("variables") else { return Vec::new() };
    variables
        .iter()
        .map(|(name, variable)| {
            let values = variable.get("values").and_then(Value::as_array).cloned().unwrap_or_default();
            VariableDraft {
                name: name.clone(),
                is_twoway: variable.get("is_twoway").and_then(Value::as_bool).unwrap_or(false),
                values: values
                    .iter()
                    .map(|value| ValueDraft {
                        platform: text_of(value.get("platform")),
                        audience: text_of(value.get("audience")),
                        value: text_of(value.get("value")),
                    })
                    .collect(),
                original_name: Some(name.clone()),
            }
        })
        .collect()
}

/// Whether `text` is `:port` or `host:port`, as the Manager's HTTP server reads it.
pub fn check_listen(text: &str) -> Result<(), String> {
    let example = "like :8080 or 192.168.1.10:8080";
    let Some((host, port)) = text.trim().rsplit_once(':') else {
        return Err(format!("needs a port, {example}"));
    };
    if !matches!(port.parse::<u16>(), Ok(1..)) {
        return Err(format!("the port must be a number from 1 to 65535, {example}"));
    }
    let bracketed = host.starts_with('[') && host.ends_with(']');
    if host.chars().any(char::is_whitespace) || (host.contains(':') && !bracketed) {
        return Err(format!("the host is not valid; write it {example} (IPv6 in brackets: [::1]:8080)"));
    }
    Ok(())
}

fn check_field(spec: &FieldSpec, value: &FieldValue) -> Result<(), String> {
    let FieldValue::Text(text) = value else { return Ok(()) };
    let text = text.trim();
    match spec.kind {
        FieldKind::Text | FieldKind::Secret | FieldKind::Toggle => Ok(()),
        FieldKind::Required if text.is_empty() => Err(format!("{} is required.", spec.label)),
        FieldKind::Required => Ok(()),
        FieldKind::Listen => check_listen(text).map_err(|why| format!("{}: {why}.", spec.label)),
        FieldKind::Duration => parse_go_duration(text)
            .map(drop)
            .map_err(|why| format!("{} must be a duration like 10m0s, 90s or 1h ({why}).", spec.label)),
        FieldKind::Count => match text.parse::<u64>() {
            Ok(number) if number <= i64::MAX as u64 => Ok(()),
            _ => Err(format!("{} must be a whole number, 0 or more.", spec.label)),
        },
    }
}

impl ConfigDraft {
    /// The form for a settings file.
    pub fn from_file(file: &ConfigFile) -> ConfigDraft {
        let values = FIELDS
            .iter()
            .map(|spec| match spec.kind {
                FieldKind::Toggle => {
                    FieldValue::Toggle(get_path(file, spec.path).and_then(Value::as_bool).unwrap_or(false))
                }
                _ => FieldValue::Text(text_of(get_path(file, spec.path))),
            })
            .collect();
        ConfigDraft { values, variables: read_variables(file), original: file.clone() }
    }

    /// Every reason the form cannot be saved, in the form's order.
    pub fn problems(&self) -> Vec<Problem> {
        let mut problems: Vec<Problem> = FIELDS
            .iter()
            .zip(&self.values)
            .enumerate()
            .filter_map(|(index, (spec, value))| {
                check_field(spec, value).err().map(|message| Problem { at: FieldRef::Field(index), message })
            })
            .collect();
        for (v, variable) in self.variables.iter().enumerate() {
            let name = variable.name.trim();
            let label = format!("Variable {}", v + 1);
            let name_problem = if name.is_empty() {
                Some(format!("{label} needs a name."))
            } else if name.contains(|c: char| c.is_whitespace() || c == '{' || c == '}') {
                Some(format!("{label}: a name cannot contain spaces or braces (it is written {{{name}}} in job settings)."))
            } else if self.variables[..v].iter().any(|other| other.name.trim() == name) {
                Some(format!("{label}: there is already a variable named \"{name}\"."))
            } else {
                None
            };
            if let Some(message) = name_problem {
                problems.push(Problem { at: FieldRef::VariableName(v), message });
            }
            for (i, value) in variable.values.iter().enumerate() {
                if !VARIABLE_PLATFORMS.contains(&value.platform.as_str()) {
                    problems.push(Problem {
                        at: FieldRef::ValuePlatform(v, i),
                        message: format!(
                            "{label} value {}: the platform must be one of linux, windows, darwin or all, not \"{}\".",
                            i + 1,
                            value.platform
                        ),
                    });
                }
                if !VARIABLE_AUDIENCES.iter().any(|(audience, _)| *audience == value.audience) {
                    problems.push(Problem {
                        at: FieldRef::ValueAudience(v, i),
                        message: format!(
                            "{label} value {}: the audience must be all, workers or users, not \"{}\".",
                            i + 1,
                            value.audience
                        ),
                    });
                }
            }
        }
        problems
    }

    /// The settings file to save: the file this form was read from with the form's values written
    /// in, or the problems that stop it. A field the file did not have is left out while empty.
    pub fn to_file(&self) -> Result<ConfigFile, Vec<Problem>> {
        let problems = self.problems();
        if !problems.is_empty() {
            return Err(problems);
        }
        let mut file = self.original.clone();
        for (spec, value) in FIELDS.iter().zip(&self.values) {
            let had = get_path(&self.original, spec.path).is_some();
            let new = match (spec.kind, value) {
                (_, FieldValue::Toggle(on)) => Value::Bool(*on),
                (FieldKind::Count, FieldValue::Text(text)) => {
                    Value::from(text.trim().parse::<u64>().unwrap_or_default())
                }
                (FieldKind::Secret, FieldValue::Text(text)) => Value::String(text.clone()),
                (_, FieldValue::Text(text)) => Value::String(text.trim().to_owned()),
            };
            let empty = matches!(&new, Value::String(text) if text.is_empty()) || new == Value::Bool(false);
            if had || !empty {
                set_path(&mut file, spec.path, new);
            }
        }
        if self.original.contains_key("variables") || !self.variables.is_empty() {
            file.insert("variables".into(), Value::Object(self.write_variables()));
        }
        Ok(file)
    }

    fn write_variables(&self) -> Map<String, Value> {
        let before = match self.original.get("variables") {
            Some(Value::Object(variables)) => variables.clone(),
            _ => Map::new(),
        };
        self.variables
            .iter()
            .map(|variable| {
                let old = variable.original_name.as_ref().and_then(|name| before.get(name));
                let mut object = old.and_then(Value::as_object).cloned().unwrap_or_default();
                let old_values = old
                    .and_then(|old| old.get("values"))
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                if variable.is_twoway || object.contains_key("is_twoway") {
                    object.insert("is_twoway".into(), Value::Bool(variable.is_twoway));
                }
                let values = variable.values.iter().enumerate().map(|(i, value)| {
                    let mut entry = old_values.get(i).and_then(Value::as_object).cloned().unwrap_or_default();
                    entry.insert("platform".into(), Value::String(value.platform.clone()));
                    entry.insert("value".into(), Value::String(value.value.clone()));
                    if value.audience.is_empty() {
                        entry.remove("audience");
                    } else {
                        entry.insert("audience".into(), Value::String(value.audience.clone()));
                    }
                    Value::Object(entry)
                });
                object.insert("values".into(), Value::Array(values.collect()));
                (variable.name.trim().to_owned(), Value::Object(object))
            })
            .collect()
    }
}

#[cfg(test)]
#[path = "model_tests.rs"]
mod tests;
