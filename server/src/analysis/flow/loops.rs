//! Rows iterated: which loop variable holds a row, and what the loop reads from it.

use std::cell::RefCell;
use std::collections::HashMap;

use tree_sitter::Node;

use crate::analysis::access::{self, Access};
use crate::index::ModelId;
use crate::syntax::branches;
use crate::syntax::fields::FIELDS;
use crate::syntax::node::{call_args, descendants, text};
use crate::syntax::uses::{Use, uses_of};
use crate::text::TextRange;

use super::facts::LoopFact;
use super::row_free::fetches_no_rows;
use super::values::{Qs, Value, rows_of};
use super::walker::Walker;

/// The identifier is a parameter's name (`rows` of `def f(rows, n=1, *, k: int)`).
fn is_parameter(node: Node<'_>) -> bool {
    node.parent().is_some_and(|parent| match parent.kind() {
        "parameters" | "lambda_parameters" => true,
        "default_parameter" | "typed_default_parameter" => {
            parent.child_by_field_id(FIELDS.name) == Some(node)
        }
        "typed_parameter" => parent.named_child(0) == Some(node),
        _ => false,
    })
}

/// `name = name.filter(...)`-style mentions: the name is (re)assigned, or read only to
/// build its own new value.
pub(super) fn is_self_assignment(node: Node<'_>, name: &str, src: &str) -> bool {
    let mut current = node;
    while let Some(parent) = current.parent() {
        match parent.kind() {
            "assignment" => {
                let left = parent.child_by_field_id(FIELDS.left);
                if left == Some(current) {
                    return true;
                }
                return left.is_some_and(|l| l.kind() == "identifier" && text(l, src) == name);
            }
            "attribute" | "call" | "argument_list" | "keyword_argument" | "subscript" => {
                current = parent;
            }
            _ => return false,
        }
    }
    false
}

impl<'a> Walker<'a> {
    /// What `uses` of an object of `model` do (`access::resolve_use`), with this file's
    /// functions and the closures in scope as helpers; the modules read are recorded.
    pub(super) fn resolve_uses(&mut self, model: ModelId, uses: &[Use]) -> Vec<Access> {
        let imports = self
            .imports
            .or_else(|| self.index.imports_of(&self.file.module));
        let read = RefCell::new(Vec::new());
        let with_closures: HashMap<String, Node<'a>>;
        let functions = if self.local_functions.is_empty() {
            self.functions
        } else {
            with_closures = self
                .functions
                .iter()
                .chain(&self.local_functions)
                .map(|(name, def)| (name.clone(), *def))
                .collect();
            &with_closures
        };
        let ctx = access::Ctx {
            index: self.index,
            file: self.file,
            functions,
            elsewhere: self.sources.zip(imports),
            read: &read,
        };
        let mut accesses = Vec::new();
        for u in uses {
            access::resolve_use(&ctx, model, u, &mut accesses, 0);
        }
        self.facts.read_modules(read.into_inner());
        accesses
    }

    /// The loop variable bound to a row when `values` are all rows of one model:
    /// `for p in qs`, `for i, p in enumerate(qs)`.
    pub(super) fn row_binding(
        &self,
        left: Node<'a>,
        values: &[Value],
    ) -> Option<(String, Vec<Qs>)> {
        let (target, values): (Node<'a>, Vec<&Value>) = match left.kind() {
            "identifier" => (left, values.iter().collect()),
            "pattern_list" | "tuple_pattern" => {
                let mut cursor = left.walk();
                let items: Vec<Node<'a>> = left.named_children(&mut cursor).collect();
                if items.len() != 2 || items[1].kind() != "identifier" {
                    return None;
                }
                let inner: Option<Vec<&Value>> = values
                    .iter()
                    .map(|v| match v {
                        Value::Enumerate(inner) => Some(inner.as_ref()),
                        _ => None,
                    })
                    .collect();
                (items[1], inner?)
            }
            _ => return None,
        };
        let rows = rows_of(&values)?;
        Some((text(target, self.src()).to_string(), rows))
    }

