//! Jinja2's tags, read into the tree's nodes.
//!
//! - `for targets in iterable [if condition] [recursive]`, `{% else %}` for no rows; the
//!   condition is read as an `{% if %}` around the body (it is tested on each row).
//! - `if`/`elif`/`else`, `with a=b, c=d`, `set`, `block name [scoped] [required]`,
//!   `extends`, `include x [ignore missing] [with|without context]`,
//!   `import x as m`, `from x import a [as b]` (`[with|without context]`), `macro`,
//!   `call`, `raw`; `filter`, `autoescape`, `do`, `trans`/`pluralize`, `break` and
//!   `continue` as tags of Jinja2 and its bundled extensions.
//! - Any other tag comes from an extension: a block when `end<name>` follows it, its
//!   arguments read as expressions when they are (else none).

use super::expr::{ExprParser, literal, lookup_expr};
use super::tokens::Kind;
use crate::syntax::template::lexer::Token;
use crate::syntax::template::parser::{MAX_DEPTH, Parser};
use crate::syntax::template::tree::*;
use crate::text::TextRange;

/// Tags of Jinja2 and its bundled extensions that are read as a [`Tag`]: whether each
/// holds a body.
const BUILTIN_TAGS: [(&str, bool); 6] = [
    ("filter", true),
    ("autoescape", true),
    ("trans", true),
    ("do", false),
    ("break", false),
    ("continue", false),
];

