//! The Manager's REST API under `/api/v3/`, with the Manager's two error shapes.

mod config;
mod jobs;
mod meta;
mod setup;
mod tasks;
mod worker_api;
mod workers;

use std::sync::{Arc, Mutex};

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
    /// The Manager's settings file (`/api/v3/configuration/file`), kept in memory.
    pub config_file: Arc<Mutex<Value>>,
    /// The secrets of workers registered through the Worker API.
    pub worker_secrets: worker_api::WorkerSecrets,
}

impl ApiState {
    /// The state for a farm, with the settings file a fresh Manager of that name would write
    /// (before its Setup Assistant ran, when `first_run`).
    pub fn new(
        farm: SharedFarm,
        job_types: Arc<JobTypes>,
        render_root: RenderRoot,
        seam_noise: bool,
        name: String,
        first_run: bool,
    ) -> ApiState {
        let storage = render_root.path().display().to_string();
        let file =
            if first_run { config::first_run_file(&name) } else { config::default_file(&name, &storage) };
        let config_file = Arc::new(Mutex::new(file));
        ApiState {
            farm,
            job_types,
            render_root,
            seam_noise,
            name,
            config_file,
            worker_secrets: Default::default(),
        }
    }
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
/// run: the body must be there, be JSON (by content type and by content), be an object, and fit
/// the schema ([`fields`]): no `null` where none is allowed, the declared types, the number
/// ranges, the required properties. Anything else is a 400 with `{message}` in the validator's
/// words. Enum values are checked by the callers ([`check_known`]).
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
    // Go's JSON decoder takes invalid UTF-8 in a string as U+FFFD, so a Worker's log bytes that
    // are not UTF-8 arrive as replacement characters, not as a refused request.
    let value: Value = serde_json::from_str(&String::from_utf8_lossy(body))
        .map_err(|error| invalid(format!("failed to decode request body: {}", go_json_error(&error))))?;
    let mismatch =
        |why: String| invalid(format!("doesn't match schema #/components/schemas/{schema}: {why}"));
    let Value::Object(object) = &value else {
        return Err(mismatch("value must be an object".into()));
    };
    check_fields(object, fields(schema), "").map_err(mismatch)?;
    serde_json::from_value(value).map_err(|error| mismatch(error.to_string()))
}

/// Go's `encoding/json` words for the errors a client most often makes.
fn go_json_error(error: &serde_json::Error) -> String {
    if error.is_eof() {
        "unexpected EOF".into()
    } else {
        error.to_string()
    }
}

