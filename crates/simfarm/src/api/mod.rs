//! The Manager's REST API under `/api/v3/`, with the Manager's two error shapes.

mod jobs;
mod meta;
mod tasks;
mod workers;

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};

use crate::farm::SharedFarm;
use crate::jobtypes::JobTypes;
use crate::render::RenderRoot;

/// Requests with a larger body are refused with 413 before they are read whole.
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// What the API handlers share.
#[derive(Clone)]
pub struct ApiState {
    pub farm: SharedFarm,
    pub job_types: Arc<JobTypes>,
    pub render_root: RenderRoot,
    pub seam_noise: bool,
    /// The Manager's name, for `/api/v3/version`.
    pub name: String,
}

/// An error answer in one of the Manager's two shapes.
#[derive(Debug)]
pub enum ApiFailure {
    /// From a handler: `{code, message}` with `code` the HTTP status.
    Handler(StatusCode, String),
    /// From request validation, before any handler runs: HTTP 400 with `{message}` only.
    Validation(String),
}

impl ApiFailure {
    pub fn not_found(message: impl Into<String>) -> ApiFailure {
        ApiFailure::Handler(StatusCode::NOT_FOUND, message.into())
    }

    pub fn bad_request(message: impl Into<String>) -> ApiFailure {
        ApiFailure::Handler(StatusCode::BAD_REQUEST, message.into())
    }
}

impl IntoResponse for ApiFailure {
    fn into_response(self) -> Response {
        match self {
            ApiFailure::Handler(status, message) => {
                (status, Json(json!({"code": status.as_u16(), "message": message}))).into_response()
            }
            ApiFailure::Validation(message) => {
                (StatusCode::BAD_REQUEST, Json(json!({"message": message}))).into_response()
            }
        }
    }
}

/// The result of a handler.
pub type ApiResult = Result<Response, ApiFailure>;

/// A JSON answer.
pub fn ok_json<T: Serialize>(value: &T) -> ApiResult {
    match serde_json::to_vec(value) {
        Ok(bytes) => Ok(json_bytes(StatusCode::OK, bytes)),
        Err(error) => Err(ApiFailure::Handler(StatusCode::INTERNAL_SERVER_ERROR, error.to_string())),
    }
}

/// JSON text that is already serialized.
pub fn json_bytes(status: StatusCode, bytes: Vec<u8>) -> Response {
    (status, [(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], bytes).into_response()
}

/// `204 No Content`.
pub fn no_content() -> ApiResult {
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Reads a request body the way Flamenco's OpenAPI request validator does before its handlers
/// run: the body must be there, be JSON (by content type and by content), be an object, have no
/// `null` where the schema allows none, and fit the schema's types. Anything else is a 400 with
/// `{message}`. Enum values and number ranges are checked by the callers ([`check_known`]).
pub fn parse_body<T: DeserializeOwned>(
    headers: &HeaderMap,
    body: &Bytes,
    schema: &str,
) -> Result<T, ApiFailure> {
    let invalid = |why: String| ApiFailure::Validation(format!("request body has an error: {why}"));
    if body.is_empty() {
        return Err(invalid("value is required but missing".into()));
    }
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|value| value.to_str().ok()).unwrap_or("");
    let media_type = content_type.split(';').next().unwrap_or("").trim();
    if !media_type.eq_ignore_ascii_case("application/json") {
        return Err(invalid(format!("header Content-Type has unexpected value: {content_type:?}")));
    }
    let value: Value = serde_json::from_slice(body)
        .map_err(|error| invalid(format!("failed to decode request body: {error}")))?;
    let Value::Object(object) = &value else {
        return Err(invalid(format!(
            "doesn't match schema #/components/schemas/{schema}: value must be an object"
        )));
    };
    // Only the schema's own properties are non-nullable; extra properties may hold anything.
    let declared = declared_properties(schema);
    if let Some((key, _)) =
        object.iter().find(|(key, value)| value.is_null() && declared.contains(&key.as_str()))
    {
        return Err(invalid(format!(
            "doesn't match schema #/components/schemas/{schema}: Error at \"/{key}\": Value is not nullable"
        )));
    }
    // Nested objects with declared properties: `SubmittedJob.storage` (`JobStorageInfo`).
    if schema == "SubmittedJob" {
        if let Some(Value::Object(storage)) = object.get("storage") {
            if storage.get("shaman_checkout_id").is_some_and(Value::is_null) {
                return Err(invalid(format!(
                    "doesn't match schema #/components/schemas/{schema}: \
                     Error at \"/storage/shaman_checkout_id\": Value is not nullable"
                )));
            }
        }
    }
    serde_json::from_value(value)
        .map_err(|error| invalid(format!("doesn't match schema #/components/schemas/{schema}: {error}")))
}

/// The properties the OpenAPI file declares for the request bodies simfarm reads.
fn declared_properties(schema: &str) -> &'static [&'static str] {
    match schema {
        "SubmittedJob" => &[
            "name",
            "type",
            "type_etag",
            "priority",
            "settings",
            "metadata",
            "submitter_platform",
            "storage",
            "worker_tag",
            "initial_status",
        ],
        "JobStatusChange" | "TaskStatusChange" => &["status", "reason"],
        "JobPriorityChange" => &["priority"],
        "JobTagChange" => &["id", "name"],
        "JobMassDeletionSelection" => &["last_updated_max"],
        "WorkerStatusChangeRequest" => &["status", "is_lazy"],
        "WorkerTagChangeRequest" => &["tag_ids"],
        "WorkerSleepSchedule" => &["is_active", "days_of_week", "start_time", "end_time"],
        "WorkerTag" => &["id", "name", "description"],
        _ => &[],
    }
}

