//! The abstract values the walker gives names: querysets, rows, objects, related
//! managers, and where in the file each was built.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use tree_sitter::Node;

use crate::analysis::access::{self, Hop, HopKind};
use crate::index::{Applied, Manager, ModelId, ModelIndex};
use crate::syntax::fields::FIELDS;
use crate::syntax::node::{quote_of, string_value};
use crate::text::TextRange;

use super::contexts::Dict;

/// Where the rows' queryset is written in this file: the place a fix edits.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Origin {
    /// The root expression (`Post.objects`, `author.posts`, `super().get_queryset()`).
    pub range: TextRange,
}

impl Origin {
    /// Where a new `.select_related(...)` goes: right after the root expression.
    pub fn insert_at(&self) -> usize {
        self.range.end
    }
}

/// Where rows given back by a function of another file were built there: what a
/// finding points to, since no fix can edit it from here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Elsewhere {
    /// Root-relative, as the project's files are named.
    pub path: PathBuf,
    pub range: TextRange,
}

/// A call like `.select_related("a", "b")` seen while building a queryset.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CallSite {
    /// From the `.` before the method name to the closing parenthesis.
    pub range: TextRange,
    /// The argument list, parentheses included.
    pub args: TextRange,
    /// String arguments with their ranges (quotes included).
    pub strings: Vec<(String, TextRange)>,
    /// Every argument is a plain string literal, so another can be appended.
    pub plain: bool,
    pub quote: Option<char>,
}

/// A queryset's abstract value.
#[derive(Debug, Clone, PartialEq)]
pub struct Qs {
    /// The model of the rows.
    pub model: ModelId,
    /// What the origin queryset has applied; paths are relative to the origin's model.
    pub applied: Applied,
    /// `None` when there is nothing in this file to edit.
    pub origin: Option<Origin>,
    /// Where another file built the rows (a function of another module returned them).
    pub elsewhere: Option<Arc<Elsewhere>>,
    /// Hops from the origin's model to these rows (`posts` for the rows of
    /// `author.posts.all()` when `author` is a row of the origin).
    pub prefix: Vec<Hop>,
    /// The foreign key on these rows that points back at the object whose related
    /// manager produced them: Django caches it, so reading it costs nothing.
    pub back_ref: Option<String>,
    /// The rows are fetched again for each row of an outer loop.
    pub per_row: bool,
    /// Built on a related manager (`author.posts`), whose rows Django links back to
    /// their parent through a column `only()` must not leave out.
    pub related: bool,
    pub select_call: Option<CallSite>,
    pub prefetch_call: Option<CallSite>,
    pub only_call: Option<CallSite>,
    pub defer_call: Option<CallSite>,
    /// Names added by `annotate()`/`alias()`; `None` when one could not be read.
    pub annotations: Option<Vec<String>>,
    pub manager: Option<String>,
    /// `.iterator()` without `chunk_size`: Django refuses `prefetch_related` there.
    pub iterator_without_chunk: bool,
    /// The end of the last custom manager or queryset method in the chain: a new
    /// `.select_related(...)` must come after it, since the method may exist on the
    /// manager only.
    pub after_custom: Option<usize>,
    /// Relations read without a query: filtered to be null (`filter(parent__isnull=True)`,
    /// `filter(parent=None)`), so they are `None`; or given to `create(space=space)`,
    /// whose object keeps the instance it was given.
    pub known_loaded: Vec<String>,
    /// Keyword names of the `filter()` calls of the chain so far.
    pub filters: ChainFilters,
}

/// Keyword names of the `filter()` calls of a chain; `?` for arguments that cannot be
/// read (`Q` objects, `**kwargs`). Only ORM701 asks (are the rows already narrowed
/// through an index?); two querysets that differ in them alone are the same rows to
/// every other rule, so they compare equal and branches still merge.
#[derive(Debug, Clone, Default)]
pub struct ChainFilters(pub Vec<String>);

impl PartialEq for ChainFilters {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Qs {
    /// Where a new call on this queryset goes: after the manager (or root expression),
    /// or after the last custom method called on it.
    pub fn insert_at(&self) -> Option<usize> {
        let origin = self.origin.as_ref()?.insert_at();
        Some(self.after_custom.map_or(origin, |end| end.max(origin)))
    }

    /// The rows of `manager` of `model`, with what its `get_queryset()` applies; a
    /// manager whose class could not be read may select or prefetch anything.
    pub(super) fn of_manager(model: ModelId, manager: &Manager, origin: Origin) -> Self {
        let mut qs = Qs::new(model, Some(origin));
        qs.applied = manager.applied.clone();
        qs.applied.unknown |= manager.opaque;
        if manager.applied.annotates || manager.opaque {
            qs.annotations = None;
        }
        qs.manager = Some(manager.name.clone());
        qs
    }

