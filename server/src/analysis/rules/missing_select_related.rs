//! ORM101: a foreign key or one-to-one loaded on each row of a queryset that does not
//! select it.

use super::{Context, Rule, Violation};
use crate::analysis::Diagnostic;
use crate::analysis::loads::Problem;

pub struct MissingSelectRelated {
    /// `post.author`, as written.
    pub subject: String,
    /// The method, property or helper through which it is read.
    pub via: Option<String>,
    pub lookup: String,
    pub model: String,
    /// The method the fix uses: `select_related`, or `prefetch_related` when the path
    /// crosses a many-valued relation.
    pub method: &'static str,
}

impl Violation for MissingSelectRelated {
    const RULE: Rule = Rule::MissingSelectRelated;

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
            "`{subject}`{via} loads the related object `{lookup}` with one query per `{model}` row: the queryset does not {method}(\"{lookup}\")"
        )
    }
}

pub fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (finding, qs, fix) in super::loop_findings(ctx, Problem::SingleNotSelected) {
        let model = ctx.model_name(qs.model).to_string();
        let violation = MissingSelectRelated {
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
