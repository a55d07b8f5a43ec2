//! The possible values of an expression.

use tree_sitter::Node;

use crate::analysis::access;
use crate::index::{Locals, ModelId, mentions_model, names_of, value_expr};
use crate::syntax::fields::FIELDS;
use crate::syntax::node::{CallArgs, call_args, dotted_name, text};
use crate::text::TextRange;

use super::calls::constant;
use super::values::{Env, Obj, Origin, Qs, Value, obj_prefetched};
use super::walker::Walker;

impl<'a> Walker<'a> {
    /// The possible values of an expression.
    pub(super) fn eval(&mut self, node: Node<'a>, env: &Env) -> Vec<Value> {
        let src = self.src();
        match node.kind() {
            "identifier" => {
                let name = text(node, src);
                if let Some(values) = env.get(name) {
                    return values.clone();
                }
                if let Some(id) = self.resolve_model(&[name.to_string()]) {
                    return vec![Value::Model(id)];
                }
                let module_name = self.function_named(name).is_some()
                    || self.index.names_anything(
                        self.imports,
                        &self.file.module,
                        &[name.to_string()],
                    );
                if name == "request" && !module_name {
                    // Django's name for a view's request parameter.
                    return vec![Value::Request];
                }
                vec![Value::Unknown]
            }
            "parenthesized_expression" => match node.named_child(0) {
                Some(inner) => self.eval(inner, env),
                None => vec![Value::Unknown],
            },
            "conditional_expression" => {
                let mut values = Vec::new();
                for i in [0, 2] {
                    if let Some(branch) = node.named_child(i) {
                        values.extend(self.eval(branch, env));
                    }
                }
                values
            }
            "attribute" => self.eval_attribute(node, env),
            "call" => self.eval_call(node, env),
            "dictionary" => vec![self.eval_dict(node, env)],
            "true" | "false" | "none" | "integer" | "float" | "string" => {
                vec![constant(node, self.src()).unwrap_or(Value::Unknown)]
            }
            "subscript" => {
                let Some(value) = node.child_by_field_id(FIELDS.value) else {
                    return vec![Value::Unknown];
                };
                let is_slice = node
                    .child_by_field_id(FIELDS.subscript)
                    .is_some_and(|s| s.kind() == "slice");
                self.eval(value, env)
                    .into_iter()
                    .map(|v| match (v, is_slice) {
                        (Value::Qs(qs), true) => Value::Qs(qs),
                        (Value::Rows(qs), true) => Value::Rows(qs),
                        (Value::Qs(qs) | Value::Rows(qs), false) => Value::Obj(Obj {
                            qs,
                            path: Vec::new(),
                            per_row: false,
                        }),
                        _ => Value::Unknown,
                    })
                    .collect()
            }
            _ => vec![Value::Unknown],
        }
    }

    /// The values of `object.name`: a model's manager, a related object or manager of an
    /// object, or a model named by its module path.
    pub(super) fn eval_attribute(&mut self, node: Node<'a>, env: &Env) -> Vec<Value> {
        let (Some(object), Some(attr)) = (
            node.child_by_field_id(FIELDS.object),
            node.child_by_field_id(FIELDS.attribute),
        ) else {
            return vec![Value::Unknown];
        };
        let name = self.file.text(attr).to_string();
        // `models.Post`, `blog.models.Post`
        if let Some(path) = dotted_name(node, self.src())
            && path.len() > 1
            && !env.contains_key(&path[0])
            && let Some(id) = self.resolve_model(&path)
        {
            return vec![Value::Model(id)];
        }
        let origin = Origin {
            range: TextRange::of(node),
        };
        let mut values = Vec::new();
        let mut objects = self.eval(object, env);
        objects.retain(|value| match value {
            Value::Request => {
                values.push(self.request_attribute(&name));
                false
            }
            Value::View(key) => {
                let found = self.view_attribute(*key, &name, node);
                values.extend(found.unwrap_or_else(|| vec![Value::Unknown]));
                false
            }
            Value::Obj(obj) => match self.model_method_returns(obj, &name, None, env) {
                Some(found) => {
                    values.extend(found);
                    false
                }
                None => true,
            },
            _ => true,
        });
        values.extend(objects.into_iter().map(|value| match value {
            Value::Model(id) => {
                let model = self.index.model(id);
                let manager = match name.as_str() {
                    // The first declared manager is the default one.
                    "_default_manager" => model.managers.first(),
                    // `_base_manager` is a plain Manager: nothing applied.
                    "_base_manager" => return Value::Qs(Qs::new(id, Some(origin.clone()))),
                    other => self.index.manager(id, other),
                };
                match manager {
                    Some(manager) => Value::Qs(Qs::of_manager(id, manager, origin.clone())),
                    None => Value::Unknown,
                }
            }
            // A queryset's or manager's `model`.
            Value::Qs(qs) if name == "model" => Value::Model(qs.model),
            Value::Obj(obj) => {
                let Some(model) = obj.model() else {
                    return Value::Unknown;
                };
                if name == "__class__" {
                    return self.class_of(model);
                }
                match access::hop(self.index, model, &name) {
                    Some(hop) if hop.is_many() => Value::RelatedManager {
                        obj,
                        hop,
                        range: origin.range,
                    },
                    Some(hop) => {
                        let mut obj = obj;
                        obj.path.push(hop);
                        Value::Obj(obj)
                    }
                    None => Value::Unknown,
                }
            }
            _ => Value::Unknown,
        }));
        values
    }

