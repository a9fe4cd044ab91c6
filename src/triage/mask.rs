//! Masking what differs between equal failures (numbers, hex ids, UUIDs, paths, quoted names), so
//! that "out of memory (812345678 bytes)" on one task and "(64000000 bytes)" on another group.

/// What stands for each masked part.
pub const NUMBER: &str = "#";
pub const HEX: &str = "<id>";
pub const PATH: &str = "<path>";
pub const QUOTED: &str = "…";

/// `text` with its varying parts masked.
pub fn mask(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    while at < chars.len() {
        let (masked, next) = mask_at(&chars, at);
        match masked {
            Some(mask) => out.push_str(&mask),
            None => out.push(chars[at]),
        }
        at = next.max(at + 1);
    }
    out
}

/// The mask of what starts at `at`, and where scanning goes on; `None` when `chars[at]` stays.
fn mask_at(chars: &[char], at: usize) -> (Option<String>, usize) {
    let c = chars[at];
    let after_word = at > 0 && is_word(chars[at - 1]);
    if (c == '\'' || c == '"') && !after_word {
        if let Some(end) = closing_quote(chars, at) {
            return (Some(format!("{c}{QUOTED}{c}")), end + 1);
        }
    }
    if !after_word && is_path_start(chars, at) {
        return (Some(PATH.to_owned()), path_end(chars, at));
    }
    if !after_word {
        let end = word_end(chars, at);
        let word: String = chars[at..end].iter().collect();
        if is_uuid(&word) || is_hex_id(&word) {
            return (Some(HEX.to_owned()), end);
        }
    }
    if c.is_ascii_digit() {
        let mut end = at;
        while end < chars.len()
            && (chars[end].is_ascii_digit()
                || (chars[end] == '.' && chars.get(end + 1).is_some_and(char::is_ascii_digit)))
        {
            end += 1;
        }
        return (Some(NUMBER.to_owned()), end);
    }
    (None, at + 1)
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn word_end(chars: &[char], at: usize) -> usize {
    let mut end = at;
    while end < chars.len() && (is_word(chars[end]) || chars[end] == '-') {
        end += 1;
    }
    end
}

/// The quote that closes the one at `at`, on the same line, not inside a word (so "don't" is no
/// quote).
fn closing_quote(chars: &[char], at: usize) -> Option<usize> {
    let quote = chars[at];
    (at + 1..chars.len())
        .take_while(|&i| chars[i] != '\n')
        .find(|&i| chars[i] == quote && i > at + 1 && !chars.get(i + 1).is_some_and(|&next| is_word(next)))
}

/// `/a/b`, `~/a`, `./a`, `C:\a` or `C:/a`.
fn is_path_start(chars: &[char], at: usize) -> bool {
    let next = |offset: usize| chars.get(at + offset).copied();
    match chars[at] {
        '/' => next(1).is_some_and(|c| is_word(c) || c == '.'),
        '~' | '.' => next(1) == Some('/') && next(2).is_some_and(is_word),
        c if c.is_ascii_alphabetic() => next(1) == Some(':') && matches!(next(2), Some('\\') | Some('/')),
        _ => false,
    }
}

/// Where a path ends: at white space, a quote, a bracket, a comma, or a colon that ends it.
fn path_end(chars: &[char], at: usize) -> usize {
    let mut end = at + 1;
    while end < chars.len() {
        let c = chars[end];
        let colon_ends = c == ':' && chars.get(end + 1).is_none_or(|next| next.is_whitespace());
        if c.is_whitespace() || matches!(c, '\'' | '"' | ',' | ')' | ']' | '(' | '[') || colon_ends {
            break;
        }
        end += 1;
    }
    end
}

fn is_uuid(word: &str) -> bool {
    let groups: Vec<&str> = word.split('-').collect();
    groups.iter().map(|group| group.len()).eq([8, 4, 4, 4, 12])
        && groups.iter().all(|group| group.chars().all(|c| c.is_ascii_hexdigit()))
}

/// `0x7f3a...`, or a run of at least 8 hex digits with both digits and letters (a commit hash).
fn is_hex_id(word: &str) -> bool {
    if let Some(digits) = word.strip_prefix("0x").or_else(|| word.strip_prefix("0X")) {
        return !digits.is_empty() && digits.chars().all(|c| c.is_ascii_hexdigit());
    }
    word.len() >= 8
        && word.chars().all(|c| c.is_ascii_hexdigit())
        && word.chars().any(|c| c.is_ascii_digit())
        && word.chars().any(|c| c.is_ascii_alphabetic())
}

#[cfg(test)]
mod tests {
    use super::mask;

    #[test]
    fn numbers_ids_paths_and_quoted_names_are_masked() {
        assert_eq!(
            mask("Error: CUDA error: out of memory in cuMemAlloc (device 1, 812345678 bytes)"),
            "Error: CUDA error: out of memory in cuMemAlloc (device #, # bytes)"
        );
        assert_eq!(
            mask("Error: Cannot read file '/render/shots/sh010/tex/wood_07.png': No such file or directory"),
            "Error: Cannot read file '…': No such file or directory"
        );
        assert_eq!(mask("Writing: /tmp/sh010_lighting.crash.txt"), "Writing: <path>");
        assert_eq!(mask("opening C:\\render\\sh010.blend failed"), "opening <path> failed");
        assert_eq!(mask("Hash 8bb3c5d3e3ae, at 0x7f3a00b2"), "Hash <id>, at <id>");
        assert_eq!(mask("task 4107c7aa-e86d-4244-858b-6c4fce2af503 failed"), "task <id> failed");
        assert_eq!(mask("Fra:12 Mem:432.50M"), "Fra:# Mem:#M");
        assert_eq!(
            mask("KeyError: 'bpy_prop_collection[key]: key \"Camera.003\" not found'"),
            "KeyError: '…'"
        );
    }

    #[test]
    fn words_with_quotes_and_plain_words_stay() {
        assert_eq!(mask("don't panic, it's fine"), "don't panic, it's fine");
        assert_eq!(mask("Segmentation fault (core dumped)"), "Segmentation fault (core dumped)");
        assert_eq!(mask("deadbeef"), "deadbeef"); // hex letters only: a word, not an id
        assert_eq!(mask("a/b and 1/2"), "a/b and #/#");
        assert_eq!(mask("unclosed 'quote"), "unclosed 'quote");
    }

    #[test]
    fn equal_failures_with_different_details_mask_alike() {
        let a = mask("pid=4242 > Error: Cannot read file '/render/a.png': No such file or directory");
        let b = mask("pid=17 > Error: Cannot read file '/other/b.exr': No such file or directory");
        assert_eq!(a, b);
    }
}