    /// Rows of `model` with nothing applied.
    pub(super) fn new(model: ModelId, origin: Option<Origin>) -> Self {
        Self {
            model,
            applied: Applied::default(),
            origin,
            elsewhere: None,
            prefix: Vec::new(),
            back_ref: None,
            per_row: false,
            related: false,
            select_call: None,
            prefetch_call: None,
            only_call: None,
            defer_call: None,
            annotations: Some(Vec::new()),
            manager: None,
            iterator_without_chunk: false,
            known_loaded: Vec::new(),
            after_custom: None,
            filters: ChainFilters::default(),
        }
    }
}

impl Qs {
    /// The rows of the related manager `hop` (of `target` rows) of an object reached
    /// from these rows through `path`, served by these rows' prefetch (or fetched per
    /// object when they have none): their loads are judged against this queryset.
    pub(super) fn related_rows(
        &self,
        path: &[Hop],
        hop: Hop,
        target: ModelId,
        per_row: bool,
    ) -> Qs {
        let mut qs = self.clone();
        qs.prefix.extend(path.iter().cloned());
        qs.back_ref = hop.back_ref.clone();
        qs.prefix.push(hop);
        qs.model = target;
        qs.per_row = per_row;
        qs.related = true;
        qs
    }
}

/// The rows of the related manager at `path` (single-valued relations, then a
/// many-valued one) of each of `objects`, served by their queryset's prefetch (see
/// [`Qs::related_rows`]); `None` when the path is not of that shape.
pub(super) fn related_rows(
    index: &ModelIndex,
    objects: &[Obj],
    path: &[String],
) -> Option<Vec<Qs>> {
    let (last, single) = path.split_last()?;
    objects
        .iter()
        .map(|obj| {
            let mut model = obj.model()?;
            let mut hops = obj.path.clone();
            for name in single {
                let hop = access::hop(index, model, name).filter(|h| h.is_selectable())?;
                model = hop.target?;
                hops.push(hop);
            }
            let hop = access::hop(index, model, last).filter(|h| h.is_many())?;
            let target = hop.target?;
            Some(obj.qs.related_rows(&hops, hop, target, obj.per_row))
        })
        .collect()
}

/// One object: a row of a queryset, or a single object fetched from one, possibly
/// reached through single-valued relations (`path`).
#[derive(Debug, Clone, PartialEq)]
pub struct Obj {
    pub qs: Qs,
    pub path: Vec<Hop>,
    /// One of many rows (a loop variable), not a single fetched object.
    pub per_row: bool,
}

impl Obj {
    pub fn model(&self) -> Option<ModelId> {
        match self.path.last() {
            Some(hop) => hop.target,
            None => Some(self.qs.model),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// The model class itself.
    Model(ModelId),
    /// An unevaluated queryset (or a manager).
    Qs(Qs),
    /// Rows already evaluated into a list (`list(qs)`, `sorted(qs)`).
    Rows(Qs),
    Obj(Obj),
    /// `obj.tags`: the related manager of a many-valued relation.
    RelatedManager {
        obj: Obj,
        hop: Hop,
        range: TextRange,
    },
    /// `enumerate(rows)`.
    Enumerate(Box<Value>),
    /// `self` in a method of a class-based view or of any class that is not a model
    /// (by the class's start byte).
    View(usize),
    /// `super()` in such a method.
    ViewSuper(usize),
    /// A request (`request` not bound otherwise, a view's `self.request`), whose `user`
    /// is the user model's object that the authentication middleware loaded.
    Request,
    /// `Paginator(rows)`: its pages are slices of the rows.
    Paginator(Qs),
    /// A dictionary with string keys (a template context being built).
    Dict(Box<Dict>),
    /// A constant (`False`, `None`, `0`, `"x"`) by its truth: an `if` on a parameter a
    /// call passes one to takes one branch.
    Constant(bool),
    Unknown,
}

pub(super) type Env = HashMap<String, Vec<Value>>;

/// `other`'s possible values added to `into`'s; a name only one side binds may also be
/// unbound, which reads as unknown. A value both sides hold is kept once, so joining
/// branches that leave a name alone does not grow its values towards the cap.
pub(super) fn join(into: &mut Env, other: Env) {
    for (name, values) in other {
        let entry = into.entry(name).or_insert_with(|| vec![Value::Unknown]);
        for value in values {
            if !entry.contains(&value) {
                entry.push(value);
            }
        }
        if entry.len() > 8 {
            *entry = vec![Value::Unknown];
        }
    }
}

/// The querysets `values` are when all are rows of one model, else `None`.
pub(super) fn rows_of(values: &[&Value]) -> Option<Vec<Qs>> {
    let mut rows = Vec::new();
    for value in values {
        match value {
            Value::Qs(qs) | Value::Rows(qs) if !qs.applied.values => rows.push(qs.clone()),
            _ => return None,
        }
    }
    let first = rows.first()?;
    rows.iter().all(|q| q.model == first.model).then_some(rows)
}

/// One row of each queryset, as the loop variable holds it.
pub(super) fn rows_as_objs(rows: &[Qs]) -> Vec<Value> {
    each_row(rows).into_iter().map(Value::Obj).collect()
}

/// One row of each queryset.
pub(super) fn each_row(rows: &[Qs]) -> Vec<Obj> {
    rows.iter()
        .map(|qs| Obj {
            qs: qs.clone(),
            path: Vec::new(),
            per_row: true,
        })
        .collect()
}

/// Where a queryset method call is written and what its arguments are, for fixes.
pub(super) fn call_site(call: Node<'_>, function: Node<'_>, src: &str) -> CallSite {
    // At the `.` itself: a fix deleting the call keeps a comment or line break written
    // between the receiver and the dot.
    let mut cursor = function.walk();
    let start = function
        .children(&mut cursor)
        .find(|c| c.kind() == ".")
        .map_or(function.start_byte(), |dot| dot.start_byte());
    let args_node = call.child_by_field_id(FIELDS.arguments);
    let args = args_node
        .map(TextRange::of)
        .unwrap_or(TextRange::empty(call.end_byte()));
    let mut strings = Vec::new();
    let mut plain = true;
    let mut quote = None;
    if let Some(list) = args_node.filter(|a| a.kind() == "argument_list") {
        let mut cursor = list.walk();
        for arg in list.named_children(&mut cursor) {
            if arg.kind() == "comment" {
                continue;
            }
            match string_value(arg, src) {
                Some(value) => {
                    quote = quote.or(quote_of(arg, src));
                    strings.push((value.to_string(), TextRange::of(arg)));
                }
                None => plain = false,
            }
        }
    } else {
        plain = false;
    }
    CallSite {
        range: TextRange::new(start, call.end_byte()),
        args,
        strings,
        plain,
        quote,
    }
}

/// The related manager `hop` of `obj` is served by a prefetch of its queryset.
pub(super) fn obj_prefetched(obj: &Obj, hop: &Hop) -> bool {
    let mut names: Vec<&str> = obj.qs.prefix.iter().map(|h| h.name.as_str()).collect();
    names.extend(obj.path.iter().map(|h| h.name.as_str()));
    names.push(&hop.name);
    let path = names.join("__");
    obj.qs.applied.prefetch_related.iter().any(|p| {
        p.to_attr.is_none() && (p.lookup == path || p.lookup.starts_with(&format!("{path}__")))
    })
}

/// Whether relations arrive with the rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Load {
    Loaded,
    Missing,
    /// Something applied could not be read: say nothing.
    Unknown,
}

impl Qs {
    /// Whether the relations at `local` (from these rows) arrive with the rows.
    pub fn load(&self, local: &[Hop]) -> Load {
        let qs = self;
        if qs.applied.unknown {
            return Load::Unknown;
        }
        // Django 6.1 copies the mode to the objects it fetches, so a chain of foreign keys
        // and one-to-ones is one query per hop for all the rows; related managers are
        // not batched.
        if qs.applied.fetches_peers()
            && qs.prefix.is_empty()
            && local.iter().all(Hop::is_selectable)
        {
            return Load::Loaded;
        }
        if let (Some(back), [first]) = (&qs.back_ref, local)
            && first.name == *back
        {
            return Load::Loaded;
        }
        if let (true, Some(first)) = (qs.prefix.is_empty(), local.first())
            && qs.known_loaded.contains(&first.name)
        {
            return Load::Loaded;
        }
        let full: Vec<&Hop> = qs.prefix.iter().chain(local.iter()).collect();
        let path = full
            .iter()
            .map(|h| h.name.as_str())
            .collect::<Vec<_>>()
            .join("__");
        let covers = |lookup: &str| lookup == path || lookup.starts_with(&format!("{path}__"));
        for prefetch in &qs.applied.prefetch_related {
            if prefetch.to_attr.is_none() && covers(&prefetch.lookup) {
                return Load::Loaded;
            }
        }
        // Below a `Prefetch(queryset=...)` anything may have been selected.
        for prefetch in &qs.applied.prefetch_related {
            if prefetch.queryset && path.starts_with(&format!("{}__", prefetch.lookup)) {
                return Load::Unknown;
            }
        }
        if full.iter().all(|h| h.is_selectable()) {
            if qs.applied.select_related.iter().any(|s| covers(s)) {
                return Load::Loaded;
            }
            if qs.applied.select_related_all
                && full.iter().all(|h| {
                    matches!(h.kind, HopKind::ForwardFk | HopKind::ForwardOneToOne) && !h.nullable
                })
            {
                return Load::Loaded;
            }
        }
        Load::Missing
    }
}
