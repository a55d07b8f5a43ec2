//! Class bodies: what a method's `self` is (an object of a model, a class-based view),
//! and what a view's `get_queryset()` returns.

use std::collections::HashMap;

use tree_sitter::Node;

use crate::index::ModelId;
use crate::syntax::fields::FIELDS;
use crate::syntax::node::{CallArgs, assignment_sides, dotted_name, written_bases};
use crate::text::TextRange;

use super::cache::method_def;
use super::receivers::loaded_elsewhere;
use super::values::{Env, Obj, Origin, Qs, Value};
use super::walker::{ClassKind, Walker, parameter_names};

/// Where a class-based view gets its rows: `queryset = ...`, `model = X`, or its own
/// `get_queryset()`; its other methods, and what its Django or DRF base gives `self`.
#[derive(Clone)]
pub(super) struct ViewClass<'a> {
    pub(super) class: Node<'a>,
    /// `name = value` in the class body: the last value of each name.
    pub(super) assigned: HashMap<String, Node<'a>>,
    pub(super) queryset: Option<Node<'a>>,
    pub(super) model: Option<ModelId>,
    pub(super) get_queryset: Option<Node<'a>>,
    /// `serializer_class = X` of a DRF view.
    pub(super) serializer_class: Option<Node<'a>>,
    /// Methods by name, with how each is called.
    pub(super) methods: HashMap<String, (Node<'a>, Member)>,
    /// `self.<name> = <value>` written once in the class, at the top of `__init__`:
    /// the value, read with `__init__`'s parameters.
    pub(super) attributes: HashMap<String, Node<'a>>,
    /// `model = X` of the inner `class Meta`.
    pub(super) meta_model: Option<ModelId>,
    pub(super) base: ViewBase,
    /// The bases as written (`None` when one is not a dotted name).
    pub(super) bases: Option<Vec<Vec<String>>>,
}

impl<'a> ViewClass<'a> {
    /// A class whose body says nothing yet.
    pub(super) fn new(class: Node<'a>, base: ViewBase, bases: Option<Vec<Vec<String>>>) -> Self {
        ViewClass {
            class,
            assigned: HashMap::new(),
            queryset: None,
            model: None,
            get_queryset: None,
            serializer_class: None,
            methods: HashMap::new(),
            attributes: HashMap::new(),
            meta_model: None,
            base,
            bases,
        }
    }
}

/// How a method of a class is called.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Member {
    Method,
    /// `@property`, `@cached_property`: read as an attribute.
    Property,
    /// `@classmethod`: its first parameter is the class.
    ClassMethod,
    /// `@staticmethod`: no parameter is bound.
    StaticMethod,
}

impl Member {
    /// How the method `def` (inside `outer`, its `decorated_definition` when it has
    /// decorators) is called.
    pub(super) fn of(outer: Node<'_>, def: Node<'_>, source: &str) -> Self {
        let decorators = if outer.kind() == "decorated_definition" {
            source
                .get(outer.start_byte()..def.start_byte())
                .unwrap_or("")
        } else {
            ""
        };
        if decorators.contains("@classmethod") {
            Member::ClassMethod
        } else if decorators.contains("@staticmethod") {
            Member::StaticMethod
        } else if decorators.contains("property") {
            Member::Property
        } else {
            Member::Method
        }
    }
}

/// What a view's Django or DRF base class does with its queryset.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct ViewBase {
    /// `get_object()` is one object of `get_queryset()` (Django's single-object views,
    /// DRF's generic views).
    pub(super) get_object: bool,
    /// `self.object` is what `get_object()` returned (Django's detail, update and
    /// delete views; their `get()`/`post()` set it), unless the class sets it itself.
    pub(super) object: bool,
    /// `self.object_list` is `get_queryset()` (Django's list views).
    pub(super) object_list: bool,
    /// Django's `ListView` renders a template with `get_queryset()`'s rows, and no
    /// project base changes how.
    pub(super) renders_list: bool,
    /// Django's `DetailView` renders a template with `get_object()`, and no project
    /// base changes how.
    pub(super) renders_detail: bool,
    /// Some base is a Django or DRF view (or mixin), which sets `self.request`.
    pub(super) django_or_drf: bool,
    /// Some base is Django's `ModelForm`, whose `self.instance` is an object of its
    /// `Meta.model`.
    pub(super) model_form: bool,
    /// A project class among the bases defines `get_queryset()`: what the base's
    /// queryset is cannot be read here.
    pub(super) project_get_queryset: bool,
    /// DRF's generic views' `filter_queryset(qs)` and `paginate_queryset(qs)`, not
    /// overridden: the rows of `qs`, filtered or a page of them (the filter backends
    /// and paginators DRF ships narrow the rows, and load no relation).
    pub(super) drf_rows_passed: bool,
}

