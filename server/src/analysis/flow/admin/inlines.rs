//! Django admin inlines: a `TabularInline` or `StackedInline` named in a registered
//! `ModelAdmin`'s `inlines` shows, on the parent's change page, each related row with
//! its `__str__` and its `readonly_fields`, a loop over the rows that no Python code of
//! the project writes. It is recorded as one, at the inline class, so ORM101/ORM102
//! report what those read per row, and the fix writes the inline's `get_queryset()`.
//!
//! What Django does (read in `django/contrib/admin/helpers.py`, `options.py` and the
//! `edit_inline` templates, checked with the change page rendered under 5.2): the rows
//! are `InlineModelAdmin.get_queryset()` filtered by the foreign key to the parent;
//! both templates print each saved row (`{{ inline_admin_form.original }}`); a
//! read-only foreign key shows the related object as text (`str()`), a read-only
//! many-to-many each of `.all()`, and a method, callable or model attribute is read as
//! a changelist column is. The foreign key to the parent is set on each row from the
//! parent object, so reading it costs nothing. An editable foreign key renders a
//! `<select>` whose choices are one query per form, which no `select_related` saves:
//! not reported here.

use tree_sitter::Node;

use crate::analysis::access::{HopKind, hop};
use crate::index::{Attribute, FieldKind, ModelId};
use crate::syntax::fields::FIELDS;
use crate::syntax::node::{descendants, string_value};
use crate::syntax::uses::{Segment, Use};
use crate::text::TextRange;

use super::super::facts::{Changelist, LoopFact};
use super::super::walker::Walker;
use super::columns::{Column, text_of_row};
use super::registered::Registered;
use super::{AdminClass, ColumnReads, indentation, items, line_start, single_paths};

/// Parent methods whose override decides which inlines the change page shows, or
/// renders it in a way not read here.
const PARENT_OVERRIDES: [&str; 9] = [
    "change_view",
    "changeform_view",
    "_changeform_view",
    "render_change_form",
    "get_inlines",
    "get_inline_instances",
    "get_formsets_with_inlines",
    "get_formset_kwargs",
    "get_urls",
];

/// Inline methods whose override decides the rows' fields or whether they are shown.
const INLINE_OVERRIDES: [&str; 5] = [
    "get_formset",
    "get_fields",
    "get_fieldsets",
    "get_readonly_fields",
    "has_view_permission",
];

/// Inline attributes that replace how the rows are shown or fetched.
const REPLACED: [&str; 2] = ["template", "formset"];

impl<'a> Walker<'a> {
    /// The inlines of the registered class's change page for `parent`, each as a loop
    /// over its rows.
    pub(in crate::analysis::flow) fn inlines(
        &mut self,
        registered: &Registered<'a>,
        parent: ModelId,
    ) {
        if registered.inlines.is_empty()
            || self
                .admin_class(registered.class, &PARENT_OVERRIDES)
                .is_none()
        {
            return;
        }
        for (_, class) in &registered.inlines {
            self.inline(*class, parent);
        }
    }

