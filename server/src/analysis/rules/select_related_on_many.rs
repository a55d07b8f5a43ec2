//! ORM601: `select_related` given a many-valued relation; Django raises FieldError.

use super::Checker;
use crate::analysis::access::HopKind;
use crate::analysis::lookups::{Style, walk};
use crate::analysis::{Diagnostic, Rule};
use crate::fix::{Edit, Fix};
use crate::text::TextRange;

pub fn check(checker: &mut Checker<'_>) {
    let mut out = Vec::new();
    for call in checker
        .facts
        .lookup_calls
        .iter()
        .filter(|c| c.method == "select_related")
    {
        for (i, (lookup, range)) in call.call.strings.iter().enumerate() {
            let w = walk(checker.index, call.model, lookup, Style::Select, None);
            let Some(bad) = w
                .hops
                .iter()
                .find(|h| h.is_many() || h.kind == HopKind::GenericFk)
            else {
                continue;
            };
            let kind = if bad.kind == HopKind::GenericFk {
                "a generic foreign key"
            } else {
                "a many-valued relation"
            };
            let fix = w.accessor_path.as_ref().and_then(|path| {
                let q = call.call.quote.unwrap_or(checker.quote);
                let moved = format!("{q}{}{q}", path.join("__"));
                let site = &call.call;
                if site.strings.len() == 1 && site.plain {
                    let text = checker.text(site.range);
                    let name_at = site.range.start + text.find("select_related")?;
                    Some(Fix::safe(
                        format!("Use `prefetch_related({moved})`"),
                        vec![
                            Edit::replacement(
                                TextRange::new(name_at, name_at + "select_related".len()),
                                "prefetch_related",
                            ),
                            Edit::replacement(*range, moved),
                        ],
                    ))
                } else {
                    Some(Fix::safe(
                        format!("Move {moved} to `prefetch_related()`"),
                        vec![
                            super::remove_string_arg(site, i, &checker.file.source)?,
                            Edit::insertion(site.range.end, format!(".prefetch_related({moved})")),
                        ],
                    ))
                }
            });
            out.push(Diagnostic {
                rule: Rule::SelectRelatedOnMany,
                message: format!(
                    "`select_related(\"{lookup}\")` names `{}`, {kind}: Django raises FieldError; use `prefetch_related()`",
                    bad.name
                ),
                range: *range,
                related: Vec::new(),
                fix,
            });
        }
    }
    for d in out {
        checker.report(d);
    }
}
