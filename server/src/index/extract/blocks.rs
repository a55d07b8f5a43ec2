//! Module-level `if`/`try` blocks: Django projects declare models in them
//! (`if not is_model_registered("catalogue", "Product"): class Product(...)`) and set
//! names differently per branch. What a block binds counts as if at the top, unless
//! another statement binds the name too: then which one holds depends on the run.

use tree_sitter::Node;

use super::{ClassFacts, FileFacts, class_facts, module_assignment};
use crate::syntax::fields::FIELDS;
use crate::syntax::node::{text, undecorated};

/// Classes and assignments inside a module-level `if`/`try` (`if not
/// is_model_registered("catalogue", "Product"): class Product(...)`): assignments go
/// into `facts` like top-level ones, classes into `nested`.
pub(super) fn definitions(
    facts: &mut FileFacts,
    nested: &mut Vec<ClassFacts>,
    block_names: &mut Vec<String>,
    statement: Node<'_>,
    source: &str,
) {
    let mut cursor = statement.walk();
    for child in statement.named_children(&mut cursor) {
        match child.kind() {
            "block"
            | "elif_clause"
            | "else_clause"
            | "except_clause"
            | "except_group_clause"
            | "finally_clause"
            | "if_statement"
            | "try_statement" => {
                definitions(facts, nested, block_names, child, source);
            }
            "class_definition" | "decorated_definition" => {
                let class = undecorated(child);
                if class.kind() != "class_definition" {
                    continue;
                }
                let class = class_facts(class, source);
                // Defined in two blocks: unknown which one holds (see `extract`).
                match nested.iter().position(|c| c.name == class.name) {
                    Some(twice) => nested[twice] = ambiguous(class),
                    None => nested.push(class),
                }
            }
            "expression_statement" => {
                let Some(assignment) = child.named_child(0).filter(|a| a.kind() == "assignment")
                else {
                    continue;
                };
                if let (Some(left), Some(right)) = (
                    assignment.child_by_field_id(FIELDS.left),
                    assignment.child_by_field_id(FIELDS.right),
                ) && left.kind() == "identifier"
                {
                    block_assignment(facts, block_names, text(left, source), right, source);
                }
            }
            _ => {}
        }
    }
}

/// `name = value` in a module-level block: recorded as at the top, unless the name is
/// bound elsewhere too (assigned a value that differs or that we cannot read, or
/// imported), or is a setting, which the runs that skip the block leave unset.
fn block_assignment(
    facts: &mut FileFacts,
    block_names: &mut Vec<String>,
    name: &str,
    value: Node<'_>,
    source: &str,
) {
    let mut alone = FileFacts {
        path: facts.path.clone(),
        ..FileFacts::default()
    };
    module_assignment(&mut alone, name, value, source);
    let recorded = |f: &FileFacts| (f.setting(name).map(str::to_string), f.alias(name).cloned());
    let (before, read) = (recorded(facts), recorded(&alone));
    let elsewhere = block_names.iter().any(|n| n == name)
        || before != (None, None)
        || facts.imports.get(name).is_some();
    // A setting left unset on some runs has its default then.
    let unset_elsewhere = read.0.is_some() && before.0.is_none();
    if (elsewhere || unset_elsewhere) && before != read {
        facts.settings.retain(|(n, _)| n != name);
        facts.aliases.retain(|a| a.name != name);
        if name == "AUTH_USER_MODEL" {
            facts.auth_user_model = None;
        }
        if !facts.unsettled.iter().any(|n| n == name) {
            facts.unsettled.push(name.to_string());
        }
    } else if !facts.unsettled.iter().any(|n| n == name) {
        module_assignment(facts, name, value, source);
    }
    block_names.push(name.to_string());
}

/// A class name bound by more than one statement: defined (imports of it do not
/// count), but nothing is known of it.
fn ambiguous(class: ClassFacts) -> ClassFacts {
    ClassFacts {
        name: class.name,
        range: class.range,
        ambiguous: true,
        ..ClassFacts::default()
    }
}

/// Adds the classes defined in blocks to `facts`.
pub(super) fn add_classes(facts: &mut FileFacts, nested: Vec<ClassFacts>) {
    // A class defined in a block may be bound by another statement too (`try: from x
    // import A / except ImportError: class A(...)`, or a class A at the top): which one
    // Python keeps depends on the run.
    for mut class in nested {
        if facts.imports.get(&class.name).is_some()
            || facts.classes.iter().any(|c| c.name == class.name)
        {
            facts.classes.retain(|c| c.name != class.name);
            class = ambiguous(class);
        }
        facts.classes.push(class);
    }
}
