//! What each loop over rows costs in queries, for hovers and inlay hints: one query for
//! the rows, plus one per row for every relation loaded per row without a join or a
//! prefetch ("1 + 2N queries").

use super::access::{AccessKind, HopKind};
use super::loads::{self, Problem};
use super::{flow, scan_allows};
use crate::index::ModelIndex;
use crate::syntax::SourceFile;
use crate::text::TextRange;

/// One query run for each row of a loop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PerRowQuery {
    /// Lookup from the queryset's model (`author`, `posts__tags`).
    pub lookup: String,
    /// "foreign key", "one-to-one", "reverse one-to-one", "many-to-many",
    /// "reverse foreign key", "generic foreign key".
    pub relation: &'static str,
    /// "not selected", "not prefetched", or "`.filter()` bypasses the prefetch".
    pub why: String,
    /// Where the row reads it.
    pub range: TextRange,
}

/// A loop over the rows of a queryset and what it costs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoopCost {
    /// The iterated expression (`Post.objects.all()` in `for p in Post.objects.all():`).
    pub iter_range: TextRange,
    /// The code run per row.
    pub body_range: TextRange,
    pub model: String,
    /// What the queryset has applied, as it would be written (`select_related("author")`).
    pub applied: Vec<String>,
    pub per_row: Vec<PerRowQuery>,
}

impl LoopCost {
    /// "1 query", "1 + N queries", "1 + 2N queries".
    pub fn estimate(&self) -> String {
        match self.per_row.len() {
            0 => "1 query".to_string(),
            1 => "1 + N queries".to_string(),
            n => format!("1 + {n}N queries"),
        }
    }

    /// "1 + 2N queries: `author` (foreign key, not selected), `tags` (many-to-many, not
    /// prefetched)".
    pub fn summary(&self) -> String {
        let estimate = self.estimate();
        if self.per_row.is_empty() {
            return estimate;
        }
        let parts: Vec<String> = self
            .per_row
            .iter()
            .map(|q| format!("`{}` ({}, {})", q.lookup, q.relation, q.why))
            .collect();
        format!("{estimate}: {}", parts.join(", "))
    }
}

/// Every loop over rows in `file` with its cost, in source order.
pub fn loop_costs(file: &SourceFile, index: &ModelIndex) -> Vec<LoopCost> {
    loop_costs_with(file, index, &mut flow::FlowCache::default())
}

/// [`loop_costs`] for successive versions of one file: definitions unchanged since
/// `cache` last saw them are not walked again. The language server passes the cache its
/// diagnostics fill, so a hover or an inlay hint right after a check walks nothing.
pub fn loop_costs_with(
    file: &SourceFile,
    index: &ModelIndex,
    cache: &mut flow::FlowCache,
) -> Vec<LoopCost> {
    if !scan_allows(file) {
        return Vec::new();
    }
    let facts = flow::analyse_with(file, index, cache);
    let found = loads::find(&facts, index, '"');
    let mut costs: Vec<LoopCost> = facts
        .loops
        .iter()
        .enumerate()
        .map(|(i, fact)| {
            let qs = &fact.sources[0];
            let per_row = found
                .findings
                .iter()
                .filter(|f| f.loop_index == i)
                .map(|f| PerRowQuery {
                    lookup: f.lookup.clone(),
                    relation: relation_kind(&f.access.kind),
                    why: match f.problem {
                        Problem::SingleNotSelected => "not selected".to_string(),
                        Problem::ManyNotPrefetched => "not prefetched".to_string(),
                        Problem::PrefetchBypassed => format!(
                            "`.{}()` bypasses the prefetch",
                            f.bypass.as_deref().unwrap_or("filter")
                        ),
                        Problem::QueryPerRow => format!(
                            "`.{}()` queries per row",
                            f.bypass.as_deref().unwrap_or("filter")
                        ),
                    },
                    range: f.access.range,
                })
                .collect();
            LoopCost {
                iter_range: fact.iter_range,
                body_range: fact.body_range,
                model: index.model(qs.model).name.clone(),
                applied: applied(qs),
                per_row,
            }
        })
        .collect();
    costs.sort_by_key(|c| (c.iter_range, c.body_range));
    costs.dedup_by(|a, b| a.iter_range == b.iter_range && a.body_range == b.body_range);
    costs
}