    /// The values of a call: a builtin or Django helper given rows or a model, or a
    /// method called on a value.
    pub(super) fn eval_call(&mut self, node: Node<'a>, env: &Env) -> Vec<Value> {
        let Some(function) = node.child_by_field_id(FIELDS.function) else {
            return vec![Value::Unknown];
        };
        if let Some(id) = self.model_call(node, function, env) {
            return vec![Value::Model(id)];
        }
        match function.kind() {
            "identifier" => {
                let name = self.file.text(function);
                if env.contains_key(name) {
                    // A local name shadows the builtin.
                    return vec![Value::Unknown];
                }
                let args = call_args(node, self.src());
                if let Some(def) = self.function_named(name) {
                    let bound = self.bind_arguments(def, &args, env, None);
                    return self.returns_of(def, bound, None);
                }
                if let Some(values) = self.call_elsewhere(function, &args, env) {
                    return values;
                }
                self.builtin_call(name, &args, env)
            }
            "attribute" => {
                let (Some(object), Some(attr)) = (
                    function.child_by_field_id(FIELDS.object),
                    function.child_by_field_id(FIELDS.attribute),
                ) else {
                    return vec![Value::Unknown];
                };
                let args = call_args(node, self.src());
                if let Some(values) = self.call_elsewhere(function, &args, env) {
                    return values;
                }
                let method = self.file.text(attr).to_string();
                let receivers = self.eval(object, env);
                let mut values = Vec::new();
                for value in receivers {
                    match (value, method.as_str()) {
                        // Every value `get_queryset()` may return is an alternative.
                        (Value::View(key), "get_queryset") => {
                            values.extend(self.view_get_queryset(key, node));
                        }
                        (Value::ViewSuper(key), "get_queryset") => {
                            values.extend(self.view_base_queryset(key, node));
                        }
                        (Value::ViewSuper(key), "get_context_data") => {
                            values.push(match self.generic_context(key) {
                                Some(context) => Value::Dict(Box::new(context.dict)),
                                None => Value::Unknown,
                            });
                        }
                        (Value::View(key), method) => {
                            let returned = self.view_call(key, method, node, &args, env);
                            values.extend(returned.unwrap_or_else(|| vec![Value::Unknown]));
                        }
                        (Value::Obj(obj), method)
                            if let Some(returned) =
                                self.model_method_returns(&obj, method, Some(&args), env) =>
                        {
                            values.extend(returned);
                        }
                        (value, _) => {
                            values.push(self.apply_method(value, &method, node, function))
                        }
                    }
                }
                values
            }
            _ => vec![Value::Unknown],
        }
    }

