//! What the built-in filters of Django and Jinja2 do with the value they are given. A
//! filter not listed (a custom one, django-jinja's, or a newer built-in) is
//! [`FilterKind::Unknown`].

use super::{Called, Step};
use crate::syntax::template::{Dialect, Filter, Value};

/// What a filter does with its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterKind {
    /// Returns the value or its rows as they are (`default`, `slice`, `dictsort`): the
    /// uses after it are the value's.
    Passes,
    /// Turns the value into text first (`upper`, `escape`, `truncatechars`).
    Text,
    /// Uses the value without reading its attributes or text (`date`, `yesno`,
    /// `floatformat`).
    Reads,
    /// Counts the value (`length`).
    Counts,
    /// Takes one item of the value (`first`, `last`, `random`).
    Item,
    /// Turns each item into text (`join`, `unordered_list`).
    EachText,
    /// Jinja2: reads the attribute [`row_path`] names of each item and leaves
    /// something else (`map(attribute=...)`, `groupby`, `sum(attribute=...)`).
    EachAttribute,
    Unknown,
}

const PASSES: [&str; 5] = [
    "default",
    "default_if_none",
    "dictsort",
    "dictsortreversed",
    "slice",
];

const TEXT: [&str; 28] = [
    "addslashes",
    "capfirst",
    "center",
    "cut",
    "escape",
    "escapejs",
    "force_escape",
    "iriencode",
    "linebreaks",
    "linebreaksbr",
    "linenumbers",
    "ljust",
    "lower",
    "make_list",
    "phone2numeric",
    "rjust",
    "safe",
    "slugify",
    "stringformat",
    "striptags",
    "title",
    "truncatechars",
    "truncatechars_html",
    "truncatewords",
    "truncatewords_html",
    "upper",
    "urlencode",
    "wordwrap",
];

const READS: [&str; 13] = [
    "add",
    "date",
    "divisibleby",
    "filesizeformat",
    "floatformat",
    "get_digit",
    "json_script",
    "pluralize",
    "pprint",
    "time",
    "timesince",
    "timeuntil",
    "yesno",
];

const MORE_TEXT: [&str; 3] = ["urlize", "urlizetrunc", "wordcount"];

pub fn kind(dialect: Dialect, filter: &Filter) -> FilterKind {
    match dialect {
        Dialect::Django => django_kind(&filter.name),
        Dialect::Jinja2 => jinja_kind(filter),
    }
}

fn django_kind(name: &str) -> FilterKind {
    match name {
        _ if PASSES.contains(&name) => FilterKind::Passes,
        _ if TEXT.contains(&name) || MORE_TEXT.contains(&name) => FilterKind::Text,
        _ if READS.contains(&name) => FilterKind::Reads,
        "length" | "length_is" => FilterKind::Counts,
        "first" | "last" | "random" => FilterKind::Item,
        "join" | "unordered_list" | "safeseq" | "escapeseq" => FilterKind::EachText,
        _ => FilterKind::Unknown,
    }
}

/// Jinja2's filters that read an attribute of each item, and the position of the
/// argument naming it when it is not given as `attribute=`.
const ATTRIBUTE_AT: [(&str, Option<usize>); 10] = [
    ("selectattr", Some(0)),
    ("rejectattr", Some(0)),
    ("groupby", Some(0)),
    ("sum", Some(0)),
    ("join", Some(1)),
    ("sort", Some(2)),
    ("unique", Some(1)),
    ("min", Some(1)),
    ("max", Some(1)),
    ("map", None),
];

const JINJA_TEXT: [&str; 20] = [
    "capitalize",
    "center",
    "e",
    "escape",
    "forceescape",
    "format",
    "indent",
    "lower",
    "replace",
    "safe",
    "string",
    "striptags",
    "title",
    "trim",
    "truncate",
    "upper",
    "urlencode",
    "urlize",
    "wordcount",
    "wordwrap",
];

fn jinja_kind(filter: &Filter) -> FilterKind {
    let attribute = attribute_arg(filter);
    if matches!(attribute, Some(None)) {
        // An attribute named by a variable: what each item gives is unknown.
        return FilterKind::Unknown;
    }
    let by_attribute = attribute.is_some();
    match filter.name.as_str() {
        "default" | "d" | "list" | "reverse" | "sort" | "unique" | "selectattr" | "rejectattr" => {
            FilterKind::Passes
        }
        name if JINJA_TEXT.contains(&name) => FilterKind::Text,
        "abs" | "filesizeformat" | "float" | "int" | "round" | "tojson" | "pprint" => {
            FilterKind::Reads
        }
        "length" | "count" => FilterKind::Counts,
        "first" | "last" | "random" => FilterKind::Item,
        "min" | "max" if !by_attribute => FilterKind::Item,
        "sum" if !by_attribute => FilterKind::Reads,
        "join" if !by_attribute => FilterKind::EachText,
        "join" | "min" | "max" | "sum" | "groupby" | "map" if by_attribute => {
            FilterKind::EachAttribute
        }
        _ => FilterKind::Unknown,
    }
}

/// The argument naming the attribute a Jinja2 filter reads of each item: `Some(None)`
/// when it is not a string.
fn attribute_arg(filter: &Filter) -> Option<Option<String>> {
    let (_, position) = ATTRIBUTE_AT.iter().find(|(n, _)| *n == filter.name)?;
    let keyword = filter
        .args
        .iter()
        .find(|a| a.name.as_ref().is_some_and(|n| n.name == "attribute"));
    let positional =
        position.and_then(|at| filter.args.iter().filter(|a| a.name.is_none()).nth(at));
    let arg = keyword.or(positional)?;
    Some(match &arg.value.value {
        Value::String { value, .. } if arg.value.filters.is_empty() => Some(value.clone()),
        _ => None,
    })
}

/// The path a filter reads on each item of its value: `dictsort:"author.name"` in
/// Django, the attribute of `map(attribute="author.name")`, `selectattr("active")`,
/// `sort(attribute=...)`, `groupby(...)` in Jinja2.
pub fn row_path(dialect: Dialect, filter: &Filter) -> Option<Vec<Step>> {
    let (key, called) = match dialect {
        Dialect::Django if filter.name.starts_with("dictsort") => match &filter.arg {
            Some(Value::String { value, .. }) => (value.clone(), Called::IfCallable),
            _ => return None,
        },
        Dialect::Django => return None,
        // Jinja2's attribute getter looks each part up without calling it.
        Dialect::Jinja2 => (attribute_arg(filter)??, Called::No),
    };
    Some(key.split('.').map(|name| Step::new(name, called)).collect())
}
