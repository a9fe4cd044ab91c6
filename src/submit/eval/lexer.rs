//! The tokens of the small part of Python that job types write their `eval` expressions in.

use super::EvalError;

#[derive(Clone, Debug, PartialEq)]
pub enum Token {
    Name(String),
    /// A string literal; `formatted` for an f-string, whose `{...}` parts are expressions.
    Str {
        text: String,
        formatted: bool,
    },
    Int(i64),
    Dot,
    Comma,
    Open,
    Close,
    OpenSquare,
    CloseSquare,
    Plus,
    Minus,
    Star,
    Slash,
}

/// Splits an expression into tokens.
pub fn tokenize(source: &str) -> Result<Vec<Token>, EvalError> {
    let chars: Vec<char> = source.chars().collect();
    let mut tokens = Vec::new();
    let mut at = 0;
    while let Some(&c) = chars.get(at) {
        let punct = match c {
            '.' => Some(Token::Dot),
            ',' => Some(Token::Comma),
            '(' => Some(Token::Open),
            ')' => Some(Token::Close),
            '[' => Some(Token::OpenSquare),
            ']' => Some(Token::CloseSquare),
            '+' => Some(Token::Plus),
            '-' => Some(Token::Minus),
            '*' => Some(Token::Star),
            '/' => Some(Token::Slash),
            _ => None,
        };
        if let Some(token) = punct {
            tokens.push(token);
            at += 1;
        } else if c.is_whitespace() {
            at += 1;
        } else if c == '\'' || c == '"' {
            let (text, next) = string(&chars, at, false)?;
            tokens.push(Token::Str { text, formatted: false });
            at = next;
        } else if c.is_ascii_digit() {
            let start = at;
            while chars.get(at).is_some_and(char::is_ascii_digit) {
                at += 1;
            }
            let digits: String = chars[start..at].iter().collect();
            let number =
                digits.parse().map_err(|_| EvalError::Unsupported(format!("the number {digits}")))?;
            tokens.push(Token::Int(number));
        } else if c.is_alphabetic() || c == '_' {
            let start = at;
            while chars.get(at).is_some_and(|c| c.is_alphanumeric() || *c == '_') {
                at += 1;
            }
            let name: String = chars[start..at].iter().collect();
            let prefix = name.to_ascii_lowercase();
            match chars.get(at) {
                Some('\'' | '"') if matches!(prefix.as_str(), "f" | "r" | "fr" | "rf") => {
                    let (text, next) = string(&chars, at, prefix.contains('r'))?;
                    tokens.push(Token::Str { text, formatted: prefix.contains('f') });
                    at = next;
                }
                _ => tokens.push(Token::Name(name)),
            }
        } else {
            return Err(EvalError::Unsupported(format!("the character {c:?}")));
        }
    }
    Ok(tokens)
}

/// A quoted string starting at `start`; its text and the index after its closing quote.
fn string(chars: &[char], start: usize, raw: bool) -> Result<(String, usize), EvalError> {
    let quote = chars[start];
    let mut text = String::new();
    let mut at = start + 1;
    loop {
        match chars.get(at) {
            None => return Err(EvalError::Unsupported("a string without its closing quote".into())),
            Some(c) if *c == quote => return Ok((text, at + 1)),
            Some('\\') if !raw => {
                let escaped = chars
                    .get(at + 1)
                    .ok_or_else(|| EvalError::Unsupported("a string without its closing quote".into()))?;
                text.push(match escaped {
                    'n' => '\n',
                    't' => '\t',
                    other => *other,
                });
                at += 2;
            }
            Some(c) => {
                text.push(*c);
                at += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_strings_numbers_and_punctuation() {
        assert_eq!(
            tokenize("str(Path(settings.root, 'a b', 2))").unwrap(),
            [
                Token::Name("str".into()),
                Token::Open,
                Token::Name("Path".into()),
                Token::Open,
                Token::Name("settings".into()),
                Token::Dot,
                Token::Name("root".into()),
                Token::Comma,
                Token::Str { text: "a b".into(), formatted: false },
                Token::Comma,
                Token::Int(2),
                Token::Close,
                Token::Close,
            ]
        );
    }

    #[test]
    fn f_strings_raw_strings_and_escapes() {
        assert_eq!(
            tokenize(r#"f'{C.x}-{C.y}' r"a\b" 'it\'s'"#).unwrap(),
            [
                Token::Str { text: "{C.x}-{C.y}".into(), formatted: true },
                Token::Str { text: r"a\b".into(), formatted: false },
                Token::Str { text: "it's".into(), formatted: false },
            ]
        );
    }

    #[test]
    fn what_python_has_and_this_does_not_is_refused() {
        assert!(matches!(tokenize("a == b"), Err(EvalError::Unsupported(_))));
        assert!(matches!(tokenize("'open"), Err(EvalError::Unsupported(_))));
        assert!(matches!(tokenize("99999999999999999999"), Err(EvalError::Unsupported(_))));
    }
}
