//! What `self.<name>` and `self.<name>()` are in a class-based view: the view's own
//! methods and properties (their bodies walked for what they return), and what Django's
//! and DRF's bases define: `get_object()`, `self.object`, `self.object_list`.

use std::collections::HashMap;

use tree_sitter::Node;

use crate::syntax::fields::FIELDS;
use crate::syntax::node::{CallArgs, assignment_sides, dotted_name, written_bases};

use super::MAX_CALL_DEPTH;
use super::foreign::method_of_class;
use super::values::{Env, Obj, Value};
use super::views::{Member, ViewBase};
use super::walker::{Walker, parameter_names};

/// Django's generic views whose `get_object()` is one object of `get_queryset()` and
/// whose `get()`/`post()` set `self.object` to it (`django.views.generic.detail` and
/// `.edit`).
const DJANGO_SINGLE_OBJECT: [&str; 7] = [
    "DetailView",
    "BaseDetailView",
    "SingleObjectMixin",
    "UpdateView",
    "BaseUpdateView",
    "DeleteView",
    "BaseDeleteView",
];

/// Django's list views, whose `get()` sets `self.object_list` to `get_queryset()`.
const DJANGO_LIST: [&str; 3] = ["ListView", "BaseListView", "MultipleObjectMixin"];

/// The methods through which a `ListView` chooses and fills its template.
pub(super) const RENDERING: [&str; 5] = [
    "get",
    "render_to_response",
    "get_template_names",
    "get_context_object_name",
    "get_context_data",
];

/// DRF's generic views and viewsets: `get_object()` is one object of
/// `filter_queryset(get_queryset())`, and filter backends filter.
const DRF_GENERIC: [&str; 10] = [
    "GenericAPIView",
    "RetrieveAPIView",
    "UpdateAPIView",
    "DestroyAPIView",
    "RetrieveUpdateAPIView",
    "RetrieveDestroyAPIView",
    "RetrieveUpdateDestroyAPIView",
    "GenericViewSet",
    "ModelViewSet",
    "ReadOnlyModelViewSet",
];

impl<'a> Walker<'a> {
    /// What the class's bases give `self`: Django's and DRF's views, reached through the
    /// project's own classes unless one of them overrides what they define; nothing
    /// when a base cannot be read.
    pub(super) fn view_base(&self, class: Node<'a>) -> ViewBase {
        let mut base = ViewBase::default();
        let written = match written_bases(class, self.src()) {
            Some(written) if !written.is_empty() => written,
            _ => return base,
        };
        let lineage = self
            .index
            .lineage(self.imports, &self.file.module, &written);
        base.project_get_queryset = lineage.defines.contains("get_queryset");
        base.model_form = lineage
            .external
            .iter()
            .any(|path| path.starts_with("django.forms.") && path.ends_with(".ModelForm"));
        base.django_or_drf = lineage
            .external
            .iter()
            .any(|path| path.starts_with("django.views.") || path.starts_with("rest_framework."));
        if lineage.unread || lineage.defines.contains("get_object") {
            return base;
        }
        // A project base's `get()`/`post()` may set `self.object` to something else.
        let sets_object = ["get", "post"].iter().any(|m| lineage.defines.contains(*m));
        for path in &lineage.external {
            let name = path.rsplit('.').next().unwrap_or_default();
            if path.starts_with("django.views.generic") {
                if DJANGO_SINGLE_OBJECT.contains(&name) {
                    base.get_object = true;
                    base.object = true;
                }
                base.object_list |= DJANGO_LIST.contains(&name);
                let rendering = !RENDERING.iter().any(|m| lineage.defines.contains(*m));
                base.renders_list |= name == "ListView" && rendering;
                base.renders_detail |= name == "DetailView" && rendering;
            } else if path.starts_with("rest_framework.") && DRF_GENERIC.contains(&name) {
                base.get_object = true;
            }
            base.drf_rows_passed |= path.starts_with("rest_framework.generics.")
                || (path.starts_with("rest_framework.viewsets.") && DRF_GENERIC.contains(&name));
        }
        if ["filter_queryset", "paginate_queryset"]
            .iter()
            .any(|m| lineage.defines.contains(*m))
        {
            base.drf_rows_passed = false;
        }
        // A class that sets `self.object` itself decides what it is.
        if sets_object || self.file.text(class).contains("self.object =") {
            base.object = false;
        }
        base
    }

