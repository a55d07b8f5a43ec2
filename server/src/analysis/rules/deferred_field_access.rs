//! ORM104: a field left out by `only()` or named in `defer()` read on each row.

use std::collections::BTreeSet;

use super::{Context, Rule, Violation};
use crate::analysis::access::AccessKind;
use crate::analysis::flow::{Qs, quote_for};
use crate::analysis::Diagnostic;
use crate::fix::{Applicability, Edit};
use crate::index::{Attribute, ModelIndex};

fn deferred(qs: &Qs, field: &str, index: &ModelIndex) -> bool {
    // Django 6.1's FETCH_PEERS loads a deferred field for all the rows at once.
    if !qs.prefix.is_empty()
        || qs.applied.unknown
        || qs.applied.fetches_peers()
    {
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

pub struct DeferredFieldAccess {
    /// `post.body`, as written.
    pub subject: String,
    pub via: Option<String>,
    pub field: String,
    pub model: String,
    /// `only()` leaves the field out, rather than `defer()` naming it.
    pub by_only: bool,
    /// The name `defer()` gives the field, which the fix removes.
    pub deferred_as: Option<String>,
    /// The quote the fix writes the field with in `only()`.
    pub quote: char,
    /// The rows' fetch mode is Django 6.1's `FETCH_RAISE`: the read raises.
    pub blocked: bool,
}

impl Violation for DeferredFieldAccess {
    const RULE: Rule = Rule::DeferredFieldAccess;

    fn message(&self) -> String {
        let how = if self.by_only {
            "is not in only()"
        } else {
            "is deferred"
        };
        let via = self
            .via
            .as_ref()
            .map(|v| format!(" (through `{v}`)"))
            .unwrap_or_default();
        let cost = if self.blocked {
            "it raises `FieldFetchBlocked` on each row (the fetch mode is `FETCH_RAISE`)"
        } else {
            "one query per row to load it"
        };
        format!(
            "`{}`{via} reads `{}` of each `{}`, which {how}: {cost}",
            self.subject, self.field, self.model
        )
    }

    fn fix_title(&self) -> Option<String> {
        let Self { field, quote: q, .. } = self;
        Some(match &self.deferred_as {
            _ if self.by_only => format!("Add {q}{field}{q} to `only()`"),
            Some(named) => format!("Remove \"{named}\" from `defer()`"),
            None => return None,
        })
    }
}

pub fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for fact in &ctx.facts.loops {
        let mut seen = BTreeSet::new();
        for access in &fact.accesses {
            let AccessKind::Column { field } = &access.kind else {
                continue;
            };
            if !fact.sources.iter().all(|qs| deferred(qs, field, ctx.index))
                || !seen.insert(field.clone())
            {
                continue;
            }
            let qs = &fact.sources[0];
            let model = ctx.model_name(qs.model).to_string();
            let alone = fact.sources.len() == 1;
            let mut violation = DeferredFieldAccess {
                subject: ctx.text(access.range).to_string(),
                via: access.via.clone(),
                field: field.clone(),
                model: model.clone(),
                by_only: qs.applied.only.is_some(),
                deferred_as: None,
                quote: quote_for(qs.only_call.as_ref(), ctx.quote),
                blocked: fact
                    .sources
                    .iter()
                    .all(|qs| qs.applied.fetch_raises()),
            };
            let edit = if violation.by_only {
                qs.only_call
                    .as_ref()
                    .filter(|site| site.plain && alone)
                    .and_then(|site| site.strings.last())
                    .map(|(_, last)| {
                        let q = violation.quote;
                        Edit::insertion(last.end, format!(", {q}{field}{q}"))
                    })
            } else {
                qs.defer_call
                    .as_ref()
                    .filter(|_| alone)
                    .and_then(|site| {
                        let index = site
                            .strings
                            .iter()
                            .position(|(s, _)| names_field(ctx.index, qs, s, field))?;
                        violation.deferred_as = Some(site.strings[index].0.clone());
                        super::remove_string_arg(site, index, &ctx.file.source)
                    })
            };
            let fix = edit.and_then(|edit| super::fix(&violation, Applicability::Safe, vec![edit]));
            let related =
                ctx.origin_related(qs, format!("rows of `{model}` fetched here"));
            let diagnostic = Diagnostic::new(&violation, access.range)
                .with_related(related)
                .with_fix(fix);
            out.push(
                if violation.blocked {
                    diagnostic.raising()
                } else {
                    diagnostic
                },
            );
        }
    }
}
