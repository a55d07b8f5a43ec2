//! Tag arguments and filter expressions.
//!
//! - A tag's arguments are split at whitespace outside quotes (`"a b"|default:'c d'` is
//!   one argument).
//! - A filter expression is a value (a lookup `a.b.c`, a quoted string, `_("...")`, a
//!   number, `True`/`False`/`None`) followed by `|name` or `|name:arg` filters, with
//!   optional spaces around `|`; an argument is a value too.
//! - What cannot be read is an error and the expression keeps what came before it.

use super::tree::{ConditionPart, FilterExpr, Lookup, TemplateError, Value};
use crate::text::TextRange;

/// One whitespace-separated argument of a tag and where it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bit<'s> {
    pub range: TextRange,
    pub text: &'s str,
}

/// The arguments of `source[content]`, quotes kept whole.
pub fn split_bits(source: &str, content: TextRange) -> Vec<Bit<'_>> {
    let text = &source[content.start..content.end];
    let bytes = text.as_bytes();
    let mut bits = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() {
            if bytes[i] == b'"' || bytes[i] == b'\'' {
                i = string_end(bytes, i);
            } else {
                i += 1;
            }
        }
        let range = TextRange::new(content.start + start, content.start + i);
        bits.push(Bit {
            range,
            text: &text[start..i],
        });
    }
    bits
}

/// Past the string opening at `open` (its closing quote, else the end).
fn string_end(bytes: &[u8], open: usize) -> usize {
    let quote = bytes[open];
    let mut i = open + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b if b == quote => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// Reads one filter expression at `range`; what it cannot read goes to `errors`.
pub fn filter_expr(source: &str, range: TextRange, errors: &mut Vec<TemplateError>) -> FilterExpr {
    let mut scanner = Scanner {
        source,
        at: range.start,
        end: range.end,
    };
    let value = scanner
        .value()
        .unwrap_or(Value::Literal(TextRange::empty(range.start)));
    if let Value::Lookup(lookup) = &value {
        check_lookup(lookup, errors);
    }
    let mut filters = Vec::new();
    loop {
        scanner.spaces();
        if scanner.at >= scanner.end {
            break;
        }
        if !scanner.eat(b'|') {
            break;
        }
        scanner.spaces();
        let name_start = scanner.at;
        scanner.word(|b| b.is_ascii_alphanumeric() || b == b'_');
        if scanner.at == name_start {
            break;
        }
        let name = source[name_start..scanner.at].to_string();
        let arg = if scanner.eat(b':') {
            let arg = scanner.value();
            if let Some(Value::Lookup(lookup)) = &arg {
                check_lookup(lookup, errors);
            }
            arg
        } else {
            None
        };
        filters.push(super::tree::Filter {
            range: TextRange::new(name_start, scanner.at),
            name,
            arg,
            args: Vec::new(),
        });
    }
    if scanner.at < scanner.end || range.is_empty() {
        let rest = TextRange::new(scanner.at, scanner.end);
        errors.push(TemplateError {
            range: if range.is_empty() { range } else { rest },
            message: if range.is_empty() {
                "empty expression".to_string()
            } else {
                format!("could not read '{}'", &source[rest.start..rest.end])
            },
        });
    }
    FilterExpr {
        range,
        value,
        filters,
    }
}

/// Django refuses names that start with an underscore.
fn check_lookup(lookup: &Lookup, errors: &mut Vec<TemplateError>) {
    if lookup
        .parts
        .iter()
        .any(|p| p.starts_with('_') || p.is_empty())
    {
        errors.push(TemplateError {
            range: lookup.range,
            message: "variables and attributes may not be empty or begin with underscores"
                .to_string(),
        });
    }
}

struct Scanner<'s> {
    source: &'s str,
    at: usize,
    end: usize,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        (self.at < self.end).then(|| self.source.as_bytes()[self.at])
    }

    fn eat(&mut self, byte: u8) -> bool {
        let found = self.peek() == Some(byte);
        if found {
            self.at += 1;
        }
        found
    }

    fn spaces(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_whitespace()) {
            self.at += 1;
        }
    }

    fn word(&mut self, accept: impl Fn(u8) -> bool) {
        while self.peek().is_some_and(&accept) {
            self.at += 1;
        }
    }

    /// A literal or a lookup at the cursor.
    fn value(&mut self) -> Option<Value> {
        let start = self.at;
        let bytes = &self.source.as_bytes()[..self.end];
        match self.peek()? {
            quote @ (b'"' | b'\'') => {
                self.at = string_end(bytes, start);
                let inner = &self.source[start + 1..self.at];
                return Some(Value::String {
                    range: TextRange::new(start, self.at),
                    value: inner
                        .strip_suffix(quote as char)
                        .unwrap_or(inner)
                        .to_string(),
                });
            }
            b'_' if bytes.get(start + 1) == Some(&b'(') => {
                self.at = start + 2;
                if matches!(self.peek(), Some(b'"' | b'\'')) {
                    self.at = string_end(bytes, self.at);
                }
                self.eat(b')');
                return Some(Value::Literal(TextRange::new(start, self.at)));
            }
            _ => {}
        }
        self.word(|b| {
            b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b == b'-' || b >= 0x80
        });
        let text = &self.source[start..self.at];
        if text.is_empty() {
            return None;
        }
        let range = TextRange::new(start, self.at);
        let numeric = text
            .trim_start_matches(['-', '+'])
            .starts_with(|c: char| c.is_ascii_digit());
        if numeric || matches!(text, "True" | "False" | "None") {
            return Some(Value::Literal(range));
        }
        Some(Value::Lookup(Lookup {
            range,
            parts: text.split('.').map(str::to_string).collect(),
            calls: Vec::new(),
        }))
    }
}

