//! A thrown string has no stack in QuickJS, but the Manager's runtime reports where every throw
//! happened (`no render_output_path setting! at renderOutputPath (simple_blender_render.js:99:9(9))`).
//! So each `throw` statement of a script is rewritten to record its place first, and positions
//! reported in the rewritten text are mapped back to the script as its author wrote it.

/// What follows each `throw` keyword in the rewritten script.
const MARK: &str = " __farmdeck_throw_site(),";

/// A script with its `throw` statements marked.
pub struct MarkedScript {
    pub source: String,
    /// Where marks went in: (1-based line, 1-based column of the `throw` keyword), in order.
    marks: Vec<(usize, usize)>,
}

impl MarkedScript {
    pub fn new(source: &str) -> MarkedScript {
        let mut out = String::with_capacity(source.len() + 64);
        let mut marks = Vec::new();
        let mut scanner = Scanner::default();
        let (mut line, mut column) = (1usize, 1usize);
        let mut rest = source;
        while let Some(c) = rest.chars().next() {
            if let Some(keyword_len) = scanner.throw_keyword_at(rest) {
                out.push_str(&rest[..keyword_len]);
                out.push_str(MARK);
                marks.push((line, column));
                column += keyword_len;
                rest = &rest[keyword_len..];
                scanner.previous_significant = Some('w');
                scanner.last_word = "throw".to_owned();
                continue;
            }
            scanner.step(c, rest);
            out.push(c);
            if c == '\n' {
                line += 1;
                column = 1;
            } else {
                column += 1;
            }
            rest = &rest[c.len_utf8()..];
        }
        MarkedScript { source: out, marks }
    }

    /// A position in the rewritten script as a position in the original one. A position inside a
    /// mark is the `throw` keyword's.
    pub fn original_position(&self, line: usize, column: usize) -> (usize, usize) {
        let keyword = "throw".len();
        let mark = MARK.chars().count();
        let mut shift = 0;
        for &(_, throw_column) in self.marks.iter().filter(|(l, _)| *l == line) {
            let mark_start = throw_column + keyword + shift;
            if column < mark_start {
                break;
            }
            if column < mark_start + mark {
                return (line, throw_column);
            }
            shift += mark;
        }
        (line, column.saturating_sub(shift).max(1))
    }
}

/// Just enough of a JavaScript lexer to tell code from strings, comments, template text and
/// regular expressions.
#[derive(Default)]
struct Scanner {
    state: State,
    /// Brace depth of each template literal's `${` we are inside.
    templates: Vec<usize>,
    braces: usize,
    /// The last character of code that was not white space, to tell `/` (divide) from a regex.
    previous_significant: Option<char>,
    /// The identifier being read, and the last one read, for `return /re/` and `typeof /re/`.
    word: String,
    last_word: String,
    /// The previous character in a literal was a backslash.
    escaped: bool,
}

#[derive(Default, Clone, Copy, PartialEq, Eq)]
enum State {
    #[default]
    Code,
    LineComment,
    BlockComment,
    Quoted(char),
    Template,
    Regex {
        in_class: bool,
    },
}

impl Scanner {
    /// The length of a `throw` keyword starting here in code, if one does.
    fn throw_keyword_at(&self, rest: &str) -> Option<usize> {
        if self.state != State::Code || !rest.starts_with("throw") {
            return None;
        }
        let before_ok = self.word.is_empty() && self.previous_significant != Some('.');
        let after = rest["throw".len()..].chars().next();
        let after_ok = after.is_none_or(|c| !is_identifier_char(c));
        (before_ok && after_ok).then_some("throw".len())
    }

