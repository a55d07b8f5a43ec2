//! ORM602: a lookup naming a field or relation the model does not have.

use super::Checker;
use crate::analysis::lookups::{Outcome, Style, walk};
use crate::analysis::{Diagnostic, Rule};
use crate::fix::{Edit, Fix};
use crate::index::queryset_api::Names;
use crate::text::TextRange;

pub fn check(checker: &mut Checker<'_>) {
    let mut out = Vec::new();
    for call in &checker.facts.lookup_calls {
        let style = match call.names {
            Names::Relations => Style::Select,
            Names::Prefetches => Style::Prefetch,
            Names::Fields | Names::Ordering | Names::Lookups => Style::Field,
        };
        // (lookup, range of the text to replace, offset of the lookup inside the range)
        let mut items: Vec<(String, TextRange, usize)> = Vec::new();
        if call.names == Names::Lookups {
            items.extend(call.keywords.iter().map(|(k, r)| (k.clone(), *r, 0)));
        } else {
            for (s, r) in &call.call.strings {
                let (lookup, offset) = match call.names {
                    Names::Ordering => {
                        let trimmed = s.trim_start_matches(['-', '+']);
                        (trimmed.to_string(), s.len() - trimmed.len())
                    }
                    _ => (s.clone(), 0),
                };
                if lookup == "?" || lookup.is_empty() {
                    continue;
                }
                items.push((lookup, *r, offset + 1));
            }
        }
        for (lookup, range, offset) in items {
            let w = walk(
                checker.index,
                call.model,
                &lookup,
                style,
                call.annotations.as_deref(),
            );
            let (index, model, suggestion, what) = match w.outcome {
                Outcome::Fine => continue,
                Outcome::Unknown {
                    index,
                    model,
                    suggestion,
                } => (index, model, suggestion, "has no field or relation"),
                Outcome::NotRelation { index } => (index, call.model, None, "is not a relation on"),
            };
            let segments: Vec<&str> = lookup.split("__").collect();
            let name = segments[index];
            let model_name = checker.model_name(model).to_string();
            let message = match (&suggestion, what) {
                (Some(s), _) => format!(
                    "`{lookup}` in `{}()`: `{model_name}` has no field or relation `{name}`; did you mean `{s}`?",
                    call.method
                ),
                (None, "is not a relation on") => format!(
                    "`{lookup}` in `select_related()`: `{name}` is a column, not a relation; Django raises FieldError"
                ),
                _ => format!(
                    "`{lookup}` in `{}()`: `{model_name}` {what} `{name}`",
                    call.method
                ),
            };
            let fix = suggestion.map(|s| {
                let start: usize = range.start
                    + offset
                    + segments[..index].iter().map(|p| p.len() + 2).sum::<usize>();
                Fix::unsafe_(
                    format!("Replace `{name}` with `{s}`"),
                    vec![Edit::replacement(
                        TextRange::new(start, start + name.len()),
                        s,
                    )],
                )
            });
            out.push(Diagnostic {
                rule: Rule::UnknownLookup,
                message,
                range,
                related: Vec::new(),
                fix,
            });
        }
    }
    for d in out {
        checker.report(d);
    }
}
