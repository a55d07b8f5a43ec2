//! Names in scope and what an expression reaches: the context variable or loop row it
//! stands for and the path looked up on it, recorded as the uses its filters and its
//! end make of it.

use std::collections::HashMap;

use super::filters::{FilterKind, kind};
use super::walk::Walker;
use super::{Use, UseKind};
use crate::syntax::template::{Binding, FilterExpr, Lookup, Name, Value};
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
    To(Owner, Vec<String>),
    /// Something we do not follow: it shadows the context variable of that name.
    Unknown,
}

#[derive(Default)]
pub(super) struct Scope {
    pub(super) names: HashMap<String, Bound>,
    /// `{% include ... only %}`: names of the enclosing scopes are not seen.
    pub(super) barrier: bool,
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

pub(super) type Reached = Option<(Owner, Vec<String>)>;

impl Walker<'_> {
    pub(super) fn record(
        &mut self,
        owner: Owner,
        path: Vec<String>,
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

    pub(super) fn push_scope(&mut self, barrier: bool) {
        self.scopes.push(Scope {
            names: HashMap::new(),
            barrier,
        });
    }

    pub(super) fn bind(&mut self, name: &Name, binding: Bound) {
        if let Some(scope) = self.scopes.last_mut() {
            scope.names.insert(name.name.clone(), binding);
        }
    }

    pub(super) fn resolve(&self, lookup: &Lookup) -> Reached {
        let rest = lookup.path().to_vec();
        for scope in self.scopes.iter().rev() {
            match scope.names.get(lookup.variable()) {
                Some(Bound::To(owner, path)) => {
                    return Some((owner.clone(), [path.clone(), rest].concat()));
                }
                Some(Bound::Unknown) => return None,
                None if scope.barrier => return None,
                None => {}
            }
        }
        Some((Owner::Context(lookup.variable().to_string()), rest))
    }

    /// Records what `expr` and its filters read; the value it leaves, when it is still
    /// the one looked up.
    pub(super) fn expr(&mut self, expr: &FilterExpr, end: Final) -> Reached {
        let (mut current, range) = match &expr.value {
            Value::Lookup(lookup) => (self.resolve(lookup), lookup.range),
            Value::Literal(range) | Value::String { range, .. } => (None, *range),
        };
        for filter in &expr.filters {
            let filter_kind = kind(&filter.name);
            if let Some(Value::Lookup(arg)) = &filter.arg
                && let Some((owner, path)) = self.resolve(arg)
            {
                let arg_use = match filter_kind {
                    FilterKind::Unknown => UseKind::Escapes,
                    _ => UseKind::Read,
                };
                self.record(owner, path, arg_use, arg.range);
            }
            let Some((owner, path)) = current.clone() else {
                continue;
            };
            let used = match filter_kind {
                FilterKind::Passes => {
                    // `dictsort:"author.name"` reads that path of every row.
                    if filter.name.starts_with("dictsort")
                        && let Some(Value::String { value: key, .. }) = &filter.arg
                    {
                        let row = Use {
                            path: key.split('.').map(str::to_string).collect(),
                            kind: UseKind::Read,
                            at: self.place(filter.range),
                        };
                        self.record(owner, path, UseKind::Loop { rows: vec![row] }, range);
                    }
                    continue;
                }
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

    /// The names `bindings` give, their values read in the enclosing scope.
    pub(super) fn aliases(&mut self, bindings: &[Binding]) -> Vec<(Name, Bound)> {
        bindings
            .iter()
            .map(|b| {
                let value = self.expr(&b.value, Final::Alias);
                let binding = value.map_or(Bound::Unknown, |(o, p)| Bound::To(o, p));
                (b.name.clone(), binding)
            })
            .collect()
    }
}
