//! ORM203: `obj.author.id` loads the author to read a value `obj.author_id` already holds.

use super::{Context, Rule, Violation};
use crate::analysis::access::AccessKind;
use crate::analysis::flow::Load;
use crate::analysis::Diagnostic;

pub struct RelatedIdViaObject {
    /// `author.id` in `post.author.id`.
    pub original: String,
    /// `author_id`.
    pub attname: String,
    pub per_row: bool,
}

impl Violation for RelatedIdViaObject {
    const RULE: Rule = Rule::RelatedIdViaObject;

    fn message(&self) -> String {
        let per_row = if self.per_row { " for each row" } else { "" };
        format!(
            "`{}` runs a query{per_row} to load the related object for its id: `{}` holds it already",
            self.original, self.attname
        )
    }

    fn fix_title(&self) -> Option<String> {
        Some(format!("Replace with `{}`", self.attname))
    }
}

pub fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for read in &ctx.facts.id_reads {
        if read
            .objs
            .iter()
            .any(|obj| obj.qs.load(&obj.path) != Load::Missing)
        {
            continue;
        }
        // When the loop loads the related object anyway, reading its id is free.
        let loaded_elsewhere = ctx.facts.loops.iter().any(|fact| {
            fact.body_range.contains_range(read.replace)
                && fact.accesses.iter().any(|a| match &a.kind {
                    AccessKind::Load { path } | AccessKind::Many { path, .. } => {
                        read.objs.iter().any(|obj| {
                            path.iter()
                                .map(|h| &h.name)
                                .take(obj.path.len())
                                .eq(obj.path.iter().map(|h| &h.name))
                        })
                    }
                    _ => false,
                })
        });
        if loaded_elsewhere {
            continue;
        }
        let violation = RelatedIdViaObject {
            original: ctx.text(read.replace).to_string(),
            attname: read.attname.clone(),
            per_row: read.objs.iter().all(|obj| obj.per_row),
        };
        out.push(super::replaced_by(&violation, read.replace, read.attname.clone()));
    }
}
