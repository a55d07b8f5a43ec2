//! ORM101: a foreign key or one-to-one loaded on each row of a queryset that does not
//! select it.

use super::{Context, PerRowLoad, Rule, Violation};
use crate::analysis::Diagnostic;
use crate::analysis::loads::Problem;

pub struct MissingSelectRelated(pub PerRowLoad);

impl Violation for MissingSelectRelated {
    const RULE: Rule = Rule::MissingSelectRelated;

    fn message(&self) -> String {
        let PerRowLoad {
            lookup,
            model,
            method,
            blocked,
            ..
        } = &self.0;
        if *blocked {
            return format!(
                "{} raises `FieldFetchBlocked` on each `{model}` row: the queryset's fetch mode is `FETCH_RAISE` and it does not {method}(\"{lookup}\")",
                self.0.reader()
            );
        }
        format!(
            "{} loads the related object `{lookup}` with one query per `{model}` row: the queryset does not {method}(\"{lookup}\")",
            self.0.reader()
        )
    }
}

pub fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    super::report_per_row_loads(ctx, Problem::SingleNotSelected, MissingSelectRelated, out);
}
