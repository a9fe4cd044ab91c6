//! Everything served besides the API: the dashboard's files (`--serve-app`, with the fallback to
//! `index.html` for deep links), the render root under `/renders/`, the job files (thumbnails and
//! task logs) under `/job-files/`, and CORS as the Manager does it.

use std::path::PathBuf;

use axum::extract::{Path, State};
use axum::http::{header, request::Parts, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::{ServeDir, ServeFile};

use crate::farm::{self, SharedFarm};

/// The port of Flamenco's web development server: the only cross-origin port the Manager admits.
const DEV_PORT: u16 = 8081;

/// CORS like Flamenco's: only `http://localhost:8081` and `http://<the Manager's host>:8081`.
pub fn cors() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(AllowOrigin::predicate(|origin: &HeaderValue, parts: &Parts| {
            origin_allowed(origin, parts)
        }))
        .allow_methods([Method::POST, Method::GET, Method::OPTIONS, Method::PUT, Method::DELETE])
        .allow_headers([
            header::ACCEPT,
            header::ACCEPT_ENCODING,
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            header::ACCESS_CONTROL_REQUEST_HEADERS,
            header::ACCESS_CONTROL_REQUEST_METHOD,
            header::AUTHORIZATION,
            header::CONTENT_LENGTH,
            header::CONTENT_TYPE,
            header::ORIGIN,
            header::HeaderName::from_static("x-csrf-token"),
            header::HeaderName::from_static("x-requested-with"),
            header::CACHE_CONTROL,
            header::CONNECTION,
            header::HOST,
            header::REFERER,
            header::USER_AGENT,
            header::HeaderName::from_static("x-header"),
        ])
}

/// The Manager admits its own host names on the dev port; here "its host" is the name the request
/// reached it by.
fn origin_allowed(origin: &HeaderValue, parts: &Parts) -> bool {
    let Ok(origin) = origin.to_str() else { return false };
    if origin == format!("http://localhost:{DEV_PORT}") {
        return true;
    }
    let host = parts.headers.get(header::HOST).and_then(|value| value.to_str().ok()).unwrap_or("");
    let host_name = match host.rsplit_once(':') {
        // `[::1]:8080` and `name:8080`; a bare IPv6 address has more colons inside brackets.
        Some((name, port)) if port.chars().all(|c| c.is_ascii_digit()) => name,
        _ => host,
    };
    !host_name.is_empty() && origin == format!("http://{host_name}:{DEV_PORT}")
}

/// The dashboard's built files, with `index.html` for every path that is not a file.
pub fn app_service(dir: PathBuf) -> ServeDir<tower_http::set_status::SetStatus<ServeFile>> {
    let index = dir.join("index.html");
    // `not_found_service` would answer 404; deep links must load the app with 200.
    ServeDir::new(dir).fallback(tower_http::set_status::SetStatus::new(ServeFile::new(index), StatusCode::OK))
}

/// The render root, read-only.
pub fn renders_service(root: PathBuf) -> ServeDir {
    ServeDir::new(root)
}

/// `/job-files/job-<4>/<job>/<file>`: the last-rendered JPEGs and `task-<id>.txt` logs, from memory.
pub async fn job_files(State(shared): State<SharedFarm>, Path(path): Path<String>) -> Response {
    let parts: Vec<&str> = path.split('/').collect();
    let [_, job_id, file] = parts.as_slice() else { return not_found() };
    let farm = farm::lock(&shared);
    if let Some(task_id) = file.strip_prefix("task-").and_then(|rest| rest.strip_suffix(".txt")) {
        let belongs = farm.task_rec(task_id).is_some_and(|task| task.job_id == *job_id);
        return match farm.task_log(task_id) {
            Some(log) if belongs => {
                ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], log.to_owned()).into_response()
            }
            _ => not_found(),
        };
    }
    match farm.thumbnails(job_id) {
        Some(thumbnails) => match thumbnails.get(file) {
            Some(jpeg) => ([(header::CONTENT_TYPE, "image/jpeg")], jpeg.to_vec()).into_response(),
            None => not_found(),
        },
        None => not_found(),
    }
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "Not Found").into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request;

    fn allowed(origin: &str, host: &str) -> bool {
        let (parts, _) = Request::builder().header("host", host).body(()).unwrap_or_default().into_parts();
        origin_allowed(&HeaderValue::from_str(origin).unwrap_or(HeaderValue::from_static("")), &parts)
    }

    #[test]
    fn only_the_dev_port_on_localhost_or_the_own_host_is_admitted() {
        assert!(allowed("http://localhost:8081", "127.0.0.1:8080"));
        assert!(allowed("http://farm.lan:8081", "farm.lan:8080"));
        assert!(allowed("http://192.168.1.5:8081", "192.168.1.5"));
        assert!(!allowed("http://evil.example:8081", "farm.lan:8080"));
        assert!(!allowed("http://farm.lan:3000", "farm.lan:8080"));
        assert!(!allowed("https://localhost:8081", "localhost:8080"));
    }
}