/// Refuses a value outside an enum of the OpenAPI file, like the request validator does.
pub fn check_known(known: bool, field: &str, value: &str, schema: &str) -> Result<(), ApiFailure> {
    if known {
        Ok(())
    } else {
        Err(ApiFailure::Validation(format!(
            "request body has an error: doesn't match schema #/components/schemas/{schema}: \
             Error at \"/{field}\": value {value:?} is not one of the allowed values"
        )))
    }
}

/// Refuses ids that are not UUIDs, with Flamenco's message for that endpoint.
pub fn check_uuid(id: &str, message: &str) -> Result<(), ApiFailure> {
    if crate::clock::is_uuid(id) {
        Ok(())
    } else {
        Err(ApiFailure::bad_request(message))
    }
}

/// The `/api/v3` routes.
pub fn router(state: ApiState) -> Router {
    Router::new()
        .route("/api/v3/version", get(meta::version))
        .route("/api/v3/status", get(meta::farm_status))
        .route("/api/v3/jobs/types", get(jobs::job_types))
        .route("/api/v3/jobs/type/{type_name}", get(jobs::job_type))
        .route("/api/v3/jobs", get(jobs::fetch_jobs).post(jobs::submit_job))
        .route("/api/v3/jobs/check", post(jobs::check_job))
        .route("/api/v3/jobs/mass-delete", axum::routing::delete(jobs::mass_delete))
        .route("/api/v3/jobs/last-rendered", get(jobs::global_last_rendered))
        .route("/api/v3/jobs/{job_id}", get(jobs::fetch_job).delete(jobs::delete_job))
        .route("/api/v3/jobs/{job_id}/what-would-delete-do", get(jobs::what_would_delete_do))
        .route("/api/v3/jobs/{job_id}/last-rendered", get(jobs::last_rendered))
        .route("/api/v3/jobs/{job_id}/setstatus", post(jobs::set_status))
        .route("/api/v3/jobs/{job_id}/setpriority", post(jobs::set_priority))
        .route("/api/v3/jobs/{job_id}/settag", post(jobs::set_tag))
        .route("/api/v3/jobs/{job_id}/tasks", get(jobs::job_tasks))
        .route("/api/v3/jobs/{job_id}/blocklist", get(jobs::blocklist).delete(jobs::remove_blocklist))
        .route("/api/v3/tasks/{task_id}", get(tasks::fetch_task))
        .route("/api/v3/tasks/{task_id}/log", get(tasks::log_info))
        .route("/api/v3/tasks/{task_id}/logtail", get(tasks::log_tail))
        .route("/api/v3/tasks/{task_id}/setstatus", post(tasks::set_status))
        .route("/api/v3/worker-mgt/workers", get(workers::list))
        .route("/api/v3/worker-mgt/workers/{worker_id}", get(workers::fetch).delete(workers::delete))
        .route("/api/v3/worker-mgt/workers/{worker_id}/setstatus", post(workers::set_status))
        .route("/api/v3/worker-mgt/workers/{worker_id}/settags", post(workers::set_tags))
        .route(
            "/api/v3/worker-mgt/workers/{worker_id}/sleep-schedule",
            get(workers::sleep_schedule).post(workers::set_sleep_schedule),
        )
        .route("/api/v3/worker-mgt/tags", get(workers::tags).post(workers::create_tag))
        .route(
            "/api/v3/worker-mgt/tag/{tag_id}",
            get(workers::fetch_tag).put(workers::update_tag).delete(workers::delete_tag),
        )
        // Everything else under /api is unknown; routes rather than a fallback, so that the app's
        // index.html fallback (`--serve-app`) never answers for the API.
        .route("/api", any(not_found))
        .route("/api/", any(not_found))
        .route("/api/{*rest}", any(not_found))
        .layer(middleware::from_fn(json_errors))
        .with_state(state)
}

/// Echo's answer for an unknown path.
async fn not_found() -> Response {
    (StatusCode::NOT_FOUND, Json(json!({"message": "Not Found"}))).into_response()
}

/// Framework rejections (an undecodable path, a method the route lacks, a body over the limit)
/// come back as plain text; the Manager's framework sends `{message}` JSON for those.
async fn json_errors(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/json"));
    if !status.is_client_error() && !status.is_server_error() || is_json {
        return response;
    }
    let message = status.canonical_reason().unwrap_or("error");
    let body = if status == StatusCode::PAYLOAD_TOO_LARGE || status.is_server_error() {
        json!({"code": status.as_u16(), "message": message})
    } else {
        json!({"message": message})
    };
    let mut replaced = (status, Json(body)).into_response();
    if let Some(allow) = response.headers().get(header::ALLOW) {
        replaced.headers_mut().insert(header::ALLOW, allow.clone());
    }
    replaced
}

/// The request body, refused with a 413 JSON error when over [`MAX_BODY_BYTES`].
/// Reads a JSON request body and parses it as `schema`, with the Manager's errors: the two steps
/// every handler that takes a body goes through.
pub async fn read_json<T: DeserializeOwned>(
    headers: &HeaderMap,
    body: Body,
    schema: &str,
) -> Result<T, ApiFailure> {
    let body = read_body(body).await?;
    parse_body(headers, &body, schema)
}

pub async fn read_body(body: Body) -> Result<Bytes, ApiFailure> {
    axum::body::to_bytes(body, MAX_BODY_BYTES).await.map_err(|_| {
        ApiFailure::Handler(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("request body is larger than {MAX_BODY_BYTES} bytes"),
        )
    })
}
