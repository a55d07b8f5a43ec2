//! The columns a file's querysets filter, exclude and order by: ORM701 counts them
//! over the whole workspace against the indexes the models declare.

use super::flow::{Facts, LookupCall, is_test_module};
use super::lookups::{Style, walk};
use crate::index::queryset_api::Names;
use crate::index::{FieldKind, ModelIndex};
use crate::syntax::SourceFile;
use crate::text::TextRange;

/// One lookup that reaches a column a B-tree index can serve.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq, Hash)]
pub struct ColumnUse {
    /// `app_label.Model` of the model the lookup reaches the column on.
    pub model: String,
    /// The field holding the column (`author` for `author_id`).
    pub field: String,
    /// The lookup as written (`slug`, `created__gte`, `-created`).
    pub lookup: String,
    pub method: String,
    pub range: TextRange,
}

/// Lookups an index on the column serves: comparisons of the column itself. Others
/// (`icontains`, `date`, `iexact`) compare an expression of it, which a plain index
/// on the column does not serve.
const INDEXABLE: &[&str] = &["exact", "in", "gt", "gte", "lt", "lte", "range", "isnull"];

/// Every column use of the file's lookup calls, in source order. Tests and migrations
/// query what they check or move, not what the application asks of its tables: their
/// lookups do not count.
pub fn column_uses(file: &SourceFile, facts: &Facts, index: &ModelIndex) -> Vec<ColumnUse> {
    let mut uses = Vec::new();
    if is_test_module(&file.module) || file.module.split('.').any(|part| part == "migrations") {
        return uses;
    }
    for call in &facts.lookup_calls {
        let lookups: Vec<(String, TextRange)> = match call.names {
            Names::Lookups => call.keywords.clone(),
            Names::Ordering => call
                .call
                .strings
                .iter()
                .map(|(s, r)| (s.trim_start_matches(['-', '+']).to_string(), *r))
                .collect(),
            _ => continue,
        };
        // `created__gte=a, created__lt=b` is one place that reads `created`.
        let mut seen = std::collections::HashSet::new();
        for (lookup, range) in &lookups {
            let (lookup, range) = (lookup.clone(), *range);
            // Rows already narrowed through an index (one parent's, a foreign key's, a
            // unique column's) leave little for another index to do.
            let others = lookups.iter().map(|(l, _)| l).filter(|l| **l != lookup);
            let others = match call.names {
                Names::Lookups => others.collect::<Vec<_>>(),
                _ => Vec::new(),
            };
            if call.related
                || call
                    .earlier_filters
                    .iter()
                    .chain(others)
                    .any(|other| narrows(index, call, other))
            {
                continue;
            }
            let walked = walk(
                index,
                call.model,
                &lookup,
                Style::Field,
                call.annotations.as_deref(),
            );
            let Some((model_id, segment)) = walked.column else {
                continue;
            };
            let segments: Vec<&str> = lookup.split("__").collect();
            let rest = &segments[segment + 1..];
            let served = match call.names {
                Names::Ordering => rest.is_empty(),
                _ => rest.is_empty() || (rest.len() == 1 && INDEXABLE.contains(&rest[0])),
            };
            if !served {
                continue;
            }
            let model = index.model(model_id);
            let name = segments[segment];
            let Some(field) = model
                .fields
                .iter()
                .find(|f| f.name == name || f.attname().is_some_and(|a| a == name))
            else {
                continue;
            };
            if !matches!(
                field.kind,
                FieldKind::Plain | FieldKind::ForeignKey(_) | FieldKind::OneToOne(_)
            ) {
                continue;
            }
            if !seen.insert((model_id, field.name.clone())) {
                continue;
            }
            uses.push(ColumnUse {
                model: format!("{}.{}", model.app_label, model.name),
                field: field.name.clone(),
                lookup: lookup.clone(),
                method: call.method.clone(),
                range,
            });
        }
    }
    uses
}

/// The filter `lookup` picks rows through an index: an equality on a foreign key, the
/// primary key or an indexed column; or it cannot be read (`?`), which may.
fn narrows(index: &ModelIndex, call: &LookupCall, lookup: &str) -> bool {
    if lookup == "?" {
        return true;
    }
    let segments: Vec<&str> = lookup.split("__").collect();
    if segments[0] == "pk" {
        return true;
    }
    let walked = walk(
        index,
        call.model,
        lookup,
        Style::Field,
        call.annotations.as_deref(),
    );
    let equality = |rest: &[&str]| matches!(rest, [] | ["exact" | "in"]);
    match walked.column {
        Some((model, segment)) => {
            let model = index.model(model);
            let name = segments[segment];
            equality(&segments[segment + 1..])
                && model
                    .fields
                    .iter()
                    .find(|f| f.name == name || f.attname().is_some_and(|a| a == name))
                    .is_some_and(|f| model.is_indexed(f) == Some(true))
        }
        // `author=x`, `author__in=...`: the foreign key's column.
        None => {
            let hops = walked.hops.len();
            hops == 1 && walked.hops[0].is_selectable() && equality(&segments[hops..])
        }
    }
}

/// A column use in the workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub path: std::path::PathBuf,
    pub lookup: String,
    pub method: String,
    pub range: TextRange,
}

/// The column uses of every file of the workspace, by model label and field.
#[derive(Debug, Clone, Default)]
pub struct WorkspaceUses {
    by_column: std::collections::HashMap<(String, String), Vec<Place>>,
}

impl WorkspaceUses {
    pub fn add(&mut self, path: &std::path::Path, uses: &[ColumnUse]) {
        for u in uses {
            let places = self
                .by_column
                .entry((u.model.to_lowercase(), u.field.clone()))
                .or_default();
            places.push(Place {
                path: path.to_path_buf(),
                lookup: u.lookup.clone(),
                method: u.method.clone(),
                range: u.range,
            });
        }
    }

    /// `path`'s uses replaced by `uses` (its text changed).
    pub fn replace(&mut self, path: &std::path::Path, uses: &[ColumnUse]) {
        for places in self.by_column.values_mut() {
            places.retain(|place| place.path != path);
        }
        self.add(path, uses);
    }

    /// The places `field` of the model labelled `label` is looked up, by path and
    /// position.
    pub fn of(&self, label: &str, field: &str) -> Vec<Place> {
        let mut places = self
            .by_column
            .get(&(label.to_lowercase(), field.to_string()))
            .cloned()
            .unwrap_or_default();
        places.sort_by(|a, b| (&a.path, a.range.start).cmp(&(&b.path, b.range.start)));
        places.dedup();
        places
    }
}
