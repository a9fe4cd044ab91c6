//! Where the Manager is. In order: `?manager=<url>` in the page's URL, then `farmdeck.json` next to
//! `index.html` (`{"manager": "<url>"}`), then the page's own origin (the dashboard hosted by, or proxied
//! next to, the Manager). `farmdeck.json` may also hold the default storage mappings
//! (`"storage_mappings": [{"path": "...", "url": "..."}]`), used until the user saves their own, and
//! `"read_only": true` for a screen that shows the farm and cannot change it (see [`crate::read_only`]).

use serde::Deserialize;

use crate::settings::StorageMapping;

/// How the app was configured; the problem, if any, is shown to the user rather than dropped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    /// Base URL of the Manager, without a trailing slash.
    pub manager_url: String,
    pub source: ManagerUrlSource,
    /// A configuration that could not be used, in words.
    pub problem: Option<String>,
    /// The default storage mappings from `farmdeck.json` (empty without any).
    pub storage_mappings: Vec<StorageMapping>,
    /// Whether there was a `farmdeck.json`, so pages can say where their defaults come from.
    pub file: FileState,
    /// `"read_only": true` in `farmdeck.json`: no control that changes the farm is shown.
    pub read_only: bool,
}

/// What came of looking for `farmdeck.json`, without its contents.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileState {
    /// No file (the host answered 404, or with a page that is not JSON, such as its index.html).
    Absent,
    /// Read and used.
    Found,
    /// There, but not usable (the configuration problem says why).
    Invalid,
}

impl From<&FileLookup> for FileState {
    fn from(lookup: &FileLookup) -> FileState {
        match lookup {
            FileLookup::Absent => FileState::Absent,
            FileLookup::Found(_) => FileState::Found,
            FileLookup::Invalid(_) => FileState::Invalid,
        }
    }
}

/// Where the Manager's URL came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ManagerUrlSource {
    QueryParameter,
    ConfigFile,
    SameOrigin,
}

impl ManagerUrlSource {
    pub fn describe(self) -> &'static str {
        match self {
            ManagerUrlSource::QueryParameter => "set by ?manager= in the address",
            ManagerUrlSource::ConfigFile => "set by farmdeck.json",
            ManagerUrlSource::SameOrigin => "the origin this page came from",
        }
    }
}

/// The contents of `farmdeck.json`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct FileConfig {
    pub manager: Option<String>,
    #[serde(default)]
    pub storage_mappings: Option<Vec<StorageMapping>>,
    #[serde(default)]
    pub read_only: bool,
}

/// The outcome of looking for `farmdeck.json`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileLookup {
    /// No file: the normal case when the dashboard sits next to the Manager.
    Absent,
    Found(FileConfig),
    /// A file that exists but cannot be used, with why.
    Invalid(String),
}

/// Checks a Manager URL and normalises it (no trailing slash).
pub fn normalise_manager_url(text: &str) -> Result<String, String> {
    let trimmed = text.trim().trim_end_matches('/');
    let rest = trimmed
        .strip_prefix("http://")
        .or_else(|| trimmed.strip_prefix("https://"))
        .ok_or_else(|| format!("\"{text}\" is not an http:// or https:// URL"))?;
    let host = rest.split('/').next().unwrap_or_default();
    if host.is_empty() || host.contains(char::is_whitespace) {
        return Err(format!("\"{text}\" has no host name"));
    }
    Ok(trimmed.to_owned())
}

/// Decides the Manager URL from what the page knows, and takes the file's storage mappings.
pub fn resolve(query_manager: Option<&str>, file: &FileLookup, page_origin: &str) -> Settings {
    let mut settings = resolve_manager(query_manager, file, page_origin);
    settings.file = FileState::from(file);
    if let FileLookup::Found(FileConfig { storage_mappings: Some(mappings), .. }) = file {
        settings.storage_mappings = mappings.clone();
    }
    settings.read_only = matches!(file, FileLookup::Found(FileConfig { read_only: true, .. }));
    settings
}

