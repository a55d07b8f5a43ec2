//! ORM201: counting rows (or fetching them all) only to test whether there is one.

use super::{Context, Rule, Violation};
use crate::analysis::Diagnostic;
use crate::analysis::flow::EvaluationKind;

pub struct CountForExistence {
    /// The test as written (`qs.count() > 0`).
    pub original: String,
    /// `len()` fetches the rows; `count()` counts them.
    pub via_len: bool,
    pub replacement: String,
}

impl Violation for CountForExistence {
    const RULE: Rule = Rule::CountForExistence;

    fn message(&self) -> String {
        let cost = if self.via_len {
            "fetches every row"
        } else {
            "counts every row"
        };
        format!(
            "`{}` {cost} to test whether there is one: `exists()` stops at the first",
            self.original
        )
    }

    fn fix_title(&self) -> Option<String> {
        Some(format!("Replace with `{}`", self.replacement))
    }
}

pub fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for evaluation in &ctx.facts.evaluations {
        let EvaluationKind::Existence { exists, via_len } = evaluation.kind else {
            continue;
        };
        if !evaluation.sole_use {
            continue;
        }
        let replacement = if exists {
            format!("{}.exists()", evaluation.qs_text)
        } else if evaluation.needs_parens {
            format!("(not {}.exists())", evaluation.qs_text)
        } else {
            format!("not {}.exists()", evaluation.qs_text)
        };
        let violation = CountForExistence {
            original: ctx.text(evaluation.range).to_string(),
            via_len,
            replacement: replacement.clone(),
        };
        out.push(super::replaced_by(&violation, evaluation.range, replacement));
    }
}
