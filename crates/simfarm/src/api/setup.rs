//! Flamenco's first-run Setup Assistant: checking a folder for shared storage, finding and checking
//! Blender, and saving both into the settings file. The checks are real: the folder is tried on
//! this machine's disk and a Blender command is run with `--version`, as the Manager does. The
//! `cause` texts are in the Manager's spirit; their exact wording is not measured.

use std::path::{Path, PathBuf};
use std::time::Duration;

use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use flamenco_api::{
    BlenderPathCheckResult, BlenderPathSource, PathCheckInput, PathCheckResult, SetupAssistantConfig,
};
use serde_json::{json, Value};

use super::{no_content, ok_json, read_json, ApiFailure, ApiResult, ApiState};

/// How long `blender --version` may take before the command is taken as not Blender.
const VERSION_TIMEOUT: Duration = Duration::from_secs(5);

/// Whether the settings file is one of a Manager that was never set up: Flamenco's web app then
/// shows its Setup Assistant.
pub fn is_first_run(file: &Value) -> bool {
    file.get("shared_storage_path").and_then(Value::as_str).is_none_or(|path| path.trim().is_empty())
}

/// `POST /api/v3/configuration/check/shared-storage`.
pub async fn check_shared_storage(headers: HeaderMap, body: Body) -> ApiResult {
    let input: PathCheckInput = read_json(&headers, body, "PathCheckInput").await?;
    let path = input.path.clone();
    let (is_usable, cause) =
        match tokio::task::spawn_blocking(move || storage_problem(Path::new(&path))).await {
            Ok(None) => (true, "Directory checked successfully".to_owned()),
            Ok(Some(problem)) => (false, problem),
            Err(_) => (false, "The check of this path did not finish".to_owned()),
        };
    ok_json(&PathCheckResult { path: input.path, is_usable, cause })
}

/// Why `path` cannot be the shared storage, or `None` when the Manager can create files in it.
fn storage_problem(path: &Path) -> Option<String> {
    if path.as_os_str().is_empty() {
        return Some("An empty path is never suitable as shared storage".into());
    }
    if !path.is_absolute() {
        return Some("This path is relative: give the full path of a directory".into());
    }
    match std::fs::metadata(path) {
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Some("This path does not exist. Choose an existing directory.".into())
        }
        Err(error) => return Some(format!("Error checking this path: {error}")),
        Ok(meta) if !meta.is_dir() => {
            return Some("The given path is not a directory. Choose an existing directory.".into())
        }
        Ok(_) => {}
    }
    let probe = path.join(format!("flamenco-writability-check-{}.txt", unique_suffix()));
    match std::fs::OpenOptions::new().write(true).create_new(true).open(&probe) {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
            None
        }
        Err(error) => Some(format!(
            "Unable to create a file in that directory: {error}. Pick an existing directory where Flamenco Manager can create files."
        )),
    }
}

/// A file-name part no other check running at the same time uses.
fn unique_suffix() -> String {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let count = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("{}-{count}", std::process::id())
}

/// `GET /api/v3/configuration/check/blender`: the Blenders the Manager can find by itself.
pub async fn find_blender() -> ApiResult {
    let found = tokio::task::spawn_blocking(|| {
        let mut found = Vec::new();
        if let Some(path) = on_path("blender") {
            found.push(check_program("blender", &path, BlenderPathSource::PathEnvvar));
        }
        for location in ["/usr/local/blender/blender", "/opt/blender/blender"] {
            if is_executable(Path::new(location)) {
                found.push(check_program(location, Path::new(location), BlenderPathSource::SystemLocation));
            }
        }
        found.retain(|result| result.is_usable);
        found
    })
    .await
    .unwrap_or_default();
    ok_json(&found)
}

/// `POST /api/v3/configuration/check/blender`: whether a command or path runs Blender.
pub async fn check_blender(headers: HeaderMap, body: Body) -> ApiResult {
    let input: PathCheckInput = read_json(&headers, body, "PathCheckInput").await?;
    let result = tokio::task::spawn_blocking(move || check_input(&input.path)).await.map_err(|_| {
        ApiFailure::Handler(axum::http::StatusCode::INTERNAL_SERVER_ERROR, "checking Blender failed".into())
    })?;
    ok_json(&result)
}

