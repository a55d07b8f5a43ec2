//! ORM601: `select_related` given a many-valued relation; Django raises FieldError.

use super::{Context, Rule, Violation};
use crate::analysis::access::HopKind;
use crate::analysis::lookups::{Style, walk};
use crate::analysis::Diagnostic;
use crate::fix::{Applicability, Edit};
use crate::index::queryset_api::Names;
use crate::text::TextRange;

pub struct SelectRelatedOnMany {
    pub lookup: String,
    /// The relation on the path that cannot be joined.
    pub relation: String,
    pub generic: bool,
    /// The lookup the fix prefetches, quoted, and whether it renames the call rather
    /// than moving the lookup out of it.
    pub moved: Option<(String, bool)>,
}

impl Violation for SelectRelatedOnMany {
    const RULE: Rule = Rule::SelectRelatedOnMany;

    fn message(&self) -> String {
        let kind = if self.generic {
            "a generic foreign key"
        } else {
            "a many-valued relation"
        };
        format!(
            "`select_related(\"{}\")` names `{}`, {kind}: Django raises FieldError; use `prefetch_related()`",
            self.lookup, self.relation
        )
    }

    fn fix_title(&self) -> Option<String> {
        let (moved, renames) = self.moved.as_ref()?;
        Some(if *renames {
            format!("Use `prefetch_related({moved})`")
        } else {
            format!("Move {moved} to `prefetch_related()`")
        })
    }
}

pub fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for call in ctx
        .facts
        .lookup_calls
        .iter()
        .filter(|c| c.names == Names::Relations)
    {
        for (i, (lookup, range)) in call.call.strings.iter().enumerate() {
            let w = walk(ctx.index, call.model, lookup, Style::Select, None);
            let Some(bad) = w
                .hops
                .iter()
                .find(|h| h.is_many() || h.kind == HopKind::GenericFk)
            else {
                continue;
            };
            let mut violation = SelectRelatedOnMany {
                lookup: lookup.clone(),
                relation: bad.name.clone(),
                generic: bad.kind == HopKind::GenericFk,
                moved: None,
            };
            let edits = w.accessor_path.as_ref().and_then(|path| {
                let q = call.call.quote.unwrap_or(ctx.quote);
                let moved = format!("{q}{}{q}", path.join("__"));
                let site = &call.call;
                if site.strings.len() == 1 && site.plain {
                    let text = ctx.text(site.range);
                    let name_at = site.range.start + text.find("select_related")?;
                    violation.moved = Some((moved.clone(), true));
                    Some(vec![
                        Edit::replacement(
                            TextRange::new(name_at, name_at + "select_related".len()),
                            "prefetch_related",
                        ),
                        Edit::replacement(*range, moved),
                    ])
                } else {
                    let removal = super::remove_string_arg(site, i, &ctx.file.source)?;
                    violation.moved = Some((moved.clone(), false));
                    Some(vec![
                        removal,
                        Edit::insertion(site.range.end, format!(".prefetch_related({moved})")),
                    ])
                }
            });
            let fix = edits.and_then(|edits| super::fix(&violation, Applicability::Safe, edits));
            out.push(Diagnostic::new(&violation, *range).with_fix(fix));
        }
    }
}