fn resolve_manager(query_manager: Option<&str>, file: &FileLookup, page_origin: &str) -> Settings {
    let same_origin = |problem: Option<String>| Settings {
        manager_url: page_origin.trim_end_matches('/').to_owned(),
        source: ManagerUrlSource::SameOrigin,
        problem,
        storage_mappings: Vec::new(),
        file: FileState::Absent,
        read_only: false,
    };
    let mut problems = Vec::new();
    if let Some(query) = query_manager.filter(|query| !query.trim().is_empty()) {
        match normalise_manager_url(query) {
            Ok(url) => {
                return Settings {
                    manager_url: url,
                    source: ManagerUrlSource::QueryParameter,
                    problem: None,
                    storage_mappings: Vec::new(),
                    file: FileState::Absent,
                    read_only: false,
                }
            }
            Err(why) => problems.push(format!("?manager= ignored: {why}")),
        }
    }
    match file {
        FileLookup::Found(FileConfig { manager: Some(url), .. }) => match normalise_manager_url(url) {
            Ok(url) => {
                return Settings {
                    manager_url: url,
                    source: ManagerUrlSource::ConfigFile,
                    problem: (!problems.is_empty()).then(|| problems.join("; ")),
                    storage_mappings: Vec::new(),
                    file: FileState::Found,
                    read_only: false,
                }
            }
            Err(why) => problems.push(format!("farmdeck.json ignored: {why}")),
        },
        FileLookup::Invalid(why) => problems.push(format!("farmdeck.json ignored: {why}")),
        FileLookup::Found(FileConfig { manager: None, .. }) | FileLookup::Absent => {}
    }
    same_origin((!problems.is_empty()).then(|| problems.join("; ")))
}

/// Reads the page's address and `farmdeck.json`, and resolves the settings.
pub async fn load() -> Settings {
    let location = web_sys::window().map(|window| window.location());
    let origin = location.as_ref().and_then(|location| location.origin().ok()).unwrap_or_default();
    let query = location
        .as_ref()
        .and_then(|location| location.search().ok())
        .and_then(|search| web_sys::UrlSearchParams::new_with_str(&search).ok())
        .and_then(|params| params.get("manager"));
    let file = fetch_file_config().await;
    resolve(query.as_deref(), &file, &origin)
}

async fn fetch_file_config() -> FileLookup {
    let response = match gloo_net::http::Request::get("/farmdeck.json").send().await {
        Ok(response) => response,
        Err(error) => return FileLookup::Invalid(format!("could not be read: {error}")),
    };
    if !response.ok() {
        return FileLookup::Absent;
    }
    let content_type = response.headers().get("content-type").unwrap_or_default();
    match response.text().await {
        Ok(text) => classify_file_answer(&content_type, &text),
        Err(error) => FileLookup::Invalid(format!("could not be read: {error}")),
    }
}

/// What a successful answer for `/farmdeck.json` holds. Hosts that fall back to `index.html` for
/// unknown paths (most single-page setups, and proxies) answer 200 with HTML: that is no file. A
/// plain file server may send the real file as `application/octet-stream`: its text decides.
pub fn classify_file_answer(content_type: &str, text: &str) -> FileLookup {
    let html = content_type.to_ascii_lowercase().contains("html") || text.trim_start().starts_with('<');
    if html {
        FileLookup::Absent
    } else {
        parse_file_config(text)
    }
}

