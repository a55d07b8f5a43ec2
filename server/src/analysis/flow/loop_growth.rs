//! Whether a loop runs a number of times that grows with the data: over rows of a
//! queryset, over a function's parameter, over what a request carries, or over what is
//! built from these. A loop over a literal, a `range` of a constant or a constant slice
//! runs a fixed number of times; a loop over anything the analysis cannot trace is not
//! shown to grow. ORM103 (reads in a loop) and ORM401-403 (writes in a loop) ask it.

use tree_sitter::Node;

use crate::syntax::fields::FIELDS;
use crate::syntax::node::{call_args, descendants, dotted_name, parameter_names, text};

use super::callers::enclosing_function;

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
    /// A value that does not grow (a constant), or a function of the module (so a
    /// call of it is not the builtin of that name).
    Fixed,
}

/// What the caller knows: `rows` whether an expression holds rows of a queryset (its
/// values, `values()` and `values_list()` included), `name` what it knows of a name
/// (`None`: nothing, so the name's assignments are read).
pub struct Facts<'f, 't> {
    pub rows: &'f mut dyn FnMut(Node<'t>) -> bool,
    pub name: &'f dyn Fn(&str) -> Option<Known>,
}

/// How many assignments and wrappers are followed back from the iterated expression.
const MAX_STEPS: usize = 6;

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
    "copy",
    "all",
    "filter",
    "exclude",
    "order_by",
    "distinct",
    "values_list",
    "iterator",
];

/// Builtins whose result has as many items as their first positional argument.
const PASS_FIRST: &[&str] = &[
    "list",
    "tuple",
    "set",
    "frozenset",
    "sorted",
    "reversed",
    "enumerate",
    "iter",
    "len",
];

/// The loop over `iter` (a `for` statement's or a comprehension's iterated expression)
/// runs once per item of data that can grow and is not sliced to a constant.
pub fn grows_with_data<'t>(iter: Node<'t>, src: &str, facts: &mut Facts<'_, 't>) -> bool {
    let scope = Scope::of(iter, src);
    !scope.bounded(iter, 0) && ((facts.rows)(iter) || scope.grows(iter, facts, 0))
}

/// The loop over `iter` runs at most a constant number of times: its rows are sliced
/// with a literal bound (`qs[:10]`, `list(qs[:2])`, a local name only ever assigned
/// such a slice), however many rows there are.
pub fn bounded_by_constant(iter: Node<'_>, src: &str) -> bool {
    Scope::of(iter, src).bounded(iter, 0)
}

/// The function (or module) whose names the iterated expression reads.
struct Scope<'s, 't> {
    src: &'s str,
    /// The enclosing function; `None` at module level.
    function: Option<Node<'t>>,
    /// The function's body, or the module.
    body: Option<Node<'t>>,
}

impl<'s, 't> Scope<'s, 't> {
    fn of(iter: Node<'t>, src: &'s str) -> Self {
        let function = enclosing_function(iter);
        let body = match function {
            Some(function) => function.child_by_field_id(FIELDS.body),
            None => module_of(iter),
        };
        Scope {
            src,
            function,
            body,
        }
    }

    fn bounded(&self, expr: Node<'t>, steps: usize) -> bool {
        if steps > MAX_STEPS {
            return false;
        }
        match expr.kind() {
            "subscript" => constant_slice(expr),
            "call" => {
                let wrapper = expr.child_by_field_id(FIELDS.function).is_some_and(|c| {
                    c.kind() == "identifier"
                        && matches!(
                            text(c, self.src),
                            "enumerate" | "list" | "sorted" | "reversed" | "tuple"
                        )
                });
                wrapper
                    && call_args(expr, self.src)
                        .positional
                        .first()
                        .is_some_and(|arg| self.bounded(*arg, steps + 1))
            }
            "identifier" => match self.assigned_values(text(expr, self.src)) {
                Some(values) if !values.is_empty() => {
                    values.iter().all(|value| self.bounded(*value, steps + 1))
                }
                _ => false,
            },
            _ => false,
        }
    }

