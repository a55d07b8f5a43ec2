//! ORM302: `.only(...)` followed by `.values(...)`, which ignores it.

use super::Checker;
use crate::analysis::{Diagnostic, Rule};
use crate::fix::{Edit, Fix};
use crate::text::TextRange;

pub fn check(checker: &mut Checker<'_>) {
    let mut out = Vec::new();
    for pair in &checker.facts.only_then_values {
        let only_text = checker.text(pair.only.range).trim().to_string();
        let method = &pair.values_method;
        let fix = if !pair.values.strings.is_empty() || !pair.values.plain {
            // `values("a")` decides the columns alone: the `only()` does nothing.
            Some(Fix::safe(
                format!("Remove `{only_text}`"),
                vec![super::remove_call(&pair.only, &checker.file.source)],
            ))
        } else if pair.values.args.len() == 2 && pair.only.plain && method == "values" {
            // `values()` with no names returns every field; naming only()'s changes the
            // dicts' keys, so a person must confirm it.
            let args = checker.text(pair.only.args).to_string();
            Some(Fix::unsafe_(
                format!("Move the fields into `values{args}`"),
                vec![
                    super::remove_call(&pair.only, &checker.file.source),
                    Edit::replacement(
                        TextRange::new(pair.values.args.start, pair.values.args.end),
                        args,
                    ),
                ],
            ))
        } else {
            None
        };
        out.push(Diagnostic {
            rule: Rule::OnlyThenValues,
            message: format!("`{only_text}` has no effect: `{method}()` after it decides which columns are fetched"),
            range: TextRange::new(pair.only.range.start + name_offset(checker.text(pair.only.range)), pair.only.range.end),
            related: Vec::new(),
            fix,
        });
    }
    for d in out {
        checker.report(d);
    }
}

/// Offset of `only` in `.only(...)` (after any line break before the dot).
fn name_offset(text: &str) -> usize {
    text.find("only").unwrap_or(0)
}
