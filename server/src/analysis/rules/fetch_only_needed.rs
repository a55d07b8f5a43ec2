//! ORM301: whole rows fetched when the loop reads a few plain columns, or only the key.

mod prefetched;
mod reads;
mod rewrite;

use std::collections::BTreeSet;

use super::{Context, Rule, Violation};
use crate::analysis::Diagnostic;
use crate::analysis::flow::{LoopFact, Qs, SingleRow};
use crate::fix::{Applicability, Edit};
use crate::index::{FieldKind, Model};

use reads::Reads;

/// Fewer unread columns than this is not worth a hint.
const MIN_UNREAD_COLUMNS: usize = 2;
/// More columns read than this is not "a few": narrowing would be a long, fragile list.
const MAX_READ_COLUMNS: usize = 4;

/// What the hint suggests, by what the rows are and what is read of them.
#[derive(Clone, PartialEq)]
enum Narrowing {
    /// `.only(...)` on the queryset.
    Only,
    /// Only the primary key is read: `values_list("pk", flat=True)`.
    Keys,
    /// A related manager's rows: `only()` would need the foreign key back to the
    /// parent, so the hint names `values_list(...)`, which has no such need.
    ValuesList,
    /// `.only(...)` on the queryset one row is fetched from.
    OnlyOne,
    /// The rows of this `prefetch_related()` lookup: a `Prefetch` (as the file names
    /// it, `class`) whose queryset keeps the columns read and the foreign key back (the
    /// last of the names).
    Prefetch { lookup: String, class: String },
}

pub struct FetchOnlyNeeded {
    /// The columns read, quoted as the fix writes them.
    names: Vec<String>,
    model: String,
    narrowing: Narrowing,
    /// The call a row is handed to that ormhint cannot read.
    passed_to: Option<String>,
}

impl FetchOnlyNeeded {
    fn call(&self) -> String {
        match &self.narrowing {
            Narrowing::Only | Narrowing::OnlyOne => format!(".only({})", self.names.join(", ")),
            Narrowing::Keys => format!(".values_list({}, flat=True)", self.names.join(", ")),
            Narrowing::ValuesList if self.names.len() == 1 => {
                format!(".values_list({}, flat=True)", self.names[0])
            }
            Narrowing::ValuesList => format!(".values_list({})", self.names.join(", ")),
            Narrowing::Prefetch { lookup, class } => {
                let q = self.names[0].chars().next().unwrap_or('"');
                format!(
                    "{class}({q}{lookup}{q}, queryset={}.objects.only({}))",
                    self.model,
                    self.names.join(", ")
                )
            }
        }
    }
}

impl Violation for FetchOnlyNeeded {
    const RULE: Rule = Rule::FetchOnlyNeeded;

    fn message(&self) -> String {
        let call = self.call();
        let passed = |row: &str, cost: &str| {
            self.passed_to.as_ref().map_or(String::new(), |callee| format!(
                "; {row} is also passed to `{callee}`, which ormhint cannot read: a field read there that `only()` leaves out costs {cost}"
            ))
        };
        match &self.narrowing {
            Narrowing::Only => format!(
                "Only {} of each `{}` are read, but every column is fetched: narrow the query with `{call}` (or `values_list(...)`){}",
                self.names.join(", "),
                self.model,
                passed("each row", "one more query per row"),
            ),
            Narrowing::OnlyOne => format!(
                "Only {} of the `{}` fetched here {} read, but every column is fetched: narrow the query with `{call}`{}",
                self.names.join(", "),
                self.model,
                if self.names.len() == 1 { "is" } else { "are" },
                passed("the row", "one more query"),
            ),
            Narrowing::Keys => format!(
                "Only the primary key of each `{}` is read, but every column is fetched: iterate `{call}` instead",
                self.model
            ),
            Narrowing::ValuesList => format!(
                "Only {} of each `{}` are read, but every column is fetched: read them with `{call}`",
                self.names.join(", "),
                self.model
            ),
            Narrowing::Prefetch { .. } => {
                let (back, read) = self.names.split_last().unwrap_or((&self.names[0], &[]));
                format!(
                    "Only {} of each prefetched `{}` are read, but every column is fetched: prefetch with `{call}` (keeping {back}, which links each row to its parent)",
                    read.join(", "),
                    self.model
                )
            }
        }
    }

    fn fix_title(&self) -> Option<String> {
        match &self.narrowing {
            Narrowing::Only | Narrowing::OnlyOne => Some(format!("Add `{}`", self.call())),
            Narrowing::Keys => Some(format!("Iterate `{}`", self.call())),
            Narrowing::Prefetch { lookup, .. } => Some(format!("Prefetch `{lookup}` with `only()`")),
            Narrowing::ValuesList => None,
        }
    }
}

pub fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for fact in &ctx.facts.loops {
        if let Some(diagnostic) = finding(ctx, fact) {
            out.push(diagnostic);
        }
    }
    for row in &ctx.facts.single_rows {
        if let Some(diagnostic) = single_row_finding(ctx, row) {
            out.push(diagnostic);
        }
    }
}

/// More fields than this read of one row: the columns left out save little.
const MAX_READ_OF_ONE: usize = 2;