    fn grows(&self, expr: Node<'t>, facts: &mut Facts<'_, 't>, steps: usize) -> bool {
        if steps > MAX_STEPS {
            return false;
        }
        match expr.kind() {
            "list"
            | "tuple"
            | "set"
            | "dictionary"
            | "string"
            | "concatenated_string"
            | "integer"
            | "float"
            | "true"
            | "false"
            | "none" => false,
            "parenthesized_expression" => expr
                .named_child(0)
                .is_some_and(|inner| self.grows(inner, facts, steps + 1)),
            "list_comprehension"
            | "set_comprehension"
            | "generator_expression"
            | "dictionary_comprehension" => {
                let mut cursor = expr.walk();
                let clauses: Vec<Node<'t>> = expr
                    .named_children(&mut cursor)
                    .filter(|n| n.kind() == "for_in_clause")
                    .collect();
                clauses.into_iter().any(|clause| {
                    clause
                        .child_by_field_id(FIELDS.right)
                        .is_some_and(|right| self.grows(right, facts, steps + 1))
                })
            }
            _ if (facts.rows)(expr) => true,
            _ if from_request(expr, self.src) => true,
            "identifier" => self.name_grows(text(expr, self.src), facts, steps),
            // A model's manager (`Post.objects`); any other attribute (`item.reads`, a
            // property) may hold anything.
            "attribute" => match dotted_name(expr, self.src).as_deref() {
                Some([model, manager]) => {
                    (facts.name)(model) == Some(Known::Model)
                        && (facts.name)(&format!("{model}.{manager}")) == Some(Known::Grows)
                }
                _ => false,
            },
            // `rows[1:]`: a slice with no constant end has as many items as what it is
            // taken of; an index (`rows[0]`, `options["x"]`) is one value, unknown.
            "subscript" => {
                expr.child_by_field_id(FIELDS.subscript)
                    .is_some_and(|s| s.kind() == "slice")
                    && !constant_slice(expr)
                    && expr
                        .child_by_field_id(FIELDS.value)
                        .is_some_and(|value| self.grows(value, facts, steps + 1))
            }
            "call" => self.call_grows(expr, facts, steps),
            "binary_operator" => {
                let operator = expr
                    .child_by_field_id(FIELDS.operator)
                    .map_or("", |o| text(o, self.src));
                let mut side = |field| {
                    expr.child_by_field_id(field)
                        .is_some_and(|side| self.grows(side, facts, steps + 1))
                };
                match operator {
                    // `a - b` has at most the items of `a`, `a & b` those of both.
                    "-" => side(FIELDS.left),
                    "&" => side(FIELDS.left) && side(FIELDS.right),
                    _ => side(FIELDS.left) || side(FIELDS.right),
                }
            }
            "conditional_expression" => [0, 2].iter().any(|i| {
                expr.named_child(*i)
                    .is_some_and(|branch| self.grows(branch, facts, steps + 1))
            }),
            _ => false,
        }
    }

    /// `list(rows)`, `range(len(ids))`, `ids.split(",")`, `qs.values_list("id")`: as
    /// many items as what they are given or called on; any other call (a method of the
    /// project, `item.get_reads()`) is unknown.
    fn call_grows(&self, call: Node<'t>, facts: &mut Facts<'_, 't>, steps: usize) -> bool {
        let Some(callee) = call.child_by_field_id(FIELDS.function) else {
            return false;
        };
        let args = call_args(call, self.src);
        match callee.kind() {
            "identifier" => {
                let name = text(callee, self.src);
                // A local function of the same name is not the builtin.
                if (facts.name)(name).is_some() {
                    return false;
                }
                let mut items = args.positional.iter().copied();
                match name {
                    // `range(n)` grows with its bounds.
                    "range" => items.any(|arg| self.grows(arg, facts, steps + 1)),
                    // `zip` stops at its shortest argument.
                    "zip" => {
                        !args.positional.is_empty()
                            && items.all(|arg| self.grows(arg, facts, steps + 1))
                    }
                    "map" | "filter" => items.skip(1).any(|arg| self.grows(arg, facts, steps + 1)),
                    _ if PASS_FIRST.contains(&name) => items
                        .next()
                        .is_some_and(|arg| self.grows(arg, facts, steps + 1)),
                    _ => false,
                }
            }
            "attribute" => {
                let method = callee
                    .child_by_field_id(FIELDS.attribute)
                    .map_or("", |m| text(m, self.src));
                let Some(object) = callee.child_by_field_id(FIELDS.object) else {
                    return false;
                };
                let dict_of_parameter = matches!(method, "items" | "keys" | "values")
                    && object.kind() == "identifier"
                    && self.is_parameter(text(object, self.src), facts);
                PASS_METHODS.contains(&method)
                    && !dict_of_parameter
                    && self.grows(object, facts, steps + 1)
            }
            _ => false,
        }
    }

