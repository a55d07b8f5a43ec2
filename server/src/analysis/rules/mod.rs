//! One file per rule, its documentation in the Markdown file of the same name, and the
//! one table that declares them all.
//!
//! A rule is a `check(ctx, out)` function that reads the facts in [`Context`] and
//! pushes [`Diagnostic`]s, made from a [`Violation`]: the rule's finding with its
//! message and fix title beside it.

use super::flow::{CallSite, Facts, Qs, WriteInLoop, WriteKind};
use super::loads::{Finding, LoopFindings, Problem};
use super::{Diagnostic, Related, RuleSet};
use crate::fix::{Applicability, Edit, Fix};
use crate::index::{ModelId, ModelIndex};
use crate::syntax::SourceFile;
use crate::text::TextRange;

super::registry::declare_rules! {
    // variant => (code, name, default severity, module, what it needs)
    MissingSelectRelated => ("ORM101", "missing-select-related", Warning, missing_select_related, Needs::LoopFindings),
    MissingPrefetchRelated => ("ORM102", "missing-prefetch-related", Warning, missing_prefetch_related, Needs::LoopFindings),
    QueryInLoop => ("ORM103", "query-in-loop", Warning, query_in_loop, Needs::LoopFindings),
    DeferredFieldAccess => ("ORM104", "deferred-field-access", Warning, deferred_field_access, Needs::Facts),
    PrefetchBypassed => ("ORM105", "prefetch-bypassed", Warning, prefetch_bypassed, Needs::LoopFindings),
    UnusedEagerLoad => ("ORM106", "unused-eager-load", Hint, unused_eager_load, Needs::Facts),
    CountForExistence => ("ORM201", "count-for-existence", Warning, count_for_existence, Needs::Facts),
    LenOfQueryset => ("ORM202", "len-of-queryset", Warning, len_of_queryset, Needs::Facts),
    RelatedIdViaObject => ("ORM203", "related-id-via-object", Warning, related_id_via_object, Needs::Facts),
    CountThenIterate => ("ORM204", "count-then-iterate", Warning, count_then_iterate, Needs::Facts),
    FetchOnlyNeeded => ("ORM301", "fetch-only-needed", Info, fetch_only_needed, Needs::Facts),
    OnlyThenValues => ("ORM302", "only-then-values", Warning, only_then_values, Needs::Facts),
    CreateInLoop => ("ORM401", "create-in-loop", Warning, create_in_loop, Needs::Facts),
    SaveInLoop => ("ORM402", "save-in-loop", Warning, save_in_loop, Needs::Facts),
    DeleteInLoop => ("ORM403", "delete-in-loop", Warning, delete_in_loop, Needs::Facts),
    AggregateInPython => ("ORM501", "aggregate-in-python", Warning, aggregate_in_python, Needs::Facts),
    MissingIndex => ("ORM701", "missing-index", Info, missing_index, Needs::Workspace),
    SelectRelatedOnMany => ("ORM601", "select-related-on-many", Error, select_related_on_many, Needs::Facts),
    UnknownLookup => ("ORM602", "unknown-lookup", Error, unknown_lookup, Needs::Facts),
    BareSelectRelated => ("ORM603", "bare-select-related", Warning, bare_select_related, Needs::Facts),
}

/// What a rule needs computed before it runs, beyond the file's facts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    Facts,
    /// The relations each loop loads per row and the fixes that select or prefetch
    /// them ([`super::loads::find`]), shared by the N+1 rules.
    LoopFindings,
    /// The column uses of every file of the workspace: runs apart, once they are all
    /// read ([`super::check_workspace_file`]).
    Workspace,
}

/// Rules that run only when selected by name or prefix (`select = ["ORM701"]`): their
/// findings are advice to weigh, not problems to fix.
pub const OPT_IN: &[Rule] = &[Rule::MissingIndex];

/// A rule's finding: what the message says and what its fix is called, side by side.
pub trait Violation {
    const RULE: Rule;
    fn message(&self) -> String;
    /// The title of the fix, when the finding has one.
    fn fix_title(&self) -> Option<String> {
        None
    }
}

/// What every rule reads.
pub struct Context<'a> {
    pub file: &'a SourceFile,
    pub index: &'a ModelIndex,
    pub facts: &'a Facts,
    /// Quote style for strings a fix writes when the call it extends has none.
    pub quote: char,
    /// Present when an enabled rule needs [`Needs::LoopFindings`].
    pub loops: Option<LoopFindings>,
}

