//! ORM105: a prefetched related manager filtered (or otherwise queried anew) per row.

use super::Checker;
use crate::analysis::loads::Problem;
use crate::analysis::{Diagnostic, Rule};

pub fn check(checker: &mut Checker<'_>) {
    let Some(loops) = checker.loops.as_ref() else {
        return;
    };
    let mut out = Vec::new();
    for finding in loops
        .findings
        .iter()
        .filter(|f| f.problem == Problem::PrefetchBypassed)
    {
        let fact = &checker.facts.loops[finding.loop_index];
        let qs = &fact.sources[0];
        let model = checker.model_name(qs.model).to_string();
        let subject = checker.text(finding.access.range).to_string();
        let method = finding.bypass.as_deref().unwrap_or("filter");
        let message = format!(
            "`{subject}.{method}()` runs a new query for each `{model}` row and ignores the prefetched `{}`: use `Prefetch(\"{}\", queryset=..., to_attr=...)` and read the list",
            finding.lookup, finding.lookup
        );
        let related = checker.origin_related(
            qs.origin.as_ref(),
            format!("`{}` prefetched here", finding.lookup),
        );
        out.push(Diagnostic {
            rule: Rule::PrefetchBypassed,
            message,
            range: finding.access.range,
            related,
            fix: None,
        });
    }
    for d in out {
        checker.report(d);
    }
}
