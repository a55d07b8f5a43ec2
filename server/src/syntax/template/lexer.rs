//! Splits a template into text, `{{ }}`, `{% %}` and `{# #}` tokens the way Django's
//! lexer does.
//!
//! - A token opens and closes on one line: a `{{` whose `}}` is on a later line (or
//!   missing) is text, as Django renders it.
//! - The first closing delimiter ends a token (`{{ a }} }}` ends at the first `}}`).
//! - Between `{% verbatim %}` and its `{% endverbatim %}` (`{% verbatim name %}` ends
//!   at `{% endverbatim name %}`) every token is text.

use crate::text::TextRange;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    Text,
    /// `{{ ... }}`.
    Variable,
    /// `{% ... %}`.
    Tag,
    /// `{# ... #}`.
    Comment,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    /// The whole token, delimiters included.
    pub range: TextRange,
    /// Between the delimiters, without surrounding whitespace (the whole text for text).
    pub content: TextRange,
}

impl Token {
    pub fn content<'s>(&self, source: &'s str) -> &'s str {
        &source[self.content.start..self.content.end]
    }
}

/// Every token of `source`, in order, covering it whole.
pub fn tokenize(source: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut text_start = 0;
    let mut at = 0;
    // The end tag that closes the `{% verbatim %}` we are in.
    let mut verbatim: Option<String> = None;
    let bytes = source.as_bytes();
    while let Some(offset) = source[at..].find('{') {
        let open = at + offset;
        let Some(kind) = bytes.get(open + 1).and_then(|b| match b {
            b'{' => Some(TokenKind::Variable),
            b'%' => Some(TokenKind::Tag),
            b'#' => Some(TokenKind::Comment),
            _ => None,
        }) else {
            at = open + 1;
            continue;
        };
        let close = match kind {
            TokenKind::Variable => "}}",
            TokenKind::Tag => "%}",
            _ => "#}",
        };
        let line_end = source[open..].find('\n').map_or(source.len(), |n| open + n);
        let Some(end) = source[open + 2..line_end]
            .find(close)
            .map(|n| open + 2 + n + 2)
        else {
            at = open + 1;
            continue;
        };
        let content = trimmed(source, open + 2, end - 2);
        let inner = &source[content.start..content.end];
        let kind = match &verbatim {
            Some(end_tag) if kind == TokenKind::Tag && inner == end_tag => {
                verbatim = None;
                kind
            }
            Some(_) => TokenKind::Text,
            None => {
                if kind == TokenKind::Tag && (inner == "verbatim" || inner.starts_with("verbatim "))
                {
                    verbatim = Some(format!("end{inner}"));
                }
                kind
            }
        };
        if kind == TokenKind::Text {
            at = end;
            continue;
        }
        if text_start < open {
            tokens.push(text(text_start, open));
        }
        tokens.push(Token {
            kind,
            range: TextRange::new(open, end),
            content,
        });
        text_start = end;
        at = end;
    }
    if text_start < source.len() {
        tokens.push(text(text_start, source.len()));
    }
    tokens
}

fn text(start: usize, end: usize) -> Token {
    Token {
        kind: TokenKind::Text,
        range: TextRange::new(start, end),
        content: TextRange::new(start, end),
    }
}

/// `start..end` of `source` without the whitespace at either end.
pub fn trimmed(source: &str, start: usize, end: usize) -> TextRange {
    let slice = &source[start..end];
    let lead = slice.len() - slice.trim_start().len();
    let trail = slice.len() - slice.trim_end().len();
    if lead == slice.len() {
        return TextRange::empty(start);
    }
    TextRange::new(start + lead, end - trail)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(source: &str) -> Vec<(TokenKind, &str)> {
        tokenize(source)
            .iter()
            .map(|t| (t.kind, &source[t.range.start..t.range.end]))
            .collect()
    }

    #[test]
    fn splits_the_four_kinds() {
        use TokenKind::*;
        assert_eq!(
            kinds("a {{ x }} b {% if y %}{# note #}c"),
            [
                (Text, "a "),
                (Variable, "{{ x }}"),
                (Text, " b "),
                (Tag, "{% if y %}"),
                (Comment, "{# note #}"),
                (Text, "c"),
            ]
        );
        let tokens = tokenize("{{  post.title }}");
        assert_eq!(tokens[0].content, TextRange::new(4, 14));
    }

    #[test]
    fn a_token_ends_on_its_line() {
        use TokenKind::*;
        assert_eq!(
            kinds("{# not\na comment #} {{ x"),
            [(Text, "{# not\na comment #} {{ x")]
        );
        assert_eq!(
            kinds("{{ a\n}} {{ b }}"),
            [(Text, "{{ a\n}} "), (Variable, "{{ b }}")]
        );
    }

    #[test]
    fn verbatim_holds_text_until_its_own_end() {
        use TokenKind::*;
        assert_eq!(
            kinds("{% verbatim %}{{ x }}{% endverbatim %}"),
            [
                (Tag, "{% verbatim %}"),
                (Text, "{{ x }}"),
                (Tag, "{% endverbatim %}"),
            ]
        );
        assert_eq!(
            kinds("{% verbatim b %}{% endverbatim %}{% endverbatim b %}{{ y }}"),
            [
                (Tag, "{% verbatim b %}"),
                (Text, "{% endverbatim %}"),
                (Tag, "{% endverbatim b %}"),
                (Variable, "{{ y }}"),
            ]
        );
    }

    #[test]
    fn empty_and_odd_input() {
        assert!(tokenize("").is_empty());
        assert_eq!(kinds("{"), [(TokenKind::Text, "{")]);
        assert_eq!(kinds("{{}}"), [(TokenKind::Variable, "{{}}")]);
        assert_eq!(tokenize("{{}}")[0].content, TextRange::empty(2));
        assert_eq!(
            kinds("é{%x%}"),
            [(TokenKind::Text, "é"), (TokenKind::Tag, "{%x%}")]
        );
    }
}
