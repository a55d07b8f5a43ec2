//! Rows handed to a DRF serializer of the project: `PostSerializer(posts, many=True).data`
//! and DRF's list views and viewsets (`queryset`/`get_queryset()` with
//! `serializer_class`). Each row is read as the serializer's summary says
//! (`analysis::serializers`): a loop over the rows recorded at the queryset, with each
//! read naming the serializer field, so ORM101/ORM102 and their fixes land on it.
//!
//! Only rows serialised as a list count (`many=True`, a list action): one object
//! serialised reads its relations once. A serializer that cannot be summarised, a view
//! that overrides how it lists or which serializer it uses, says nothing.

use std::cell::RefCell;

use tree_sitter::Node;

use crate::analysis::access::Access;
use crate::analysis::serializers::{self, ClassFile, Classes, Read, ReadKind, Serializer};
use crate::analysis::sources::{ModuleRead, ModuleSources};
use crate::index::{ImportMap, ModelIndex};
use crate::syntax::SourceFile;
use crate::syntax::fields::FIELDS;
use crate::syntax::node::{CallArgs, assignment_sides, descendants, dotted_name, string_value};
use crate::text::{TextRange, content_hash};

use super::facts::LoopFact;
use super::serializer_uses::python_uses;
use super::values::{Env, Qs, Value, each_row, related_rows, rows_of};
use super::walker::{Walker, parameter_names};

/// DRF's views and viewsets whose list action serialises `get_queryset()`'s rows with
/// `get_serializer(many=True)`.
const DRF_LIST: [&str; 5] = [
    "ListAPIView",
    "ListCreateAPIView",
    "ModelViewSet",
    "ReadOnlyModelViewSet",
    "ListModelMixin",
];

/// Methods whose override changes what the list action serialises, or with what.
const LIST_OVERRIDES: [&str; 3] = ["list", "get", "get_serializer"];

/// The project's modules as the serializer summary reads them, each read recorded.
struct Loader<'s> {
    index: &'s ModelIndex,
    here: &'s SourceFile,
    here_imports: Option<&'s ImportMap>,
    sources: &'s dyn ModuleSources,
    read: RefCell<Vec<ModuleRead>>,
}

impl Classes for Loader<'_> {
    fn index(&self) -> &ModelIndex {
        self.index
    }

    fn file(&self, module: &str) -> Option<ClassFile<'_>> {
        if module == self.here.module {
            // The facts of a view hold while the serializer, maybe in another definition
            // of the same file, is unchanged.
            self.read.borrow_mut().push(ModuleRead {
                module: module.to_string(),
                hash: content_hash(&self.here.source),
            });
            return Some(ClassFile::Here(self.here));
        }
        let text = self.sources.module(module)?;
        self.read.borrow_mut().push(text.read());
        Some(ClassFile::Elsewhere(text))
    }

    fn imports(&self, module: &str) -> Option<&ImportMap> {
        (module == self.here.module)
            .then_some(self.here_imports)
            .flatten()
    }
}

impl<'a> Walker<'a> {
    /// The summary of the project's serializer class `dotted` names here.
    fn serializer_named(&mut self, dotted: &[String]) -> Option<Serializer> {
        let sources = self.sources?;
        let (module, class) = self
            .index
            .project_class(self.imports, &self.file.module, dotted)?;
        let loader = Loader {
            index: self.index,
            here: self.file,
            here_imports: self.imports,
            sources,
            read: RefCell::default(),
        };
        let summary = serializers::summarize(&loader, &module, &class);
        self.facts.read_modules(loader.read.into_inner());
        summary.ok()
    }

    /// `XSerializer(rows, many=True)` whose `.data` is read (on the call, or on the name
    /// it is assigned to in `scope`): the serializer reads each row.
    pub(super) fn serialized(
        &mut self,
        call: Node<'a>,
        function: Node<'a>,
        args: &CallArgs<'a>,
        env: &Env,
        scope: Node<'a>,
    ) {
        if args
            .keyword("many")
            .is_none_or(|many| self.file.text(many) != "True")
        {
            return;
        }
        let Some(instance) = args
            .positional
            .first()
            .copied()
            .or_else(|| args.keyword("instance"))
        else {
            return;
        };
        if !self.data_read(call, scope) {
            return;
        }
        let Some(dotted) = dotted_name(function, self.src()) else {
            return;
        };
        let summary = match &dotted[..] {
            [receiver, method] if method == "get_serializer" => {
                match env.get(receiver).map(Vec::as_slice) {
                    Some([Value::View(key)]) => self.view_serializer(*key, None),
                    _ => None,
                }
            }
            _ => self.serializer_named(&dotted),
        };
        let Some(summary) = summary else {
            return;
        };
        let values = self.eval(instance, env);
        if let Some(rows) = rows_of(&values.iter().collect::<Vec<_>>()) {
            self.rows_serialized(&rows, &summary, TextRange::of(instance));
        }
    }

