//! Jinja2 templates: their own lexer, expressions and tags, read into the same tree as
//! Django's by the same block parser (`parser::parse_tokens`).
//!
//! Line statements (`# for`), which a Jinja2 environment must switch on, are text.

mod expr;
mod lexer;
mod postfix;
mod tags;
mod tokens;

pub use lexer::tokenize;

use super::parser::{Parser, parse_tokens};
use super::tree::{Dialect, FilterExpr, Template};
use crate::text::TextRange;
use expr::{ExprParser, literal};

pub fn parse(source: &str) -> Template {
    parse_tokens(source, &tokenize(source), Dialect::Jinja2)
}

impl<'s> Parser<'s, '_> {
    /// The expression of `{{ ... }}` at `range`.
    pub(in crate::syntax::template) fn jinja_expr(&mut self, range: TextRange) -> FilterExpr {
        if range.is_empty() {
            self.error(range, "empty expression");
            return literal(range);
        }
        let mut parser = ExprParser::new(self.source, range, &mut self.errors);
        let expr = parser.tuple(true);
        parser.finish();
        expr
    }
}

#[cfg(test)]
mod tests;
