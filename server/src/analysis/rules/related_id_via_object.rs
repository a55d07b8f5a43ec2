//! ORM203: `obj.author.id` loads the author to read a value `obj.author_id` already holds.

use super::Checker;
use crate::analysis::access::AccessKind;
use crate::analysis::flow::Load;
use crate::analysis::{Diagnostic, Rule};
use crate::fix::{Edit, Fix};

pub fn check(checker: &mut Checker<'_>) {
    let mut out = Vec::new();
    for read in &checker.facts.id_reads {
        if read
            .objs
            .iter()
            .any(|obj| obj.qs.load(&obj.path) != Load::Missing)
        {
            continue;
        }
        // When the loop loads the related object anyway, reading its id is free.
        let loaded_elsewhere = checker.facts.loops.iter().any(|fact| {
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
        let original = checker.text(read.replace).to_string();
        let per_row = if read.objs.iter().all(|obj| obj.per_row) {
            " for each row"
        } else {
            ""
        };
        out.push(Diagnostic {
            rule: Rule::RelatedIdViaObject,
            message: format!(
                "`{original}` runs a query{per_row} to load the related object for its id: `{}` holds it already",
                read.attname
            ),
            range: read.replace,
            related: Vec::new(),
            fix: Some(Fix::safe(
                format!("Replace with `{}`", read.attname),
                vec![Edit::replacement(read.replace, read.attname.clone())],
            )),
        });
    }
    for d in out {
        checker.report(d);
    }
}
