//! ORM701: a column looked up in several places of the workspace that no index serves.
//! The places are in other files, so the rule runs once the whole workspace is read
//! ([`check_workspace`]), not with the other rules of a file.

use std::collections::BTreeMap;

use tree_sitter::Node;

use super::{Context, Rule, Violation};
use crate::analysis::column_uses::{Place, WorkspaceUses};
use crate::analysis::{Diagnostic, Related};
use crate::fix::{Applicability, Edit};
use crate::index::{FieldKind, ModelIndex};
use crate::syntax::SourceFile;
use crate::syntax::fields::FIELDS;
use crate::text::TextRange;

/// Fewer places than this is not "several": one hot query is better indexed by a
/// composite index its author designs than by a hint.
pub const MIN_PLACES: usize = 3;

pub struct MissingIndex {
    pub model: String,
    pub field: String,
    /// How many lookups of each method reach the column.
    pub methods: BTreeMap<String, usize>,
}

impl Violation for MissingIndex {
    const RULE: Rule = Rule::MissingIndex;

    fn message(&self) -> String {
        let places: usize = self.methods.values().sum();
        let methods: Vec<String> = self
            .methods
            .iter()
            .map(|(m, n)| format!("`{m}()` ×{n}"))
            .collect();
        format!(
            "`{}.{}` is looked up in {places} places ({}) but no index serves it: add `db_index=True` (a migration follows)",
            self.model,
            self.field,
            methods.join(", ")
        )
    }

    fn fix_title(&self) -> Option<String> {
        Some("Add `db_index=True` (then make a migration)".to_string())
    }
}

/// Runs with the workspace's uses instead ([`check_workspace`]).
pub fn check(_ctx: &Context<'_>, _out: &mut Vec<Diagnostic>) {}

/// The findings on the fields `file` declares, from the column uses of every file of
/// the workspace.
pub fn check_workspace(file: &SourceFile, index: &ModelIndex, uses: &WorkspaceUses) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let declared = index
        .files()
        .iter()
        .find(|facts| facts.path == file.path);
    let Some(declared) = declared else {
        return out;
    };
    for model in index.models() {
        if model.path.as_ref() != Some(&file.path)
            || model.is_abstract
            || model.is_proxy
            || !model.managed
            || model.has_unknown_bases
        {
            continue;
        }
        let Some(class) = declared.classes.iter().find(|c| c.range == model.range) else {
            continue;
        };
        let label = format!("{}.{}", model.app_label, model.name);
        for facts in &class.fields {
            let Some(field) = model.fields.iter().find(|f| f.name == facts.name) else {
                continue;
            };
            if field.primary_key
                || !matches!(
                    field.kind,
                    FieldKind::Plain | FieldKind::ForeignKey(_) | FieldKind::OneToOne(_)
                )
                || model.is_indexed(field) != Some(false)
            {
                continue;
            }
            let places = uses.of(&label, &field.name);
            if places.len() < MIN_PLACES {
                continue;
            }
            let Some(edit) = db_index_edit(file, facts.range) else {
                continue;
            };
            let mut methods = BTreeMap::new();
            for place in &places {
                *methods.entry(place.method.clone()).or_insert(0) += 1;
            }
            let violation = MissingIndex {
                model: model.name.clone(),
                field: field.name.clone(),
                methods,
            };
            let related = places
                .iter()
                .map(|place| related(place, file))
                .collect();
            let fix = super::fix(&violation, Applicability::Unsafe, vec![edit]);
            out.push(
                Diagnostic::new(&violation, facts.range)
                    .with_related(related)
                    .with_fix(fix),
            );
        }
    }
    out
}

fn related(place: &Place, file: &SourceFile) -> Related {
    Related {
        path: (place.path != file.path).then(|| place.path.clone()),
        range: place.range,
        message: format!("`{}` in `{}()`", place.lookup, place.method),
    }
}

/// `db_index=True` added to the arguments of the field call assigned to the name at
/// `name`: after the last argument, or on a line of its own when they end with a comma.
fn db_index_edit(file: &SourceFile, name: TextRange) -> Option<Edit> {
    let target = file.node_for_range(name.start, name.end)?;
    let assignment = target.parent().filter(|p| p.kind() == "assignment")?;
    let call = assignment
        .child_by_field_id(FIELDS.right)
        .filter(|c| c.kind() == "call")?;
    let args = call.child_by_field_id(FIELDS.arguments)?;
    if args.kind() != "argument_list" || args.has_error() {
        return None;
    }
    let last = last_argument(args);
    let source = &file.source;
    let Some(last) = last else {
        return Some(Edit::insertion(args.end_byte() - 1, "db_index=True"));
    };
    let after = &source[last.end_byte()..args.end_byte() - 1];
    let trailing_comma = after.trim_start().starts_with(',');
    if !trailing_comma {
        return Some(Edit::insertion(last.end_byte(), ", db_index=True"));
    }
    let comma = last.end_byte() + after.find(',')?;
    let line_start = source[..last.start_byte()].rfind('\n').map_or(0, |i| i + 1);
    let indent = &source[line_start..last.start_byte()];
    if !indent.chars().all(char::is_whitespace) {
        return Some(Edit::insertion(comma + 1, " db_index=True,"));
    }
    Some(Edit::insertion(comma + 1, format!("\n{indent}db_index=True,")))
}

fn last_argument(args: Node<'_>) -> Option<Node<'_>> {
    let mut cursor = args.walk();
    args.named_children(&mut cursor)
        .filter(|n| n.kind() != "comment")
        .last()
}
