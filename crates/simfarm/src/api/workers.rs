//! Worker management: workers, their status and tags, and worker tags.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};

use flamenco_api::{
    WorkerList, WorkerSleepSchedule, WorkerStatus, WorkerStatusChangeRequest, WorkerTag,
    WorkerTagChangeRequest, WorkerTagList,
};

use super::{check_known, check_uuid, no_content, ok_json, read_json, ApiFailure, ApiResult, ApiState};
use crate::farm;

const NOT_UUID: &str = "not a valid UUID";

fn worker_not_found(worker_id: &str) -> ApiFailure {
    ApiFailure::not_found(format!("worker {worker_id:?} not found"))
}

pub async fn list(State(state): State<ApiState>) -> ApiResult {
    ok_json(&WorkerList { workers: farm::lock(&state.farm).worker_summaries() })
}

pub async fn fetch(State(state): State<ApiState>, Path(worker_id): Path<String>) -> ApiResult {
    check_uuid(&worker_id, NOT_UUID)?;
    match farm::lock(&state.farm).worker_details(&worker_id) {
        Some(worker) => ok_json(&worker),
        None => Err(worker_not_found(&worker_id)),
    }
}

pub async fn delete(State(state): State<ApiState>, Path(worker_id): Path<String>) -> ApiResult {
    check_uuid(&worker_id, NOT_UUID)?;
    if !farm::lock(&state.farm).delete_worker(&worker_id) {
        return Err(worker_not_found(&worker_id));
    }
    no_content()
}

/// Asks a worker to change status: `asleep`, `awake`, `offline` (shut down), ... now, or after its
/// current task when `is_lazy`.
pub async fn set_status(
    State(state): State<ApiState>,
    Path(worker_id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult {
    let change: WorkerStatusChangeRequest = read_json(&headers, body, "WorkerStatusChangeRequest").await?;
    check_known(change.status.is_known(), "status", change.status.as_str(), "WorkerStatusChangeRequest")?;
    check_uuid(&worker_id, NOT_UUID)?;
    let mut farm = farm::lock(&state.farm);
    let Some(worker) = farm.worker_details(&worker_id) else {
        return Err(worker_not_found(&worker_id));
    };
    if change.status == WorkerStatus::Restart && !worker.can_restart {
        return Err(ApiFailure::Handler(
            StatusCode::PRECONDITION_FAILED,
            format!("worker {worker_id:?} does not know how to restart"),
        ));
    }
    farm.request_worker_status(&worker_id, change);
    no_content()
}

pub async fn set_tags(
    State(state): State<ApiState>,
    Path(worker_id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult {
    let change: WorkerTagChangeRequest = read_json(&headers, body, "WorkerTagChangeRequest").await?;
    check_uuid(&worker_id, NOT_UUID)?;
    if !farm::lock(&state.farm).set_worker_tags(&worker_id, &change.tag_ids) {
        return Err(worker_not_found(&worker_id));
    }
    no_content()
}

pub async fn sleep_schedule(State(state): State<ApiState>, Path(worker_id): Path<String>) -> ApiResult {
    check_uuid(&worker_id, NOT_UUID)?;
    let farm = farm::lock(&state.farm);
    if farm.worker_details(&worker_id).is_none() {
        return Err(worker_not_found(&worker_id));
    }
    match farm.sleep_schedule(&worker_id) {
        Some(schedule) => ok_json(schedule),
        None => no_content(),
    }
}

pub async fn set_sleep_schedule(
    State(state): State<ApiState>,
    Path(worker_id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult {
    let schedule: WorkerSleepSchedule = read_json(&headers, body, "WorkerSleepSchedule").await?;
    check_uuid(&worker_id, NOT_UUID)?;
    let mut farm = farm::lock(&state.farm);
    if farm.worker_details(&worker_id).is_none() {
        return Err(worker_not_found(&worker_id));
    }
    // Stored as sent: the Manager does not check the times.
    farm.set_sleep_schedule(&worker_id, serde_json::to_value(&schedule).unwrap_or_default());
    drop(farm);
    no_content()
}

pub async fn tags(State(state): State<ApiState>) -> ApiResult {
    ok_json(&WorkerTagList { tags: farm::lock(&state.farm).tags().to_vec() })
}

pub async fn create_tag(State(state): State<ApiState>, headers: HeaderMap, body: Body) -> ApiResult {
    let tag: WorkerTag = read_json(&headers, body, "WorkerTag").await?;
    let mut farm = farm::lock(&state.farm);
    // Tag names are unique in the Manager's database; it reports the clash in general terms.
    if farm.tags().iter().any(|existing| existing.name == tag.name) {
        return Err(ApiFailure::Handler(
            StatusCode::INTERNAL_SERVER_ERROR,
            "error creating worker tag".into(),
        ));
    }
    let tag = farm.create_tag(tag);
    ok_json(&tag)
}

pub async fn fetch_tag(State(state): State<ApiState>, Path(tag_id): Path<String>) -> ApiResult {
    check_uuid(&tag_id, NOT_UUID)?;
    match farm::lock(&state.farm).tag(&tag_id) {
        Some(tag) => ok_json(tag),
        None => Err(ApiFailure::not_found(format!("worker tag {tag_id:?} not found"))),
    }
}

pub async fn update_tag(
    State(state): State<ApiState>,
    Path(tag_id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult {
    let update: WorkerTag = read_json(&headers, body, "WorkerTag").await?;
    check_uuid(&tag_id, NOT_UUID)?;
    if !farm::lock(&state.farm).update_tag(&tag_id, update) {
        return Err(ApiFailure::not_found(format!("worker tag {tag_id:?} not found")));
    }
    no_content()
}

pub async fn delete_tag(State(state): State<ApiState>, Path(tag_id): Path<String>) -> ApiResult {
    check_uuid(&tag_id, NOT_UUID)?;
    if !farm::lock(&state.farm).delete_tag(&tag_id) {
        return Err(ApiFailure::not_found(format!("worker tag {tag_id:?} not found")));
    }
    no_content()
}
