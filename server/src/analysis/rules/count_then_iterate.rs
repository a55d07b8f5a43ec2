//! ORM204: a queryset tested or counted, then iterated: two queries where one does.

use super::{Context, Rule, Violation};
use crate::analysis::flow::{EvaluationKind, Measure};
use crate::analysis::{Diagnostic, Related};
use crate::fix::{Applicability, Edit};

pub struct CountThenIterate {
    /// The test or count as written (`posts.exists()`).
    pub original: String,
    /// The queryset's name.
    pub name: String,
    pub replacement: String,
}

impl Violation for CountThenIterate {
    const RULE: Rule = Rule::CountThenIterate;

    fn message(&self) -> String {
        format!(
            "`{}` runs a query of its own, then iterating `{}` fetches the rows with another: `{}` fetches them once and serves both",
            self.original, self.name, self.replacement
        )
    }

    fn fix_title(&self) -> Option<String> {
        Some(format!("Replace with `{}`", self.replacement))
    }
}

pub fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for evaluation in &ctx.facts.evaluations {
        let Some(iterated) = evaluation.iterated_after else {
            continue;
        };
        let name = &evaluation.qs_text;
        // What fills the result cache and answers the same question from it: the
        // truth of a queryset is whether it has rows, `len()` counts them.
        let replacement = match evaluation.kind {
            EvaluationKind::Existence {
                exists,
                measure: Measure::Count,
            }
            | EvaluationKind::Exists { exists } => match (exists, evaluation.needs_parens) {
                (true, _) => name.clone(),
                (false, false) => format!("not {name}"),
                (false, true) => format!("(not {name})"),
            },
            EvaluationKind::Count => format!("len({name})"),
            EvaluationKind::Existence { .. } | EvaluationKind::Len => continue,
        };
        let violation = CountThenIterate {
            original: ctx.text(evaluation.range).to_string(),
            name: name.clone(),
            replacement: replacement.clone(),
        };
        let related = vec![Related {
            path: None,
            range: iterated.range,
            message: format!("`{name}` iterated here: a second query"),
        }];
        // Rows fetched at the test miss those a call in between may write.
        let applicability = if iterated.calls_between {
            Applicability::Unsafe
        } else {
            Applicability::Safe
        };
        let edits = vec![Edit::replacement(evaluation.range, replacement)];
        out.push(
            Diagnostic::new(&violation, evaluation.range)
                .with_related(related)
                .with_fix(super::fix(&violation, applicability, edits)),
        );

    }
}
