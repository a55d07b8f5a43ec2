//! An abstract model's methods run on instances of its concrete children: what `self`
//! has there is what every child has alike. A child that differs makes the name
//! unknown, never one child's.

use super::super::model::{Model, ModelId};

/// Gives each abstract model with concrete children the reverse relations and managers
/// they all share, and marks every model some other model inherits from.
pub(super) fn share_with_abstract_models(models: &mut [Model], model_bases: &[Vec<ModelId>]) {
    let descendants = descendants(model_bases);
    for (index, below) in descendants.iter().enumerate() {
        models[index].subclassed = !below.is_empty();
        if !models[index].is_abstract {
            continue;
        }
        let concrete: Vec<&Model> = below
            .iter()
            .map(|id| &models[id.0 as usize])
            .filter(|m| !m.is_abstract)
            .collect();
        let Some((first, rest)) = concrete.split_first() else {
            continue;
        };
        let reverse = first
            .reverse
            .iter()
            .filter(|r| rest.iter().all(|m| m.reverse.contains(r)))
            .cloned()
            .collect();
        let same_default = rest
            .iter()
            .all(|m| m.managers.first() == first.managers.first());
        let managers = match same_default {
            true => first
                .managers
                .iter()
                .filter(|manager| rest.iter().all(|m| m.managers.contains(manager)))
                .cloned()
                .collect(),
            false => Vec::new(),
        };
        models[index].reverse = reverse;
        models[index].managers = managers;
    }
}

/// Every model below each one, through any number of inheritance steps.
fn descendants(model_bases: &[Vec<ModelId>]) -> Vec<Vec<ModelId>> {
    let mut below = vec![Vec::new(); model_bases.len()];
    for (index, _) in model_bases.iter().enumerate() {
        let id = ModelId(index as u32);
        let mut stack: Vec<ModelId> = model_bases[index].clone();
        let mut seen = Vec::new();
        while let Some(base) = stack.pop() {
            if base == id || seen.contains(&base) {
                continue;
            }
            seen.push(base);
            below[base.0 as usize].push(id);
            stack.extend(model_bases[base.0 as usize].iter().copied());
        }
    }
    below
}