/// Parses the text of `farmdeck.json`.
pub fn parse_file_config(text: &str) -> FileLookup {
    match serde_json::from_str::<FileConfig>(text) {
        Ok(config) => FileLookup::Found(config),
        Err(error) => FileLookup::Invalid(format!(
            "it is not valid JSON of the form {{\"manager\": \"<url>\"}} ({error})"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORIGIN: &str = "http://farm.lan:8081";

    #[test]
    fn same_origin_without_any_configuration() {
        let settings = resolve(None, &FileLookup::Absent, ORIGIN);
        assert_eq!(settings.manager_url, ORIGIN);
        assert_eq!(settings.source, ManagerUrlSource::SameOrigin);
        assert_eq!(settings.problem, None);
    }

    #[test]
    fn the_query_parameter_wins_over_the_file() {
        let file =
            FileLookup::Found(FileConfig { manager: Some("http://a:8080".into()), ..Default::default() });
        let settings = resolve(Some("http://b:8080/"), &file, ORIGIN);
        assert_eq!(settings.manager_url, "http://b:8080");
        assert_eq!(settings.source, ManagerUrlSource::QueryParameter);
    }

    #[test]
    fn the_file_is_used_when_there_is_no_query() {
        let file = parse_file_config(r#"{"manager": "https://manager.example/"}"#);
        let settings = resolve(None, &file, ORIGIN);
        assert_eq!(settings.manager_url, "https://manager.example");
        assert_eq!(settings.source, ManagerUrlSource::ConfigFile);
    }

    #[test]
    fn storage_mappings_come_from_the_file() {
        let file = parse_file_config(r#"{"storage_mappings": [{"path": "/render/", "url": "/renders/"}]}"#);
        let settings = resolve(Some("http://b:8080"), &file, ORIGIN);
        assert_eq!(settings.source, ManagerUrlSource::QueryParameter);
        assert_eq!(
            settings.storage_mappings,
            [StorageMapping { path: "/render/".into(), url: "/renders/".into() }]
        );
        assert!(resolve(None, &FileLookup::Absent, ORIGIN).storage_mappings.is_empty());
    }

    #[test]
    fn bad_configuration_falls_back_and_says_why() {
        let file = parse_file_config("{manager: oops}");
        let settings = resolve(Some("ftp://x"), &file, ORIGIN);
        assert_eq!(settings.source, ManagerUrlSource::SameOrigin);
        let problem = settings.problem.expect("the problems are reported");
        assert!(problem.contains("?manager= ignored"), "{problem}");
        assert!(problem.contains("farmdeck.json ignored"), "{problem}");
    }

    #[test]
    fn a_page_answered_for_farmdeck_json_is_no_file() {
        let index = "<!DOCTYPE html><html><head><title>Farmdeck</title></head></html>";
        assert_eq!(classify_file_answer("text/html; charset=utf-8", index), FileLookup::Absent);
        assert_eq!(classify_file_answer("", index), FileLookup::Absent, "HTML without a content type");
        assert_eq!(classify_file_answer("application/json", "\n <html></html>"), FileLookup::Absent);
        let file = r#"{"manager": "http://farm:8080"}"#;
        assert!(matches!(classify_file_answer("application/octet-stream", file), FileLookup::Found(_)));
        assert!(matches!(classify_file_answer("application/json", "{oops"), FileLookup::Invalid(_)));
        assert_eq!(resolve(None, &FileLookup::Absent, ORIGIN).file, FileState::Absent);
        assert_eq!(resolve(None, &parse_file_config("{}"), ORIGIN).file, FileState::Found);
        assert_eq!(resolve(Some("http://b:8080"), &parse_file_config("{x"), ORIGIN).file, FileState::Invalid);
    }

    #[test]
    fn read_only_comes_from_the_file_whatever_names_the_manager() {
        let file = parse_file_config(r#"{"manager": "http://a:8080", "read_only": true}"#);
        assert!(resolve(None, &file, ORIGIN).read_only);
        assert!(resolve(Some("http://b:8080"), &file, ORIGIN).read_only, "?manager= does not lift it");
        assert!(resolve(None, &parse_file_config(r#"{"read_only": true}"#), ORIGIN).read_only);
        assert!(!resolve(None, &parse_file_config(r#"{"read_only": false}"#), ORIGIN).read_only);
        assert!(!resolve(None, &parse_file_config("{}"), ORIGIN).read_only);
        assert!(!resolve(None, &FileLookup::Absent, ORIGIN).read_only);
        let wrong = parse_file_config(r#"{"read_only": "yes"}"#);
        assert!(matches!(wrong, FileLookup::Invalid(_)), "a read_only that is not true/false is refused");
    }

    #[test]
    fn urls_need_a_scheme_and_a_host() {
        assert!(normalise_manager_url("localhost:8080").is_err());
        assert!(normalise_manager_url("http://").is_err());
        assert_eq!(normalise_manager_url(" http://10.0.0.2:8080/ ").as_deref(), Ok("http://10.0.0.2:8080"));
    }
}
