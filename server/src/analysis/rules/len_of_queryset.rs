//! ORM202: `len(qs)` fetching every row only to count them.

use super::{Context, Rule, Violation};
use crate::analysis::Diagnostic;
use crate::analysis::flow::EvaluationKind;

pub struct LenOfQueryset {
    /// `len(qs)` as written.
    pub original: String,
    pub replacement: String,
}

impl Violation for LenOfQueryset {
    const RULE: Rule = Rule::LenOfQueryset;

    fn message(&self) -> String {
        format!(
            "`{}` fetches every row to count them, and the rows are not used: `count()` runs SELECT COUNT(*)",
            self.original
        )
    }

    fn fix_title(&self) -> Option<String> {
        Some(format!("Replace with `{}`", self.replacement))
    }
}

pub fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for evaluation in &ctx.facts.evaluations {
        if evaluation.kind != EvaluationKind::Len || !evaluation.sole_use {
            continue;
        }
        let replacement = format!("{}.count()", evaluation.qs_text);
        let violation = LenOfQueryset {
            original: ctx.text(evaluation.range).to_string(),
            replacement: replacement.clone(),
        };
        out.push(super::replaced_by(&violation, evaluation.range, replacement));
    }
}
