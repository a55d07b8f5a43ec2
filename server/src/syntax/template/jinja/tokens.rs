//! The tokens of a Jinja2 expression: names, strings, numbers and operators.

use crate::syntax::template::tree::TemplateError;
use crate::text::TextRange;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Name,
    Str,
    Number,
    Op,
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Tok {
    pub(super) kind: Kind,
    pub(super) range: TextRange,
}

const OPERATORS: [&str; 25] = [
    "//", "**", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%", "~", "<", ">", "=", "(", ")", "[",
    "]", "{", "}", ".", ",", ":", "|",
];

/// The tokens of `source[range]`; a character no token starts with is an error.
pub(super) fn lex(source: &str, range: TextRange, errors: &mut Vec<TemplateError>) -> Vec<Tok> {
    let bytes = source.as_bytes();
    let mut toks = Vec::new();
    let mut i = range.start;
    while i < range.end {
        let b = bytes[i];
        let start = i;
        let kind = if b.is_ascii_whitespace() {
            i += 1;
            continue;
        } else if b.is_ascii_alphabetic() || b == b'_' || b >= 0x80 {
            while i < range.end
                && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' || bytes[i] >= 0x80)
            {
                i += 1;
            }
            Kind::Name
        } else if b.is_ascii_digit() {
            while i < range.end && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            // `1.5`, but not `x.0.y`'s `0.y`.
            if i + 1 < range.end && bytes[i] == b'.' && bytes[i + 1].is_ascii_digit() {
                i += 1;
                while i < range.end && bytes[i].is_ascii_alphanumeric() {
                    i += 1;
                }
            }
            Kind::Number
        } else if b == b'"' || b == b'\'' {
            i += 1;
            while i < range.end && bytes[i] != b {
                i += if bytes[i] == b'\\' { 2 } else { 1 };
            }
            i = (i + 1).min(range.end);
            Kind::Str
        } else if let Some(op) = OPERATORS
            .iter()
            .find(|op| source[i..range.end].starts_with(**op))
        {
            i += op.len();
            Kind::Op
        } else {
            i += source[i..].chars().next().map_or(1, char::len_utf8);
            errors.push(TemplateError {
                range: TextRange::new(start, i),
                message: format!("unexpected '{}'", &source[start..i]),
            });
            continue;
        };
        toks.push(Tok {
            kind,
            range: TextRange::new(start, i),
        });
    }
    toks
}

pub(super) fn unquote(text: &str) -> String {
    let inner = text.get(1..).unwrap_or("");
    let quote = text.chars().next().unwrap_or('"');
    let inner = inner.strip_suffix(quote).unwrap_or(inner);
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(next) = chars.next() {
                out.push(next);
            }
        } else {
            out.push(c);
        }
    }
    out
}
