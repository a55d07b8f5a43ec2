//! Every use of one name inside a piece of code: attribute chains read from it
//! (`post.author.name`, `post.tags.all()`) and the places it escapes to (`render(post)`).
//!
//! Both the index (what a model method reads from `self`) and the analysis (what a loop
//! body reads from its row) describe code this way, then resolve the chains against models.

use tree_sitter::Node;

use super::fields::FIELDS;
use super::format_strings::{Formatting, formatted};
use super::node::{descendants, dotted_name, text};
use crate::text::TextRange;

#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub name: String,
    /// `.name(...)`: the attribute is called right away.
    pub called: bool,
    /// From the root name to the end of this attribute (`post.author` for `author`),
    /// the call's parentheses excluded.
    pub range: TextRange,
}

#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub enum Use {
    /// `root.a.b(...)...`; `store` when the chain is assigned to (`root.a = 1`, `root.a += 1`);
    /// `formatted` when what it ends with is turned into text (`str(root.a)`).
    Chain {
        segments: Vec<Segment>,
        store: bool,
        formatted: Option<Formatting>,
    },
    /// The bare name passed as an argument: `render(post)`, `self.helper(post, x=1)`.
    Argument {
        callee: Vec<String>,
        position: ArgPosition,
        range: TextRange,
    },
    /// The bare name turned into text: `str(p)`, `repr(p)`, `print(p)`, `format(p)`,
    /// `f"{p}"`, `"%s" % p`, `"{}".format(p)`.
    Formatted(Formatting),
    /// The bare name used any other way (returned, stored, compared, put in a list).
    Other { range: TextRange },
}

impl Use {
    /// Where the name is used.
    pub fn start(&self) -> Option<usize> {
        match self {
            Use::Chain { segments, .. } => segments.first().map(|s| s.range.start),
            Use::Argument { range, .. } | Use::Other { range } => Some(range.start),
            Use::Formatted(formatting) => Some(formatting.range.start),
        }
    }
}

#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub enum ArgPosition {
    Positional(usize),
    Keyword(String),
}

/// Uses of `name` in `scope`, in source order. Nested function and class bodies that
/// rebind `name` as a parameter are skipped; a lambda's or comprehension's own use counts.
pub fn uses_of(scope: Node<'_>, name: &str, source: &str) -> Vec<Use> {
    let mut uses = Vec::new();
    // Where the name's text occurs: subtrees holding none are not entered, so a loop
    // body is walked only along the paths to its variable.
    let text = source.get(scope.byte_range()).unwrap_or("");
    let occurrences: Vec<usize> = text
        .match_indices(name)
        .map(|(at, _)| scope.start_byte() + at)
        .collect();
    if occurrences.is_empty() {
        return uses;
    }
    // Ancestors of the node being visited, `scope` first: tree-sitter finds a node's
    // parent by searching down from the root, so the walk keeps them itself.
    let mut ancestors = Vec::new();
    let walk = Walk {
        name,
        source,
        occurrences: &occurrences,
    };
    walk.visit(scope, &mut ancestors, &mut uses);
    uses
}

struct Walk<'w> {
    name: &'w str,
    source: &'w str,
    /// Sorted byte offsets where `name`'s text starts.
    occurrences: &'w [usize],
}

impl Walk<'_> {
    fn holds_name(&self, node: Node<'_>) -> bool {
        let start = self
            .occurrences
            .partition_point(|&at| at < node.start_byte());
        self.occurrences
            .get(start)
            .is_some_and(|&at| at < node.end_byte())
    }

    fn visit<'t>(&self, node: Node<'t>, ancestors: &mut Vec<Node<'t>>, uses: &mut Vec<Use>) {
        let (name, source) = (self.name, self.source);
        if !self.holds_name(node) {
            return;
        }
        if node.kind() == "identifier" {
            if text(node, source) == name
                && !is_binding_occurrence(node, ancestors.last().copied())
                && !shadowed(ancestors, name, source)
            {
                uses.push(classify(node, ancestors, source));
            }
            return;
        }
        ancestors.push(node);
        let mut cursor = node.walk();
        if cursor.goto_first_child() {
            loop {
                self.visit(cursor.node(), ancestors, uses);
                if !cursor.goto_next_sibling() {
                    break;
                }
            }
        }
        ancestors.pop();
    }
}

