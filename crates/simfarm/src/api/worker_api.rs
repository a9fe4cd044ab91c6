//! The Worker API (`/api/v3/worker/...`) for workers outside the simulation: a program can register
//! as a worker, sign on, ask for a task and report on it (log lines, progress, the end), as a real
//! Flamenco Worker does. The simulated workers call the same farm methods directly.
//!
//! Every call but registration is authenticated with HTTP basic auth: the worker's id and the
//! secret it registered with.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use base64::Engine;
use flamenco_api::{TaskStatus, WorkerStatus};
use serde::Deserialize;
use serde_json::json;

use super::{check_known, no_content, ok_json, read_json, ApiFailure, ApiResult, ApiState};
use crate::farm::{self, Outcome};

/// The secrets workers registered with, by worker id.
pub type WorkerSecrets = Arc<Mutex<HashMap<String, String>>>;

#[derive(Deserialize)]
pub struct WorkerRegistration {
    secret: String,
    platform: String,
    supported_task_types: Vec<String>,
    name: String,
}

#[derive(Deserialize)]
pub struct WorkerSignOn {
    name: String,
    supported_task_types: Vec<String>,
    software_version: String,
}

#[derive(Deserialize)]
pub struct WorkerStateChanged {
    status: WorkerStatus,
}

#[derive(Deserialize)]
pub struct TaskUpdate {
    #[serde(rename = "taskStatus")]
    task_status: Option<TaskStatus>,
    activity: Option<String>,
    log: Option<String>,
    steps_completed: Option<i64>,
}

pub async fn register(State(state): State<ApiState>, headers: HeaderMap, body: Body) -> ApiResult {
    let registration: WorkerRegistration = read_json(&headers, body, "WorkerRegistration").await?;
    let mut farm = farm::lock(&state.farm);
    // Flamenco stores a registered worker as offline until it signs on.
    let id = farm.add_worker(&registration.name, WorkerStatus::Offline);
    farm.set_worker_identity(&id, &registration.platform, &registration.supported_task_types, None);
    state.worker_secrets.lock().unwrap_or_else(|e| e.into_inner()).insert(id.clone(), registration.secret);
    let Some(worker) = farm.worker_details(&id) else { return Err(ApiFailure::not_found("worker gone")) };
    ok_json(&json!({
        "uuid": worker.id, "name": worker.name, "address": worker.ip_address, "status": worker.status,
        "platform": worker.platform, "software": worker.version,
        "supported_task_types": worker.supported_task_types,
    }))
}

/// Signing on: the worker's name and abilities as it says them now; it starts, and is asked to wake.
pub async fn sign_on(State(state): State<ApiState>, headers: HeaderMap, body: Body) -> ApiResult {
    let worker_id = authenticated(&state, &headers)?;
    let sign_on: WorkerSignOn = read_json(&headers, body, "WorkerSignOn").await?;
    let mut farm = farm::lock(&state.farm);
    farm.set_worker_name(&worker_id, &sign_on.name);
    let platform = farm.worker_details(&worker_id).map(|worker| worker.platform).unwrap_or_default();
    farm.set_worker_identity(
        &worker_id,
        &platform,
        &sign_on.supported_task_types,
        Some(&sign_on.software_version),
    );
    farm.worker_set_status(&worker_id, WorkerStatus::Starting);
    ok_json(&json!({"status_requested": WorkerStatus::Awake}))
}

pub async fn state_changed(State(state): State<ApiState>, headers: HeaderMap, body: Body) -> ApiResult {
    let worker_id = authenticated(&state, &headers)?;
    let changed: WorkerStateChanged = read_json(&headers, body, "WorkerStateChanged").await?;
    check_known(changed.status.is_known(), "status", changed.status.as_str(), "WorkerStateChanged")?;
    farm::lock(&state.farm).worker_set_status(&worker_id, changed.status);
    no_content()
}

/// The next task for this worker, 204 when there is none, 409 when it is not awake.
pub async fn schedule(State(state): State<ApiState>, headers: HeaderMap) -> ApiResult {
    let worker_id = authenticated(&state, &headers)?;
    let mut farm = farm::lock(&state.farm);
    if farm.worker_check_in(&worker_id) != Some(WorkerStatus::Awake) {
        return Err(ApiFailure::Handler(StatusCode::CONFLICT, "worker is not in the active state".into()));
    }
    let Some(assignment) = farm.schedule(&worker_id) else { return no_content() };
    let (Some(task), Some(job)) = (farm.task(&assignment.task_id), farm.job(&assignment.job_id)) else {
        return Err(ApiFailure::not_found("no such task"));
    };
    ok_json(&json!({
        "uuid": task.id, "job": task.job_id, "name": task.name, "status": task.status,
        "priority": task.priority, "job_priority": job.priority, "job_type": job.job_type,
        "task_type": task.task_type, "commands": task.commands,
        "steps_completed": task.steps_completed, "steps_total": task.steps_total,
    }))
}

/// A worker reports on its task: log lines to append, steps done, and at the end its status.
pub async fn task_update(
    State(state): State<ApiState>,
    Path(task_id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult {
    let worker_id = authenticated(&state, &headers)?;
    let update: TaskUpdate = read_json(&headers, body, "TaskUpdate").await?;
    let mut farm = farm::lock(&state.farm);
    let Some(steps_now) = farm.task(&task_id).map(|task| task.steps_completed) else {
        return Err(ApiFailure::not_found("no such task"));
    };
    let steps = update.steps_completed.unwrap_or(steps_now);
    let log = update.log.unwrap_or_default();
    if !farm.task_progress(&worker_id, &task_id, steps, &log) {
        return Err(ApiFailure::Handler(StatusCode::CONFLICT, "task is assigned to another worker".into()));
    }
    match update.task_status {
        Some(TaskStatus::Completed) => farm.task_done(&worker_id, &task_id, Outcome::Completed),
        Some(TaskStatus::Failed) => {
            farm.task_done(&worker_id, &task_id, Outcome::Failed(update.activity.unwrap_or_default()))
        }
        _ => {}
    }
    no_content()
}

/// The worker id of a request with the basic auth of a registered worker.
fn authenticated(state: &ApiState, headers: &HeaderMap) -> Result<String, ApiFailure> {
    let refused = || ApiFailure::Handler(StatusCode::UNAUTHORIZED, "invalid credentials".into());
    let encoded = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Basic "))
        .ok_or_else(refused)?;
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded.trim()).map_err(|_| refused())?;
    let text = String::from_utf8(decoded).map_err(|_| refused())?;
    let (id, secret) = text.split_once(':').ok_or_else(refused)?;
    let secrets = state.worker_secrets.lock().unwrap_or_else(|e| e.into_inner());
    match secrets.get(id) {
        Some(known) if known == secret => Ok(id.to_owned()),
        _ => Err(refused()),
    }
}