impl Context<'_> {
    pub fn text(&self, range: TextRange) -> &str {
        self.file.source.get(range.start..range.end).unwrap_or("")
    }

    pub fn model_name(&self, id: ModelId) -> &str {
        &self.index.model(id).name
    }

    /// "queryset built here" pointing at where the rows come from: in this file, or in
    /// the other file whose function returned them.
    pub fn origin_related(&self, qs: &Qs, message: String) -> Vec<Related> {
        let here = qs.origin.as_ref().map(|origin| (None, origin.range));
        let there = || {
            let elsewhere = qs.elsewhere.as_ref()?;
            Some((Some(elsewhere.path.clone()), elsewhere.range))
        };
        here.or_else(there)
            .map(|(path, range)| Related {
                path,
                range,
                message,
            })
            .into_iter()
            .collect()
    }
}

impl Diagnostic {
    /// The diagnostic of `violation` at `range`, with no related places and no fix.
    pub fn new<V: Violation>(violation: &V, range: TextRange) -> Self {
        Diagnostic {
            rule: V::RULE,
            message: violation.message(),
            range,
            related: Vec::new(),
            fix: None,
            severity: None,
        }
    }

    /// Shown as an error: running the code raises.
    pub fn raising(mut self) -> Self {
        self.severity = Some(super::Severity::Error);
        self
    }

    pub fn with_related(mut self, related: Vec<Related>) -> Self {
        self.related = related;
        self
    }

    /// Attaches a fix made elsewhere (the one fix of a loop's queryset, shared by the
    /// findings in that loop).
    pub fn with_fix(mut self, fix: Option<Fix>) -> Self {
        self.fix = fix;
        self
    }
}

/// The fix of `violation`, titled by it.
pub fn fix<V: Violation>(
    violation: &V,
    applicability: Applicability,
    edits: Vec<Edit>,
) -> Option<Fix> {
    let title = violation.fix_title()?;
    Some(match applicability {
        Applicability::Safe => Fix::safe(title, edits),
        Applicability::Unsafe => Fix::unsafe_(title, edits),
    })
}

/// The loop findings of `problem`, each with the rows' queryset and the fix of its loop.
pub fn loop_findings<'c>(
    ctx: &'c Context<'_>,
    problem: Problem,
) -> impl Iterator<Item = (&'c Finding, &'c Qs, Option<Fix>)> + 'c {
    ctx.loops.iter().flat_map(move |loops| {
        loops
            .findings
            .iter()
            .filter(move |f| f.problem == problem)
            .map(move |finding| {
                let qs = &ctx.facts.loops[finding.loop_index].sources[0];
                (finding, qs, loops.fixes[finding.loop_index].clone())
            })
    })
}

/// A relation read on each row of a loop, which ORM101 and ORM102 word differently.
pub struct PerRowLoad {
    /// `post.author`, as written.
    pub subject: String,
    /// The method, property or helper through which it is read.
    pub via: Option<String>,
    pub lookup: String,
    pub model: String,
    /// The method the fix uses: `select_related`, or `prefetch_related` when the path
    /// crosses a many-valued relation.
    pub method: &'static str,
    /// The rows' fetch mode is Django 6.1's `FETCH_RAISE`: the load raises.
    pub blocked: bool,
}

impl PerRowLoad {
    /// "`post.author` (through `author_name`)": what reads the relation.
    pub fn reader(&self) -> String {
        match &self.via {
            Some(via) => format!("`{}` (through `{via}`)", self.subject),
            None => format!("`{}`", self.subject),
        }
    }
}

/// Reports the loop findings of `problem` as the violations `wrap` makes of them, each
/// pointing at where the rows come from and carrying its loop's fix.
pub fn report_per_row_loads<V: Violation>(
    ctx: &Context<'_>,
    problem: Problem,
    wrap: fn(PerRowLoad) -> V,
    out: &mut Vec<Diagnostic>,
) {
    for (finding, qs, fix) in loop_findings(ctx, problem) {
        let model = ctx.model_name(qs.model).to_string();
        // Django 6.1's fetch modes govern single related objects, not related managers.
        let blocked = problem == Problem::SingleNotSelected && qs.applied.fetch_raises();
        let violation = wrap(PerRowLoad {
            subject: ctx.text(finding.access.range).to_string(),
            via: finding.access.via.clone(),
            lookup: finding.lookup.clone(),
            model: model.clone(),
            method: finding.method(),
            blocked,
        });
        let mut related = ctx.origin_related(qs, format!("rows of `{model}` fetched here"));
        if let Some(read_in) = &finding.access.read_in {
            related.push(Related {
                path: Some(read_in.path.clone()),
                range: read_in.range,
                message: format!("`{}` read here for each row", finding.lookup),
            });
        }
        let diagnostic = Diagnostic::new(&violation, finding.access.range)
            .with_related(related)
            .with_fix(fix);
        out.push(if blocked {
            diagnostic.raising()
        } else {
            diagnostic
        });
    }
}