    /// What the caller knows of `name`; else a parameter the function never rebinds,
    /// or a name every binding of which is a plain assignment of growing data.
    fn name_grows(&self, name: &str, facts: &mut Facts<'_, 't>, steps: usize) -> bool {
        match (facts.name)(name) {
            Some(Known::Grows) => return true,
            Some(Known::Fixed | Known::Model) => return false,
            Some(Known::Parameter) | None => {}
        }
        let Some(values) = self.assigned_values(name) else {
            return false;
        };
        if self.is_parameter(name, facts) {
            return values.is_empty();
        }
        !values.is_empty()
            && values
                .into_iter()
                .all(|value| self.grows(value, facts, steps + 1))
    }

    fn is_parameter(&self, name: &str, facts: &Facts<'_, 't>) -> bool {
        if matches!(name, "self" | "cls") {
            return false;
        }
        (facts.name)(name) == Some(Known::Parameter)
            || self.function.is_some_and(|function| {
                parameter_names(function, self.src)
                    .into_iter()
                    .flatten()
                    .any(|p| p == name)
            })
    }

    /// The values of every plain `name = value` in the scope (nested functions and
    /// classes left out); `None` when `name` is also bound otherwise (a loop target,
    /// `+=`, a `with ... as`, a tuple assignment).
    fn assigned_values(&self, name: &str) -> Option<Vec<Node<'t>>> {
        let Some(body) = self.body else {
            return Some(Vec::new());
        };
        let mut values = Vec::new();
        for node in descendants(body) {
            if node.kind() != "identifier" || text(node, self.src) != name {
                continue;
            }
            if inside_nested_scope(node, body) {
                continue;
            }
            let Some(parent) = node.parent() else {
                continue;
            };
            let binds = match parent.kind() {
                "assignment" | "augmented_assignment" => {
                    parent.child_by_field_id(FIELDS.left) == Some(node)
                }
                "pattern_list" | "tuple_pattern" | "as_pattern_target" | "for_in_clause"
                | "for_statement" => parent.child_by_field_id(FIELDS.right) != Some(node),
                _ => false,
            };
            if !binds {
                continue;
            }
            match (parent.kind(), parent.child_by_field_id(FIELDS.right)) {
                ("assignment", Some(value)) => values.push(value),
                _ => return None,
            }
        }
        Some(values)
    }
}

