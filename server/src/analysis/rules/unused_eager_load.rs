//! ORM106: a `select_related`/`prefetch_related` name that nothing reading the rows
//! uses, when every reader is seen.

use super::{Context, Rule, Violation};
use crate::analysis::access::{AccessKind, hop};
use crate::analysis::flow::{CallSite, LoopFact, Qs, enclosing_function};
use crate::analysis::{Diagnostic, Related};
use crate::fix::Applicability;

pub struct UnusedEagerLoad {
    /// `select_related` or `prefetch_related`.
    pub method: &'static str,
    pub lookup: String,
    pub model: String,
}

impl Violation for UnusedEagerLoad {
    const RULE: Rule = Rule::UnusedEagerLoad;

    fn message(&self) -> String {
        let cost = match self.method {
            "select_related" => "joins its table into the query",
            _ => "runs one more query for it",
        };
        format!(
            "`{}` is loaded with the `{}` rows (`{}` {cost}), but nothing that reads the rows uses it",
            self.lookup, self.model, self.method
        )
    }

    fn fix_title(&self) -> Option<String> {
        Some(format!("Remove `{}` from `{}()`", self.lookup, self.method))
    }
}

pub fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for fact in &ctx.facts.loops {
        let Some(qs) = every_reader_seen(ctx, fact) else {
            continue;
        };
        let model = ctx.model_name(qs.model).to_string();
        let calls = [
            ("select_related", qs.select_call.as_ref()),
            ("prefetch_related", qs.prefetch_call.as_ref()),
        ];
        for (method, call) in calls {
            let Some(call) = call else { continue };
            for (index, (lookup, range)) in call.strings.iter().enumerate() {
                if !is_plain_lookup(ctx, qs, method, lookup) || read_through(fact, lookup) {
                    continue;
                }
                let violation = UnusedEagerLoad {
                    method,
                    lookup: lookup.clone(),
                    model: model.clone(),
                };
                out.push(
                    Diagnostic::new(&violation, *range)
                        .with_related(vec![Related {
                            path: None,
                            range: fact.iter_range,
                            message: format!("the `{model}` rows are read here"),
                        }])
                        .with_fix(removal(ctx, &violation, call, index)),
                );
            }
        }
    }
}

/// The rows' queryset when this loop is all that reads them and every read is seen:
/// nothing passed to code the analysis cannot read, nothing else applied that needs
/// the relation (`only("author__name")`), and the queryset built in the function of
/// the loop (a caller's or another method's may have other readers).
fn every_reader_seen<'f>(ctx: &Context<'_>, fact: &'f LoopFact) -> Option<&'f Qs> {
    let [qs] = fact.sources.as_slice() else {
        return None;
    };
    let origin = qs.origin.as_ref()?;
    let applied = &qs.applied;
    let plain_rows = fact.sole_consumer
        && fact.changelist.is_none()
        && function_at(ctx, origin.range.start) == function_at(ctx, fact.iter_range.start)
        && qs.elsewhere.is_none()
        && qs.prefix.is_empty()
        && !qs.per_row
        && !applied.unknown
        && !applied.values
        && applied.only.is_none()
        && applied.defer.is_empty();
    let seen = fact.accesses.iter().all(|a| a.kind != AccessKind::Other)
        && !ctx.index.model(qs.model).may_have_unseen_attributes();
    (plain_rows && seen).then_some(qs)
}

/// The function the code at `offset` is written in (`None` at the top level).
fn function_at<'t>(ctx: &'t Context<'_>, offset: usize) -> Option<tree_sitter::Node<'t>> {
    let node = ctx
        .file
        .tree()
        .root_node()
        .descendant_for_byte_range(offset, offset)?;
    enclosing_function(node)
}

/// A lookup the rows carry as Django's: a known relation of the model (one
/// `select_related` can follow, else ORM601's), not a `Prefetch` object's, and applied
/// by this queryset.
fn is_plain_lookup(ctx: &Context<'_>, qs: &Qs, method: &str, lookup: &str) -> bool {
    let applied = &qs.applied;
    let carried = match method {
        "select_related" => applied.select_related.iter().any(|l| l == lookup),
        _ => applied
            .prefetch_related
            .iter()
            .any(|p| p.lookup == lookup && p.to_attr.is_none() && !p.queryset),
    };
    let first = lookup.split("__").next().unwrap_or(lookup);
    carried
        && hop(ctx.index, qs.model, first).is_some_and(|h| {
            h.target.is_some() && (method != "select_related" || h.is_selectable())
        })
}

/// Some read of a row goes through the lookup's first relation.
fn read_through(fact: &LoopFact, lookup: &str) -> bool {
    let first = lookup.split("__").next().unwrap_or(lookup);
    fact.accesses.iter().any(|access| match &access.kind {
        AccessKind::Load { path } | AccessKind::Many { path, .. } | AccessKind::IdRead { path } => {
            path.first().is_some_and(|h| h.name == first)
        }
        AccessKind::Column { .. } | AccessKind::Pk | AccessKind::Other => false,
    })
}

/// Removing the name may make a reader the analysis missed run a query per row.
fn removal(
    ctx: &Context<'_>,
    violation: &UnusedEagerLoad,
    call: &CallSite,
    index: usize,
) -> Option<crate::fix::Fix> {
    let edit = super::remove_string_arg(call, index, &ctx.file.source)?;
    super::fix(violation, Applicability::Unsafe, vec![edit])
}
