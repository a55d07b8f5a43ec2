//! Hovers on loops over rows: on the `for` keyword, the loop variable and the iterated
//! expression, the loop's model, what its queryset has applied and the queries the loop
//! runs; on a relation read per row, the query that read runs for each row.
//!
//! `at` works on byte offsets and the analysis' `LoopCost`s alone; `hover` is its LSP
//! edge.

use tower_lsp_server::ls_types::{Hover, HoverContents, MarkupContent, MarkupKind, Position};
use tree_sitter::Node;

use super::encoding::{self, Encoding};
use crate::analysis::cost::{LoopCost, PerRowQuery};
use crate::syntax::SourceFile;
use crate::text::{LineIndex, TextRange};

/// A hover: the range it is about and its Markdown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub range: TextRange,
    pub markdown: String,
}

/// The hover at `position` of `file`, whose loops cost `costs`.
pub fn hover(
    file: &SourceFile,
    costs: &[LoopCost],
    position: Position,
    encoding: Encoding,
) -> Option<Hover> {
    let text = &file.source;
    let lines = LineIndex::new(text);
    let offset = encoding::offset(text, &lines, position, encoding);
    let found = at(file, costs, offset)?;
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: found.markdown,
        }),
        range: Some(encoding::range(text, &lines, found.range, encoding)),
    })
}

