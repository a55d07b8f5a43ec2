//! What the walker records for the rules, and how recorded facts move with their code.

use crate::analysis::access::Access;
use crate::analysis::sources::ModuleRead;
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
    /// The loop is a Django admin changelist's or inline's over its rows: its fix edits
    /// the `ModelAdmin` or inline class rather than a queryset.
    pub changelist: Option<Box<Changelist>>,
}

/// What a fix of a `ModelAdmin`'s changelist, or of an inline's rows, needs to know of
/// the class.
#[derive(Debug, Clone, PartialEq)]
pub struct Changelist {
    /// Every single-valued relation path the changelist reads per row
    /// (`author__org`): a `list_select_related` list replaces Django's automatic
    /// `select_related`, so it must name them all.
    pub single_reads: Vec<String>,
    /// Some column reads what the analysis cannot see.
    pub unseen_reads: bool,
    /// The queryset `get_queryset()` returns selects already: Django then applies no
    /// `list_select_related`, and the fix extends that queryset instead.
    pub queryset_selects: bool,
    /// The class defines `get_queryset()`: a prefetch goes on its queryset.
    pub own_get_queryset: bool,
    /// `None` for an inline's rows: Django has no `list_select_related` there.
    pub select: Option<SelectSetting>,
    /// Where a new class attribute goes (the start of a line), and its indentation.
    pub attribute_at: usize,
    /// Where a new method goes: the end of the class body.
    pub method_at: usize,
    pub indent: String,
}

/// How `list_select_related` is written in the class.
#[derive(Debug, Clone, PartialEq)]
pub enum SelectSetting {
    /// Not written, or `False` (`value`): Django selects on its own when `automatic`
    /// (a column names a foreign key).
    Default {
        value: Option<TextRange>,
        automatic: bool,
    },
    /// `True` at `value`.
    All { value: TextRange },
    /// A list or tuple of string literals at `value`: the last one ends at `last`.
    Names {
        value: TextRange,
        last: Option<TextRange>,
        quote: Option<char>,
    },
}

/// `qs.count() > 0`, `len(qs)`, `if qs.count():`, `if qs:` and their kin.
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
    /// The related manager counted (`comments` of `self.comments.count()`) when a caller
    /// we cannot see may have prefetched it: then neither `count()` nor `exists()` runs
    /// a query.
    pub maybe_prefetched: Option<String>,
    /// The same rows iterated afterwards, on the path the test or count leads to, with
    /// nothing fetching them in between: a second query (ORM204).
    pub iterated_after: Option<IteratedAfter>,
}

/// Where rows tested or counted are iterated afterwards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IteratedAfter {
    /// The iterated name.
    pub range: TextRange,
    /// Code between the two calls something, which may write rows the loop would see
    /// and rows fetched at the test would not.
    pub calls_between: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvaluationKind {
    /// An existence test: `exists` true for `> 0`, false for `== 0`.
    Existence { exists: bool, measure: Measure },
    /// `len(qs)` used as a number.
    Len,
    /// `qs.exists()` tested (`exists` false under `not`).
    Exists { exists: bool },
    /// `qs.count()` used as a number.
    Count,
}

/// How an existence test measures the rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    /// `qs.count()`: `SELECT COUNT(*)`, which never fills the result cache, so
    /// `exists()` is never worse whatever else reads the queryset.
    Count,
    /// `len(qs)`: fetches every row into the result cache.
    Len,
    /// `if qs:`, `bool(qs)`, `not qs`: fetches every row into the result cache.
    Truth,
    /// `qs.exists()`: `SELECT 1 ... LIMIT 1`, which leaves the result cache empty.
    Exists,
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
    /// What narrows the rows before this call: the keyword names of earlier `filter()`
    /// calls of the chain ([`super::Qs::filters`]).
    pub earlier_filters: Vec<String>,
    /// On a related manager: the rows are those of one parent.
    pub related: bool,
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

/// `Model.objects.get(...)` in a `try` whose `except` catches `DoesNotExist`, its result
/// read by nothing: the row is fetched only to test that there is one.
#[derive(Debug, Clone)]
pub struct GetTest {
    /// The `.get(...)` call, receiver included.
    pub range: TextRange,
    /// `Model.objects.filter(pk=pk)` (or the receiver alone for `get()` without
    /// arguments): what `.exists()` would be called on.
    pub filtered: String,
}