fn relation_kind(kind: &AccessKind) -> &'static str {
    let hop = match kind {
        AccessKind::Load { path } | AccessKind::Many { path, .. } => path.last(),
        _ => None,
    };
    match hop {
        Some(h) => match h.kind {
            HopKind::ForwardFk => "foreign key",
            HopKind::ForwardOneToOne => "one-to-one",
            HopKind::ReverseOneToOne => "reverse one-to-one",
            HopKind::GenericFk => "generic foreign key",
            HopKind::Many if h.back_ref.is_some() => "reverse foreign key",
            HopKind::Many => "many-to-many",
        },
        None => "relation",
    }
}

fn applied(qs: &flow::Qs) -> Vec<String> {
    let quoted = |names: &[String]| {
        names
            .iter()
            .map(|n| format!("\"{n}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let a = &qs.applied;
    let mut out = Vec::new();
    if a.select_related_all {
        out.push("select_related()".to_string());
    }
    if !a.select_related.is_empty() {
        out.push(format!("select_related({})", quoted(&a.select_related)));
    }
    let prefetched: Vec<String> = a
        .prefetch_related
        .iter()
        .map(|p| match &p.to_attr {
            Some(to) => format!("{} → {to}", p.lookup),
            None => p.lookup.clone(),
        })
        .collect();
    if !prefetched.is_empty() {
        out.push(format!("prefetch_related({})", quoted(&prefetched)));
    }
    if let Some(only) = &a.only {
        out.push(format!("only({})", quoted(only)));
    }
    if !a.defer.is_empty() {
        out.push(format!("defer({})", quoted(&a.defer)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::IndexOptions;

    #[test]
    fn loops_are_costed_by_what_they_load_per_row() {
        let models = SourceFile::new(
            "blog/models.py".into(),
            "from django.db import models\n\
             class Tag(models.Model):\n    name = models.CharField()\n\
             class Author(models.Model):\n    name = models.CharField()\n\
             class Post(models.Model):\n    author = models.ForeignKey(Author, on_delete=models.CASCADE)\n    tags = models.ManyToManyField(Tag)\n",
        );
        let views = SourceFile::new(
            "blog/views.py".into(),
            "from .models import Post\n\
             def f():\n    for p in Post.objects.all():\n        print(p.author.name, list(p.tags.all()))\n\
             def g():\n    for p in Post.objects.select_related(\"author\"):\n        print(p.author.name)\n",
        );
        let files = [models, views];
        let index = ModelIndex::build(&files, &IndexOptions::default());
        let costs = loop_costs(&files[1], &index);
        assert_eq!(costs.len(), 2);
        assert_eq!(
            costs[0].summary(),
            "1 + 2N queries: `author` (foreign key, not selected), `tags` (many-to-many, not prefetched)"
        );
        assert_eq!(costs[1].summary(), "1 query");
        assert_eq!(costs[1].applied, ["select_related(\"author\")"]);

        // From a cache kept across versions: what a fresh walk gives, before and after
        // an edit that moves the second loop.
        let mut cache = flow::FlowCache::default();
        assert_eq!(loop_costs_with(&files[1], &index, &mut cache), costs);
        assert_eq!(loop_costs_with(&files[1], &index, &mut cache), costs);
        let edited = files[1].source.replace("def g():", "def g():\n    pass");
        let edited = SourceFile::new("blog/views.py".into(), edited);
        let fresh = loop_costs(&edited, &index);
        assert_ne!(fresh[1].iter_range, costs[1].iter_range);
        assert_eq!(loop_costs_with(&edited, &index, &mut cache), fresh);
    }
}