    fn step(&mut self, c: char, rest: &str) {
        let next = rest[c.len_utf8()..].chars().next();
        let in_literal = matches!(self.state, State::Quoted(_) | State::Template | State::Regex { .. });
        if in_literal && (self.escaped || c == '\\') {
            self.escaped = !self.escaped;
            return;
        }
        match self.state {
            State::LineComment => {
                if c == '\n' {
                    self.state = State::Code;
                }
            }
            State::BlockComment => {
                if c == '/' && self.previous_significant == Some('*') {
                    self.state = State::Code;
                    self.previous_significant = None;
                    return;
                }
                self.previous_significant = Some(c);
            }
            State::Quoted(quote) => {
                if c == quote {
                    self.state = State::Code;
                    self.previous_significant = Some(c);
                }
            }
            State::Template => {
                if c == '`' {
                    self.state = State::Code;
                    self.previous_significant = Some(c);
                } else if c == '$' && next == Some('{') {
                    // The `{` that follows opens this depth; its `}` returns to the template.
                    self.templates.push(self.braces + 1);
                    self.state = State::Code;
                    self.previous_significant = Some('$');
                }
            }
            State::Regex { in_class } => match c {
                '[' => self.state = State::Regex { in_class: true },
                ']' if in_class => self.state = State::Regex { in_class: false },
                '/' if !in_class => {
                    self.state = State::Code;
                    // Flags may follow; a value was just written either way.
                    self.previous_significant = Some(')');
                }
                _ => {}
            },
            State::Code => self.code(c, next),
        }
    }

    fn code(&mut self, c: char, next: Option<char>) {
        if is_identifier_char(c) {
            self.word.push(c);
            return;
        }
        if !self.word.is_empty() {
            self.last_word = std::mem::take(&mut self.word);
            self.previous_significant = Some('w');
        }
        match c {
            '/' if next == Some('/') => self.state = State::LineComment,
            '/' if next == Some('*') => {
                self.state = State::BlockComment;
                self.previous_significant = None;
            }
            '/' if self.regex_may_start() => self.state = State::Regex { in_class: false },
            '\'' | '"' => self.state = State::Quoted(c),
            '`' => self.state = State::Template,
            '{' => self.braces += 1,
            '}' => {
                if self.templates.last() == Some(&self.braces) {
                    self.templates.pop();
                    self.state = State::Template;
                }
                self.braces = self.braces.saturating_sub(1);
            }
            _ => {}
        }
        if !c.is_whitespace() && self.state == State::Code {
            self.previous_significant = Some(c);
        }
    }

    /// A `/` starts a regular expression where a value is expected, not after one.
    fn regex_may_start(&self) -> bool {
        match self.previous_significant {
            None => true,
            Some('w') => matches!(
                self.last_word.as_str(),
                "return"
                    | "typeof"
                    | "case"
                    | "do"
                    | "else"
                    | "in"
                    | "of"
                    | "new"
                    | "delete"
                    | "void"
                    | "throw"
            ),
            Some(c) => !matches!(c, ')' | ']' | '}' | '"' | '\'' | '`' | '/') && !is_identifier_char(c),
        }
    }
}

fn is_identifier_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throw_statements_are_marked_and_text_is_left_alone() {
        let source = concat!(
            "// throw in a comment\n",
            "const a = 'throw it'; /* throw */ const b = `x ${ {k: 1}.k } throw`;\n",
            "const re = /throw[/]x/g, c = 4 / 2; obj.throw = 1;\n",
            "function f(x) {\n",
            "    if (!x) throw \"no x!\";\n",
            "  rethrow(); throw new Error(`bad ${x}`)\n",
            "}\n",
        );
        let marked = MarkedScript::new(source);
        assert_eq!(marked.marks, vec![(5, 13), (6, 14)]);
        assert!(marked.source.contains("if (!x) throw __farmdeck_throw_site(), \"no x!\";"));
        assert!(marked.source.contains("rethrow(); throw __farmdeck_throw_site(), new Error"));
        assert!(marked
            .source
            .contains("const a = 'throw it'; /* throw */ const b = `x ${ {k: 1}.k } throw`;"));
        assert!(marked.source.contains("/throw[/]x/g") && marked.source.contains("obj.throw = 1"));
    }

    #[test]
    fn positions_map_back_to_the_script_as_written() {
        let marked = MarkedScript::new("x();\n  throw 'a'; y(); throw 'b'; z();\n");
        let mark = MARK.len();
        // Inside either mark: the keyword's own column.
        assert_eq!(marked.original_position(2, 3 + 5 + 2), (2, 3));
        let second_throw = "  throw 'a'; y(); ".len() + 1;
        assert_eq!(marked.original_position(2, second_throw + mark + 5 + 1), (2, second_throw));
        // After a mark: shifted back by it; lines without marks are unchanged.
        let z = "  throw 'a'; y(); throw 'b'; ".len() + 1;
        assert_eq!(marked.original_position(2, z + 2 * mark), (2, z));
        assert_eq!(marked.original_position(1, 2), (1, 2));
    }
}
