//! ORM301: whole rows fetched when the loop reads a few plain columns.

use std::collections::BTreeSet;

use super::{Context, Rule, Violation};
use crate::analysis::access::AccessKind;
use crate::analysis::Diagnostic;
use crate::fix::{Applicability, Edit};
use crate::index::FieldKind;

/// Fewer unread columns than this is not worth a hint.
const MIN_UNREAD_COLUMNS: usize = 2;
/// More columns read than this is not "a few": narrowing would be a long, fragile list.
const MAX_READ_COLUMNS: usize = 4;

pub struct FetchOnlyNeeded {
    /// The columns read, quoted as the fix writes them.
    pub names: Vec<String>,
    pub model: String,
}

impl FetchOnlyNeeded {
    fn call(&self) -> String {
        format!(".only({})", self.names.join(", "))
    }
}

impl Violation for FetchOnlyNeeded {
    const RULE: Rule = Rule::FetchOnlyNeeded;

    fn message(&self) -> String {
        format!(
            "Only {} of each `{}` are read, but every column is fetched: narrow the query with `{}` (or `values_list(...)`)",
            self.names.join(", "),
            self.model,
            self.call()
        )
    }

    fn fix_title(&self) -> Option<String> {
        Some(format!("Add `{}`", self.call()))
    }
}

pub fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for fact in &ctx.facts.loops {
        if !fact.sole_consumer || fact.sources.len() != 1 {
            continue;
        }
        // Rows read for one aggregate need no columns at all (ORM501).
        let aggregated = ctx.facts.python_aggregates.iter();
        if aggregated.map(|a| a.iter_range).any(|r| r == fact.iter_range) {
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
        let model = ctx.index.model(qs.model);
        if model.may_have_unseen_attributes() {
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
        let q = ctx.quote;
        let violation = FetchOnlyNeeded {
            names: read.iter().map(|f| format!("{q}{f}{q}")).collect(),
            model: model.name.clone(),
        };
        let at = qs.insert_at().unwrap_or(origin.insert_at());
        let fix = super::fix(
            &violation,
            Applicability::Safe,
            vec![Edit::insertion(at, violation.call())],
        );
        out.push(Diagnostic::new(&violation, fact.iter_range).with_fix(fix));
    }
}
