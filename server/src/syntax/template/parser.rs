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

use super::expr::{Bit, condition, filter_expr, split_bits};
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
enum Args {
    /// Names and options, no context variable (`{% load humanize %}`).
    Words,
    Expressions,
}

/// Tags that split a custom block's body.
const INTERMEDIATE: [&str; 4] = ["else", "elif", "empty", "plural"];

pub fn parse(source: &str) -> Template {
    let tokens = tokenize(source);
    let mut parser = Parser {
        source,
        tokens: &tokens,
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
        nodes,
        errors: parser.errors,
    }
}

struct Parser<'s, 't> {
    source: &'s str,
    tokens: &'t [Token],
    at: usize,
    /// The tags each open block waits for, outermost first.
    open: Vec<Vec<String>>,
    errors: Vec<TemplateError>,
    /// Where each `end...` tag last appears (a token index).
    last_end: HashMap<&'s str, usize>,
}

/// The tag that ended a body: its name, bits and token.
struct Ending<'s> {
    name: String,
    bits: Vec<Bit<'s>>,
    token: Token,
}

impl<'s> Parser<'s, '_> {
    fn error(&mut self, range: TextRange, message: impl Into<String>) {
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
                    let expr = filter_expr(self.source, token.content, &mut self.errors);
                    nodes.push(Node::Variable(Variable {
                        range: token.range,
                        expr,
                    }));
                }
                TokenKind::Tag => {
                    let bits = split_bits(self.source, token.content);
                    let name = bits.first().map_or("", |b| b.text).to_string();
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
    fn block_body(
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
                let (body, _) = self.block_body(token, name, &["endwith"]);
                Node::With(With {
                    range: token.range,
                    bindings,
                    body,
                })
            }
            "block" => {
                let block_name = bits.get(1).map_or("", |b| b.text).to_string();
                let (body, _) = self.block_body(token, name, &["endblock"]);
                Node::Block(Block {
                    range: token.range,
                    name: block_name,
                    body,
                })
            }
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

    fn builtin(&self, name: &str) -> Option<(Args, bool)> {
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
    fn ends_later(&self, name: &str) -> bool {
        self.last_end
            .get(format!("end{name}").as_str())
            .is_some_and(|&at| at >= self.at)
    }

    /// Skips tokens up to the tag `end` (a comment's or verbatim's contents are not
    /// parsed); the range between.
    fn raw_until(&mut self, end: &str, opening: Token) -> (TextRange, Option<Token>) {
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

    fn expr_of(&mut self, bit: Option<&Bit<'_>>, token: Token) -> FilterExpr {
        let range = bit.map_or(TextRange::empty(token.content.end), |b| b.range);
        filter_expr(self.source, range, &mut self.errors)
    }

    fn name(bit: &Bit<'_>) -> Name {
        Name {
            range: bit.range,
            name: bit.text.to_string(),
        }
    }

    fn for_tag(&mut self, bits: &[Bit<'s>], token: Token) -> Node {
        let reversed = bits.len() > 3 && bits.last().is_some_and(|b| b.text == "reversed");
        let args = &bits[1..bits.len() - usize::from(reversed)];
        let in_at = args.iter().rposition(|b| b.text == "in");
        let (targets, iterable) = match in_at {
            Some(i) if i > 0 && i + 1 < args.len() => (&args[..i], Some(&args[i + 1])),
            _ => {
                self.error(token.range, "expected {% for x in y %}");
                (&args[..0], None)
            }
        };
        // `a, b`, `a,b` and `a ,b` all name two targets.
        let mut names = Vec::new();
        for bit in targets {
            let mut offset = bit.range.start;
            for part in bit.text.split(',') {
                if !part.is_empty() {
                    names.push(Name {
                        range: TextRange::new(offset, offset + part.len()),
                        name: part.to_string(),
                    });
                }
                offset += part.len() + 1;
            }
        }
        let iterable = self.expr_of(iterable, token);
        let (body, ending) = self.block_body(token, "for", &["empty", "endfor"]);
        let empty = match ending {
            Some(e) if e.name == "empty" => Some(self.block_body(token, "for", &["endfor"]).0),
            _ => None,
        };
        Node::For(For {
            range: token.range,
            targets: names,
            iterable,
            reversed,
            body,
            empty,
        })
    }

    fn if_tag(&mut self, bits: &[Bit<'s>], token: Token) -> Node {
        let mut branches = Vec::new();
        let mut range = token.range;
        let mut cond = Some(self.condition(&bits[1..], token));
        loop {
            let (body, ending) = self.block_body(token, "if", &["elif", "else", "endif"]);
            branches.push(IfBranch {
                range,
                condition: cond.take(),
                body,
            });
            match ending {
                Some(e) if e.name == "elif" => {
                    range = e.token.range;
                    cond = Some(self.condition(&e.bits[1..], e.token));
                }
                Some(e) if e.name == "else" => {
                    let (body, _) = self.block_body(token, "if", &["endif"]);
                    branches.push(IfBranch {
                        range: e.token.range,
                        condition: None,
                        body,
                    });
                    break;
                }
                _ => break,
            }
        }
        Node::If(If { branches })
    }

    fn condition(&mut self, bits: &[Bit<'s>], token: Token) -> Vec<ConditionPart> {
        if bits.is_empty() {
            self.error(token.range, "a condition is missing");
        }
        condition(self.source, bits, &mut self.errors)
    }

    /// `a=b c=d`, or with `legacy` also `b as a and d as c`.
    fn bindings(&mut self, bits: &[Bit<'s>], legacy: bool) -> Vec<Binding> {
        let mut bindings = Vec::new();
        if legacy && bits.get(1).is_some_and(|b| b.text == "as") {
            let mut i = 0;
            while bits.get(i + 1).is_some_and(|b| b.text == "as") {
                let Some(name) = bits.get(i + 2) else { break };
                let value = filter_expr(self.source, bits[i].range, &mut self.errors);
                bindings.push(Binding {
                    name: Self::name(name),
                    value,
                });
                i += 3;
                if bits.get(i).is_some_and(|b| b.text == "and") {
                    i += 1;
                }
            }
            return bindings;
        }
        for bit in bits {
            match self.keyword(bit) {
                Some(binding) => bindings.push(binding),
                None => self.error(
                    bit.range,
                    format!("expected name=value, found '{}'", bit.text),
                ),
            }
        }
        bindings
    }

    fn keyword(&mut self, bit: &Bit<'_>) -> Option<Binding> {
        let eq = bit.text.find('=')?;
        let key = &bit.text[..eq];
        if key.is_empty() || !key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return None;
        }
        let value_range = TextRange::new(bit.range.start + eq + 1, bit.range.end);
        Some(Binding {
            name: Name {
                range: TextRange::new(bit.range.start, bit.range.start + eq),
                name: key.to_string(),
            },
            value: filter_expr(self.source, value_range, &mut self.errors),
        })
    }

    fn include(&mut self, bits: &[Bit<'s>], token: Token) -> Node {
        let template = self.expr_of(bits.get(1), token);
        let mut only = false;
        let mut bindings = Vec::new();
        let mut rest = bits.get(2..).unwrap_or_default();
        while let Some((first, tail)) = rest.split_first() {
            rest = tail;
            match first.text {
                "only" => only = true,
                "with" => {
                    let count = tail.iter().take_while(|b| b.text.contains('=')).count();
                    bindings.extend(self.bindings(&tail[..count], false));
                    rest = &tail[count..];
                }
                other => self.error(first.range, format!("unknown option '{other}' of include")),
            }
        }
        Node::Include(Include {
            range: token.range,
            template,
            bindings,
            only,
        })
    }

    fn regroup(&mut self, bits: &[Bit<'s>], token: Token) -> Node {
        let well_formed = bits.len() == 6 && bits[2].text == "by" && bits[4].text == "as";
        if !well_formed {
            self.error(token.range, "expected {% regroup x by attr as y %}");
        }
        let source = self.expr_of(bits.get(1), token);
        let (by, by_range) = match bits.get(3).filter(|_| well_formed) {
            Some(bit) => {
                let lookup = bit.text.split('|').next().unwrap_or("");
                let parts = lookup.split('.').map(str::to_string).collect();
                (
                    parts,
                    TextRange::new(bit.range.start, bit.range.start + lookup.len()),
                )
            }
            None => (Vec::new(), TextRange::empty(token.content.end)),
        };
        Node::Regroup(Regroup {
            range: token.range,
            source,
            by,
            by_range,
            target: bits.get(5).filter(|_| well_formed).map(Self::name),
        })
    }

    /// A tag read without a body: its expressions, keywords and `as` target.
    fn single_tag(&mut self, name: &str, bits: &[Bit<'s>], token: Token) -> Node {
        let builtin = self.builtin(name);
        let mut args_bits = &bits[1..];
        let mut target = None;
        // `as name`, and `{% cycle ... as name silent %}`.
        let silent =
            usize::from(name == "cycle" && args_bits.last().is_some_and(|b| b.text == "silent"));
        let n = args_bits.len() - silent;
        if n >= 2 && args_bits[n - 2].text == "as" {
            target = Some(Self::name(&args_bits[n - 1]));
            args_bits = &args_bits[..n - 2];
        }
        let mut asvar = None;
        // `asvar name` of the i18n tags.
        if self.builtin(name).is_some()
            && let Some(i) = args_bits.iter().position(|b| b.text == "asvar")
            && let Some(bit) = args_bits.get(i + 1)
        {
            target = Some(Self::name(bit));
            asvar = Some(bit.range);
        }
        let mut args = Vec::new();
        let mut keywords = Vec::new();
        if builtin.is_none_or(|(a, _)| a == Args::Expressions) {
            for bit in args_bits {
                if Some(bit.range) == asvar {
                    continue;
                }
                if let Some(binding) = self.keyword(bit) {
                    keywords.push(binding);
                } else if !is_option_word(name, bit.text) {
                    args.push(filter_expr(self.source, bit.range, &mut self.errors));
                }
            }
        }
        Node::Tag(Tag {
            range: token.range,
            name: name.to_string(),
            builtin: builtin.is_some(),
            args,
            keywords,
            target,
            bodies: Vec::new(),
        })
    }
}

/// A word that is an option of the tag rather than a variable (`noop` of
/// `{% translate "x" noop %}`, `with`/`count` of `{% blocktranslate %}`).
fn is_option_word(tag: &str, word: &str) -> bool {
    match tag {
        "translate" | "trans" => matches!(word, "noop" | "context" | "asvar"),
        "blocktranslate" | "blocktrans" => {
            matches!(
                word,
                "with" | "count" | "context" | "trimmed" | "asvar" | "and"
            )
        }
        _ => false,
    }
}
