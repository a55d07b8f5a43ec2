//! Jinja2 expressions, read into the tree's values.
//!
//! - A name followed by `.attr`, `["key"]`, `[0]` and calls `(...)` is a [`Lookup`]
//!   that says which parts are called; a slice with literal bounds (`posts[:5]`) keeps
//!   the lookup (the same rows, fewer of them).
//! - Filters `|name` and `|name(args)` are the value's filters, as in Django.
//! - Everything else is a [`Value::Compound`] of its operands, each with what the
//!   expression does with it: `~` prints, arithmetic, comparisons, `not` and tests
//!   (`is none`) read, `and`/`or` and the branches of `x if c else y` may be the value,
//!   list, tuple and dict items and a lookup on anything but a name escape.
//! - Precedence is Jinja2's: `if else` < `or` < `and` < `not` < comparisons < `+ -`
//!   < `~` < `* / // %` < `**` < unary `- +` < filters and tests < `.` `[]` `()`.
//! - What cannot be read is an error; the expression keeps what came before it.

use super::tokens::{Kind, Tok, lex, unquote};
use crate::syntax::template::tree::*;
use crate::text::TextRange;

/// Nesting deeper than this (parentheses, lists) is not read: an error.
const MAX_NESTING: usize = 64;

/// Reads expressions from a tag's or a variable's tokens.
pub(super) struct ExprParser<'s, 'e> {
    pub(super) source: &'s str,
    pub(super) toks: Vec<Tok>,
    pub(super) at: usize,
    /// Where the tokens end: the range of what is missing at the end.
    pub(super) end: usize,
    pub(super) errors: &'e mut Vec<TemplateError>,
    depth: usize,
}

impl<'s, 'e> ExprParser<'s, 'e> {
    pub(super) fn new(
        source: &'s str,
        range: TextRange,
        errors: &'e mut Vec<TemplateError>,
    ) -> Self {
        let toks = lex(source, range, errors);
        ExprParser {
            source,
            toks,
            at: 0,
            end: range.end,
            errors,
            depth: 0,
        }
    }

