//! ORM102: a many-valued relation read on each row of a queryset that does not prefetch it.
//! Also home of the reporting shared by ORM101, which differs only in the relation kind.

use super::Checker;
use crate::analysis::loads::Problem;
use crate::analysis::{Diagnostic, Rule};

pub fn check(checker: &mut Checker<'_>) {
    report_loads(checker, Problem::ManyNotPrefetched);
}

pub(super) fn report_loads(checker: &mut Checker<'_>, problem: Problem) {
    let Some(loops) = checker.loops.as_ref() else {
        return;
    };
    let rule = match problem {
        Problem::SingleNotSelected => Rule::MissingSelectRelated,
        _ => Rule::MissingPrefetchRelated,
    };
    let mut out = Vec::new();
    for finding in loops.findings.iter().filter(|f| f.problem == problem) {
        let fact = &checker.facts.loops[finding.loop_index];
        let qs = &fact.sources[0];
        let model = checker.model_name(qs.model).to_string();
        let subject = checker.text(finding.access.range).to_string();
        let method = finding.method();
        let how = match &finding.access.via {
            Some(via) => format!("`{subject}` (through `{via}`) loads"),
            None => format!("`{subject}` loads"),
        };
        let what = if problem == Problem::SingleNotSelected {
            "the related object"
        } else {
            "the related rows"
        };
        let message = format!(
            "{how} {what} `{}` with one query per `{model}` row: the queryset does not {method}(\"{}\")",
            finding.lookup, finding.lookup
        );
        let related = checker.origin_related(
            qs.origin.as_ref(),
            format!("rows of `{model}` fetched here"),
        );
        out.push(Diagnostic {
            rule,
            message,
            range: finding.access.range,
            related,
            fix: loops.fixes[finding.loop_index].clone(),
        });
    }
    for d in out {
        checker.report(d);
    }
}
