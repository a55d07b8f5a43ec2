//! ORM201: counting rows (or fetching them all) only to test whether there is one.

use super::{Context, Rule, Violation};
use crate::analysis::Diagnostic;
use crate::analysis::flow::{EvaluationKind, Measure};

pub struct CountForExistence {
    /// The test as written (`qs.count() > 0`).
    pub original: String,
    /// `count()` counts the rows; `len()` and a truth test fetch them.
    pub measure: Measure,
    /// The related manager a caller may have prefetched (then nothing runs a query).
    pub maybe_prefetched: Option<String>,
    pub replacement: String,
}

impl Violation for CountForExistence {
    const RULE: Rule = Rule::CountForExistence;

    fn message(&self) -> String {
        let cost = match self.measure {
            Measure::Count => "counts every row",
            Measure::Len => "fetches every row",
            Measure::Truth => "fetches every row of the queryset",
            // Never recorded as an existence test of this rule's: `exists()` is the cure.
            Measure::Exists => "asks",
        };
        // Inside a model method the caller may have prefetched the manager: both are
        // then free, and the message must not promise a saving.
        let prefetch = match &self.maybe_prefetched {
            Some(relation) => format!(" (and, like `count()`, is served by a prefetch of `{relation}` if the caller made one)"),
            None => String::new(),
        };
        format!(
            "`{}` {cost} to test whether there is one: `exists()` stops at the first{prefetch}",
            self.original
        )
    }

    fn fix_title(&self) -> Option<String> {
        Some(format!("Replace with `{}`", self.replacement))
    }
}

pub fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    check_get_tests(ctx, out);
    for evaluation in &ctx.facts.evaluations {
        let EvaluationKind::Existence { exists, measure } = evaluation.kind else {
            continue;
        };
        // `count()` never fills the result cache, so `exists()` in its place is never
        // worse; rows fetched to be tested may be what later code reads.
        if measure != Measure::Count && !evaluation.sole_use {
            continue;
        }
        // The rows iterated afterwards are fetched by a query of their own: testing them
        // once fetched is the cure (ORM204), not a cheaper test.
        if evaluation.iterated_after.is_some() {
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
            measure,
            maybe_prefetched: evaluation.maybe_prefetched.clone(),
            replacement: replacement.clone(),
        };
        out.push(super::replaced_by(&violation, evaluation.range, replacement));
    }
}

/// `get()` in `try`/`except DoesNotExist` whose row nothing reads.
pub struct GetForExistence {
    /// The call as written (`Post.objects.get(pk=pk)`).
    pub original: String,
    /// `Post.objects.filter(pk=pk).exists()`.
    pub suggestion: String,
}

impl Violation for GetForExistence {
    const RULE: Rule = Rule::CountForExistence;

    fn message(&self) -> String {
        format!(
            "`{}` fetches a whole row that nothing reads, only to test whether one exists: `{}` fetches no columns",
            self.original, self.suggestion
        )
    }
}

/// No fix: the `try` must become an `if`, and `get()` also raises
/// `MultipleObjectsReturned` when several rows match, which `exists()` does not.
fn check_get_tests(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for test in &ctx.facts.get_tests {
        let violation = GetForExistence {
            original: ctx.text(test.range).to_string(),
            suggestion: format!("{}.exists()", test.filtered),
        };
        out.push(Diagnostic::new(&violation, test.range));
    }
}