impl<'a> Walker<'a> {
    /// A class body: its methods get `self` bound when the class is a model (one object
    /// of it) or a class-based view (whose `get_queryset()` is understood).
    pub(super) fn class(&mut self, class: Node<'a>) {
        let Some(body) = class.child_by_field_id(FIELDS.body) else {
            return;
        };
        let kind = self.class_kind(class, body);
        if let ClassKind::View(key) = kind {
            self.serialized_view(key);
        }
        let mut class_env = Env::new();
        let mut cursor = body.walk();
        let statements: Vec<Node<'a>> = body.named_children(&mut cursor).collect();
        for stmt in statements {
            match method_def(stmt) {
                Some(def) => self.method(def, stmt, kind),
                None => self.statement(stmt, &mut class_env, body),
            }
        }
        if let ClassKind::View(key) = kind {
            self.generic_view_rendered(key);
        }
    }

    /// What the class is to its methods' `self`; a view class is remembered for them.
    pub(super) fn class_kind(&mut self, class: Node<'a>, body: Node<'a>) -> ClassKind {
        let name = class
            .child_by_field_id(FIELDS.name)
            .map(|n| self.file.text(n).to_string())
            .unwrap_or_default();
        if let Some(model) = self.resolve_model(std::slice::from_ref(&name)) {
            return ClassKind::Model(model);
        }
        let qualname = format!("{}.{name}", self.file.module);
        if let Some(model) = self.index.model_managed_by(&qualname) {
            return ClassKind::Rows(model);
        }
        let view = self.view_class(class, body);
        let is_view =
            view.queryset.is_some() || view.model.is_some() || view.get_queryset.is_some();
        self.views.insert(class.start_byte(), view);
        if is_view {
            ClassKind::View(class.start_byte())
        } else {
            ClassKind::Plain(class.start_byte())
        }
    }

    /// The model `model = X` names in a `class Meta` body.
    fn meta_model(&self, meta: Node<'a>) -> Option<ModelId> {
        let body = meta.child_by_field_id(FIELDS.body)?;
        let mut cursor = body.walk();
        let statements: Vec<Node<'a>> = body.named_children(&mut cursor).collect();
        statements.into_iter().find_map(|stmt| {
            let (left, right) = assignment_sides(stmt)?;
            if self.file.text(left) != "model" {
                return None;
            }
            self.resolve_model(&dotted_name(right, self.src())?)
        })
    }

