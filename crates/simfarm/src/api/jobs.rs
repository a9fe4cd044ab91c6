//! Job endpoints: types, submission, queries and management.

use std::time::Duration;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use flamenco_api::{
    AvailableJobTypes, Job, JobBlocklist, JobDeletionInfo, JobPriorityChange, JobStatusChange,
    JobTasksSummary, SubmittedJob,
};
use serde::{Deserialize, Serialize};

use super::{
    check_known, check_uuid, json_bytes, no_content, ok_json, parse_body, read_body, read_json, ApiFailure,
    ApiResult, ApiState,
};
use crate::farm;
use crate::jobtypes::{CompileContext, CompileError, CompiledJob};

/// How long after a deletion request the job is actually removed (Flamenco's job deleter runs in
/// the background).
const DELETION_DELAY: Duration = Duration::from_millis(300);

pub async fn job_types(State(state): State<ApiState>) -> ApiResult {
    ok_json(&AvailableJobTypes { job_types: state.job_types.list() })
}

pub async fn job_type(State(state): State<ApiState>, Path(name): Path<String>) -> ApiResult {
    match state.job_types.get(&name) {
        Some(job_type) => ok_json(&job_type),
        None => Err(ApiFailure::not_found("no such job type known")),
    }
}

/// All jobs, serialized straight from the farm under its lock: nothing is copied per job.
pub async fn fetch_jobs(State(state): State<ApiState>) -> ApiResult {
    #[derive(Serialize)]
    struct Jobs<'a> {
        jobs: Vec<&'a Job>,
    }
    let farm = farm::lock(&state.farm);
    let bytes = serde_json::to_vec(&Jobs { jobs: farm.jobs().collect() })
        .map_err(|error| ApiFailure::Handler(StatusCode::INTERNAL_SERVER_ERROR, error.to_string()))?;
    Ok(json_bytes(StatusCode::OK, bytes))
}

pub async fn fetch_job(State(state): State<ApiState>, Path(job_id): Path<String>) -> ApiResult {
    check_uuid(&job_id, "job ID not valid")?;
    let farm = farm::lock(&state.farm);
    match farm.job(&job_id) {
        Some(job) => ok_json(job),
        None => Err(ApiFailure::not_found("no such job")),
    }
}

