//! Block structure over the tokens.
//!
//! - A block tag's body runs to its end tag. An end tag of an enclosing block closes
//!   the blocks opened inside it (each an "unclosed" error); an end or intermediate tag
//!   no open block expects is a "stray" error and is skipped. The end of the template
//!   closes whatever is open.
//! - A tag Django does not define is a block when `end<name>` follows it somewhere
//!   later, else a single tag; a custom block splits its body at `else`, `elif`,
//!   `empty` and `plural`.
//! - Blocks nest at most [`MAX_DEPTH`] levels (the parser and the summary recurse on
//!   them): a block tag deeper is read as a single tag, with an error.

use std::collections::HashMap;

use super::expr::{Bit, filter_expr, split_bits};
use super::lexer::{Token, TokenKind, tokenize};
use super::tree::*;
use crate::text::TextRange;

pub const MAX_DEPTH: usize = 200;

/// Django's tags that are not read into their own node, with whether their arguments
/// are expressions and whether they hold a body.
const BUILTIN_TAGS: [(&str, Args, bool); 18] = [
    ("load", Args::Words, false),
    ("url", Args::Expressions, false),
    ("csrf_token", Args::Words, false),
    ("now", Args::Expressions, false),
    ("cycle", Args::Expressions, false),
    ("firstof", Args::Expressions, false),
    ("widthratio", Args::Expressions, false),
    ("templatetag", Args::Words, false),
    ("lorem", Args::Words, false),
    ("debug", Args::Words, false),
    ("resetcycle", Args::Words, false),
    ("spaceless", Args::Words, true),
    ("autoescape", Args::Words, true),
    ("filter", Args::Words, true),
    ("ifchanged", Args::Expressions, true),
    // i18n's, loaded with `{% load i18n %}` but part of Django.
    ("translate", Args::Expressions, false),
    ("trans", Args::Expressions, false),
    ("blocktranslate", Args::Expressions, true),
];

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Args {
    /// Names and options, no context variable (`{% load humanize %}`).
    Words,
    Expressions,
}

/// Tags that split a custom block's body.
pub(super) const INTERMEDIATE: [&str; 4] = ["else", "elif", "empty", "plural"];

/// A Django template.
pub fn parse(source: &str) -> Template {
    parse_tokens(source, &tokenize(source), Dialect::Django)
}

/// The block structure of `tokens`, their tags and expressions read as `dialect` writes
/// them.
pub(super) fn parse_tokens(source: &str, tokens: &[Token], dialect: Dialect) -> Template {
    let mut parser = Parser {
        source,
        dialect,
        tokens,
        at: 0,
        open: Vec::new(),
        errors: Vec::new(),
        last_end: HashMap::new(),
    };
    for (i, token) in tokens.iter().enumerate() {
        if token.kind == TokenKind::Tag
            && let Some(name) = token.content(source).split_whitespace().next()
            && name.starts_with("end")
        {
            parser.last_end.insert(name, i);
        }
    }
    let (nodes, _) = parser.body(&[]);
    Template {
        dialect,
        nodes,
        errors: parser.errors,
    }
}

pub(super) struct Parser<'s, 't> {
    pub(super) source: &'s str,
    pub(super) dialect: Dialect,
    pub(super) tokens: &'t [Token],
    pub(super) at: usize,
    /// The tags each open block waits for, outermost first.
    pub(super) open: Vec<Vec<String>>,
    pub(super) errors: Vec<TemplateError>,
    /// Where each `end...` tag last appears (a token index).
    last_end: HashMap<&'s str, usize>,
}

/// The tag that ended a body: its name, bits and token.
pub(super) struct Ending<'s> {
    pub(super) name: String,
    pub(super) bits: Vec<Bit<'s>>,
    pub(super) token: Token,
}

