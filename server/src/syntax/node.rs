//! Small helpers over tree-sitter nodes of the Python grammar.

use super::fields::FIELDS;
use tree_sitter::Node;

/// The first syntax error under `root` in document order: an ERROR node or a MISSING
/// token. Only subtrees that hold an error are entered.
pub fn first_error(root: Node<'_>) -> Option<Node<'_>> {
    if !root.has_error() {
        return None;
    }
    let mut node = root;
    'descend: loop {
        if node.is_error() || node.is_missing() {
            return Some(node);
        }
        let mut cursor = node.walk();
        for child in node.children(&mut cursor) {
            if child.has_error() {
                node = child;
                continue 'descend;
            }
        }
        return Some(node);
    }
}

pub fn text<'s>(node: Node<'_>, source: &'s str) -> &'s str {
    source.get(node.byte_range()).unwrap_or("")
}

/// The value of a plain string literal (`"x"`, `'x'`, no f-string, no implicit
/// concatenation), without quotes or prefix.
pub fn string_value<'s>(node: Node<'_>, source: &'s str) -> Option<&'s str> {
    if node.kind() != "string" {
        return None;
    }
    let mut cursor = node.walk();
    let mut content = None;
    for child in node.named_children(&mut cursor) {
        match child.kind() {
            "string_start" => {
                let start = text(child, source);
                if start.contains(['f', 'F', 'b', 'B']) {
                    return None;
                }
            }
            "string_content" => content = Some(text(child, source)),
            "string_end" => {}
            _ => return None,
        }
    }
    Some(content.unwrap_or(""))
}

/// The keys of a dict literal whose keys are all plain strings (`{"a": x, 'b': y}`);
/// `None` for anything else (a name, a `**splat`, a computed key).
pub fn dict_string_keys(node: Node<'_>, source: &str) -> Option<Vec<String>> {
    let items = dict_string_items(node, source)?;
    Some(items.into_iter().map(|(key, _)| key).collect())
}

/// The keys and values of a dict literal whose keys are all string literals; `None`
/// for anything else (a `**` spread, a computed key).
pub fn dict_string_items<'t>(node: Node<'t>, source: &str) -> Option<Vec<(String, Node<'t>)>> {
    if node.kind() != "dictionary" {
        return None;
    }
    let mut cursor = node.walk();
    let mut items = Vec::new();
    for child in node.named_children(&mut cursor) {
        match child.kind() {
            "pair" => {
                let key = child.child_by_field_name("key")?;
                let value = child.child_by_field_name("value")?;
                items.push((string_value(key, source)?.to_string(), value));
            }
            "comment" => {}
            _ => return None,
        }
    }
    Some(items)
}

/// The quote a string literal uses (`"` or `'`), to write new strings the same way.
pub fn quote_of(node: Node<'_>, source: &str) -> Option<char> {
    let start = node.child(0).filter(|c| c.kind() == "string_start")?;
    text(start, source)
        .chars()
        .find(|c| *c == '"' || *c == '\'')
}

/// `a.b.c` as ["a", "b", "c"] when the expression is only identifiers and attributes.
pub fn dotted_name(node: Node<'_>, source: &str) -> Option<Vec<String>> {
    match node.kind() {
        "identifier" => Some(vec![text(node, source).to_string()]),
        "attribute" => {
            let mut base = dotted_name(node.child_by_field_id(FIELDS.object)?, source)?;
            base.push(text(node.child_by_field_id(FIELDS.attribute)?, source).to_string());
            Some(base)
        }
        _ => None,
    }
}

