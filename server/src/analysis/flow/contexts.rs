//! Template contexts built in a variable: `ctx = {"posts": posts}`, then
//! `ctx["authors"] = authors` or `ctx.update(...)`, then `render(request, name, ctx)`.
//! The dictionary is a value of its own ([`Value::Dict`]) that keeps, per string key,
//! the rows (or single objects) last stored there and where they were written, so a
//! template's loop over a key is reported where the rows went into the context.
//!
//! A dictionary only keeps what it can be sure of: a key whose value is not rows is
//! known to hold something else; `**spread` entries, a store under a key that is not a
//! literal, or any method other than `update` with literal keys make it open, and an
//! absent key of an open dictionary is unknown.

use tree_sitter::Node;

use crate::syntax::fields::FIELDS;
use crate::syntax::node::{call_args, string_value, text};
use crate::text::TextRange;

use crate::index::ModelId;

use super::values::{Env, Obj, Qs, Value, rows_of};
use super::walker::Walker;

/// A dictionary with string keys, as far as the code written so far shows it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Dict {
    entries: Vec<Entry>,
    /// Keys may exist that are not in `entries`.
    open: bool,
}

#[derive(Debug, Clone, PartialEq)]
struct Entry {
    key: String,
    held: Held,
    /// The stored expression.
    at: TextRange,
}

/// What a key of a dictionary holds, as far as a template's reads go.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Held {
    Rows(Vec<Qs>),
    /// Single objects (`get_object_or_404(...)`): their related rows may be looped.
    Objects(Vec<Obj>),
    Other,
}

/// What a key of a dictionary holds.
pub(super) enum Stored {
    /// Written at the range.
    Held(Held, TextRange),
    /// Nothing: the key is not there.
    Absent,
    Unknown,
}

impl Held {
    /// The model of the rows or objects held.
    pub(super) fn model(&self) -> Option<ModelId> {
        match self {
            Held::Rows(rows) => Some(rows.first()?.model),
            Held::Objects(objects) => objects.first()?.model(),
            Held::Other => None,
        }
    }

    /// The same rows or objects with no queryset written in this file to fix.
    pub(super) fn without_origin(mut self) -> Self {
        match &mut self {
            Held::Rows(rows) => rows.iter_mut().for_each(|qs| qs.origin = None),
            Held::Objects(objects) => objects.iter_mut().for_each(|obj| obj.qs.origin = None),
            Held::Other => {}
        }
        self
    }
}

impl Dict {
    /// A dictionary that holds `rows` under these keys, and may hold other keys.
    pub(super) fn open_with(held: impl IntoIterator<Item = (String, Held, TextRange)>) -> Self {
        let mut dict = Dict {
            entries: Vec::new(),
            open: true,
        };
        for (key, held, at) in held {
            dict.set(key, held, at);
        }
        dict
    }

    fn set(&mut self, key: String, held: Held, at: TextRange) {
        self.entries.retain(|entry| entry.key != key);
        self.entries.push(Entry { key, held, at });
    }

    pub(super) fn get(&self, key: &str) -> Stored {
        match self.entries.iter().find(|entry| entry.key == key) {
            Some(entry) => Stored::Held(entry.held.clone(), entry.at),
            None if self.open => Stored::Unknown,
            None => Stored::Absent,
        }
    }
}

impl<'a> Walker<'a> {
    /// The value of a `dictionary` literal.
    pub(super) fn eval_dict(&mut self, node: Node<'a>, env: &Env) -> Value {
        let mut dict = Dict::default();
        let mut cursor = node.walk();
        let children: Vec<Node<'a>> = node.named_children(&mut cursor).collect();
        for child in children {
            match child.kind() {
                "pair" => {
                    let (Some(key), Some(value)) = (
                        child.child_by_field_name("key"),
                        child.child_by_field_id(FIELDS.value),
                    ) else {
                        continue;
                    };
                    match string_value(key, self.src()) {
                        Some(key) => {
                            let held = self.held_in(value, env);
                            dict.set(key.to_string(), held, TextRange::of(value));
                        }
                        None => dict.open = true,
                    }
                }
                "comment" => {}
                _ => dict.open = true,
            }
        }
        Value::Dict(Box::new(dict))
    }