/// Reads and validates a submission, and compiles it with a fresh job id.
fn compile(
    state: &ApiState,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(String, SubmittedJob, CompiledJob), ApiFailure> {
    let body = axum::body::Bytes::copy_from_slice(body);
    let mut submitted: SubmittedJob = parse_body(headers, &body, "SubmittedJob")?;
    if let Some(status) = &submitted.initial_status {
        check_known(status.is_known(), "initial_status", status.as_str(), "SubmittedJob")?;
    }
    if submitted.submitter_platform == "manager" {
        submitted.submitter_platform = std::env::consts::OS.to_owned();
    }
    let job_id = farm::lock(&state.farm).rng.uuid();
    let context =
        CompileContext { job_id: &job_id, render_root: &state.render_root, seam_noise: state.seam_noise };
    match state.job_types.compile(&submitted, &context) {
        Ok(compiled) => Ok((job_id, submitted, compiled)),
        Err(CompileError::BadEtag) => Err(ApiFailure::Handler(
            StatusCode::PRECONDITION_FAILED,
            "rejecting job because its settings are outdated, refresh the job type".into(),
        )),
        Err(CompileError::Invalid(message)) => Err(ApiFailure::bad_request(message)),
    }
}

pub async fn submit_job(State(state): State<ApiState>, headers: HeaderMap, body: Body) -> ApiResult {
    let body = read_body(body).await?;
    let (job_id, submitted, compiled) = compile(&state, &headers, &body)?;
    let mut farm = farm::lock(&state.farm);
    // The Manager's database refuses a tag that does not exist (a foreign key), whatever it is.
    if let Some(tag) = submitted.worker_tag.as_deref().filter(|tag| !tag.is_empty()) {
        if farm.tag(tag).is_none() {
            return Err(ApiFailure::Handler(
                StatusCode::INTERNAL_SERVER_ERROR,
                "error persisting job in database".into(),
            ));
        }
    }
    let job = farm.store_job(job_id, submitted, compiled);
    ok_json(&job)
}

pub async fn check_job(State(state): State<ApiState>, headers: HeaderMap, body: Body) -> ApiResult {
    let body = read_body(body).await?;
    compile(&state, &headers, &body)?;
    no_content()
}

/// Deletes a job. The real Manager marks it and its job deleter removes it in the background, but
/// so quickly that the job answers 404 at once; here both happen before the answer.
pub async fn delete_job(State(state): State<ApiState>, Path(job_id): Path<String>) -> ApiResult {
    check_uuid(&job_id, "job ID not valid")?;
    let mut farm = farm::lock(&state.farm);
    if !farm.request_job_deletion(&job_id) {
        return Err(ApiFailure::not_found("no such job"));
    }
    farm.delete_job(&job_id);
    no_content()
}

fn schedule_deletion(state: &ApiState, job_ids: Vec<String>) {
    let shared = state.farm.clone();
    tokio::spawn(async move {
        tokio::time::sleep(DELETION_DELAY).await;
        let mut farm = farm::lock(&shared);
        for job_id in job_ids {
            farm.delete_job(&job_id);
        }
    });
}

#[derive(Deserialize)]
struct MassDeletion {
    last_updated_max: Option<String>,
}

pub async fn mass_delete(State(state): State<ApiState>, headers: HeaderMap, body: Body) -> ApiResult {
    use time::format_description::well_known::Rfc3339;
    use time::OffsetDateTime;
    let selection: MassDeletion = read_json(&headers, body, "JobMassDeletionSelection").await?;
    let Some(text) = selection.last_updated_max else {
        return Err(ApiFailure::bad_request("invalid format (no last_updated_max)"));
    };
    let Ok(limit) = OffsetDateTime::parse(&text, &Rfc3339) else {
        return Err(ApiFailure::Validation(format!(
            "request body has an error: doesn't match schema #/components/schemas/JobMassDeletionSelection: \
             Error at \"/last_updated_max\": string doesn't match the format \"date-time\": {text:?}"
        )));
    };
    // Flamenco rounds the limit up to whole seconds.
    let limit = limit.replace_nanosecond(0).map_or(limit, |whole| {
        if whole == limit {
            limit
        } else {
            whole + time::Duration::SECOND
        }
    });
    let mut farm = farm::lock(&state.farm);
    let selected: Vec<String> = farm
        .jobs()
        .filter(|job| OffsetDateTime::parse(&job.updated, &Rfc3339).is_ok_and(|updated| updated <= limit))
        .map(|job| job.id.clone())
        .collect();
    if selected.is_empty() {
        return Err(ApiFailure::Handler(
            StatusCode::RANGE_NOT_SATISFIABLE,
            "no jobs modified before timestamp".into(),
        ));
    }
    for job_id in &selected {
        farm.request_job_deletion(job_id);
    }
    drop(farm);
    schedule_deletion(&state, selected);
    no_content()
}

pub async fn what_would_delete_do(State(state): State<ApiState>, Path(job_id): Path<String>) -> ApiResult {
    check_uuid(&job_id, "job ID not valid")?;
    let farm = farm::lock(&state.farm);
    if farm.job(&job_id).is_none() {
        return Err(ApiFailure::not_found("no such job"));
    }
    // No Shaman here: there is never a checkout to remove.
    ok_json(&JobDeletionInfo { shaman_checkout: false })
}

pub async fn last_rendered(State(state): State<ApiState>, Path(job_id): Path<String>) -> ApiResult {
    check_uuid(&job_id, "job ID should be a UUID")?;
    match farm::lock(&state.farm).last_rendered_info(&job_id) {
        Some(info) => ok_json(&info),
        None => no_content(),
    }
}

pub async fn global_last_rendered(State(state): State<ApiState>) -> ApiResult {
    let farm = farm::lock(&state.farm);
    match farm.last_rendered_job().and_then(|job_id| farm.last_rendered_info(job_id)) {
        Some(info) => ok_json(&info),
        None => no_content(),
    }
}

pub async fn set_status(
    State(state): State<ApiState>,
    Path(job_id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult {
    let change: JobStatusChange = read_json(&headers, body, "JobStatusChange").await?;
    check_known(change.status.is_known(), "status", change.status.as_str(), "JobStatusChange")?;
    check_uuid(&job_id, "job ID not valid")?;
    if !farm::lock(&state.farm).set_job_status(&job_id, change.status, &change.reason) {
        return Err(ApiFailure::not_found("no such job"));
    }
    no_content()
}

pub async fn set_priority(
    State(state): State<ApiState>,
    Path(job_id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult {
    // The range (0 to 100) is the schema's, checked while reading.
    let change: JobPriorityChange = read_json(&headers, body, "JobPriorityChange").await?;
    check_uuid(&job_id, "job ID not valid")?;
    if !farm::lock(&state.farm).set_job_priority(&job_id, change.priority) {
        return Err(ApiFailure::not_found("no such job"));
    }
    no_content()
}

#[derive(Deserialize)]
struct TagChange {
    id: Option<String>,
    name: Option<String>,
}

pub async fn set_tag(
    State(state): State<ApiState>,
    Path(job_id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult {
    let change: TagChange = read_json(&headers, body, "JobTagChange").await?;
    check_uuid(&job_id, "job ID not valid")?;
    let mut farm = farm::lock(&state.farm);
    if farm.job(&job_id).is_none() {
        return Err(ApiFailure::not_found("no such job"));
    }
    let tag = match (&change.id, &change.name) {
        (Some(id), _) => farm.tag(id).cloned().map(Some),
        (None, Some(name)) => farm.tags().iter().find(|tag| &tag.name == name).cloned().map(Some),
        (None, None) => Some(None),
    };
    let Some(tag) = tag else {
        return Err(ApiFailure::Handler(StatusCode::NOT_ACCEPTABLE, "tag not found".into()));
    };
    farm.set_job_tag(&job_id, tag.and_then(|tag| tag.id));
    no_content()
}

pub async fn job_tasks(State(state): State<ApiState>, Path(job_id): Path<String>) -> ApiResult {
    check_uuid(&job_id, "job ID not valid")?;
    // Like Flamenco, an unknown job simply has no tasks.
    let tasks = farm::lock(&state.farm).task_summaries(&job_id);
    ok_json(&JobTasksSummary { tasks })
}

/// A job's blocklist. Like the Manager, an unknown job simply has an empty one.
pub async fn blocklist(State(state): State<ApiState>, Path(job_id): Path<String>) -> ApiResult {
    check_uuid(&job_id, "job ID should be a UUID")?;
    let entries: JobBlocklist = farm::lock(&state.farm).blocklist(&job_id);
    ok_json(&entries)
}

pub async fn remove_blocklist(
    State(state): State<ApiState>,
    Path(job_id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult {
    check_uuid(&job_id, "job ID should be a UUID")?;
    let body = read_body(body).await?;
    if body.is_empty() {
        return Err(ApiFailure::bad_request("invalid format"));
    }
    #[derive(Deserialize)]
    struct Entry {
        worker_id: String,
        task_type: String,
        #[allow(dead_code)] // read only to validate the shape
        worker_name: Option<String>,
    }
    let content_type =
        headers.get(axum::http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if !content_type.split(';').next().unwrap_or("").trim().eq_ignore_ascii_case("application/json") {
        return Err(ApiFailure::Validation(format!(
            "request body has an error: header Content-Type has unexpected value: {content_type:?}"
        )));
    }
    let nullable_name = serde_json::from_slice::<Vec<serde_json::Value>>(&body).is_ok_and(|entries| {
        entries.iter().any(|entry| entry.get("worker_name").is_some_and(|v| v.is_null()))
    });
    if nullable_name {
        return Err(ApiFailure::Validation(
            "request body has an error: doesn't match schema #/components/schemas/JobBlocklist: \
             Error at \"/worker_name\": Value is not nullable"
                .into(),
        ));
    }
    let entries: Vec<Entry> = serde_json::from_slice(&body).map_err(|error| {
        ApiFailure::Validation(format!(
            "request body has an error: doesn't match schema #/components/schemas/JobBlocklist: {error}"
        ))
    })?;
    if entries.is_empty() {
        return Err(ApiFailure::bad_request("empty list of blocklist entries given"));
    }
    let remove: Vec<(String, String)> =
        entries.into_iter().map(|entry| (entry.worker_id, entry.task_type)).collect();
    farm::lock(&state.farm).remove_from_blocklist(&job_id, &remove);
    Ok(StatusCode::NO_CONTENT.into_response())
}
