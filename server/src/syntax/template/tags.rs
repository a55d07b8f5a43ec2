//! The arguments of each tag the parser reads into its own node, and of the others.
//!
//! - `for`: targets split at commas (`a, b`, `a,b`), `in`, the iterable, `reversed`.
//! - `with`: `a=b` bindings, or the old `b as a [and d as c]`.
//! - `include`: the template, then `with a=b ...` and `only` in any order.
//! - `regroup x by attr as y`: `attr` is read on each row of `x`.
//! - Other tags: a trailing `as name` binds a name; `key=value` arguments are keywords;
//!   the arguments of tags whose arguments are words (`load`, `autoescape`) are not
//!   expressions.

use super::expr::{Bit, condition, filter_expr};
use super::lexer::Token;
use super::parser::{Args, Ending, Parser};
use super::tree::*;
use crate::text::TextRange;

impl<'s> Parser<'s, '_> {
    pub(super) fn expr_of(&mut self, bit: Option<&Bit<'_>>, token: Token) -> FilterExpr {
        let range = bit.map_or(TextRange::empty(token.content.end), |b| b.range);
        filter_expr(self.source, range, &mut self.errors)
    }

    pub(super) fn name(bit: &Bit<'_>) -> Name {
        Name {
            range: bit.range,
            name: bit.text.to_string(),
        }
    }

    pub(super) fn for_tag(&mut self, bits: &[Bit<'s>], token: Token) -> Node {
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
            recursive: false,
            body,
            empty,
        })
    }

    pub(super) fn if_tag(&mut self, bits: &[Bit<'s>], token: Token) -> Node {
        let first = self.condition(&bits[1..], token);
        self.if_branches(token, first, |p, elif| {
            p.condition(&elif.bits[1..], elif.token)
        })
    }

    /// The branches of the `{% if %}` at `token` whose condition is `first`, each
    /// `{% elif %}`'s condition read by `elif`.
    pub(super) fn if_branches(
        &mut self,
        token: Token,
        first: Vec<ConditionPart>,
        elif: impl Fn(&mut Self, &Ending<'s>) -> Vec<ConditionPart>,
    ) -> Node {
        let mut branches = Vec::new();
        let mut range = token.range;
        let mut cond = Some(first);
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
                    cond = Some(elif(self, &e));
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
    pub(super) fn bindings(&mut self, bits: &[Bit<'s>], legacy: bool) -> Vec<Binding> {
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

    pub(super) fn include(&mut self, bits: &[Bit<'s>], token: Token) -> Node {
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

    pub(super) fn regroup(&mut self, bits: &[Bit<'s>], token: Token) -> Node {
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
    pub(super) fn single_tag(&mut self, name: &str, bits: &[Bit<'s>], token: Token) -> Node {
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
