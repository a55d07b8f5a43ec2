//! What a function of the project does when a loop calls it, for ORM103: the first
//! query it runs, or that it writes. Its body is walked in summary mode
//! (`Walker::summary`), its own calls summarised in turn (as deep as
//! [`MAX_CALL_DEPTH`]); a query that runs only for some callers (under an `if` on a
//! parameter, after an early return, under a memo) is not its own.

use tree_sitter::Node;

use crate::analysis::sources::{ModuleText, function_elsewhere};
use crate::index::{Attribute, MethodKind};
use crate::syntax::fields::FIELDS;
use crate::syntax::node::text;
use crate::syntax::scan::may_use_orm;

use super::MAX_CALL_DEPTH;
use super::foreign::method_of_class;
use super::queries::{Found, WRITES, squeezed};
use super::values::{Env, Value};
use super::walker::{Walker, parameter_names};

/// What a function summarised does per call: its first query, or writes (its reads go
/// with its writes, ORM401-ORM403's), or neither.
#[derive(Debug, Clone)]
pub(super) enum Outcome {
    Query(Found),
    Writes,
    Nothing,
}

/// What the walk of a function summarised has found so far.
#[derive(Debug, Default)]
pub(super) struct Summary {
    pub(super) found: Vec<Found>,
    pub(super) writes: bool,
}

impl Summary {
    fn outcome(self) -> Outcome {
        match (self.writes, self.found.into_iter().next()) {
            (true, _) => Outcome::Writes,
            (false, Some(found)) => Outcome::Query(found),
            (false, None) => Outcome::Nothing,
        }
    }
}

impl<'a> Walker<'a> {
    /// The first query the function `function` calls runs (with how the call names it),
    /// when it is a function of this module or another, a model method of an object or
    /// a method of the view `self` is.
    pub(super) fn summary_of_call(
        &mut self,
        function: Node<'a>,
        env: &Env,
    ) -> Option<(Outcome, String)> {
        let callee = format!("{}()", squeezed(self.file.text(function)));
        if function.kind() == "identifier"
            && let Some(def) = self.function_named(self.file.text(function))
        {
            return Some((self.summarise_here(def, None, None)?, callee));
        }
        if function.kind() == "attribute" {
            if let Some((def, receiver)) = self.view_method_called(function, env) {
                let view = match receiver {
                    Some(Value::View(key)) => Some(key),
                    _ => None,
                };
                return Some((self.summarise_here(def, receiver, view)?, callee));
            }
            let object = function.child_by_field_id(FIELDS.object)?;
            let name = self
                .file
                .text(function.child_by_field_id(FIELDS.attribute)?);
            if let Some(found) = self.model_method_summary(object, name, true, env) {
                return Some((found, callee));
            }
        }
        let found = self.summarise_elsewhere(function, env)?;
        Some((found, callee))
    }

    /// The first query `def`, a function of this file, runs when called (`receiver` its
    /// first parameter, `view` the view it is a method of).
    fn summarise_here(
        &mut self,
        def: Node<'a>,
        receiver: Option<Value>,
        view: Option<usize>,
    ) -> Option<Outcome> {
        let key = format!("{}:{}", self.file.module, def.start_byte());
        if let Some(outcome) = self.summaries.get(&key) {
            return Some(outcome.clone());
        }
        if writes(text(def, self.src())) {
            return Some(Outcome::Writes);
        }
        if self.active.len() >= MAX_CALL_DEPTH
            || self.active.contains(&def.start_byte())
            || memoising(def, self.src())
        {
            return None;
        }
        let mut env = Env::new();
        if let (Some(receiver), Some(first)) = (
            receiver,
            parameter_names(def, self.src()).into_iter().next(),
        ) {
            env.insert(first, vec![receiver]);
        }
        let facts = std::mem::take(&mut self.facts);
        let seen = self.seen.clone();
        let summary = self.summary.replace(Summary::default());
        let current_view = std::mem::replace(&mut self.current_view, view);
        self.active.push(def.start_byte());
        self.function(def, env);
        self.active.pop();
        self.current_view = current_view;
        let outcome = std::mem::replace(&mut self.summary, summary)
            .map_or(Outcome::Nothing, Summary::outcome);
        self.seen = seen;
        let walked = std::mem::replace(&mut self.facts, facts);
        self.facts.read_modules(walked.modules_read);
        self.summaries.insert(key, outcome.clone());
        Some(outcome)
    }

    /// The first query a function of another module of the project, called as
    /// `function`, runs.
    fn summarise_elsewhere(&mut self, function: Node<'a>, env: &Env) -> Option<Outcome> {
        let sources = self.sources?;
        let (dotted, imports) = self.imported_callee(function, env)?;
        let (text, name) = function_elsewhere(sources, imports, &dotted)?;
        let key = format!("{}.{name}", text.file.module);
        if let Some(outcome) = self.summaries.get(&key) {
            return Some(outcome.clone());
        }
        self.read_module(&text);
        if self.active.len() >= MAX_CALL_DEPTH || !may_use_orm(text.function_text(&name)?) {
            return None;
        }
        let def = text.function(&name)?;
        let outcome = self.summarise_there(&text, def, None)?;
        self.summaries.insert(key, outcome.clone());
        Some(outcome)
    }

