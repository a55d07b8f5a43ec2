//! ORM103: a query run for each iteration of a loop over rows, or over data that grows
//! with them.

use super::{Context, Rule, Violation};
use crate::analysis::access::AccessKind;
use crate::analysis::flow::{QueryInLoop as Fact, is_write};
use crate::analysis::loads::Problem;
use crate::analysis::{Diagnostic, Related};
use crate::text::snippet;

pub struct QueryInLoop {
    /// What runs the query, as written (`Tag.objects.get(...)`, `helper()`).
    pub subject: String,
    /// The query itself when `subject` is a call that runs it elsewhere.
    pub through: Option<String>,
    /// What the loop iterates (`rows`), or the model of the rows for a row's manager.
    pub per: Per,
    pub advice: Advice,
}

pub enum Per {
    /// Each iteration of the loop over this expression.
    Iteration(String),
    /// Each row of this model.
    Row(String),
}

/// What to do instead, by the query's shape.
pub enum Advice {
    /// The query names nothing the loop binds.
    Invariant,
    /// `get(pk=...)` on this queryset (or manager).
    InBulk(String),
    /// One object per iteration.
    Dict,
    /// A number or a flag per iteration.
    Annotate,
    /// Rows per iteration.
    Group,
    /// A related manager of the row nothing prefetched, queried per row.
    Prefetch(String),
}

impl Violation for QueryInLoop {
    const RULE: Rule = Rule::QueryInLoop;

    fn message(&self) -> String {
        let Self {
            subject,
            through,
            per,
            advice,
        } = self;
        let runs = match through {
            Some(query) => format!("`{subject}` runs a query (`{query}`)"),
            None => format!("`{subject}` runs a query"),
        };
        let per = match per {
            Per::Iteration(iter) => format!("for each iteration of the loop over `{iter}`"),
            Per::Row(model) => format!("for each `{model}` row"),
        };
        let advice = match advice {
            Advice::Invariant => "it is the same query each time: run it once before the loop"
                .to_string(),
            Advice::InBulk(receiver) => format!(
                "fetch them all before the loop with `{receiver}.in_bulk(...)` and look them up by key"
            ),
            Advice::Dict => {
                "fetch them all in one query before the loop and look them up in a dict".to_string()
            }
            Advice::Annotate => "compute it for all of them in one query: annotate the rows (`Count`, `Exists()`, `Subquery`) or group with `values(...).annotate(...)` before the loop".to_string(),
            Advice::Group => "fetch them all in one query before the loop and group them in a dict, or `prefetch_related()` them with a `Prefetch`".to_string(),
            Advice::Prefetch(lookup) => format!(
                "nothing prefetched serves it: `Prefetch(\"{lookup}\", queryset=..., to_attr=...)` on the rows' queryset, then read the list"
            ),
        };
        format!("{runs} {per}: {advice}")
    }
}

pub fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for fact in &ctx.facts.queries_in_loops {
        out.push(in_loop(ctx, fact));
    }
    for (finding, qs, _) in super::loop_findings(ctx, Problem::QueryPerRow) {
        let AccessKind::Many { path, .. } = &finding.access.kind else {
            continue;
        };
        // A read inside `row.save()` goes with the write per row: ORM402's.
        if finding.access.via.as_deref().is_some_and(is_write) {
            continue;
        }
        let relation = path.last().map(|hop| hop.name.as_str()).unwrap_or_default();
        let method = finding.bypass.as_deref().unwrap_or("filter");
        let subject = ctx.text(finding.access.range).to_string();
        let (subject, through) = match &finding.access.via {
            Some(via) => (subject, Some(format!("{relation}.{method}()` in `{via}"))),
            None => (format!("{subject}.{method}()"), None),
        };
        let model = ctx.model_name(qs.model).to_string();
        let violation = QueryInLoop {
            subject,
            through,
            per: Per::Row(model.clone()),
            advice: Advice::Prefetch(finding.lookup.clone()),
        };
        let related = ctx.origin_related(qs, format!("rows of `{model}` fetched here"));
        out.push(Diagnostic::new(&violation, finding.access.range).with_related(related));
    }
}

fn in_loop(ctx: &Context<'_>, fact: &Fact) -> Diagnostic {
    let advice = if fact.invariant {
        Advice::Invariant
    } else {
        match fact.method.as_str() {
            "get"
                if !fact.keywords.is_empty()
                    && fact.keywords.iter().all(|k| matches!(k.as_str(), "pk" | "id")) =>
            {
                let call = ctx.text(fact.range);
                let receiver = call.rfind(".get(").map_or(call, |at| &call[..at]);
                Advice::InBulk(snippet(receiver, 40))
            }
            "count" | "exists" | "aggregate" | "contains" => Advice::Annotate,
            "iterate" => Advice::Group,
            _ => Advice::Dict,
        }
    };
    let (subject, through) = match &fact.through {
        Some(through) => (through.callee.clone(), Some(through.query.clone())),
        None => (ctx.text(fact.range).to_string(), None),
    };
    let violation = QueryInLoop {
        subject: snippet(&subject, 60),
        through,
        per: Per::Iteration(snippet(ctx.text(fact.loop_iter), 60)),
        advice,
    };
    let mut related = vec![Related {
        path: None,
        range: fact.loop_iter,
        message: "the loop".to_string(),
    }];
    if let Some((path, range)) = fact.through.as_ref().and_then(|t| t.elsewhere.clone()) {
        related.push(Related {
            path: Some(path),
            range,
            message: "the query runs here".to_string(),
        });
    }
    Diagnostic::new(&violation, fact.range).with_related(related)
}