impl<'s> Parser<'s, '_> {
    pub(in crate::syntax::template) fn jinja_tag(&mut self, name: &str, token: Token) -> Node {
        let args = TextRange::new(
            (token.content.start + name.len()).min(token.content.end),
            token.content.end,
        );
        let builtin = BUILTIN_TAGS.iter().find(|(n, _)| *n == name);
        let opens_block = match name {
            "for" | "if" | "with" | "block" | "macro" | "call" | "raw" => true,
            "set" => !args.is_empty() && !self.source[args.start..args.end].contains('='),
            _ => builtin.map_or_else(|| self.ends_later(name), |(_, b)| *b),
        };
        if opens_block && self.open.len() > MAX_DEPTH {
            self.error(token.range, "blocks nested too deep");
            return self.extension_tag(name, args, token, false);
        }
        match name {
            "for" => self.jinja_for(args, token),
            "if" => self.jinja_if(args, token),
            "set" => self.set(args, token),
            "with" => {
                let bindings = self.with_bindings(args);
                self.with_block(token, bindings)
            }
            "block" => {
                let block_name = self.source[args.start..args.end]
                    .split_whitespace()
                    .next()
                    .unwrap_or("");
                self.named_block(token, block_name)
            }
            "extends" => Node::Extends(Extends {
                range: token.range,
                parent: self.one_expr(args),
            }),
            "include" => self.jinja_include(args, token),
            "import" | "from" => self.import(name, args, token),
            "macro" => self.macro_tag(args, token),
            "call" => self.call_block(args, token),
            "raw" => {
                let (inner, _) = self.raw_until("endraw", token);
                Node::Verbatim(inner)
            }
            "trans" => self.trans(args, token),
            _ => self.extension_tag(name, args, token, opens_block),
        }
    }

    fn expr_parser(&mut self, range: TextRange) -> ExprParser<'s, '_> {
        ExprParser::new(self.source, range, &mut self.errors)
    }

    /// The single expression at `range`.
    fn one_expr(&mut self, range: TextRange) -> FilterExpr {
        let mut p = self.expr_parser(range);
        let expr = p.expression(true);
        p.finish();
        expr
    }

    fn jinja_for(&mut self, args: TextRange, token: Token) -> Node {
        let mut p = self.expr_parser(args);
        let mut targets = Vec::new();
        let parenthesized = p.eat("(").is_some();
        while let Some(name) = p.name().filter(|n| n.name != "in") {
            targets.push(name);
            if p.eat(",").is_none() {
                break;
            }
        }
        if parenthesized {
            p.eat(")");
        }
        let iterable = if p.eat("in").is_some() && !targets.is_empty() {
            Some(p.tuple(false))
        } else {
            p.error("expected {% for x in y %}");
            None
        };
        let condition = p.eat("if").map(|_| p.expression(true));
        let recursive = p.eat("recursive").is_some();
        p.finish();
        let iterable = iterable.unwrap_or_else(|| literal(TextRange::empty(args.end)));
        let (mut body, ending) = self.block_body(token, "for", &["else", "endfor"]);
        let empty = match ending {
            Some(e) if e.name == "else" => Some(self.block_body(token, "for", &["endfor"]).0),
            _ => None,
        };
        if let Some(condition) = condition {
            body = vec![Node::If(If {
                branches: vec![IfBranch {
                    range: condition.range,
                    condition: Some(vec![ConditionPart::Operand(condition)]),
                    body,
                }],
            })];
        }
        Node::For(For {
            range: token.range,
            targets,
            iterable,
            reversed: false,
            recursive,
            body,
            empty,
        })
    }

    fn jinja_if(&mut self, args: TextRange, token: Token) -> Node {
        let first = self.condition_at(args);
        self.if_branches(token, first, |p, elif| {
            let content = elif.token.content;
            let args = TextRange::new((content.start + 4).min(content.end), content.end);
            p.condition_at(args)
        })
    }

    fn condition_at(&mut self, range: TextRange) -> Vec<ConditionPart> {
        let mut p = self.expr_parser(range);
        let expr = p.tuple(false);
        p.finish();
        vec![ConditionPart::Operand(expr)]
    }

    fn set(&mut self, args: TextRange, token: Token) -> Node {
        let mut p = self.expr_parser(args);
        let mut targets = Vec::new();
        let mut namespace = false;
        while let Some(name) = p.name() {
            // `ns.attr` sets an attribute of a namespace: no name is bound.
            if p.eat(".").is_some() {
                p.name();
                namespace = true;
            } else {
                targets.push(name);
            }
            if p.eat(",").is_none() {
                break;
            }
        }
        if namespace {
            targets.clear();
        }
        if p.eat("=").is_some() {
            let value = p.tuple(true);
            p.finish();
            return Node::Set(Set {
                range: token.range,
                targets,
                value: Some(value),
                body: Vec::new(),
            });
        }
        if targets.is_empty() {
            p.error("expected {% set x = y %}");
            return Node::Set(Set {
                range: token.range,
                targets,
                value: None,
                body: Vec::new(),
            });
        }
        // `{% set x | filter %}`: what the body renders, filtered.
        drop(p);
        let (body, _) = self.block_body(token, "set", &["endset"]);
        Node::Set(Set {
            range: token.range,
            targets,
            value: None,
            body,
        })
    }

    /// `a=b, c=d` of `{% with %}`.
    fn with_bindings(&mut self, args: TextRange) -> Vec<Binding> {
        let mut p = self.expr_parser(args);
        let mut bindings = Vec::new();
        while let Some(name) = p.name() {
            if p.eat("=").is_none() {
                p.error("expected '='");
                break;
            }
            let value = p.expression(true);
            bindings.push(Binding { name, value });
            if p.eat(",").is_none() {
                break;
            }
        }
        p.finish();
        bindings
    }

    /// `with context` (`Some(true)`), `without context` (`Some(false)`) or neither.
    fn context_option(p: &mut ExprParser<'_, '_>) -> Option<bool> {
        let with = if p.eat("with").is_some() {
            true
        } else if p.eat("without").is_some() {
            false
        } else {
            return None;
        };
        if p.eat("context").is_none() {
            p.error("expected 'context'");
        }
        Some(with)
    }

    fn jinja_include(&mut self, args: TextRange, token: Token) -> Node {
        let mut p = self.expr_parser(args);
        let template = p.expression(true);
        if p.eat("ignore").is_some() && p.eat("missing").is_none() {
            p.error("expected 'missing'");
        }
        let with_context = Self::context_option(&mut p).unwrap_or(true);
        p.finish();
        Node::Include(Include {
            range: token.range,
            template,
            bindings: Vec::new(),
            only: !with_context,
        })
    }

    fn import(&mut self, name: &str, args: TextRange, token: Token) -> Node {
        let mut p = self.expr_parser(args);
        let template = p.expression(true);
        let mut module = None;
        let mut names = Vec::new();
        if name == "import" {
            if p.eat("as").is_none() {
                p.error("expected 'as'");
            }
            module = p.name();
        } else {
            if p.eat("import").is_none() {
                p.error("expected 'import'");
            }
            while !p.is("with") && !p.is("without") {
                let Some(imported) = p.name() else { break };
                let bound = match p.eat("as") {
                    Some(_) => p.name().unwrap_or_else(|| imported.clone()),
                    None => imported.clone(),
                };
                names.push((imported.name, bound));
                if p.eat(",").is_none() {
                    break;
                }
            }
        }
        let with_context = Self::context_option(&mut p).unwrap_or(false);
        p.finish();
        Node::Import(Import {
            range: token.range,
            template,
            module,
            names,
            with_context,
        })
    }

    /// `(a, b=default)` of a macro or a call block.
    fn params(p: &mut ExprParser<'_, '_>) -> Vec<Param> {
        let mut params = Vec::new();
        if p.eat("(").is_none() {
            return params;
        }
        while let Some(name) = p.name() {
            let default = p.eat("=").map(|_| p.expression(true));
            params.push(Param { name, default });
            if p.eat(",").is_none() {
                break;
            }
        }
        if p.eat(")").is_none() {
            p.error("expected ')'");
        }
        params
    }

    fn macro_tag(&mut self, args: TextRange, token: Token) -> Node {
        let mut p = self.expr_parser(args);
        let name = p.name().map(|n| n.name).unwrap_or_default();
        if name.is_empty() {
            p.error("expected a macro name");
        }
        let params = Self::params(&mut p);
        p.finish();
        let (body, _) = self.block_body(token, "macro", &["endmacro"]);
        Node::Macro(Macro {
            range: token.range,
            name,
            params,
            body,
        })
    }

    fn call_block(&mut self, args: TextRange, token: Token) -> Node {
        let mut p = self.expr_parser(args);
        // `{% call(user) m(...) %}`: the parameters come first, in parentheses.
        let params = match p.peek() {
            Some(t) if t.kind == Kind::Op && p.text(t) == "(" => Self::params(&mut p),
            _ => Vec::new(),
        };
        let call = p.expression(true);
        p.finish();
        let (body, _) = self.block_body(token, "call", &["endcall"]);
        Node::CallBlock(CallBlock {
            range: token.range,
            params,
            call,
            body,
        })
    }

    /// `{% trans a=b, c %}...{% pluralize %}...{% endtrans %}`: the names are the
    /// body's values, as `{% blocktranslate with %}`'s.
    fn trans(&mut self, args: TextRange, token: Token) -> Node {
        let mut p = self.expr_parser(args);
        let mut keywords = Vec::new();
        while let Some(name) = p.name() {
            if matches!(name.name.as_str(), "trimmed" | "notrimmed") {
                p.eat(",");
                continue;
            }
            let value = match p.eat("=") {
                Some(_) => p.expression(true),
                // A bare name is the context variable of that name.
                None => lookup_expr(Lookup {
                    range: name.range,
                    parts: vec![name.name.clone()],
                    calls: Vec::new(),
                }),
            };
            keywords.push(Binding { name, value });
            if p.eat(",").is_none() {
                break;
            }
        }
        p.finish();
        let mut bodies = Vec::new();
        loop {
            let (body, ending) = self.block_body(token, "trans", &["pluralize", "endtrans"]);
            bodies.push(body);
            match ending {
                Some(e) if e.name == "pluralize" => continue,
                _ => break,
            }
        }
        Node::Tag(Tag {
            range: token.range,
            name: "trans".to_string(),
            builtin: true,
            args: Vec::new(),
            keywords,
            target: None,
            bodies,
        })
    }

    /// A tag of an extension, or one of [`BUILTIN_TAGS`]: its arguments when they read
    /// as expressions, its bodies when it is a block.
    fn extension_tag(&mut self, name: &str, args: TextRange, token: Token, block: bool) -> Node {
        let builtin = BUILTIN_TAGS.iter().any(|(n, _)| *n == name);
        let mut errors = Vec::new();
        let mut exprs = Vec::new();
        if name != "filter" && name != "autoescape" {
            let mut p = ExprParser::new(self.source, args, &mut errors);
            while !p.at_end() {
                let before = p.at;
                exprs.push(p.expression(true));
                if p.eat(",").is_none() || p.at == before {
                    break;
                }
            }
            p.finish();
        }
        // An extension's own syntax is no error, and no value we can read.
        if !errors.is_empty() {
            exprs.clear();
        }
        let mut bodies = Vec::new();
        if block {
            let end = format!("end{name}");
            let ends = [end.as_str(), "else", "elif"];
            loop {
                let (body, ending) = self.block_body(token, name, &ends);
                bodies.push(body);
                match ending {
                    Some(e) if e.name != end => continue,
                    _ => break,
                }
            }
        }
        Node::Tag(Tag {
            range: token.range,
            name: name.to_string(),
            builtin,
            args: exprs,
            keywords: Vec::new(),
            target: None,
            bodies,
        })
    }
}
