//! What each documented host tells the browser about caching, and what it compresses: a file whose
//! name carries its content's hash is kept for good, everything else (index.html and the deep links
//! answered with it, farmdeck.json, the preview worker's files) is asked for again on every visit
//! and costs a 304 without a body when unchanged; the wasm (and the Manager's JSON, behind a
//! proxy) goes out gzip'd. A hashed name that is not there is a 404, not kept.

use std::path::Path;

use reqwest::header::{HeaderMap, ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, ETAG, IF_NONE_MATCH};
use reqwest::StatusCode;

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const NO_CACHE: &str = "no-cache";

/// Whether the host forwards the Manager's API (the proxies) or serves only the files (port 8081).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Api {
    Forwarded,
    Elsewhere,
}

/// Whether a build file's name carries a content hash: `<name>-<8 to 16 hex>` (and `_bg` for the wasm
/// beside its JS) before the extension. Trunk writes its 64-bit hash without leading zeros, so a
/// build now and then has a shorter one.
pub(super) fn is_hashed(file_name: &str) -> bool {
    let Some((stem, _extension)) = file_name.rsplit_once('.') else { return false };
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    let Some((_, hash)) = stem.rsplit_once('-') else { return false };
    (8..=16).contains(&hash.len()) && hash.chars().all(|ch| matches!(ch, '0'..='9' | 'a'..='f'))
}

/// Every file of the built app, by name.
fn build_files(dist: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dist)
        .expect("the installed app")
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.file_type().map(|kind| kind.is_file()).unwrap_or(false))
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

async fn get(http: &reqwest::Client, url: &str, headers: HeaderMap) -> reqwest::Response {
    http.get(url).headers(headers).send().await.unwrap_or_else(|error| panic!("GET {url}: {error}"))
}

fn accepting_gzip() -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(ACCEPT_ENCODING, "gzip".parse().expect("a header value"));
    headers
}

fn header<'a>(response: &'a reqwest::Response, name: &reqwest::header::HeaderName) -> &'a str {
    response.headers().get(name).and_then(|value| value.to_str().ok()).unwrap_or("")
}

/// Asks for `path` as a browser would and checks it comes back with `cache_control`; an unchanged
/// file that is to be revalidated must then cost a 304 with no body.
async fn check_file(http: &reqwest::Client, site: &str, path: &str, cache_control: &str) {
    let url = format!("{site}{path}");
    let response = get(http, &url, accepting_gzip()).await;
    assert_eq!(response.status(), StatusCode::OK, "GET {path}");
    assert_eq!(header(&response, &CACHE_CONTROL), cache_control, "Cache-Control of {path}");
    if cache_control == NO_CACHE {
        let etag = header(&response, &ETAG).to_owned();
        assert!(!etag.is_empty(), "{path} has an ETag to revalidate it with");
        let mut headers = accepting_gzip();
        headers.insert(IF_NONE_MATCH, etag.parse().expect("a header value"));
        let again = get(http, &url, headers).await;
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{path} revalidated while unchanged");
        let body = again.bytes().await.expect("a body");
        assert!(body.is_empty(), "a 304 for {path} carries no body");
    }
}

/// Checks the headers of every file of the installed app in `dist`, of a deep link, of index.html
/// and of the app's root as the host at `site` serves them, and that the wasm and (through a
/// proxy) the Manager's JSON are gzip'd for a browser that accepts it.
pub(super) async fn check_caching(site: &str, dist: &Path, api: Api) {
    let http = reqwest::Client::new();
    let files = build_files(dist);
    let kinds = |hashed: bool, extension: &str| {
        files.iter().filter(|name| is_hashed(name) == hashed && name.ends_with(extension)).count()
    };
    assert!(kinds(true, "_bg.wasm") > 0 && kinds(true, ".css") > 0, "hashed wasm and css in {files:?}");
    assert!(kinds(false, ".js") > 0, "an unhashed worker file in {files:?}");
    assert!(files.contains(&"farmdeck.json".to_owned()), "the installed farmdeck.json");
    for name in &files {
        let expected = if is_hashed(name) { IMMUTABLE } else { NO_CACHE };
        check_file(&http, site, &format!("/{name}"), expected).await;
    }
    for page in ["/", "/jobs/5f2b2f0e-7c1a-4b9e-9d1e-2a6b4b8d9c01"] {
        check_file(&http, site, page, NO_CACHE).await;
    }
    // An older build's file, asked for by a page loaded before an upgrade: a 404 that is not kept.
    let gone = get(&http, &format!("{site}/farmdeck-0123456789abcdef_bg.wasm"), accepting_gzip()).await;
    assert_eq!(gone.status(), StatusCode::NOT_FOUND, "a hashed file that is not there");
    assert_ne!(header(&gone, &CACHE_CONTROL), IMMUTABLE, "the 404 of a hashed name is not kept for good");

    let wasm = files.iter().find(|name| is_hashed(name) && name.ends_with("_bg.wasm")).expect("the wasm");
    let response = get(&http, &format!("{site}/{wasm}"), accepting_gzip()).await;
    assert_eq!(header(&response, &CONTENT_ENCODING), "gzip", "{wasm} gzip'd for a browser accepting it");
    let sent = response.bytes().await.expect("the wasm").len() as u64;
    let size = std::fs::metadata(dist.join(wasm)).expect("the wasm's size").len();
    assert!(sent < size, "{wasm}: {sent} bytes sent for {size} on disk");

    if api == Api::Forwarded {
        // The job types are several KB of JSON, which simfarm (like the Manager) sends uncompressed.
        let response = get(&http, &format!("{site}/api/v3/jobs/types"), accepting_gzip()).await;
        assert_eq!(response.status(), StatusCode::OK, "the job types through the proxy");
        assert_eq!(header(&response, &CONTENT_ENCODING), "gzip", "the Manager's JSON gzip'd by the proxy");
    }
}

#[test]
fn hashed_names_are_told_from_unhashed_ones() {
    for hashed in [
        "farmdeck-f528777f1d436340_bg.wasm",
        "farmdeck-7854ba26f1a1ac.js",
        "main-457381c3f33f29ae.css",
        "shared-12-2fc1104a838443dc.wasm",
    ] {
        assert!(is_hashed(hashed), "{hashed}");
    }
    for unhashed in [
        "index.html",
        "farmdeck.json",
        "preview_worker.js",
        "preview_worker_bg.wasm",
        "preview_worker_loader.js",
        "__wasm_split.js",
        "main-457381c.css",
        "main-457381C3F33F29AE.css",
    ] {
        assert!(!is_hashed(unhashed), "{unhashed}");
    }
}
