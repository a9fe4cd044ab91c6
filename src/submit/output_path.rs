//! A copy's output folder. A job comes back from the Manager with its `render_output_path`
//! resolved (the job type filled in `{timestamp}` when it accepted the job), so a copy sent with
//! that path would render into, and overwrite, the original's frames.

/// The setting Flamenco's job types render into.
pub const OUTPUT_PATH_KEY: &str = "render_output_path";

/// The original's resolved output path with its timestamp folder turned back into `{timestamp}`,
/// so the Manager gives the copy a folder of its own; `None` when no folder is a timestamp.
pub fn fresh_output_path(resolved: &str) -> Option<String> {
    let separators = |c: char| c == '/' || c == '\\';
    let mut start = 0;
    let mut found = None;
    for (index, part) in resolved.split(separators).enumerate() {
        if index > 0 {
            start += 1;
        }
        if is_path_timestamp(part) {
            found = Some(start..start + part.len());
        }
        start += part.len();
    }
    let found = found?;
    Some(format!("{}{{timestamp}}{}", &resolved[..found.start], &resolved[found.end..]))
}

/// Whether `text` is a timestamp as Flamenco's job types put it in paths: `2006-01-02_150405`.
fn is_path_timestamp(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 17
        && bytes.iter().enumerate().all(|(index, byte)| match index {
            4 | 7 => *byte == b'-',
            10 => *byte == b'_',
            _ => byte.is_ascii_digit(),
        })
}

/// Why a copy may not use `path`: it is where the original rendered.
pub fn reuse_problem(path: &str, original: &str) -> Option<String> {
    (path.trim() == original.trim()).then(|| {
        "This is the original job's output folder: the copy would overwrite its frames. Choose another \
         path (Flamenco's job types replace {timestamp} with the time the job is accepted)."
            .to_owned()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_originals_timestamp_folder_becomes_a_placeholder_again() {
        assert_eq!(
            fresh_output_path("/render/frames/Shot/2026-11-30_141904/######").as_deref(),
            Some("/render/frames/Shot/{timestamp}/######")
        );
        assert_eq!(
            fresh_output_path("/r/Still/2026-11-30_141904/tiles").as_deref(),
            Some("/r/Still/{timestamp}/tiles")
        );
        assert_eq!(
            fresh_output_path(r"R:\renders\Shot\2026-01-02_030405\######").as_deref(),
            Some(r"R:\renders\Shot\{timestamp}\######")
        );
        // The last of two: the job type's own timestamp comes after any in the root.
        assert_eq!(
            fresh_output_path("/r/2025-01-01_000000/Shot/2026-11-30_141904/x").as_deref(),
            Some("/r/2025-01-01_000000/Shot/{timestamp}/x")
        );
    }

    #[test]
    fn paths_without_a_timestamp_folder_have_no_fresh_form() {
        assert_eq!(fresh_output_path("/render/frames/e2e/######"), None);
        assert_eq!(fresh_output_path("/render/2026-11-30_14190/x"), None, "one digit short");
        assert_eq!(fresh_output_path("/render/shot-2026-11-30_141904/x"), None, "part of a name");
        assert_eq!(fresh_output_path(""), None);
    }

    #[test]
    fn the_originals_folder_is_refused_and_any_other_is_fine() {
        assert!(reuse_problem(" /r/x/###### ", "/r/x/######").is_some_and(|why| why.contains("overwrite")));
        assert_eq!(reuse_problem("/r/y/######", "/r/x/######"), None);
        assert_eq!(reuse_problem("/r/x/{timestamp}/######", "/r/x/2026-11-30_141904/######"), None);
    }
}
