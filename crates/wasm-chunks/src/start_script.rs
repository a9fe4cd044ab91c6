//! Trunk starts the app with an inline `<script type="module">` in `index.html`. The hosting
//! examples' Content-Security-Policy (`docs/hosting/`) runs no inline script, and listing the
//! script's hash there would not do: the script names the build's hashed files, so its hash changes
//! with every build while the policy is written once. So the script moves, unchanged, into a
//! content-hashed file of its own, `start-<hash>.js`, which `index.html` loads instead.

use std::path::Path;

use crate::names::{content_hash, integrity};
use crate::{read, write, ChunkError};

/// Trunk's opening tag for the app's start script.
const INLINE_START: &str = "<script type=\"module\">";
const SCRIPT_END: &str = "</script>";

/// `index.html` with its start script moved out, and the file that now holds it.
#[derive(Debug, PartialEq)]
pub struct MovedScript {
    pub html: String,
    pub file_name: String,
    pub script: String,
}

/// Why `index.html` cannot be served under a policy without inline script.
#[derive(Debug, PartialEq, thiserror::Error)]
pub enum StartScriptError {
    #[error("index.html has no inline <script type=\"module\"> (has Trunk changed how it starts the app?)")]
    NoStartScript,
    #[error("index.html's start script has no </script>")]
    Unclosed,
    #[error(
        "index.html has another inline script left, which the hosting examples' policy would block: {0}"
    )]
    AnotherInlineScript(String),
}

/// Moves the inline start script of `html` into `start-<hash>.js`.
pub fn move_start_script(html: &str) -> Result<MovedScript, StartScriptError> {
    let start = html.find(INLINE_START).ok_or(StartScriptError::NoStartScript)?;
    let body_start = start + INLINE_START.len();
    let body_len = html[body_start..].find(SCRIPT_END).ok_or(StartScriptError::Unclosed)?;
    let script = html[body_start..body_start + body_len].trim().to_string() + "\n";
    let file_name = format!("start-{}.js", content_hash(script.as_bytes()));
    let tag = format!(
        "<script type=\"module\" src=\"/{file_name}\" integrity=\"{}\" crossorigin=\"anonymous\"></script>",
        integrity(script.as_bytes())
    );
    let html = format!("{}{tag}{}", &html[..start], &html[body_start + body_len + SCRIPT_END.len()..]);
    if let Some(left) = inline_script(&html) {
        return Err(StartScriptError::AnotherInlineScript(left));
    }
    Ok(MovedScript { html, file_name, script })
}

/// The first `<script …>` tag without a `src`, if any.
fn inline_script(html: &str) -> Option<String> {
    html.match_indices("<script").find_map(|(at, _)| {
        let tag_end = html[at..].find('>').map_or(html.len(), |end| at + end + 1);
        let tag = &html[at..tag_end];
        (!tag.contains(" src=")).then(|| tag.to_string())
    })
}

/// Rewrites the staging folder's `index.html` and writes the start script beside it.
pub fn move_start_script_in(staging: &Path) -> Result<String, ChunkError> {
    let index = staging.join("index.html");
    let html = String::from_utf8_lossy(&read(&index)?).into_owned();
    let moved = move_start_script(&html)
        .map_err(|error| ChunkError::StartScript { path: index.clone(), message: error.to_string() })?;
    write(&staging.join(&moved.file_name), moved.script.as_bytes())?;
    write(&index, moved.html.as_bytes())?;
    Ok(moved.file_name)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRUNKS_PAGE: &str = "<head>\n<script type=\"module\">\nimport init from '/farmdeck-0123456789abcdef.js';\nawait init();\n</script>\n<link rel=\"stylesheet\" href=\"/main.css\"/></head>";

    #[test]
    fn the_start_script_moves_into_a_hashed_file_that_the_page_loads_with_its_integrity() {
        let moved = move_start_script(TRUNKS_PAGE).expect("Trunk's page");
        assert_eq!(moved.script, "import init from '/farmdeck-0123456789abcdef.js';\nawait init();\n");
        assert!(
            moved.file_name.starts_with("start-") && moved.file_name.ends_with(".js"),
            "{}",
            moved.file_name
        );
        let tag = format!("<script type=\"module\" src=\"/{}\" integrity=\"sha384-", moved.file_name);
        assert!(moved.html.contains(&tag), "{}", moved.html);
        assert!(!moved.html.contains("await init"), "no script text left in the page: {}", moved.html);
        assert!(moved.html.ends_with("<link rel=\"stylesheet\" href=\"/main.css\"/></head>"));
        let other_build = move_start_script(&TRUNKS_PAGE.replace("0123", "4567")).expect("Trunk's page");
        assert_ne!(moved.file_name, other_build.file_name, "another build, another name");
    }

    #[test]
    fn a_page_the_policy_would_still_block_is_refused_by_name() {
        assert_eq!(move_start_script("<head></head>"), Err(StartScriptError::NoStartScript));
        assert_eq!(move_start_script("<script type=\"module\">init()"), Err(StartScriptError::Unclosed));
        let two = format!("{TRUNKS_PAGE}<script>alert(1)</script>");
        assert_eq!(move_start_script(&two), Err(StartScriptError::AnotherInlineScript("<script>".into())));
    }
}