/// What can be hovered, with the loop it belongs to.
enum HoverSubject<'c> {
    /// The `for`, the loop variable or the iterated expression.
    Loop(&'c LoopCost),
    /// A read in the body that runs a query per row.
    Access(&'c LoopCost),
}

/// The hover at byte `offset`: the smallest hoverable range that holds it (a relation
/// read inside an inner loop's iterated expression is about that read, not the loop).
pub fn at(file: &SourceFile, costs: &[LoopCost], offset: usize) -> Option<Found> {
    let holds = |range: TextRange| range.start <= offset && offset < range.end;
    let mut best: Option<(TextRange, HoverSubject<'_>)> = None;
    let mut consider = |range: TextRange, subject| {
        if holds(range) && best.as_ref().is_none_or(|(b, _)| range.len() < b.len()) {
            best = Some((range, subject));
        }
    };
    for cost in costs {
        for query in &cost.per_row {
            consider(query.range, HoverSubject::Access(cost));
        }
        for range in loop_anchors(file, cost) {
            consider(range, HoverSubject::Loop(cost));
        }
    }
    let (range, subject) = best?;
    let markdown = match subject {
        HoverSubject::Loop(cost) => loop_markdown(cost),
        HoverSubject::Access(cost) => access_markdown(file, cost, range),
    };
    Some(Found { range, markdown })
}

/// Where a loop can be hovered: its iterated expression and, for a `for` statement or
/// a comprehension's `for` clause, the `for` keyword and the loop variable.
fn loop_anchors(file: &SourceFile, cost: &LoopCost) -> Vec<TextRange> {
    let mut anchors = vec![cost.iter_range];
    if let Some(header) = loop_header(file, cost.iter_range) {
        let mut cursor = header.walk();
        anchors.extend(
            header
                .children(&mut cursor)
                .find(|child| child.kind() == "for")
                .map(TextRange::of),
        );
        anchors.extend(header.child_by_field_name("left").map(TextRange::of));
    }
    anchors
}

/// The `for` statement or `for ... in` clause whose iterated expression is `iter`.
fn loop_header(file: &SourceFile, iter: TextRange) -> Option<Node<'_>> {
    let mut node = file.node_for_range(iter.start, iter.end)?;
    loop {
        if matches!(node.kind(), "for_statement" | "for_in_clause") {
            let right = node.child_by_field_name("right")?;
            return (TextRange::of(right) == iter).then_some(node);
        }
        if node.start_byte() < iter.start || node.end_byte() > iter.end {
            // Past the loop's header: a lambda's rows argument has none.
            return None;
        }
        node = node.parent()?;
    }
}

fn loop_markdown(cost: &LoopCost) -> String {
    format!(
        "**Loop over `{}` rows**\n\n{}\n\n{}",
        cost.model,
        cost.summary(),
        applied_line(cost)
    )
}

fn access_markdown(file: &SourceFile, cost: &LoopCost, range: TextRange) -> String {
    let queries: Vec<&PerRowQuery> = cost.per_row.iter().filter(|q| q.range == range).collect();
    let read = snippet(&file.source[range.start..range.end]);
    let each = match queries.len() {
        1 => "one query".to_string(),
        n => format!("{n} queries"),
    };
    let why: Vec<String> = queries
        .iter()
        .map(|q| format!("`{}` ({}, {})", q.lookup, q.relation, q.why))
        .collect();
    format!(
        "**`{read}` runs {each} per `{}` row**: {}\n\nThe loop: {}\n\n{}",
        cost.model,
        why.join(", "),
        cost.summary(),
        applied_line(cost)
    )
}

fn applied_line(cost: &LoopCost) -> String {
    if cost.applied.is_empty() {
        return "The queryset applies none of `select_related`, `prefetch_related`, `only`, `defer`."
            .to_string();
    }
    let applied: Vec<String> = cost.applied.iter().map(|a| format!("`.{a}`")).collect();
    format!("The queryset applies {}.", applied.join(", "))
}

/// `text` on one line, shortened to fit in a hover's heading.
fn snippet(text: &str) -> String {
    crate::text::snippet(text, 60)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::cost::loop_costs;
    use crate::index::{IndexOptions, ModelIndex};

    const MODELS: &str = "from django.db import models\n\
class Tag(models.Model):\n    name = models.CharField()\n\
class Author(models.Model):\n    name = models.CharField()\n\
class Post(models.Model):\n    author = models.ForeignKey(Author, on_delete=models.CASCADE)\n    tags = models.ManyToManyField(Tag)\n";

    const VIEWS: &str = "from .models import Post\n\
def f():\n    posts = Post.objects.all()\n    for post in posts:\n        print(post.author.name, list(post.tags.all()))\n\
def g():\n    return [p.author.name for p in Post.objects.select_related(\"author\")]\n\
def h(posts):\n    return sorted(Post.objects.all(), key=lambda p: p.author.name)\n";

    /// The hover at the `nth` (0-based) occurrence of `needle` in the views, `shift`
    /// bytes into it.
    fn hover_at(needle: &str, nth: usize, shift: usize) -> Option<Found> {
        let files = [
            SourceFile::new("blog/models.py".into(), MODELS),
            SourceFile::new("blog/views.py".into(), VIEWS),
        ];
        let index = ModelIndex::build(&files, &IndexOptions::default());
        let costs = loop_costs(&files[1], &index);
        let (offset, _) = VIEWS.match_indices(needle).nth(nth).expect("in the views");
        at(&files[1], &costs, offset + shift)
    }

    fn hovered(found: &Found) -> &str {
        &VIEWS[found.range.start..found.range.end]
    }

    const N_PLUS_ONE: &str = "1 + 2N queries: `author` (foreign key, not selected), `tags` (many-to-many, not prefetched)";

    #[test]
    fn the_for_keyword_shows_the_loop() {
        let found = hover_at("for post", 0, 1).unwrap();
        assert_eq!(hovered(&found), "for");
        assert_eq!(
            found.markdown,
            format!(
                "**Loop over `Post` rows**\n\n{N_PLUS_ONE}\n\nThe queryset applies none of \
                 `select_related`, `prefetch_related`, `only`, `defer`."
            )
        );
    }

    #[test]
    fn the_iterated_name_and_the_loop_variable_show_the_loop() {
        let iterated = hover_at("posts:", 0, 0).unwrap();
        assert_eq!(hovered(&iterated), "posts");
        assert!(
            iterated.markdown.contains(N_PLUS_ONE),
            "{}",
            iterated.markdown
        );
        let variable = hover_at("post in", 0, 2).unwrap();
        assert_eq!(hovered(&variable), "post");
        assert_eq!(variable.markdown, iterated.markdown);
    }

    #[test]
    fn a_comprehension_shows_what_its_queryset_applies() {
        for (needle, text) in [
            ("for p in", "for"),
            (
                "Post.objects.select_related",
                "Post.objects.select_related(\"author\")",
            ),
        ] {
            let found = hover_at(needle, 0, 0).unwrap();
            assert_eq!(hovered(&found), text);
            assert_eq!(
                found.markdown,
                "**Loop over `Post` rows**\n\n1 query\n\nThe queryset applies \
                 `.select_related(\"author\")`."
            );
        }
    }

    #[test]
    fn a_read_run_per_row_shows_its_query() {
        let found = hover_at("post.tags", 0, 6).unwrap();
        assert_eq!(hovered(&found), "post.tags");
        assert!(
            found.markdown.starts_with(
                "**`post.tags` runs one query per `Post` row**: `tags` (many-to-many, not prefetched)"
            ),
            "{}",
            found.markdown
        );
        assert!(found.markdown.contains(&format!("The loop: {N_PLUS_ONE}")));
    }

    #[test]
    fn a_lambda_given_rows_is_hovered_on_its_rows() {
        let found = hover_at("Post.objects.all(), key", 0, 0).unwrap();
        assert_eq!(hovered(&found), "Post.objects.all()");
        assert!(found.markdown.contains("1 + N queries: `author`"));
    }

    #[test]
    fn outside_any_loop_nothing() {
        assert_eq!(hover_at("posts = ", 0, 0), None);
        assert_eq!(hover_at("def f", 0, 0), None);
        // The body of the loop, away from any read that runs a query.
        assert_eq!(hover_at("print(post", 0, 0), None);
        assert_eq!(hover_at(".name, list", 0, 1), None);
    }
}
