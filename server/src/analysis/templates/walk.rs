//! The walk behind [`super::summarize`]: the template's nodes in render order, with the
//! names in scope, the loops open and the blocks that replace the parent's.

use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

use super::jinja::{Module, names_set};
use super::values::{Bound, Final, Owner, Scope, Sees};
use super::{
    Called, Gap, GapReason, LoadedTemplate, MAX_TEMPLATE_DEPTH, Place, Step, TemplateLoader,
    TemplateSummary, Use, UseKind,
};
use crate::syntax::template::{Dialect, FilterExpr, Name, Node, Tag, Value};
use crate::text::TextRange;

pub(super) fn summarize(
    template: Arc<LoadedTemplate>,
    loader: &dyn TemplateLoader,
) -> TemplateSummary {
    let mut walker = Walker {
        loader,
        summary: TemplateSummary {
            name: template.name.clone(),
            ..TemplateSummary::default()
        },
        rows: Vec::new(),
        scopes: vec![Scope::default()],
        templates: Vec::new(),
        blocks: HashMap::new(),
        supers: Vec::new(),
        open_blocks: Vec::new(),
        current: template.name.clone(),
        dialect: template.template.dialect,
        modules: HashMap::new(),
        macro_calls: 0,
    };
    walker.template(template, TextRange::default());
    walker.summary
}

/// A block's body in one template of an extends chain.
struct BlockDef {
    template: String,
    body: Vec<Node>,
}

pub(super) struct Walker<'l> {
    pub(super) loader: &'l dyn TemplateLoader,
    pub(super) summary: TemplateSummary,
    /// The row uses of each open loop, outermost first.
    pub(super) rows: Vec<Vec<Use>>,
    pub(super) scopes: Vec<Scope>,
    /// The templates being walked (includes and extends), outermost first.
    pub(super) templates: Vec<String>,
    /// Each block name's bodies, the most derived template's first.
    blocks: HashMap<String, Vec<Rc<BlockDef>>>,
    /// The block chains being walked and which of each.
    supers: Vec<(Vec<Rc<BlockDef>>, usize)>,
    /// The names of the blocks being walked: one met again inside itself is a second
    /// block of that name in one template, which Django refuses.
    open_blocks: Vec<String>,
    /// The template whose nodes are walked.
    pub(super) current: String,
    /// Its language.
    pub(super) dialect: Dialect,
    /// The macros of each template loaded, by whether they see the context.
    pub(super) modules: HashMap<(String, bool), Module>,
    /// Macro bodies walked so far.
    pub(super) macro_calls: usize,
}