    pub(super) fn text(&self, tok: Tok) -> &'s str {
        &self.source[tok.range.start..tok.range.end]
    }

    pub(super) fn peek(&self) -> Option<Tok> {
        self.toks.get(self.at).copied()
    }

    pub(super) fn at_end(&self) -> bool {
        self.at >= self.toks.len()
    }

    /// The next token is the word or operator `text`.
    pub(super) fn is(&self, text: &str) -> bool {
        self.peek()
            .is_some_and(|t| t.kind != Kind::Str && self.text(t) == text)
    }

    pub(super) fn eat(&mut self, text: &str) -> Option<Tok> {
        let tok = self.peek().filter(|_| self.is(text))?;
        self.at += 1;
        Some(tok)
    }

    pub(super) fn name(&mut self) -> Option<Name> {
        let tok = self.peek().filter(|t| t.kind == Kind::Name)?;
        self.at += 1;
        Some(Name {
            range: tok.range,
            name: self.text(tok).to_string(),
        })
    }

    /// Where the next token starts (the end when there is none).
    pub(super) fn here(&self) -> usize {
        self.peek().map_or(self.end, |t| t.range.start)
    }

    pub(super) fn error(&mut self, message: impl Into<String>) {
        let range = match self.peek() {
            Some(tok) => TextRange::new(tok.range.start, self.end.max(tok.range.end)),
            None => TextRange::empty(self.end),
        };
        self.errors.push(TemplateError {
            range,
            message: message.into(),
        });
    }

    /// An error when tokens are left.
    pub(super) fn finish(&mut self) {
        if let Some(tok) = self.peek() {
            let rest = TextRange::new(tok.range.start, self.end);
            let message = format!("could not read '{}'", &self.source[rest.start..rest.end]);
            self.errors.push(TemplateError {
                range: rest,
                message,
            });
            self.at = self.toks.len();
        }
    }

    pub(super) fn since(&self, start: usize) -> TextRange {
        let end = self
            .at
            .checked_sub(1)
            .and_then(|i| self.toks.get(i))
            .map_or(start, |t| t.range.end);
        TextRange::new(start, end.max(start))
    }

    /// One expression, with `x if c else y` when `conditional`.
    pub(super) fn expression(&mut self, conditional: bool) -> FilterExpr {
        let start = self.here();
        if self.depth > MAX_NESTING {
            self.error("expression nested too deep");
            self.at = self.toks.len();
            return literal(TextRange::empty(start));
        }
        self.depth += 1;
        let value = self.or();
        let expr = if conditional && self.is("if") {
            self.at += 1;
            let test = self.or();
            let mut operands = vec![operand(Role::Value, value), operand(Role::Read, test)];
            if self.eat("else").is_some() {
                operands.push(operand(Role::Value, self.expression(true)));
            }
            compound(self.since(start), operands)
        } else {
            value
        };
        self.depth -= 1;
        expr
    }

    /// Comma-separated expressions up to the end (a tuple, as in `{% set a = b, c %}`).
    pub(super) fn tuple(&mut self, conditional: bool) -> FilterExpr {
        let start = self.here();
        let first = self.expression(conditional);
        if !self.is(",") {
            return first;
        }
        let mut items = vec![operand(Role::Escapes, first)];
        while self.eat(",").is_some() {
            if self.at_end() || self.is(")") {
                break;
            }
            items.push(operand(Role::Escapes, self.expression(conditional)));
        }
        compound(self.since(start), items)
    }

    fn binary(
        &mut self,
        operators: &[&str],
        role: Role,
        next: fn(&mut Self) -> FilterExpr,
    ) -> FilterExpr {
        let start = self.here();
        let first = next(self);
        let mut operands = vec![first];
        while let Some(tok) = self.peek() {
            let text = self.text(tok);
            // `not in` compares as `in` does.
            let not_in = text == "not"
                && self
                    .toks
                    .get(self.at + 1)
                    .is_some_and(|t| self.text(*t) == "in")
                && operators.contains(&"in");
            if tok.kind == Kind::Str || !(operators.contains(&text) || not_in) {
                break;
            }
            self.at += 1 + usize::from(not_in);
            operands.push(next(self));
        }
        if operands.len() == 1 {
            return operands
                .pop()
                .unwrap_or_else(|| literal(TextRange::empty(start)));
        }
        let operands = operands.into_iter().map(|e| operand(role, e)).collect();
        compound(self.since(start), operands)
    }

    fn or(&mut self) -> FilterExpr {
        self.binary(&["or"], Role::Value, Self::and)
    }

    fn and(&mut self) -> FilterExpr {
        self.binary(&["and"], Role::Value, Self::not)
    }

    fn not(&mut self) -> FilterExpr {
        let start = self.here();
        if self.eat("not").is_some() {
            let inner = self.not();
            return compound(self.since(start), vec![operand(Role::Read, inner)]);
        }
        self.compare()
    }

    fn compare(&mut self) -> FilterExpr {
        self.binary(
            &["==", "!=", "<", ">", "<=", ">=", "in"],
            Role::Read,
            Self::math1,
        )
    }

    fn math1(&mut self) -> FilterExpr {
        self.binary(&["+", "-"], Role::Read, Self::concat)
    }

    fn concat(&mut self) -> FilterExpr {
        self.binary(&["~"], Role::Text, Self::math2)
    }

    fn math2(&mut self) -> FilterExpr {
        self.binary(&["*", "/", "//", "%"], Role::Read, Self::pow)
    }

    fn pow(&mut self) -> FilterExpr {
        self.binary(&["**"], Role::Read, Self::unary)
    }

    fn unary(&mut self) -> FilterExpr {
        let start = self.here();
        if self.eat("-").is_some() || self.eat("+").is_some() {
            let inner = self.unary();
            return compound(self.since(start), vec![operand(Role::Read, inner)]);
        }
        let primary = self.primary();
        let value = self.postfix(primary, start);
        self.filters_and_tests(value, start)
    }

    pub(super) fn primary(&mut self) -> FilterExpr {
        let Some(tok) = self.peek() else {
            self.error("expected an expression");
            return literal(TextRange::empty(self.end));
        };
        let text = self.text(tok);
        match tok.kind {
            Kind::Name => {
                self.at += 1;
                if matches!(text, "true" | "false" | "none" | "True" | "False" | "None") {
                    return literal(tok.range);
                }
                lookup_expr(Lookup {
                    range: tok.range,
                    parts: vec![text.to_string()],
                    calls: Vec::new(),
                })
            }
            Kind::Number => {
                self.at += 1;
                literal(tok.range)
            }
            Kind::Str => {
                self.at += 1;
                let mut value = unquote(text);
                let mut range = tok.range;
                // Adjacent strings are one.
                while let Some(next) = self.peek().filter(|t| t.kind == Kind::Str) {
                    self.at += 1;
                    value.push_str(&unquote(self.text(next)));
                    range = TextRange::new(range.start, next.range.end);
                }
                FilterExpr {
                    range,
                    value: Value::String { range, value },
                    filters: Vec::new(),
                }
            }
            Kind::Op => match text {
                "(" => {
                    self.at += 1;
                    if self.eat(")").is_some() {
                        return compound(tok.range, Vec::new());
                    }
                    let inner = self.tuple(true);
                    if self.eat(")").is_none() {
                        self.error("expected ')'");
                    }
                    inner
                }
                "[" | "{" => {
                    self.at += 1;
                    let close = if text == "[" { "]" } else { "}" };
                    let mut items = Vec::new();
                    while !self.at_end() && !self.is(close) {
                        let before = self.at;
                        items.push(operand(Role::Escapes, self.expression(true)));
                        if close == "}" && self.eat(":").is_some() {
                            items.push(operand(Role::Escapes, self.expression(true)));
                        }
                        if self.eat(",").is_none() || self.at == before {
                            break;
                        }
                    }
                    if self.eat(close).is_none() {
                        self.error(format!("expected '{close}'"));
                    }
                    compound(self.since(tok.range.start), items)
                }
                _ => {
                    self.error(format!("unexpected '{text}'"));
                    self.at += 1;
                    literal(TextRange::empty(tok.range.start))
                }
            },
        }
    }
}

/// `lookup` as an expression without filters.
pub(super) fn lookup_expr(lookup: Lookup) -> FilterExpr {
    FilterExpr {
        range: lookup.range,
        value: Value::Lookup(lookup),
        filters: Vec::new(),
    }
}

pub(super) fn literal(range: TextRange) -> FilterExpr {
    FilterExpr {
        range,
        value: Value::Literal(range),
        filters: Vec::new(),
    }
}

pub(super) fn compound(range: TextRange, operands: Vec<Operand>) -> FilterExpr {
    FilterExpr {
        range,
        value: Value::Compound(operands),
        filters: Vec::new(),
    }
}

pub(super) fn operand(role: Role, expr: FilterExpr) -> Operand {
    Operand { role, expr }
}
