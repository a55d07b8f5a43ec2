//! What follows a Jinja2 value: `.attr`, `[key]`, `(args)`, then `|filter(args)` and
//! `is test(args)`.

use super::expr::{ExprParser, compound, lookup_expr, operand};
use super::tokens::{Kind, unquote};
use crate::syntax::template::tree::*;
use crate::text::TextRange;

impl ExprParser<'_, '_> {
    /// `.attr`, `[key]` and `(args)` after `value`.
    pub(super) fn postfix(&mut self, mut value: FilterExpr, start: usize) -> FilterExpr {
        loop {
            if self.eat(".").is_some() {
                match self
                    .peek()
                    .filter(|t| matches!(t.kind, Kind::Name | Kind::Number))
                {
                    Some(tok) => {
                        self.at += 1;
                        let part = self.text(tok).to_string();
                        value = self.step(value, part, start);
                    }
                    None => {
                        self.error("expected an attribute");
                        return value;
                    }
                }
            } else if self.is("[") {
                self.at += 1;
                value = self.subscript(value, start);
            } else if let Some(open) = self.eat("(") {
                let args = self.arguments(")");
                let range = TextRange::new(open.range.start, self.since(start).end);
                value = match value.value {
                    Value::Lookup(mut lookup)
                        if value.filters.is_empty()
                            && lookup.call_of(lookup.parts.len() - 1).is_none() =>
                    {
                        lookup.calls.push(Call {
                            part: lookup.parts.len() - 1,
                            range,
                            args,
                        });
                        lookup.range = self.since(start);
                        lookup_expr(lookup)
                    }
                    // Something we do not follow is called: it and its arguments escape.
                    other => {
                        let callee = FilterExpr {
                            value: other,
                            ..value
                        };
                        let mut operands = vec![operand(Role::Escapes, callee)];
                        operands.extend(args.into_iter().map(|a| operand(Role::Escapes, a.value)));
                        compound(self.since(start), operands)
                    }
                };
            } else {
                return value;
            }
        }
    }

    /// `value.part` or `value["part"]`.
    fn step(&mut self, value: FilterExpr, part: String, start: usize) -> FilterExpr {
        match value.value {
            Value::Lookup(mut lookup) if value.filters.is_empty() => {
                lookup.parts.push(part);
                lookup.range = self.since(start);
                lookup_expr(lookup)
            }
            other => {
                let base = FilterExpr {
                    value: other,
                    ..value
                };
                compound(self.since(start), vec![operand(Role::Escapes, base)])
            }
        }
    }

    /// After `[`: a key, an index or a slice, up to `]`.
    fn subscript(&mut self, value: FilterExpr, start: usize) -> FilterExpr {
        let key = self.peek().filter(|t| {
            matches!(t.kind, Kind::Str | Kind::Number)
                && self
                    .toks
                    .get(self.at + 1)
                    .is_some_and(|n| self.text(*n) == "]")
        });
        if let Some(tok) = key {
            self.at += 2;
            let part = match tok.kind {
                Kind::Str => unquote(self.text(tok)),
                _ => self.text(tok).to_string(),
            };
            return self.step(value, part, start);
        }
        // A slice of literal bounds keeps the value's rows.
        let slice_start = self.at;
        let mut literal_slice = true;
        let mut colons = 0;
        while let Some(tok) = self.peek() {
            match self.text(tok) {
                "]" => break,
                ":" => colons += 1,
                "-" => {}
                _ if tok.kind == Kind::Number => {}
                _ => literal_slice = false,
            }
            self.at += 1;
        }
        if literal_slice && colons > 0 && self.eat("]").is_some() {
            return value;
        }
        self.at = slice_start;
        let mut operands = vec![operand(Role::Escapes, value)];
        while !self.at_end() && !self.is("]") {
            let before = self.at;
            if self.eat(":").is_none() {
                operands.push(operand(Role::Read, self.expression(true)));
            }
            if self.at == before {
                break;
            }
        }
        if self.eat("]").is_none() {
            self.error("expected ']'");
        }
        compound(self.since(start), operands)
    }

    /// Arguments up to `close`: positional, `name=value`, `*args`, `**kwargs`.
    pub(super) fn arguments(&mut self, close: &str) -> Vec<Argument> {
        let mut args = Vec::new();
        while !self.at_end() && !self.is(close) {
            let before = self.at;
            while self.eat("*").is_some() || self.eat("**").is_some() {}
            let keyword = self.peek().filter(|t| {
                t.kind == Kind::Name
                    && self
                        .toks
                        .get(self.at + 1)
                        .is_some_and(|n| self.text(*n) == "=")
            });
            let name = keyword.and_then(|_| {
                let name = self.name();
                self.at += 1;
                name
            });
            let value = self.expression(true);
            args.push(Argument { name, value });
            if self.eat(",").is_none() || self.at == before {
                break;
            }
        }
        if self.eat(close).is_none() {
            self.error(format!("expected '{close}'"));
        }
        args
    }

    /// `|filter(args)` and `is [not] test(args)` after `value`.
    pub(super) fn filters_and_tests(&mut self, mut value: FilterExpr, start: usize) -> FilterExpr {
        loop {
            if self.eat("|").is_some() {
                let Some(first) = self.name() else {
                    self.error("expected a filter name");
                    return value;
                };
                let mut name = first.name;
                while self.is(".")
                    && self
                        .toks
                        .get(self.at + 1)
                        .is_some_and(|t| t.kind == Kind::Name)
                {
                    self.at += 1;
                    name.push('.');
                    name.push_str(&self.name().map(|n| n.name).unwrap_or_default());
                }
                let args = match self.eat("(") {
                    Some(_) => self.arguments(")"),
                    None => Vec::new(),
                };
                value.filters.push(Filter {
                    range: TextRange::new(first.range.start, self.since(start).end),
                    name,
                    arg: None,
                    args,
                });
                value.range = self.since(start);
            } else if self.eat("is").is_some() {
                self.eat("not");
                let Some(test) = self.name() else {
                    self.error("expected a test name");
                    return value;
                };
                let mut args = match self.eat("(") {
                    Some(_) => self.arguments(")"),
                    None => Vec::new(),
                };
                // `is divisibleby 3`: one argument without parentheses.
                let bare = self.peek().is_some_and(|t| {
                    t.kind != Kind::Op
                        && !matches!(
                            self.text(t),
                            "else" | "or" | "and" | "if" | "in" | "is" | "not"
                        )
                });
                if args.is_empty() && bare {
                    let arg = self.primary();
                    let arg = self.postfix(arg, start);
                    args.push(Argument {
                        name: None,
                        value: arg,
                    });
                }
                let role = if is_builtin_test(&test.name) {
                    Role::Read
                } else {
                    Role::Escapes
                };
                let mut operands = vec![operand(role, value)];
                operands.extend(args.into_iter().map(|a| operand(role, a.value)));
                value = compound(self.since(start), operands);
            } else {
                return value;
            }
        }
    }
}

/// Jinja2's own tests.
fn is_builtin_test(name: &str) -> bool {
    const TESTS: [&str; 33] = [
        "boolean",
        "callable",
        "defined",
        "divisibleby",
        "eq",
        "equalto",
        "escaped",
        "even",
        "false",
        "filter",
        "float",
        "ge",
        "gt",
        "greaterthan",
        "in",
        "integer",
        "iterable",
        "le",
        "lessthan",
        "lower",
        "lt",
        "mapping",
        "ne",
        "none",
        "number",
        "odd",
        "sameas",
        "sequence",
        "string",
        "test",
        "true",
        "undefined",
        "upper",
    ];
    TESTS.contains(&name)
}
