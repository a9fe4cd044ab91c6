//! Paths as Python's `pathlib` joins and prints them, for POSIX and Windows paths alike: the
//! Manager's paths can be either, whatever the browser runs on.

/// A path split into its anchor (`/`, `C:\`, or nothing for a relative path) and its parts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathValue {
    anchor: String,
    parts: Vec<String>,
    windows: bool,
}

impl PathValue {
    /// `Path()`: the empty relative path, printed `.`.
    pub fn empty() -> PathValue {
        PathValue { anchor: String::new(), parts: Vec::new(), windows: false }
    }

    /// A path from text; Windows-style when it has a drive letter or backslashes.
    pub fn parse(text: &str) -> PathValue {
        let bytes = text.as_bytes();
        let drive = bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':';
        let windows = drive || text.contains('\\');
        let separators: &[char] = if windows { &['/', '\\'] } else { &['/'] };
        let (anchor, rest) = if drive {
            let rooted = text[2..].starts_with(separators);
            let anchor = format!("{}{}", &text[..2], if rooted { "\\" } else { "" });
            (anchor, &text[2..])
        } else if windows && (text.starts_with(r"\\") || text.starts_with("//")) {
            // A UNC share, `\\server\share`.
            (r"\\".to_owned(), text)
        } else if text.starts_with(separators) {
            ((if windows { "\\" } else { "/" }).to_owned(), text)
        } else {
            (String::new(), text)
        };
        let parts = rest
            .split(separators)
            .filter(|part| !part.is_empty() && *part != ".")
            .map(str::to_owned)
            .collect();
        PathValue { anchor, parts, windows }
    }

    pub fn is_absolute(&self) -> bool {
        !self.anchor.is_empty()
    }

    /// `self / other`: an absolute `other` replaces `self`, as in `pathlib`.
    pub fn join(mut self, other: PathValue) -> PathValue {
        if other.is_absolute() {
            return other;
        }
        self.windows |= other.windows && self.anchor.is_empty() && self.parts.is_empty();
        self.parts.extend(other.parts);
        self
    }

    /// The folder a file is in.
    pub fn parent(&self) -> PathValue {
        let mut parent = self.clone();
        parent.parts.pop();
        parent
    }

    /// The last `n` folder names of the folder `file` is in, never with its anchor (Flamenco's
    /// add-on: `last_n_dir_parts`); `Path()` for `n` of 0 or less.
    pub fn last_dir_parts(file: &PathValue, n: i64) -> PathValue {
        let folder = file.parent();
        let keep = usize::try_from(n).unwrap_or(0).min(folder.parts.len());
        let parts = folder.parts[folder.parts.len() - keep..].to_vec();
        PathValue { anchor: String::new(), parts, windows: folder.windows }
    }

    /// The path as `str(path)` prints it.
    pub fn render(&self) -> String {
        if self.anchor.is_empty() && self.parts.is_empty() {
            return ".".to_owned();
        }
        let separator = if self.windows { "\\" } else { "/" };
        format!("{}{}", self.anchor, self.parts.join(separator))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn join(parts: &[&str]) -> String {
        parts.iter().map(|part| PathValue::parse(part)).fold(PathValue::empty(), PathValue::join).render()
    }

    #[test]
    fn joins_like_pathlib() {
        assert_eq!(join(&["/render/", "shot", "{timestamp}", "######"]), "/render/shot/{timestamp}/######");
        assert_eq!(join(&["/render//x/./", "", "a/b"]), "/render/x/a/b");
        assert_eq!(join(&["/render", "/elsewhere", "x"]), "/elsewhere/x", "an absolute part restarts");
        assert_eq!(join(&[]), ".");
        assert_eq!(join(&["relative", "x"]), "relative/x");
        assert_eq!(join(&[r"R:\renders", "Shot 1", "tiles"]), r"R:\renders\Shot 1\tiles");
        assert_eq!(join(&["R:/renders/", "x"]), r"R:\renders\x");
        assert_eq!(join(&[r"\\server\share", "x"]), r"\\server\share\x");
    }

    #[test]
    fn the_last_folders_of_a_file_never_with_its_anchor() {
        let file = PathValue::parse("/path/to/some/file.blend");
        assert_eq!(PathValue::last_dir_parts(&file, 2).render(), "to/some");
        assert_eq!(PathValue::last_dir_parts(&file, 200).render(), "path/to/some");
        assert_eq!(PathValue::last_dir_parts(&file, 0).render(), ".");
        assert_eq!(PathValue::last_dir_parts(&file, -3).render(), ".");
        let windows = PathValue::parse(r"C:\path\to\some\file.blend");
        assert_eq!(PathValue::last_dir_parts(&windows, 200).render(), r"path\to\some");
        assert!(!PathValue::last_dir_parts(&windows, 200).is_absolute());
    }
}