    /// `call.data`, or `name = call` and `name.data` in `scope`.
    fn data_read(&self, call: Node<'a>, scope: Node<'a>) -> bool {
        let Some(parent) = call.parent() else {
            return false;
        };
        let attribute = |node: Node<'a>| {
            node.kind() == "attribute"
                && node
                    .child_by_field_id(FIELDS.attribute)
                    .is_some_and(|a| self.file.text(a) == "data")
        };
        if attribute(parent) {
            return true;
        }
        let Some((left, _)) = parent.parent().and_then(assignment_sides) else {
            return false;
        };
        if left.kind() != "identifier" {
            return false;
        }
        let name = self.file.text(left);
        descendants(scope).any(|node| {
            attribute(node)
                && node
                    .child_by_field_id(FIELDS.object)
                    .is_some_and(|o| o.kind() == "identifier" && self.file.text(o) == name)
        })
    }

    /// A DRF list view or viewset (view `key`): its list action
    /// serialises the rows of `get_queryset()` with its serializer.
    pub(super) fn serialized_view(&mut self, key: usize) {
        let Some(view) = self.views.get(&key) else {
            return;
        };
        let (queryset, get_queryset, project_get_queryset, serializer_class) = (
            view.queryset,
            view.get_queryset,
            view.base.project_get_queryset,
            view.serializer_class,
        );
        let own_get_queryset = get_queryset.is_some();
        if !self.lists_rows(key) {
            return;
        }
        let Some(summary) = self.view_serializer(key, Some("list")) else {
            return;
        };
        // Where the rows are built: the `queryset` attribute, the one value the view's
        // own `get_queryset()` returns, else where the serializer is named.
        let at = match (queryset, own_get_queryset) {
            (Some(queryset), false) if !project_get_queryset => Some(queryset),
            (_, true) => get_queryset.and_then(|def| match returned_values(def)[..] {
                [value] => Some(value),
                _ => None,
            }),
            _ => None,
        };
        let Some(at) = at.or(serializer_class) else {
            return;
        };
        let values = self.view_get_queryset(key, at);
        if let Some(rows) = rows_of(&values.iter().collect::<Vec<_>>()) {
            self.rows_serialized(&rows, &summary, TextRange::of(at));
        }
    }

    /// View `key` derives from a DRF list view, and nothing of the project overrides
    /// how it lists.
    fn lists_rows(&self, key: usize) -> bool {
        let Some(view) = self.views.get(&key) else {
            return false;
        };
        let Some(bases) = &view.bases else {
            return false;
        };
        let lineage = self.index.lineage(self.imports, &self.file.module, bases);
        let overridden = LIST_OVERRIDES
            .iter()
            .any(|m| view.methods.contains_key(*m) || lineage.defines.contains(*m));
        let lists = lineage.external.iter().any(|path| {
            path.starts_with("rest_framework.")
                && DRF_LIST.contains(&path.rsplit('.').next().unwrap_or_default())
        });
        lists && !lineage.unread && !overridden
    }

    /// The serializer view `key` uses: its `serializer_class`, or the one class its own
    /// `get_serializer_class()` returns.
    fn view_serializer(&mut self, key: usize, action: Option<&str>) -> Option<Serializer> {
        let view = self.views.get(&key)?;
        let bases = view.bases.as_ref()?;
        let lineage = self.index.lineage(self.imports, &self.file.module, bases);
        if lineage.unread
            || ["get_serializer", "serializer_class"]
                .iter()
                .any(|m| view.methods.contains_key(*m) || lineage.defines.contains(*m))
        {
            return None;
        }
        let dotted = match view.methods.get("get_serializer_class") {
            Some(&(def, _)) => self
                .one_returned_class(def)
                .or_else(|| action.and_then(|a| self.class_for_action(def, a)))?,
            None if lineage.defines.contains("get_serializer_class") => return None,
            None => dotted_name(view.serializer_class?, self.src())?,
        };
        self.serializer_named(&dotted)
    }

    /// The class `def` (a `get_serializer_class()`) returns for `action` when its first
    /// statement is `if self.action == "<action>": return X` (or `in (...)` naming it):
    /// the statements after it are not run then.
    fn class_for_action(&self, def: Node<'a>, action: &str) -> Option<Vec<String>> {
        let body = def.child_by_field_id(FIELDS.body)?;
        let first = body.named_child(0).filter(|s| s.kind() == "if_statement")?;
        let condition = first.child_by_field_id(FIELDS.condition)?;
        let receiver = parameter_names(def, self.src()).into_iter().next()?;
        let src = self.src();
        let mut cursor = condition.walk();
        let parts: Vec<Node<'a>> = condition.children(&mut cursor).collect();
        let [left, operator, right] = parts[..] else {
            return None;
        };
        if condition.kind() != "comparison_operator"
            || dotted_name(left, src)? != [receiver.as_str(), "action"]
        {
            return None;
        }
        let named = match (self.file.text(operator), right.kind()) {
            ("==", "string") => string_value(right, src) == Some(action),
            ("in", "tuple" | "list" | "set") => {
                let mut cursor = right.walk();
                let mut items = right.named_children(&mut cursor);
                items.any(|item| string_value(item, src) == Some(action))
            }
            _ => false,
        };
        let consequence = first.child_by_field_id(FIELDS.consequence)?;
        match (named, consequence.named_child_count()) {
            (true, 1) => {
                let value = consequence
                    .named_child(0)
                    .filter(|r| r.kind() == "return_statement")?
                    .named_child(0)?;
                dotted_name(value, src)
            }
            _ => None,
        }
    }

    /// The class every `return` of `def` names, when they all name one.
    fn one_returned_class(&self, def: Node<'a>) -> Option<Vec<String>> {
        let mut returned: Option<Vec<String>> = None;
        for value in returned_values(def) {
            let dotted = dotted_name(value, self.src())?;
            if returned.as_ref().is_some_and(|r| *r != dotted) {
                return None;
            }
            returned = Some(dotted);
        }
        returned
    }

    /// The loop of `summary` over `rows`, its reads at `at`; a nested serializer's rows
    /// (`many=True`) are loops of their own over the related rows.
    fn rows_serialized(&mut self, rows: &[Qs], summary: &Serializer, at: TextRange) {
        let Some(model) = rows.first().map(|qs| qs.model) else {
            return;
        };
        if summary.model.is_some_and(|m| m != model) {
            return;
        }
        self.rows_read(rows, &summary.reads, &summary.class, at);
    }

    fn rows_read(&mut self, rows: &[Qs], reads: &[Read], class: &str, at: TextRange) {
        let Some(model) = rows.first().map(|qs| qs.model) else {
            return;
        };
        let mut accesses = Vec::new();
        for read in reads {
            let uses = python_uses(self.index, model, read, at);
            let mut resolved: Vec<Access> = self.resolve_uses(model, &uses);
            for access in &mut resolved {
                access.range = at;
                access.via = Some(format!("{class}.{}", read.field));
            }
            accesses.extend(resolved);
            if let ReadKind::Rows(inner) = &read.kind
                && !inner.is_empty()
                && let Some(related) = related_rows(self.index, &each_row(rows), &read.path)
            {
                self.rows_read(&related, inner, class, at);
            }
        }
        self.facts.loops.push(LoopFact {
            sources: rows.to_vec(),
            accesses,
            iter_range: at,
            body_range: at,
            sole_consumer: false,
            changelist: None,
        });
    }
}

/// The values the `return` statements of `def` return (a bare `return` returns none).
fn returned_values(def: Node<'_>) -> Vec<Node<'_>> {
    let Some(body) = def.child_by_field_id(FIELDS.body) else {
        return Vec::new();
    };
    descendants(body)
        .filter(|n| n.kind() == "return_statement")
        .filter_map(|n| n.named_child(0))
        .collect()
}
