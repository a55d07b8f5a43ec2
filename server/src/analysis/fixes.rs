//! Fixing a file the way `--fix` and the server's fix-all do: the fixes applied, the
//! file checked again, until no fix applies.

use super::Diagnostic;
use crate::fix::{Applicability, Fix, apply_fixes};

/// After this many rounds the result is taken as it is, even if a rule still offers a
/// fix (a rule whose fix does not remove its own finding would otherwise loop forever).
pub const MAX_ROUNDS: usize = 10;

/// One file after its safe fixes were applied until none was left.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fixed {
    pub source: String,
    /// How many fixes were applied, over all rounds.
    pub applied: usize,
    /// The findings of the last check, on `source`.
    pub remaining: Vec<Diagnostic>,
}

/// Applies the safe fixes (and the unsafe ones too when `include_unsafe`) among
/// `diagnostics` to `source`, re-checks the result with `recheck`, and repeats while
/// fixes apply (at most [`MAX_ROUNDS`] times).
pub fn fix_until_stable<E>(
    source: &str,
    diagnostics: Vec<Diagnostic>,
    include_unsafe: bool,
    mut recheck: impl FnMut(&str) -> Result<Vec<Diagnostic>, E>,
) -> Result<Fixed, E> {
    let mut current = source.to_string();
    let mut remaining = diagnostics;
    let mut applied = 0;
    for _ in 0..MAX_ROUNDS {
        let fixes: Vec<&Fix> = remaining
            .iter()
            .filter_map(|d| d.fix.as_ref())
            .filter(|fix| include_unsafe || fix.applicability == Applicability::Safe)
            .filter(|fix| applies_to(fix, &current))
            .collect();
        if fixes.is_empty() {
            break;
        }
        let (fixed, count) = apply_fixes(&current, fixes);
        if count == 0 || fixed == current {
            break;
        }
        applied += count;
        current = fixed;
        remaining = recheck(&current)?;
    }
    Ok(Fixed {
        source: current,
        applied,
        remaining,
    })
}

/// Whether every edit of `fix` lies within `source` on character boundaries (a fix
/// from a buggy rule is dropped rather than allowed to panic).
fn applies_to(fix: &Fix, source: &str) -> bool {
    fix.edits.iter().all(|edit| {
        edit.range.start <= edit.range.end
            && source.is_char_boundary(edit.range.start)
            && source.is_char_boundary(edit.range.end)
    })
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;

    use super::*;
    use crate::analysis::Rule;
    use crate::fix::Edit;
    use crate::text::TextRange;

    /// Stand-in rules: `len(x)` is ORM202 with a safe fix to `x.count()`; `x.count() > 0`
    /// is ORM201 with a safe fix to `x.exists()`; `x.count() == 1` is ORM201 with an
    /// unsafe fix. Names are one letter.
    fn check(source: &str) -> Vec<Diagnostic> {
        let mut found = Vec::new();
        let diagnostic = |rule, start: usize, end: usize, fix| Diagnostic {
            rule,
            message: String::new(),
            range: TextRange::new(start, end),
            related: Vec::new(),
            fix: Some(fix),
            severity: None,
        };
        for (start, _) in source.match_indices("len(") {
            let name = &source[start + 4..start + 5];
            let end = start + 6;
            let edit = Edit::replacement(TextRange::new(start, end), format!("{name}.count()"));
            found.push(diagnostic(
                Rule::LenOfQueryset,
                start,
                end,
                Fix::safe("Use count()", vec![edit]),
            ));
        }
        for (at, pattern) in source.match_indices(".count() ") {
            let start = at - 1;
            let name = &source[start..at];
            let rest = &source[at + pattern.len()..];
            let (op, applicability) = if rest.starts_with("> 0") {
                ("> 0", true)
            } else if rest.starts_with("== 1") {
                ("== 1", false)
            } else {
                continue;
            };
            let end = at + pattern.len() + op.len();
            let edit = Edit::replacement(TextRange::new(start, end), format!("{name}.exists()"));
            let fix = if applicability {
                Fix::safe("Use exists()", vec![edit])
            } else {
                Fix::unsafe_("Use exists()", vec![edit])
            };
            found.push(diagnostic(Rule::CountForExistence, start, end, fix));
        }
        found.sort_by_key(|d| d.range);
        found
    }

    fn fix(source: &str) -> Fixed {
        fix_until_stable(source, check(source), false, |s| {
            Ok::<_, Infallible>(check(s))
        })
        .unwrap()
    }

    #[test]
    fn applies_safe_fixes_until_stable() {
        // `len(a) > 0` needs two rounds: the second finding appears after the first fix.
        let fixed = fix("x = len(b)\ny = len(a) > 0\nz = c.count() == 1\n");
        assert_eq!(fixed.applied, 3);
        assert_eq!(
            fixed.source,
            "x = b.count()\ny = a.exists()\nz = c.count() == 1\n"
        );
        // The unsafe fix is offered, not applied.
        assert_eq!(fixed.remaining.len(), 1);
        assert_eq!(fixed.remaining[0].rule, Rule::CountForExistence);
    }

    #[test]
    fn nothing_to_fix_leaves_the_source() {
        let fixed = fix("n = a.count() == 1\n");
        assert_eq!(fixed.applied, 0);
        assert_eq!(fixed.source, "n = a.count() == 1\n");
        assert_eq!(fixed.remaining.len(), 1);
    }

    #[test]
    fn a_fix_that_never_settles_stops_after_max_rounds() {
        let grow = |source: &str| {
            vec![Diagnostic {
                rule: Rule::LenOfQueryset,
                message: "again".into(),
                range: TextRange::empty(source.len()),
                related: Vec::new(),
                fix: Some(Fix::safe("Add x", vec![Edit::insertion(source.len(), "x")])),
                severity: None,
            }]
        };
        let fixed =
            fix_until_stable("", grow(""), false, |s| Ok::<_, Infallible>(grow(s))).unwrap();
        assert_eq!(fixed.applied, MAX_ROUNDS);
        assert_eq!(fixed.source, "x".repeat(MAX_ROUNDS));
    }

    #[test]
    fn fixes_outside_the_source_or_inside_a_character_are_dropped() {
        let source = "é = len(a) > 0";
        let bad = |range| Diagnostic {
            rule: Rule::LenOfQueryset,
            message: String::new(),
            range,
            related: Vec::new(),
            fix: Some(Fix::safe("bad", vec![Edit::replacement(range, "x")])),
            severity: None,
        };
        let diagnostics = vec![bad(TextRange::new(1, 2)), bad(TextRange::new(90, 99))];
        let fixed = fix_until_stable(source, diagnostics, false, |s| {
            Ok::<_, Infallible>(check(s))
        })
        .unwrap();
        assert_eq!(fixed.applied, 0);
        assert_eq!(fixed.source, source);
    }

    #[test]
    fn recheck_errors_propagate() {
        let source = "len(a) > 0";
        let result = fix_until_stable(source, check(source), false, |_| Err("boom"));
        assert_eq!(result, Err("boom"));
    }
}
