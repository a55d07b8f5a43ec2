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

use std::path::Path;
use std::sync::Arc;

use crate::analysis::sources::{ModuleText, Returned, function_elsewhere};
use crate::index::{Attribute, ImportMap, MethodKind};
use crate::syntax::SourceFile;
use crate::syntax::fields::FIELDS;
use crate::syntax::node::{CallArgs, descendants, dotted_name};
use crate::syntax::scan::may_use_orm;
use crate::text::TextRange;

use super::MAX_CALL_DEPTH;
use super::cache::{function_def, module_functions, module_statements};
use super::calls::Signature;
use super::facts::Facts;
use super::values::{Elsewhere, Env, Obj, Qs, Value};
use super::walker::Walker;

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
        let (dotted, imports) = self.imported_callee(function, env)?;
        let (text, name) = function_elsewhere(sources, imports, &dotted)?;
        self.read_module(&text);
        // A function that names no manager and calls no queryset method returns no rows:
        // its module is not parsed for it.
        if self.active.len() >= MAX_CALL_DEPTH || !may_use_orm(text.function_text(&name)?) {
            return Some(vec![Value::Unknown]);
        }
        let def = text.function(&name)?;
        Some(self.returns_elsewhere(&text, def, name, Some(args), env, None))
    }

    /// A call handing rows (or a queryset) to a function of another module that loops
    /// over them: each such loop is recorded as this file's, at the call, with what it
    /// reads of each row (a fix then edits the queryset here). Loops over rows the
    /// function builds itself are its own module's findings.
    pub(super) fn rows_given_elsewhere(
        &mut self,
        function: Node<'a>,
        args: &CallArgs<'a>,
        env: &Env,
    ) -> Option<()> {
        let sources = self.sources?;
        if self.active.len() >= MAX_CALL_DEPTH {
            return None;
        }
        let (dotted, imports) = self.imported_callee(function, env)?;
        // The argument that hands the rows over, where the finding is: without one, the
        // other module is not read at all.
        let handed = args
            .positional
            .iter()
            .chain(args.keywords.iter().map(|(_, arg)| arg))
            .copied()
            .find(|arg| {
                let values = self.eval(*arg, env);
                values
                    .iter()
                    .any(|v| matches!(v, Value::Qs(_) | Value::Rows(_)))
            })?;
        let (text, name) = function_elsewhere(sources, imports, &dotted)?;
        let def = text.function(&name)?;
        let here = self.file.path.clone();
        let mut bound = self.bind(&Signature::of(def, &text.file.source), args, env, None);
        let mut given = false;
        for values in bound.values_mut() {
            for value in values.iter_mut() {
                given |= value.mark_given(&here);
            }
        }
        if !given {
            return None;
        }
        self.read_module(&text);
        // `function()` does not count itself as a call: one more deep.
        let ((), facts) = self.walk_there(&text, def, self.active.len() + 1, |there, def| {
            there.function(def, bound);
        });
        self.facts.read_modules(facts.modules_read);
        let at = TextRange::of(handed);
        let via = format!("{}()", dotted.join("."));
        for mut fact in facts.loops {
            let all_given = fact
                .sources
                .iter()
                .all(|qs| qs.elsewhere.as_ref().is_some_and(|e| e.path == here));
            if !all_given {
                continue;
            }
            for qs in &mut fact.sources {
                qs.elsewhere = None;
            }
            for access in &mut fact.accesses {
                access.range = at;
                access.via = Some(via.clone());
            }
            fact.iter_range = at;
            fact.body_range = at;
            fact.sole_consumer = false;
            self.facts.loops.push(fact);
        }
        Some(())
    }

    /// What `obj.name(args)` (`args` given) or the property `obj.name` returns when the
    /// object's model class, or a model base of it, defines it: its body walked with
    /// `self` bound to the object. `None` for anything else.
    pub(super) fn model_method_returns(
        &mut self,
        obj: &Obj,
        name: &str,
        args: Option<&CallArgs<'a>>,
        env: &Env,
    ) -> Option<Vec<Value>> {
        let sources = self.sources?;
        let model = obj.model()?;
        let Attribute::Method(method) = self.index.attribute(model, name)? else {
            return None;
        };
        let property = matches!(
            method.kind,
            MethodKind::Property | MethodKind::CachedProperty
        );
        if method.shadowable || property == args.is_some() {
            return None;
        }
        let (module, class) = (method.module.clone(), method.class.clone());
        let text = sources.module(&module)?;
        self.read_module(&text);
        let def = method_of_class(&text.file, &class, name)?;
        let receiver = Value::Obj(obj.clone());
        let key = format!("{class}.{name}");
        Some(self.returns_elsewhere(&text, def, key, args, env, Some(receiver)))
    }

    /// What `def`, a function of `text`, returns when called with `args` (none for a
    /// property) and `receiver` as its first parameter, remembered under `key`.
    pub(super) fn returns_elsewhere(
        &mut self,
        text: &ModuleText,
        def: Node<'_>,
        key: String,
        args: Option<&CallArgs<'a>>,
        env: &Env,
        receiver: Option<Value>,
    ) -> Vec<Value> {
        // A function that names no manager and calls no queryset method returns no rows.
        if self.active.len() >= MAX_CALL_DEPTH || !may_use_orm(text.file.text(def)) {
            return vec![Value::Unknown];
        }
        let depth = self.active.len();
        let signature = Signature::of(def, &text.file.source);
        let no_args = CallArgs::default();
        let mut bound = self.bind(&signature, args.unwrap_or(&no_args), env, receiver);
        for values in bound.values_mut() {
            for value in values.iter_mut() {
                *value = std::mem::replace(value, Value::Unknown).placeless(None);
            }
        }
        if let Some((values, read)) = text.returned(&key, depth, &bound) {
            self.facts.read_modules(read);
            return values;
        }
        let given = bound.clone();
        let (returned, facts) = self.walk_there(text, def, depth, |there, def| {
            there.returns_of(def, bound, None)
        });
        let values: Vec<Value> = returned
            .into_iter()
            .map(|value| value.placeless(Some(&text.file.path)))
            .collect();
        let read = facts.modules_read;
        self.facts.read_modules(read.clone());
        // A walk the deadline stopped may have missed returns.
        if !self.deadline.passed() {
            text.remember(Returned {
                name: key,
                depth,
                given,
                values: values.clone(),
                read,
            });
        }
        values
    }

    /// `walk` given a walker of `text`'s module, `depth` calls deep (calls followed from
    /// there count towards the same limit), and `def`, a function of it; with the facts
    /// that walker recorded.
    pub(super) fn walk_there<'t, R>(
        &self,
        text: &'t ModuleText,
        def: Node<'t>,
        depth: usize,
        walk: impl for<'w> FnOnce(&mut Walker<'w>, Node<'w>) -> R,
    ) -> (R, Facts) {
        let statements = module_statements(&text.file);
        let functions = module_functions(&text.file, &statements);
        let mut there = Walker::new(
            &text.file,
            self.index,
            &functions,
            Some(text.imports()),
            self.deadline,
            self.sources,
        );
        there.active = vec![usize::MAX; depth];
        let result = walk(&mut there, def);
        (result, there.facts)
    }

    /// The dotted name `function` is written as, when its first name is imported (not a
    /// local name, nor a function of this module), with this file's imports.
    pub(super) fn imported_callee(
        &self,
        function: Node<'a>,
        env: &Env,
    ) -> Option<(Vec<String>, &'a ImportMap)> {
        let dotted = dotted_name(function, self.src())?;
        if env.contains_key(&dotted[0]) || self.function_named(&dotted[0]).is_some() {
            return None;
        }
        let imports = match self.imports {
            Some(imports) => imports,
            None => self.index.imports_of(&self.file.module)?,
        };
        imports.get(&dotted[0])?;
        Some((dotted, imports))
    }

    pub(super) fn read_module(&mut self, text: &ModuleText) {
        self.facts.read_modules([text.read()]);
    }
}

