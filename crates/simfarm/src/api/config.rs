//! The configuration endpoints Flamenco's own web app calls (`/api/v3/configuration...`): the
//! Manager's settings, its variables, where shared storage is, and its settings file. With
//! `--first-run` simfarm starts like a Manager that was never set up (no shared storage, no Blender).

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use serde_json::{json, Map, Value};

use super::{no_content, ok_json, read_json, ApiFailure, ApiResult, ApiState};

/// The settings file as the Manager writes it on its first start, with simfarm's name and storage.
pub fn default_file(name: &str, storage: &str) -> Value {
    json!({
        "_meta": {"version": 3},
        "manager_name": name,
        "database": "flamenco-manager.sqlite",
        "database_check_period": "10m0s",
        "listen": ":8080",
        "autodiscoverable": true,
        "local_manager_storage_path": "./flamenco-manager-storage",
        "shared_storage_path": storage,
        "shaman": {
            "enabled": false,
            "garbageCollect": {"period": "24h0m0s", "maxAge": "744h0m0s", "extraCheckoutPaths": null}
        },
        "task_timeout": "10m0s",
        "worker_timeout": "1m0s",
        "blocklist_threshold": 3,
        "task_fail_after_softfail_count": 3,
        "mqtt": {"client": {"broker": "", "clientID": "flamenco", "topic_prefix": "flamenco",
                            "username": "", "password": ""}},
        "variables": {
            "blender": {"values": [
                {"platform": "linux", "value": "blender"},
                {"platform": "windows", "value": "blender"},
                {"platform": "darwin", "value": "blender"}
            ]},
            "blenderArgs": {"values": [{"platform": "all", "value": "-b -y"}]}
        }
    })
}

/// The settings file of a Manager whose Setup Assistant has not run: no shared storage, no Blender.
pub fn first_run_file(name: &str) -> Value {
    let mut file = default_file(name, "");
    if let Some(variables) = file.get_mut("variables").and_then(Value::as_object_mut) {
        variables.remove("blender");
    }
    file
}

fn storage_location(state: &ApiState) -> String {
    state.render_root.path().display().to_string()
}

/// `GET /api/v3/configuration`.
pub async fn configuration(State(state): State<ApiState>) -> ApiResult {
    let first_run = super::setup::is_first_run(
        &state.config_file.lock().unwrap_or_else(|poisoned| poisoned.into_inner()),
    );
    ok_json(
        &json!({"storageLocation": storage_location(&state), "shamanEnabled": false, "isFirstRun": first_run}),
    )
}

/// The Manager's check of the `audience` path parameter.
fn check_audience(audience: &str) -> Result<(), ApiFailure> {
    if matches!(audience, "workers" | "users") {
        return Ok(());
    }
    Err(ApiFailure::Validation(format!(
        "parameter \"audience\" in path has an error: value {audience:?} is not one of the allowed values [\"workers\",\"users\"]"
    )))
}

/// `GET /api/v3/configuration/variables/{audience}/{platform}`: each variable's value for that
/// platform (or for `all`), from the settings file.
pub async fn variables(
    State(state): State<ApiState>,
    Path((audience, platform)): Path<(String, String)>,
) -> ApiResult {
    check_audience(&audience)?;
    let file = state.config_file.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clone();
    let mut answer = Map::new();
    if let Some(Value::Object(variables)) = file.get("variables") {
        for (name, variable) in variables {
            let values = variable.get("values").and_then(Value::as_array).cloned().unwrap_or_default();
            let audience_fits = |value: &Value| {
                value
                    .get("audience")
                    .and_then(Value::as_str)
                    .is_none_or(|a| a.is_empty() || a == "all" || a == audience)
            };
            let pick = |wanted: &str| {
                values
                    .iter()
                    .filter(|value| audience_fits(value))
                    .find(|value| value.get("platform").and_then(Value::as_str) == Some(wanted))
            };
            let Some(value) = pick(&platform).or_else(|| pick("all")) else { continue };
            let is_twoway = variable.get("is_twoway").and_then(Value::as_bool).unwrap_or(false);
            let text = value.get("value").and_then(Value::as_str).unwrap_or_default();
            answer.insert(name.clone(), json!({"value": text, "is_twoway": is_twoway}));
        }
    }
    ok_json(&Value::Object(answer))
}

