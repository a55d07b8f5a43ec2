//! What reading an attribute chain from an object of a model does: read a column, load a
//! related object, use a related manager, or something we cannot see. Model methods and
//! properties, module helpers that receive the object, and the `__str__` that turning it
//! into text runs (`text.rs`) are followed by their bodies.

mod text;

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use tree_sitter::Node;

use crate::analysis::sources::{ModuleRead, ModuleSources, function_elsewhere};
use crate::index::queryset_api::{self, OnPrefetched};
use crate::index::{
    Attribute, FieldKind, ImportMap, MethodKind, MethodSummary, ModelId, ModelIndex, ReverseKind,
};
use crate::syntax::SourceFile;
use crate::syntax::branches::{self, constant_parameters};
use crate::syntax::fields::FIELDS;
use crate::syntax::format_strings::Formatting;
use crate::syntax::node::call_args;
use crate::syntax::uses::{ArgPosition, Segment, Use, uses_of};
use crate::text::TextRange;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HopKind {
    ForwardFk,
    ForwardOneToOne,
    ReverseOneToOne,
    /// Many-to-many (either side), reverse foreign key, generic relation.
    Many,
    GenericFk,
}

/// One relation crossed from an object to another.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Hop {
    pub name: String,
    pub kind: HopKind,
    /// `None` when the target could not be resolved (or is generic).
    pub target: Option<ModelId>,
    pub nullable: bool,
    /// For a reverse foreign key: the foreign key on the target pointing back, which
    /// Django fills from the parent for free; for a one-to-one (either side): the
    /// attribute of the other side, which Django fills from this one.
    pub back_ref: Option<String>,
}

impl Hop {
    pub fn is_many(&self) -> bool {
        self.kind == HopKind::Many
    }

