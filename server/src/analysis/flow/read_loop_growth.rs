//! Whether a loop runs a number of times that grows with the data: over rows, a
//! function's parameters, what a request carries, a queryset's values, or what is built
//! from them; not over a literal, a `range()` of a constant or a constant slice.
//!
//! Written over syntax alone, with the caller saying what it knows of a name (the
//! walker: rows, the request, a parameter). ORM103 asks it; the write rules ask
//! `loop_growth`, built at the same time: the two answer one question and are to become
//! one.

use tree_sitter::Node;

use crate::syntax::fields::FIELDS;
use crate::syntax::node::{call_args, descendants, text};

/// What the caller knows of a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Known {
    /// Rows, a queryset, the request: data that grows.
    Grows,
    /// A parameter of the function: data that grows, unless it is read as a dict
    /// (`options.items()`), which is as often a fixed set of settings.
    Parameter,
    /// A model class: its managers (`Post.objects`, which the caller knows as
    /// `Some(Grows)` by their dotted name) are rows; its other attributes
    /// (`Post.STATUSES`) are not known.
    Model,
    /// A value that does not grow (a constant).
    Fixed,
}

/// How many names and calls deep an iterable is followed to where its data comes from.
const MAX_DEPTH: usize = 4;

/// The loop over `iter` (written in `src`, inside `scope`, the function body or module)
/// runs a number of times that grows with the data. `rows`: the caller knows `iter` is
/// rows or a queryset, which grow unless sliced to a constant. `known` says what the
/// caller knows of a name; `None` sends the question to the name's assignments in
/// `scope`, which must all grow. Anything else is unknown: `false`.
pub fn iterates_growing_data(
    iter: Node<'_>,
    src: &str,
    scope: Node<'_>,
    rows: bool,
    known: &dyn Fn(&str) -> Option<Known>,
) -> bool {
    let growth = Growth { src, scope, known };
    if growth.bounded(iter, 0) {
        return false;
    }
    rows || growth.grows(iter, 0)
}

/// `rows[:10]`, `qs.all()[5:20]`: at most a constant number of items.
fn constant_slice(node: Node<'_>) -> bool {
    node.kind() == "subscript"
        && node
            .child_by_field_id(FIELDS.subscript)
            .is_some_and(|s| s.kind() == "slice" && constant_stop(s))
}

struct Growth<'s, 't> {
    src: &'s str,
    scope: Node<'t>,
    known: &'s dyn Fn(&str) -> Option<Known>,
}

/// Methods of dicts, lists, strings, query dicts and querysets whose result has as many
/// items as what they are called on.
const PASS_METHODS: &[&str] = &[
    "items",
    "values",
    "keys",
    "lists",
    "split",
    "splitlines",
    "getlist",
    "get",
    "copy",
    "all",
    "filter",
    "exclude",
    "order_by",
    "distinct",
    "values_list",
    "iterator",
];

/// Builtins whose result has as many items as their positional arguments.
const PASS_ITEMS: &[&str] = &[
    "list",
    "tuple",
    "set",
    "frozenset",
    "sorted",
    "reversed",
    "enumerate",
    "iter",
    "zip",
    "len",
    "range",
];

impl Growth<'_, '_> {
    /// At most a constant number of items: a constant slice, or a name every
    /// assignment in the scope gives one (`posts = qs[:5]`).
    fn bounded(&self, node: Node<'_>, depth: usize) -> bool {
        if constant_slice(node) {
            return true;
        }
        if node.kind() != "identifier" || depth > MAX_DEPTH {
            return false;
        }
        let name = text(node, self.src);
        let mut assigned = self.assignments(name).peekable();
        assigned.peek().is_some() && assigned.all(|right| self.bounded(right, depth + 1))
    }

