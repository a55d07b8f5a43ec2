//! ORM201: counting rows (or fetching them all) only to test whether there is one.

use super::Checker;
use crate::analysis::Rule;
use crate::analysis::flow::EvaluationKind;

pub fn check(checker: &mut Checker<'_>) {
    let mut out = Vec::new();
    for evaluation in &checker.facts.evaluations {
        let EvaluationKind::Existence { exists, via_len } = evaluation.kind else {
            continue;
        };
        if !evaluation.sole_use {
            continue;
        }
        let original = checker.text(evaluation.range).to_string();
        let replacement = if exists {
            format!("{}.exists()", evaluation.qs_text)
        } else if evaluation.needs_parens {
            format!("(not {}.exists())", evaluation.qs_text)
        } else {
            format!("not {}.exists()", evaluation.qs_text)
        };
        let cost = if via_len {
            "fetches every row"
        } else {
            "counts every row"
        };
        out.push(super::replaced_by(
            Rule::CountForExistence,
            format!(
                "`{original}` {cost} to test whether there is one: `exists()` stops at the first"
            ),
            evaluation.range,
            replacement,
        ));
    }
    for d in out {
        checker.report(d);
    }
}
