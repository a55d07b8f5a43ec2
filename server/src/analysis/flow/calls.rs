//! Calls of the file's own functions: what they return (their bodies walked for their
//! `return` values) and what they do with the rows they are given, with the call's
//! arguments bound to their parameters.
//!
//! An argument written as a constant (`flag=False`, or a default left as one) decides
//! the `if` that tests the parameter, so a branch the call never takes reports nothing.

use tree_sitter::Node;

use crate::syntax::fields::FIELDS;
use crate::syntax::node::{self, CallArgs, descendants};

use super::MAX_CALL_DEPTH;
use super::values::{Env, Value};
use super::walker::Walker;

/// A function's parameters as a call binds them.
pub(super) struct Signature {
    /// In order; `None` for `*args` or a bare `*` (`**kwargs` left out).
    params: Vec<Option<String>>,
    /// The parameters whose default is a constant.
    defaults: Vec<(String, Value)>,
}

impl Signature {
    /// The parameters of `def`, written in `src`.
    pub(super) fn of(def: Node<'_>, src: &str) -> Self {
        Signature {
            params: node::parameter_names(def, src)
                .into_iter()
                .map(|name| name.map(str::to_string))
                .collect(),
            defaults: constant_defaults(def, src),
        }
    }
}

/// `flag=False`, `limit=None` in a `def`: the parameters whose default is a constant.
fn constant_defaults(def: Node<'_>, src: &str) -> Vec<(String, Value)> {
    node::parameters(def)
        .into_iter()
        .filter(|p| matches!(p.kind(), "default_parameter" | "typed_default_parameter"))
        .filter_map(|p| {
            let name = p.child_by_field_id(FIELDS.name)?;
            let value = p.child_by_field_id(FIELDS.value)?;
            let constant = constant(value, src)?;
            Some((node::text(name, src).to_string(), constant))
        })
        .collect()
}

impl<'a> Walker<'a> {
    /// The parameters of `def` bound to what the call passes: the values of its
    /// arguments, and the constants its parameters default to when not passed.
    /// `receiver` is the value of the first parameter of a method (`self`), which the
    /// call does not pass.
    pub(super) fn bind_arguments(
        &mut self,
        def: Node<'a>,
        args: &CallArgs<'a>,
        env: &Env,
        receiver: Option<Value>,
    ) -> Env {
        let signature = Signature::of(def, self.src());
        self.bind(&signature, args, env, receiver)
    }

    /// `signature`'s parameters bound to the call's arguments, evaluated here (the
    /// function may be in another file).
    pub(super) fn bind(
        &mut self,
        signature: &Signature,
        args: &CallArgs<'a>,
        env: &Env,
        receiver: Option<Value>,
    ) -> Env {
        let mut params: Vec<Option<&str>> = signature.params.iter().map(Option::as_deref).collect();
        let mut bound = Env::new();
        if let Some(receiver) = receiver {
            match params.first() {
                Some(Some(first)) => bound.insert(first.to_string(), vec![receiver]),
                _ => return bound,
            };
            params.remove(0);
        }
        if !args.has_splat {
            // Positional arguments fill the parameters before `*args` (or `*`).
            let positional = params.iter().map_while(|param| *param);
            for (param, arg) in positional.zip(&args.positional) {
                bound.insert(param.to_string(), self.eval(*arg, env));
            }
        }
        for (name, arg) in &args.keywords {
            if params.contains(&Some(name.as_str())) {
                bound.insert(name.clone(), self.eval(*arg, env));
            }
        }
        if !args.has_splat {
            for (name, default) in &signature.defaults {
                bound.entry(name.clone()).or_insert(vec![default.clone()]);
            }
        }
        bound.retain(|_, values| !values.iter().all(|v| matches!(v, Value::Unknown)));
        bound
    }

    /// What a call of `def` returns, walked with `env` binding its parameters; unknown
    /// for a generator, a recursive call, or past [`MAX_CALL_DEPTH`] calls. The walk
    /// records no facts: the function's own analysis does, once.
    pub(super) fn returns_of(
        &mut self,
        def: Node<'a>,
        env: Env,
        view: Option<usize>,
    ) -> Vec<Value> {
        let unknown = vec![Value::Unknown];
        if self.active.len() >= MAX_CALL_DEPTH || self.active.contains(&def.start_byte()) {
            return unknown;
        }
        let Some(body) = def.child_by_field_id(FIELDS.body) else {
            return unknown;
        };
        if descendants(body).any(|n| n.kind() == "yield") {
            return unknown;
        }
        let memo = (def.start_byte(), view);
        let given_nothing = env.is_empty();
        if given_nothing && let Some(values) = self.returned.get(&memo) {
            return values.clone();
        }
        let facts = std::mem::take(&mut self.facts);
        let seen = self.seen.clone();
        let returns = self.returns.replace(Vec::new());
        let current_view = std::mem::replace(&mut self.current_view, view);
        self.active.push(def.start_byte());
        let mut env = env;
        for (name, value) in self.annotated_parameters(def) {
            env.entry(name).or_insert_with(|| vec![value]);
        }
        // A summarised function's callees are judged at their calls (`queries.rs`).
        let summary = self.summary.take();
        let scopes = self.enter_function_scopes(body);
        self.block(body, &mut env, body);
        self.query_scopes = scopes;
        self.summary = summary;
        self.active.pop();
        self.current_view = current_view;
        let values = std::mem::replace(&mut self.returns, returns).unwrap_or_default();
        self.seen = seen;
        // Its facts are the function's own analysis'; the modules it read are this one's.
        let walked = std::mem::replace(&mut self.facts, facts);
        self.facts.read_modules(walked.modules_read);
        let values = if values.is_empty() { unknown } else { values };
        if given_nothing {
            self.returned.insert(memo, values.clone());
        }
        values
    }
}

/// `True`, `False`, `None`, a number or a string: its truth.
pub(super) fn constant(node: Node<'_>, src: &str) -> Option<Value> {
    crate::syntax::branches::constant_truth(node, src).map(Value::Constant)
}
