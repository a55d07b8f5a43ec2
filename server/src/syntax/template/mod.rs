//! Django and Jinja2 templates, read without Django: a lexer, a parser into [`Template`] (never
//! fails: a broken template gives a tree plus [`TemplateError`]s) and the byte range of
//! every node, lookup and filter, so a finding can point at the characters of
//! `post.author.name` in `{{ post.author.name }}`.
//!
//! Jinja2 templates ([`jinja::parse`]) give the same tree: their expressions are read
//! into the same values, and what Django has not (macros, `{% set %}`, imports) into
//! nodes of their own.
//!
//! The text is the caller's: a template file that is not UTF-8 is the caller's to
//! skip.

mod expr;
pub mod jinja;
mod lexer;
mod parser;
mod tags;
mod tree;

pub use lexer::{Token, TokenKind, tokenize};
pub use parser::{MAX_DEPTH, parse};
pub use tree::*;

pub use crate::text::TextRange;

#[cfg(test)]
mod tests;