    /// Records what each row of `rows` bound to `var` is used for in `reads` (the body,
    /// first, and the other places that read it), outside the `untaken` branches.
    pub(super) fn record_loop(
        &mut self,
        rows: &[Qs],
        reads: &[Node<'a>],
        var: &str,
        iter: Node<'a>,
        sole_consumer: bool,
        untaken: &[TextRange],
    ) {
        let Some(&body) = reads.first() else {
            return;
        };
        let key = (
            iter.start_byte(),
            body.start_byte(),
            self.context_hash(rows),
        );
        if !self.seen.insert(key) {
            return;
        }
        let model = rows[0].model;
        let mut uses = Vec::new();
        for node in reads {
            uses.extend(uses_of(*node, var, self.src()));
        }
        uses.retain(|u| branches::reached(u.start(), untaken));
        let mut accesses = self.resolve_uses(model, &uses);
        // `row.book = other` puts `other` in the cache: later reads of `row.book`, here or
        // in a method the loop calls, cost nothing.
        let assigned: Vec<&str> = uses
            .iter()
            .filter_map(|u| match u {
                Use::Chain {
                    segments,
                    store: true,
                    ..
                } if segments.len() == 1 => Some(segments[0].name.as_str()),
                _ => None,
            })
            .collect();
        accesses.retain(|a| match &a.kind {
            access::AccessKind::Load { path } | access::AccessKind::IdRead { path } => {
                !assigned.contains(&path[0].name.as_str())
            }
            _ => true,
        });
        self.facts.loops.push(LoopFact {
            sources: rows.to_vec(),
            accesses,
            iter_range: TextRange::of(iter),
            body_range: TextRange::of(body),
            sole_consumer,
            changelist: None,
        });
    }

    /// What the rows' facts depend on beyond the loop's place: the querysets and the
    /// helper calls being followed.
    pub(super) fn context_hash(&self, rows: &[Qs]) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        for qs in rows {
            qs.origin.hash(&mut h);
            qs.model.hash(&mut h);
        }
        self.active.hash(&mut h);
        h.finish()
    }

    /// The queryset in `iter` is used by this loop only: an inline chain, or a name
    /// every other mention of which assigns it.
    pub(super) fn sole_consumer(&self, iter: Node<'a>, scope: Node<'a>) -> bool {
        let mut base = iter;
        loop {
            let next = match base.kind() {
                "identifier" => break,
                "call" => {
                    let Some(function) = base.child_by_field_id(FIELDS.function) else {
                        return false;
                    };
                    if function.kind() == "identifier" {
                        // `list(qs)`, `enumerate(qs)`: the rows are the argument's; a name
                        // called is not the receiver of anything.
                        let args = call_args(base, self.src());
                        // `sorted(qs, key=lambda p: p.slug)`: the key reads the rows too.
                        if !args.keywords.is_empty() {
                            return false;
                        }
                        match (self.file.text(function), args.positional.first()) {
                            ("list" | "sorted" | "tuple" | "reversed" | "enumerate", Some(arg)) => {
                                *arg
                            }
                            _ => return false,
                        }
                    } else {
                        function
                    }
                }
                "attribute" => match base.child_by_field_id(FIELDS.object) {
                    Some(object) => object,
                    None => return false,
                },
                "subscript" => match base.child_by_field_id(FIELDS.value) {
                    Some(value) => value,
                    None => return false,
                },
                // An expression that is no name: inline, unless it is all there is.
                _ => return base != iter,
            };
            base = next;
        }
        // A chain on a model class (`Post.objects...`) is inline; on a variable, not.
        if base != iter
            && self
                .resolve_model(&[self.file.text(base).to_string()])
                .is_some()
        {
            return true;
        }
        self.only_rows_read_here(base, scope)
    }

    /// Like [`Self::only_assigned_elsewhere`], and mentions that fetch no rows
    /// (`qs.count()`) do not use them either. A nested function may loop over a
    /// queryset of the function around it, which uses it too: the outermost function is
    /// searched.
    fn only_rows_read_here(&self, node: Node<'a>, scope: Node<'a>) -> bool {
        // Its body: the function's own name (`def flips(...)`) may be the queryset's.
        let outermost = std::iter::successors(Some(scope), |n| n.parent())
            .filter(|n| n.kind() == "function_definition")
            .last()
            .and_then(|def| def.child_by_field_id(FIELDS.body))
            .unwrap_or(scope);
        // A parameter names the value, of this function or of a nested one, and uses
        // nothing.
        self.other_mentions_all(node, outermost, |n, name| {
            is_self_assignment(n, name, self.src())
                || fetches_no_rows(n, self.src())
                || is_parameter(n)
        })
    }

    /// Every other mention of the name `node` in `scope` (re)assigns it. Not known of a
    /// module-level name in a patched file: its module is read from several trees.
    pub(super) fn only_assigned_elsewhere(&self, node: Node<'a>, scope: Node<'a>) -> bool {
        self.other_mentions_all(node, scope, |n, name| {
            is_self_assignment(n, name, self.src())
        })
    }

    fn other_mentions_all(
        &self,
        node: Node<'a>,
        scope: Node<'a>,
        allowed: impl Fn(Node<'a>, &str) -> bool,
    ) -> bool {
        if self.file.is_patched() && scope.kind() == "module" {
            return false;
        }
        let name = self.file.text(node);
        descendants(scope)
            .filter(|n| n.kind() == "identifier" && self.file.text(*n) == name && *n != node)
            .all(|n| allowed(n, name))
    }
}
