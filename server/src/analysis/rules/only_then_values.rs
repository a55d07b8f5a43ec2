//! ORM302: `.only(...)` followed by `.values(...)`, which ignores it.

use super::{Context, Rule, Violation};
use crate::analysis::Diagnostic;
use crate::fix::{Applicability, Edit};
use crate::text::TextRange;

pub struct OnlyThenValues {
    /// `.only("a")`, as written.
    pub only: String,
    /// `values` or `values_list`.
    pub method: String,
    /// What the fix does.
    pub fix: OnlyFix,
}

pub enum OnlyFix {
    Remove,
    /// Moves `only()`'s arguments (these) into `values()`.
    MoveInto(String),
    None,
}

impl Violation for OnlyThenValues {
    const RULE: Rule = Rule::OnlyThenValues;

    fn message(&self) -> String {
        format!(
            "`{}` has no effect: `{}()` after it decides which columns are fetched",
            self.only, self.method
        )
    }

    fn fix_title(&self) -> Option<String> {
        match &self.fix {
            OnlyFix::Remove => Some(format!("Remove `{}`", self.only)),
            OnlyFix::MoveInto(args) => Some(format!("Move the fields into `values{args}`")),
            OnlyFix::None => None,
        }
    }
}

pub fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for pair in &ctx.facts.only_then_values {
        let only = ctx.text(pair.only.range).trim().to_string();
        let method = pair.values_method.clone();
        let remove_only = || super::remove_call(&pair.only, &ctx.file.source);
        let (fix, edits) = if !pair.values.strings.is_empty() || !pair.values.plain {
            // `values("a")` decides the columns alone: the `only()` does nothing.
            (OnlyFix::Remove, vec![remove_only()])
        } else if pair.values.args.len() == 2 && pair.only.plain && method == "values" {
            // `values()` with no names returns every field; naming only()'s changes the
            // dicts' keys, so a person must confirm it.
            let args = ctx.text(pair.only.args).to_string();
            let edits = vec![
                remove_only(),
                Edit::replacement(pair.values.args, args.clone()),
            ];
            (OnlyFix::MoveInto(args), edits)
        } else {
            (OnlyFix::None, Vec::new())
        };
        let applicability = match fix {
            OnlyFix::MoveInto(_) => Applicability::Unsafe,
            _ => Applicability::Safe,
        };
        let violation = OnlyThenValues { only, method, fix };
        let start = pair.only.range.start + name_offset(ctx.text(pair.only.range));
        let fix = super::fix(&violation, applicability, edits);
        out.push(
            Diagnostic::new(&violation, TextRange::new(start, pair.only.range.end)).with_fix(fix),
        );
    }
}

/// Offset of `only` in `.only(...)` (after any line break before the dot).
fn name_offset(text: &str) -> usize {
    text.find("only").unwrap_or(0)
}