/// The writes `wanted` picks, each once, with the innermost loop that grows with the
/// data: a write in nested loops is reported at the loop nearest to it.
pub fn writes_in_loops<'c>(
    ctx: &'c Context<'_>,
    wanted: fn(&WriteKind) -> bool,
) -> Vec<&'c WriteInLoop> {
    let mut writes: Vec<&WriteInLoop> = ctx
        .facts
        .writes
        .iter()
        .filter(|w| wanted(&w.kind))
        .collect();
    writes.sort_by_key(|w| (w.call.start, std::cmp::Reverse(w.iter_range.start)));
    writes.dedup_by_key(|w| w.call);
    writes
}

/// A write in a loop reported at its call, pointing at the loop, with the loop's bulk
/// write as the fix when `fix_safety` says how safe it is.
pub fn report_write<V: Violation>(
    ctx: &Context<'_>,
    violation: &V,
    write: &WriteInLoop,
    fix_safety: Option<Applicability>,
    out: &mut Vec<Diagnostic>,
) {
    let related = vec![Related {
        path: None,
        range: write.iter_range,
        message: format!("one write per item of `{}`", ctx.text(write.iter_range)),
    }];
    let edits = |batched: &super::flow::Batched| {
        vec![Edit::replacement(
            batched.range,
            batched.replacement.clone(),
        )]
    };
    let fixed = write
        .batched
        .as_ref()
        .zip(fix_safety)
        .and_then(|(batched, safety)| fix(violation, safety, edits(batched)));
    out.push(
        Diagnostic::new(violation, write.call)
            .with_related(related)
            .with_fix(fixed),
    );
}

/// Saving an instance of `model` may do more than write its row, which a bulk write
/// skips: the model or a base defines (or may define) `method`, the project connects a
/// receiver of `signals` for it, or code we cannot read may add either (an attribute
/// we could not read, like django-simple-history's `HistoricalRecords()`, connects
/// receivers).
pub fn write_may_do_more(
    ctx: &Context<'_>,
    model: ModelId,
    method: &str,
    signals: &[&str],
) -> bool {
    let m = ctx.index.model(model);
    m.may_override(method)
        || !m.unread_attributes.is_empty()
        || m.unread_additions
        || ctx.index.receives(model, signals)
}

/// What batching changes besides the number of queries: outside `transaction.atomic()`
/// each `statement` of the loop commits on its own, the bulk write all or none.
pub fn transaction_note(in_atomic: bool, statement: &str) -> String {
    if in_atomic {
        "; inside `transaction.atomic()`, they commit together either way".to_string()
    } else {
        format!(
            "; outside `transaction.atomic()` each {statement} commits on its own and an error part-way keeps the rows written before it, where the bulk write is all or nothing"
        )
    }
}

/// Runs every rule of `rules` on `ctx`.
pub fn run(ctx: &Context<'_>, rules: RuleSet) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for rule in Rule::ALL {
        if rules.contains(*rule) {
            rule.check(ctx, &mut out);
        }
    }
    out
}

/// A finding fixed by replacing its own range with `replacement` (a safe fix).
pub fn replaced_by<V: Violation>(
    violation: &V,
    range: TextRange,
    replacement: String,
) -> Diagnostic {
    Diagnostic::new(violation, range).with_fix(fix(
        violation,
        Applicability::Safe,
        vec![Edit::replacement(range, replacement)],
    ))
}

/// Deletes the call `site` (`.only("a")`), and its line when it stands alone on it, so
/// a chain written one call per line loses one line, not leaves a blank one.
pub fn remove_call(site: &CallSite, source: &str) -> Edit {
    let bytes = source.as_bytes();
    let line_start = source[..site.range.start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = source[site.range.end..]
        .find('\n')
        .map_or(source.len(), |i| site.range.end + i);
    let blank =
        |range: std::ops::Range<usize>| bytes[range].iter().all(|b| *b == b' ' || *b == b'\t');
    if line_start > 0 && blank(line_start..site.range.start) && blank(site.range.end..line_end) {
        let end = (line_end + 1).min(source.len());
        return Edit::deletion(TextRange::new(line_start, end));
    }
    Edit::deletion(site.range)
}

/// Removes the string argument at `index` of `site` with its comma, or the whole call
/// when it is the only argument. A call made on a name and ending its chain becomes
/// `.all()`: `Post.objects.defer("body")` without it would leave the manager, which
/// cannot be iterated (a name may be a manager; a call's result is a queryset).
pub fn remove_string_arg(site: &CallSite, index: usize, source: &str) -> Option<Edit> {
    use Edit;
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
