//! What `select_related()` with no arguments follows, which ORM101's fix and ORM603 spell
//! out. Django (`SQLCompiler.get_related_selections` with `select_related_descend`,
//! read in 5.2 and 6.1.3 and checked on the harness models under 6.1.3) descends every
//! field of the model's concrete fields (inherited ones included) that is a relation,
//! not `null=True` and not a multi-table parent link: forward foreign keys and
//! one-to-ones, recursively, five hops deep (`Query.max_depth`).

use std::collections::BTreeSet;

use crate::index::{FieldKind, ModelId, ModelIndex};

/// `Query.max_depth`: how many hops a bare `select_related()` follows.
const MAX_DEPTH: usize = 5;

/// Every relation path a bare `select_related()` on `model` follows (`order`,
/// `order__customer`), or `None` when a model on the way may have relations the index
/// does not see (a base it cannot read, an attribute it cannot read, a target it cannot
/// resolve): naming fewer would change what the queryset loads.
pub fn followed_paths(index: &ModelIndex, model: ModelId) -> Option<BTreeSet<String>> {
    let mut out = BTreeSet::new();
    walk(index, model, "", MAX_DEPTH, &mut out)?;
    Some(out)
}

fn walk(
    index: &ModelIndex,
    model: ModelId,
    prefix: &str,
    depth: usize,
    out: &mut BTreeSet<String>,
) -> Option<()> {
    if depth == 0 {
        return Some(());
    }
    let m = index.model(model);
    if m.has_unknown_bases || !m.unread_attributes.is_empty() {
        return None;
    }
    for field in &m.fields {
        let (FieldKind::ForeignKey(relation) | FieldKind::OneToOne(relation)) = &field.kind else {
            continue;
        };
        // A parent link (no field class of its own) is joined, never descended.
        if field.null || field.class.is_none() {
            continue;
        }
        let target = relation.target.id()?;
        let path = format!("{prefix}{}", field.name);
        out.insert(path.clone());
        walk(index, target, &format!("{path}__"), depth - 1, out)?;
    }
    Some(())
}
