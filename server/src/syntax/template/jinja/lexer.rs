//! Splits a Jinja2 template into the same tokens as Django's lexer, the way Jinja2's
//! lexer finds them (default delimiters):
//!
//! - A token may run over several lines; inside `{{ }}` and `{% %}` a quoted string
//!   does not end the token (`{{ "}}" }}` is one).
//! - `-` or `+` just inside a delimiter (`{%- if x -%}`) controls whitespace: it is no
//!   part of the content.
//! - Between `{% raw %}` and `{% endraw %}` everything is text.
//! - A delimiter that is never closed starts text to the end (Jinja2 refuses the
//!   template; we keep what came before).

use crate::syntax::template::lexer::{Token, TokenKind, trimmed};
use crate::text::TextRange;

pub fn tokenize(source: &str) -> Vec<Token> {
    let bytes = source.as_bytes();
    let mut tokens = Vec::new();
    let mut text_start = 0;
    let mut at = 0;
    while let Some(offset) = source[at..].find('{') {
        let open = at + offset;
        let kind = match bytes.get(open + 1) {
            Some(b'{') => TokenKind::Variable,
            Some(b'%') => TokenKind::Tag,
            Some(b'#') => TokenKind::Comment,
            _ => {
                at = open + 1;
                continue;
            }
        };
        let Some(end) = token_end(source, open, kind) else {
            break;
        };
        if text_start < open {
            tokens.push(text(text_start, open));
        }
        let token = Token {
            kind,
            range: TextRange::new(open, end),
            content: content(source, open, end),
        };
        tokens.push(token);
        text_start = end;
        at = end;
        if kind == TokenKind::Tag && token.content(source) == "raw" {
            let Some((end_open, end_close)) = endraw(source, end) else {
                break;
            };
            if end < end_open {
                tokens.push(text(end, end_open));
            }
            tokens.push(Token {
                kind: TokenKind::Tag,
                range: TextRange::new(end_open, end_close),
                content: content(source, end_open, end_close),
            });
            text_start = end_close;
            at = end_close;
        }
    }
    if text_start < source.len() {
        tokens.push(text(text_start, source.len()));
    }
    tokens
}

/// Past the closing delimiter of the token opening at `open`.
fn token_end(source: &str, open: usize, kind: TokenKind) -> Option<usize> {
    let bytes = source.as_bytes();
    let close: &[u8] = match kind {
        TokenKind::Variable => b"}}",
        TokenKind::Tag => b"%}",
        _ => b"#}",
    };
    let mut i = open + 2;
    while i + 1 < bytes.len() {
        match bytes[i] {
            quote @ (b'"' | b'\'') if kind != TokenKind::Comment => {
                i += 1;
                while i < bytes.len() && bytes[i] != quote {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            _ if &bytes[i..i + 2] == close => return Some(i + 2),
            _ => i += 1,
        }
    }
    None
}

/// The `{% endraw %}` after `from`, whitespace control allowed: its start and end.
/// What comes between is text, so no string in it can hide the end.
fn endraw(source: &str, from: usize) -> Option<(usize, usize)> {
    let mut at = from;
    while let Some(offset) = source[at..].find("{%") {
        let open = at + offset;
        let rest = source[open + 2..]
            .strip_prefix(['-', '+'])
            .unwrap_or(&source[open + 2..]);
        let rest = rest.trim_start();
        if let Some(after) = rest.strip_prefix("endraw") {
            let after = after.trim_start();
            let after = after.strip_prefix(['-', '+']).unwrap_or(after);
            if after.starts_with("%}") {
                let end = source.len() - after.len() + 2;
                return Some((open, end));
            }
        }
        at = open + 2;
    }
    None
}

/// Between the delimiters, without whitespace control marks and surrounding space.
fn content(source: &str, open: usize, end: usize) -> TextRange {
    let bytes = source.as_bytes();
    let mut start = open + 2;
    let mut stop = end - 2;
    if start < stop && matches!(bytes[start], b'-' | b'+') {
        start += 1;
    }
    if start < stop && matches!(bytes[stop - 1], b'-' | b'+') {
        stop -= 1;
    }
    trimmed(source, start, stop)
}

fn text(start: usize, end: usize) -> Token {
    Token {
        kind: TokenKind::Text,
        range: TextRange::new(start, end),
        content: TextRange::new(start, end),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(source: &str) -> Vec<(TokenKind, &str, &str)> {
        tokenize(source)
            .iter()
            .map(|t| {
                (
                    t.kind,
                    &source[t.range.start..t.range.end],
                    t.content(source),
                )
            })
            .collect()
    }

    #[test]
    fn tokens_span_lines_and_strings_hold_delimiters() {
        use TokenKind::*;
        assert_eq!(
            kinds("a{{ x\n }}{#\n#}{% if \"%}\" %}"),
            [
                (Text, "a", "a"),
                (Variable, "{{ x\n }}", "x"),
                (Comment, "{#\n#}", ""),
                (Tag, "{% if \"%}\" %}", "if \"%}\""),
            ]
        );
    }

    #[test]
    fn whitespace_control_is_no_content() {
        use TokenKind::*;
        assert_eq!(
            kinds("{%- for x in y -%}{{- x +}}{{ -1 }}"),
            [
                (Tag, "{%- for x in y -%}", "for x in y"),
                (Variable, "{{- x +}}", "x"),
                (Variable, "{{ -1 }}", "-1"),
            ]
        );
    }

    #[test]
    fn raw_holds_text() {
        use TokenKind::*;
        assert_eq!(
            kinds("{% raw %}{{ x }}{% if %}{%- endraw %}{{ y }}"),
            [
                (Tag, "{% raw %}", "raw"),
                (Text, "{{ x }}{% if %}", "{{ x }}{% if %}"),
                (Tag, "{%- endraw %}", "endraw"),
                (Variable, "{{ y }}", "y"),
            ]
        );
    }

    #[test]
    fn unclosed_delimiters_are_text() {
        use TokenKind::*;
        assert_eq!(
            kinds("{{ a }} {{ \"b }}"),
            [
                (Variable, "{{ a }}", "a"),
                (Text, " {{ \"b }}", " {{ \"b }}")
            ]
        );
        assert_eq!(
            kinds("{% raw %}x"),
            [(Tag, "{% raw %}", "raw"), (Text, "x", "x")]
        );
        assert_eq!(kinds("{"), [(Text, "{", "{")]);
        assert_eq!(kinds("{{}}"), [(Variable, "{{}}", "")]);
        assert_eq!(kinds("é{%-%}"), [(Text, "é", "é"), (Tag, "{%-%}", "")]);
    }
}
