//! Everything served besides the API: the dashboard's files (`--serve-app`, with the fallback to
//! `index.html` for deep links, and a `farmdeck.json` naming where the render root is served), the
//! render root under `/renders/` (folders as simple HTML listings), the job files (thumbnails and
//! task logs) under `/job-files/`, and CORS as the Manager does it.

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use std::path::{Component, PathBuf};

use axum::extract::{Path, State};
use axum::http::{header, request::Parts, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, MethodRouter};
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::ServeDir;

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
pub fn app_service(dir: PathBuf) -> ServeDir<MethodRouter> {
    let index = dir.join("index.html");
    // Deep links load the app with 200 (`not_found_service` would answer 404), always with the
    // whole page: a `ServeFile` answers a browser's revalidation with 304 and no body, which a
    // forced 200 turned into a blank page.
    let deep_link = get(move || {
        let index = index.clone();
        async move {
            match tokio::fs::read(&index).await {
                Ok(html) => (
                    [(header::CONTENT_TYPE, "text/html; charset=utf-8"), (header::CACHE_CONTROL, "no-cache")],
                    html,
                )
                    .into_response(),
                Err(_) => not_found(),
            }
        }
    });
    ServeDir::new(dir).fallback(deep_link)
}

/// The render root, read-only; a folder's URL (with its trailing `/`) answers with a listing.
pub fn renders_service(root: PathBuf) -> ServeDir<MethodRouter> {
    // ServeDir calls its fallback for what it cannot serve, folders included (they have no
    // index.html); the fallback sees the path below `/renders`.
    let dir = root.clone();
    let listing = get(move |uri: Uri| {
        let root = dir.clone();
        async move { folder_listing(&root, uri.path()).await }
    });
    ServeDir::new(root).fallback(listing)
}

/// The listing of the folder at `url_path` (below the render root), or 404.
async fn folder_listing(root: &std::path::Path, url_path: &str) -> Response {
    let Ok(relative) = percent_decode_str(url_path).decode_utf8() else { return not_found() };
    let relative = std::path::Path::new(relative.trim_start_matches('/'));
    if !relative.components().all(|c| matches!(c, Component::Normal(_))) {
        return not_found();
    }
    let dir = root.join(relative);
    let Ok(mut entries) = tokio::fs::read_dir(&dir).await else { return not_found() };
    let mut names = Vec::new();
    while let Ok(Some(entry)) = entries.next_entry().await {
        let is_dir = entry.file_type().await.is_ok_and(|kind| kind.is_dir());
        names.push((entry.file_name().to_string_lossy().into_owned(), is_dir));
    }
    names.sort();
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], listing_html(url_path, &names)).into_response()
}

/// A simple autoindex page: one link per entry, folders with a trailing `/`. Names are escaped
/// as text and percent-encoded in the links, whatever they hold.
pub fn listing_html(url_path: &str, entries: &[(String, bool)]) -> String {
    let title = html_escape(&format!("Index of /renders{url_path}"));
    let mut html =
        format!("<!DOCTYPE html>\n<html><head><title>{title}</title></head><body><h1>{title}</h1><ul>\n");
    for (name, is_dir) in entries {
        let slash = if *is_dir { "/" } else { "" };
        html.push_str(&format!(
            "<li><a href=\"{}{slash}\">{}{slash}</a></li>\n",
            utf8_percent_encode(name, SEGMENT),
            html_escape(name)
        ));
    }
    html.push_str("</ul></body></html>\n");
    html
}

/// Everything but unreserved characters is encoded, so a name is one path segment of a link.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// `/farmdeck.json` when simfarm serves the app: a real `farmdeck.json` in the app's folder, or
/// else one that maps the render root to `/renders/`. Any other absolute path is mapped too, since
/// simfarm re-roots such paths below its render root (see `RenderRoot::resolve`).
pub async fn farmdeck_json(app_dir: PathBuf, render_root: PathBuf) -> Response {
    if let Ok(text) = tokio::fs::read(app_dir.join("farmdeck.json")).await {
        return ([(header::CONTENT_TYPE, "application/json")], text).into_response();
    }
    ([(header::CONTENT_TYPE, "application/json")], default_farmdeck_json(&render_root)).into_response()
}

/// The mappings simfarm's render root needs.
pub fn default_farmdeck_json(render_root: &std::path::Path) -> String {
    let root = format!("{}/", render_root.display().to_string().trim_end_matches('/'));
    serde_json::json!({
        "storage_mappings": [
            {"path": root, "url": "/renders/"},
            {"path": "/", "url": "/renders/"},
        ]
    })
    .to_string()
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
    fn listings_escape_names_and_encode_links() {
        let html = listing_html("/job/", &[("a<b>\"&'.exr".into(), false), ("tiles".into(), true)]);
        assert!(
            html.contains("<a href=\"a%3Cb%3E%22%26%27.exr\">a&lt;b&gt;&quot;&amp;&#39;.exr</a>"),
            "{html}"
        );
        assert!(html.contains("<a href=\"tiles/\">tiles/</a>"), "{html}");
    }

    #[test]
    fn the_default_config_maps_the_render_root() {
        let json: serde_json::Value =
            serde_json::from_str(&default_farmdeck_json(std::path::Path::new("/tmp/root"))).unwrap();
        assert_eq!(json["storage_mappings"][0]["path"], "/tmp/root/");
        assert_eq!(json["storage_mappings"][0]["url"], "/renders/");
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
