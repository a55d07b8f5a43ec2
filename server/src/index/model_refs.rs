//! Models named by a call rather than a class: `apps.get_model("app", "Model")`, a
//! project's loader wrapping it (`get_model("catalogue", "Product")`), a swappable getter
//! (`get_image_model()`, `apps.get_model(settings.IMAGE_MODEL)`). Read from the source
//! as expressions ([`ValueExpr`]) per file, evaluated across files once the models are
//! known ([`Evaluator`]): a string that names a model, or the model.
//!
//! Only what the source states is followed: a non-literal argument, a name the function
//! assigns twice (a parameter it reassigns, say), a setting two settings modules set
//! differently, or returns that name different models leave the call unknown.

use std::collections::HashMap;

use tree_sitter::Node;

use super::extract::{AliasValue, FileFacts};
use super::imports::ImportMap;
use super::model::{Model, ModelId};
use super::resolve::label_key;
use super::scope::{Referent, Scope};
use crate::syntax::fields::FIELDS;
use crate::syntax::node::{
    call_args, descendants, dotted_name, parameter_names, string_value, text,
};

/// An expression the index can evaluate to a string or a model.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub enum ValueExpr {
    Str(String),
    /// The enclosing function's parameter at this position.
    Param(usize),
    /// A dotted name: a model class, an alias, `settings.IMAGE_MODEL`.
    Name(Vec<String>),
    /// `function(args)`, keyword arguments that do not change the result left out.
    Call {
        function: Vec<String>,
        args: Vec<ValueExpr>,
    },
}

/// The first part of every name `expr` reads (`settings` of `settings.IMAGE_MODEL`,
/// `apps` of `apps.get_model(...)`).
pub fn names_of(expr: &ValueExpr) -> Box<dyn Iterator<Item = &str> + '_> {
    match expr {
        ValueExpr::Str(_) | ValueExpr::Param(_) => Box::new(std::iter::empty()),
        ValueExpr::Name(dotted) => Box::new(dotted.first().map(String::as_str).into_iter()),
        ValueExpr::Call { function, args } => Box::new(
            function
                .first()
                .map(String::as_str)
                .into_iter()
                .chain(args.iter().flat_map(names_of)),
        ),
    }
}

/// A module-level function whose every `return` the index can read.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct FunctionFacts {
    pub name: String,
    pub returns: Vec<ValueExpr>,
}

/// Keyword arguments of `apps.get_model()` that do not change which model it returns.
const NEUTRAL_KEYWORDS: &[&str] = &["require_ready"];

/// The names a function binds: its parameters, and the names its body assigns (the
/// value when assigned once from an expression we read, `None` otherwise).
#[derive(Default)]
pub struct Locals<'s> {
    params: Vec<&'s str>,
    assigned: HashMap<&'s str, Option<ValueExpr>>,
}

/// `node` as an expression the index can evaluate, names bound in `locals` substituted.
pub fn value_expr(node: Node<'_>, source: &str, locals: &Locals<'_>) -> Option<ValueExpr> {
    if let Some(value) = string_value(node, source) {
        return Some(ValueExpr::Str(value.to_string()));
    }
    match node.kind() {
        "parenthesized_expression" => value_expr(node.named_child(0)?, source, locals),
        "identifier" => {
            let name = text(node, source);
            if let Some(value) = locals.assigned.get(name) {
                return value.clone();
            }
            Some(match locals.params.iter().position(|p| *p == name) {
                Some(index) => ValueExpr::Param(index),
                None => ValueExpr::Name(vec![name.to_string()]),
            })
        }
        "attribute" => {
            let dotted = dotted_name(node, source)?;
            let first = dotted[0].as_str();
            let local = locals.assigned.contains_key(first) || locals.params.contains(&first);
            (!local).then_some(ValueExpr::Name(dotted))
        }
        "call" => {
            let function = dotted_name(node.child_by_field_id(FIELDS.function)?, source)?;
            let first = function[0].as_str();
            if locals.assigned.contains_key(first) || locals.params.contains(&first) {
                return None;
            }
            let args = call_args(node, source);
            if args.has_splat
                || args
                    .keywords
                    .iter()
                    .any(|(key, _)| !NEUTRAL_KEYWORDS.contains(&key.as_str()))
            {
                return None;
            }
            let args = args
                .positional
                .iter()
                .map(|arg| value_expr(*arg, source, locals))
                .collect::<Option<Vec<_>>>()?;
            Some(ValueExpr::Call { function, args })
        }
        _ => None,
    }
}

