//! What the walker records for the rules, and how recorded facts move with their code.

use crate::analysis::access::Access;
use crate::index::ModelId;
use crate::index::queryset_api::Names;
use crate::text::TextRange;

use super::values::{CallSite, Obj, Origin, Qs};

/// Rows iterated somewhere, with everything the iteration reads from each row.
#[derive(Debug, Clone)]
pub struct LoopFact {
    /// Every value the iterated expression may have; all are querysets of one model.
    pub sources: Vec<Qs>,
    pub accesses: Vec<Access>,
    /// The iterated expression.
    pub iter_range: TextRange,
    /// The code run per row.
    pub body_range: TextRange,
    /// Nothing but this loop uses the queryset, so narrowing it changes nothing else.
    pub sole_consumer: bool,
}

/// `qs.count() > 0`, `len(qs)`, `if qs.count():` and their kin.
#[derive(Debug, Clone)]
pub struct Evaluation {
    pub kind: EvaluationKind,
    /// The whole expression to replace.
    pub range: TextRange,
    /// The queryset expression's text.
    pub qs_text: String,
    /// The rows are used nowhere else in the scope.
    pub sole_use: bool,
    /// `not x` here would need parentheses.
    pub needs_parens: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvaluationKind {
    /// An existence test: `exists` true for `> 0`, false for `== 0`.
    Existence { exists: bool, via_len: bool },
    /// `len(qs)` used as a number.
    Len,
}

/// A lookup-taking call on a queryset of a known model.
#[derive(Debug, Clone)]
pub struct LookupCall {
    pub method: String,
    /// What the call's arguments name.
    pub names: Names,
    pub model: ModelId,
    pub call: CallSite,
    /// Keyword names (`filter(author__name=...)`) with their ranges.
    pub keywords: Vec<(String, TextRange)>,
    /// Names annotations added before this call; `None` when unknown.
    pub annotations: Option<Vec<String>>,
}

/// `.only(...)` followed in the same chain by `.values(...)`/`.values_list(...)`.
#[derive(Debug, Clone)]
pub struct OnlyThenValues {
    pub only: CallSite,
    pub values: CallSite,
    pub values_method: String,
}

/// `x.fk.id` read on a known object.
#[derive(Debug, Clone)]
pub struct IdRead {
    /// Every object the owner may be, each with the relation as the last hop.
    pub objs: Vec<Obj>,
    /// `author.id` in `post.author.id`: replaced by `author_id`.
    pub replace: TextRange,
    pub attname: String,
}

#[derive(Debug, Default, Clone)]
pub struct Facts {
    pub loops: Vec<LoopFact>,
    pub evaluations: Vec<Evaluation>,
    pub lookup_calls: Vec<LookupCall>,
    pub only_then_values: Vec<OnlyThenValues>,
    pub id_reads: Vec<IdRead>,
}

impl Facts {
    pub(super) fn shift(&mut self, by: isize) {
        if by == 0 {
            return;
        }
        self.loops.shift(by);
        self.evaluations.shift(by);
        self.lookup_calls.shift(by);
        self.only_then_values.shift(by);
        self.id_reads.shift(by);
    }

    pub(super) fn extend(&mut self, other: Facts) {
        self.loops.extend(other.loops);
        self.evaluations.extend(other.evaluations);
        self.lookup_calls.extend(other.lookup_calls);
        self.only_then_values.extend(other.only_then_values);
        self.id_reads.extend(other.id_reads);
    }

    pub fn is_empty(&self) -> bool {
        self.loops.is_empty()
            && self.evaluations.is_empty()
            && self.lookup_calls.is_empty()
            && self.only_then_values.is_empty()
            && self.id_reads.is_empty()
    }
}

/// Moving facts along with the code they describe (see [`FlowCache`]).
pub(super) trait Shift {
    fn shift(&mut self, by: isize);
}

pub(super) fn moved(at: usize, by: isize) -> usize {
    at.checked_add_signed(by).unwrap_or(0)
}

impl Shift for TextRange {
    fn shift(&mut self, by: isize) {
        self.start = moved(self.start, by);
        self.end = moved(self.end, by);
    }
}

impl<T: Shift> Shift for Option<T> {
    fn shift(&mut self, by: isize) {
        if let Some(value) = self {
            value.shift(by);
        }
    }
}

impl<T: Shift> Shift for Vec<T> {
    fn shift(&mut self, by: isize) {
        for value in self {
            value.shift(by);
        }
    }
}

impl Shift for (String, TextRange) {
    fn shift(&mut self, by: isize) {
        self.1.shift(by);
    }
}

impl Shift for Origin {
    fn shift(&mut self, by: isize) {
        self.range.shift(by);
    }
}

impl Shift for CallSite {
    fn shift(&mut self, by: isize) {
        self.range.shift(by);
        self.args.shift(by);
        self.strings.shift(by);
    }
}

impl Shift for Qs {
    fn shift(&mut self, by: isize) {
        self.origin.shift(by);
        self.select_call.shift(by);
        self.prefetch_call.shift(by);
        self.only_call.shift(by);
        self.defer_call.shift(by);
        self.after_custom = self.after_custom.map(|at| moved(at, by));
    }
}

impl Shift for Access {
    fn shift(&mut self, by: isize) {
        self.range.shift(by);
    }
}

impl Shift for LoopFact {
    fn shift(&mut self, by: isize) {
        self.sources.shift(by);
        self.accesses.shift(by);
        self.iter_range.shift(by);
        self.body_range.shift(by);
    }
}

impl Shift for Evaluation {
    fn shift(&mut self, by: isize) {
        self.range.shift(by);
    }
}

impl Shift for LookupCall {
    fn shift(&mut self, by: isize) {
        self.call.shift(by);
        self.keywords.shift(by);
    }
}

impl Shift for OnlyThenValues {
    fn shift(&mut self, by: isize) {
        self.only.shift(by);
        self.values.shift(by);
    }
}

impl Shift for IdRead {
    fn shift(&mut self, by: isize) {
        for obj in &mut self.objs {
            obj.qs.shift(by);
        }
        self.replace.shift(by);
    }
}