impl<'s> Parser<'s, '_> {
    pub(super) fn error(&mut self, range: TextRange, message: impl Into<String>) {
        self.errors.push(TemplateError {
            range,
            message: message.into(),
        });
    }

    /// Nodes up to one of `ends` (consumed and returned), or up to a tag an enclosing
    /// block waits for (not consumed), or the end of the template.
    fn body(&mut self, ends: &[&str]) -> (Vec<Node>, Option<Ending<'s>>) {
        self.open.push(ends.iter().map(|e| e.to_string()).collect());
        let mut nodes = Vec::new();
        let ending = loop {
            let Some(&token) = self.tokens.get(self.at) else {
                break None;
            };
            match token.kind {
                TokenKind::Text => nodes.push(Node::Text(token.range)),
                TokenKind::Comment => nodes.push(Node::Comment(token.range)),
                TokenKind::Variable => {
                    let expr = match self.dialect {
                        Dialect::Django => {
                            filter_expr(self.source, token.content, &mut self.errors)
                        }
                        Dialect::Jinja2 => self.jinja_expr(token.content),
                    };
                    nodes.push(Node::Variable(Variable {
                        range: token.range,
                        expr,
                    }));
                }
                TokenKind::Tag => {
                    let bits = split_bits(self.source, token.content);
                    let first = bits.first().map_or("", |b| b.text);
                    let name = match self.dialect {
                        Dialect::Django => first,
                        // `{% if(x) %}`: the name is the word it starts with.
                        Dialect::Jinja2 => first
                            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                            .next()
                            .unwrap_or(""),
                    }
                    .to_string();
                    if ends.contains(&name.as_str()) {
                        self.at += 1;
                        break Some(Ending { name, bits, token });
                    }
                    let depth = self.open.len();
                    if self.open[..depth - 1].iter().any(|o| o.contains(&name)) {
                        break None;
                    }
                    self.at += 1;
                    if name.starts_with("end") || INTERMEDIATE.contains(&name.as_str()) {
                        self.error(token.range, format!("stray {{% {name} %}}"));
                        continue;
                    }
                    if name.is_empty() {
                        self.error(token.range, "empty tag");
                        continue;
                    }
                    nodes.push(self.tag(&name, &bits, token));
                    continue;
                }
            }
            self.at += 1;
        };
        self.open.pop();
        (nodes, ending)
    }

    /// The body of the block `opening` opened, up to one of `ends`; reports the block
    /// unclosed when something else ends it.
    pub(super) fn block_body(
        &mut self,
        opening: Token,
        name: &str,
        ends: &[&str],
    ) -> (Vec<Node>, Option<Ending<'s>>) {
        let (nodes, ending) = self.body(ends);
        if ending.is_none() {
            self.error(opening.range, format!("unclosed {{% {name} %}}"));
        }
        (nodes, ending)
    }

    fn tag(&mut self, name: &str, bits: &[Bit<'s>], token: Token) -> Node {
        if self.dialect == Dialect::Jinja2 {
            return self.jinja_tag(name, token);
        }
        let opens_block = match name {
            "for" | "if" | "with" | "block" | "comment" | "verbatim" => true,
            _ => self
                .builtin(name)
                .map_or_else(|| self.ends_later(name), |(_, b)| b),
        };
        if opens_block && self.open.len() > MAX_DEPTH {
            self.error(token.range, "blocks nested too deep");
            return self.single_tag(name, bits, token);
        }
        match name {
            "for" => self.for_tag(bits, token),
            "if" => self.if_tag(bits, token),
            "with" => {
                let bindings = self.bindings(&bits[1..], true);
                self.with_block(token, bindings)
            }
            "block" => self.named_block(token, bits.get(1).map_or("", |b| b.text)),
            "comment" => {
                let (_, ending) = self.raw_until("endcomment", token);
                let end = ending.map_or(self.source.len(), |t| t.range.end);
                Node::Comment(TextRange::new(token.range.start, end))
            }
            "verbatim" => {
                let end_name = format!(
                    "end{}",
                    &self.source[token.content.start..token.content.end]
                );
                let (inner, _) = self.raw_until(&end_name, token);
                Node::Verbatim(inner)
            }
            "extends" => Node::Extends(Extends {
                range: token.range,
                parent: self.expr_of(bits.get(1), token),
            }),
            "include" => self.include(bits, token),
            "regroup" => self.regroup(bits, token),
            _ => {
                let mut tag = self.single_tag(name, bits, token);
                if opens_block && let Node::Tag(tag) = &mut tag {
                    let end = format!("end{name}");
                    let mut ends = vec![end.as_str()];
                    ends.extend(INTERMEDIATE);
                    loop {
                        let (body, ending) = self.block_body(token, name, &ends);
                        tag.bodies.push(body);
                        match ending {
                            Some(e) if e.name != end => continue,
                            _ => break,
                        }
                    }
                }
                tag
            }
        }
    }

    /// `{% with %}`'s body, its names bound as `bindings` say.
    pub(super) fn with_block(&mut self, token: Token, bindings: Vec<Binding>) -> Node {
        let (body, _) = self.block_body(token, "with", &["endwith"]);
        Node::With(With {
            range: token.range,
            bindings,
            body,
        })
    }

    /// `{% block name %}...{% endblock %}`.
    pub(super) fn named_block(&mut self, token: Token, name: &str) -> Node {
        let (body, _) = self.block_body(token, "block", &["endblock"]);
        Node::Block(Block {
            range: token.range,
            name: name.to_string(),
            body,
        })
    }

    pub(super) fn builtin(&self, name: &str) -> Option<(Args, bool)> {
        let name = if name == "blocktrans" {
            "blocktranslate"
        } else {
            name
        };
        BUILTIN_TAGS
            .iter()
            .find(|(n, _, _)| *n == name)
            .map(|&(_, args, block)| (args, block))
    }

    /// `end<name>` comes later in the template.
    pub(super) fn ends_later(&self, name: &str) -> bool {
        self.last_end
            .get(format!("end{name}").as_str())
            .is_some_and(|&at| at >= self.at)
    }

    /// Skips tokens up to the tag `end` (a comment's or verbatim's contents are not
    /// parsed); the range between.
    pub(super) fn raw_until(&mut self, end: &str, opening: Token) -> (TextRange, Option<Token>) {
        let start = opening.range.end;
        while let Some(&token) = self.tokens.get(self.at) {
            self.at += 1;
            let content = token.content(self.source);
            let matches = if end == "endcomment" {
                content.split_whitespace().next() == Some(end)
            } else {
                content == end
            };
            if token.kind == TokenKind::Tag && matches {
                return (TextRange::new(start, token.range.start), Some(token));
            }
        }
        self.error(
            opening.range,
            format!("unclosed {{% {} %}}", opening.content(self.source)),
        );
        (TextRange::new(start, self.source.len()), None)
    }
}