/// A write run once per iteration of a loop over data that grows
/// ([`super::loop_growth`]).
#[derive(Debug, Clone)]
pub struct WriteInLoop {
    pub kind: WriteKind,
    /// The write as a message names it: `Post.objects.create(...)`, `post.save()`.
    pub subject: String,
    pub model: ModelId,
    /// The write call, receiver included (`Post.objects.create(...)`, `post.save()`).
    pub call: TextRange,
    /// The loop's iterated expression.
    pub iter_range: TextRange,
    /// The iterated expression is a queryset whose `update()` and `delete()` act on the
    /// rows the loop sees (no slice, no `distinct()`, a manager we read).
    pub whole_queryset: bool,
    /// The loop runs inside `transaction.atomic()` (a `with` block or a decorated
    /// function).
    pub in_atomic: bool,
    /// The loop written as one bulk write, when its body is only the write (and, for a
    /// save, the fields it sets).
    pub batched: Option<Batched>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum WriteKind {
    /// `Model.<manager>.create(...)`.
    Create { manager: String },
    /// `Model(...).save()`, or a name the loop body assigned `Model(...)`.
    SaveNew,
    /// `row.save()` of a row of the loop after setting `fields` on it; `row_independent`
    /// when no value set depends on the row or on the iteration; `fields_complete` when
    /// nothing else in the body may set others (a method of the row, a function given
    /// the row).
    Save {
        fields: Vec<String>,
        row_independent: bool,
        fields_complete: bool,
    },
    /// `row.delete()` of a row of the loop.
    Delete,
}

/// The `for` statement at `range` replaced by one bulk write.
#[derive(Debug, Clone, PartialEq)]
pub struct Batched {
    pub range: TextRange,
    pub replacement: String,
    /// A value the loop computed per row is computed once (it calls something).
    pub computed_once: bool,
}

/// `post = Post.objects.get(...)` (or `.first()`, `.last()`) in a function that reads
/// only what `accesses` say of `post` (ORM301).
#[derive(Debug, Clone)]
pub struct SingleRow {
    pub qs: Qs,
    /// Every use of the name in the function, the assignment left out.
    pub accesses: Vec<Access>,
    /// The call fetching the row, receiver included.
    pub range: TextRange,
}

/// `sum(o.price for o in qs)`, `max(...)`, `min(...)`, `len([o for o in qs if ...])`,
/// `sum(1 for o in qs if ...)` over a queryset nothing else uses (ORM501).
#[derive(Debug, Clone)]
pub struct PythonAggregate {
    /// The whole call, which the rewrite replaces.
    pub range: TextRange,
    pub function: AggregateFunction,
    /// The column summed or compared; `None` when counting.
    pub field: Option<String>,
    /// The comprehension's conditions as `filter()` keywords (`paid=True`).
    pub filters: Vec<String>,
    /// The iterated queryset as written.
    pub qs_text: String,
    pub iter_range: TextRange,
    /// The database gives what Python gives, empty queryset included.
    pub exact: bool,
    /// `x or 0` in place of the call would need parentheses.
    pub needs_parens: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AggregateFunction {
    Sum,
    Max,
    Min,
    Count,
}

/// A query run for each iteration of a loop over data that grows (ORM103): a queryset
/// method that reads, a queryset iterated, or a call of a function of the project that
/// runs one.
#[derive(Debug, Clone)]
pub struct QueryInLoop {
    /// The call or iterated expression that runs it, in this file.
    pub range: TextRange,
    /// What runs it: Django's method (`get`, `count`), `iterate` for a queryset
    /// iterated or `list()`-ed, `get_object_or_404`.
    pub method: String,
    pub model: ModelId,
    /// The function or method of the project called, when the query runs in it
    /// (`helper()`, `post.latest_comment()`), with where the query is there.
    pub through: Option<Through>,
    /// The loop's iterated expression.
    pub loop_iter: TextRange,
    /// The query names nothing the loop binds: the same query each time.
    pub invariant: bool,
    /// The lookup keywords of a `get()` (`pk`, `slug`), for the advice.
    pub keywords: Vec<String>,
}

/// Where, in a function the loop calls, the query runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Through {
    /// `helper()`, `post.latest_comment()`, `post.last_reply` (a property).
    pub callee: String,
    /// The query as written there (`Tag.objects.get(...)`).
    pub query: String,
    /// The query's place when it is in another file (one in this file belongs to
    /// another definition, which does not move with the loop's).
    pub elsewhere: Option<(std::path::PathBuf, TextRange)>,
}

#[derive(Debug, Default, Clone)]
pub struct Facts {
    pub loops: Vec<LoopFact>,
    pub evaluations: Vec<Evaluation>,
    pub lookup_calls: Vec<LookupCall>,
    pub only_then_values: Vec<OnlyThenValues>,
    pub id_reads: Vec<IdRead>,
    pub get_tests: Vec<GetTest>,
    pub writes: Vec<WriteInLoop>,
    pub python_aggregates: Vec<PythonAggregate>,
    pub queries_in_loops: Vec<QueryInLoop>,
    pub single_rows: Vec<SingleRow>,
    /// Other modules of the project whose functions were followed: the facts hold
    /// while those modules' texts are unchanged.
    pub modules_read: Vec<ModuleRead>,
}

// Every impl below names every field of its type: a field added later is a compile
// error here until someone decides whether it holds a place in the file.

impl Facts {
    pub(super) fn shift(&mut self, by: isize) {
        if by == 0 {
            return;
        }
        let Facts {
            loops,
            evaluations,
            lookup_calls,
            only_then_values,
            id_reads,
            get_tests,
            writes,
            python_aggregates,
            queries_in_loops,
            single_rows,
            modules_read: _,
        } = self;
        single_rows.shift(by);
        writes.shift(by);
        queries_in_loops.shift(by);
        loops.shift(by);
        evaluations.shift(by);
        lookup_calls.shift(by);
        only_then_values.shift(by);
        id_reads.shift(by);
        get_tests.shift(by);
        python_aggregates.shift(by);
    }

