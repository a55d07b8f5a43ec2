//! Django's queryset and manager methods as ormhint models them: one table of what each
//! returns, what its arguments name and what it does on a prefetched related manager,
//! and one reader of the arguments that change what the rows carry. The index (what a
//! manager's `get_queryset()` or a custom queryset method applies) and the flow analysis
//! (what a chain in a view applies) both read calls through here, so they agree.

use tree_sitter::Node;

use super::model::{Applied, FetchMode, Prefetch};
use crate::syntax::fields::FIELDS;
use crate::syntax::node::{CallArgs, call_args, dict_string_keys, dotted_name, string_value, text};

/// What a queryset method gives back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Returns {
    /// A queryset of the same model's rows, narrowed, ordered or loaded differently.
    Rows,
    /// A queryset of dicts or tuples (`values()`, `values_list()`).
    Values,
    /// A queryset whose rows come from other querysets too (`union()`).
    Combined,
    /// An iterator over the rows, fetched in chunks (`iterator()`).
    Iterator,
    /// One object (`get()`, `first()`, `create()`).
    Object,
    /// Anything else: a number, a flag, a dict, nothing.
    Other,
}

/// What a method's string or keyword arguments name, for checking them against the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Names {
    /// Keyword lookups (`filter(author__name="x")`).
    Lookups,
    /// Relations to join (`select_related("author")`).
    Relations,
    /// Relations to prefetch (`prefetch_related("tags")`).
    Prefetches,
    /// Field paths (`only("title")`, `values("author__name")`).
    Fields,
    /// Field paths with an optional `-`/`+` prefix, or `?` (`order_by("-created")`).
    Ordering,
}

/// What the method does on a related manager whose rows a prefetch holds
/// (`author.posts` after `prefetch_related("posts")`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnPrefetched {
    /// Answered from the prefetched rows.
    Served,
    /// Answered from them only when the related model has a default ordering.
    FirstRow,
    /// A new query whatever was prefetched.
    Bypassed,
}

/// One method of Django's `QuerySet` (every one a manager proxies too).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Method {
    pub name: &'static str,
    pub returns: Returns,
    pub names: Option<Names>,
    /// `None` where ormhint does not judge the method on a prefetched manager.
    pub on_prefetched: Option<OnPrefetched>,
}

const fn m(
    name: &'static str,
    returns: Returns,
    names: Option<Names>,
    on_prefetched: Option<OnPrefetched>,
) -> Method {
    Method {
        name,
        returns,
        names,
        on_prefetched,
    }
}

use Names::*;
use OnPrefetched::*;
use Returns::*;

/// Every queryset method ormhint knows; a name not here is the project's own (or
/// unknown), and its result is unknown unless the index read its definition.
const METHODS: &[Method] = &[
    m("all", Rows, None, Some(Served)),
    m("filter", Rows, Some(Lookups), Some(Bypassed)),
    m("exclude", Rows, Some(Lookups), Some(Bypassed)),
    m("order_by", Rows, Some(Ordering), Some(Bypassed)),
    m("distinct", Rows, None, Some(Bypassed)),
    m("reverse", Rows, None, Some(Bypassed)),
    m("select_related", Rows, Some(Relations), Some(Bypassed)),
    m("prefetch_related", Rows, Some(Prefetches), Some(Bypassed)),
    m("only", Rows, Some(Fields), Some(Bypassed)),
    m("defer", Rows, Some(Fields), Some(Bypassed)),
    m("annotate", Rows, None, Some(Bypassed)),
    m("alias", Rows, None, None),
    m("extra", Rows, None, None),
    m("using", Rows, None, None),
    m("select_for_update", Rows, None, None),
    m("complex_filter", Rows, None, None),
    m("none", Rows, None, None),
    m("get_queryset", Rows, None, None),
    m("fetch_mode", Rows, None, None),
    m("values", Values, Some(Fields), Some(Bypassed)),
    m("values_list", Values, Some(Fields), Some(Bypassed)),
    m("union", Combined, None, None),
    m("intersection", Combined, None, None),
    m("difference", Combined, None, None),
    m("iterator", Iterator, None, Some(Bypassed)),
    m("get", Object, Some(Lookups), Some(Bypassed)),
    m("first", Object, None, Some(FirstRow)),
    m("last", Object, None, Some(Bypassed)),
    m("earliest", Object, None, Some(Bypassed)),
    m("latest", Object, None, Some(Bypassed)),
    m("create", Object, None, None),
    m("count", Other, None, Some(Served)),
    m("exists", Other, None, Some(Served)),
    m("aggregate", Other, None, Some(Bypassed)),
    m("in_bulk", Other, None, Some(Bypassed)),
    m("update", Other, None, None),
    m("delete", Other, None, None),
    m("get_or_create", Other, None, None),
    m("update_or_create", Other, None, None),
    m("bulk_create", Other, None, None),
    m("bulk_update", Other, None, None),
    m("explain", Other, None, None),
    m("contains", Other, None, None),
    m("dates", Other, None, None),
    m("datetimes", Other, None, None),
    m("raw", Other, None, None),
];

