//! Storage mappings: where a path on the farm's shared storage (a job's `render_output_path`) can
//! be fetched over HTTP, as `{ path prefix, URL prefix }` pairs.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::{Deserialize, Serialize};

/// One storage path prefix and the URL prefix it is served at.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StorageMapping {
    /// A path prefix on the farm's storage, e.g. `/render/` or `R:\render\`.
    pub path: String,
    /// Where that prefix is served: `https://files.example/render/` or `/renders/` (this site).
    pub url: String,
}

/// Why a path has no URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MapError {
    /// No mapping's path prefix matches the path.
    NoMatch(String),
}

impl std::fmt::Display for MapError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MapError::NoMatch(path) => {
                write!(f, "No storage mapping covers the path \"{path}\": add its prefix in Settings.")
            }
        }
    }
}

/// Windows separators become `/`, so `R:\render\a` and `R:/render/a` are the same path.
fn normalise(path: &str) -> String {
    path.trim().replace('\\', "/")
}

/// Whether `prefix` covers `path` on whole path segments (`/render` covers `/render/a`, not
/// `/renders/a`).
fn covers<'a>(prefix: &str, path: &'a str) -> Option<&'a str> {
    let prefix = prefix.trim_end_matches('/');
    let rest = path.strip_prefix(prefix)?;
    if prefix.is_empty() || rest.is_empty() || rest.starts_with('/') {
        Some(rest.trim_start_matches('/'))
    } else {
        None
    }
}

/// Percent-encodes one path segment: only unreserved characters stay as they are.
pub fn encode_segment(segment: &str) -> String {
    // Everything but unreserved characters, so that a name stays one segment.
    const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');
    utf8_percent_encode(segment, SEGMENT).to_string()
}

/// The URL of a storage path: the longest matching path prefix wins; the rest of the path is
/// URL-encoded segment by segment.
pub fn map_path(mappings: &[StorageMapping], path: &str) -> Result<String, MapError> {
    let normal = normalise(path);
    let best = mappings
        .iter()
        .filter_map(|m| {
            let prefix = normalise(&m.path);
            covers(&prefix, &normal).map(|rest| (prefix.trim_end_matches('/').len(), m, rest))
        })
        .max_by_key(|(len, _, _)| *len);
    let Some((_, mapping, rest)) = best else { return Err(MapError::NoMatch(path.to_string())) };
    let encoded: Vec<String> = rest.split('/').filter(|s| !s.is_empty()).map(encode_segment).collect();
    let base = mapping.url.trim();
    let base = base.strip_suffix('/').unwrap_or(base);
    Ok(format!("{base}/{}", encoded.join("/")))
}

/// Checks the mappings as typed, naming the first bad one (1-based, as the page shows them).
pub fn validate(mappings: &[StorageMapping]) -> Result<(), String> {
    for (i, m) in mappings.iter().enumerate() {
        let n = i + 1;
        if m.path.trim().is_empty() {
            return Err(format!("Mapping {n}: give the storage path prefix."));
        }
        let url = m.url.trim();
        let web = url.starts_with("http://") || url.starts_with("https://");
        if !(web || url.starts_with('/')) {
            return Err(format!(
                "Mapping {n}: the URL prefix \"{url}\" must start with http://, https:// or /."
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(path: &str, url: &str) -> StorageMapping {
        StorageMapping { path: path.into(), url: url.into() }
    }

    #[test]
    fn the_longest_prefix_wins() {
        let maps =
            [m("/", "/renders/"), m("/render/", "https://files.example/render/"), m("/render/shots", "/s")];
        assert_eq!(map_path(&maps, "/render/a/tiles").as_deref(), Ok("https://files.example/render/a/tiles"));
        assert_eq!(map_path(&maps, "/render/shots/x.exr").as_deref(), Ok("/s/x.exr"));
        assert_eq!(map_path(&maps, "/renders/x").as_deref(), Ok("/renders/renders/x"), "segments, not text");
        assert_eq!(map_path(&maps, "/elsewhere").as_deref(), Ok("/renders/elsewhere"));
    }

    #[test]
    fn windows_separators_and_odd_names_are_handled() {
        let maps = [m(r"R:\render\", "https://f.example/r")];
        assert_eq!(
            map_path(&maps, r"R:\render\My Shot\tiles\0-0-64-64.exr").as_deref(),
            Ok("https://f.example/r/My%20Shot/tiles/0-0-64-64.exr")
        );
        assert_eq!(
            map_path(&maps, "R:/render/a#b?c/é").as_deref(),
            Ok("https://f.example/r/a%23b%3Fc/%C3%A9")
        );
    }

    #[test]
    fn no_match_names_the_path() {
        let error = map_path(&[m("/render", "/r/")], "/other/tiles").unwrap_err();
        assert!(error.to_string().contains("\"/other/tiles\""), "{error}");
        assert!(error.to_string().contains("Settings"));
        assert!(map_path(&[], "/a").is_err());
    }

    #[test]
    fn urls_must_be_web_or_site_relative() {
        assert_eq!(validate(&[m("/a", "https://x/"), m("/b", "/renders/")]), Ok(()));
        assert!(validate(&[m("/a", "ftp://x/")]).unwrap_err().contains("Mapping 1"));
        assert!(validate(&[m("/a", "/ok"), m(" ", "/x")]).unwrap_err().contains("Mapping 2"));
        assert!(validate(&[m("/a", "javascript:alert(1)")]).is_err());
    }
}