/// The module `node` is written in.
fn module_of(node: Node<'_>) -> Option<Node<'_>> {
    let mut current = node;
    while let Some(parent) = current.parent() {
        current = parent;
    }
    (current.kind() == "module").then_some(current)
}

/// `request.POST`, `self.request.data["items"]`, `request.POST.getlist("ids")`,
/// `form.cleaned_data["tags"]`, `serializer.validated_data`: data a request brought.
fn from_request(expr: Node<'_>, src: &str) -> bool {
    let mut names = Vec::new();
    let mut current = expr;
    loop {
        match current.kind() {
            "attribute" => {
                if let Some(attr) = current.child_by_field_id(FIELDS.attribute) {
                    names.push(text(attr, src));
                }
                match current.child_by_field_id(FIELDS.object) {
                    Some(object) => current = object,
                    None => return false,
                }
            }
            "subscript" => match current.child_by_field_id(FIELDS.value) {
                Some(value) => current = value,
                None => return false,
            },
            "call" => match current.child_by_field_id(FIELDS.function) {
                Some(function) => current = function,
                None => return false,
            },
            "identifier" => {
                names.push(text(current, src));
                break;
            }
            _ => return false,
        }
    }
    names.reverse();
    let request_data = |name: &&str| {
        matches!(
            *name,
            "POST" | "GET" | "FILES" | "data" | "query_params" | "body"
        )
    };
    match names.as_slice() {
        ["request", data, ..] | ["self", "request", data, ..] => request_data(data),
        [_, "cleaned_data" | "validated_data", ..] => true,
        _ => false,
    }
}

/// `rows[:10]`, `qs.all()[5:20]`: at most a constant number of items.
fn constant_slice(node: Node<'_>) -> bool {
    node.kind() == "subscript"
        && node
            .child_by_field_id(FIELDS.subscript)
            .is_some_and(|s| s.kind() == "slice" && constant_stop(s))
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

fn inside_nested_scope(node: Node<'_>, body: Node<'_>) -> bool {
    let mut current = node.parent();
    while let Some(n) = current {
        if n == body {
            return false;
        }
        if matches!(
            n.kind(),
            "function_definition" | "lambda" | "class_definition"
        ) {
            return true;
        }
        current = n.parent();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::SourceFile;

    /// The iterated expression of the first `for` in `code`.
    fn first_loop<'t>(root: Node<'t>) -> Node<'t> {
        let stmt = descendants(root)
            .find(|n| n.kind() == "for_statement")
            .unwrap();
        stmt.child_by_field_id(FIELDS.right).unwrap()
    }

    /// Whether the first `for` of `code` grows: `rows` and `request` are known to grow,
    /// `item` and `data` to be parameters, `FIELDS` fixed, `Post` a model.
    fn grows(code: &str) -> bool {
        let file = SourceFile::new("t.py".into(), code);
        let tree = file.tree();
        let iter = first_loop(tree.root_node());
        let known = |name: &str| match name {
            "rows" | "request" | "Post.objects" => Some(Known::Grows),
            "item" | "data" => Some(Known::Parameter),
            "FIELDS" => Some(Known::Fixed),
            "Post" => Some(Known::Model),
            _ => None,
        };
        let mut facts = Facts {
            rows: &mut |_| false,
            name: &known,
        };
        grows_with_data(iter, &file.source, &mut facts)
    }

    fn bounded(code: &str) -> bool {
        let file = SourceFile::new("t.py".into(), code);
        let tree = file.tree();
        bounded_by_constant(first_loop(tree.root_node()), &file.source)
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
        assert!(grows("for t in form.cleaned_data['tags']: pass"));
        assert!(grows("for a, b in zip(rows, rows[1:]): pass"));
        assert!(grows("for r in rows + extra: pass"));
        assert!(grows("for r in set(rows) - done: pass"));
        assert!(grows("for i in range(len(rows) - 1): pass"));
        assert!(grows("for r in (rows if x else []): pass"));
        assert!(grows("for r in map(str, rows): pass"));
        assert!(grows("def f(items):\n    for i in items: pass"));
        assert!(grows(
            "ids = rows\nids = [r.id for r in rows]\nfor i in ids: pass"
        ));
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
        // A parameter grows; what its attributes, methods and keys hold is unknown.
        assert!(!grows("for r in item.reads: pass"));
        assert!(!grows("for r in item.get_reads(): pass"));
        assert!(!grows("for k, v in data.items(): pass"));
        assert!(!grows("for k, v in data.get('x').items(): pass"));
        assert!(!grows("for r in data['x']: pass"));
        // One row, not the rows.
        assert!(!grows("for f in rows[0]: pass"));
        // `zip` stops at its shortest argument.
        assert!(!grows("for a, b in zip(rows, FIELDS): pass"));
        // A difference has at most the items of its left side, an intersection those
        // of its smaller side.
        assert!(!grows("for r in done - set(rows): pass"));
        assert!(!grows("for r in set(rows) & done: pass"));
        // What the request carries besides its data.
        assert!(!grows("for g in request.user.groups: pass"));
        // A parameter rebound, a name bound by a loop or `+=`.
        assert!(!grows(
            "def f(items):\n    items = [1]\n    for i in items: pass"
        ));
        assert!(!grows("ids = rows\nids += [1]\nfor i in ids: pass"));
        assert!(!grows(
            "if x:\n    for i in ids: pass\nids = rows\nfor ids in rows: pass"
        ));
        // An assignment in a nested function is another name.
        assert!(!grows("def g():\n    ids = rows\nfor i in ids: pass"));
        // A local `list` is not the builtin.
        assert!(!grows("for r in FIELDS(rows): pass"));
    }

    #[test]
    fn constant_slices_bound_a_loop() {
        assert!(bounded("for r in rows[:10]: pass"));
        assert!(bounded("for r in qs.all()[5:20]: pass"));
        assert!(bounded("for i, r in enumerate(list(rows[:2])): pass"));
        assert!(bounded("top = rows[:5]\nfor r in top: pass"));
        assert!(!bounded("for r in rows: pass"));
        assert!(!bounded("for r in rows[1:]: pass"));
        assert!(!bounded("for r in rows[:n]: pass"));
        assert!(!bounded("for r in rows[::2]: pass"));
        assert!(!bounded("top = rows[:5]\ntop = rows\nfor r in top: pass"));
        assert!(!bounded("for r in helper(rows[:5]): pass"));
    }
}
