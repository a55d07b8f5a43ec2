//! Names in scope and what an expression reaches: the context variable or loop row it
//! stands for and the path looked up on it, recorded as the uses its filters and its
//! end make of it.

use std::collections::HashMap;
use std::rc::Rc;

use super::filters::{FilterKind, kind, row_path};
use super::jinja::{MacroDef, Module};
use super::walk::Walker;
use super::{Called, Step, Use, UseKind};
use crate::syntax::template::{
    Argument, Binding, Dialect, Filter, FilterExpr, Lookup, Name, Role, Value,
};
use crate::text::TextRange;

/// Whose value a name stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Owner {
    Context(String),
    /// The row of the open loop at this index of `Walker::rows`.
    Row(usize),
}

#[derive(Debug, Clone)]
pub(super) enum Bound {
    /// The value at this path of the owner.
    To(Owner, Vec<Step>),
    /// Something we do not follow: it shadows the context variable of that name.
    Unknown,
    /// A Jinja2 macro.
    Macro(Rc<MacroDef>),
    /// The macros of a template `{% import %}`ed as a name.
    Macros(Module),
}

/// What the names of enclosing scopes are to a scope's body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Sees {
    /// All of them.
    Outer,
    /// The context's, not those the enclosing tags bind (a macro's body).
    Context,
    /// None (`{% include ... only %}`, a macro imported without context).
    Nothing,
}

pub(super) struct Scope {
    pub(super) names: HashMap<String, Bound>,
    pub(super) sees: Sees,
}

impl Default for Scope {
    fn default() -> Self {
        Self {
            names: HashMap::new(),
            sees: Sees::Outer,
        }
    }
}

/// What the value of an expression is used for once its filters ran.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Final {
    /// `{{ x }}`: turned into text.
    Print,
    Read,
    /// Bound to a name: read only if it looks something up.
    Alias,
    Escape,
    /// Iterated by the caller, which records the loop.
    Keep,
}

pub(super) type Reached = Option<(Owner, Vec<Step>)>;

/// What a name stands for in a scope.
enum Binds<'b> {
    /// What a tag bound it to.
    Name(&'b Bound),
    /// The context variable of that name (or a global).
    Context,
    /// Nothing we know: the scope sees no outer name (`only`, a macro imported
    /// without context).
    Hidden,
}

/// Jinja2's translation functions (`jinja2.ext.i18n`): they format their arguments
/// into the text.
const GETTEXT: [&str; 5] = ["_", "gettext", "ngettext", "pgettext", "npgettext"];

