//! What `self.<name>` and `self.<name>()` are in a class-based view: the view's own
//! methods and properties (their bodies walked for what they return), and what Django's
//! and DRF's bases define: `get_object()`, `self.object`, `self.object_list`.

use tree_sitter::Node;

use crate::syntax::fields::FIELDS;
use crate::syntax::node::{CallArgs, dotted_name};

use super::values::{Env, Obj, Value};
use super::views::{Member, ViewBase};
use super::walker::Walker;

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
        let Some(bases) = class.child_by_field_id(FIELDS.superclasses) else {
            return base;
        };
        let mut cursor = bases.walk();
        let mut written = Vec::new();
        for node in bases.named_children(&mut cursor) {
            match dotted_name(node, self.src()) {
                Some(dotted) if dotted == ["object"] => {}
                Some(dotted) => written.push(dotted),
                // `metaclass=...`, `Generic[T]`: whatever they add is not read.
                None => return base,
            }
        }
        let lineage = self
            .index
            .lineage(self.imports, &self.file.module, &written);
        base.project_get_queryset = lineage.defines.contains("get_queryset");
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
            } else if path.starts_with("rest_framework.") && DRF_GENERIC.contains(&name) {
                base.get_object = true;
            }
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
        match name {
            // Django's and DRF's views keep the request they were called with.
            "request" if base.django_or_drf => Some(vec![Value::Request]),
            "object" if base.object => Some(self.view_object(key, node, None, &Env::new())),
            "object_list" if base.object_list => Some(self.view_get_queryset(key, node)),
            _ => None,
        }
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
        (name == "get_object" && base.get_object)
            .then(|| self.view_object(key, call, Some(args), env))
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
    fn view_method(
        &mut self,
        key: usize,
        def: Node<'a>,
        member: Member,
        args: Option<&CallArgs<'a>>,
        env: &Env,
    ) -> Vec<Value> {
        let no_args = CallArgs {
            positional: Vec::new(),
            keywords: Vec::new(),
            has_splat: false,
        };
        let bound = self.bind_arguments(def, args.unwrap_or(&no_args), env, receiver(key, member));
        self.returns_of(def, bound, Some(key))
    }

    /// The object Django's (or DRF's) `get_object()` returns: one row of the queryset it
    /// is given, else of `get_queryset()`; the view's own `get_object()` when it has one.
    fn view_object(
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