    /// `self.<name>` in view `key`: a property's value, `self.object`,
    /// `self.object_list`; `None` when it is none of these.
    pub(super) fn view_attribute(
        &mut self,
        key: usize,
        name: &str,
        node: Node<'a>,
    ) -> Option<Vec<Value>> {
        let view = self.views.get(&key)?;
        let (base, own) = (view.base, view.methods.get(name).copied());
        if let Some((def, member)) = own {
            return (member == Member::Property)
                .then(|| self.view_method(key, def, member, None, &Env::new()));
        }
        if let Some(&value) = self.views.get(&key)?.attributes.get(name) {
            return Some(self.init_attribute(key, value));
        }
        if name == "instance" && base.model_form {
            let model = self.views.get(&key)?.meta_model?;
            return Some(vec![self.loaded_elsewhere_object(model)]);
        }
        match name {
            // Django's and DRF's views keep the request they were called with.
            "request" if base.django_or_drf => Some(vec![Value::Request]),
            "object" if base.object => Some(self.view_object(key, node, None, &Env::new())),
            "object_list" if base.object_list => Some(self.view_get_queryset(key, node)),
            _ => None,
        }
    }

    /// `self.<name> = <value>` statements at the top level of `__init__` (`def`) whose
    /// name the class assigns nowhere else.
    pub(super) fn init_attributes(
        &self,
        class: Node<'a>,
        def: Node<'a>,
    ) -> HashMap<String, Node<'a>> {
        let mut attributes = HashMap::new();
        let (Some(receiver), Some(body)) = (
            parameter_names(def, self.src()).into_iter().next(),
            def.child_by_field_id(FIELDS.body),
        ) else {
            return attributes;
        };
        let class_text = self.file.text(class);
        let mut cursor = body.walk();
        for stmt in body.named_children(&mut cursor) {
            let Some((left, right)) = assignment_sides(stmt) else {
                continue;
            };
            let Some([object, name]) = dotted_name(left, self.src())
                .and_then(|dotted| <[String; 2]>::try_from(dotted).ok())
            else {
                continue;
            };
            if object == receiver && assignments_of(class_text, &format!("{receiver}.{name}")) == 1
            {
                attributes.insert(name, right);
            }
        }
        attributes
    }

    /// The value `__init__` gives `self.<name>`: its expression read with the view as
    /// `self` and `__init__`'s annotated parameters.
    fn init_attribute(&mut self, key: usize, value: Node<'a>) -> Vec<Value> {
        let Some(&(init, _)) = self.views.get(&key).and_then(|v| v.methods.get("__init__")) else {
            return vec![Value::Unknown];
        };
        // `self.a = f(self.b)`, `self.b = g(self.a)`: read like calls, to a bounded depth.
        if self.active.len() >= MAX_CALL_DEPTH || self.active.contains(&value.start_byte()) {
            return vec![Value::Unknown];
        }
        let mut env = Env::new();
        if let Some(receiver) = parameter_names(init, self.src()).into_iter().next() {
            env.insert(receiver, vec![Value::View(key)]);
        }
        for (name, annotated) in self.annotated_parameters(init) {
            env.entry(name).or_insert_with(|| vec![annotated]);
        }
        self.active.push(value.start_byte());
        let values = self.eval(value, &env);
        self.active.pop();
        values
    }

    /// `self.<name>(...)` in view `key`: the view's own method's return values, or the
    /// base's `get_object()`; `None` when it is neither.
    pub(super) fn view_call(
        &mut self,
        key: usize,
        name: &str,
        call: Node<'a>,
        args: &CallArgs<'a>,
        env: &Env,
    ) -> Option<Vec<Value>> {
        let view = self.views.get(&key)?;
        let (base, own) = (view.base, view.methods.get(name).copied());
        if let Some((def, member)) = own {
            return (member != Member::Property)
                .then(|| self.view_method(key, def, member, Some(args), env));
        }
        if name == "get_object" && base.get_object {
            return Some(self.view_object(key, call, Some(args), env));
        }
        if base.drf_rows_passed
            && let ("filter_queryset" | "paginate_queryset", [rows]) = (name, &args.positional[..])
        {
            let values = self.eval(*rows, env);
            if name == "filter_queryset" {
                return Some(values);
            }
            // A page is a list of the rows (or `None` without a paginator, which the
            // code tests before it reads the page).
            let page = values.into_iter().map(|value| match value {
                Value::Qs(qs) | Value::Rows(qs) if !qs.applied.values => Value::Rows(qs),
                _ => Value::Unknown,
            });
            return Some(page.collect());
        }
        self.inherited_method_returns(key, name, args, env)
    }

    /// What a method of view `key` that a project base class defines (a mixin of
    /// another module) returns, its `self` unknown there.
    pub(super) fn inherited_method_returns(
        &mut self,
        key: usize,
        name: &str,
        args: &CallArgs<'a>,
        env: &Env,
    ) -> Option<Vec<Value>> {
        let sources = self.sources?;
        let bases = self.views.get(&key)?.bases.as_ref()?;
        let (module, class) =
            self.index
                .first_definer(self.imports, &self.file.module, bases, name)?;
        let text = sources.module(&module)?;
        self.read_module(&text);
        let def = method_of_class(&text.file, &class, name)?;
        let key = format!("{class}.{name}");
        Some(self.returns_elsewhere(&text, def, key, Some(args), env, Some(Value::Unknown)))
    }

    /// The view's own method that `function` (`self.<name>`) names, and what its first
    /// parameter is bound to.
    pub(super) fn view_method_called(
        &mut self,
        function: Node<'a>,
        env: &Env,
    ) -> Option<(Node<'a>, Option<Value>)> {
        let object = function.child_by_field_id(FIELDS.object)?;
        let name = self
            .file
            .text(function.child_by_field_id(FIELDS.attribute)?);
        let [Value::View(key)] = self.eval(object, env)[..] else {
            return None;
        };
        match self.views.get(&key)?.methods.get(name) {
            Some(&(_, Member::Property)) | None => None,
            Some(&(def, member)) => Some((def, receiver(key, member))),
        }
    }

    /// What a method of view `key` returns, called with `args`.
    pub(super) fn view_method(
        &mut self,
        key: usize,
        def: Node<'a>,
        member: Member,
        args: Option<&CallArgs<'a>>,
        env: &Env,
    ) -> Vec<Value> {
        let no_args = CallArgs::default();
        let bound = self.bind_arguments(def, args.unwrap_or(&no_args), env, receiver(key, member));
        self.returns_of(def, bound, Some(key))
    }

    /// The object Django's (or DRF's) `get_object()` returns: one row of the queryset it
    /// is given, else of `get_queryset()`; the view's own `get_object()` when it has one.
    pub(super) fn view_object(
        &mut self,
        key: usize,
        at: Node<'a>,
        args: Option<&CallArgs<'a>>,
        env: &Env,
    ) -> Vec<Value> {
        if let Some(&(def, member)) = self
            .views
            .get(&key)
            .and_then(|v| v.methods.get("get_object"))
        {
            return self.view_method(key, def, member, args, env);
        }
        let given = args.and_then(|a| {
            a.positional
                .first()
                .copied()
                .or_else(|| a.keyword("queryset"))
        });
        let querysets = match given {
            Some(queryset) => self.eval(queryset, env),
            None => self.view_get_queryset(key, at),
        };
        querysets
            .into_iter()
            .map(|value| match value {
                Value::Qs(qs) => Value::Obj(Obj {
                    qs,
                    path: Vec::new(),
                    per_row: false,
                }),
                _ => Value::Unknown,
            })
            .collect()
    }
}

/// What a method's first parameter is: the view (`self`), the class (unknown), or no
/// parameter at all.
fn receiver(key: usize, member: Member) -> Option<Value> {
    match member {
        Member::Method | Member::Property => Some(Value::View(key)),
        Member::ClassMethod => Some(Value::Unknown),
        Member::StaticMethod => None,
    }
}

/// How many times `target` (`self.rows`) is assigned in `text`: `=` after it, not `==`;
/// an augmented assignment counts too.
fn assignments_of(text: &str, target: &str) -> usize {
    text.match_indices(target)
        .filter(|(at, _)| {
            let before = text[..*at].chars().next_back();
            let rest = text[at + target.len()..].trim_start_matches([' ', '\t']);
            let whole = before.is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == '.'))
                && !rest.starts_with(|c: char| c.is_alphanumeric() || c == '_');
            let assigned = (rest.starts_with('=') && !rest.starts_with("=="))
                || ["+=", "-=", "|=", "&="]
                    .iter()
                    .any(|op| rest.starts_with(op));
            whole && assigned
        })
        .count()
}
