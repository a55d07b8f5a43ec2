//! Django's `ListView` and `DetailView`: their `get()` renders a template with
//! `get_queryset()`'s rows (or one object of them), so the template's loops over the
//! rows, or over the object's related rows, are the view's, reported where the view
//! says which rows (its `get_queryset()`, `queryset = ...`, or the class of a
//! `model = X` view, which has no queryset written to fix).
//!
//! Django's facts (`django.views.generic.list` and `.detail`): the template is
//! `template_name`, else `<app_label>/<model_name>_list.html` (`_detail.html`) of the
//! rows' model, the first that exists. A list view's context has the rows as
//! `object_list` and under `context_object_name`, else `<model_name>_list`; with
//! `paginate_by`, `object_list` and `page_obj` are the page's rows, a slice of the same
//! queryset. A detail view's has `get_object()` (one row of `get_queryset()`) as
//! `object` and under `context_object_name`, else `<model_name>`. A
//! `get_context_data()` of the class starts from that context
//! (`super().get_context_data(**kwargs)`) and what it returns is rendered. Anything
//! else that may change the template or the context (those methods in a project base,
//! `get()`, `get_template_names()`, `template_name_suffix`, names that are not
//! literals) leaves the view unread.

use crate::syntax::fields::FIELDS;
use crate::syntax::node::string_value;
use crate::text::TextRange;

use super::contexts::{Dict, Held, dicts_of, held_of};
use super::values::Env;
use super::view_members::RENDERING;
use super::walker::Walker;

/// What a generic view's `get_context_data()` gives its template.
pub(super) struct GenericContext {
    /// `<app_label>/<model_name>_list.html` or `_detail.html`.
    default_template: String,
    pub(super) dict: Dict,
}

impl<'a> Walker<'a> {
    /// The template a `ListView` or `DetailView` renders, with its rows.
    pub(super) fn generic_view_rendered(&mut self, key: usize) {
        let Some(view) = self.views.get(&key) else {
            return;
        };
        let own_context = view.methods.get("get_context_data").copied();
        let replaced = RENDERING
            .iter()
            .any(|m| *m != "get_context_data" && view.methods.contains_key(*m));
        if replaced || view.assigned.contains_key("template_name_suffix") {
            return;
        }
        let template_name = match view.assigned.get("template_name") {
            Some(&name) => match string_value(name, self.src()) {
                Some(name) => Some(name.to_string()),
                None => return,
            },
            None => None,
        };
        let Some(context) = self.generic_context(key) else {
            return;
        };
        let names: Vec<String> = template_name
            .into_iter()
            .chain([context.default_template])
            .collect();
        let dicts = match own_context {
            None => vec![context.dict],
            Some((def, member)) => {
                let returned = self.view_method(key, def, member, None, &Env::new());
                match dicts_of(returned) {
                    Some(dicts) => dicts,
                    None => return,
                }
            }
        };
        self.render_context(&names, &dicts);
    }

    /// The context Django's `get_context_data()` gives view `key`'s template, when it
    /// is a `ListView` or a `DetailView`.
    pub(super) fn generic_context(&mut self, key: usize) -> Option<GenericContext> {
        let view = self.views.get(&key)?;
        let (list, detail) = (view.base.renders_list, view.base.renders_detail);
        if !list && !detail {
            return None;
        }
        let class = view.class;
        let context_name = match view.assigned.get("context_object_name") {
            Some(&name) => Some(string_value(name, self.src())?.to_string()),
            None => None,
        };
        let paginated = view.assigned.contains_key("paginate_by");
        // Where the finding reads best: the method that returns the rows, the
        // queryset as written, else the class.
        let own = |name: &str| view.methods.get(name).map(|(def, _)| *def);
        let method = if detail {
            own("get_object").or(own("get_queryset"))
        } else {
            own("get_queryset")
        };
        let (at, fixable) = match (method, view.queryset) {
            (Some(def), _) => (def.child_by_field_id(FIELDS.name)?, true),
            (None, Some(queryset)) => (queryset, true),
            (None, None) => (class.child_by_field_id(FIELDS.name)?, false),
        };
        let values = if detail {
            self.view_object(key, at, None, &Env::new())
        } else {
            self.view_get_queryset(key, at)
        };
        let held = match (held_of(values), detail) {
            (held @ Held::Objects(_), true) | (held @ Held::Rows(_), false) => held,
            _ => return None,
        };
        // The model's manager: there is no queryset written to extend.
        let held = if fixable { held } else { held.without_origin() };
        let model = held.model()?;
        let model = self.index.model(model);
        let model_name = model.name.to_lowercase();
        let at = TextRange::of(at);
        let (mut names, suffix) = if detail {
            (vec!["object".to_string()], "detail")
        } else {
            (vec!["object_list".to_string()], "list")
        };
        names.push(context_name.unwrap_or_else(|| match detail {
            true => model_name.clone(),
            false => format!("{model_name}_list"),
        }));
        if paginated && list {
            names.push("page_obj".to_string());
        }
        Some(GenericContext {
            default_template: format!("{}/{model_name}_{suffix}.html", model.app_label),
            dict: Dict::open_with(names.into_iter().map(|name| (name, held.clone(), at))),
        })
    }
}