impl Walker<'_> {
    pub(super) fn record(
        &mut self,
        owner: Owner,
        path: Vec<Step>,
        kind: UseKind,
        range: TextRange,
    ) {
        let at = self.place(range);
        let used = Use { path, kind, at };
        match owner {
            Owner::Context(name) => self.summary.context.entry(name).or_default().push(used),
            Owner::Row(k) => self.rows[k].push(used),
        }
    }

    pub(super) fn push_scope(&mut self, sees: Sees) {
        self.scopes.push(Scope {
            names: HashMap::new(),
            sees,
        });
    }

    pub(super) fn bind(&mut self, name: &Name, binding: Bound) {
        if let Some(scope) = self.scopes.last_mut() {
            scope.names.insert(name.name.clone(), binding);
        }
    }

    /// What the name `variable` stands for where the walk is.
    fn binding(&self, variable: &str) -> Binds<'_> {
        for scope in self.scopes.iter().rev() {
            if let Some(bound) = scope.names.get(variable) {
                return Binds::Name(bound);
            }
            match scope.sees {
                Sees::Outer => {}
                Sees::Context => return Binds::Context,
                Sees::Nothing => return Binds::Hidden,
            }
        }
        Binds::Context
    }

    /// The steps of `lookup` after its variable, called as its dialect calls them.
    fn steps(&self, lookup: &Lookup) -> Vec<Step> {
        lookup.parts[1..]
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let called = match self.dialect {
                    Dialect::Django => Called::IfCallable,
                    Dialect::Jinja2 if lookup.call_of(i + 1).is_some() => Called::Yes,
                    Dialect::Jinja2 => Called::No,
                };
                Step::new(name.clone(), called)
            })
            .collect()
    }

    pub(super) fn resolve(&self, lookup: &Lookup) -> Reached {
        // `f(x).y`: what a function returns is not followed.
        if lookup.call_of(0).is_some() {
            return None;
        }
        let rest = self.steps(lookup);
        match self.binding(lookup.variable()) {
            Binds::Name(Bound::To(owner, path)) => {
                Some((owner.clone(), [path.clone(), rest].concat()))
            }
            Binds::Name(_) | Binds::Hidden => None,
            Binds::Context => Some((Owner::Context(lookup.variable().to_string()), rest)),
        }
    }

    /// The macro a Jinja2 lookup calls (`m(...)`, `forms.m(...)`), with the call.
    fn called_macro<'l>(&self, lookup: &'l Lookup) -> Option<(Rc<MacroDef>, &'l [Argument])> {
        let last = lookup.parts.len() - 1;
        let call = lookup.call_of(last)?;
        let def = match (self.binding(lookup.variable()), last) {
            (Binds::Name(Bound::Macro(def)), 0) => def.clone(),
            (Binds::Name(Bound::Macros(module)), 1) => module.get(&lookup.parts[1])?.clone(),
            _ => return None,
        };
        Some((def, &call.args))
    }

    /// What Jinja2 calls in `lookup` are given: a macro's arguments are bound to its
    /// parameters and its body walked; the translation functions print theirs; what
    /// anything else is given escapes.
    fn calls(&mut self, lookup: &Lookup) {
        if let Some((def, args)) = self.called_macro(lookup) {
            return self.call_macro(def, args, lookup.range);
        }
        let context_global = matches!(self.binding(lookup.variable()), Binds::Context);
        for call in &lookup.calls {
            let end = match call.part {
                0 if context_global && GETTEXT.contains(&lookup.variable()) => Final::Print,
                0 if context_global && lookup.variable() == "range" => Final::Read,
                _ => Final::Escape,
            };
            for arg in &call.args {
                self.expr(&arg.value, end);
            }
        }
    }

    /// Records what `expr` and its filters read; the value it leaves, when it is still
    /// the one looked up.
    pub(super) fn expr(&mut self, expr: &FilterExpr, end: Final) -> Reached {
        let (mut current, range) = match &expr.value {
            Value::Lookup(lookup) => {
                self.calls(lookup);
                (self.resolve(lookup), lookup.range)
            }
            Value::Literal(range) | Value::String { range, .. } => (None, *range),
            Value::Compound(operands) => {
                let filtered = expr
                    .filters
                    .iter()
                    .map(|f| self.filter_kind(f))
                    .collect::<Vec<_>>();
                let value_end = match end {
                    _ if filtered.contains(&FilterKind::Unknown) => Final::Escape,
                    _ if !filtered.is_empty() => Final::Read,
                    // A value we cannot name is bound or iterated: it goes where we do
                    // not follow it.
                    Final::Keep | Final::Alias => Final::Escape,
                    other => other,
                };
                for operand in operands {
                    let end = match operand.role {
                        Role::Value => value_end,
                        Role::Text => Final::Print,
                        Role::Read => Final::Read,
                        Role::Escapes => Final::Escape,
                    };
                    self.expr(&operand.expr, end);
                }
                (None, expr.range)
            }
        };
        for filter in &expr.filters {
            let filter_kind = self.filter_kind(filter);
            self.filter_args(filter, filter_kind);
            let Some((owner, mut path)) = current.clone() else {
                continue;
            };
            // `|attr("name")` looks the attribute up, as `.name` does.
            if self.dialect == Dialect::Jinja2
                && filter.name == "attr"
                && let [Argument { name: None, value }] = filter.args.as_slice()
                && let Value::String { value: attr, .. } = &value.value
            {
                path.push(Step::new(attr.clone(), Called::No));
                current = Some((owner, path));
                continue;
            }
            if let Some(key) = row_path(self.dialect, filter) {
                let row = Use {
                    path: key,
                    kind: UseKind::Read,
                    at: self.place(filter.range),
                };
                self.record(
                    owner.clone(),
                    path.clone(),
                    UseKind::Loop { rows: vec![row] },
                    range,
                );
            }
            let used = match filter_kind {
                FilterKind::Passes => continue,
                FilterKind::Text => UseKind::Text,
                FilterKind::Reads | FilterKind::Item => UseKind::Read,
                FilterKind::Counts => UseKind::Length,
                FilterKind::EachText => UseKind::Loop {
                    rows: vec![Use {
                        path: Vec::new(),
                        kind: UseKind::Text,
                        at: self.place(filter.range),
                    }],
                },
                // The rows were read above, by the attribute the filter names.
                FilterKind::EachAttribute => {
                    current = None;
                    continue;
                }
                FilterKind::Unknown => UseKind::Escapes,
            };
            self.record(owner, path, used, range);
            current = None;
        }
        if let Some((owner, path)) = current.clone() {
            let looks_up = matches!(&expr.value, Value::Lookup(l) if !l.path().is_empty());
            match end {
                Final::Print => self.record(owner, path, UseKind::Text, range),
                Final::Read => self.record(owner, path, UseKind::Read, range),
                Final::Alias if looks_up => self.record(owner, path, UseKind::Read, range),
                Final::Escape => self.record(owner, path, UseKind::Escapes, range),
                Final::Alias | Final::Keep => {}
            }
        }
        current
    }

    fn filter_kind(&self, filter: &Filter) -> FilterKind {
        kind(self.dialect, filter)
    }

    /// What a filter's arguments are used for: read by a filter we know, given to code
    /// we do not read otherwise.
    fn filter_args(&mut self, filter: &Filter, filter_kind: FilterKind) {
        let end = match filter_kind {
            FilterKind::Unknown => Final::Escape,
            _ => Final::Read,
        };
        if let Some(Value::Lookup(arg)) = &filter.arg
            && let Some((owner, path)) = self.resolve(arg)
        {
            let arg_use = match end {
                Final::Escape => UseKind::Escapes,
                _ => UseKind::Read,
            };
            self.record(owner, path, arg_use, arg.range);
        }
        for arg in &filter.args {
            self.expr(&arg.value, end);
        }
    }

    /// The names `bindings` give, their values read in the enclosing scope.
    pub(super) fn aliases(&mut self, bindings: &[Binding]) -> Vec<(Name, Bound)> {
        bindings
            .iter()
            .map(|b| (b.name.clone(), self.alias(&b.value)))
            .collect()
    }

    /// What a name bound to `value` stands for.
    pub(super) fn alias(&mut self, value: &FilterExpr) -> Bound {
        let reached = self.expr(value, Final::Alias);
        reached.map_or(Bound::Unknown, |(o, p)| Bound::To(o, p))
    }
}