    /// `list(qs)`, `enumerate(rows)`, `get_object_or_404(qs)`, `super()`,
    /// `get_user_model()`.
    fn builtin_call(&mut self, name: &str, args: &CallArgs<'a>, env: &Env) -> Vec<Value> {
        match name {
            "list" | "sorted" | "tuple" | "reversed" => {
                let Some(arg) = args.positional.first() else {
                    return vec![Value::Unknown];
                };
                self.eval(*arg, env)
                    .into_iter()
                    .map(|v| match v {
                        Value::Qs(qs) | Value::Rows(qs) if !qs.applied.values => Value::Rows(qs),
                        _ => Value::Unknown,
                    })
                    .collect()
            }
            "enumerate" => {
                let Some(arg) = args.positional.first() else {
                    return vec![Value::Unknown];
                };
                self.eval(*arg, env)
                    .into_iter()
                    .map(|v| Value::Enumerate(Box::new(v)))
                    .collect()
            }
            "Paginator"
                if self.external_name(&[name.to_string()]).as_deref()
                    == Some("django.core.paginator.Paginator") =>
            {
                let Some(arg) = args
                    .keyword("object_list")
                    .or(args.positional.first().copied())
                else {
                    return vec![Value::Unknown];
                };
                self.eval(arg, env)
                    .into_iter()
                    .map(|v| match v {
                        Value::Qs(qs) | Value::Rows(qs) if !qs.applied.values => {
                            Value::Paginator(qs)
                        }
                        _ => Value::Unknown,
                    })
                    .collect()
            }
            "get_object_or_404" => {
                let Some(arg) = args.positional.first() else {
                    return vec![Value::Unknown];
                };
                self.eval(*arg, env)
                    .into_iter()
                    .map(|v| match v {
                        Value::Qs(qs) => Value::Obj(Obj {
                            qs,
                            path: Vec::new(),
                            per_row: false,
                        }),
                        Value::Model(id) => Value::Obj(Obj {
                            qs: Qs::new(id, None),
                            path: Vec::new(),
                            per_row: false,
                        }),
                        _ => Value::Unknown,
                    })
                    .collect()
            }
            "type" if args.positional.len() == 1 && args.keywords.is_empty() => self
                .eval(args.positional[0], env)
                .into_iter()
                .map(|v| match v {
                    Value::Obj(obj) => obj.model().map_or(Value::Unknown, |m| self.class_of(m)),
                    _ => Value::Unknown,
                })
                .collect(),
            "super" if args.positional.is_empty() => match self.current_view {
                Some(key) => vec![Value::ViewSuper(key)],
                None => vec![Value::Unknown],
            },
            "get_user_model" if args.positional.is_empty() => {
                match self.index.by_label(&self.auth_label()) {
                    Some(id) => vec![Value::Model(id)],
                    None => vec![Value::Unknown],
                }
            }
            _ => vec![Value::Unknown],
        }
    }

    /// `obj.__class__`, `type(obj)`: the model, when no other model inherits from it (an
    /// instance could be the child's); an abstract model stands for what its concrete
    /// children share.
    fn class_of(&self, model: ModelId) -> Value {
        let m = self.index.model(model);
        if m.is_abstract || !m.subclassed {
            Value::Model(model)
        } else {
            Value::Unknown
        }
    }

    /// The model a call of a function whose name mentions one returns
    /// (`apps.get_model("blog", "Post")`, `get_image_model()`), when no name it reads is
    /// local.
    fn model_call(&self, call: Node<'a>, function: Node<'a>, env: &Env) -> Option<ModelId> {
        let callee = dotted_name(function, self.src())?;
        if !mentions_model(callee.last()?) {
            return None;
        }
        let expr = value_expr(call, self.src(), &Locals::default())?;
        if names_of(&expr).any(|name| env.contains_key(name)) {
            return None;
        }
        self.index
            .model_of_call(self.imports, &self.file.module, &expr)
    }

    /// `app_label.Model` of the user model `get_user_model()` returns.
    pub(super) fn auth_label(&self) -> String {
        self.index
            .auth_user_model()
            .map(|id| {
                let m = self.index.model(id);
                format!("{}.{}", m.app_label, m.name)
            })
            .unwrap_or_else(|| "auth.User".to_string())
    }

    /// The value of calling `method` on `value`: a queryset method, or `.all()` on a
    /// related manager, which a prefetch may serve.
    pub(super) fn apply_method(
        &mut self,
        value: Value,
        method: &str,
        call: Node<'a>,
        function: Node<'a>,
    ) -> Value {
        match value {
            Value::Qs(qs) => self.queryset_method(qs, method, call, function),
            // A page iterates a slice of the paginated queryset.
            Value::Paginator(qs) if matches!(method, "page" | "get_page") => Value::Rows(qs),
            Value::RelatedManager { obj, hop, range } => {
                let Some(target) = hop.target else {
                    return Value::Unknown;
                };
                let back_ref = hop.back_ref.clone();
                if method == "all"
                    && (obj.per_row || obj.qs.applied.unknown || obj_prefetched(&obj, &hop))
                {
                    // Rows served from the outer queryset's prefetch (or fetched per row
                    // when it has none): loads are judged against the outer queryset.
                    return Value::Qs(obj.qs.related_rows(&obj.path, hop, target, obj.per_row));
                }
                let mut qs = Qs::new(target, Some(Origin { range }));
                qs.back_ref = back_ref;
                qs.per_row = obj.per_row;
                qs.related = true;
                self.queryset_method(qs, method, call, function)
            }
            Value::Rows(qs) if method == "copy" => Value::Rows(qs),

            _ => Value::Unknown,
        }
    }
}