    /// `select_related` can follow it.
    pub fn is_selectable(&self) -> bool {
        matches!(
            self.kind,
            HopKind::ForwardFk | HopKind::ForwardOneToOne | HopKind::ReverseOneToOne
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ManyOp {
    /// `.all()`, `.count()`, `.exists()`, iteration: served by a prefetch.
    Cached,
    /// `.filter()` and the like: a new query whatever was prefetched.
    Bypass(String),
    /// `.first()`: cached only when the related model has a default ordering.
    First,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccessKind {
    /// A column of the object itself (`title`, `author_id` as field `author`).
    Column {
        field: String,
    },
    Pk,
    /// A single related object loaded through `path` (from the object).
    Load {
        path: Vec<Hop>,
    },
    /// A related manager used at the end of `path`.
    Many {
        path: Vec<Hop>,
        op: ManyOp,
    },
    /// `obj.author.id`: reported by its own rule, not as a load.
    IdRead {
        path: Vec<Hop>,
    },
    /// Anything we cannot describe: a method we cannot see, the object passed on, stored to.
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Access {
    pub kind: AccessKind,
    /// Where in the analysed code the access happens (the call site when `via` is set).
    pub range: TextRange,
    /// The method, property or helper through which it happens.
    pub via: Option<String>,
    /// The lookup in another file that makes it (a template's `{{ post.author }}`).
    pub read_in: Option<Arc<ReadIn>>,
}

/// A place in another file of the project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadIn {
    pub path: PathBuf,
    pub range: TextRange,
}

pub struct Ctx<'a, 't> {
    pub index: &'a ModelIndex,
    pub file: &'a SourceFile,
    pub functions: &'a HashMap<String, Node<'t>>,
    /// The project's other modules and this file's imports: helpers imported from
    /// another module are followed there.
    pub elsewhere: Option<(&'a dyn ModuleSources, &'a ImportMap)>,
    /// The other modules followed helpers were read from.
    pub read: &'a RefCell<Vec<ModuleRead>>,
}

const MAX_DEPTH: usize = 3;

/// Appends to `out` what `u`, a use of an object of `model`, does.
pub fn resolve_use(
    ctx: &Ctx<'_, '_>,
    model: ModelId,
    u: &Use,
    out: &mut Vec<Access>,
    depth: usize,
) {
    resolve_at(ctx, model, &[], u, out, depth, None, true);
}

#[allow(clippy::too_many_arguments)]
fn resolve_at(
    ctx: &Ctx<'_, '_>,
    model: ModelId,
    base: &[Hop],
    u: &Use,
    out: &mut Vec<Access>,
    depth: usize,
    via: Option<&(String, TextRange)>,
    local: bool,
) {
    match u {
        Use::Chain {
            segments,
            store,
            formatted,
        } => {
            if *store && segments.len() == 1 {
                out.push(other(segments[0].range, via));
                return;
            }
            let chain = Chain {
                segments,
                formatted: formatted.as_ref(),
                local,
            };
            resolve_segments(ctx, model, base.to_vec(), chain, out, depth, via);
        }
        Use::Argument {
            callee,
            position,
            range,
        } => {
            let followed = local
                && depth < MAX_DEPTH
                && follow_helper(
                    ctx,
                    model,
                    base,
                    (callee, position, *range),
                    out,
                    depth,
                    via,
                );
            if !followed {
                out.push(other(*range, via));
            }
        }
        Use::Formatted(formatting) => {
            text::format_object(ctx, model, base, formatting, out, depth, via, local);
        }
        Use::Other { range } => out.push(other(*range, via)),
    }
}

/// What the helper a call passes the object to reads of it, each read placed at the
/// call: a function of this file, or one imported from another module of the project
/// (what that one passes on is not followed: its names are the other module's). `false`
/// when the call names no helper we can read.
fn follow_helper(
    ctx: &Ctx<'_, '_>,
    model: ModelId,
    base: &[Hop],
    (callee, position, range): (&[String], &ArgPosition, TextRange),
    out: &mut Vec<Access>,
    depth: usize,
    via: Option<&(String, TextRange)>,
) -> bool {
    let here_def = (callee.len() == 1)
        .then(|| ctx.functions.get(&callee[0]).copied())
        .flatten();
    let elsewhere = match (here_def, ctx.elsewhere) {
        (None, Some((sources, imports))) => function_elsewhere(sources, imports, callee),
        _ => None,
    };
    let (def, src, inner_local) = match (here_def, &elsewhere) {
        (Some(def), _) => (def, &*ctx.file.source, true),
        (None, Some((text, name))) => {
            ctx.read.borrow_mut().push(text.read());
            let Some(def) = text.function(name) else {
                return false;
            };
            (def, &*text.file.source, false)
        }
        (None, None) => return false,
    };
    let (Some(param), Some(body)) = (
        parameter_at(def, position, src),
        def.child_by_field_id(FIELDS.body),
    ) else {
        return false;
    };
    let here = via
        .cloned()
        .unwrap_or((format!("{}()", callee.join(".")), range));
    let untaken = untaken_in_call(ctx, range, def, src, body);
    for inner in uses_of(body, &param, src) {
        if branches::reached(inner.start(), &untaken) {
            resolve_at(
                ctx,
                model,
                base,
                &inner,
                out,
                depth + 1,
                Some(&here),
                inner_local,
            );
        }
    }
    true
}

/// The branches of `body` (of `def`, written in `def_src`) that the constants passed by
/// the call around the argument at `range` of this file rule out.
fn untaken_in_call(
    ctx: &Ctx<'_, '_>,
    range: TextRange,
    def: Node<'_>,
    def_src: &str,
    body: Node<'_>,
) -> Vec<TextRange> {
    let call = ctx
        .file
        .node_for_range(range.start, range.end)
        .and_then(|arg| {
            // The argument, maybe a keyword argument's value, in the call's list.
            std::iter::successors(arg.parent(), |n| n.parent())
                .take(3)
                .find(|n| n.kind() == "call")
        });
    let Some(call) = call else {
        return Vec::new();
    };
    let args = call_args(call, &ctx.file.source);
    let known = constant_parameters(def, def_src, &args, &ctx.file.source);
    if known.is_empty() {
        return Vec::new();
    }
    branches::untaken(body, def_src, &|name| known.get(name).copied())
}

/// What `method` reads of the object of `model` at `base`, each read placed at `here`.
fn follow_method(
    ctx: &Ctx<'_, '_>,
    model: ModelId,
    base: &[Hop],
    method: &MethodSummary,
    out: &mut Vec<Access>,
    depth: usize,
    here: &(String, TextRange),
) {
    for inner in &method.self_uses {
        // A helper named in the model's module is not one of this file's functions.
        resolve_at(ctx, model, base, inner, out, depth + 1, Some(here), false);
    }
}

/// An attribute chain, and how what it ends with is turned into text, if it is.
#[derive(Clone, Copy)]
struct Chain<'u> {
    segments: &'u [Segment],
    formatted: Option<&'u Formatting>,
    /// Written in the analysed file (not in a method body the index summarised).
    local: bool,
}

fn other(range: TextRange, via: Option<&(String, TextRange)>) -> Access {
    Access {
        kind: AccessKind::Other,
        range: via.map_or(range, |v| v.1),
        via: via.map(|v| v.0.clone()),
        read_in: None,
    }
}

fn resolve_segments(
    ctx: &Ctx<'_, '_>,
    model: ModelId,
    path: Vec<Hop>,
    chain: Chain<'_>,
    out: &mut Vec<Access>,
    depth: usize,
    via: Option<&(String, TextRange)>,
) {
    let Some((seg, rest)) = chain.segments.split_first() else {
        return;
    };
    let rest_chain = Chain {
        segments: rest,
        ..chain
    };
    let range = via.map_or(seg.range, |v| v.1);
    let via_name = via.map(|v| v.0.clone());
    let push = |out: &mut Vec<Access>, kind| {
        out.push(Access {
            kind,
            range,
            via: via_name.clone(),
            read_in: None,
        })
    };
    let Some(attribute) = ctx.index.attribute(model, &seg.name) else {
        push(out, AccessKind::Other);
        return;
    };
    match attribute {
        Attribute::Pk => {
            if path.is_empty() {
                push(out, AccessKind::Pk);
            }
        }
        Attribute::Field(field) if matches!(field.kind, FieldKind::Plain) => {
            if path.is_empty() {
                if field.primary_key {
                    push(out, AccessKind::Pk);
                } else {
                    push(
                        out,
                        AccessKind::Column {
                            field: field.name.clone(),
                        },
                    );
                }
            }
        }
        Attribute::Attname(field) => {
            if path.is_empty() {
                push(
                    out,
                    AccessKind::Column {
                        field: field.name.clone(),
                    },
                );
            }
        }
        Attribute::Field(_) | Attribute::Reverse(_) => {
            let Some(hop) = hop(ctx.index, model, &seg.name) else {
                push(out, AccessKind::Other);
                return;
            };
            let mut path = path;
            if hop.is_many() {
                let op = many_op(rest);
                path.push(hop);
                match op {
                    Some(op) => push(out, AccessKind::Many { path, op }),
                    None => push(out, AccessKind::Other),
                }
                return;
            }
            // `ingredient.image.ingredient`: loading one side of a one-to-one caches the
            // object it came from on it, so going back is the object itself.
            let back = path.last().is_some_and(|last| {
                last.kind != HopKind::Many && last.back_ref.as_deref() == Some(seg.name.as_str())
            });
            if back {
                path.pop();
                if let Some(target) = hop.target {
                    resolve_rest(ctx, target, path, rest_chain, out, depth, via);
                }
                return;
            }
            let id_read = matches!(hop.kind, HopKind::ForwardFk | HopKind::ForwardOneToOne)
                && id_column_holds_pk(ctx.index, model, &seg.name)
                && matches!(rest, [next] if !next.called && (next.name == "pk" || (next.name == "id" && target_pk_is(ctx.index, &hop, "id"))));
            let target = hop.target;
            path.push(hop);
            if id_read {
                push(out, AccessKind::IdRead { path });
                return;
            }
            push(out, AccessKind::Load { path: path.clone() });
            if let Some(target) = target {
                resolve_rest(ctx, target, path, rest_chain, out, depth, via);
            }
        }
        Attribute::Method(method) => {
            let runs = match method.kind {
                MethodKind::Method => seg.called,
                MethodKind::Property | MethodKind::CachedProperty => true,
            };
            if !runs || depth >= MAX_DEPTH || inspects_itself(&method.self_uses) {
                push(out, AccessKind::Other);
                return;
            }
            let name = match method.kind {
                MethodKind::Method => format!("{}()", method.name),
                _ => method.name.clone(),
            };
            let here = via.cloned().unwrap_or((name, seg.range));
            follow_method(ctx, model, &path, method, out, depth, &here);
            if !rest.is_empty() {
                push(out, AccessKind::Other);
            }
        }
    }
}

/// What the rest of a chain (`rest`) does on the object of `target` reached at `path`:
/// its attributes read in turn; with none left, `str(book.author)` runs the object's
/// `__str__`.
fn resolve_rest(
    ctx: &Ctx<'_, '_>,
    target: ModelId,
    path: Vec<Hop>,
    rest: Chain<'_>,
    out: &mut Vec<Access>,
    depth: usize,
    via: Option<&(String, TextRange)>,
) {
    match (rest.segments.is_empty(), rest.formatted) {
        (false, _) => resolve_segments(ctx, target, path, rest, out, depth, via),
        (true, Some(formatting)) => {
            text::format_object(ctx, target, &path, formatting, out, depth, via, rest.local);
        }
        (true, None) => {}
    }
}

/// The method asks `hasattr(self, ...)`/`getattr(self, ...)`: which attributes it reads
/// depends on the object at run time (an annotation may stand in for a column), so what
/// it reads cannot be told.
fn inspects_itself(uses: &[Use]) -> bool {
    uses.iter().any(|u| {
        matches!(u, Use::Argument { callee, position: ArgPosition::Positional(0), .. }
            if matches!(callee.as_slice(), [name] if name == "hasattr" || name == "getattr"))
    })
}

fn many_op(rest: &[Segment]) -> Option<ManyOp> {
    // `post.comments.filter(...).delete()`: a write per object, which no prefetch
    // serves or bypasses (ORM401-ORM403's).
    if rest
        .iter()
        .any(|s| s.called && crate::analysis::flow::is_write(&s.name))
    {
        return None;
    }
    let mut iter = rest.iter();
    let first = iter.next()?;
    if !first.called {
        return None;
    }
    let method = if first.name == "all" {
        match iter.next() {
            None => return Some(ManyOp::Cached),
            Some(next) if next.called => next.name.as_str(),
            Some(_) => return None,
        }
    } else {
        first.name.as_str()
    };
    Some(match queryset_api::method(method)?.on_prefetched? {
        OnPrefetched::Served => ManyOp::Cached,
        OnPrefetched::FirstRow => ManyOp::First,
        OnPrefetched::Bypassed => ManyOp::Bypass(method.to_string()),
    })
}

/// The relation `name` on `model` as a hop, if it is one.
pub fn hop(index: &ModelIndex, model: ModelId, name: &str) -> Option<Hop> {
    let hop = |kind, target, nullable, back_ref| Hop {
        name: name.to_string(),
        kind,
        target,
        nullable,
        back_ref,
    };
    match index.attribute(model, name)? {
        Attribute::Field(field) => {
            let target = field.relation().and_then(|r| r.target.id());
            Some(match &field.kind {
                FieldKind::ForeignKey(_) => hop(HopKind::ForwardFk, target, field.null, None),
                FieldKind::OneToOne(_) => {
                    // The accessor of the other side, which Django fills from this one.
                    let back = target.and_then(|t| {
                        index.model(t).reverse.iter().find_map(|r| {
                            (r.source == model
                                && r.field == field.name
                                && r.kind == ReverseKind::OneToOne)
                                .then(|| r.accessor.clone())
                                .flatten()
                        })
                    });
                    hop(HopKind::ForwardOneToOne, target, field.null, back)
                }
                FieldKind::ManyToMany(_) | FieldKind::GenericRelation(_) => {
                    hop(HopKind::Many, target, true, None)
                }
                FieldKind::GenericForeignKey => hop(HopKind::GenericFk, None, true, None),
                FieldKind::Plain => return None,
            })
        }
        Attribute::Reverse(reverse) => Some(match reverse.kind {
            ReverseKind::OneToOne => hop(
                HopKind::ReverseOneToOne,
                Some(reverse.source),
                true,
                Some(reverse.field.clone()),
            ),
            ReverseKind::ForeignKey => hop(
                HopKind::Many,
                Some(reverse.source),
                true,
                Some(reverse.field.clone()),
            ),
            ReverseKind::ManyToMany | ReverseKind::Generic => {
                hop(HopKind::Many, Some(reverse.source), true, None)
            }
        }),
        _ => None,
    }
}

/// A forward foreign key or one-to-one named `name`, whose id is a column of `model`.
pub fn forward_fk_hop(index: &ModelIndex, model: ModelId, name: &str) -> Option<Hop> {
    hop(index, model, name)
        .filter(|h| matches!(h.kind, HopKind::ForwardFk | HopKind::ForwardOneToOne))
}

/// `<name>_id` holds the target's primary key (no `to_field=` pointing elsewhere).
pub fn id_column_holds_pk(index: &ModelIndex, model: ModelId, name: &str) -> bool {
    match index.attribute(model, name) {
        Some(Attribute::Field(field)) => field.relation().is_some_and(|r| r.to_field.is_none()),
        _ => false,
    }
}

/// The hop's target has its primary key named `name`.
pub fn target_pk_is(index: &ModelIndex, hop: &Hop, name: &str) -> bool {
    let Some(target) = hop.target else {
        return false;
    };
    index
        .model(target)
        .fields
        .iter()
        .find(|f| f.primary_key)
        .is_some_and(|f| f.name == name)
}

fn parameter_at(def: Node<'_>, position: &ArgPosition, src: &str) -> Option<String> {
    let params = def.child_by_field_id(FIELDS.parameters)?;
    let mut cursor = params.walk();
    let names: Vec<String> = params
        .named_children(&mut cursor)
        .filter_map(|p| {
            let ident = match p.kind() {
                "identifier" => Some(p),
                "typed_parameter" => p.named_child(0),
                "default_parameter" | "typed_default_parameter" => p.child_by_field_id(FIELDS.name),
                _ => None,
            }?;
            Some(crate::syntax::node::text(ident, src).to_string())
        })
        .collect();
    match position {
        ArgPosition::Positional(i) => names.get(*i).cloned(),
        ArgPosition::Keyword(k) => names.iter().find(|n| *n == k).cloned(),
    }
}
