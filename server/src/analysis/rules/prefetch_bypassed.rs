//! ORM105: a prefetched related manager filtered (or otherwise queried anew) per row.

use super::{Context, Rule, Violation};
use crate::analysis::Diagnostic;
use crate::analysis::access::AccessKind;
use crate::analysis::loads::Problem;

pub struct PrefetchBypassed {
    /// `post.comments`, as written; the call when a method or helper reads it.
    pub subject: String,
    /// The method, property or helper through which the manager is read.
    pub via: Option<String>,
    /// The related manager's attribute (`comments`).
    pub relation: String,
    /// The method called on it (`filter`).
    pub method: String,
    pub lookup: String,
    pub model: String,
}

impl Violation for PrefetchBypassed {
    const RULE: Rule = Rule::PrefetchBypassed;

    fn message(&self) -> String {
        let Self {
            subject,
            via,
            relation,
            method,
            lookup,
            model,
        } = self;
        // Through a method the subject is the call, not the manager: name both.
        let query = match via {
            Some(via) => format!("`{subject}` (through `{via}`) calls `{relation}.{method}()`, which"),
            None => format!("`{subject}.{method}()`"),
        };
        format!(
            "{query} runs a new query for each `{model}` row and ignores the prefetched `{lookup}`: use `Prefetch(\"{lookup}\", queryset=..., to_attr=...)` and read the list"
        )
    }
}

pub fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (finding, qs, _) in super::loop_findings(ctx, Problem::PrefetchBypassed) {
        let AccessKind::Many { path, .. } = &finding.access.kind else {
            continue;
        };
        let violation = PrefetchBypassed {
            subject: ctx.text(finding.access.range).to_string(),
            via: finding.access.via.clone(),
            relation: path.last().map(|hop| hop.name.clone()).unwrap_or_default(),
            method: finding.bypass.as_deref().unwrap_or("filter").to_string(),
            lookup: finding.lookup.clone(),
            model: ctx.model_name(qs.model).to_string(),
        };
        let related = ctx.origin_related(
            qs,
            format!("`{}` prefetched here", finding.lookup),
        );
        out.push(Diagnostic::new(&violation, finding.access.range).with_related(related));
    }
}
