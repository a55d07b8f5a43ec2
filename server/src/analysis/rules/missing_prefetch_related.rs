//! ORM102: a many-valued relation read on each row of a queryset that does not prefetch it.

use super::{Context, PerRowLoad, Rule, Violation};
use crate::analysis::Diagnostic;
use crate::analysis::loads::Problem;

pub struct MissingPrefetchRelated(pub PerRowLoad);

impl Violation for MissingPrefetchRelated {
    const RULE: Rule = Rule::MissingPrefetchRelated;

    fn message(&self) -> String {
        let PerRowLoad {
            lookup,
            model,
            method,
            ..
        } = &self.0;
        format!(
            "{} loads the related rows `{lookup}` with one query per `{model}` row: the queryset does not {method}(\"{lookup}\")",
            self.0.reader()
        )
    }
}

pub fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    super::report_per_row_loads(ctx, Problem::ManyNotPrefetched, MissingPrefetchRelated, out);
}
