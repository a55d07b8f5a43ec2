//! ORM501: rows fetched only to be summed, compared or counted in Python.

use super::{Context, Rule, Violation};
use crate::analysis::Diagnostic;
use crate::analysis::flow::{AggregateFunction, PythonAggregate};
use crate::fix::{Applicability, Edit};
use crate::index::{ImportMap, Imported};
use crate::text::TextRange;

pub struct AggregateInPython {
    /// The call as written (`sum(o.price for o in orders)`).
    pub original: String,
    /// What the database would run instead (`orders.aggregate(Sum("price"))`).
    pub replacement: String,
}

impl Violation for AggregateInPython {
    const RULE: Rule = Rule::AggregateInPython;

    fn message(&self) -> String {
        format!(
            "`{}` fetches every row to compute one value in Python: `{}` computes it in the database with one query",
            self.original, self.replacement
        )
    }

    fn fix_title(&self) -> Option<String> {
        Some(format!("Replace with `{}`", self.replacement))
    }
}

pub fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for aggregate in &ctx.facts.python_aggregates {
        let q = ctx.quote;
        let filtered = if aggregate.filters.is_empty() {
            aggregate.qs_text.clone()
        } else {
            // `filter()` takes the place of a last `.all()`, which adds nothing.
            let base = aggregate.qs_text.strip_suffix(".all()");
            let base = base.unwrap_or(&aggregate.qs_text);
            format!("{base}.filter({})", aggregate.filters.join(", "))
        };
        let (class, suffix) = match aggregate.function {
            AggregateFunction::Sum => ("Sum", "sum"),
            AggregateFunction::Max => ("Max", "max"),
            AggregateFunction::Min => ("Min", "min"),
            AggregateFunction::Count => ("", ""),
        };
        let (replacement, import) = match &aggregate.field {
            None => (format!("{filtered}.count()"), Some(None)),
            Some(field) => {
                let (name, import) = django_models_name(ctx, class);
                let call =
                    format!("{filtered}.aggregate({name}({q}{field}{q}))[{q}{field}__{suffix}{q}]");
                (call, import)
            }
        };
        let mut replacement = replacement;
        // `Sum` over no rows is `None` where Python's `sum()` is `0`.
        if aggregate.function == AggregateFunction::Sum {
            replacement = if aggregate.needs_parens {
                format!("({replacement} or 0)")
            } else {
                format!("{replacement} or 0")
            };
        }
        let violation = AggregateInPython {
            original: ctx.text(aggregate.range).to_string(),
            replacement: replacement.clone(),
        };
        out.push(Diagnostic::new(&violation, aggregate.range).with_fix(fix(
            &violation,
            aggregate,
            replacement,
            import,
        )));
    }
}

fn fix(
    violation: &AggregateInPython,
    aggregate: &PythonAggregate,
    replacement: String,
    import: Option<Option<Edit>>,
) -> Option<crate::fix::Fix> {
    // No import statement to put the new one beside: no fix.
    let import = import?;
    let applicability = if aggregate.exact {
        Applicability::Safe
    } else {
        Applicability::Unsafe
    };
    let mut edits: Vec<Edit> = import.into_iter().collect();
    edits.push(Edit::replacement(aggregate.range, replacement));
    super::fix(violation, applicability, edits)
}

/// How the file names `django.db.models.<class>`: a name imported from there, or the
/// module itself (`models.Sum`); otherwise `class` with the import to add after the
/// file's last top-level import (`Some(None)`: nothing to add; `None`: nowhere to add it).
pub(super) fn django_models_name(
    ctx: &Context<'_>,
    class: &str,
) -> (String, Option<Option<Edit>>) {
    // The file's own imports, not the index's: `--fix` checks the fixed text again
    // against the index built before it, and must see the import it just added.
    let imports = ImportMap::of(ctx.file);
    for (local, imported) in imports.iter() {
        let bound = match imported {
            Imported::Name { module, name } if name == class => {
                module.starts_with("django.db.models").then(|| local.to_string())
            }
            Imported::Name { module, name } if module == "django.db" && name == "models" => {
                Some(format!("{local}.{class}"))
            }
            Imported::Module(module) if module == "django.db.models" => {
                Some(format!("{local}.{class}"))
            }
            _ => None,
        };
        if let Some(bound) = bound {
            return (bound, Some(None));
        }
    }
    let source = &ctx.file.source;
    let imports: Vec<_> = ctx
        .file
        .top_level()
        .into_iter()
        .map(|(node, _)| node)
        .filter(|node| matches!(node.kind(), "import_statement" | "import_from_statement"))
        .collect();
    // `from django.db.models import Sum` on one line takes `, Max` at its end.
    let extended = imports.iter().find(|node| {
        let text = ctx.text(TextRange::of(**node));
        text.strip_prefix("from django.db.models import ")
            .is_some_and(|names| !names.contains(['(', '\\', '*', '#', '\n']))
    });
    if let Some(node) = extended {
        let edit = Edit::insertion(node.end_byte(), format!(", {class}"));
        return (class.to_string(), Some(Some(edit)));
    }
    let edit = imports.last().map(|node| {
        let end = node.end_byte();
        match source[end..].find('\n') {
            Some(newline) => Edit::insertion(
                end + newline + 1,
                format!("from django.db.models import {class}\n"),
            ),
            None => Edit::insertion(end, format!("\nfrom django.db.models import {class}")),
        }
    });
    (class.to_string(), edit.map(Some))
}