/// A module-level function that returns something we read on every `return`; `None`
/// when it has no `return` or one we cannot read.
pub fn function_facts(def: Node<'_>, source: &str) -> Option<FunctionFacts> {
    let name = text(def.child_by_field_id(FIELDS.name)?, source).to_string();
    let body = def.child_by_field_id(FIELDS.body)?;
    // A parameter we cannot name (`*args`) keeps its place: positions count.
    let mut locals = Locals {
        params: parameter_names(def, source)
            .into_iter()
            .map(Option::unwrap_or_default)
            .collect(),
        assigned: HashMap::new(),
    };
    let mut returns = Vec::new();
    for node in body_nodes(body) {
        match node.kind() {
            "assignment" => {
                let (Some(left), Some(right)) = (
                    node.child_by_field_id(FIELDS.left),
                    node.child_by_field_id(FIELDS.right),
                ) else {
                    continue;
                };
                if left.kind() == "identifier" {
                    let name = text(left, source);
                    // Assigned twice, or a parameter reassigned: unknown.
                    let once =
                        !locals.assigned.contains_key(name) && !locals.params.contains(&name);
                    let value = once.then(|| value_expr(right, source, &locals)).flatten();
                    locals.assigned.insert(name, value);
                } else {
                    bind_all(left, source, &mut locals);
                }
            }
            "augmented_assignment" | "for_statement" | "for_in_clause" => {
                if let Some(left) = node.child_by_field_id(FIELDS.left) {
                    bind_all(left, source, &mut locals);
                }
            }
            "as_pattern_target" | "named_expression" | "global_statement"
            | "nonlocal_statement" => bind_all(node, source, &mut locals),
            "return_statement" => returns.push(value_expr(node.named_child(0)?, source, &locals)?),
            _ => {}
        }
    }
    (!returns.is_empty()).then_some(FunctionFacts { name, returns })
}

/// Every name under `target` is bound to something we do not read.
fn bind_all<'s>(target: Node<'_>, source: &'s str, locals: &mut Locals<'s>) {
    for node in descendants(target).filter(|n| n.kind() == "identifier") {
        locals.assigned.insert(text(node, source), None);
    }
}

/// The nodes of a function body in source order, nested functions, classes and
/// lambdas left out (their names and returns are their own).
fn body_nodes(body: Node<'_>) -> Vec<Node<'_>> {
    let mut nodes = Vec::new();
    let mut stack = vec![body];
    while let Some(node) = stack.pop() {
        nodes.push(node);
        if matches!(
            node.kind(),
            "function_definition" | "class_definition" | "lambda"
        ) && node != body
        {
            continue;
        }
        let mut cursor = node.walk();
        let children: Vec<Node<'_>> = node.named_children(&mut cursor).collect();
        stack.extend(children.into_iter().rev());
    }
    nodes
}

/// What a [`ValueExpr`] evaluates to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Evaluated {
    Str(String),
    Model(ModelId),
}

/// Calls followed at most this deep (cycles end here).
const MAX_DEPTH: usize = 8;

/// Django's app registry lookups, and loaders outside the project known to be exactly
/// `apps.get_model(app_label, model_name)` (django-oscar's `get_model`; its only other
/// path redirects labels of models that moved apps, which the project then lacks).
const GET_MODEL: &[&str] = &[
    "django.apps.apps.get_model",
    "django.apps.registry.apps.get_model",
    "django.apps.apps.get_registered_model",
    "django.apps.registry.apps.get_registered_model",
    "oscar.core.loading.get_model",
];

const GET_USER_MODEL: &[&str] = &[
    "django.contrib.auth.get_user_model",
    "django.contrib.auth.models.get_user_model",
];

/// Evaluates [`ValueExpr`]s against every module's facts and the models found.
pub struct Evaluator<'a> {
    pub scope: &'a Scope,
    /// A module whose text is newer than the index (an editor buffer) and its imports.
    pub imports: Option<(&'a str, &'a ImportMap)>,
    pub by_label: &'a HashMap<String, ModelId>,
    pub by_qualname: &'a HashMap<String, ModelId>,
    pub models: &'a [Model],
    pub auth_user_model: Option<ModelId>,
}