/// Django's queryset method `name`, if it is one.
pub fn method(name: &str) -> Option<&'static Method> {
    METHODS.iter().find(|m| m.name == name)
}

impl Method {
    /// The result is a queryset, so a chain can go on from it.
    pub fn returns_queryset(&self) -> bool {
        matches!(self.returns, Rows | Values | Combined)
    }
}

/// What one call adds to the names a later lookup may use beyond the model's fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Annotations {
    /// The call names nothing new.
    None,
    /// These names (`annotate(total=...)`, `extra(select={"week": ...})`).
    Named(Vec<String>),
    /// Names that cannot be read (`annotate(**exprs)`, `values_list(Lower("name"))`).
    Unreadable,
}

/// Applies the call `call` of queryset method `method` to `applied`: what it selects,
/// prefetches, defers or turns into values, and whether it annotates. Arguments that
/// cannot be read make `applied.unknown`. Returns the annotation names the call adds.
pub fn apply(applied: &mut Applied, method: &str, call: Node<'_>, source: &str) -> Annotations {
    let annotations = read(applied, method, call, source);
    applied.annotates |= annotations != Annotations::None;
    annotations
}

fn read(applied: &mut Applied, method: &str, call: Node<'_>, source: &str) -> Annotations {
    let args = call_args(call, source);
    let clears = matches!(args.positional.as_slice(), [only] if only.kind() == "none")
        && args.keywords.is_empty()
        && !args.has_splat;
    match method {
        "select_related" => {
            if clears {
                applied.select_related.clear();
                applied.select_related_all = false;
            } else if args.positional.is_empty() && args.keywords.is_empty() && !args.has_splat {
                applied.select_related_all = true;
            } else {
                let lookups = literal_strings(&args, applied, source);
                push_new(&mut applied.select_related, lookups);
            }
        }
        "prefetch_related" => {
            if clears {
                applied.prefetch_related.clear();
            } else {
                let prefetches = prefetches(&args, applied, source);
                push_new(&mut applied.prefetch_related, prefetches);
            }
        }
        "only" => applied.only = Some(literal_strings(&args, applied, source)),
        "defer" => {
            if clears {
                applied.defer.clear();
            } else {
                let names = literal_strings(&args, applied, source);
                push_new(&mut applied.defer, names);
            }
        }
        "values" | "values_list" => {
            applied.values = true;
            return values_annotations(method, &args, source);
        }
        "annotate" | "alias" => {
            if !args.positional.is_empty() || args.has_splat {
                return Annotations::Unreadable;
            }
            return Annotations::Named(args.keywords.iter().map(|(k, _)| k.clone()).collect());
        }
        "extra" => {
            // `extra(select={"week": "SQL"})` names columns as annotate() does.
            let select = args
                .keyword("select")
                .or_else(|| args.positional.first().copied());
            if args.has_splat {
                return Annotations::Unreadable;
            }
            return match select.map(|select| dict_string_keys(select, source)) {
                None => Annotations::Named(Vec::new()),
                Some(Some(names)) => Annotations::Named(names),
                Some(None) => Annotations::Unreadable,
            };
        }
        "fetch_mode" => match args.positional.as_slice() {
            [mode] if args.keywords.is_empty() && !args.has_splat => {
                let name = text(*mode, source);
                let mode = match name.rsplit('.').next().unwrap_or(name) {
                    "FETCH_ONE" => Some(FetchMode::One),
                    "FETCH_PEERS" => Some(FetchMode::Peers),
                    "FETCH_RAISE" => Some(FetchMode::Raise),
                    _ => None,
                };
                match mode {
                    Some(mode) => applied.fetch_mode = Some(mode),
                    None => applied.unknown = true,
                }
            }
            _ => applied.unknown = true,
        },
        _ => {}
    }
    Annotations::None
}

