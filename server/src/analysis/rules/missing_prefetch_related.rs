//! ORM102: a many-valued relation read on each row of a queryset that does not prefetch it.

use super::{Context, Rule, Violation};
use crate::analysis::Diagnostic;
use crate::analysis::loads::Problem;

pub struct MissingPrefetchRelated {
    /// `post.tags.all()`, as written.
    pub subject: String,
    /// The method, property or helper through which it is read.
    pub via: Option<String>,
    pub lookup: String,
    pub model: String,
    /// The method the fix uses (`prefetch_related`).
    pub method: &'static str,
}

impl Violation for MissingPrefetchRelated {
    const RULE: Rule = Rule::MissingPrefetchRelated;

    fn message(&self) -> String {
        let Self {
            subject,
            via,
            lookup,
            model,
            method,
        } = self;
        let via = via
            .as_ref()
            .map(|v| format!(" (through `{v}`)"))
            .unwrap_or_default();
        format!(
            "`{subject}`{via} loads the related rows `{lookup}` with one query per `{model}` row: the queryset does not {method}(\"{lookup}\")"
        )
    }
}

pub fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (finding, qs, fix) in super::loop_findings(ctx, Problem::ManyNotPrefetched) {
        let model = ctx.model_name(qs.model).to_string();
        let violation = MissingPrefetchRelated {
            subject: ctx.text(finding.access.range).to_string(),
            via: finding.access.via.clone(),
            lookup: finding.lookup.clone(),
            model: model.clone(),
            method: finding.method(),
        };
        let related =
            ctx.origin_related(qs.origin.as_ref(), format!("rows of `{model}` fetched here"));
        out.push(
            Diagnostic::new(&violation, finding.access.range)
                .with_related(related)
                .with_fix(fix),
        );
    }
}
