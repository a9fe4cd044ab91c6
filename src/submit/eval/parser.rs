//! Expressions as a tree: literals, names, attributes, calls, indexing and arithmetic.

use super::lexer::{tokenize, Token};
use super::EvalError;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Add,
    Sub,
    Mul,
    Div,
}

/// One piece of an f-string.
#[derive(Clone, Debug, PartialEq)]
pub enum Part {
    Text(String),
    Value(Expr),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Str(String),
    Formatted(Vec<Part>),
    Int(i64),
    Name(String),
    Attr(Box<Expr>, String),
    Call(Box<Expr>, Vec<Expr>),
    Index(Box<Expr>, Box<Expr>),
    Binary(Op, Box<Expr>, Box<Expr>),
    Negate(Box<Expr>),
}

/// Parses a whole expression.
pub fn parse(source: &str) -> Result<Expr, EvalError> {
    let tokens = tokenize(source)?;
    let mut parser = Parser { tokens, at: 0 };
    let expr = parser.sum()?;
    match parser.peek() {
        None => Ok(expr),
        Some(token) => Err(unexpected(Some(token))),
    }
}

fn unexpected(token: Option<&Token>) -> EvalError {
    EvalError::Unsupported(match token {
        Some(token) => format!("{token:?} at this place"),
        None => "an expression that ends too early".into(),
    })
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.at).cloned();
        self.at += 1;
        token
    }

    fn expect(&mut self, wanted: Token) -> Result<(), EvalError> {
        match self.next() {
            Some(token) if token == wanted => Ok(()),
            other => Err(unexpected(other.as_ref())),
        }
    }

    fn sum(&mut self) -> Result<Expr, EvalError> {
        let mut left = self.product()?;
        loop {
            let op = match self.peek() {
                Some(Token::Plus) => Op::Add,
                Some(Token::Minus) => Op::Sub,
                _ => return Ok(left),
            };
            self.at += 1;
            left = Expr::Binary(op, Box::new(left), Box::new(self.product()?));
        }
    }

    fn product(&mut self) -> Result<Expr, EvalError> {
        let mut left = self.unary()?;
        loop {
            let op = match self.peek() {
                Some(Token::Star) => Op::Mul,
                Some(Token::Slash) => Op::Div,
                _ => return Ok(left),
            };
            self.at += 1;
            left = Expr::Binary(op, Box::new(left), Box::new(self.unary()?));
        }
    }

    fn unary(&mut self) -> Result<Expr, EvalError> {
        if self.peek() == Some(&Token::Minus) {
            self.at += 1;
            return Ok(Expr::Negate(Box::new(self.unary()?)));
        }
        self.postfix()
    }

    fn postfix(&mut self) -> Result<Expr, EvalError> {
        let mut expr = self.primary()?;
        loop {
            match self.peek() {
                Some(Token::Dot) => {
                    self.at += 1;
                    match self.next() {
                        Some(Token::Name(name)) => expr = Expr::Attr(Box::new(expr), name),
                        other => return Err(unexpected(other.as_ref())),
                    }
                }
                Some(Token::Open) => {
                    self.at += 1;
                    expr = Expr::Call(Box::new(expr), self.arguments()?);
                }
                Some(Token::OpenSquare) => {
                    self.at += 1;
                    let index = self.sum()?;
                    self.expect(Token::CloseSquare)?;
                    expr = Expr::Index(Box::new(expr), Box::new(index));
                }
                _ => return Ok(expr),
            }
        }
    }

    /// Call arguments after `(`, up to and including `)`.
    fn arguments(&mut self) -> Result<Vec<Expr>, EvalError> {
        let mut arguments = Vec::new();
        loop {
            if self.peek() == Some(&Token::Close) {
                self.at += 1;
                return Ok(arguments);
            }
            arguments.push(self.sum()?);
            match self.next() {
                Some(Token::Comma) => {}
                Some(Token::Close) => return Ok(arguments),
                other => return Err(unexpected(other.as_ref())),
            }
        }
    }

    fn primary(&mut self) -> Result<Expr, EvalError> {
        match self.next() {
            Some(Token::Name(name)) => Ok(Expr::Name(name)),
            Some(Token::Int(number)) => Ok(Expr::Int(number)),
            Some(Token::Str { text, formatted: false }) => Ok(Expr::Str(text)),
            Some(Token::Str { text, formatted: true }) => formatted(&text),
            Some(Token::Open) => {
                let expr = self.sum()?;
                self.expect(Token::Close)?;
                Ok(expr)
            }
            other => Err(unexpected(other.as_ref())),
        }
    }
}

/// An f-string's text split into its literal text and `{expression}` parts (`{{` and `}}` are
/// braces).
fn formatted(text: &str) -> Result<Expr, EvalError> {
    let mut parts = Vec::new();
    let mut literal = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                literal.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                literal.push('}');
            }
            '{' => {
                let inner: String = chars.by_ref().take_while(|c| *c != '}').collect();
                if inner.contains([':', '!']) {
                    return Err(EvalError::Unsupported(format!("the f-string format {{{inner}}}")));
                }
                if !literal.is_empty() {
                    parts.push(Part::Text(std::mem::take(&mut literal)));
                }
                parts.push(Part::Value(parse(&inner)?));
            }
            '}' => return Err(EvalError::Unsupported("a lone } in an f-string".into())),
            other => literal.push(other),
        }
    }
    if !literal.is_empty() {
        parts.push(Part::Text(literal));
    }
    Ok(Expr::Formatted(parts))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(text: &str) -> Box<Expr> {
        Box::new(Expr::Name(text.into()))
    }

    #[test]
    fn calls_attributes_and_joins() {
        assert_eq!(
            parse("str(settings.a) + 'x'").unwrap(),
            Expr::Binary(
                Op::Add,
                Box::new(Expr::Call(name("str"), vec![Expr::Attr(name("settings"), "a".into())])),
                Box::new(Expr::Str("x".into()))
            )
        );
        assert_eq!(parse("f()").unwrap(), Expr::Call(name("f"), vec![]));
        assert_eq!(
            parse("a / b * -2").unwrap(),
            Expr::Binary(
                Op::Mul,
                Box::new(Expr::Binary(Op::Div, name("a"), name("b"))),
                Box::new(Expr::Negate(Box::new(Expr::Int(2))))
            )
        );
    }

    #[test]
    fn f_strings_become_text_and_values() {
        assert_eq!(
            parse("f'{C.a}-{{b}}'").unwrap(),
            Expr::Formatted(vec![Part::Value(Expr::Attr(name("C"), "a".into())), Part::Text("-{b}".into())])
        );
    }

    #[test]
    fn broken_expressions_are_refused() {
        for bad in ["str(", "a b", "Path(a,,b)", "a.", "f'{x:04}'", "x[1", "f'}'", ""] {
            assert!(matches!(parse(bad), Err(EvalError::Unsupported(_))), "{bad}");
        }
    }
}