/// `values(total=Sum(...))`, `values_list(Lower("name"))`: expressions are annotated
/// under a name (a keyword's, or one Django makes up).
fn values_annotations(method: &str, args: &CallArgs<'_>, source: &str) -> Annotations {
    let unnamed = args.has_splat
        || args
            .positional
            .iter()
            .any(|arg| string_value(*arg, source).is_none());
    if unnamed {
        return Annotations::Unreadable;
    }
    let named: Vec<String> = args
        .keywords
        .iter()
        .filter(|(key, _)| method == "values" || !matches!(key.as_str(), "flat" | "named"))
        .map(|(key, _)| key.clone())
        .collect();
    if method == "values_list" && !named.is_empty() {
        // values_list() takes no expressions by keyword: Django raises TypeError.
        return Annotations::Unreadable;
    }
    if named.is_empty() {
        Annotations::None
    } else {
        Annotations::Named(named)
    }
}

/// The string arguments of a call that takes only names; anything else makes
/// `applied.unknown`.
fn literal_strings(args: &CallArgs<'_>, applied: &mut Applied, source: &str) -> Vec<String> {
    if args.has_splat || !args.keywords.is_empty() {
        applied.unknown = true;
    }
    args.positional
        .iter()
        .filter_map(|arg| {
            let value = string_value(*arg, source);
            if value.is_none() {
                applied.unknown = true;
            }
            value.map(str::to_string)
        })
        .collect()
}

/// The lookups of `prefetch_related(...)`: strings and `Prefetch(...)` objects; one that
/// cannot be read makes `applied.unknown`.
fn prefetches(args: &CallArgs<'_>, applied: &mut Applied, source: &str) -> Vec<Prefetch> {
    if args.has_splat || !args.keywords.is_empty() {
        applied.unknown = true;
    }
    let mut out = Vec::new();
    for arg in &args.positional {
        if let Some(lookup) = string_value(*arg, source) {
            out.push(Prefetch {
                lookup: lookup.to_string(),
                to_attr: None,
                queryset: false,
            });
            continue;
        }
        match prefetch_object(*arg, source) {
            Some(prefetch) => out.push(prefetch),
            None => applied.unknown = true,
        }
    }
    out
}

/// `Prefetch("comments", queryset=..., to_attr="recent")`.
fn prefetch_object(node: Node<'_>, source: &str) -> Option<Prefetch> {
    if node.kind() != "call" {
        return None;
    }
    let callee = dotted_name(node.child_by_field_id(FIELDS.function)?, source)?;
    if callee.last()? != "Prefetch" {
        return None;
    }
    let args = call_args(node, source);
    let lookup = args
        .positional
        .first()
        .copied()
        .or_else(|| args.keyword("lookup"))?;
    let to_attr = match args.keyword("to_attr") {
        Some(value) => Some(string_value(value, source)?.to_string()),
        None => None,
    };
    Some(Prefetch {
        lookup: string_value(lookup, source)?.to_string(),
        to_attr,
        queryset: args.positional.len() > 1 || args.keyword("queryset").is_some(),
    })
}

fn push_new<T: PartialEq>(into: &mut Vec<T>, items: Vec<T>) {
    for item in items {
        if !into.contains(&item) {
            into.push(item);
        }
    }
}

impl Applied {
    /// Django 6.1's `FETCH_PEERS`: a fetch loads the field for every row at once.
    pub fn fetches_peers(&self) -> bool {
        self.fetch_mode == Some(FetchMode::Peers)
    }

    /// Django 6.1's `FETCH_RAISE`: a fetch raises `FieldFetchBlocked`.
    pub fn fetch_raises(&self) -> bool {
        self.fetch_mode == Some(FetchMode::Raise)
    }

