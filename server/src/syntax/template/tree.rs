//! The parsed template: plain data with the byte range of everything.

use crate::text::TextRange;

/// A parsed template: its nodes, and what did not parse (the nodes are there anyway).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Template {
    pub dialect: Dialect,
    pub nodes: Vec<Node>,
    pub errors: Vec<TemplateError>,
}

/// The template language: the engine that loads a template decides it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Dialect {
    /// Django's: a callable looked up is called, without arguments.
    #[default]
    Django,
    /// Jinja2's: a method runs only where `(...)` calls it.
    Jinja2,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    pub range: TextRange,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Text(TextRange),
    /// `{# ... #}` and `{% comment %}...{% endcomment %}`, delimiters included.
    Comment(TextRange),
    /// What `{% verbatim %}` holds, output as written.
    Verbatim(TextRange),
    /// `{{ expr }}`.
    Variable(Variable),
    For(For),
    If(If),
    With(With),
    Include(Include),
    Extends(Extends),
    Block(Block),
    Regroup(Regroup),
    /// Jinja2's `{% set %}`.
    Set(Set),
    /// Jinja2's `{% macro %}`: rendered where it is called, not where it is.
    Macro(Macro),
    /// Jinja2's `{% call macro(...) %}...{% endcall %}`.
    CallBlock(CallBlock),
    /// Jinja2's `{% import %}` and `{% from ... import %}`.
    Import(Import),
    /// Every other tag, Django's own and custom ones.
    Tag(Tag),
}

/// `{{ expr }}`.
#[derive(Debug, Clone, PartialEq)]
pub struct Variable {
    /// `{{ ... }}`, delimiters included.
    pub range: TextRange,
    pub expr: FilterExpr,
}

/// `value|filter:arg|filter`.
#[derive(Debug, Clone, PartialEq)]
pub struct FilterExpr {
    pub range: TextRange,
    pub value: Value,
    pub filters: Vec<Filter>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Lookup(Lookup),
    /// `"x"` or `'x'`: `value` is what the quotes hold.
    String {
        range: TextRange,
        value: String,
    },
    /// A translated string (`_("x")`), a number, `True`, `False` or `None`.
    Literal(TextRange),
    /// Jinja2: an expression that is no single value (`a ~ b`, `x if c else y`,
    /// `[a, b]`), as what it does with each of its operands.
    Compound(Vec<Operand>),
}

/// An operand of a [`Value::Compound`] and what the expression does with it.
#[derive(Debug, Clone, PartialEq)]
pub struct Operand {
    pub role: Role,
    pub expr: FilterExpr,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// It may be the expression's value (`a or b`, the branches of `x if c else y`).
    Value,
    /// Turned into text (`a ~ b`).
    Text,
    /// Looked at (a condition, a comparison, arithmetic).
    Read,
    /// Put where we do not follow it (a list, a call of an unknown function).
    Escapes,
}

/// `post.author.name`: a context variable and the attributes, keys, indexes and
/// methods without arguments looked up on it.
#[derive(Debug, Clone, PartialEq)]
pub struct Lookup {
    pub range: TextRange,
    /// `["post", "author", "name"]`: never empty.
    pub parts: Vec<String>,
    /// Jinja2: the parts called (`all` of `post.comments.all()`), in order; always
    /// empty in Django, which calls what is callable.
    pub calls: Vec<Call>,
}

/// Jinja2: `(...)` after a part of a lookup.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// The index of the part called.
    pub part: usize,
    pub range: TextRange,
    pub args: Vec<Argument>,
}

/// A Jinja2 argument of a call or filter, `name=` for a keyword.
#[derive(Debug, Clone, PartialEq)]
pub struct Argument {
    pub name: Option<Name>,
    pub value: FilterExpr,
}

impl Lookup {
    pub fn variable(&self) -> &str {
        &self.parts[0]
    }

    pub fn path(&self) -> &[String] {
        &self.parts[1..]
    }

    /// The call of the part at `part`, if it is called.
    pub fn call_of(&self, part: usize) -> Option<&Call> {
        self.calls.iter().find(|c| c.part == part)
    }

    /// `{{ block.super }}` in Django, `{{ super() }}` in Jinja2.
    pub fn is_block_super(&self) -> bool {
        let jinja =
            self.parts == ["super"] && self.calls.len() == 1 && self.calls[0].args.is_empty();
        jinja || (self.parts == ["block", "super"] && self.calls.is_empty())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    /// The name and its argument.
    pub range: TextRange,
    pub name: String,
    /// Django's `:arg`.
    pub arg: Option<Value>,
    /// Jinja2's `(args)`.
    pub args: Vec<Argument>,
}

/// An `{% if %}`/`{% elif %}` condition: its operands and operators in source order.
/// Which operator binds what does not matter to what the condition reads.
#[derive(Debug, Clone, PartialEq)]
pub enum ConditionPart {
    Operand(FilterExpr),
    /// `and or not in == != < > <= >= is`.
    Operator {
        range: TextRange,
        operator: String,
    },
}

/// A name a tag binds (`x` of `{% for x in y %}`, `a` of `{% with a=b %}`, `z` of
/// `as z`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name {
    pub range: TextRange,
    pub name: String,
}