impl Walker<'_> {
    pub(super) fn place(&self, range: TextRange) -> Place {
        Place {
            template: self.current.clone(),
            range,
        }
    }

    pub(super) fn gap(&mut self, range: TextRange, reason: GapReason) {
        let at = self.place(range);
        self.summary.gaps.push(Gap { at, reason });
    }

    /// Walks `template`, reached from `from` in the current one.
    fn template(&mut self, template: Arc<LoadedTemplate>, from: TextRange) {
        if self.templates.contains(&template.name) {
            return self.gap(from, GapReason::Cycle(template.name.clone()));
        }
        if self.templates.len() >= MAX_TEMPLATE_DEPTH {
            return self.gap(from, GapReason::TooDeep);
        }
        self.templates.push(template.name.clone());
        let outer = std::mem::replace(&mut self.current, template.name.clone());
        let outer_dialect = std::mem::replace(&mut self.dialect, template.template.dialect);
        // A template's macros can be called anywhere in it.
        self.bind_macros(&template, true);
        let extends = template.template.nodes.iter().find_map(|n| match n {
            Node::Extends(e) => Some(e),
            _ => None,
        });
        match extends {
            // Django renders nothing of a child but its blocks, inside the parent.
            Some(extends) => {
                self.collect_blocks(&template.template.nodes);
                // Jinja2 runs a child's top-level `{% set %}` and imports (not its output):
                // its blocks and its parent see their names.
                if self.dialect == Dialect::Jinja2 {
                    for node in &template.template.nodes {
                        if matches!(node, Node::Set(_) | Node::Import(_)) {
                            self.node(node);
                        }
                    }
                }
                if let Some(parent) = self.template_named(&extends.parent, extends.range, true) {
                    self.template(parent, extends.range);
                }
            }
            None => self.nodes(&template.template.nodes),
        }
        self.current = outer;
        self.dialect = outer_dialect;
        self.templates.pop();
    }

    fn collect_blocks(&mut self, nodes: &[Node]) {
        for node in nodes {
            for child in children(node) {
                self.collect_blocks(child);
            }
            if let Node::Block(block) = node {
                let def = BlockDef {
                    template: self.current.clone(),
                    body: block.body.clone(),
                };
                self.blocks
                    .entry(block.name.clone())
                    .or_default()
                    .push(Rc::new(def));
            }
        }
    }

    /// The template an `{% include %}`/`{% extends %}`/`{% import %}` names; when
    /// there is none, a gap says why if the template's part in the rendering is lost
    /// with it (`gap`).
    pub(super) fn template_named(
        &mut self,
        expr: &FilterExpr,
        at: TextRange,
        gap: bool,
    ) -> Option<Arc<LoadedTemplate>> {
        let name = match &expr.value {
            Value::String { value, .. } if expr.filters.is_empty() => Some(value.clone()),
            _ => None,
        };
        let Some(name) = name else {
            self.expr(expr, Final::Read);
            if gap {
                self.gap(at, GapReason::DynamicTemplate);
            }
            return None;
        };
        let found = self.loader.load(&name);
        match &found {
            None if gap => self.gap(at, GapReason::NotFound(name)),
            // The name is another engine's (django-jinja takes only some names): which
            // file this engine's loader finds under it is not known.
            Some(other) if other.template.dialect != self.dialect => {
                if gap {
                    self.gap(at, GapReason::OtherEngine(name));
                }
                return None;
            }
            _ => {}
        }
        found
    }

    pub(super) fn body(&mut self, nodes: &[Node], aliases: &[(Name, Bound)]) {
        self.push_scope(Sees::Outer);
        for (name, binding) in aliases {
            self.bind(name, binding.clone());
        }
        self.nodes(nodes);
        self.scopes.pop();
    }

    pub(super) fn nodes(&mut self, nodes: &[Node]) {
        for node in nodes {
            self.node(node);
        }
    }

    fn node(&mut self, node: &Node) {
        match node {
            Node::Text(_) | Node::Comment(_) | Node::Verbatim(_) | Node::Extends(_) => {}
            Node::Variable(variable) => {
                let is_super =
                    matches!(&variable.expr.value, Value::Lookup(l) if l.is_block_super());
                match self.supers.last() {
                    Some((chain, i)) if is_super => {
                        let (chain, next) = (chain.clone(), i + 1);
                        if next < chain.len() {
                            self.block(chain, next);
                        }
                    }
                    _ => {
                        self.expr(&variable.expr, Final::Print);
                    }
                }
            }
            Node::For(for_) => {
                // `recursive`: `loop(children)` renders the body over rows we do not follow.
                let end = if for_.recursive {
                    Final::Escape
                } else {
                    Final::Keep
                };
                let iterated = self.expr(&for_.iterable, end).filter(|_| !for_.recursive);
                self.push_scope(Sees::Outer);
                let row = iterated.as_ref().map(|_| {
                    self.rows.push(Vec::new());
                    self.rows.len() - 1
                });
                match (row, for_.targets.as_slice()) {
                    (Some(k), [target]) => self.bind(target, Bound::To(Owner::Row(k), Vec::new())),
                    _ => {
                        for target in &for_.targets {
                            self.bind(target, Bound::Unknown);
                        }
                        // `for a, b in rows`: each row is unpacked, which we do not follow.
                        if let (Some(k), Some(first), Some(last)) =
                            (row, for_.targets.first(), for_.targets.last())
                        {
                            let range = TextRange::new(first.range.start, last.range.end);
                            self.record(Owner::Row(k), Vec::new(), UseKind::Escapes, range);
                        }
                    }
                }
                let forloop = Name {
                    range: for_.range,
                    name: match self.dialect {
                        Dialect::Django => "forloop",
                        Dialect::Jinja2 => "loop",
                    }
                    .to_string(),
                };
                self.bind(&forloop, Bound::Unknown);
                self.nodes(&for_.body);
                self.scopes.pop();
                if let Some((owner, path)) = iterated {
                    let rows = self.rows.pop().unwrap_or_default();
                    self.record(
                        owner,
                        path,
                        UseKind::Loop { rows },
                        lookup_range(&for_.iterable),
                    );
                }
                if let Some(empty) = &for_.empty {
                    self.body(empty, &[]);
                }
            }
            Node::If(if_) => {
                for branch in &if_.branches {
                    for part in branch.condition.iter().flatten() {
                        if let crate::syntax::template::ConditionPart::Operand(e) = part {
                            self.expr(e, Final::Read);
                        }
                    }
                    self.body(&branch.body, &[]);
                }
                // Jinja2's `{% if %}` has no scope of its own: a name a branch sets is
                // that branch's value after it, or the one before; we follow neither.
                if self.dialect == Dialect::Jinja2 {
                    let mut names = Vec::new();
                    names_set(&if_.branches, &mut names);
                    for name in names {
                        self.bind(&name, Bound::Unknown);
                    }
                }
            }
            Node::With(with) => {
                let aliases = self.aliases(&with.bindings);
                self.body(&with.body, &aliases);
            }
            Node::Include(include) => {
                let found = self.template_named(&include.template, include.range, true);
                let aliases = self.aliases(&include.bindings);
                if let Some(template) = found {
                    self.push_scope(if include.only {
                        Sees::Nothing
                    } else {
                        Sees::Outer
                    });
                    for (name, binding) in &aliases {
                        self.bind(name, binding.clone());
                    }
                    // An included template's blocks are its own.
                    let blocks = std::mem::take(&mut self.blocks);
                    let supers = std::mem::take(&mut self.supers);
                    self.template(template, include.range);
                    self.blocks = blocks;
                    self.supers = supers;
                    self.scopes.pop();
                }
            }
            Node::Block(block) => {
                if self.open_blocks.contains(&block.name) {
                    return self.gap(block.range, GapReason::DuplicateBlock(block.name.clone()));
                }
                let mut chain = self.blocks.get(&block.name).cloned().unwrap_or_default();
                chain.push(Rc::new(BlockDef {
                    template: self.current.clone(),
                    body: block.body.clone(),
                }));
                self.open_blocks.push(block.name.clone());
                self.block(chain, 0);
                self.open_blocks.pop();
            }
            Node::Regroup(regroup) => {
                if let Some((owner, path)) = self.expr(&regroup.source, Final::Keep) {
                    let row = Use {
                        path: regroup
                            .by
                            .iter()
                            .map(|name| Step::new(name.clone(), Called::IfCallable))
                            .collect(),
                        kind: UseKind::Read,
                        at: self.place(regroup.by_range),
                    };
                    let range = lookup_range(&regroup.source);
                    self.record(owner, path, UseKind::Loop { rows: vec![row] }, range);
                }
                if let Some(target) = &regroup.target {
                    self.bind(target, Bound::Unknown);
                }
            }
            Node::Tag(tag) => self.tag(tag),
            Node::Set(set) => self.set(set),
            // Walked where it is called.
            Node::Macro(_) => {}
            Node::CallBlock(call) => {
                self.expr(&call.call, Final::Print);
                // The body is what the macro's `caller()` renders, in the caller's scope.
                self.push_scope(Sees::Outer);
                for param in &call.params {
                    self.bind(&param.name, Bound::Unknown);
                }
                self.nodes(&call.body);
                self.scopes.pop();
            }
            Node::Import(import) => self.import(import),
        }
    }

    /// Walks the `index`th body of a block chain (`{{ block.super }}` walks the next).
    fn block(&mut self, chain: Vec<Rc<BlockDef>>, index: usize) {
        let def = chain[index].clone();
        self.supers.push((chain, index));
        let outer = std::mem::replace(&mut self.current, def.template.clone());
        self.body(&def.body, &[]);
        self.current = outer;
        self.supers.pop();
    }

    fn tag(&mut self, tag: &Tag) {
        let args = match tag.name.as_str() {
            _ if !tag.builtin => Final::Escape,
            "url" | "cycle" | "firstof" | "translate" | "trans" => Final::Print,
            _ => Final::Read,
        };
        for arg in &tag.args {
            self.expr(arg, args);
        }
        // `{% blocktranslate with a=b %}` names values for its body, as `{% with %}`.
        let aliases = if tag.builtin {
            self.aliases(&tag.keywords)
        } else {
            for keyword in &tag.keywords {
                self.expr(&keyword.value, Final::Escape);
            }
            Vec::new()
        };
        for body in &tag.bodies {
            self.body(body, &aliases);
        }
        if let Some(target) = &tag.target {
            self.bind(target, Bound::Unknown);
        }
    }
}

/// The range of the lookup `expr` starts with (its whole range for a literal).
fn lookup_range(expr: &FilterExpr) -> TextRange {
    match &expr.value {
        Value::Lookup(lookup) => lookup.range,
        Value::Literal(_) | Value::String { .. } | Value::Compound(_) => expr.range,
    }
}

/// The bodies a node holds.
fn children(node: &Node) -> Vec<&[Node]> {
    match node {
        Node::For(f) => {
            let mut all = vec![f.body.as_slice()];
            all.extend(f.empty.as_deref());
            all
        }
        Node::If(i) => i.branches.iter().map(|b| b.body.as_slice()).collect(),
        Node::With(w) => vec![&w.body],
        Node::Block(b) => vec![&b.body],
        Node::Tag(t) => t.bodies.iter().map(Vec::as_slice).collect(),
        Node::Set(s) => vec![&s.body],
        Node::CallBlock(c) => vec![&c.body],
        _ => Vec::new(),
    }
}
