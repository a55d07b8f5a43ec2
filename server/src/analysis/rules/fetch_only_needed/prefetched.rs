//! The rows of a `prefetch_related()` lookup read in a nested loop for a few columns.

use std::collections::BTreeSet;

use crate::analysis::Diagnostic;
use crate::analysis::access::AccessKind;
use crate::analysis::flow::{LoopFact, Qs};
use crate::analysis::rules::aggregate_in_python::django_models_name;
use crate::analysis::rules::{Context, fix};
use crate::fix::{Applicability, Edit};
use crate::index::Applied;
use crate::syntax::fields::FIELDS;
use crate::syntax::node::text;
use crate::text::TextRange;

use super::reads::Reads;
use super::{FetchOnlyNeeded, MAX_READ_COLUMNS, Narrowing, narrowable};

/// `for author in Author.objects.prefetch_related("posts"): for post in
/// author.posts.all(): post.title`: the prefetch may select `title` and the foreign key
/// back alone. Only a reverse foreign key's rows (whose key back Django reads on each
/// prefetched row to link it to its parent), named by a plain string, and only when the
/// outer loop is all that uses the outer rows and reads the lookup there alone.
pub(super) fn finding(ctx: &Context<'_>, fact: &LoopFact, qs: &Qs) -> Option<Diagnostic> {
    let [hop] = &qs.prefix[..] else {
        return None;
    };
    let back = hop.back_ref.as_ref()?;
    let applied = &qs.applied;
    // Named once: Django refuses one lookup seen with two querysets.
    let mut named = applied.prefetch_related.iter().filter(|p| p.lookup == hop.name);
    let plain_lookup = named
        .next()
        .is_some_and(|p| p.to_attr.is_none() && !p.queryset)
        && named.next().is_none();
    if !plain_lookup || applied.unknown || applied.values {
        return None;
    }
    let outer = ctx.facts.loops.iter().find(|outer| {
        outer.sole_consumer
            && outer.body_range.start <= fact.iter_range.start
            && fact.iter_range.end <= outer.body_range.end
            && outer
                .sources
                .iter()
                .all(|o| o.prefix.is_empty() && o.origin == qs.origin && o.model != qs.model)
    })?;
    let lookups_read = outer
        .accesses
        .iter()
        .filter(|a| matches!(&a.kind, AccessKind::Many { path, .. } if path.first().is_some_and(|h| h.name == hop.name)))
        .count();
    if outer.sources.len() != 1 || lookups_read != 1 {
        return None;
    }
    if !iterated_directly(ctx, fact, &hop.name) {
        return None;
    }
    let reads = Reads::of(ctx, &fact.accesses)?;
    if reads.columns.is_empty() || reads.columns.len() > MAX_READ_COLUMNS || reads.passed_to.is_some() {
        return None;
    }
    let mut kept: BTreeSet<&String> = reads.columns.iter().collect();
    kept.remove(back);
    let model = narrowable(ctx, qs, kept.len() + 1)?;
    let q = ctx.quote;
    let mut names: Vec<String> = kept.iter().map(|f| format!("{q}{f}{q}")).collect();
    names.push(format!("{q}{back}{q}"));
    let (class, import) = django_models_name(ctx, "Prefetch");
    let violation = FetchOnlyNeeded {
        names,
        model: model.name.clone(),
        narrowing: Narrowing::Prefetch {
            lookup: hop.name.clone(),
            class,
        },
        passed_to: None,
    };
    let fix = import.and_then(|import| {
        let at = lookup_written(ctx, qs, &hop.name)?;
        let mut edits: Vec<Edit> = import.into_iter().collect();
        edits.push(Edit::replacement(at, violation.call()));
        fix(&violation, Applicability::Safe, edits)
    });
    Some(Diagnostic::new(&violation, fact.iter_range).with_fix(fix))
}

/// The string naming `lookup` in this file's `prefetch_related(...)` call of `qs`, when
/// the rows' model is named here and `Model.objects` is its plain default manager
/// (what Django's prefetch uses when given no queryset).
fn lookup_written(ctx: &Context<'_>, qs: &Qs, lookup: &str) -> Option<TextRange> {
    if qs.elsewhere.is_some() || qs.origin.is_none() {
        return None;
    }
    let model = ctx.index.model(qs.model);
    let plain_default = model.managers.first().is_some_and(|m| {
        m.name == "objects" && !m.opaque && m.applied == Applied::default()
    });
    let named = ctx
        .index
        .resolve_model(&ctx.file.module, std::slice::from_ref(&model.name))
        == Some(qs.model);
    if !plain_default || !named {
        return None;
    }
    let call = qs.prefetch_call.as_ref()?;
    let (_, at) = call.strings.iter().find(|(value, _)| value == lookup)?;
    Some(*at)
}

/// The loop iterates `row.<lookup>.all()` itself, so it is all that reads the prefetched
/// rows: not `sorted(row.lookup.all(), key=...)` (whose key reads them too), a slice,
/// or a lambda given them.
fn iterated_directly(ctx: &Context<'_>, fact: &LoopFact, lookup: &str) -> bool {
    let src = &*ctx.file.source;
    let Some(iter) = ctx
        .file
        .node_for_range(fact.iter_range.start, fact.iter_range.end)
        .filter(|n| TextRange::of(*n) == fact.iter_range && n.kind() == "call")
    else {
        return false;
    };
    let in_loop = iter.parent().is_some_and(|clause| {
        matches!(clause.kind(), "for_statement" | "for_in_clause")
            && clause.child_by_field_id(FIELDS.right) == Some(iter)
    });
    let no_arguments = iter
        .child_by_field_id(FIELDS.arguments)
        .is_some_and(|args| args.named_child_count() == 0);
    let manager = iter
        .child_by_field_id(FIELDS.function)
        .filter(|f| f.kind() == "attribute")
        .filter(|f| f.child_by_field_id(FIELDS.attribute).is_some_and(|m| text(m, src) == "all"))
        .and_then(|f| f.child_by_field_id(FIELDS.object))
        .filter(|m| m.kind() == "attribute");
    let named = manager.is_some_and(|m| {
        m.child_by_field_id(FIELDS.attribute).is_some_and(|a| text(a, src) == lookup)
            && m.child_by_field_id(FIELDS.object).is_some_and(|o| o.kind() == "identifier")
    });
    in_loop && no_arguments && named
}
