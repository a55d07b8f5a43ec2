//! What Django's built-in filters do with the value they are given. A filter not
//! listed (a custom one, or a newer built-in) is [`FilterKind::Unknown`].

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

pub fn kind(name: &str) -> FilterKind {
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