    /// The first query the method `name` of the model of the objects `object` holds
    /// runs, when the model's class (or a model base) defines it as a method (`called`)
    /// or a property.
    pub(super) fn model_method_summary(
        &mut self,
        object: Node<'a>,
        name: &str,
        called: bool,
        env: &Env,
    ) -> Option<Outcome> {
        let sources = self.sources?;
        let values = self.eval(object, env);
        let Some(Value::Obj(obj)) = values.first() else {
            return None;
        };
        if values.len() != 1 {
            return None;
        }
        let model = obj.model()?;
        let Attribute::Method(method) = self.index.attribute(model, name)? else {
            return None;
        };
        // A `cached_property` may have been set by the code that fetched the rows
        // (`row.duration = ...` for each): what reading it costs is not known.
        let is_method = method.kind == MethodKind::Method;
        if method.shadowable || is_method != called || method.kind == MethodKind::CachedProperty {
            return None;
        }
        let key = format!("{}.{}.{name}", method.module, method.class);
        if let Some(outcome) = self.summaries.get(&key) {
            return Some(outcome.clone());
        }
        let (module, class) = (method.module.clone(), method.class.clone());
        let text = sources.module(&module)?;
        self.read_module(&text);
        if self.active.len() >= MAX_CALL_DEPTH {
            return None;
        }
        let def = method_of_class(&text.file, &class, name)?;
        let receiver = Value::Obj(obj.clone()).placeless(None);
        let outcome = self.summarise_there(&text, def, Some(receiver))?;
        self.summaries.insert(key, outcome.clone());
        Some(outcome)
    }

    /// The first query `def`, of another module's `text`, runs when called with
    /// `receiver` as its first parameter.
    fn summarise_there(
        &mut self,
        text: &ModuleText,
        def: Node<'_>,
        receiver: Option<Value>,
    ) -> Option<Outcome> {
        if writes(text.file.text(def)) {
            return Some(Outcome::Writes);
        }
        if memoising(def, &text.file.source) {
            return None;
        }
        let depth = self.active.len() + 1;
        let (outcome, facts) = self.walk_there(text, def, depth, |there, def| {
            let mut env = Env::new();
            if let (Some(receiver), Some(first)) = (
                receiver,
                parameter_names(def, there.src()).into_iter().next(),
            ) {
                env.insert(first, vec![receiver]);
            }
            there.summary = Some(Summary::default());
            there.function(def, env);
            there
                .summary
                .take()
                .map_or(Outcome::Nothing, Summary::outcome)
        });
        self.facts.read_modules(facts.modules_read);
        let path = text.file.path.clone();
        Some(match outcome {
            Outcome::Query(found) => Outcome::Query(Found {
                elsewhere: Some(found.elsewhere.unwrap_or((path, found.range))),
                ..found
            }),
            other => other,
        })
    }

    /// The function being summarised writes.
    pub(super) fn summary_writes(&mut self) {
        if let Some(summary) = &mut self.summary {
            summary.writes = true;
        }
    }
}

/// Code that writes rows: a call of a write method, `get_or_create()`,
/// `update_or_create()`, a queryset's private `_raw_delete()` or a related manager's
/// `add()`, `remove()`, `set()`, `clear()` in its text (a list's `remove()` too: silence
/// is the safe side).
pub(super) fn writes(code: &str) -> bool {
    WRITES
        .iter()
        .chain(&[
            "get_or_create",
            "update_or_create",
            "_raw_delete",
            "add",
            "remove",
            "set",
            "clear",
        ])
        .any(|name| code.contains(&format!(".{name}(")))
}

/// Code naming a write (`delete_checkouts(ids)`, `update_totals()`): what it calls
/// may write.
pub(super) fn names_a_write(code: &str) -> bool {
    let code = code.to_lowercase();
    ["delete", "remove", "update", "save", "create", "clear"]
        .iter()
        .any(|word| code.contains(word))
}

/// A function that keeps what it computed (`@lru_cache`, `@cached`, a `cache` it
/// consults) may run its query once for many calls. (One that writes is left out by
/// its callers too: a write per iteration is ORM401-ORM403's, and its reads go with it.)
fn memoising(def: Node<'_>, src: &str) -> bool {
    let outer = def
        .parent()
        .filter(|p| p.kind() == "decorated_definition")
        .unwrap_or(def);
    let text = text(outer, src);
    let decorated = outer != def;
    let cached_decorator = decorated && {
        let header = &text[..text.find("def ").unwrap_or(0)];
        header.contains("cache") && !header.contains("cached_property") || header.contains("memo")
    };
    cached_decorator || text.contains("cache.") || text.contains("caches[")
}
