//! Calls of functions defined in the project's other modules (`from .queries import
//! visible_posts`, `queries.visible_posts(user)`): the module's text, parsed whole, is
//! walked by a walker of that file for what the call returns, with the call's
//! arguments bound.
//!
//! What comes back keeps what it applies but no place: a fix made here cannot edit
//! the other file, and its places mean nothing in this one. The module read is
//! recorded with the hash of its text ([`ModuleRead`]), so cached findings are only
//! reused while that text is unchanged.

use tree_sitter::Node;

use std::sync::Arc;

use crate::analysis::sources::{ModuleRead, ModuleSources, ModuleText, Returned};
use crate::index::{Imported, join_dotted as join};
use crate::syntax::node::{CallArgs, dotted_name};
use crate::syntax::scan::may_use_orm;

use super::MAX_CALL_DEPTH;
use super::cache::{module_functions, module_statements};
use super::calls::Signature;
use super::values::{Env, Obj, Qs, Value};
use super::walker::Walker;

/// How many `from x import f` re-exports are followed to the module defining `f`.
const MAX_REEXPORTS: usize = 3;

impl<'a> Walker<'a> {
    /// What the call `function(args)` returns when `function` names a function of
    /// another module of the project; `None` when it names nothing we can read there.
    pub(super) fn call_elsewhere(
        &mut self,
        function: Node<'a>,
        args: &CallArgs<'a>,
        env: &Env,
    ) -> Option<Vec<Value>> {
        let sources = self.sources?;
        // A call whose value nothing reads (`log_event(post)`) returns nothing we need.
        let call = function.parent()?;
        if call
            .parent()
            .is_none_or(|p| p.kind() == "expression_statement")
        {
            return None;
        }
        let dotted = dotted_name(function, self.src())?;
        if env.contains_key(&dotted[0]) || self.functions.contains_key(&dotted[0]) {
            return None;
        }
        let (module, name) = self.imported_function(&dotted)?;
        let (text, name) = defining_module(sources, module, name)?;
        self.read_module(&text);
        let start = text.functions[&name];
        let def = text
            .file
            .tree()
            .root_node()
            .descendant_for_byte_range(start, start)
            .and_then(|node| node.parent().filter(|def| def.start_byte() == start))?;
        // A function that names no manager and calls no queryset method returns no rows.
        if self.active.len() >= MAX_CALL_DEPTH || !may_use_orm(text.file.text(def)) {
            return Some(vec![Value::Unknown]);
        }
        let depth = self.active.len();
        let mut bound = self.bind(&Signature::of(def, &text.file.source), args, env, None);
        for values in bound.values_mut() {
            for value in values.iter_mut() {
                *value = std::mem::replace(value, Value::Unknown).passed_elsewhere();
            }
        }
        if let Some((values, read)) = text.returned(&name, depth, &bound) {
            self.facts.read_modules(read);
            return Some(values);
        }
        let statements = module_statements(&text.file);
        let functions = module_functions(&text.file, &statements);
        let mut there = Walker::new(
            &text.file,
            self.index,
            &functions,
            Some(&text.imports),
            self.deadline,
            self.sources,
        );
        // Calls followed from there count towards the same depth.
        there.active = vec![usize::MAX; depth];
        let given = bound.clone();
        let values: Vec<Value> = there
            .returns_of(def, bound, None)
            .into_iter()
            .map(Value::placeless)
            .collect();
        let read = there.facts.modules_read;
        self.facts.read_modules(read.clone());
        // A walk the deadline stopped may have missed returns.
        if !self.deadline.passed() {
            text.remember(Returned {
                name,
                depth,
                given,
                values: values.clone(),
                read,
            });
        }
        Some(values)
    }

    /// The (module, name) a dotted callee names through this file's imports, when it is
    /// imported at all.
    fn imported_function(&self, dotted: &[String]) -> Option<(String, String)> {
        let imports = match self.imports {
            Some(imports) => imports,
            None => self.index.imports_of(&self.file.module)?,
        };
        let (first, rest) = dotted.split_first()?;
        let base = match imports.get(first)? {
            Imported::Name { module, name } if rest.is_empty() => {
                return Some((module.clone(), name.clone()));
            }
            Imported::Name { module, name } => join(module, name),
            Imported::Module(module) => module.clone(),
        };
        let (name, middle) = rest.split_last()?;
        let module = middle.iter().fold(base, |module, part| join(&module, part));
        Some((module, name.clone()))
    }

    fn read_module(&mut self, text: &ModuleText) {
        self.facts.read_modules([ModuleRead {
            module: text.file.module.clone(),
            hash: text.hash,
        }]);
    }
}

/// The module that defines `name` as a top-level function, following re-exports
/// (`from .impl import name` in a package's `__init__.py`), with the name it has there.
fn defining_module(
    sources: &dyn ModuleSources,
    module: String,
    name: String,
) -> Option<(Arc<ModuleText>, String)> {
    let (mut module, mut name) = (module, name);
    for _ in 0..=MAX_REEXPORTS {
        let text = sources.module(&module)?;
        if text.functions.contains_key(&name) {
            return Some((text, name));
        }
        match text.imports.get(&name)? {
            Imported::Name {
                module: next,
                name: next_name,
            } => {
                (module, name) = (next.clone(), next_name.clone());
            }
            Imported::Module(_) => return None,
        }
    }
    None
}

impl Value {
    /// This value as another file's walker holds it: its places and the classes of
    /// this file it names mean nothing there.
    fn passed_elsewhere(self) -> Value {
        self.placeless()
    }

    /// A value another file's walker gave back, without the places it holds: they are
    /// in that file.
    fn placeless(self) -> Value {
        match self {
            Value::Qs(qs) => Value::Qs(qs.placeless()),
            Value::Rows(qs) => Value::Rows(qs.placeless()),
            Value::Obj(obj) => Value::Obj(Obj {
                qs: obj.qs.placeless(),
                ..obj
            }),
            Value::Enumerate(inner) => Value::Enumerate(Box::new(inner.placeless())),
            Value::Model(_) | Value::Request | Value::Constant(_) | Value::Unknown => self,
            Value::RelatedManager { .. } | Value::View(_) | Value::ViewSuper(_) => Value::Unknown,
        }
    }
}

impl Qs {
    fn placeless(self) -> Qs {
        Qs {
            origin: None,
            select_call: None,
            prefetch_call: None,
            only_call: None,
            defer_call: None,
            after_custom: None,
            ..self
        }
    }
}
