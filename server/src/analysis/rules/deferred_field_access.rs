//! ORM104: a field left out by `only()` or named in `defer()` read on each row.

use std::collections::BTreeSet;

use super::Checker;
use crate::analysis::access::AccessKind;
use crate::analysis::flow::{Qs, quote_for};
use crate::analysis::{Diagnostic, Rule};
use crate::fix::{Edit, Fix};
use crate::index::{Attribute, ModelIndex};

fn deferred(qs: &Qs, field: &str, index: &ModelIndex) -> bool {
    if !qs.prefix.is_empty() || qs.applied.unknown {
        return false;
    }
    match &qs.applied.only {
        // `only("author__name")` loads `author`'s column too, to join through it.
        Some(only) => !only.iter().any(|o| {
            let first = o.split("__").next().unwrap_or(o);
            names_field(index, qs, first, field)
        }),
        // `defer("author__name")` defers a column of the author, not `author_id`.
        None => qs
            .applied
            .defer
            .iter()
            .any(|d| names_field(index, qs, d, field)),
    }
}

/// Whether `name` in only()/defer() is `field`, which they also accept by its attname:
/// `only("product_id")` loads the `product` foreign key's column.
fn names_field(index: &ModelIndex, qs: &Qs, name: &str, field: &str) -> bool {
    match index.attribute(qs.model, name) {
        Some(Attribute::Attname(fk)) => fk.name == field,
        _ => name == field,
    }
}

pub fn check(checker: &mut Checker<'_>) {
    let mut out = Vec::new();
    for fact in &checker.facts.loops {
        let mut seen = BTreeSet::new();
        for access in &fact.accesses {
            let AccessKind::Column { field } = &access.kind else {
                continue;
            };
            if !fact
                .sources
                .iter()
                .all(|qs| deferred(qs, field, checker.index))
                || !seen.insert(field.clone())
            {
                continue;
            }
            let qs = &fact.sources[0];
            let model = checker.model_name(qs.model).to_string();
            let subject = checker.text(access.range).to_string();
            let (how, fix) = if qs.applied.only.is_some() {
                let fix = qs
                    .only_call
                    .as_ref()
                    .filter(|s| s.plain && fact.sources.len() == 1)
                    .and_then(|site| {
                        let (_, last) = site.strings.last()?;
                        let q = quote_for(Some(site), checker.quote);
                        Some(Fix::safe(
                            format!("Add {q}{field}{q} to `only()`"),
                            vec![Edit::insertion(last.end, format!(", {q}{field}{q}"))],
                        ))
                    });
                ("is not in only()", fix)
            } else {
                let fix = qs
                    .defer_call
                    .as_ref()
                    .filter(|_| fact.sources.len() == 1)
                    .and_then(|site| {
                        let index = site
                            .strings
                            .iter()
                            .position(|(s, _)| names_field(checker.index, qs, s, field))?;
                        let named = &site.strings[index].0;
                        Some(Fix::safe(
                            format!("Remove \"{named}\" from `defer()`"),
                            vec![super::remove_string_arg(site, index, &checker.file.source)?],
                        ))
                    });
                ("is deferred", fix)
            };
            let via = access
                .via
                .as_ref()
                .map(|v| format!(" (through `{v}`)"))
                .unwrap_or_default();
            out.push(Diagnostic {
                rule: Rule::DeferredFieldAccess,
                message: format!(
                    "`{subject}`{via} reads `{field}`, which {how}: one query per `{model}` row to load it"
                ),
                range: access.range,
                related: checker.origin_related(qs.origin.as_ref(), format!("rows of `{model}` fetched here")),
                fix,
            });
        }
    }
    for d in out {
        checker.report(d);
    }
}