/// The JSON type a property must have.
#[derive(Clone, Copy)]
enum Kind {
    String,
    Integer {
        min: Option<i64>,
        max: Option<i64>,
    },
    Boolean,
    /// An object, with the properties it declares.
    Object(&'static [Field]),
    /// An array of strings.
    Strings,
}

/// A property of a request schema: its name, type, and whether it is required.
type Field = (&'static str, Kind, bool);

const ANY_INTEGER: Kind = Kind::Integer { min: None, max: None };

/// The request schemas simfarm reads, as the OpenAPI file declares them. `SubmittedJob.priority`
/// is optional: the Manager takes a submission without it as 50.
fn fields(schema: &str) -> &'static [Field] {
    use Kind::*;
    match schema {
        "SubmittedJob" => &[
            ("name", String, true),
            ("type", String, true),
            ("type_etag", String, false),
            ("priority", ANY_INTEGER, false),
            ("settings", Object(&[]), false),
            ("metadata", Object(&[]), false),
            ("submitter_platform", String, true),
            ("storage", Object(&[("shaman_checkout_id", String, false)]), false),
            ("worker_tag", String, false),
            ("initial_status", String, false),
        ],
        "JobStatusChange" | "TaskStatusChange" => &[("status", String, true), ("reason", String, true)],
        "JobPriorityChange" => &[("priority", Integer { min: Some(0), max: Some(100) }, true)],
        "JobTagChange" => &[("id", String, false), ("name", String, false)],
        "JobMassDeletionSelection" => &[("last_updated_max", String, false)],
        "WorkerStatusChangeRequest" => &[("status", String, true), ("is_lazy", Boolean, true)],
        "WorkerTagChangeRequest" => &[("tag_ids", Strings, true)],
        "WorkerSleepSchedule" => &[
            ("is_active", Boolean, true),
            ("days_of_week", String, true),
            ("start_time", String, true),
            ("end_time", String, true),
        ],
        "WorkerTag" => &[("id", String, false), ("name", String, true), ("description", String, false)],
        "PathCheckInput" => &[("path", String, true)],
        "WorkerRegistration" => &[
            ("secret", String, true),
            ("platform", String, true),
            ("supported_task_types", Strings, true),
            ("name", String, true),
        ],
        "WorkerSignOn" => &[
            ("name", String, true),
            ("supported_task_types", Strings, true),
            ("software_version", String, true),
            ("can_restart", Boolean, false),
        ],
        "WorkerStateChanged" => &[("status", String, true)],
        "TaskUpdate" => &[
            ("taskStatus", String, false),
            ("activity", String, false),
            ("log", String, false),
            ("steps_completed", ANY_INTEGER, false),
        ],
        "SetupAssistantConfig" => &[
            ("storageLocation", String, true),
            (
                "blenderExecutable",
                Object(&[
                    ("input", String, true),
                    ("path", String, true),
                    ("source", String, true),
                    ("is_usable", Boolean, true),
                    ("cause", String, true),
                ]),
                true,
            ),
        ],
        _ => &[],
    }
}

/// Checks an object like kin-openapi does: its properties in name order, then the required ones;
/// the first problem as `Error at "/path": reason`. Undeclared properties may hold anything.
fn check_fields(object: &serde_json::Map<String, Value>, fields: &[Field], at: &str) -> Result<(), String> {
    let mut keys: Vec<&String> = object.keys().collect();
    keys.sort();
    for key in keys {
        let Some((_, kind, _)) = fields.iter().find(|(name, _, _)| name == key) else { continue };
        let path = format!("{at}/{key}");
        check_value(&object[key], *kind).map_err(|(item, reason)| match item {
            Some(index) => format!("Error at \"{path}/{index}\": {reason}"),
            None => format!("Error at {path:?}: {reason}"),
        })?;
        if let (Kind::Object(inner), Value::Object(nested)) = (kind, &object[key]) {
            check_fields(nested, inner, &path)?;
        }
    }
    match fields.iter().find(|(name, _, required)| *required && !object.contains_key(*name)) {
        Some((name, _, _)) => Err(format!("Error at \"{at}/{name}\": property {name:?} is missing")),
        None => Ok(()),
    }
}

/// Checks one value; the error names the array item it is about, if any.
fn check_value(value: &Value, kind: Kind) -> Result<(), (Option<usize>, String)> {
    check_one(value, kind).map_err(|reason| (None, reason)).and_then(|()| match (kind, value.as_array()) {
        (Kind::Strings, Some(items)) => match items.iter().position(|item| !item.is_string()) {
            Some(index) => Err((Some(index), "value must be a string".into())),
            None => Ok(()),
        },
        _ => Ok(()),
    })
}

fn check_one(value: &Value, kind: Kind) -> Result<(), String> {
    if value.is_null() {
        return Err("Value is not nullable".into());
    }
    match kind {
        Kind::String if !value.is_string() => Err("value must be a string".into()),
        Kind::Boolean if !value.is_boolean() => Err("value must be a boolean".into()),
        Kind::Object(_) if !value.is_object() => Err("value must be an object".into()),
        Kind::Strings if !value.is_array() => Err("value must be an array".into()),
        Kind::Integer { min, max } => {
            let whole =
                value.as_i64().or_else(|| value.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64));
            let Some(number) = whole.filter(|_| value.is_number()) else {
                return Err("value must be an integer".into());
            };
            match (min, max) {
                (Some(min), _) if number < min => Err(format!("number must be at least {min}")),
                (_, Some(max)) if number > max => Err(format!("number must be at most {max}")),
                _ => Ok(()),
            }
        }
        _ => Ok(()),
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
        .route("/api/v3/configuration", get(config::configuration))
        .route("/api/v3/configuration/variables/{audience}/{platform}", get(config::variables))
        .route("/api/v3/configuration/shared-storage/{audience}/{platform}", get(config::shared_storage))
        .route("/api/v3/configuration/file", get(config::file).put(config::replace_file))
        .route("/api/v3/configuration/check/shared-storage", post(setup::check_shared_storage))
        .route("/api/v3/configuration/check/blender", get(setup::find_blender).post(setup::check_blender))
        .route("/api/v3/configuration/setup-assistant", post(setup::save_setup))
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
        .route("/api/v3/worker/register-worker", post(worker_api::register))
        .route("/api/v3/worker/sign-on", post(worker_api::sign_on))
        .route("/api/v3/worker/state-changed", post(worker_api::state_changed))
        .route("/api/v3/worker/task", post(worker_api::schedule))
        .route("/api/v3/worker/task/{task_id}", post(worker_api::task_update))
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
    // The Manager's router answers a method a path lacks (`POST /api/v3/version`, `TRACE ...`)
    // as not found, in these words.
    if status == StatusCode::METHOD_NOT_ALLOWED {
        return (StatusCode::NOT_FOUND, Json(json!({"message": "method not allowed"}))).into_response();
    }
    let message = status.canonical_reason().unwrap_or("error");
    let body = if status == StatusCode::PAYLOAD_TOO_LARGE || status.is_server_error() {
        json!({"code": status.as_u16(), "message": message})
    } else {
        json!({"message": message})
    };
    (status, Json(body)).into_response()
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