/// `ancestors[i]` is the parent of `ancestors[i + 1]`, the last the parent of `root`.
fn classify(root: Node<'_>, ancestors: &[Node<'_>], source: &str) -> Use {
    let mut segments = Vec::new();
    let mut current = root;
    // Index in `ancestors` of `current`'s parent.
    let mut parent_at = ancestors.len().checked_sub(1);
    while let Some(i) = parent_at {
        let parent = ancestors[i];
        if parent.kind() != "attribute" || parent.child_by_field_id(FIELDS.object) != Some(current)
        {
            break;
        }
        let Some(attr) = parent.child_by_field_id(FIELDS.attribute) else {
            break;
        };
        let call = i
            .checked_sub(1)
            .map(|j| ancestors[j])
            .filter(|p| p.kind() == "call" && p.child_by_field_id(FIELDS.function) == Some(parent));
        segments.push(Segment {
            name: text(attr, source).to_string(),
            called: call.is_some(),
            range: TextRange::new(root.start_byte(), parent.end_byte()),
        });
        match call {
            Some(call) => {
                current = call;
                parent_at = i.checked_sub(2);
            }
            None => {
                current = parent;
                parent_at = i.checked_sub(1);
            }
        }
    }
    if !segments.is_empty() {
        let above = parent_at.map_or(&[][..], |i| &ancestors[..=i]);
        if segments.last().is_some_and(|s| s.called)
            && (is_subquery(current, above, source) || is_combined(current, above, source))
        {
            // `Q(id__in=user.blocks.all())` is compiled into the SQL: nothing is fetched
            // from the object but its key, and nothing it has loaded is read.
            return Use::Other {
                range: TextRange::new(root.start_byte(), current.end_byte()),
            };
        }
        let store = is_assignment_target(current, above);
        let formatted = formatted(current, above, source);
        return Use::Chain {
            segments,
            store,
            formatted,
        };
    }
    if let Some(formatting) = formatted(root, ancestors, source) {
        return Use::Formatted(formatting);
    }
    let range = TextRange::of(root);
    if let Some((callee, position)) = argument_of(root, ancestors, source) {
        return Use::Argument {
            callee,
            position,
            range,
        };
    }
    Use::Other { range }
}

/// `node` (whose ancestors end with its parent) is a lookup's subquery: the value of an
/// `__in` keyword argument, or what `Exists()`/`Subquery()` wraps.
fn is_subquery(node: Node<'_>, ancestors: &[Node<'_>], source: &str) -> bool {
    let Some((&parent, rest)) = ancestors.split_last() else {
        return false;
    };
    match parent.kind() {
        "keyword_argument" => {
            parent.child_by_field_id(FIELDS.value) == Some(node)
                && parent
                    .child_by_field_id(FIELDS.name)
                    .is_some_and(|name| text(name, source).ends_with("__in"))
        }
        "argument_list" => rest.last().is_some_and(|call| {
            call.child_by_field_id(FIELDS.function)
                .is_some_and(|function| {
                    let name = text(function, source);
                    let name = name.rsplit('.').next().unwrap_or(name);
                    name == "Exists" || name == "Subquery"
                })
        }),
        _ => false,
    }
}

