//! What each `list_display` entry of a changelist reads of a row.

use tree_sitter::Node;

use crate::analysis::access::forward_fk_hop;
use crate::index::{Attribute, MethodKind, ModelId};
use crate::syntax::format_strings::{Dunder, Formatting};
use crate::syntax::node::string_value;
use crate::syntax::uses::{ArgPosition, Segment, Use};
use crate::text::TextRange;

use super::super::views::Member;
use super::super::walker::Walker;
use super::AdminClass;

/// One `list_display` entry: what it reads of a row, and whether Django's automatic
/// selection counts it.
pub(super) struct Column {
    pub(super) uses: Vec<Use>,
    /// A forward foreign key or one-to-one named by its name.
    pub(super) foreign_key: Option<String>,
}

impl<'a> Walker<'a> {
    /// What one `list_display` entry reads of a row; `None` when it cannot be told.
    pub(super) fn column(
        &self,
        admin: &AdminClass<'a>,
        model: ModelId,
        entry: Node<'a>,
    ) -> Option<Column> {
        let range = TextRange::of(entry);
        if entry.kind() == "identifier" {
            // A function given the row.
            let name = self.file.text(entry);
            self.function_named(name)?;
            return Some(Column {
                uses: vec![Use::Argument {
                    callee: vec![name.to_string()],
                    position: ArgPosition::Positional(0),
                    range,
                }],
                foreign_key: None,
            });
        }
        let name = string_value(entry, self.src())?;
        match name {
            "__str__" => return Some(text_of_row(range)),
            "action_checkbox" => {
                return Some(Column {
                    uses: Vec::new(),
                    foreign_key: None,
                });
            }
            _ => {}
        }
        let field = |name: &str| {
            matches!(
                self.index.attribute(model, name),
                Some(Attribute::Field(_) | Attribute::Attname(_) | Attribute::Pk)
            )
        };
        let segment = |name: &str, called: bool| Segment {
            name: name.to_string(),
            called,
            range,
        };
        let shown = Formatting {
            dunder: Dunder::Str,
            builtin: None,
            range,
        };
        if name.contains("__") {
            let segments = name.split("__").map(|n| segment(n, false)).collect();
            return Some(Column {
                uses: vec![chain(segments, shown)],
                foreign_key: None,
            });
        }
        if field(name) {
            let foreign_key = forward_fk_hop(self.index, model, name).map(|_| name.to_string());
            return Some(Column {
                uses: vec![chain(vec![segment(name, false)], shown)],
                foreign_key,
            });
        }
        if let Some((_, member)) = admin.methods.get(name) {
            if *member != Member::Method {
                return None;
            }
            return Some(Column {
                uses: vec![Use::Argument {
                    callee: vec![format!("{}.{name}", admin.name)],
                    position: ArgPosition::Positional(1),
                    range,
                }],
                foreign_key: None,
            });
        }
        let called = matches!(
            self.index.attribute(model, name),
            Some(Attribute::Method(method)) if method.kind == MethodKind::Method
        );
        Some(Column {
            uses: vec![chain(vec![segment(name, called)], shown)],
            foreign_key: None,
        })
    }
}

/// A row turned into text: its `__str__` runs.
pub(super) fn text_of_row(range: TextRange) -> Column {
    Column {
        uses: vec![Use::Formatted(Formatting {
            dunder: Dunder::Str,
            builtin: None,
            range,
        })],
        foreign_key: None,
    }
}

/// A chain of attributes whose value is shown as text.
fn chain(segments: Vec<Segment>, shown: Formatting) -> Use {
    Use::Chain {
        segments,
        store: false,
        formatted: Some(shown),
    }
}
