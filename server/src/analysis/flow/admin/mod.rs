//! Django admin changelists: a `ModelAdmin` registered for a model shows each row of
//! its queryset with the `list_display` columns, a loop over the rows that no Python
//! code of the project writes. It is recorded as one, at the class, so ORM101/ORM102
//! report the columns that load relations per row, and the fix edits the class.
//!
//! What Django does (read in `django/contrib/admin/views/main.py`, checked with the
//! changelist rendered under 5.2.19 and 6.1.3): `ChangeList` starts from
//! `ModelAdmin.get_queryset()` (the default manager, or the class's override), and
//! applies `list_select_related` only when that queryset has no `select_related`:
//! `True` is `select_related()`, every non-null foreign key chain; a list or tuple is
//! `select_related(*names)`; `False` (the default) selects on its own when a
//! `list_display` entry names a forward foreign key or one-to-one by its name (not
//! `<fk>_id`). There the versions differ: up to 6.0 it calls `select_related()`, which
//! follows the non-null chains of every foreign key (a nullable one shown stays one
//! query per row, a non-null one read by a method column is loaded); from 6.1 it
//! selects the names of those entries only (a nullable one shown is loaded, a relation
//! only a method column reads is not). The installed Django's version decides
//! (`ModelIndex::django_version`, read from the project's environment); without one,
//! both are sources of the loop, so only what neither loads is reported.
//! A `"author__name"` entry (Django 5.1+) makes no automatic selection. An entry that
//! names a foreign key shows its `__str__`; a method of the class or a function gets
//! the row (`obj`) and is read like a helper given a row; another name is the model's
//! attribute, called when it is a method. `list_filter`, `search_fields` and
//! `list_display_links` only filter or link. The action checkbox turns each row into
//! text (`str(obj)`), but only for users who may run an action: what that `__str__`
//! loads is not reported, though a fix must keep loading it.

mod columns;
mod inlines;
mod registered;

use std::collections::{BTreeSet, HashMap};

use tree_sitter::Node;

use crate::analysis::access::{Access, AccessKind, Hop};
use crate::index::ModelId;
use crate::syntax::fields::FIELDS;
use crate::syntax::node::{assignment_sides, quote_of, string_value};
use crate::text::TextRange;

use super::cache::method_def;
use super::facts::{Changelist, LoopFact, SelectSetting};
use super::lookup_path;
use super::values::{Qs, Value, rows_of};
use super::views::{Member, ViewBase, ViewClass};
use super::walker::Walker;
use columns::{Column, text_of_row};

pub(super) use registered::{Registered, changelist_key};

/// Methods whose override decides the changelist's columns or queryset in a way not
/// read here; `get_urls` may not serve the changelist at all.
const OVERRIDES: [&str; 7] = [
    "changelist_view",
    "get_changelist",
    "get_changelist_instance",
    "get_list_display",
    "get_list_select_related",
    "get_search_results",
    "get_urls",
];

/// A `ModelAdmin` or inline class body as Django reads it.
struct AdminClass<'a> {
    name: String,
    class: Node<'a>,
    body: Node<'a>,
    /// Class attributes by name: the statement and the value assigned.
    assigned: HashMap<&'a str, (Node<'a>, Node<'a>)>,
    methods: HashMap<String, (Node<'a>, Member)>,
    get_queryset: Option<Node<'a>>,
}

impl<'a> AdminClass<'a> {
    fn value(&self, name: &str) -> Option<Node<'a>> {
        self.assigned.get(name).map(|(_, value)| *value)
    }
}