    /// `name[key] = value` where `name` holds dictionaries: the key now holds the
    /// value. Whether the statement was such a store.
    pub(super) fn store_in_dict(&mut self, left: Node<'a>, right: Node<'a>, env: &mut Env) -> bool {
        let (Some(name), Some(key)) = (
            left.child_by_field_id(FIELDS.value),
            left.child_by_field_id(FIELDS.subscript),
        ) else {
            return false;
        };
        if name.kind() != "identifier" || !self.holds_dicts(name, env) {
            return false;
        }
        let key = string_value(key, self.src()).map(str::to_string);
        let held = self.held_in(right, env);
        let name = self.file.text(name).to_string();
        for value in env.get_mut(&name).into_iter().flatten() {
            if let Value::Dict(dict) = value {
                match &key {
                    Some(key) => dict.set(key.clone(), held.clone(), TextRange::of(right)),
                    None => dict.open = true,
                }
            }
        }
        true
    }

    /// `name.method(...)` as a statement, where `name` holds dictionaries: `update` with
    /// a dict literal or keywords stores them; any other method may store anything.
    pub(super) fn call_on_dict(&mut self, call: Node<'a>, env: &mut Env) {
        let Some(function) = call.child_by_field_id(FIELDS.function) else {
            return;
        };
        let (Some(name), Some(method)) = (
            function.child_by_field_id(FIELDS.object),
            function.child_by_field_id(FIELDS.attribute),
        ) else {
            return;
        };
        if function.kind() != "attribute"
            || name.kind() != "identifier"
            || !self.holds_dicts(name, env)
        {
            return;
        }
        let stored = if text(method, self.src()) == "update" {
            self.updated(call, env)
        } else {
            None
        };
        let name = self.file.text(name).to_string();
        for value in env.get_mut(&name).into_iter().flatten() {
            if let Value::Dict(dict) = value {
                match &stored {
                    Some(stored) => {
                        for entry in stored {
                            dict.set(entry.key.clone(), entry.held.clone(), entry.at);
                        }
                    }
                    None => dict.open = true,
                }
            }
        }
    }

    /// What `update(...)` stores: its keywords and the entries of a dict literal;
    /// `None` when that is not all it may store.
    fn updated(&mut self, call: Node<'a>, env: &Env) -> Option<Vec<Entry>> {
        let args = call_args(call, self.src());
        if args.has_splat || args.positional.len() > 1 {
            return None;
        }
        let mut stored = Vec::new();
        if let Some(&other) = args.positional.first() {
            if other.kind() != "dictionary" {
                return None;
            }
            let Value::Dict(dict) = self.eval_dict(other, env) else {
                return None;
            };
            if dict.open {
                return None;
            }
            stored.extend(dict.entries);
        }
        for (key, value) in &args.keywords {
            let held = self.held_in(*value, env);
            stored.push(Entry {
                key: key.clone(),
                held,
                at: TextRange::of(*value),
            });
        }
        Some(stored)
    }

    /// Whether every value `name` may hold is a dictionary.
    fn holds_dicts(&self, name: Node<'a>, env: &Env) -> bool {
        env.get(self.file.text(name))
            .is_some_and(|values| values.iter().all(|v| matches!(v, Value::Dict(_))))
    }

    /// What an expression gives a template: rows, objects, or anything else.
    fn held_in(&mut self, value: Node<'a>, env: &Env) -> Held {
        held_of(self.eval(value, env))
    }
}

/// What the values an expression may have give a template: rows when all are rows of
/// one model, objects when all are objects, else something else.
pub(super) fn held_of(values: Vec<Value>) -> Held {
    if let Some(rows) = rows_of(&values.iter().collect::<Vec<_>>()) {
        return Held::Rows(rows);
    }
    let objects: Option<Vec<Obj>> = values
        .into_iter()
        .map(|value| match value {
            Value::Obj(obj) => Some(obj),
            _ => None,
        })
        .collect();
    match objects {
        Some(objects) if !objects.is_empty() => Held::Objects(objects),
        _ => Held::Other,
    }
}

/// The dictionaries the values an expression may have are, when all are.
pub(super) fn dicts_of(values: Vec<Value>) -> Option<Vec<Dict>> {
    let dicts: Vec<Dict> = values
        .into_iter()
        .map(|value| match value {
            Value::Dict(dict) => Some(*dict),
            _ => None,
        })
        .collect::<Option<_>>()?;
    (!dicts.is_empty()).then_some(dicts)
}
