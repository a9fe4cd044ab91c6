//! A task's log as the page shows it. Logs carry what Blender and scripts printed, terminal colour
//! and cursor codes included; shown raw, `ESC` is invisible and leaves `[31m` or `[2J` garbage
//! in the text. Escape sequences are taken out (the log view has no colours), and any other
//! control character is shown as its visible symbol (`␛`, `␇`, ...), so nothing in a log is hidden
//! or acts on the page.

/// The escape character that starts a terminal control sequence.
const ESC: char = '\u{1b}';
/// The bell, which ends an operating-system command (OSC) sequence.
const BEL: char = '\u{7}';

/// `raw` log text made readable: escape sequences removed, `\r\n` and lone `\r` made line ends,
/// other control characters (not tab or newline) shown as their Unicode control pictures.
pub fn readable_log(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            ESC => match chars.peek() {
                // CSI: `ESC [`, parameter and intermediate bytes, one final byte.
                Some('[') => {
                    chars.next();
                    for next in chars.by_ref() {
                        if ('\u{40}'..='\u{7e}').contains(&next) {
                            break;
                        }
                    }
                }
                // OSC (window titles, links): `ESC ]` up to BEL or `ESC \`.
                Some(']') => {
                    chars.next();
                    while let Some(next) = chars.next() {
                        if next == BEL || (next == ESC && chars.next_if_eq(&'\\').is_some()) {
                            break;
                        }
                    }
                }
                // A two-character escape (`ESC 7`, `ESC c`, ...).
                Some(next) if ('\u{20}'..='\u{7e}').contains(next) => {
                    chars.next();
                }
                _ => out.push(control_picture(ch)),
            },
            '\r' => {
                chars.next_if_eq(&'\n');
                out.push('\n');
            }
            '\n' | '\t' => out.push(ch),
            ch if ch.is_ascii_control() => out.push(control_picture(ch)),
            ch => out.push(ch),
        }
    }
    out
}

/// The visible symbol of an ASCII control character (U+2400 block): `␛` for ESC, `␡` for DEL.
fn control_picture(ch: char) -> char {
    match ch {
        '\u{7f}' => '\u{2421}',
        ch => char::from_u32(0x2400 + u32::from(ch)).unwrap_or(char::REPLACEMENT_CHARACTER),
    }
}

#[cfg(test)]
mod tests {
    use super::readable_log;

    #[test]
    fn colour_and_cursor_codes_are_taken_out() {
        assert_eq!(readable_log("\u{1b}[31mred\u{1b}[0m plain\u{1b}[2J\u{1b}[1;1H done"), "red plain done");
        assert_eq!(readable_log("a\u{1b}[38;5;196mb"), "ab");
    }

    #[test]
    fn window_titles_and_links_are_taken_out_with_either_terminator() {
        assert_eq!(readable_log("x\u{1b}]0;title\u{7}y"), "xy");
        assert_eq!(readable_log("x\u{1b}]8;;http://e\u{1b}\\link\u{1b}]8;;\u{1b}\\y"), "xlinky");
    }

    #[test]
    fn other_control_characters_are_shown_not_hidden() {
        assert_eq!(readable_log("bell\u{7} nul\u{0} del\u{7f}"), "bell\u{2407} nul\u{2400} del\u{2421}");
        assert_eq!(readable_log("lone \u{1b}"), "lone \u{241b}");
        assert_eq!(readable_log("\u{1b}\u{1b}[1m!"), "\u{241b}!");
    }

    #[test]
    fn line_ends_tabs_and_text_are_kept() {
        assert_eq!(readable_log("a\r\nb\rc\n\td <b>é\u{202e}"), "a\nb\nc\n\td <b>é\u{202e}");
        assert_eq!(readable_log("an unfinished \u{1b}[3"), "an unfinished ");
    }
}