    /// The values every `name = value` in the scope assigns.
    fn assignments<'n>(&'n self, name: &'n str) -> impl Iterator<Item = Node<'n>> + 'n {
        descendants(self.scope)
            .filter(|n| n.kind() == "assignment")
            .filter(move |n| {
                n.child_by_field_id(FIELDS.left)
                    .is_some_and(|l| l.kind() == "identifier" && text(l, self.src) == name)
            })
            .filter_map(|n| n.child_by_field_id(FIELDS.right))
    }

    fn grows(&self, node: Node<'_>, depth: usize) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        match node.kind() {
            "parenthesized_expression" => node
                .named_child(0)
                .is_some_and(|inner| self.grows(inner, depth)),
            "identifier" => self.name_grows(text(node, self.src), depth),
            // `request.POST`, `self.request.GET`: what a request carries; a model's
            // manager. Any other attribute (`item.reads`, a property) may hold anything.
            "attribute" => {
                let names = attribute_names(node, self.src);
                names.first() == Some(&"request")
                    || names.get(..2) == Some(&["self", "request"][..])
                    || names.len() == 2
                        && (self.known)(names[0]) == Some(Known::Model)
                        && (self.known)(&names.join(".")) == Some(Known::Grows)
            }
            "subscript" => {
                !constant_slice(node)
                    && node
                        .child_by_field_id(FIELDS.value)
                        .is_some_and(|value| self.grows(value, depth + 1))
            }
            "call" => self.call_grows(node, depth),
            "list_comprehension"
            | "set_comprehension"
            | "generator_expression"
            | "dictionary_comprehension" => {
                let mut cursor = node.walk();
                let first = node
                    .named_children(&mut cursor)
                    .find(|c| c.kind() == "for_in_clause");
                first
                    .and_then(|clause| clause.child_by_field_id(FIELDS.right))
                    .is_some_and(|right| self.grows(right, depth + 1))
            }
            "binary_operator" => [FIELDS.left, FIELDS.right].iter().any(|field| {
                node.child_by_field_id(*field)
                    .is_some_and(|side| self.grows(side, depth + 1))
            }),
            "conditional_expression" => [0, 2].iter().any(|i| {
                node.named_child(*i)
                    .is_some_and(|branch| self.grows(branch, depth + 1))
            }),
            // Literals: as many items as written.
            _ => false,
        }
    }

    /// `list(rows)`, `range(len(ids))`, `ids.split(",")`, `qs.values_list("id")`: as
    /// many items as what they are given or called on; any other call (a method of the
    /// project, `item.get_reads()`) is unknown.
    fn call_grows(&self, call: Node<'_>, depth: usize) -> bool {
        let Some(function) = call.child_by_field_id(FIELDS.function) else {
            return false;
        };
        let args = call_args(call, self.src);
        match function.kind() {
            "identifier" => {
                let name = text(function, self.src);
                // A local function of the same name is not the builtin.
                if (self.known)(name).is_some() {
                    return false;
                }
                let items: &[Node<'_>] = match name {
                    _ if PASS_ITEMS.contains(&name) => &args.positional,
                    "map" | "filter" => args.positional.get(1..).unwrap_or_default(),
                    _ => return false,
                };
                items.iter().any(|arg| self.grows(*arg, depth + 1))
            }
            "attribute" => {
                let method = function
                    .child_by_field_id(FIELDS.attribute)
                    .map(|m| text(m, self.src));
                let Some(object) = function.child_by_field_id(FIELDS.object) else {
                    return false;
                };
                let dict_of_parameter = matches!(method, Some("items" | "keys" | "values"))
                    && object.kind() == "identifier"
                    && (self.known)(text(object, self.src)) == Some(Known::Parameter);
                method.is_some_and(|m| PASS_METHODS.contains(&m))
                    && !dict_of_parameter
                    && self.grows(object, depth + 1)
            }
            _ => false,
        }
    }

    /// What the caller knows of `name`, else what every assignment of it in the scope
    /// is given.
    fn name_grows(&self, name: &str, depth: usize) -> bool {
        if let Some(known) = (self.known)(name) {
            return matches!(known, Known::Grows | Known::Parameter);
        }
        let mut assigned = self.assignments(name).peekable();
        assigned.peek().is_some() && assigned.all(|right| self.grows(right, depth + 1))
    }
}

/// `a.b.c` as its names; an attribute of anything else ends at that thing.
fn attribute_names<'s>(node: Node<'_>, src: &'s str) -> Vec<&'s str> {
    let mut names = Vec::new();
    let mut current = node;
    while current.kind() == "attribute" {
        if let Some(attr) = current.child_by_field_id(FIELDS.attribute) {
            names.push(text(attr, src));
        }
        match current.child_by_field_id(FIELDS.object) {
            Some(object) => current = object,
            None => break,
        }
    }
    if current.kind() == "identifier" {
        names.push(text(current, src));
    }
    names.reverse();
    names
}