    /// Adds what `other` applies after what `self` applies.
    pub fn merge(&mut self, other: &Applied) {
        push_new(&mut self.select_related, other.select_related.clone());
        self.select_related_all |= other.select_related_all;
        push_new(&mut self.prefetch_related, other.prefetch_related.clone());
        if other.only.is_some() {
            self.only.clone_from(&other.only);
        }
        push_new(&mut self.defer, other.defer.clone());
        self.values |= other.values;
        self.unknown |= other.unknown;
        self.annotates |= other.annotates;
        if other.fetch_mode.is_some() {
            self.fetch_mode = other.fetch_mode;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::SourceFile;

    /// What the last call of the expression `code` applies to a fresh queryset.
    fn applied(code: &str) -> (Applied, Annotations) {
        let file = SourceFile::new("t.py".into(), code);
        let tree = file.tree();
        let call = crate::syntax::node::descendants(tree.root_node())
            .find(|n| n.kind() == "call")
            .unwrap();
        let function = call.child_by_field_id(FIELDS.function).unwrap();
        let name = file.text(function.child_by_field_id(FIELDS.attribute).unwrap());
        let mut applied = Applied::default();
        let annotations = apply(&mut applied, name, call, &file.source);
        (applied, annotations)
    }

    #[test]
    fn select_related_reads_its_arguments_not_the_chain() {
        // The text `None` elsewhere in the chain says nothing about this call.
        let (a, _) = applied("qs.select_related(*EXTRA)");
        assert!(a.unknown);
        assert!(a.select_related.is_empty() && !a.select_related_all);
        let (a, _) = applied("qs.select_related(None)");
        assert!(!a.unknown && !a.select_related_all);
        let (a, _) = applied("qs.select_related()");
        assert!(a.select_related_all && !a.unknown);
        let (a, _) = applied("qs.select_related('author', \"editor__profile\")");
        assert_eq!(a.select_related, ["author", "editor__profile"]);
        assert!(!a.unknown);
        let (a, _) = applied("qs.select_related('author', name)");
        assert!(a.unknown);
    }

    #[test]
    fn prefetch_objects_say_whether_they_have_a_queryset() {
        let (a, _) = applied(
            "qs.prefetch_related('tags', Prefetch('comments', queryset=c, to_attr='recent'))",
        );
        let lookups: Vec<(&str, Option<&str>, bool)> = a
            .prefetch_related
            .iter()
            .map(|p| (p.lookup.as_str(), p.to_attr.as_deref(), p.queryset))
            .collect();
        assert_eq!(
            lookups,
            [("tags", None, false), ("comments", Some("recent"), true)]
        );
        assert!(!a.unknown);
        assert!(applied("qs.prefetch_related(Prefetch(name))").0.unknown);
        assert!(applied("qs.prefetch_related(lookups)").0.unknown);
        assert!(applied("qs.prefetch_related(*lookups)").0.unknown);
    }

    #[test]
    fn only_defer_and_values() {
        assert_eq!(
            applied("qs.only('a', 'b')").0.only,
            Some(vec!["a".into(), "b".into()])
        );
        assert!(applied("qs.only(*names)").0.unknown);
        assert_eq!(applied("qs.defer('body')").0.defer, ["body"]);
        assert!(!applied("qs.defer(None)").0.unknown);
        let (a, names) = applied("qs.values('title', total=Sum('x'))");
        assert!(a.values);
        assert_eq!(names, Annotations::Named(vec!["total".into()]));
        assert_eq!(
            applied("qs.values_list('id', flat=True)").1,
            Annotations::None
        );
        assert_eq!(
            applied("qs.values_list(Lower('name'))").1,
            Annotations::Unreadable
        );
    }

    #[test]
    fn annotations_are_named_or_unreadable() {
        assert_eq!(
            applied("qs.annotate(n=Count('x'), m=F('y'))").1,
            Annotations::Named(vec!["n".into(), "m".into()])
        );
        assert_eq!(
            applied("qs.annotate(Count('x'))").1,
            Annotations::Unreadable
        );
        assert_eq!(applied("qs.alias(**exprs)").1, Annotations::Unreadable);
        assert_eq!(
            applied("qs.extra(select={'week': 'SQL'})").1,
            Annotations::Named(vec!["week".into()])
        );
        assert_eq!(
            applied("qs.extra(where=['x'])").1,
            Annotations::Named(Vec::new())
        );
        assert_eq!(applied("qs.extra(select=cols)").1, Annotations::Unreadable);
    }

    #[test]
    fn the_table_knows_what_each_method_returns() {
        assert!(method("filter").unwrap().returns_queryset());
        assert!(method("union").unwrap().returns_queryset());
        assert!(!method("count").unwrap().returns_queryset());
        assert_eq!(method("get").unwrap().names, Some(Names::Lookups));
        assert_eq!(
            method("first").unwrap().on_prefetched,
            Some(OnPrefetched::FirstRow)
        );
        assert!(method("published").is_none());
        for (i, a) in METHODS.iter().enumerate() {
            assert!(
                METHODS[i + 1..].iter().all(|b| b.name != a.name),
                "{} twice",
                a.name
            );
        }
    }
}
