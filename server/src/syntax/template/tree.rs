//! The parsed template: plain data with the byte range of everything.

use crate::text::TextRange;

/// A parsed template: its nodes, and what did not parse (the nodes are there anyway).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Template {
    pub nodes: Vec<Node>,
    pub errors: Vec<TemplateError>,
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
}

/// `post.author.name`: a context variable and the attributes, keys, indexes and
/// methods without arguments looked up on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lookup {
    pub range: TextRange,
    /// `["post", "author", "name"]`: never empty.
    pub parts: Vec<String>,
}

impl Lookup {
    pub fn variable(&self) -> &str {
        &self.parts[0]
    }

    pub fn path(&self) -> &[String] {
        &self.parts[1..]
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    /// The name and its argument.
    pub range: TextRange,
    pub name: String,
    pub arg: Option<Value>,
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
    pub body: Vec<Node>,
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
