//! Task endpoints: one task, its log, and status changes.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::IntoResponse;
use flamenco_api::{TaskLogInfo, TaskStatusChange};

use super::{check_known, check_uuid, no_content, ok_json, read_json, ApiFailure, ApiResult, ApiState};
use crate::farm::{self, job_files_base};

pub async fn fetch_task(State(state): State<ApiState>, Path(task_id): Path<String>) -> ApiResult {
    // Flamenco says "job" here, in the task endpoint; kept as it is.
    check_uuid(&task_id, "job ID not valid")?;
    match farm::lock(&state.farm).task(&task_id) {
        Some(task) => ok_json(&task),
        None => Err(ApiFailure::not_found("no such task")),
    }
}

/// Where the task's log can be downloaded; 204 while it has no log.
pub async fn log_info(State(state): State<ApiState>, Path(task_id): Path<String>) -> ApiResult {
    check_uuid(&task_id, "bad task ID")?;
    let farm = farm::lock(&state.farm);
    let (Some(task), Some(log)) = (farm.task_rec(&task_id), farm.task_log(&task_id)) else {
        return Err(ApiFailure::not_found("no such task"));
    };
    if log.is_empty() {
        return no_content();
    }
    ok_json(&TaskLogInfo {
        task_id: task_id.clone(),
        job_id: task.job_id.clone(),
        url: format!("{}/task-{task_id}.txt", job_files_base(&task.job_id)),
        size: log.len() as i64,
    })
}

/// The last lines of the task's log, as text; 204 while it has no log.
pub async fn log_tail(State(state): State<ApiState>, Path(task_id): Path<String>) -> ApiResult {
    check_uuid(&task_id, "bad task ID")?;
    let Some(tail) = farm::lock(&state.farm).task_log_tail(&task_id) else {
        return Err(ApiFailure::not_found("no such task"));
    };
    if tail.is_empty() {
        return no_content();
    }
    Ok((StatusCode::OK, [(header::CONTENT_TYPE, "text/plain; charset=UTF-8")], tail).into_response())
}

pub async fn set_status(
    State(state): State<ApiState>,
    Path(task_id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult {
    let change: TaskStatusChange = read_json(&headers, body, "TaskStatusChange").await?;
    check_known(change.status.is_known(), "status", change.status.as_str(), "TaskStatusChange")?;
    // Flamenco's handler looks the task up without checking the id's form.
    if !farm::lock(&state.farm).set_task_status(&task_id, change.status, &change.reason) {
        return Err(ApiFailure::not_found("no such task"));
    }
    no_content()
}
