//! A template's loops as loop facts of the view that renders it: a `{% for %}` over
//! rows of the context is a loop over them, with what the template reads of each row;
//! a `{% for %}` over a row's (or a single object's) related rows (`post.comments.all`)
//! is a loop over those rows as the outer queryset's prefetch would serve them, so
//! what it reads of them is judged against the outer queryset, through the relation.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use crate::analysis::access::ReadIn;
use crate::analysis::templates::{self, Called, Step, UseKind};
use crate::index::queryset_api;
use crate::syntax::format_strings::{Dunder, Formatting};
use crate::syntax::uses::{Segment, Use};
use crate::text::TextRange;

use super::contexts::Held;
use super::facts::LoopFact;
use super::values::{Obj, Qs, each_row, related_rows};
use super::walker::Walker;

/// One rendering of a template: its name, the files of the templates it loaded, and
/// where the value of the context variable was written.
pub(super) struct Rendering<'r> {
    pub(super) template: &'r str,
    pub(super) paths: &'r HashMap<String, PathBuf>,
    pub(super) at: TextRange,
}

impl<'a> Walker<'a> {
    /// The loops of a template over what a context variable holds, whose `uses` these are.
    pub(super) fn held_rendered(&mut self, held: Held, uses: &[templates::Use], r: &Rendering<'_>) {
        for used in uses {
            let UseKind::Loop { rows: row_uses } = &used.kind else {
                continue;
            };
            match (&held, used.path.is_empty()) {
                (Held::Rows(rows), true) => self.loop_rendered(rows.clone(), row_uses, r),
                // A loop over something reached from the rows (`posts.first.tags`) is no
                // loop over them, and follows no relation per row.
                (Held::Rows(_), false) => {}
                (Held::Objects(objects), false) => {
                    if let Some(rows) = self.relation_rows(objects, &used.path) {
                        self.loop_rendered(rows, row_uses, r);
                    }
                }
                (Held::Objects(_), true) | (Held::Other, _) => {}
            }
        }
    }

    /// A template loop over `rows`, each row used as `row_uses` say, and the loops it
    /// nests over their related rows.
    fn loop_rendered(&mut self, rows: Vec<Qs>, row_uses: &[templates::Use], r: &Rendering<'_>) {
        let Some(model) = rows.first().map(|qs| qs.model) else {
            return;
        };
        let mut accesses = Vec::new();
        for row_use in row_uses {
            let read_in = r.paths.get(&row_use.at.template).map(|path| {
                Arc::new(ReadIn {
                    path: path.clone(),
                    range: row_use.at.range,
                })
            });
            for mut access in self.resolve_uses(model, &[python_use(row_use, r.at)]) {
                access.range = r.at;
                access.via = Some(r.template.to_string());
                access.read_in = read_in.clone();
                accesses.push(access);
            }
        }
        self.facts.loops.push(LoopFact {
            sources: rows.clone(),
            accesses,
            iter_range: r.at,
            body_range: r.at,
            sole_consumer: false,
            changelist: None,
        });
        let each = each_row(&rows);
        for row_use in row_uses {
            if let UseKind::Loop { rows: inner } = &row_use.kind
                && let Some(related) = self.relation_rows(&each, &row_use.path)
            {
                self.loop_rendered(related, inner, r);
            }
        }
    }

    /// The rows a template loops over when it follows `path` from each of `objects`:
    /// single-valued relations, then one many-valued relation and its `all` called.
    fn relation_rows(&self, objects: &[Obj], path: &[Step]) -> Option<Vec<Qs>> {
        let (last, steps) = path.split_last()?;
        if last.name != "all" || last.called == Called::No {
            return None;
        }
        if steps.iter().any(|s| s.called == Called::Yes) {
            return None;
        }
        let names: Vec<String> = steps.iter().map(|s| s.name.clone()).collect();
        related_rows(self.index, objects, &names)
    }
}

/// What a template does with a row, as the same use written in Python: attributes
/// looked up in turn; in Django those a queryset method names called (Django calls what
/// it looks up when it is callable), in Jinja2 those the template calls; a row printed
/// runs its `__str__`; a loop over a relation uses its rows (what the inner loop reads
/// of them is not followed).
fn python_use(used: &templates::Use, at: TextRange) -> Use {
    let segments: Vec<Segment> = used
        .path
        .iter()
        .map(|step| Segment {
            name: step.name.clone(),
            called: match step.called {
                Called::IfCallable => queryset_api::method(&step.name).is_some(),
                Called::Yes => true,
                Called::No => false,
            },
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