/// `GET /api/v3/configuration/shared-storage/{audience}/{platform}`.
pub async fn shared_storage(
    State(state): State<ApiState>,
    Path((audience, platform)): Path<(String, String)>,
) -> ApiResult {
    check_audience(&audience)?;
    ok_json(&json!({
        "location": storage_location(&state),
        "audience": audience,
        "platform": platform,
        "shamanEnabled": false,
    }))
}

/// `GET /api/v3/configuration/file`: the settings file, as last written.
pub async fn file(State(state): State<ApiState>) -> ApiResult {
    let file = state.config_file.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clone();
    ok_json(&file)
}

/// `PUT /api/v3/configuration/file`: replaces the settings file (the Manager does not reload it).
/// The Manager decodes the body into its typed configuration before saving it, so a field of the
/// wrong type is refused with 400; keys it does not know are kept as sent.
pub async fn replace_file(State(state): State<ApiState>, headers: HeaderMap, body: Body) -> ApiResult {
    let file: Map<String, Value> = read_json(&headers, body, "ConfigurationFile").await?;
    check_object(&file, CONF, "")
        .map_err(|why| ApiFailure::bad_request(format!("invalid configuration file format: {why}")))?;
    *state.config_file.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = Value::Object(file);
    no_content()
}

/// The Go type of a field of the Manager's configuration struct (`config.Conf`).
#[derive(Clone, Copy, Debug)]
enum Kind {
    Text,
    Bool,
    Int,
    Duration,
    Texts,
    Object(&'static [(&'static str, Kind)]),
    /// `map[string]Variable`.
    Variables,
}

const GARBAGE_COLLECT: &[(&str, Kind)] =
    &[("period", Kind::Duration), ("maxAge", Kind::Duration), ("extraCheckoutPaths", Kind::Texts)];
const SHAMAN: &[(&str, Kind)] = &[("enabled", Kind::Bool), ("garbageCollect", Kind::Object(GARBAGE_COLLECT))];
const MQTT_CLIENT: &[(&str, Kind)] = &[
    ("broker", Kind::Text),
    ("clientID", Kind::Text),
    ("topic_prefix", Kind::Text),
    ("username", Kind::Text),
    ("password", Kind::Text),
];
const VARIABLE: &[(&str, Kind)] = &[("is_twoway", Kind::Bool)];
const VARIABLE_VALUE: &[(&str, Kind)] =
    &[("audience", Kind::Text), ("platform", Kind::Text), ("value", Kind::Text)];
const CONF: &[(&str, Kind)] = &[
    ("_meta", Kind::Object(&[("version", Kind::Int)])),
    ("manager_name", Kind::Text),
    ("database", Kind::Text),
    ("database_check_period", Kind::Duration),
    ("listen", Kind::Text),
    ("autodiscoverable", Kind::Bool),
    ("local_manager_storage_path", Kind::Text),
    ("shared_storage_path", Kind::Text),
    ("shaman", Kind::Object(SHAMAN)),
    ("task_timeout", Kind::Duration),
    ("worker_timeout", Kind::Duration),
    ("blocklist_threshold", Kind::Int),
    ("task_fail_after_softfail_count", Kind::Int),
    ("mqtt", Kind::Object(&[("client", Kind::Object(MQTT_CLIENT))])),
    ("variables", Kind::Variables),
];

/// Checks the known fields of `object` as Go's JSON decoder would fill the struct: `null` leaves a
/// field at its zero value, unknown keys are skipped. The error names the field by its path.
fn check_object(object: &Map<String, Value>, fields: &[(&str, Kind)], path: &str) -> Result<(), String> {
    for (name, kind) in fields {
        if let Some(value) = object.get(*name) {
            check_value(value, *kind, &format!("{path}{name}"))?;
        }
    }
    Ok(())
}

