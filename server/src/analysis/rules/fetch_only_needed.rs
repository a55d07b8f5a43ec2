//! ORM301: whole rows fetched when the loop reads a few plain columns.

use std::collections::BTreeSet;

use super::Checker;
use crate::analysis::access::AccessKind;
use crate::analysis::{Diagnostic, Rule};
use crate::fix::{Edit, Fix};
use crate::index::FieldKind;

/// Fewer unread columns than this is not worth a hint.
const MIN_UNREAD_COLUMNS: usize = 2;
/// More columns read than this is not "a few": narrowing would be a long, fragile list.
const MAX_READ_COLUMNS: usize = 4;

pub fn check(checker: &mut Checker<'_>) {
    let mut out = Vec::new();
    for fact in &checker.facts.loops {
        if !fact.sole_consumer || fact.sources.len() != 1 {
            continue;
        }
        let qs = &fact.sources[0];
        let Some(origin) = &qs.origin else { continue };
        let applied = &qs.applied;
        if !qs.prefix.is_empty()
            || qs.per_row
            || qs.related
            || applied.only.is_some()
            || !applied.defer.is_empty()
            || applied.values
            || applied.unknown
            || !applied.select_related.is_empty()
            || applied.select_related_all
            || !applied.prefetch_related.is_empty()
        {
            continue;
        }
        let mut read = BTreeSet::new();
        let mut plain = true;
        for access in &fact.accesses {
            match &access.kind {
                AccessKind::Column { field } => {
                    read.insert(field.clone());
                }
                AccessKind::Pk => {}
                _ => plain = false,
            }
        }
        if !plain || read.is_empty() || read.len() > MAX_READ_COLUMNS {
            continue;
        }
        let model = checker.index.model(qs.model);
        if model.has_unknown_bases {
            continue;
        }
        let columns = model
            .fields
            .iter()
            .filter(|f| {
                !f.primary_key
                    && matches!(
                        f.kind,
                        FieldKind::Plain | FieldKind::ForeignKey(_) | FieldKind::OneToOne(_)
                    )
            })
            .count();
        if columns < read.len() + MIN_UNREAD_COLUMNS {
            continue;
        }
        let q = checker.quote;
        let names: Vec<String> = read.iter().map(|f| format!("{q}{f}{q}")).collect();
        let call = format!(".only({})", names.join(", "));
        out.push(Diagnostic {
            rule: Rule::FetchOnlyNeeded,
            message: format!(
                "Only {} of each `{}` are read, but every column is fetched: narrow the query with `{call}` (or `values_list(...)`)",
                names.join(", "),
                model.name
            ),
            range: fact.iter_range,
            related: Vec::new(),
            fix: Some(Fix::safe(
                format!("Add `{call}`"),
                vec![Edit::insertion(qs.insert_at().unwrap_or(origin.insert_at()), call)],
            )),
        });
    }
    for d in out {
        checker.report(d);
    }
}