/// `name=value` of `{% with %}`, `{% include ... with %}` and tag arguments.
#[derive(Debug, Clone, PartialEq)]
pub struct Binding {
    pub name: Name,
    pub value: FilterExpr,
}

/// `{% for x in y [reversed] %}...[{% empty %}...]{% endfor %}`.
#[derive(Debug, Clone, PartialEq)]
pub struct For {
    /// The `{% for %}` tag.
    pub range: TextRange,
    pub targets: Vec<Name>,
    pub iterable: FilterExpr,
    pub reversed: bool,
    /// Jinja2's `recursive`: `loop(rows)` renders the body again over other rows.
    pub recursive: bool,
    pub body: Vec<Node>,
    /// `{% empty %}` in Django, `{% else %}` in Jinja2.
    pub empty: Option<Vec<Node>>,
}

/// `{% if %}...{% elif %}...{% else %}...{% endif %}`.
#[derive(Debug, Clone, PartialEq)]
pub struct If {
    pub branches: Vec<IfBranch>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct IfBranch {
    /// The `{% if %}`, `{% elif %}` or `{% else %}` tag.
    pub range: TextRange,
    /// `None` for `{% else %}`.
    pub condition: Option<Vec<ConditionPart>>,
    pub body: Vec<Node>,
}

/// `{% with a=b %}` or `{% with b as a %}`.
#[derive(Debug, Clone, PartialEq)]
pub struct With {
    pub range: TextRange,
    pub bindings: Vec<Binding>,
    pub body: Vec<Node>,
}

/// `{% include "name" [with a=b] [only] %}`.
#[derive(Debug, Clone, PartialEq)]
pub struct Include {
    pub range: TextRange,
    pub template: FilterExpr,
    pub bindings: Vec<Binding>,
    pub only: bool,
}

/// `{% extends "name" %}`.
#[derive(Debug, Clone, PartialEq)]
pub struct Extends {
    pub range: TextRange,
    pub parent: FilterExpr,
}

/// `{% block name %}...{% endblock %}`.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    pub range: TextRange,
    pub name: String,
    pub body: Vec<Node>,
}

/// `{% regroup source by attr as target %}`.
#[derive(Debug, Clone, PartialEq)]
pub struct Regroup {
    pub range: TextRange,
    pub source: FilterExpr,
    /// The attribute path read on each row (`author.name`), at `by_range`.
    pub by: Vec<String>,
    pub by_range: TextRange,
    pub target: Option<Name>,
}

/// Any other tag.
#[derive(Debug, Clone, PartialEq)]
pub struct Tag {
    /// The opening tag.
    pub range: TextRange,
    pub name: String,
    /// Django's own (`url`, `cycle`, ...) rather than one a `{% load %}` brings.
    pub builtin: bool,
    /// The arguments that are expressions (literal words such as `on` of
    /// `{% autoescape on %}` are left out).
    pub args: Vec<FilterExpr>,
    /// `key=value` arguments.
    pub keywords: Vec<Binding>,
    /// `as name` at the end.
    pub target: Option<Name>,
    /// A block tag's bodies, split at intermediate tags (`{% else %}`, `{% plural %}`);
    /// empty for a single tag.
    pub bodies: Vec<Vec<Node>>,
}

/// Jinja2's `{% set a = value %}`, `{% set a, b = value %}`, or `{% set a %}body{% endset %}`.
#[derive(Debug, Clone, PartialEq)]
pub struct Set {
    pub range: TextRange,
    /// Names assigned; `ns.attr` of a namespace is no name and leaves this empty.
    pub targets: Vec<Name>,
    pub value: Option<FilterExpr>,
    /// A block set's body, rendered into the name.
    pub body: Vec<Node>,
}

/// Jinja2's `{% macro name(a, b=default) %}...{% endmacro %}`.
#[derive(Debug, Clone, PartialEq)]
pub struct Macro {
    pub range: TextRange,
    pub name: String,
    pub params: Vec<Param>,
    pub body: Vec<Node>,
}

/// A parameter of a macro or a call block, with its default.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    pub name: Name,
    pub default: Option<FilterExpr>,
}

/// Jinja2's `{% call(params) macro(args) %}body{% endcall %}`: the body is the macro's
/// `caller()`.
#[derive(Debug, Clone, PartialEq)]
pub struct CallBlock {
    pub range: TextRange,
    pub params: Vec<Param>,
    pub call: FilterExpr,
    pub body: Vec<Node>,
}

/// `{% import "x" as m %}` (`module`) or `{% from "x" import a, b as c %}` (`names`,
/// each the macro's name and the name it is bound to).
#[derive(Debug, Clone, PartialEq)]
pub struct Import {
    pub range: TextRange,
    pub template: FilterExpr,
    pub module: Option<Name>,
    pub names: Vec<(String, Name)>,
    /// `with context`: the macros see the importer's context.
    pub with_context: bool,
}