/// The method `name` of the top-level class `class` of `file`, unless a decorator
/// makes its first parameter something else than the instance.
pub(super) fn method_of_class<'f>(
    file: &'f SourceFile,
    class: &str,
    name: &str,
) -> Option<Node<'f>> {
    let class = file.top_level_class(class)?;
    let body = class.child_by_field_id(FIELDS.body)?;
    let mut cursor = body.walk();
    let statement = body.named_children(&mut cursor).find(|statement| {
        function_def(*statement)
            .and_then(|def| def.child_by_field_id(FIELDS.name))
            .is_some_and(|n| file.text(n) == name)
    })?;
    let on_class = statement.kind() == "decorated_definition"
        && descendants(statement)
            .take_while(|n| n.kind() != "function_definition")
            .any(|n| matches!(file.text(n), "staticmethod" | "classmethod"));
    (!on_class).then(|| function_def(statement)).flatten()
}

impl Value {
    /// This value as another file's walker holds it, or as it comes back from there:
    /// without the places it holds (they are in one file) and the classes of one file
    /// it names.
    /// A queryset built in `path` (when given: a value given back, not one passed on,
    /// whose places are in this file) keeps where it was built as [`Qs::elsewhere`].
    pub(super) fn placeless(self, path: Option<&Path>) -> Value {
        match self {
            Value::Qs(qs) => Value::Qs(qs.placeless(path)),
            Value::Rows(qs) => Value::Rows(qs.placeless(path)),
            Value::Obj(obj) => Value::Obj(Obj {
                qs: obj.qs.placeless(path),
                ..obj
            }),
            Value::Enumerate(inner) => Value::Enumerate(Box::new(inner.placeless(path))),
            Value::Model(_) | Value::Request | Value::Constant(_) | Value::Unknown => self,
            Value::RelatedManager { .. }
            | Value::View(_)
            | Value::ViewSuper(_)
            | Value::Dict(_)
            | Value::Paginator(_) => Value::Unknown,
        }
    }
}

impl Value {
    /// Marks rows or a queryset of this file (`path`), handed to another module's
    /// function, as given by this file; `true` when the value is one.
    fn mark_given(&mut self, path: &Path) -> bool {
        let qs = match self {
            Value::Qs(qs) | Value::Rows(qs) => qs,
            _ => return false,
        };
        let Some(origin) = &qs.origin else {
            return false;
        };
        qs.elsewhere = Some(Arc::new(Elsewhere {
            path: path.to_path_buf(),
            range: origin.range,
        }));
        true
    }
}

impl Qs {
    fn placeless(self, path: Option<&Path>) -> Qs {
        let elsewhere = match (&self.elsewhere, &self.origin, path) {
            (None, Some(origin), Some(path)) => Some(Arc::new(Elsewhere {
                path: path.to_path_buf(),
                range: origin.range,
            })),
            _ => self.elsewhere.clone(),
        };
        Qs {
            origin: None,
            elsewhere,
            select_call: None,
            prefetch_call: None,
            only_call: None,
            defer_call: None,
            after_custom: None,
            ..self
        }
    }
}