/// The bases of `class` as written, `object` left out, a generic alias (`Base[T]`) as
/// the class it aliases (subclassing one subclasses its class); `None` when one is not
/// a dotted name (`metaclass=...`, `make_base()`: whatever they add is not read).
pub fn written_bases(class: Node<'_>, src: &str) -> Option<Vec<Vec<String>>> {
    let Some(bases) = class.child_by_field_id(FIELDS.superclasses) else {
        return Some(Vec::new());
    };
    let mut cursor = bases.walk();
    let mut written = Vec::new();
    for node in bases.named_children(&mut cursor) {
        let named = match node.kind() {
            "subscript" => node.child_by_field_id(FIELDS.value)?,
            _ => node,
        };
        match dotted_name(named, src)? {
            dotted if dotted == ["object"] => {}
            dotted => written.push(dotted),
        }
    }
    Some(written)
}

/// The parameters of a function definition, in order, as written (`identifier`,
/// `typed_parameter`, `default_parameter`, splats).
pub fn parameters(def: Node<'_>) -> Vec<Node<'_>> {
    let Some(params) = def.child_by_field_id(FIELDS.parameters) else {
        return Vec::new();
    };
    let mut cursor = params.walk();
    params.named_children(&mut cursor).collect()
}

/// The name of each parameter of a function definition, in order; `None` for one
/// without a plain name (`*args`, `**kwargs`, the `/` and `*` markers).
pub fn parameter_names<'s>(def: Node<'_>, source: &'s str) -> Vec<Option<&'s str>> {
    parameters(def)
        .into_iter()
        .map(|param| {
            let ident = match param.kind() {
                "identifier" => Some(param),
                "typed_parameter" => param.named_child(0),
                "default_parameter" | "typed_default_parameter" => {
                    param.child_by_field_id(FIELDS.name)
                }
                _ => None,
            };
            ident
                .filter(|i| i.kind() == "identifier")
                .map(|i| text(i, source))
        })
        .collect()
}

/// The target and value of a statement that is one plain assignment (`x = 1`,
/// `self.rows = qs`).
pub fn assignment_sides(stmt: Node<'_>) -> Option<(Node<'_>, Node<'_>)> {
    if stmt.kind() != "expression_statement" {
        return None;
    }
    let assign = stmt.named_child(0).filter(|n| n.kind() == "assignment")?;
    Some((
        assign.child_by_field_id(FIELDS.left)?,
        assign.child_by_field_id(FIELDS.right)?,
    ))
}

/// Positional arguments and keyword arguments of a `call` node (none: a property read).
#[derive(Default)]
pub struct CallArgs<'t> {
    pub positional: Vec<Node<'t>>,
    pub keywords: Vec<(String, Node<'t>)>,
    /// `*args` or `**kwargs` present: the call may pass anything.
    pub has_splat: bool,
}

impl<'t> CallArgs<'t> {
    pub fn keyword(&self, name: &str) -> Option<Node<'t>> {
        self.keywords
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| *v)
    }
}

pub fn call_args<'t>(call: Node<'t>, source: &str) -> CallArgs<'t> {
    let mut args = CallArgs {
        positional: Vec::new(),
        keywords: Vec::new(),
        has_splat: false,
    };
    let Some(list) = call.child_by_field_id(FIELDS.arguments) else {
        return args;
    };
    // `f(x for x in y)`: the generator is the only argument.
    if list.kind() == "generator_expression" {
        args.positional.push(list);
        return args;
    }
    let mut cursor = list.walk();
    for child in list.named_children(&mut cursor) {
        match child.kind() {
            "keyword_argument" => {
                if let (Some(name), Some(value)) = (
                    child.child_by_field_id(FIELDS.name),
                    child.child_by_field_id(FIELDS.value),
                ) {
                    args.keywords.push((text(name, source).to_string(), value));
                }
            }
            "list_splat" | "dictionary_splat" => args.has_splat = true,
            "comment" => {}
            _ => args.positional.push(child),
        }
    }
    args
}

/// Walks `node` and every descendant, depth first, in source order.
pub fn descendants<'t>(node: Node<'t>) -> impl Iterator<Item = Node<'t>> {
    let mut cursor = node.walk();
    let mut done = false;
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        let current = cursor.node();
        if cursor.goto_first_child() {
            return Some(current);
        }
        loop {
            if cursor.node() == node {
                done = true;
                return Some(current);
            }
            if cursor.goto_next_sibling() {
                return Some(current);
            }
            if !cursor.goto_parent() {
                done = true;
                return Some(current);
            }
        }
    })
}

