//! ORM602: a lookup naming a field or relation the model does not have.

use super::{Context, Rule, Violation};
use crate::analysis::lookups::{Outcome, Style, walk};
use crate::analysis::Diagnostic;
use crate::fix::{Applicability, Edit};
use crate::index::queryset_api::Names;
use crate::text::TextRange;

pub struct UnknownLookup {
    pub lookup: String,
    pub method: String,
    pub model: String,
    /// The segment of the lookup the model does not have.
    pub name: String,
    pub problem: Problem,
}

pub enum Problem {
    /// No field or relation of that name, perhaps with a close one.
    Unknown { suggestion: Option<String> },
    /// `select_related()` given a column.
    NotRelation,
}

impl Violation for UnknownLookup {
    const RULE: Rule = Rule::UnknownLookup;

    fn message(&self) -> String {
        let Self {
            lookup,
            method,
            model,
            name,
            problem,
        } = self;
        match problem {
            Problem::Unknown {
                suggestion: Some(s),
            } => format!(
                "`{lookup}` in `{method}()`: `{model}` has no field or relation `{name}`; did you mean `{s}`?"
            ),
            Problem::Unknown { suggestion: None } => {
                format!("`{lookup}` in `{method}()`: `{model}` has no field or relation `{name}`")
            }
            Problem::NotRelation => format!(
                "`{lookup}` in `select_related()`: `{name}` is a column, not a relation; Django raises FieldError"
            ),
        }
    }

    fn fix_title(&self) -> Option<String> {
        match &self.problem {
            Problem::Unknown {
                suggestion: Some(s),
            } => Some(format!("Replace `{}` with `{s}`", self.name)),
            _ => None,
        }
    }
}

pub fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for call in &ctx.facts.lookup_calls {
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
                ctx.index,
                call.model,
                &lookup,
                style,
                call.annotations.as_deref(),
            );
            let (index, model, problem) = match w.outcome {
                Outcome::Fine => continue,
                Outcome::Unknown {
                    index,
                    model,
                    suggestion,
                } => (index, model, Problem::Unknown { suggestion }),
                Outcome::NotRelation { index } => (index, call.model, Problem::NotRelation),
            };
            let segments: Vec<&str> = lookup.split("__").collect();
            let name = segments[index];
            let start: usize = range.start
                + offset
                + segments[..index].iter().map(|p| p.len() + 2).sum::<usize>();
            let edit = match &problem {
                Problem::Unknown {
                    suggestion: Some(s),
                } => vec![Edit::replacement(
                    TextRange::new(start, start + name.len()),
                    s.clone(),
                )],
                _ => Vec::new(),
            };
            let violation = UnknownLookup {
                lookup: lookup.clone(),
                method: call.method.clone(),
                model: ctx.model_name(model).to_string(),
                name: name.to_string(),
                problem,
            };
            let fix = super::fix(&violation, Applicability::Unsafe, edit);
            out.push(Diagnostic::new(&violation, range).with_fix(fix));
        }
    }
}