impl Evaluator<'_> {
    /// The model `expr` names in `module`, if it names one.
    pub fn model(&self, module: &str, expr: &ValueExpr) -> Option<ModelId> {
        match self.eval(module, expr, &[], 0)? {
            Evaluated::Model(id) => Some(id),
            Evaluated::Str(_) => None,
        }
    }

    /// The model the alias `name` of `module` names.
    pub fn alias(&self, module: &str, name: &str, depth: usize) -> Option<ModelId> {
        let facts = self.scope.modules.get(module)?;
        match &facts.alias(name)?.value {
            AliasValue::UserModel => self.auth_user_model,
            AliasValue::Model(expr) => match self.eval(module, expr, &[], depth + 1)? {
                Evaluated::Model(id) => Some(id),
                Evaluated::Str(_) => None,
            },
            AliasValue::FromQueryset { .. } => None,
        }
    }

    fn eval(
        &self,
        module: &str,
        expr: &ValueExpr,
        args_of_caller: &[Evaluated],
        depth: usize,
    ) -> Option<Evaluated> {
        if depth > MAX_DEPTH {
            return None;
        }
        match expr {
            ValueExpr::Str(s) => Some(Evaluated::Str(s.clone())),
            ValueExpr::Param(index) => args_of_caller.get(*index).cloned(),
            ValueExpr::Name(dotted) => match self.resolve(module, dotted)? {
                Referent::Defined { module, name } => {
                    let qualname = format!("{module}.{name}");
                    if let Some(id) = self.by_qualname.get(&qualname) {
                        return Some(Evaluated::Model(*id));
                    }
                    self.alias(&module, &name, depth).map(Evaluated::Model)
                }
                Referent::External(path) => {
                    let setting = path.strip_prefix("django.conf.settings.")?;
                    self.setting(setting).map(Evaluated::Str)
                }
                Referent::Module(_) => None,
            },
            ValueExpr::Call { function, args } if function == &["getattr"] => {
                // `getattr(settings, "IMAGE_MODEL", "images.Image")`.
                let [
                    ValueExpr::Name(settings),
                    ValueExpr::Str(name),
                    default @ ..,
                ] = args.as_slice()
                else {
                    return None;
                };
                let is_settings = matches!(
                    self.resolve(module, settings),
                    Some(Referent::External(path)) if path == "django.conf.settings"
                );
                match (is_settings, self.setting_set(name), default) {
                    (true, Some(value), _) => value.map(Evaluated::Str),
                    (true, None, [default]) => {
                        self.eval(module, default, args_of_caller, depth + 1)
                    }
                    _ => None,
                }
            }
            ValueExpr::Call { function, args } => {
                let args = args
                    .iter()
                    .map(|arg| self.eval(module, arg, args_of_caller, depth + 1))
                    .collect::<Option<Vec<_>>>();
                self.call(module, function, args?, depth)
            }
        }
    }

    fn call(
        &self,
        module: &str,
        function: &[String],
        args: Vec<Evaluated>,
        depth: usize,
    ) -> Option<Evaluated> {
        if depth > MAX_DEPTH {
            return None;
        }
        match self.resolve(module, function)? {
            Referent::External(path) if GET_MODEL.contains(&path.as_str()) => {
                // `get_model("app.Model")`; `get_registered_model` takes two arguments.
                let label = match args.as_slice() {
                    [Evaluated::Str(label)] if path.ends_with(".get_model") => label.clone(),
                    [Evaluated::Str(app), Evaluated::Str(model)] => format!("{app}.{model}"),
                    _ => return None,
                };
                self.registered(&label)
            }
            // swapper's `load_model("config", "Device")`: the model the setting
            // `CONFIG_DEVICE_MODEL` names, else `config.Device`.
            Referent::External(path) if path == "swapper.load_model" => {
                let [Evaluated::Str(app), Evaluated::Str(model)] = args.as_slice() else {
                    return None;
                };
                let setting = format!("{app}_{model}_MODEL").to_ascii_uppercase();
                let label = match self.setting_set(&setting) {
                    Some(value) => value?,
                    None => format!("{app}.{model}"),
                };
                self.registered(&label)
            }
            Referent::External(path) if GET_USER_MODEL.contains(&path.as_str()) => args
                .is_empty()
                .then_some(self.auth_user_model.map(Evaluated::Model))
                .flatten(),
            Referent::Defined { module, name } => {
                let facts: &FileFacts = self.scope.modules.get(&module)?;
                if let Some(AliasValue::Model(ValueExpr::Name(function))) =
                    facts.alias(&name).map(|a| &a.value)
                {
                    return self.call(&module, function, args, depth + 1);
                }
                let function = facts.function(&name)?;
                let mut found = None;
                for expr in &function.returns {
                    let value = self.eval(&module, expr, &args, depth + 1)?;
                    if found.get_or_insert_with(|| value.clone()) != &value {
                        return None;
                    }
                }
                found
            }
            Referent::External(_) | Referent::Module(_) => None,
        }
    }

    /// The model Django's app registry holds under `label` (`app.Model`, the model name
    /// in any case): never an abstract one.
    fn registered(&self, label: &str) -> Option<Evaluated> {
        let (app, name) = label.split_once('.')?;
        let id = *self.by_label.get(&label_key(app, name))?;
        (!self.models[id.0 as usize].is_abstract).then_some(Evaluated::Model(id))
    }

    fn resolve(&self, module: &str, dotted: &[String]) -> Option<Referent> {
        let imports = self
            .imports
            .filter(|(buffer, _)| *buffer == module)
            .map(|(_, imports)| imports);
        self.scope.resolve_through(imports, module, dotted)
    }

    fn setting(&self, name: &str) -> Option<String> {
        self.setting_set(name)?
    }

    /// `None` when no settings module sets `name`; `Some(None)` when they disagree.
    fn setting_set(&self, name: &str) -> Option<Option<String>> {
        let settings = || self.scope.settings.iter();
        if settings().any(|f| f.unsettled.iter().any(|n| n == name)) {
            return Some(None);
        }
        let mut values = settings().filter_map(|facts| facts.setting(name));
        let first = values.next()?;
        Some(values.all(|v| v == first).then(|| first.to_string()))
    }
}
