//! What a loop reads of its rows, as far as narrowing them goes.

use std::collections::BTreeSet;

use tree_sitter::Node;

use crate::analysis::access::{Access, AccessKind};
use crate::analysis::rules::Context;
use crate::syntax::fields::FIELDS;
use crate::syntax::node::dotted_name;
use crate::text::TextRange;

pub(super) struct Reads {
    /// The concrete columns read besides the primary key.
    pub columns: BTreeSet<String>,
    /// The first call a row is passed to whose body ormhint cannot read.
    pub passed_to: Option<String>,
}

impl Reads {
    /// `None` when the rows are used for anything but reading columns and being passed
    /// to calls that may read a few more, when nothing is read, or when the key is read
    /// only where the loop does not write it (`str(row)` running `__str__`).
    pub fn of(ctx: &Context<'_>, accesses: &[Access]) -> Option<Reads> {
        let mut reads = Reads {
            columns: BTreeSet::new(),
            passed_to: None,
        };
        let mut key_read_elsewhere = false;
        let mut key_read = false;
        for access in accesses {
            match &access.kind {
                AccessKind::Column { field } => {
                    reads.columns.insert(field.clone());
                }
                AccessKind::Pk => {
                    key_read = true;
                    key_read_elsewhere |= access.via.is_some() || !written_read(ctx, access.range);
                }
                AccessKind::Other if access.via.is_none() => {
                    match passed(ctx, access.range)? {
                        Passed::Harmless => {}
                        Passed::Unseen(callee) => {
                            reads.passed_to.get_or_insert(callee);
                        }
                    }
                }
                _ => return None,
            }
        }
        let keys_only = reads.columns.is_empty();
        if keys_only && (!key_read || key_read_elsewhere) {
            return None;
        }
        Some(reads)
    }
}

enum Passed {
    /// A builtin that reads no field (`isinstance(row, Post)`), or a test of the row
    /// itself (`if row:`, `row is None`).
    Harmless,
    /// A function ormhint cannot read, as the message names it (`notify()`).
    Unseen(String),
}

/// The function the row at `range` is passed to, when it is one whose reads cost a
/// query each if deferred, rather than one that keeps the row (`rows.append(row)`) or
/// reads every field of it anyway (a serializer, a form, `model_to_dict()`).
fn passed(ctx: &Context<'_>, range: TextRange) -> Option<Passed> {
    let row = ctx.file.node_for_range(range.start, range.end)?;
    if row.kind() != "identifier" {
        return None;
    }
    if tested(row) {
        return Some(Passed::Harmless);
    }
    let call = call_receiving(row)?;
    let callee = dotted_name(call.child_by_field_id(FIELDS.function)?, &ctx.file.source)?;
    let name = callee.last()?;
    if callee.len() == 1 && HARMLESS.contains(&name.as_str()) {
        return Some(Passed::Harmless);
    }
    // A method of a name (`rows.append`, `cache.set`, `logger.info`) stores or formats
    // the row more often than it reads a field of it; a class builds from all of them.
    let wholesale = callee.len() > 1
        || BUILTINS.contains(&name.as_str())
        || name.starts_with(|c: char| c.is_ascii_uppercase())
        || WHOLESALE.iter().any(|w| name.to_ascii_lowercase().contains(w));
    (!wholesale).then(|| Passed::Unseen(format!("{}()", callee.join("."))))
}

/// Builtins that keep the object, hand it on or inspect it as a whole (`type(row)`,
/// `list(...)`, `getattr(row, name)`): no call ormhint should name as unread code.
const BUILTINS: &[&str] = &[
    "type", "len", "list", "tuple", "set", "frozenset", "dict", "sorted", "reversed", "iter",
    "next", "zip", "enumerate", "map", "filter", "min", "max", "sum", "any", "all", "hash",
    "getattr", "setattr", "hasattr", "delattr", "vars", "dir", "super", "print",
];

/// Builtins that read no field of the object they are given.
const HARMLESS: &[&str] = &["isinstance", "issubclass", "id", "callable"];

/// Names of functions that read or copy every field of what they are given.
const WHOLESALE: &[&str] = &[
    "serializ",
    "to_dict",
    "as_dict",
    "render",
    "dump",
    "copy",
    "pickle",
    "attr",
    "vars",
    "json",
    "response",
    "export",
    "cache",
];

/// The read at `range` is written as an attribute (`row.pk`), not made by turning the
/// row into text (Django's `__str__` reads the key too).
fn written_read(ctx: &Context<'_>, range: TextRange) -> bool {
    ctx.file
        .node_for_range(range.start, range.end)
        .is_some_and(|read| read.kind() == "attribute")
}

/// `if row:`, `not row`, `row is None`, `x if row else y`: the row only tested for
/// being there, which reads no field.
fn tested(row: Node<'_>) -> bool {
    let Some(parent) = row.parent() else {
        return false;
    };
    match parent.kind() {
        "if_statement" | "elif_clause" | "while_statement" => {
            parent.child_by_field_id(FIELDS.condition) == Some(row)
        }
        "conditional_expression" => parent.named_child(1) == Some(row),
        "not_operator" => true,
        "comparison_operator" => {
            let mut cursor = parent.walk();
            let operands: Vec<Node<'_>> = parent.named_children(&mut cursor).collect();
            operands.len() == 2 && operands.iter().any(|o| o.kind() == "none")
        }
        _ => false,
    }
}

/// The call `row` is an argument of (by position or keyword).
fn call_receiving(row: Node<'_>) -> Option<Node<'_>> {
    let mut list = row.parent()?;
    if list.kind() == "keyword_argument" {
        if list.child_by_field_id(FIELDS.value) != Some(row) {
            return None;
        }
        list = list.parent()?;
    }
    if list.kind() != "argument_list" {
        return None;
    }
    list.parent().filter(|call| call.kind() == "call")
}
