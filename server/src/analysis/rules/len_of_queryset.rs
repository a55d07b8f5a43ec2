//! ORM202: `len(qs)` fetching every row only to count them.

use super::Checker;
use crate::analysis::Rule;
use crate::analysis::flow::EvaluationKind;

pub fn check(checker: &mut Checker<'_>) {
    let mut out = Vec::new();
    for evaluation in &checker.facts.evaluations {
        if evaluation.kind != EvaluationKind::Len || !evaluation.sole_use {
            continue;
        }
        let original = checker.text(evaluation.range).to_string();
        let replacement = format!("{}.count()", evaluation.qs_text);
        out.push(super::replaced_by(
            Rule::LenOfQueryset,
            format!(
                "`{original}` fetches every row to count them, and the rows are not used: `count()` runs SELECT COUNT(*)"
            ),
            evaluation.range,
            replacement,
        ));
    }
    for d in out {
        checker.report(d);
    }
}