/// The items of a list or tuple literal; `None` for any other value.
fn items(value: Node<'_>) -> Option<Vec<Node<'_>>> {
    if !matches!(value.kind(), "list" | "tuple") {
        return None;
    }
    let mut cursor = value.walk();
    Some(
        value
            .named_children(&mut cursor)
            .filter(|n| n.kind() != "comment")
            .collect(),
    )
}

impl<'a> Walker<'a> {
    /// The class body's settings, or `None` when it defines one of `overrides`, whose
    /// code decides what is shown in a way not read here.
    fn admin_class(&self, class: Node<'a>, overrides: &[&str]) -> Option<AdminClass<'a>> {
        let body = class.child_by_field_id(FIELDS.body)?;
        let mut admin = AdminClass {
            name: self
                .file
                .text(class.child_by_field_id(FIELDS.name)?)
                .to_string(),
            class,
            body,
            assigned: HashMap::new(),
            methods: HashMap::new(),
            get_queryset: None,
        };
        let mut cursor = body.walk();
        for stmt in body.named_children(&mut cursor) {
            if let Some(def) = method_def(stmt) {
                let name = self.file.text(def.child_by_field_id(FIELDS.name)?);
                if overrides.contains(&name) {
                    return None;
                }
                if name == "get_queryset" {
                    admin.get_queryset = Some(def);
                }
                let member = Member::of(stmt, def, self.src());
                admin.methods.insert(name.to_string(), (def, member));
                continue;
            }
            if let Some((left, right)) = assignment_sides(stmt) {
                admin.assigned.insert(self.file.text(left), (stmt, right));
            }
        }
        Some(admin)
    }

    /// The changelist of `model` under the registered class, as a loop over its rows.
    pub(super) fn changelist(&mut self, registered: &Registered<'a>, model: ModelId) {
        let Some(admin) = self.admin_class(registered.class, &OVERRIDES) else {
            return;
        };
        let Some(select) = self.select_setting(&admin) else {
            return;
        };
        let entries: Vec<Node<'a>> = match admin.value("list_display") {
            Some(list) => match items(list) {
                Some(entries) => entries,
                None => return,
            },
            None => Vec::new(),
        };
        let Some(base) = self.admin_queryset(&admin, model) else {
            return;
        };
        let default_column = TextRange::of(
            registered
                .class
                .child_by_field_id(FIELDS.name)
                .unwrap_or(registered.class),
        );
        let columns: Vec<(TextRange, Option<Column>)> = if entries.is_empty() {
            vec![(default_column, Some(text_of_row(default_column)))]
        } else {
            entries
                .iter()
                .map(|entry| (TextRange::of(*entry), self.column(&admin, model, *entry)))
                .collect()
        };
        let ColumnReads {
            accesses,
            foreign_keys,
            mut unseen,
        } = self.read_columns(&admin, model, columns, "list_display");
        // What the action checkbox's `str(obj)` reads: not reported, but kept loaded.
        let checkbox = self.resolve_uses(model, &text_of_row(default_column).uses);
        let single_reads = single_paths(accesses.iter().chain(&checkbox));
        unseen |= accesses
            .iter()
            .chain(&checkbox)
            .any(|a| a.kind == AccessKind::Other);
        let queryset_selects = base
            .iter()
            .any(|qs| !qs.applied.select_related.is_empty() || qs.applied.select_related_all);
        let select = match select {
            SelectSetting::Default { value, .. } => SelectSetting::Default {
                value,
                automatic: !foreign_keys.is_empty(),
            },
            other => other,
        };
        let names = admin_names(&admin, self);
        let versions = Versions::of(self.index.django_version());
        let sources = changelist_rows(base, &select, &foreign_keys, &names, versions);
        let indent = indentation(admin.body, self.src());
        let attribute_at = match admin.assigned.get("list_display") {
            Some((stmt, _)) => line_after(*stmt, self.src()),
            None => line_start(admin.body, self.src()),
        };
        let changelist = Changelist {
            single_reads,
            unseen_reads: unseen,
            queryset_selects,
            own_get_queryset: admin.get_queryset.is_some(),
            select: Some(select),
            attribute_at,
            method_at: admin.body.end_byte(),
            indent,
        };
        self.facts.loops.push(LoopFact {
            sources,
            accesses,
            iter_range: default_column,
            body_range: TextRange::of(admin.body),
            sole_consumer: false,
            changelist: Some(Box::new(changelist)),
        });
    }

    /// What `columns` read of each row, each access placed at its column and named as
    /// read through the class's `attribute` unless a method or function reads it.
    fn read_columns(
        &mut self,
        admin: &AdminClass<'a>,
        model: ModelId,
        columns: Vec<(TextRange, Option<Column>)>,
        attribute: &str,
    ) -> ColumnReads {
        // The class's methods are called with the row like helpers given it.
        let outer = self.local_functions.clone();
        for (name, (def, member)) in &admin.methods {
            if *member == Member::Method {
                self.local_functions
                    .insert(format!("{}.{name}", admin.name), *def);
            }
        }
        let mut read = ColumnReads::default();
        for (range, column) in columns {
            let Some(column) = column else {
                read.unseen = true;
                continue;
            };
            read.foreign_keys.extend(column.foreign_key);
            for mut access in self.resolve_uses(model, &column.uses) {
                access.range = range;
                access
                    .via
                    .get_or_insert_with(|| format!("{}.{attribute}", admin.name));
                read.accesses.push(access);
            }
        }
        self.local_functions = outer;
        read
    }

    /// How `list_select_related` is written; `None` when it cannot be read.
    fn select_setting(&self, admin: &AdminClass<'a>) -> Option<SelectSetting> {
        let Some(value) = admin.value("list_select_related") else {
            return Some(SelectSetting::Default {
                value: None,
                automatic: false,
            });
        };
        let range = TextRange::of(value);
        match value.kind() {
            "false" => Some(SelectSetting::Default {
                value: Some(range),
                automatic: false,
            }),
            "true" => Some(SelectSetting::All { value: range }),
            "list" | "tuple" => {
                let items = items(value)?;
                if !items.iter().all(|i| string_value(*i, self.src()).is_some()) {
                    return None;
                }
                Some(SelectSetting::Names {
                    value: range,
                    last: items.last().map(|n| TextRange::of(*n)),
                    quote: items.first().and_then(|n| quote_of(*n, self.src())),
                })
            }
            _ => None,
        }
    }

    /// What `ModelAdmin.get_queryset()` returns: the class's override, read like a
    /// view's, else the default manager's rows (with nothing in the file to edit).
    fn admin_queryset(&mut self, admin: &AdminClass<'a>, model: ModelId) -> Option<Vec<Qs>> {
        let values = match admin.get_queryset {
            Some(_) => {
                let key = admin.class.start_byte();
                let mut view = ViewClass::new(admin.class, ViewBase::default(), Some(Vec::new()));
                view.model = Some(model);
                view.get_queryset = admin.get_queryset;
                view.methods = admin.methods.clone();
                let previous = self.views.insert(key, view);
                let values = self.view_get_queryset(key, admin.class);
                match previous {
                    Some(previous) => self.views.insert(key, previous),
                    None => self.views.remove(&key),
                };
                values
            }
            None => {
                let manager = self.index.model(model).managers.first()?;
                let mut qs = Qs::new(model, None);
                qs.applied = manager.applied.clone();
                qs.applied.unknown |= manager.opaque;
                vec![Value::Qs(qs)]
            }
        };
        let rows = rows_of(&values.iter().collect::<Vec<_>>())?;
        rows.iter().all(|qs| qs.model == model).then_some(rows)
    }
}

/// What a changelist's or inline's columns read of each row.
#[derive(Default)]
struct ColumnReads {
    accesses: Vec<Access>,
    /// The forward foreign keys columns name by their name.
    foreign_keys: Vec<String>,
    /// Some column reads what the analysis cannot see.
    unseen: bool,
}

/// The names a `list_select_related` list or tuple gives, when it is one.
fn admin_names(admin: &AdminClass<'_>, walker: &Walker<'_>) -> Vec<String> {
    let Some(value) = admin.value("list_select_related") else {
        return Vec::new();
    };
    items(value)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|n| string_value(n, walker.src()).map(str::to_string))
        .collect()
}