    pub(super) fn extend(&mut self, other: Facts) {
        let Facts {
            loops,
            evaluations,
            lookup_calls,
            only_then_values,
            id_reads,
            get_tests,
            writes,
            python_aggregates,
            queries_in_loops,
            single_rows,
            modules_read,
        } = other;
        self.single_rows.extend(single_rows);
        self.writes.extend(writes);
        self.queries_in_loops.extend(queries_in_loops);
        self.loops.extend(loops);
        self.evaluations.extend(evaluations);
        self.lookup_calls.extend(lookup_calls);
        self.only_then_values.extend(only_then_values);
        self.id_reads.extend(id_reads);
        self.get_tests.extend(get_tests);
        self.python_aggregates.extend(python_aggregates);
        self.read_modules(modules_read);
    }

    /// Records that `read` were read, once each.
    pub(super) fn read_modules(&mut self, read: impl IntoIterator<Item = ModuleRead>) {
        for module in read {
            if !self.modules_read.contains(&module) {
                self.modules_read.push(module);
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        let Facts {
            loops,
            evaluations,
            lookup_calls,
            only_then_values,
            id_reads,
            get_tests,
            writes,
            python_aggregates,
            queries_in_loops,
            single_rows,
            modules_read: _,
        } = self;
        // Modules read are no finding.
        loops.is_empty()
            && evaluations.is_empty()
            && lookup_calls.is_empty()
            && only_then_values.is_empty()
            && id_reads.is_empty()
            && get_tests.is_empty()
            && writes.is_empty()
            && python_aggregates.is_empty()
            && queries_in_loops.is_empty()
            && single_rows.is_empty()
    }
}

/// Moving facts along with the code they describe (see [`FlowCache`](super::FlowCache)).
pub(super) trait Shift {
    fn shift(&mut self, by: isize);
}

fn moved(at: usize, by: isize) -> usize {
    at.checked_add_signed(by).unwrap_or(0)
}

impl Shift for usize {
    fn shift(&mut self, by: isize) {
        *self = moved(*self, by);
    }
}

impl Shift for TextRange {
    fn shift(&mut self, by: isize) {
        self.start.shift(by);
        self.end.shift(by);
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
        let Origin { range } = self;
        range.shift(by);
    }
}

impl Shift for CallSite {
    fn shift(&mut self, by: isize) {
        let CallSite {
            range,
            args,
            strings,
            plain: _,
            quote: _,
        } = self;
        range.shift(by);
        args.shift(by);
        strings.shift(by);
    }
}

impl Shift for Qs {
    fn shift(&mut self, by: isize) {
        let Qs {
            model: _,
            applied: _,
            origin,
            // In another file: it does not move with this one.
            elsewhere: _,
            prefix: _,
            back_ref: _,
            per_row: _,
            related: _,
            select_call,
            prefetch_call,
            only_call,
            defer_call,
            annotations: _,
            manager: _,
            iterator_without_chunk: _,
            after_custom,
            known_loaded: _,
            filters: _,
        } = self;
        origin.shift(by);
        select_call.shift(by);
        prefetch_call.shift(by);
        only_call.shift(by);
        defer_call.shift(by);
        after_custom.shift(by);
    }
}

impl Shift for Obj {
    fn shift(&mut self, by: isize) {
        let Obj {
            qs,
            path: _,
            per_row: _,
        } = self;
        qs.shift(by);
    }
}

impl Shift for Access {
    fn shift(&mut self, by: isize) {
        let Access {
            kind: _,
            range,
            via: _,
            // In another file: this file's edits do not move it.
            read_in: _,
        } = self;
        range.shift(by);
    }
}

impl Shift for LoopFact {
    fn shift(&mut self, by: isize) {
        let LoopFact {
            sources,
            accesses,
            iter_range,
            body_range,
            sole_consumer: _,
            changelist,
        } = self;
        sources.shift(by);
        accesses.shift(by);
        iter_range.shift(by);
        body_range.shift(by);
        if let Some(changelist) = changelist {
            changelist.shift(by);
        }
    }
}

impl Shift for Changelist {
    fn shift(&mut self, by: isize) {
        let Changelist {
            single_reads: _,
            unseen_reads: _,
            queryset_selects: _,
            own_get_queryset: _,
            select,
            attribute_at,
            method_at,
            indent: _,
        } = self;
        match select {
            None => {}
            Some(SelectSetting::Default { value, .. }) => value.shift(by),
            Some(SelectSetting::All { value }) => value.shift(by),
            Some(SelectSetting::Names { value, last, .. }) => {
                value.shift(by);
                last.shift(by);
            }
        }
        attribute_at.shift(by);
        method_at.shift(by);
    }
}

impl Shift for Evaluation {
    fn shift(&mut self, by: isize) {
        let Evaluation {
            kind: _,
            range,
            qs_text: _,
            sole_use: _,
            needs_parens: _,
            maybe_prefetched: _,
            iterated_after,
        } = self;
        range.shift(by);
        iterated_after.shift(by);
    }
}

impl Shift for IteratedAfter {
    fn shift(&mut self, by: isize) {
        let IteratedAfter {
            range,
            calls_between: _,
        } = self;
        range.shift(by);
    }
}

impl Shift for SingleRow {
    fn shift(&mut self, by: isize) {
        let SingleRow {
            qs,
            accesses,
            range,
        } = self;
        qs.shift(by);
        accesses.shift(by);
        range.shift(by);
    }
}

impl Shift for PythonAggregate {
    fn shift(&mut self, by: isize) {
        let PythonAggregate {
            range,
            function: _,
            field: _,
            filters: _,
            qs_text: _,
            iter_range,
            exact: _,
            needs_parens: _,
        } = self;
        range.shift(by);
        iter_range.shift(by);
    }
}

impl Shift for LookupCall {
    fn shift(&mut self, by: isize) {
        let LookupCall {
            method: _,
            names: _,
            model: _,
            call,
            keywords,
            annotations: _,
            earlier_filters: _,
            related: _,
        } = self;
        call.shift(by);
        keywords.shift(by);
    }
}

impl Shift for OnlyThenValues {
    fn shift(&mut self, by: isize) {
        let OnlyThenValues {
            only,
            values,
            values_method: _,
        } = self;
        only.shift(by);
        values.shift(by);
    }
}

impl Shift for IdRead {
    fn shift(&mut self, by: isize) {
        let IdRead {
            objs,
            replace,
            attname: _,
        } = self;
        objs.shift(by);
        replace.shift(by);
    }
}

impl Shift for GetTest {
    fn shift(&mut self, by: isize) {
        let GetTest { range, filtered: _ } = self;
        range.shift(by);
    }
}

impl Shift for WriteInLoop {
    fn shift(&mut self, by: isize) {
        let WriteInLoop {
            kind: _,
            subject: _,
            model: _,
            call,
            iter_range,
            whole_queryset: _,
            in_atomic: _,
            batched,
        } = self;
        call.shift(by);
        iter_range.shift(by);
        if let Some(batched) = batched {
            batched.range.shift(by);
        }
    }
}

impl Shift for QueryInLoop {
    fn shift(&mut self, by: isize) {
        let QueryInLoop {
            range,
            method: _,
            model: _,
            // A place in another file only, which this file's edits do not move.
            through: _,
            loop_iter,
            invariant: _,
            keywords: _,
        } = self;
        range.shift(by);
        loop_iter.shift(by);
    }
}
