//! Django's `ListView`: its `get()` renders a template with `get_queryset()`'s rows, so
//! the template's loops over them are the view's, reported where the view says which
//! rows (`queryset = ...`, its `get_queryset()`, or the class of a `model = X` view).
//!
//! Django's facts (`django.views.generic.list`): the template is `template_name`, else
//! `<app_label>/<model_name>_list.html` of the rows' model (the first that exists); the
//! context has the rows as `object_list` and under `context_object_name`, else
//! `<model_name>_list`; with `paginate_by`, `object_list` and `page_obj` are the page's
//! rows, a slice of the same queryset. A `get_context_data()` of the class starts from
//! that context (`super().get_context_data(**kwargs)`) and what it returns is rendered.
//! Anything else that may change the template or the context (those methods in a
//! project base, `get()`, `get_template_names()`, `template_name_suffix`, names that
//! are not literals) leaves the view unread.

use crate::syntax::fields::FIELDS;
use crate::syntax::node::string_value;
use crate::text::TextRange;

use super::contexts::Dict;
use super::values::{Env, Qs, Value, rows_of};
use super::view_members::RENDERING;
use super::walker::Walker;

impl<'a> Walker<'a> {
    /// The template a `ListView` renders, with its rows.
    pub(super) fn list_view_rendered(&mut self, key: usize) {
        let Some(view) = self.views.get(&key) else {
            return;
        };
        let own_context = view.methods.get("get_context_data").copied();
        let replaced = RENDERING
            .iter()
            .any(|m| *m != "get_context_data" && view.methods.contains_key(*m));
        if !view.base.renders_list || replaced || view.assigned.contains_key("template_name_suffix")
        {
            return;
        }
        let template_name = match view.assigned.get("template_name") {
            Some(&name) => match string_value(name, self.src()) {
                Some(name) => Some(name.to_string()),
                None => return,
            },
            None => None,
        };
        let Some(context) = self.list_context(key) else {
            return;
        };
        let Some(model) = context.rows.first().map(|qs| qs.model) else {
            return;
        };
        let model = self.index.model(model);
        let default = format!(
            "{}/{}_list.html",
            model.app_label,
            model.name.to_lowercase()
        );
        let names: Vec<String> = template_name.into_iter().chain([default]).collect();
        let dicts = match own_context {
            None => vec![context.dict],
            Some((def, member)) => {
                let returned = self.view_method(key, def, member, None, &Env::new());
                let dicts: Option<Vec<Dict>> = returned
                    .into_iter()
                    .map(|value| match value {
                        Value::Dict(dict) => Some(*dict),
                        _ => None,
                    })
                    .collect();
                match dicts {
                    Some(dicts) if !dicts.is_empty() => dicts,
                    _ => return,
                }
            }
        };
        self.render_context(&names, &dicts);
    }

    /// The context Django's `ListView.get_context_data()` gives view `key`'s template.
    pub(super) fn list_context(&mut self, key: usize) -> Option<ListContext> {
        let view = self.views.get(&key)?;
        if !view.base.renders_list {
            return None;
        }
        let class = view.class;
        let context_name = match view.assigned.get("context_object_name") {
            Some(&name) => Some(string_value(name, self.src())?.to_string()),
            None => None,
        };
        let paginated = view.assigned.contains_key("paginate_by");
        // Where the finding reads best: the queryset as written, the method that
        // returns it, else the class.
        let (at, fixable) = match (view.get_queryset, view.queryset) {
            (Some(def), _) => (def.child_by_field_id(FIELDS.name)?, true),
            (None, Some(queryset)) => (queryset, true),
            (None, None) => (class.child_by_field_id(FIELDS.name)?, false),
        };
        let values = self.view_get_queryset(key, at);
        let mut rows = rows_of(&values.iter().collect::<Vec<_>>())?;
        if !fixable {
            // Rows of the model's manager: there is no queryset written to extend.
            for qs in &mut rows {
                qs.origin = None;
            }
        }
        let model = self.index.model(rows.first()?.model);
        let at = TextRange::of(at);
        let mut names = vec![
            "object_list".to_string(),
            context_name.unwrap_or_else(|| format!("{}_list", model.name.to_lowercase())),
        ];
        if paginated {
            names.push("page_obj".to_string());
        }
        let dict = Dict::open_with(names.into_iter().map(|name| (name, rows.clone(), at)));
        Some(ListContext { rows, dict })
    }
}

pub(super) struct ListContext {
    pub(super) rows: Vec<Qs>,
    pub(super) dict: Dict,
}