fn check_value(value: &Value, kind: Kind, path: &str) -> Result<(), String> {
    let wrong = |go_type: &str| {
        Err(format!("cannot unmarshal {} into field \"{path}\" of type {go_type}", json_kind(value)))
    };
    match (kind, value) {
        (_, Value::Null) => Ok(()),
        (Kind::Text, Value::String(_)) | (Kind::Bool, Value::Bool(_)) => Ok(()),
        (Kind::Text, _) => wrong("string"),
        (Kind::Bool, _) => wrong("bool"),
        (Kind::Int, Value::Number(number)) if number.is_i64() || number.is_u64() => Ok(()),
        (Kind::Int, _) => wrong("int"),
        (Kind::Duration, Value::String(text)) => {
            flamenco_api::parse_go_duration(text).map(drop).map_err(|why| format!("field \"{path}\": {why}"))
        }
        (Kind::Duration, _) => wrong("time.Duration"),
        (Kind::Texts, Value::Array(items)) => items
            .iter()
            .enumerate()
            .try_for_each(|(i, item)| check_value(item, Kind::Text, &format!("{path}[{i}]"))),
        (Kind::Texts, _) => wrong("[]string"),
        (Kind::Object(fields), Value::Object(object)) => check_object(object, fields, &format!("{path}.")),
        (Kind::Object(_), _) => wrong("object"),
        (Kind::Variables, Value::Object(variables)) => variables
            .iter()
            .try_for_each(|(name, variable)| check_variable(variable, &format!("{path}.{name}"))),
        (Kind::Variables, _) => wrong("map[string]config.Variable"),
    }
}

fn check_variable(variable: &Value, path: &str) -> Result<(), String> {
    let Value::Object(fields) = variable else {
        return check_value(variable, Kind::Object(VARIABLE), path);
    };
    check_object(fields, VARIABLE, &format!("{path}."))?;
    match fields.get("values") {
        None | Some(Value::Null) => Ok(()),
        Some(Value::Array(values)) => values.iter().enumerate().try_for_each(|(i, value)| {
            check_value(value, Kind::Object(VARIABLE_VALUE), &format!("{path}.values[{i}]"))
        }),
        Some(other) => Err(format!(
            "cannot unmarshal {} into field \"{path}.values\" of type []config.VariableValue",
            json_kind(other)
        )),
    }
}

/// How Go's decoder names a JSON value in its errors; a number is named with its text.
fn json_kind(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(_) => "bool".into(),
        Value::Number(number) => format!("number {number}"),
        Value::String(_) => "string".into(),
        Value::Array(_) => "array".into(),
        Value::Object(_) => "object".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(file: Value) -> Result<(), String> {
        let Value::Object(object) = file else { panic!("an object") };
        check_object(&object, CONF, "")
    }

    #[test]
    fn the_default_file_and_unknown_keys_pass() {
        let mut file = default_file("farm", "/srv");
        file["something_new"] = json!({"x": [1, 2]});
        assert_eq!(check(file), Ok(()));
    }

    #[test]
    fn wrong_types_name_the_field() {
        let refused = |patch: Value| {
            let mut file = default_file("farm", "/srv");
            if let (Value::Object(file), Value::Object(patch)) = (&mut file, patch) {
                file.extend(patch);
            }
            check(file).expect_err("refused")
        };
        assert_eq!(
            refused(json!({"blocklist_threshold": "three"})),
            "cannot unmarshal string into field \"blocklist_threshold\" of type int"
        );
        assert_eq!(
            refused(json!({"task_fail_after_softfail_count": 2.5})),
            "cannot unmarshal number 2.5 into field \"task_fail_after_softfail_count\" of type int"
        );
        assert_eq!(
            refused(json!({"task_timeout": "ten minutes"})),
            "field \"task_timeout\": time: invalid duration \"ten minutes\""
        );
        assert_eq!(
            refused(json!({"shaman": {"enabled": "yes"}})),
            "cannot unmarshal string into field \"shaman.enabled\" of type bool"
        );
        assert_eq!(
            refused(json!({"variables": {"blender": {"values": [{"platform": 5}]}}})),
            "cannot unmarshal number 5 into field \"variables.blender.values[0].platform\" of type string"
        );
    }
}