/// `a.tags.all() | b` (or `&`), or `rows = a.tags.all()` where `rows` is combined so:
/// the queryset becomes part of another one, and fetches nothing itself. Whether the
/// combination is fetched, and how often, is another queryset's story.
fn is_combined(node: Node<'_>, ancestors: &[Node<'_>], source: &str) -> bool {
    let Some((&parent, rest)) = ancestors.split_last() else {
        return false;
    };
    match parent.kind() {
        "binary_operator" => parent
            .child_by_field_id(FIELDS.operator)
            .is_some_and(|op| matches!(text(op, source), "|" | "&")),
        "parenthesized_expression" => is_combined(parent, rest, source),
        "assignment" if parent.child_by_field_id(FIELDS.right) == Some(node) => {
            let Some(name) = parent
                .child_by_field_id(FIELDS.left)
                .filter(|left| left.kind() == "identifier")
            else {
                return false;
            };
            let name = text(name, source);
            // The function holding the assignment, else all the code the uses are read in.
            let scope = rest
                .iter()
                .rev()
                .find(|n| n.kind() == "function_definition")
                .or(ancestors.first())
                .copied()
                .unwrap_or(parent);
            descendants(scope).any(|n| combines(n, name, source))
        }
        _ => false,
    }
}

/// `n` is `name | x`, `x & name` or `name |= x`.
fn combines(n: Node<'_>, name: &str, source: &str) -> bool {
    let operand = |field| {
        n.child_by_field_id(field)
            .is_some_and(|side| side.kind() == "identifier" && text(side, source) == name)
    };
    let operator = n
        .child_by_field_id(FIELDS.operator)
        .map(|op| text(op, source));
    match n.kind() {
        "binary_operator" => {
            matches!(operator, Some("|" | "&")) && (operand(FIELDS.left) || operand(FIELDS.right))
        }
        "augmented_assignment" => matches!(operator, Some("|=" | "&=")) && operand(FIELDS.left),
        _ => false,
    }
}

/// `node` (whose ancestors end with its parent) is what an assignment assigns to.
fn is_assignment_target(node: Node<'_>, ancestors: &[Node<'_>]) -> bool {
    let Some((&parent, rest)) = ancestors.split_last() else {
        return false;
    };
    match parent.kind() {
        "assignment" | "augmented_assignment" => {
            parent.child_by_field_id(FIELDS.left) == Some(node)
        }
        "pattern_list" | "tuple_pattern" | "list_pattern" => is_assignment_target(parent, rest),
        _ => false,
    }
}

