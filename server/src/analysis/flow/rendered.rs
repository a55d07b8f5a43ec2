//! Rows a view hands to a Django template (`render(request, "blog/list.html",
//! {"posts": posts})`): each `{% for %}` of the template over the context variable is
//! a loop over the view's rows, with what the template reads of each row
//! (`analysis::templates`), recorded where the rows went into the context, so a finding
//! and its fix are on the view's queryset, name the template and point at the template
//! line that reads the relation.
//!
//! Only what the call says for sure is followed: a template named by a literal that the
//! settings find, a context that is a dict literal or a dictionary built in the function
//! (`contexts`) that nothing else is given. A template
//! whose summary has gaps (an include or extends that cannot be followed) is not read:
//! what it does may be more. What a row hands to a custom filter or tag is unknown, as
//! a row passed to code we cannot read is in Python.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use tree_sitter::Node;

use crate::analysis::sources::{ModuleRead, ModuleSources};
use crate::analysis::templates::{self, LoadedTemplate, TemplateLoader};
use crate::syntax::fields::FIELDS;
use crate::syntax::node::{CallArgs, descendants, dotted_name, string_value, text};

use super::contexts::{Dict, Stored, dicts_of};
use super::template_loops::Rendering;
use super::values::Env;
use super::walker::Walker;

/// Django's functions that render a template with a context: the full name, the
/// position of the template name and of the context among the positional arguments.
const RENDERERS: [(&str, usize, usize); 3] = [
    ("django.shortcuts.render", 1, 2),
    ("django.template.loader.render_to_string", 0, 1),
    ("django.template.response.TemplateResponse", 1, 2),
];

/// The project's templates as the summary loads them, each read recorded.
struct Loader<'s> {
    sources: &'s dyn ModuleSources,
    read: RefCell<Vec<ModuleRead>>,
    /// The file of each template loaded, by name.
    paths: RefCell<HashMap<String, PathBuf>>,
}

impl TemplateLoader for Loader<'_> {
    fn load(&self, name: &str) -> Option<Arc<LoadedTemplate>> {
        let (template, hash) = self.sources.template(name)?;
        self.read
            .borrow_mut()
            .push(ModuleRead::template(name, hash));
        self.paths
            .borrow_mut()
            .insert(name.to_string(), template.path.clone());
        Some(template)
    }
}

impl<'a> Walker<'a> {
    /// A call rendering a template with a context of rows: the template's loops over
    /// them are this file's, at the context values.
    pub(super) fn rendered(&mut self, function: Node<'a>, args: &CallArgs<'a>, env: &Env) {
        if self.sources.is_none() {
            return;
        }
        let Some(dotted) = dotted_name(function, self.src()) else {
            return;
        };
        // Every call comes here: only these names are resolved through the imports.
        let named = |full: &str| full.rsplit('.').next() == dotted.last().map(String::as_str);
        if !RENDERERS.iter().any(|(full, ..)| named(full)) {
            return;
        }
        let Some(full) = self.external_name(&dotted) else {
            return;
        };
        let Some(&(_, name_at, context_at)) = RENDERERS.iter().find(|(f, ..)| *f == full) else {
            return;
        };
        let argument = |position: usize, keyword: &str| {
            args.keyword(keyword)
                .or_else(|| args.positional.get(position).copied())
        };
        let (Some(name), Some(context)) = (
            argument(name_at, "template_name"),
            argument(context_at, "context"),
        ) else {
            return;
        };
        let Some(name) = string_value(name, self.src()) else {
            return;
        };
        let Some(dicts) = self.context_dicts(context, env) else {
            return;
        };
        self.render_context(&[name.to_string()], &dicts);
    }

    /// The first of the templates `names` that is found, rendered with a context that
    /// is one of `dicts`: its loops over rows of the context are this file's, where the
    /// rows went into the context.
    pub(super) fn render_context(&mut self, names: &[String], dicts: &[Dict]) {
        let Some(sources) = self.sources else {
            return;
        };
        let loader = Loader {
            sources,
            read: Default::default(),
            paths: Default::default(),
        };
        let found = names
            .iter()
            .find_map(|name| Some((name, templates::summarize(name, &loader)?)));
        self.facts.read_modules(loader.read.into_inner());
        let paths = loader.paths.into_inner();
        let Some((name, summary)) = found.filter(|(_, s)| s.gaps.is_empty()) else {
            return;
        };
        for (key, uses) in &summary.context {
            let mut stored = Vec::new();
            for dict in dicts {
                match dict.get(key) {
                    Stored::Held(held, at) => stored.push((held, at)),
                    Stored::Absent => {}
                    Stored::Unknown => {
                        stored.clear();
                        break;
                    }
                }
            }
            for (held, at) in stored {
                let rendering = Rendering {
                    template: name,
                    paths: &paths,
                    at,
                };
                self.held_rendered(held, uses, &rendering);
            }
        }
    }

    /// The dictionaries a context argument may be: a dict literal, or a name bound to
    /// dictionaries that nothing but stores, `update` calls and this call use (a
    /// function given the dictionary may store anything in it).
    fn context_dicts(&mut self, context: Node<'a>, env: &Env) -> Option<Vec<Dict>> {
        if context.kind() == "identifier" && !self.only_built_and_rendered(context) {
            return None;
        }
        dicts_of(self.eval(context, env))
    }

    /// Whether every other occurrence of the name `context` in its function binds it,
    /// stores a key in it, updates it or reads a key of it.
    fn only_built_and_rendered(&self, context: Node<'a>) -> bool {
        let name = self.file.text(context);
        let mut scope = context;
        while let Some(parent) = scope.parent() {
            scope = parent;
            if scope.kind() == "function_definition" {
                break;
            }
        }
        descendants(scope)
            .filter(|n| n.kind() == "identifier" && self.file.text(*n) == name)
            .all(|n| n == context || dict_building(n, self.src()))
    }
}

/// An occurrence of a context dictionary's name that only builds it or reads it:
/// `ctx = ...`, `ctx[...] = ...`, `ctx[...]`, `ctx.update(...)`, `ctx.get(...)`.
fn dict_building(name: Node<'_>, src: &str) -> bool {
    let Some(parent) = name.parent() else {
        return false;
    };
    match parent.kind() {
        "assignment" => parent.child_by_field_id(FIELDS.left) == Some(name),
        "subscript" => parent.child_by_field_id(FIELDS.value) == Some(name),
        "attribute" => {
            parent.child_by_field_id(FIELDS.object) == Some(name)
                && parent
                    .child_by_field_id(FIELDS.attribute)
                    .is_some_and(|a| matches!(text(a, src), "update" | "get"))
        }
        _ => false,
    }
}