fn check_input(input: &str) -> BlenderPathCheckResult {
    let not_usable = |cause: String| BlenderPathCheckResult {
        input: input.to_owned(),
        path: input.to_owned(),
        source: BlenderPathSource::InputPath,
        is_usable: false,
        cause,
    };
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return not_usable("No command or path given".into());
    }
    if !trimmed.contains(['/', '\\']) {
        return match on_path(trimmed) {
            Some(path) => check_program(input, &path, BlenderPathSource::PathEnvvar),
            None => not_usable(format!("{trimmed:?} was not found on $PATH")),
        };
    }
    let path = Path::new(trimmed);
    if !path.exists() {
        return not_usable("This file does not exist".into());
    }
    if !is_executable(path) {
        return not_usable("This file is not a program that can be run".into());
    }
    check_program(input, path, BlenderPathSource::InputPath)
}

/// Runs `path --version` and says whether it is Blender, from the first line it prints.
fn check_program(input: &str, path: &Path, source: BlenderPathSource) -> BlenderPathCheckResult {
    let (is_usable, cause) = match blender_version(path) {
        Ok(version) => (true, format!("Found {version}")),
        Err(problem) => (false, problem),
    };
    BlenderPathCheckResult {
        input: input.to_owned(),
        path: path.display().to_string(),
        source,
        is_usable,
        cause,
    }
}

fn blender_version(path: &Path) -> Result<String, String> {
    let mut child = std::process::Command::new(path)
        .arg("--version")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map_err(|error| format!("Could not run this program: {error}"))?;
    let started = std::time::Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if started.elapsed() < VERSION_TIMEOUT => std::thread::sleep(Duration::from_millis(20)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "The program did not answer --version within {} s",
                    VERSION_TIMEOUT.as_secs()
                ));
            }
        }
    }
    let mut output = String::new();
    if let Some(mut stdout) = child.stdout.take() {
        use std::io::Read;
        let _ = stdout.by_ref().take(64 * 1024).read_to_string(&mut output);
    }
    let first = output.lines().next().unwrap_or("").trim();
    if first.starts_with("Blender ") {
        Ok(first.to_owned())
    } else {
        Err("This program is not Blender: its --version did not say \"Blender\"".into())
    }
}

fn on_path(command: &str) -> Option<PathBuf> {
    let paths = std::env::var_os("PATH")?;
    std::env::split_paths(&paths).map(|dir| dir.join(command)).find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
}

/// `POST /api/v3/configuration/setup-assistant`: stores the shared storage path and the Blender
/// command in the settings file. The real Manager then restarts itself; simfarm goes on.
pub async fn save_setup(State(state): State<ApiState>, headers: HeaderMap, body: Body) -> ApiResult {
    let setup: SetupAssistantConfig = read_json(&headers, body, "SetupAssistantConfig").await?;
    if setup.storage_location.trim().is_empty() {
        return Err(ApiFailure::bad_request("no storage location given"));
    }
    let blender = &setup.blender_executable;
    let executable = match &blender.source {
        BlenderPathSource::FileAssociation | BlenderPathSource::Default => "blender".to_owned(),
        BlenderPathSource::PathEnvvar => blender.input.clone(),
        BlenderPathSource::InputPath | BlenderPathSource::SystemLocation => blender.path.clone(),
        BlenderPathSource::Unknown(source) => {
            return Err(ApiFailure::bad_request(format!("unknown Blender path source {source:?}")))
        }
    };
    let executable =
        if executable.contains(char::is_whitespace) { format!("{executable:?}") } else { executable };
    let mut file = state.config_file.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Value::Object(settings) = &mut *file {
        settings.insert("shared_storage_path".into(), Value::from(setup.storage_location.clone()));
        let variables = settings.entry("variables").or_insert_with(|| json!({}));
        if let Value::Object(variables) = variables {
            variables.insert("blender".into(), json!({"values": [{"platform": "all", "value": executable}]}));
        }
    }
    no_content()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_must_be_an_existing_writable_directory() {
        let dir = std::env::temp_dir().join(format!("simfarm-storage-check-{}", unique_suffix()));
        std::fs::create_dir(&dir).expect("a temporary directory");
        assert_eq!(storage_problem(&dir), None);
        assert_eq!(std::fs::read_dir(&dir).map(Iterator::count).ok(), Some(0), "the probe file is removed");
        assert!(storage_problem(Path::new("")).is_some_and(|why| why.contains("empty")));
        assert!(storage_problem(Path::new("relative/dir")).is_some_and(|why| why.contains("relative")));
        assert!(storage_problem(&dir.join("missing")).is_some_and(|why| why.contains("does not exist")));
        let file = dir.join("file");
        std::fs::write(&file, b"x").expect("a file");
        assert!(storage_problem(&file).is_some_and(|why| why.contains("not a directory")));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_settings_file_without_shared_storage_is_a_first_run() {
        assert!(is_first_run(&json!({"shared_storage_path": ""})));
        assert!(is_first_run(&json!({})));
        assert!(!is_first_run(&json!({"shared_storage_path": "/srv/flamenco"})));
    }
}
