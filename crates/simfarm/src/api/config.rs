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
pub async fn replace_file(State(state): State<ApiState>, headers: HeaderMap, body: Body) -> ApiResult {
    let file: Map<String, Value> = read_json(&headers, body, "ConfigurationFile").await?;
    *state.config_file.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = Value::Object(file);
    no_content()
}