fn argument_of(
    node: Node<'_>,
    ancestors: &[Node<'_>],
    source: &str,
) -> Option<(Vec<String>, ArgPosition)> {
    let (&parent, rest) = ancestors.split_last()?;
    let (list_at, position) = match parent.kind() {
        "argument_list" => {
            let mut cursor = parent.walk();
            let index = parent
                .named_children(&mut cursor)
                .filter(|c| c.kind() != "keyword_argument" && c.kind() != "comment")
                .position(|c| c == node)?;
            (rest.len(), ArgPosition::Positional(index))
        }
        "keyword_argument" if parent.child_by_field_id(FIELDS.value) == Some(node) => {
            let name = text(parent.child_by_field_id(FIELDS.name)?, source).to_string();
            (rest.len().checked_sub(1)?, ArgPosition::Keyword(name))
        }
        _ => return None,
    };
    // `ancestors[list_at]` is the argument list; its parent must be the call.
    let call = ancestors
        .get(list_at.checked_sub(1)?)
        .copied()
        .filter(|c| c.kind() == "call")?;
    let callee = dotted_name(call.child_by_field_id(FIELDS.function)?, source)?;
    Some((callee, position))
}

/// The identifier names something rather than reading it: a parameter, a keyword
/// argument's name, an attribute name, a `def`/`class` name.
fn is_binding_occurrence(node: Node<'_>, parent: Option<Node<'_>>) -> bool {
    let Some(parent) = parent else {
        return false;
    };
    match parent.kind() {
        "attribute" => parent.child_by_field_id(FIELDS.attribute) == Some(node),
        "keyword_argument" => parent.child_by_field_id(FIELDS.name) == Some(node),
        "parameters"
        | "lambda_parameters"
        | "typed_parameter"
        | "default_parameter"
        | "typed_default_parameter"
        | "list_splat_pattern"
        | "dictionary_splat_pattern" => parent.child_by_field_id(FIELDS.value) != Some(node),
        "function_definition" | "class_definition" => {
            parent.child_by_field_id(FIELDS.name) == Some(node)
        }
        _ => false,
    }
}

/// A function or lambda inside the scope (the first ancestor is the scope itself) takes
/// `name` as a parameter, so this is another variable of the same name.
fn shadowed(ancestors: &[Node<'_>], name: &str, source: &str) -> bool {
    ancestors.iter().skip(1).any(|node| {
        matches!(node.kind(), "function_definition" | "lambda")
            && node
                .child_by_field_id(FIELDS.parameters)
                .is_some_and(|params| binds_parameter(params, name, source))
    })
}

fn binds_parameter(params: Node<'_>, name: &str, source: &str) -> bool {
    let mut cursor = params.walk();
    params.named_children(&mut cursor).any(|param| {
        let ident = if param.kind() == "identifier" {
            Some(param)
        } else {
            param
                .child_by_field_id(FIELDS.name)
                .or_else(|| param.named_child(0))
        };
        ident.is_some_and(|i| i.kind() == "identifier" && text(i, source) == name)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse;

    fn names(u: &Use) -> String {
        match u {
            Use::Chain {
                segments,
                store,
                formatted,
            } => {
                let mut s: Vec<String> = segments
                    .iter()
                    .map(|s| format!("{}{}", s.name, if s.called { "()" } else { "" }))
                    .collect();
                if *store {
                    s.push("=".into());
                }
                if let Some(f) = formatted {
                    s.push(format!("{:?}", f.dunder));
                }
                s.join(".")
            }
            Use::Argument {
                callee, position, ..
            } => format!("arg {}:{position:?}", callee.join(".")),
            Use::Formatted(f) => format!("{:?}", f.dunder),
            Use::Other { .. } => "other".into(),
        }
    }

    fn uses(src: &str, name: &str) -> Vec<String> {
        let tree = parse(src, None);
        uses_of(tree.root_node(), name, src)
            .iter()
            .map(names)
            .collect()
    }

    #[test]
    fn chains_calls_and_escapes() {
        let src = "print(p.author.profile.bio)\n\
                   p.tags.all()\n\
                   p.comments.filter(x=1).count()\n\
                   render(p, key=p)\n\
                   p.title = 'x'\n\
                   rows.append(p)\n\
                   return p\n";
        assert_eq!(
            uses(src, "p"),
            [
                "author.profile.bio.Str",
                "tags.all()",
                "comments.filter().count()",
                "arg render:Positional(0)",
                "arg render:Keyword(\"key\")",
                "title.=",
                "arg rows.append:Positional(0)",
                "other",
            ]
        );
    }

    #[test]
    fn formatted_as_text() {
        let src = "str(p)\nrepr(p)\nprint('x', p, sep='')\nformat(p)\nformat(p, '>5')\n\
                   f'{p} {p!r} {p=} {p:>5}'\n'%s' % p\n'%d: %r' % (1, p)\n'%s %s' % p\n\
                   '{} {0.x}'.format(p)\n'{x!r}'.format(x=p)\n'{}'.format(p)\n";
        assert_eq!(
            uses(src, "p"),
            [
                "Str",
                "Repr",
                "Str",
                "Format",
                "arg format:Positional(0)",
                "Format",
                "Repr",
                "Repr",
                "other",
                "Str",
                "Repr",
                "other",
                "other",
                "Repr",
                "Format",
            ]
        );
    }

    #[test]
    fn segment_ranges_cover_the_access() {
        let src = "x = post.author.name";
        let tree = parse(src, None);
        let uses = uses_of(tree.root_node(), "post", src);
        let Use::Chain { segments, .. } = &uses[0] else {
            panic!("{uses:?}")
        };
        assert_eq!(
            &src[segments[0].range.start..segments[0].range.end],
            "post.author"
        );
    }

    #[test]
    fn shadowing_parameters_and_binding_names_are_skipped() {
        let src = "f(lambda p: p.x)\ndef g(p):\n    return p.y\nh(p=1)\nq.p\n";
        assert!(uses(src, "p").is_empty());
    }
}