    /// `queryset = ...`, `model = X`, `def get_queryset` and the other methods in a class
    /// body, and what its bases are.
    pub(super) fn view_class(&self, class: Node<'a>, body: Node<'a>) -> ViewClass<'a> {
        let mut view = ViewClass::new(
            class,
            self.view_base(class),
            written_bases(class, self.src()),
        );
        let mut cursor = body.walk();
        for stmt in body.named_children(&mut cursor) {
            match stmt.kind() {
                "expression_statement" => {
                    let Some((left, right)) = assignment_sides(stmt) else {
                        continue;
                    };
                    view.assigned
                        .insert(self.file.text(left).to_string(), right);
                    match self.file.text(left) {
                        "queryset" => view.queryset = Some(right),
                        "serializer_class" => view.serializer_class = Some(right),
                        "model" => {
                            view.model =
                                dotted_name(right, self.src()).and_then(|d| self.resolve_model(&d));
                        }
                        _ => {}
                    }
                }
                "class_definition"
                    if stmt
                        .child_by_field_id(FIELDS.name)
                        .is_some_and(|n| self.file.text(n) == "Meta") =>
                {
                    view.meta_model = self.meta_model(stmt);
                }
                "function_definition" | "decorated_definition" => {
                    let def = if stmt.kind() == "decorated_definition" {
                        stmt.child_by_field_id(FIELDS.definition)
                    } else {
                        Some(stmt)
                    };
                    let Some(def) = def else { continue };
                    let Some(name) = def.child_by_field_id(FIELDS.name) else {
                        continue;
                    };
                    let name = self.file.text(name);
                    if name == "get_queryset" {
                        view.get_queryset = Some(def);
                    }
                    if name == "__init__" {
                        view.attributes = self.init_attributes(class, def);
                    }
                    let member = Member::of(stmt, def, self.src());
                    view.methods.insert(name.to_string(), (def, member));
                }
                _ => {}
            }
        }
        view
    }

    /// A method: in a model, `self` is one object of it loaded by a caller we cannot see
    /// (what it selected or prefetched is unknown, but a query its related managers
    /// start here, `self.items.filter(...)`, is ours to judge); in a view, `self` is the
    /// view.
    pub(super) fn method(&mut self, def: Node<'a>, outer: Node<'a>, kind: ClassKind) {
        let member = Member::of(outer, def, self.src());
        let is_classmethod = member == Member::ClassMethod;
        let static_or_class = is_classmethod || member == Member::StaticMethod;
        let mut env = Env::new();
        let first = parameter_names(def, self.src()).into_iter().next();
        let previous_view = self.current_view;
        match (kind, first) {
            (ClassKind::Model(model), Some(first)) if !static_or_class => {
                let mut qs = Qs::new(model, None);
                qs.applied.unknown = true;
                env.insert(
                    first,
                    vec![Value::Obj(Obj {
                        qs,
                        path: Vec::new(),
                        per_row: false,
                    })],
                );
            }
            (ClassKind::Rows(model), Some(first)) if !static_or_class => {
                env.insert(first, vec![Value::Qs(loaded_elsewhere(model))]);
            }
            // `cls.objects` in a model's classmethod is the model's manager.
            (ClassKind::Model(model), Some(first)) if is_classmethod => {
                env.insert(first, vec![Value::Model(model)]);
            }
            (ClassKind::View(key) | ClassKind::Plain(key), Some(first)) if !static_or_class => {
                env.insert(first, vec![Value::View(key)]);
                self.current_view = Some(key);
            }
            _ => {}
        }
        self.function(def, env);
        self.current_view = previous_view;
    }

    /// What `self.get_queryset()` returns in view `key`.
    pub(super) fn view_get_queryset(&mut self, key: usize, call: Node<'a>) -> Vec<Value> {
        if self.evaluating_views.contains(&key) {
            return vec![Value::Unknown];
        }
        let Some(def) = self.views.get(&key).and_then(|v| v.get_queryset) else {
            return self.view_base_queryset(key, call);
        };
        let (Some(body), Some(first)) = (
            def.child_by_field_id(FIELDS.body),
            parameter_names(def, self.src()).into_iter().next(),
        ) else {
            return vec![Value::Unknown];
        };
        self.evaluating_views.push(key);
        let saved_returns = self.returns.replace(Vec::new());
        let previous_view = self.current_view.replace(key);
        let mut env = Env::new();
        env.insert(first, vec![Value::View(key)]);
        self.block(body, &mut env, body);
        let values = std::mem::replace(&mut self.returns, saved_returns).unwrap_or_default();
        self.current_view = previous_view;
        self.evaluating_views.pop();
        if values.is_empty() {
            vec![Value::Unknown]
        } else {
            values
        }
    }

    /// What Django's own `get_queryset()` returns: the `queryset` attribute, else the
    /// model's default manager. A fix for the latter goes right after `call`.
    pub(super) fn view_base_queryset(&mut self, key: usize, call: Node<'a>) -> Vec<Value> {
        let (queryset, model) = match self.views.get(&key) {
            Some(view) if !view.base.project_get_queryset => (view.queryset, view.model),
            // A mixin's `get_queryset()`, read where it is written.
            Some(_) => {
                let no_args = CallArgs::default();
                let inherited =
                    self.inherited_method_returns(key, "get_queryset", &no_args, &Env::new());
                return inherited.unwrap_or_else(|| vec![Value::Unknown]);
            }
            None => return vec![Value::Unknown],
        };
        if let Some(queryset) = queryset {
            return self.eval(queryset, &Env::new());
        }
        let Some(model) = model else {
            return vec![Value::Unknown];
        };
        let Some(manager) = self.index.model(model).managers.first() else {
            return vec![Value::Unknown];
        };
        if manager.opaque {
            return vec![Value::Unknown];
        }
        let origin = Origin {
            range: TextRange::of(call),
        };
        vec![Value::Qs(Qs::of_manager(model, manager, origin))]
    }
}
