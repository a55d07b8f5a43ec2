//! Rows a view hands to a Django template (`render(request, "blog/list.html",
//! {"posts": posts})`): each `{% for %}` of the template over the context variable is
//! a loop over the view's rows, with what the template reads of each row
//! (`analysis::templates`), recorded at the context value, so a finding and its fix are
//! on the view's queryset and name the template.
//!
//! Only what the call says for sure is followed: a template named by a literal that the
//! settings find, a context written as a dict literal with string keys. A template
//! whose summary has gaps (an include or extends that cannot be followed) is not read:
//! what it does may be more. What a row hands to a custom filter or tag is unknown, as
//! a row passed to code we cannot read is in Python.

use std::sync::Arc;

use tree_sitter::Node;

use crate::analysis::sources::{ModuleRead, ModuleSources};
use crate::analysis::templates::{self, LoadedTemplate, TemplateLoader, UseKind};
use crate::index::queryset_api;
use crate::syntax::format_strings::{Dunder, Formatting};
use crate::syntax::node::{CallArgs, dict_string_items, dotted_name, string_value};
use crate::syntax::uses::{Segment, Use};
use crate::text::TextRange;

use super::facts::LoopFact;
use super::values::{Env, rows_of};
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
    read: std::cell::RefCell<Vec<ModuleRead>>,
}

impl TemplateLoader for Loader<'_> {
    fn load(&self, name: &str) -> Option<Arc<LoadedTemplate>> {
        let (template, hash) = self.sources.template(name)?;
        self.read
            .borrow_mut()
            .push(ModuleRead::template(name, hash));
        Some(template)
    }
}

impl<'a> Walker<'a> {
    /// A call rendering a template with a context of rows: the template's loops over
    /// them are this file's, at the context values.
    pub(super) fn rendered(&mut self, function: Node<'a>, args: &CallArgs<'a>, env: &Env) {
        let Some(sources) = self.sources else {
            return;
        };
        let Some(dotted) = dotted_name(function, self.src()) else {
            return;
        };
        // Every call comes here: only these names are resolved through the imports.
        let named = |full: &str| full.rsplit('.').next() == dotted.last().map(String::as_str);
        if !RENDERERS.iter().any(|(full, ..)| named(full)) {
            return;
        }
        let imports = self
            .imports
            .or_else(|| self.index.imports_of(&self.file.module));
        let Some(full) = self
            .index
            .external_name(imports, &self.file.module, &dotted)
        else {
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
        let Some(items) = dict_string_items(context, self.src()) else {
            return;
        };
        let loader = Loader {
            sources,
            read: Default::default(),
        };
        let summary = templates::summarize(name, &loader);
        self.facts.read_modules(loader.read.into_inner());
        let Some(summary) = summary.filter(|s| s.gaps.is_empty()) else {
            return;
        };
        for (key, value) in items {
            if let Some(uses) = summary.context.get(&key) {
                self.rows_rendered(value, uses, name, env);
            }
        }
    }

    /// The loops of a template over the rows `value` gives the context variable whose
    /// `uses` these are.
    fn rows_rendered(
        &mut self,
        value: Node<'a>,
        uses: &[templates::Use],
        template: &str,
        env: &Env,
    ) {
        let values = self.eval(value, env);
        let Some(rows) = rows_of(&values.iter().collect::<Vec<_>>()) else {
            return;
        };
        let Some(model) = rows.first().map(|qs| qs.model) else {
            return;
        };
        let at = TextRange::of(value);
        for used in uses {
            let UseKind::Loop { rows: row_uses } = &used.kind else {
                continue;
            };
            // A loop over something reached from the rows (`posts.first.tags`) is no
            // loop over the rows.
            if !used.path.is_empty() {
                continue;
            }
            let python: Vec<Use> = row_uses.iter().map(|u| python_use(u, at)).collect();
            let mut accesses = self.resolve_uses(model, &python);
            for access in &mut accesses {
                access.range = at;
                access.via = Some(template.to_string());
            }
            self.facts.loops.push(LoopFact {
                sources: rows.clone(),
                accesses,
                iter_range: at,
                body_range: at,
                sole_consumer: false,
                changelist: None,
            });
        }
    }
}

/// What a template does with a row, as the same use written in Python: attributes
/// looked up in turn, those a queryset method names called (Django calls what it looks
/// up when it is callable); a row printed runs its `__str__`; a loop over a relation
/// uses its rows (what the inner loop reads of them is not followed).
fn python_use(used: &templates::Use, at: TextRange) -> Use {
    let segments: Vec<Segment> = used
        .path
        .iter()
        .map(|name| Segment {
            name: name.clone(),
            called: queryset_api::method(name).is_some(),
            range: at,
        })
        .collect();
    let text = Formatting {
        dunder: Dunder::Str,
        builtin: None,
        range: at,
    };
    let formatted = (used.kind == UseKind::Text).then_some(text.clone());
    match &used.kind {
        UseKind::Escapes => Use::Other { range: at },
        UseKind::Text if segments.is_empty() => Use::Formatted(text),
        UseKind::Read | UseKind::Text | UseKind::Length | UseKind::Loop { .. } => {
            if segments.is_empty() {
                return Use::Other { range: at };
            }
            Use::Chain {
                segments,
                store: false,
                formatted,
            }
        }
    }
}
