//! ORM202: `len(qs)` fetching every row only to count them.

use super::Checker;
use crate::analysis::flow::EvaluationKind;
use crate::analysis::{Diagnostic, Rule};
use crate::fix::{Edit, Fix};

pub fn check(checker: &mut Checker<'_>) {
    let mut out = Vec::new();
    for evaluation in &checker.facts.evaluations {
        if evaluation.kind != EvaluationKind::Len || !evaluation.sole_use {
            continue;
        }
        let original = checker.text(evaluation.range).to_string();
        let replacement = format!("{}.count()", evaluation.qs_text);
        out.push(Diagnostic {
            rule: Rule::LenOfQueryset,
            message: format!(
                "`{original}` fetches every row to count them, and the rows are not used: `count()` runs SELECT COUNT(*)"
            ),
            range: evaluation.range,
            related: Vec::new(),
            fix: Some(Fix::safe(
                format!("Replace with `{replacement}`"),
                vec![Edit::replacement(evaluation.range, replacement.clone())],
            )),
        });
    }
    for d in out {
        checker.report(d);
    }
}
