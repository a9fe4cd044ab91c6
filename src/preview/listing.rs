//! Reading a folder URL's listing: the `.exr` links of an autoindex page (nginx, Apache, simfarm)
//! or a JSON array of names, resolved against the folder's URL. The listing is untrusted text.

use crate::settings::mapping::encode_segment;
use percent_encoding::percent_decode_str;

/// A tile file found in a listing: its name and where to fetch it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    /// The file name, decoded (e.g. `0-0-64-64.exr`).
    pub name: String,
    /// Its absolute or site-relative URL.
    pub url: String,
}

/// The `.exr` files in a listing of `folder_url`, sorted by name, or why there are none.
pub fn exr_links(folder_url: &str, body: &str) -> Result<Vec<Listed>, String> {
    let folder = folder_url.trim();
    let base = if folder.ends_with('/') { folder.to_string() } else { format!("{folder}/") };
    let trimmed = body.trim_start();
    let mut found: Vec<Listed> = if trimmed.starts_with('[') {
        let names: Vec<serde_json::Value> = serde_json::from_str(trimmed)
            .map_err(|e| format!("The listing at {folder} is not a JSON array of names: {e}"))?;
        names
            .iter()
            .filter_map(|v| v.as_str().or_else(|| v.get("name").and_then(|n| n.as_str())))
            .filter(|name| is_plain_exr(name))
            .map(|name| Listed { name: name.to_string(), url: format!("{base}{}", encode_segment(name)) })
            .collect()
    } else {
        hrefs(body)
            .into_iter()
            .filter_map(|href| {
                let href = decode_entities(&href);
                let path = href.split(['?', '#']).next().unwrap_or_default().to_string();
                let name = percent_decode_str(path.rsplit('/').next().unwrap_or_default())
                    .decode_utf8()
                    .ok()?
                    .into_owned();
                is_plain_exr(&name).then(|| Listed { name, url: resolve(&base, &path) })
            })
            .collect()
    };
    found.sort_by(|a, b| a.name.cmp(&b.name));
    found.dedup_by(|a, b| a.name == b.name);
    if found.is_empty() {
        return Err(format!("The listing at {folder} links to no .exr file."));
    }
    Ok(found)
}

/// A file name (no folder parts, no control characters) ending in `.exr`.
fn is_plain_exr(name: &str) -> bool {
    name.to_ascii_lowercase().ends_with(".exr")
        && !name.contains(['/', '\\'])
        && !name.chars().any(char::is_control)
        && name != ".exr"
}

/// The values of every `href` attribute, quoted or not.
fn hrefs(html: &str) -> Vec<String> {
    let lower = html.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(found) = lower[at..].find("href") {
        let mut i = at + found + 4;
        at = i;
        let bytes = html.as_bytes();
        while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        if bytes.get(i) != Some(&b'=') {
            continue;
        }
        i += 1;
        while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        let value = match bytes.get(i) {
            Some(&q) if q == b'"' || q == b'\'' => {
                let rest = &html[i + 1..];
                rest.find(q as char).map(|end| &rest[..end])
            }
            Some(_) => {
                let rest = &html[i..];
                let end = rest.find(|c: char| c.is_ascii_whitespace() || c == '>').unwrap_or(rest.len());
                Some(&rest[..end])
            }
            None => None,
        };
        if let Some(value) = value {
            out.push(value.to_string());
        }
    }
    out
}

/// Resolves a link against the folder URL (which ends in `/`).
fn resolve(base: &str, href: &str) -> String {
    if href.starts_with("http://") || href.starts_with("https://") {
        return href.to_string();
    }
    if href.starts_with("//") {
        let scheme = base.split("//").next().unwrap_or("http:");
        return format!("{scheme}{href}");
    }
    if href.starts_with('/') {
        // Same host as the folder (or this site, for a site-relative folder URL).
        let origin = base
            .find("://")
            .map(|i| i + 3)
            .and_then(|start| base[start..].find('/').map(|end| &base[..start + end]))
            .unwrap_or("");
        return format!("{origin}{href}");
    }
    format!("{base}{}", href.trim_start_matches("./"))
}

/// The HTML entities autoindex pages use in attributes.
fn decode_entities(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    const NGINX: &str = r#"<html>
<head><title>Index of /render/shot/tiles/</title></head>
<body>
<h1>Index of /render/shot/tiles/</h1><hr><pre><a href="../">../</a>
<a href="0-0-64-64.exr">0-0-64-64.exr</a>                                      29-Nov-2026 10:00    123456
<a href="64-0-128-64.exr">64-0-128-64.exr</a>                                    29-Nov-2026 10:00    123456
<a href="notes.txt">notes.txt</a>                                          29-Nov-2026 10:00       12
</pre><hr></body>
</html>"#;

    #[test]
    fn nginx_autoindex_links_are_resolved() {
        let found = exr_links("https://files.example/render/shot/tiles", NGINX).expect("links");
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].name, "0-0-64-64.exr");
        assert_eq!(found[0].url, "https://files.example/render/shot/tiles/0-0-64-64.exr");
    }

    #[test]
    fn simfarm_listing_with_escaped_names() {
        let html = "<ul><li><a href=\"%3Cb%3E%26.exr\">&lt;b&gt;&amp;.exr</a></li>\
                    <li><a href=\"0-0-64-64.exr\">0-0-64-64.exr</a></li><li><a href=\"sub/\">sub/</a></li></ul>";
        let found = exr_links("/renders/job/tiles/", html).expect("links");
        let names: Vec<&str> = found.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(names, ["0-0-64-64.exr", "<b>&.exr"]);
        assert_eq!(found[1].url, "/renders/job/tiles/%3Cb%3E%26.exr");
    }

    #[test]
    fn json_arrays_of_names() {
        let found = exr_links("http://h/t/", r#"["1-0-2-1.exr", {"name": "0-0-1-1.exr"}, 5, "../x.exr"]"#)
            .expect("links");
        assert_eq!(
            found.iter().map(|l| l.url.as_str()).collect::<Vec<_>>(),
            ["http://h/t/0-0-1-1.exr", "http://h/t/1-0-2-1.exr"]
        );
        assert!(exr_links("http://h/t/", "[1,").is_err());
    }

    #[test]
    fn hostile_and_empty_listings() {
        let html = r#"<a href='/abs/0-0-1-1.exr?x=1'>a</a><a href=javascript:alert(1)>x</a>
                      <a href="%2e%2e%2fescape.exr">y</a><a href="%ZZ.exr">z</a><a href="http://o/1-0-2-1.exr">o</a>"#;
        let found = exr_links("http://h:8080/t/", html).expect("links");
        let urls: Vec<&str> = found.iter().map(|l| l.url.as_str()).collect();
        // A malformed escape is taken literally, as browsers do; the plan lists it as no tile.
        assert_eq!(
            urls,
            ["http://h:8080/t/%ZZ.exr", "http://h:8080/abs/0-0-1-1.exr", "http://o/1-0-2-1.exr"]
        );
        let error = exr_links("http://h/t/", "<html>nothing</html>").unwrap_err();
        assert!(error.contains("http://h/t/") && error.contains(".exr"), "{error}");
    }
}