const OPERATORS: [&str; 12] = [
    "and", "or", "not", "in", "is", "==", "!=", "<", ">", "<=", ">=", "=",
];

/// An `{% if %}` condition: its bits, operators apart.
pub fn condition(
    source: &str,
    bits: &[Bit<'_>],
    errors: &mut Vec<TemplateError>,
) -> Vec<ConditionPart> {
    if bits.is_empty() {
        return Vec::new();
    }
    bits.iter()
        .map(|bit| {
            if OPERATORS.contains(&bit.text) {
                ConditionPart::Operator {
                    range: bit.range,
                    operator: bit.text.to_string(),
                }
            } else {
                ConditionPart::Operand(filter_expr(source, bit.range, errors))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::template::tree::Filter;

    fn expr(source: &str) -> (FilterExpr, Vec<TemplateError>) {
        let mut errors = Vec::new();
        let e = filter_expr(source, TextRange::new(0, source.len()), &mut errors);
        (e, errors)
    }

    fn lookup(range: TextRange, parts: &[&str]) -> Value {
        Value::Lookup(Lookup {
            range,
            parts: parts.iter().map(|p| p.to_string()).collect(),
            calls: Vec::new(),
        })
    }

    #[test]
    fn bits_keep_quotes_whole() {
        let source = r#"url "a b" x|default:'c d'  y=z"#;
        let bits = split_bits(source, TextRange::new(0, source.len()));
        let texts: Vec<&str> = bits.iter().map(|b| b.text).collect();
        assert_eq!(texts, ["url", "\"a b\"", "x|default:'c d'", "y=z"]);
        assert_eq!(bits[3].range, TextRange::new(27, 30));
    }

    #[test]
    fn reads_a_lookup_with_filters() {
        let (e, errors) = expr(r#"x.a.b|default:"-" | date:fmt.y|upper"#);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(e.value, lookup(TextRange::new(0, 5), &["x", "a", "b"]));
        assert_eq!(
            e.filters,
            [
                Filter {
                    range: TextRange::new(6, 17),
                    name: "default".into(),
                    arg: Some(Value::String {
                        range: TextRange::new(14, 17),
                        value: "-".into(),
                    }),
                    args: Vec::new(),
                },
                Filter {
                    range: TextRange::new(20, 30),
                    name: "date".into(),
                    arg: Some(lookup(TextRange::new(25, 30), &["fmt", "y"])),
                    args: Vec::new(),
                },
                Filter {
                    range: TextRange::new(31, 36),
                    name: "upper".into(),
                    arg: None,
                    args: Vec::new(),
                },
            ]
        );
    }

    #[test]
    fn literals_are_not_lookups() {
        let (e, _) = expr("'b c'");
        assert_eq!(
            e.value,
            Value::String {
                range: TextRange::new(0, 5),
                value: "b c".into()
            }
        );
        for text in ["_(\"hi\")", "12", "-1.5", "True", "None"] {
            let (e, errors) = expr(text);
            assert_eq!(
                e.value,
                Value::Literal(TextRange::new(0, text.len())),
                "{text}"
            );
            assert!(errors.is_empty(), "{text}: {errors:?}");
        }
    }

    #[test]
    fn what_cannot_be_read_is_an_error() {
        let (e, errors) = expr("x.y)|upper");
        assert_eq!(e.value, lookup(TextRange::new(0, 3), &["x", "y"]));
        assert!(e.filters.is_empty());
        assert_eq!(errors[0].range, TextRange::new(3, 10));
        let (_, errors) = expr("x._private");
        assert_eq!(errors.len(), 1);
        let (_, errors) = expr("");
        assert_eq!(errors[0].message, "empty expression");
        let (_, errors) = expr("\"unclosed");
        assert!(errors.is_empty());
    }
}
