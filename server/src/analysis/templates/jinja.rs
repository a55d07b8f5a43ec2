//! What only Jinja2 templates do: `{% set %}`, `{% import %}`/`{% from ... import %}`
//! and calls of macros.
//!
//! - A macro of the template rendered can be called anywhere in it and sees the
//!   context; an imported one sees it only when imported `with context`. Neither sees
//!   the names the caller's tags bind.
//! - A call binds the macro's parameters to its arguments (keywords by name, defaults
//!   read in the macro) and walks its body; a macro calls the other macros of its
//!   template. A macro that calls itself, directly or not, or past
//!   [`MAX_MACRO_CALLS`] bodies walked in one summary, is not followed: what it is
//!   given escapes (past the budget the summary has a gap).
//! - A name imported from a template that cannot be loaded calls what we do not read.

use std::collections::HashMap;
use std::rc::Rc;

use super::values::{Bound, Final, Sees};
use super::walk::Walker;
use super::{GapReason, LoadedTemplate, MAX_TEMPLATE_DEPTH};
use crate::syntax::template::{Argument, IfBranch, Import, Macro, Name, Node, Set};
use crate::text::TextRange;

/// Macro bodies walked at most for one summary.
pub const MAX_MACRO_CALLS: usize = 2000;

/// A macro and where it is defined.
#[derive(Debug)]
pub(super) struct MacroDef {
    pub(super) template: String,
    pub(super) node: Macro,
    /// Its body sees the context it is rendered with.
    pub(super) sees_context: bool,
}

/// The macros of a template, by name.
pub(super) type Module = Rc<HashMap<String, Rc<MacroDef>>>;

impl Walker<'_> {
    pub(super) fn set(&mut self, set: &Set) {
        let bound = match &set.value {
            Some(value) if set.targets.len() == 1 => self.alias(value),
            // `a, b = ...` unpacks, `ns.x = ...` stores: neither is followed.
            Some(value) => {
                self.expr(value, Final::Escape);
                Bound::Unknown
            }
            None => {
                self.body(&set.body, &[]);
                Bound::Unknown
            }
        };
        for target in &set.targets {
            self.bind(target, bound.clone());
        }
    }

    /// The macros `template` defines at its top level, read once.
    fn module(&mut self, template: &LoadedTemplate, sees_context: bool) -> Module {
        let key = (template.name.clone(), sees_context);
        if let Some(module) = self.modules.get(&key) {
            return module.clone();
        }
        let macros = template
            .template
            .nodes
            .iter()
            .filter_map(|node| match node {
                Node::Macro(m) => Some((
                    m.name.clone(),
                    Rc::new(MacroDef {
                        template: template.name.clone(),
                        node: m.clone(),
                        sees_context,
                    }),
                )),
                _ => None,
            });
        let module = Rc::new(macros.collect::<HashMap<_, _>>());
        self.modules.insert(key, module.clone());
        module
    }

    /// Binds the names of the macros of `template` in the innermost scope.
    pub(super) fn bind_macros(&mut self, template: &LoadedTemplate, sees_context: bool) {
        let module = self.module(template, sees_context);
        for (name, def) in module.iter() {
            let name = Name {
                range: def.node.range,
                name: name.clone(),
            };
            self.bind(&name, Bound::Macro(def.clone()));
        }
    }

    pub(super) fn import(&mut self, import: &Import) {
        let found = self.template_named(&import.template, import.range, false);
        let module = found.map(|t| self.module(&t, import.with_context));
        for (imported, name) in &import.names {
            let def = module.as_ref().and_then(|m| m.get(imported)).cloned();
            self.bind(name, def.map_or(Bound::Unknown, Bound::Macro));
        }
        if let Some(name) = &import.module {
            let module = module.unwrap_or_default();
            self.bind(name, Bound::Macros(module));
        }
    }

    pub(super) fn call_macro(&mut self, def: Rc<MacroDef>, args: &[Argument], at: TextRange) {
        let key = format!("{}#{}", def.template, def.node.name);
        let recursive = self.templates.contains(&key);
        if recursive || self.templates.len() >= MAX_TEMPLATE_DEPTH {
            return self.escape_all(args);
        }
        if self.macro_calls >= MAX_MACRO_CALLS {
            if self.macro_calls == MAX_MACRO_CALLS {
                self.gap(at, GapReason::TooDeep);
                self.macro_calls += 1;
            }
            return self.escape_all(args);
        }
        self.macro_calls += 1;
        let params = &def.node.params;
        let mut bound: Vec<Option<Bound>> = vec![None; params.len()];
        let mut positional = 0;
        for arg in args {
            let at = match &arg.name {
                Some(name) => params.iter().position(|p| p.name.name == name.name),
                None => {
                    positional += 1;
                    Some(positional - 1).filter(|&i| i < params.len())
                }
            };
            match at {
                Some(i) => bound[i] = Some(self.alias(&arg.value)),
                // `varargs` and `kwargs`: not followed.
                None => {
                    self.expr(&arg.value, Final::Escape);
                }
            }
        }
        self.push_scope(if def.sees_context {
            Sees::Context
        } else {
            Sees::Nothing
        });
        self.templates.push(key);
        let outer = std::mem::replace(&mut self.current, def.template.clone());
        if let Some(template) = self.loader.load(&def.template) {
            self.bind_macros(&template, def.sees_context);
        }
        for (param, bound) in params.iter().zip(bound) {
            let bound = match (bound, &param.default) {
                (Some(bound), _) => bound,
                (None, Some(default)) => self.alias(default),
                (None, None) => Bound::Unknown,
            };
            self.bind(&param.name, bound);
        }
        for name in ["caller", "varargs", "kwargs"] {
            let name = Name {
                range: def.node.range,
                name: name.to_string(),
            };
            self.bind(&name, Bound::Unknown);
        }
        self.nodes(&def.node.body);
        self.current = outer;
        self.templates.pop();
        self.scopes.pop();
    }

    fn escape_all(&mut self, args: &[Argument]) {
        for arg in args {
            self.expr(&arg.value, Final::Escape);
        }
    }
}

/// The names `{% set %}` binds in `branches`, nested `{% if %}`s included.
pub(super) fn names_set(branches: &[IfBranch], names: &mut Vec<Name>) {
    for node in branches.iter().flat_map(|b| &b.body) {
        match node {
            Node::Set(set) => names.extend(set.targets.iter().cloned()),
            Node::If(inner) => names_set(&inner.branches, names),
            _ => {}
        }
    }
}
