//! The `path` module of the job-compiler API: Go's `filepath` functions as the Manager's runtime
//! exposes them (`basename` = `Base`, `dirname` = `Dir`, `join` = `Join`, `stem`), with forward
//! slashes, as on the Linux Managers they are measured on.

/// Go's `filepath.Clean`: the shortest path that names the same file, by lexical rules.
pub fn clean(path: &str) -> String {
    if path.is_empty() {
        return ".".into();
    }
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => match parts.last() {
                Some(&last) if last != ".." => {
                    parts.pop();
                }
                _ if rooted => {}
                _ => parts.push(".."),
            },
            other => parts.push(other),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".into(),
        (false, false) => joined,
    }
}

/// Go's `filepath.Base`: the last element, trailing slashes removed; `.` for an empty path.
pub fn base(path: &str) -> String {
    if path.is_empty() {
        return ".".into();
    }
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/".into();
    }
    trimmed.rsplit('/').next().unwrap_or(trimmed).to_owned()
}

/// Go's `filepath.Dir`: all but the last element, cleaned.
pub fn dir(path: &str) -> String {
    let cut = path.rfind('/').map_or(0, |slash| slash + 1);
    clean(&path[..cut])
}

/// Go's `filepath.Join`: the non-empty elements joined by `/` and cleaned; "" when all are empty.
pub fn join(parts: &[String]) -> String {
    let parts: Vec<&str> = parts.iter().map(String::as_str).filter(|part| !part.is_empty()).collect();
    if parts.is_empty() {
        return String::new();
    }
    clean(&parts.join("/"))
}

/// The file name without its extension (the part from the last `.` of the last element).
pub fn stem(path: &str) -> String {
    let name = base(path);
    match name.rfind('.') {
        Some(dot) => name[..dot].to_owned(),
        None => name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_behave_like_gos_filepath() {
        assert_eq!(clean("a//b/./c/../d/"), "a/b/d");
        assert_eq!(clean("/../x"), "/x");
        assert_eq!(clean("../../x/.."), "../..");
        assert_eq!(clean(""), ".");
        assert_eq!(base("/render/shot/frames/######"), "######");
        assert_eq!(base("/render/shot/"), "shot");
        assert_eq!((base(""), base("///")), (".".to_owned(), "/".to_owned()));
        assert_eq!(dir("/render/shot/frames/######"), "/render/shot/frames");
        assert_eq!((dir("file.blend"), dir("/file")), (".".to_owned(), "/".to_owned()));
        let parts = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(join(&parts(&["/render", "", "shot/", "../take2", "tiles"])), "/render/take2/tiles");
        assert_eq!(join(&parts(&["", ""])), "");
        assert_eq!(stem("/projects/shot.flamenco.blend"), "shot.flamenco");
        assert_eq!(stem("/projects/README"), "README");
    }
}