/// The class or function a statement defines, under its decorators if it has any.
pub fn undecorated(statement: Node<'_>) -> Node<'_> {
    match statement.kind() {
        "decorated_definition" => statement
            .child_by_field_id(FIELDS.definition)
            .unwrap_or(statement),
        _ => statement,
    }
}

/// The definitions a module-level ERROR node holds whole: the ones before the error,
/// which end where the next statement starts at column 0, and hold no error
/// themselves. A definition cut off by the error is left out: what it lacks could
/// change what it means.
pub fn whole_definitions(error: Node<'_>) -> Vec<Node<'_>> {
    let mut cursor = error.walk();
    let children: Vec<Node<'_>> = error
        .named_children(&mut cursor)
        .filter(|node| !node.is_extra())
        .collect();
    children
        .iter()
        .zip(children.iter().skip(1))
        .filter(|(node, next)| {
            matches!(
                node.kind(),
                "function_definition" | "decorated_definition" | "class_definition"
            ) && !node.has_error()
                && next.kind() != "ERROR"
                && next.start_position().column == 0
        })
        .map(|(node, _)| *node)
        .collect()
}

/// Whether some node under `root` sits more than `limit` levels below it. The walkers
/// recurse on the tree; a file nested deeper than they can go (a chain of 10,000 calls)
/// is refused instead of overflowing the stack. A node with `n` descendants holds at
/// most `n` levels below it (tree-sitter counts them without a walk), so only nodes
/// with about as many descendants as levels are left are entered: a normal file costs
/// a few dozen steps.
pub fn nested_beyond(root: Node<'_>, limit: usize) -> bool {
    let mut cursor = root.walk();
    let mut depth = 0;
    loop {
        let node = cursor.node();
        let fits = depth + node.descendant_count() <= limit;
        if !fits && cursor.goto_first_child() {
            depth += 1;
            if depth > limit {
                return true;
            }
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return false;
            }
            depth -= 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse;

    #[test]
    fn first_error_is_the_earliest_error_or_missing_token() {
        let source = "x = 1\ndef f(:\n    pass\ny = (2\n";
        let tree = parse(source, None);
        let error = first_error(tree.root_node()).unwrap();
        assert_eq!(error.start_position().row, 1);
        assert!(first_error(parse("x = 1\n", None).root_node()).is_none());
    }

    fn first<'t>(node: Node<'t>, kind: &str) -> Node<'t> {
        descendants(node).find(|n| n.kind() == kind).unwrap()
    }

    #[test]
    fn strings_and_names() {
        let src = "x = f(a.b.c, 'q', f\"{x}\", key=\"v\", *rest)";
        let tree = parse(src, None);
        let call = first(tree.root_node(), "call");
        let args = call_args(call, src);
        assert_eq!(args.positional.len(), 3);
        assert!(args.has_splat);
        assert_eq!(
            dotted_name(args.positional[0], src).unwrap(),
            ["a", "b", "c"]
        );
        assert_eq!(string_value(args.positional[1], src), Some("q"));
        assert_eq!(quote_of(args.positional[1], src), Some('\''));
        assert_eq!(string_value(args.positional[2], src), None);
        assert_eq!(string_value(args.keyword("key").unwrap(), src), Some("v"));
    }

    #[test]
    fn descendants_visits_every_node_once() {
        let src = "def f():\n    return g(1)\n";
        let tree = parse(src, None);
        let kinds: Vec<_> = descendants(tree.root_node()).map(|n| n.kind()).collect();
        assert_eq!(kinds.first(), Some(&"module"));
        assert_eq!(kinds.iter().filter(|k| **k == "call").count(), 1);
        assert_eq!(kinds.iter().filter(|k| **k == "integer").count(), 1);
    }
}
