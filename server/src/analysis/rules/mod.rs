//! One file per rule, its documentation in the Markdown file of the same name.

use super::flow::{CallSite, Facts, Origin};
use super::loads::LoopFindings;
use super::{Diagnostic, Related, Rule};
use crate::config::Config;
use crate::index::ModelIndex;
use crate::syntax::SourceFile;
use crate::text::TextRange;

pub mod count_for_existence;
pub mod deferred_field_access;
pub mod fetch_only_needed;
pub mod len_of_queryset;
pub mod missing_prefetch_related;
pub mod missing_select_related;
pub mod only_then_values;
pub mod prefetch_bypassed;
pub mod related_id_via_object;
pub mod select_related_on_many;
pub mod unknown_lookup;

/// What every rule reads, and where it reports.
pub struct Checker<'a> {
    pub file: &'a SourceFile,
    pub index: &'a ModelIndex,
    pub facts: &'a Facts,
    pub config: &'a Config,
    /// Quote style for strings a fix writes when the call it extends has none.
    pub quote: char,
    pub loops: Option<LoopFindings>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Checker<'_> {
    pub fn enabled(&self, rule: Rule) -> bool {
        self.config.rules.contains(rule)
    }

    pub fn text(&self, range: TextRange) -> &str {
        self.file.source.get(range.start..range.end).unwrap_or("")
    }

    pub fn report(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    pub fn model_name(&self, id: crate::index::ModelId) -> &str {
        &self.index.model(id).name
    }

    /// "queryset built here" pointing at where the rows come from.
    pub fn origin_related(&self, origin: Option<&Origin>, message: String) -> Vec<Related> {
        origin
            .map(|o| Related {
                path: None,
                range: o.range,
                message,
            })
            .into_iter()
            .collect()
    }
}

pub fn run(checker: &mut Checker<'_>) {
    type Check = fn(&mut Checker<'_>);
    let checks: [(Rule, Check); 11] = [
        (Rule::MissingSelectRelated, missing_select_related::check),
        (
            Rule::MissingPrefetchRelated,
            missing_prefetch_related::check,
        ),
        (Rule::DeferredFieldAccess, deferred_field_access::check),
        (Rule::PrefetchBypassed, prefetch_bypassed::check),
        (Rule::CountForExistence, count_for_existence::check),
        (Rule::LenOfQueryset, len_of_queryset::check),
        (Rule::RelatedIdViaObject, related_id_via_object::check),
        (Rule::FetchOnlyNeeded, fetch_only_needed::check),
        (Rule::OnlyThenValues, only_then_values::check),
        (Rule::SelectRelatedOnMany, select_related_on_many::check),
        (Rule::UnknownLookup, unknown_lookup::check),
    ];
    for (rule, check) in checks {
        if checker.enabled(rule) {
            check(checker);
        }
    }
}

/// A finding fixed by replacing its own range with `replacement` (a safe fix).
pub fn replaced_by(
    rule: Rule,
    message: String,
    range: TextRange,
    replacement: String,
) -> Diagnostic {
    Diagnostic {
        rule,
        message,
        range,
        related: Vec::new(),
        fix: Some(crate::fix::Fix::safe(
            format!("Replace with `{replacement}`"),
            vec![crate::fix::Edit::replacement(range, replacement)],
        )),
    }
}

/// Deletes the call `site` (`.only("a")`), and its line when it stands alone on it, so
/// a chain written one call per line loses one line, not leaves a blank one.
pub fn remove_call(site: &CallSite, source: &str) -> crate::fix::Edit {
    let bytes = source.as_bytes();
    let line_start = source[..site.range.start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = source[site.range.end..]
        .find('\n')
        .map_or(source.len(), |i| site.range.end + i);
    let blank =
        |range: std::ops::Range<usize>| bytes[range].iter().all(|b| *b == b' ' || *b == b'\t');
    if line_start > 0 && blank(line_start..site.range.start) && blank(site.range.end..line_end) {
        let end = (line_end + 1).min(source.len());
        return crate::fix::Edit::deletion(TextRange::new(line_start, end));
    }
    crate::fix::Edit::deletion(site.range)
}

/// Removes the string argument at `index` of `site` with its comma, or the whole call
/// when it is the only argument. A call made on a name and ending its chain becomes
/// `.all()`: `Post.objects.defer("body")` without it would leave the manager, which
/// cannot be iterated (a name may be a manager; a call's result is a queryset).
pub fn remove_string_arg(site: &CallSite, index: usize, source: &str) -> Option<crate::fix::Edit> {
    use crate::fix::Edit;
    if !site.plain {
        return None;
    }
    let count = site.strings.len();
    let (_, range) = site.strings.get(index)?;
    if count == 1 {
        let chained = source[site.range.end..].trim_start().starts_with('.');
        let on_call = source[..site.range.start].trim_end().ends_with(')');
        if !chained && !on_call {
            return Some(Edit::replacement(site.range, ".all()"));
        }
        return Some(remove_call(site, source));
    }
    let range = if index + 1 < count {
        TextRange::new(range.start, site.strings[index + 1].1.start)
    } else {
        TextRange::new(site.strings[index - 1].1.end, range.end)
    };
    Some(Edit::deletion(range))
}