/// `[:10]`, `[5:20]`: a slice whose end is a number, so at most that many items.
fn constant_stop(slice: Node<'_>) -> bool {
    // The named children of `a:b` are the bounds; `[:n]` has `n` alone, after the colon.
    let mut cursor = slice.walk();
    let mut after_colon = false;
    let mut stop = None;
    for child in slice.children(&mut cursor) {
        match child.kind() {
            ":" if after_colon => break,
            ":" => after_colon = true,
            _ if after_colon && child.is_named() => stop = Some(child),
            _ => {}
        }
    }
    stop.is_some_and(|s| s.kind() == "integer")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::SourceFile;

    /// Whether the first `for` of `code` iterates growing data, `rows` and `request`
    /// being known to grow and `FIELDS` known not to.
    fn grows(code: &str) -> bool {
        let file = SourceFile::new("t.py".into(), code);
        let tree = file.tree();
        let root = tree.root_node();
        let stmt = descendants(root)
            .find(|n| n.kind() == "for_statement")
            .unwrap();
        let iter = stmt.child_by_field_id(FIELDS.right).unwrap();
        let known = |name: &str| match name {
            "rows" | "request" => Some(Known::Grows),
            "item" | "data" => Some(Known::Parameter),
            "FIELDS" => Some(Known::Fixed),
            "Post" => Some(Known::Model),
            "Post.objects" => Some(Known::Grows),
            _ => None,
        };
        iterates_growing_data(iter, &file.source, root, false, &known)
    }

    #[test]
    fn rows_and_what_is_built_from_them_grow() {
        assert!(grows("for r in rows: pass"));
        assert!(grows("for i, r in enumerate(rows): pass"));
        assert!(grows("for r in sorted(rows, key=k): pass"));
        assert!(grows("for i in range(len(rows)): pass"));
        assert!(grows("for k, v in rows.items(): pass"));
        assert!(grows(
            "ids = list(Post.objects.values_list('id'))\nfor i in ids: pass"
        ));
        assert!(grows("for r in rows[1:]: pass"));
        assert!(grows("for r in [x.id for x in rows]: pass"));
        assert!(grows("ids = [x.id for x in rows]\nfor i in ids: pass"));
        assert!(grows("for i in request.POST.getlist('ids'): pass"));
        assert!(grows(
            "ids = request.GET['ids'].split(',')\nfor i in ids: pass"
        ));
        assert!(grows("for i in self.request.data: pass"));
        assert!(grows("for a, b in zip(rows, other): pass"));
    }

    #[test]
    fn literals_constants_and_unknowns_do_not() {
        assert!(!grows("for r in [1, 2, 3]: pass"));
        assert!(!grows("for r in ('a', 'b'): pass"));
        assert!(!grows("for i in range(10): pass"));
        assert!(!grows("for f in FIELDS: pass"));
        assert!(!grows("for r in rows[:10]: pass"));
        assert!(!grows("top = rows[:10]\nfor r in top: pass"));
        assert!(!grows("for p in Post: pass"));
        assert!(!grows("for e in Post.EVENTS: pass"));
        assert!(!grows("for r in other: pass"));
        assert!(!grows("for r in helper(rows): pass"));
        assert!(!grows("ids = [1, 2]\nfor i in ids: pass"));
        assert!(!grows("ids = [1, 2]\nids = rows\nfor i in ids: pass"));
        assert!(!grows("for c in 'abc': pass"));
        // `item` grows (a parameter), what its attributes and methods hold is unknown.
        assert!(!grows("for r in item.reads: pass"));
        assert!(!grows("for r in item.get_reads(): pass"));
        assert!(grows("for k, v in data.get('x').items(): pass"));
        assert!(grows("for k, v in rows.items(): pass"));
        assert!(grows(
            "ids = list(Post.objects.values_list('id'))\nfor i in ids: pass"
        ));
        assert!(!grows("for k, v in data.items(): pass"));
    }
}