    fn inline(&mut self, class: Node<'a>, parent: ModelId) {
        let Some(inline) = self.admin_class(class, &INLINE_OVERRIDES) else {
            return;
        };
        if REPLACED
            .iter()
            .any(|name| inline.assigned.contains_key(name))
        {
            return;
        }
        let Some(model) = inline.value("model").and_then(|m| self.model_named(m)) else {
            return;
        };
        let Some(fk) = self.parent_foreign_key(&inline, model, parent) else {
            return;
        };
        let Some(mut rows) = self.admin_queryset(&inline, model) else {
            return;
        };
        for qs in &mut rows {
            qs.back_ref = Some(fk.clone());
        }
        let name = TextRange::of(class.child_by_field_id(FIELDS.name).unwrap_or(class));
        let mut columns = vec![(name, Some(text_of_row(name)))];
        if let Some(value) = inline.value("readonly_fields") {
            let Some(entries) = items(value) else {
                return;
            };
            let shown = self.shown_names(&inline);
            for entry in entries {
                let entry_name = string_value(entry, self.src()).unwrap_or(self.file.text(entry));
                if shown
                    .as_ref()
                    .is_some_and(|names| !names.contains(&entry_name))
                {
                    continue;
                }
                let column = self.read_only_column(&inline, model, entry);
                columns.push((TextRange::of(entry), column));
            }
        }
        let ColumnReads {
            accesses, unseen, ..
        } = self.read_columns(&inline, model, columns, "readonly_fields");
        let changelist = Changelist {
            single_reads: single_paths(accesses.iter()),
            unseen_reads: unseen,
            queryset_selects: false,
            own_get_queryset: inline.get_queryset.is_some(),
            select: None,
            attribute_at: line_start(inline.body, self.src()),
            method_at: inline.body.end_byte(),
            indent: indentation(inline.body, self.src()),
        };
        self.facts.loops.push(LoopFact {
            sources: rows,
            accesses,
            iter_range: name,
            body_range: TextRange::of(inline.body),
            sole_consumer: false,
            changelist: Some(Box::new(changelist)),
        });
    }

    /// The foreign key of `model` that links its rows to the parent: `fk_name`, else
    /// the only one whose target is `parent`. `None` when Django would refuse the
    /// inline, or when a relation's target is not known.
    fn parent_foreign_key(
        &self,
        inline: &AdminClass<'a>,
        model: ModelId,
        parent: ModelId,
    ) -> Option<String> {
        let to_parent = |name: &str| {
            hop(self.index, model, name).is_some_and(|h| {
                matches!(h.kind, HopKind::ForwardFk | HopKind::ForwardOneToOne)
                    && h.target == Some(parent)
            })
        };
        if let Some(value) = inline.value("fk_name") {
            let name = string_value(value, self.src())?;
            return to_parent(name).then(|| name.to_string());
        }
        let mut found = None;
        for field in &self.index.model(model).fields {
            if !matches!(
                field.kind,
                FieldKind::ForeignKey(_) | FieldKind::OneToOne(_)
            ) {
                continue;
            }
            let target = field.relation().and_then(|r| r.target.id());
            if target.is_none() || (target == Some(parent) && found.is_some()) {
                return None;
            }
            if target == Some(parent) {
                found = Some(field.name.clone());
            }
        }
        found
    }

    /// The names `fields` or `fieldsets` lay out, when either is written: a read-only
    /// field left out of them is not shown.
    fn shown_names(&self, inline: &AdminClass<'a>) -> Option<Vec<&'a str>> {
        let layout = inline
            .value("fields")
            .or_else(|| inline.value("fieldsets"))?;
        Some(
            descendants(layout)
                .filter_map(|n| match n.kind() {
                    "string" => string_value(n, self.src()),
                    "identifier" => Some(self.file.text(n)),
                    _ => None,
                })
                .collect(),
        )
    }

    /// A read-only field's column: as a changelist's, except that a many-to-many shows
    /// each related row of `.all()`.
    fn read_only_column(
        &self,
        inline: &AdminClass<'a>,
        model: ModelId,
        entry: Node<'a>,
    ) -> Option<Column> {
        let name = string_value(entry, self.src());
        if let Some(name) = name
            && let Some(Attribute::Field(field)) = self.index.attribute(model, name)
            && matches!(field.kind, FieldKind::ManyToMany(_))
        {
            let range = TextRange::of(entry);
            let segment = |name: &str, called: bool| Segment {
                name: name.to_string(),
                called,
                range,
            };
            return Some(Column {
                uses: vec![Use::Chain {
                    segments: vec![segment(name, false), segment("all", true)],
                    store: false,
                    formatted: None,
                }],
                foreign_key: None,
            });
        }
        self.column(inline, model, entry)
    }
}