/// Which Django versions' automatic selection may apply.
#[derive(Clone, Copy)]
struct Versions {
    /// Up to 6.0: `select_related()`.
    bare: bool,
    /// From 6.1: the foreign keys the entries name.
    named: bool,
}

impl Versions {
    /// The installed version's, or both when it is not known.
    fn of(version: Option<(u32, u32)>) -> Self {
        match version {
            Some(version) => Versions {
                bare: version < (6, 1),
                named: version >= (6, 1),
            },
            None => Versions {
                bare: true,
                named: true,
            },
        }
    }
}

/// The changelist's rows: `get_queryset()`'s, with `list_select_related` applied when
/// they select nothing yet. Under the default, each possible Django version's own
/// selection is one alternative.
fn changelist_rows(
    base: Vec<Qs>,
    select: &SelectSetting,
    foreign_keys: &[String],
    names: &[String],
    versions: Versions,
) -> Vec<Qs> {
    let mut rows = Vec::new();
    for qs in base {
        if !qs.applied.select_related.is_empty() || qs.applied.select_related_all {
            rows.push(qs);
            continue;
        }
        match select {
            SelectSetting::All { .. } => {
                let mut all = qs;
                all.applied.select_related_all = true;
                rows.push(all);
            }
            SelectSetting::Names { .. } => {
                let mut named = qs;
                named.applied.select_related.extend(names.iter().cloned());
                rows.push(named);
            }
            SelectSetting::Default { .. } if foreign_keys.is_empty() => rows.push(qs),
            SelectSetting::Default { .. } => {
                if versions.bare {
                    let mut bare = qs.clone();
                    bare.applied.select_related_all = true;
                    rows.push(bare);
                }
                if versions.named {
                    let mut named = qs;
                    named
                        .applied
                        .select_related
                        .extend(foreign_keys.iter().cloned());
                    rows.push(named);
                }
            }
        }
    }
    rows
}

/// Every relation path `accesses` load that `select_related` can follow.
fn single_paths<'x>(accesses: impl Iterator<Item = &'x Access>) -> Vec<String> {
    let mut paths = BTreeSet::new();
    for access in accesses {
        if let AccessKind::Load { path } = &access.kind
            && path.iter().all(Hop::is_selectable)
        {
            paths.insert(lookup_path(path));
        }
    }
    paths.into_iter().collect()
}

/// The indentation of the first statement of `body`.
fn indentation(body: Node<'_>, src: &str) -> String {
    let start = line_start(body, src);
    src[start..body.start_byte()].to_string()
}

/// The start of the line `node` starts on.
fn line_start(node: Node<'_>, src: &str) -> usize {
    src[..node.start_byte()].rfind('\n').map_or(0, |i| i + 1)
}

/// The start of the line after the one `node` ends on.
fn line_after(node: Node<'_>, src: &str) -> usize {
    src[node.end_byte()..]
        .find('\n')
        .map_or(src.len(), |i| node.end_byte() + i + 1)
}