fn single_row_finding(ctx: &Context<'_>, row: &SingleRow) -> Option<Diagnostic> {
    let qs = &row.qs;
    let origin = qs.origin.as_ref()?;
    // A related manager's row needs its foreign key back (see `Narrowing::ValuesList`).
    if qs.related || !qs.prefix.is_empty() || qs.per_row || narrowed(qs) {
        return None;
    }
    let reads = Reads::of(ctx, &row.accesses)?;
    if reads.columns.is_empty() || reads.columns.len() > MAX_READ_OF_ONE {
        return None;
    }
    let model = narrowable(ctx, qs, reads.columns.len())?;
    let q = ctx.quote;
    let violation = FetchOnlyNeeded {
        names: reads.columns.iter().map(|f| format!("{q}{f}{q}")).collect(),
        model: model.name.clone(),
        narrowing: Narrowing::OnlyOne,
        passed_to: reads.passed_to,
    };
    let fix = only_fix(&violation, qs.insert_at().unwrap_or(origin.insert_at()));
    Some(Diagnostic::new(&violation, row.range).with_fix(fix))
}

/// `.only(...)` inserted at `at`: unsafe when a row goes where ormhint cannot see
/// what it reads, since a field read there that `only()` left out is one more query.
fn only_fix(violation: &FetchOnlyNeeded, at: usize) -> Option<crate::fix::Fix> {
    let applicability = if violation.passed_to.is_some() {
        Applicability::Unsafe
    } else {
        Applicability::Safe
    };
    super::fix(
        violation,
        applicability,
        vec![Edit::insertion(at, violation.call())],
    )
}

fn finding(ctx: &Context<'_>, fact: &LoopFact) -> Option<Diagnostic> {
    if fact.sources.len() != 1 {
        return None;
    }
    if !fact.sole_consumer && fact.sources[0].prefix.is_empty() {
        return None;
    }
    // Rows read for one aggregate need no columns at all (ORM501).
    let aggregated = ctx.facts.python_aggregates.iter();
    if aggregated.map(|a| a.iter_range).any(|r| r == fact.iter_range) {
        return None;
    }
    let qs = &fact.sources[0];
    let origin = qs.origin.as_ref()?;
    if !qs.prefix.is_empty() {
        return prefetched::finding(ctx, fact, qs);
    }
    // Rows fetched again for each row of an outer loop are the N+1 rules' (ORM102).
    if qs.per_row || narrowed(qs) {
        return None;
    }
    // A related manager's rows of a single object, fetched here (not prefetched). An
    // object given as a parameter may come prefetched, when `values_list()` would be one
    // query more.
    let related = qs.related;
    if related && rewrite::root_is_parameter(ctx, fact) {
        return None;
    }
    let reads = Reads::of(ctx, &fact.accesses)?;
    if reads.columns.len() > MAX_READ_COLUMNS {
        return None;
    }
    let model = narrowable(ctx, qs, reads.columns.len())?;
    let q = ctx.quote;
    let quoted = |names: &BTreeSet<String>| names.iter().map(|f| format!("{q}{f}{q}")).collect();
    let (narrowing, names) = match (reads.columns.is_empty(), related) {
        // Handing a key where a row went changes what the callee gets.
        (true, _) if reads.passed_to.is_none() => (Narrowing::Keys, vec![format!("{q}pk{q}")]),
        (true, _) => return None,
        (false, true) if reads.passed_to.is_none() => {
            (Narrowing::ValuesList, quoted(&reads.columns))
        }
        (false, true) => return None,
        (false, false) => (Narrowing::Only, quoted(&reads.columns)),
    };
    let violation = FetchOnlyNeeded {
        names,
        model: model.name.clone(),
        narrowing,
        passed_to: reads.passed_to,
    };
    let diagnostic = Diagnostic::new(&violation, fact.iter_range);
    let fix = match &violation.narrowing {
        Narrowing::Only | Narrowing::OnlyOne => {
            only_fix(&violation, qs.insert_at().unwrap_or(origin.insert_at()))
        }
        Narrowing::Keys => rewrite::keys(ctx, fact, qs).and_then(|mut edits| {
            edits.push(Edit::insertion(fact.iter_range.end, violation.call()));
            super::fix(&violation, Applicability::Safe, edits)
        }),
        Narrowing::ValuesList | Narrowing::Prefetch { .. } => None,
    };
    Some(diagnostic.with_fix(fix))
}

/// The queryset selects fewer columns, or other rows' columns, already; or what it
/// selects cannot be read.
fn narrowed(qs: &Qs) -> bool {
    let applied = &qs.applied;
    applied.only.is_some()
        || !applied.defer.is_empty()
        || applied.values
        || applied.unknown
        || !applied.select_related.is_empty()
        || applied.select_related_all
        || !applied.prefetch_related.is_empty()
}

/// The model of `qs`'s rows, when ormhint sees all its attributes and keeping `kept`
/// columns leaves out enough of the others to be worth a hint.
fn narrowable<'c>(ctx: &Context<'c>, qs: &Qs, kept: usize) -> Option<&'c Model> {
    let model = ctx.index.model(qs.model);
    let enough = concrete_columns(model) >= kept + MIN_UNREAD_COLUMNS;
    (enough && !model.may_have_unseen_attributes()).then_some(model)
}

/// The columns a row of `model` brings besides its primary key.
fn concrete_columns(model: &Model) -> usize {
    model
        .fields
        .iter()
        .filter(|f| {
            !f.primary_key
                && matches!(
                    f.kind,
                    FieldKind::Plain | FieldKind::ForeignKey(_) | FieldKind::OneToOne(_)
                )
        })
        .count()
}
