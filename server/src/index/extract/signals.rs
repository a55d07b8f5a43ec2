//! Receivers of the model signals `save()` and `delete()` send: bulk writes skip
//! `pre_save`/`post_save`, so a project's receiver of them decides whether a loop of
//! saves may become one bulk write.

use tree_sitter::Node;

use crate::syntax::fields::FIELDS;
use crate::syntax::node::{call_args, descendants, dotted_name};
use crate::syntax::scan::MODEL_SIGNALS;

use super::{TargetExpr, target_expr};

/// A receiver connected to a model signal: `@receiver(post_save, sender=Post)`,
/// `post_save.connect(handler, sender=Post)`.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct ReceiverFacts {
    /// One of [`MODEL_SIGNALS`].
    pub signal: String,
    /// The sender as written; `None` when it receives every model's signal, or when the
    /// code naming the signal is not one of the two forms above (a receiver we cannot
    /// read may be connected to any model).
    pub sender: Option<TargetExpr>,
}

/// Every mention of a model signal under `root` outside imports, read as a receiver.
pub(super) fn receivers(root: Node<'_>, source: &str) -> Vec<ReceiverFacts> {
    let mut found = Vec::new();
    for node in descendants(root) {
        if node.kind() != "identifier" {
            continue;
        }
        let name = node;
        let signal = &source[name.byte_range()];
        if !MODEL_SIGNALS.contains(&signal) || in_import(name) {
            continue;
        }
        // `signals.post_save`: the expression is the attribute ending in the name.
        let expr = match name.parent() {
            Some(parent)
                if parent.kind() == "attribute"
                    && parent.child_by_field_id(FIELDS.attribute) == Some(name) =>
            {
                parent
            }
            _ => name,
        };
        found.push(ReceiverFacts {
            signal: signal.to_string(),
            sender: sender_of(expr, source),
        });
    }
    found
}

/// The sender `expr` (a signal) is connected for, when it is the first argument of a
/// `@receiver(...)` decorator (alone or in a list) or the object of `.connect(...)`;
/// `None` otherwise.
fn sender_of(expr: Node<'_>, source: &str) -> Option<TargetExpr> {
    let parent = expr.parent()?;
    if parent.kind() == "attribute" && parent.child_by_field_id(FIELDS.object) == Some(expr) {
        let method = parent.child_by_field_id(FIELDS.attribute)?;
        let call = parent.parent().filter(|c| c.kind() == "call")?;
        if &source[method.byte_range()] != "connect" {
            return None;
        }
        let args = call_args(call, source);
        let sender = args
            .keyword("sender")
            .or_else(|| args.positional.get(1).copied())?;
        return Some(target_expr(sender, source));
    }
    // `receiver(post_save, ...)` or `receiver([post_save, post_delete], ...)`.
    let list = match parent.kind() {
        "list" | "tuple" => parent.parent()?,
        _ => parent,
    };
    if list.kind() != "argument_list" {
        return None;
    }
    let call = list.parent().filter(|c| c.kind() == "call")?;
    let function = dotted_name(call.child_by_field_id(FIELDS.function)?, source)?;
    if function.last().map(String::as_str) != Some("receiver") {
        return None;
    }
    let args = call_args(call, source);
    let first = *args.positional.first()?;
    if first != expr && first != parent {
        return None;
    }
    Some(target_expr(args.keyword("sender")?, source))
}

fn in_import(node: Node<'_>) -> bool {
    let mut current = node.parent();
    while let Some(n) = current {
        match n.kind() {
            "import_statement" | "import_from_statement" => return true,
            "module" | "block" => return false,
            _ => current = n.parent(),
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(source: &str) -> Vec<(String, Option<TargetExpr>)> {
        let tree = crate::syntax::parse(source, None);
        receivers(tree.root_node(), source)
            .into_iter()
            .map(|r| (r.signal, r.sender))
            .collect()
    }

    fn name(dotted: &str) -> Option<TargetExpr> {
        Some(TargetExpr::Name(
            dotted.split('.').map(str::to_string).collect(),
        ))
    }

    #[test]
    fn decorators_and_connect_calls_name_their_sender() {
        let source = "from django.db.models.signals import post_save, pre_delete\n\
            from django.db.models import signals\n\
            @receiver(post_save, sender=Post)\ndef a(sender, **kw): pass\n\
            @receiver([pre_delete, signals.post_delete], sender=models.Tag)\ndef b(sender, **kw): pass\n\
            class C(AppConfig):\n    def ready(self):\n        signals.pre_save.connect(c, sender=\"blog.Comment\")\n        post_save.connect(d, Author)\n";
        assert_eq!(
            read(source),
            [
                ("post_save".to_string(), name("Post")),
                ("pre_delete".to_string(), name("models.Tag")),
                ("post_delete".to_string(), name("models.Tag")),
                (
                    "pre_save".to_string(),
                    Some(TargetExpr::Str("blog.Comment".into()))
                ),
                ("post_save".to_string(), name("Author")),
            ]
        );
    }

    #[test]
    fn a_receiver_we_cannot_read_has_no_sender() {
        let source = "from django.db.models.signals import post_save\n\
            @receiver(post_save)\ndef a(sender, **kw): pass\n\
            for signal in (post_save,):\n    signal.connect(f, sender=Post)\n\
            post_save.connect(f, sender=get_sender())\n\
            x = 'post_save'\n";
        assert_eq!(
            read(source),
            [
                ("post_save".to_string(), None),
                ("post_save".to_string(), None),
                (
                    "post_save".to_string(),
                    Some(TargetExpr::Other("get_sender()".into()))
                ),
            ]
        );
    }
}
