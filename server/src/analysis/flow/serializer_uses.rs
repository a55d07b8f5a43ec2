//! A serializer's reads of an object (`analysis::serializers::Read`) as the same uses
//! written in Python, for `access::resolve_use`.

use crate::analysis::access;
use crate::analysis::serializers::{Read, ReadKind};
use crate::index::{Attribute, FieldKind, MethodKind, ModelId, ModelIndex};
use crate::syntax::format_strings::{Dunder, Formatting};
use crate::syntax::uses::{Segment, Use};
use crate::text::TextRange;

/// What a serializer's read of an object of `model` is as the same use written in
/// Python, placed at `at`: attributes looked up in turn (a model method called, as DRF
/// calls what it finds callable), the id column for a relation read for its primary
/// key, `.all()` on a related manager iterated.
pub(super) fn python_uses(
    index: &ModelIndex,
    model: ModelId,
    read: &Read,
    at: TextRange,
) -> Vec<Use> {
    let chain = |names: &[String], formatted: Option<Formatting>| Use::Chain {
        segments: segments(index, model, names, at),
        store: false,
        formatted,
    };
    let text = Formatting {
        dunder: Dunder::Str,
        builtin: None,
        range: at,
    };
    let path = &read.path;
    match &read.kind {
        ReadKind::Value if path.is_empty() => Vec::new(),
        ReadKind::Value => vec![chain(path, None)],
        ReadKind::Text if path.is_empty() => vec![Use::Formatted(text)],
        ReadKind::Text => vec![chain(path, Some(text))],
        ReadKind::Pk => match id_column(index, model, path) {
            Some(column) => vec![chain(&column, None)],
            None => vec![Use::Other { range: at }],
        },
        ReadKind::Rows(_) => {
            let mut segments = segments(index, model, path, at);
            segments.push(Segment {
                name: "all".to_string(),
                called: true,
                range: at,
            });
            vec![Use::Chain {
                segments,
                store: false,
                formatted: None,
            }]
        }
        ReadKind::Method(uses) => {
            // The method is given the object at the path (a nested serializer's).
            let base = segments(index, model, path, at);
            uses.iter().map(|u| placed(u, &base, at)).collect()
        }
    }
}

/// `names` as segments from an object of `model`: a model method (not a property) is
/// called.
fn segments(index: &ModelIndex, model: ModelId, names: &[String], at: TextRange) -> Vec<Segment> {
    let mut current = Some(model);
    names
        .iter()
        .map(|name| {
            let attribute = current.and_then(|m| index.attribute(m, name));
            let called = matches!(attribute,
                Some(Attribute::Method(method)) if method.kind == MethodKind::Method);
            current = current
                .and_then(|m| access::hop(index, m, name))
                .and_then(|hop| hop.target);
            Segment {
                name: name.clone(),
                called,
                range: at,
            }
        })
        .collect()
}

/// `path` with its last name, a forward foreign key or one-to-one, replaced by its id
/// column (`post.author` → `post.author_id`).
fn id_column(index: &ModelIndex, model: ModelId, path: &[String]) -> Option<Vec<String>> {
    let (last, before) = path.split_last()?;
    let mut owner = model;
    for name in before {
        owner = access::forward_fk_hop(index, owner, name)?.target?;
    }
    let Some(Attribute::Field(field)) = index.attribute(owner, last) else {
        return None;
    };
    if !matches!(
        field.kind,
        FieldKind::ForeignKey(_) | FieldKind::OneToOne(_)
    ) {
        return None;
    }
    let mut column = before.to_vec();
    column.push(field.attname()?);
    Some(column)
}

/// A use written in the serializer's method, of an object reached from the row through
/// `base`, as a use of the row placed at `at`; an object passed to a function is not
/// followed there (its name is the serializer module's).
fn placed(used: &Use, base: &[Segment], at: TextRange) -> Use {
    let chain = |segments: &[Segment], formatted: Option<Formatting>| Use::Chain {
        segments: base
            .iter()
            .chain(segments)
            .map(|s| Segment {
                range: at,
                ..s.clone()
            })
            .collect(),
        store: false,
        formatted: formatted.map(|f| Formatting { range: at, ..f }),
    };
    match used {
        Use::Chain {
            segments,
            store: false,
            formatted,
        } => chain(segments, formatted.clone()),
        Use::Formatted(formatting) if !base.is_empty() => chain(&[], Some(formatting.clone())),
        Use::Formatted(formatting) => Use::Formatted(Formatting {
            range: at,
            ..formatting.clone()
        }),
        Use::Chain { .. } | Use::Argument { .. } | Use::Other { .. } => Use::Other { range: at },
    }
}
