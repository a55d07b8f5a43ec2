//! Open documents: text as a rope, the client's version, and a tree kept up to date by
//! incremental re-parsing.

use std::path::PathBuf;
use std::sync::Arc;

use ropey::Rope;
use tower_lsp_server::ls_types::TextDocumentContentChangeEvent;
use tree_sitter::{InputEdit, Node, Point, Tree};

use super::encoding::{self, Encoding};
use crate::syntax::node::undecorated;
use crate::syntax::{self, Patch, SourceFile, fields::FIELDS};

/// The most bytes the regions an edit touched (see `edited_spans`) may hold for the
/// text to be read patched. They are parsed at every notification, before the whole
/// text (0.3 ms for a 10-line function); a region is a whole module-level statement,
/// and one edit in a 500-line model class would cost 5-10 ms. Past this size the whole
/// text is parsed, as when no patch is possible.
const REGIONS_MAX: usize = 4 * 1024;

/// For how many notifications a syntax error may last before the parser starts from
/// the tree with the error instead of the last tree without (see `Parsed`).
const CLEAN_TREE_KEPT: u32 = 200;

/// One open document.
#[derive(Debug)]
pub struct Document {
    rope: Rope,
    version: i32,
    parsed: Parsed,
    /// The bytes of the text the edits since the tree the parser starts from (see
    /// `base`) replaced or inserted, in order, apart and in today's offsets.
    touched: Vec<std::ops::Range<usize>>,
    /// The rope's text, rebuilt once per notification (the parser and the analysis read
    /// a `str`; snapshots share it).
    text: Arc<str>,
}

/// How a document's text is parsed.
#[derive(Debug)]
enum Parsed {
    /// `tree` is the text's. While it has syntax errors, `clean` is the last tree that
    /// had none, edited since; the parser starts from it rather than from `tree`: a
    /// syntax error can make the whole module one ERROR node (typing `f` of `for`
    /// does), and re-parsing from that when the error goes costs more than parsing
    /// afresh (40 ms against 2 for a 3,000-line file). With the count of notifications
    /// since: an error left in place for long would make every parse re-read everything
    /// edited since it appeared.
    Whole {
        tree: Tree,
        clean: Option<(Tree, u32)>,
    },
    /// The edits since the last tree without syntax errors (the patch's base, edited
    /// since) leave one in the statements they touched: those regions each parsed
    /// alone, the rest read from the base. With the count of notifications since the
    /// base was parsed, as for `clean`.
    Patched { patch: Patch, age: u32 },
}

/// What the analysis needs of one version of a document; cheap to take (trees are
/// reference-counted), independent of later edits.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub version: i32,
    pub text: Arc<str>,
    pub syntax: Syntax,
}

/// How a snapshot's text is read.
#[derive(Debug, Clone)]
pub enum Syntax {
    Tree(Tree),
    Patched(Patch),
}

impl Snapshot {
    /// The snapshot as the analysis reads it, as the file at `path`.
    pub fn file(&self, path: PathBuf) -> SourceFile {
        match &self.syntax {
            Syntax::Tree(tree) => SourceFile::with_tree(path, self.text.clone(), tree.clone()),
            Syntax::Patched(patch) => SourceFile::patched(path, self.text.clone(), patch.clone()),
        }
    }
}

/// A notification that was not applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stale {
    pub held: i32,
    pub got: i32,
}

impl Document {
    pub fn new(text: &str, version: i32) -> Self {
        Self {
            rope: Rope::from_str(text),
            version,
            parsed: Parsed::Whole {
                tree: syntax::parse(text, None),
                clean: None,
            },
            touched: Vec::new(),
            text: text.into(),
        }
    }

    pub fn version(&self) -> i32 {
        self.version
    }

    pub fn text(&self) -> &Arc<str> {
        &self.text
    }

    pub fn has_syntax_error(&self) -> bool {
        match &self.parsed {
            Parsed::Whole { tree, .. } => tree.root_node().has_error(),
            Parsed::Patched { .. } => true,
        }
    }

    /// The smallest node that spans `start..end` (byte offsets).
    pub fn node_for_range(&self, start: usize, end: usize) -> Option<Node<'_>> {
        match &self.parsed {
            Parsed::Whole { tree, .. } => tree.root_node().descendant_for_byte_range(start, end),
            Parsed::Patched { patch, .. } => patch.node_for_range(start, end),
        }
    }

    pub fn snapshot(&self) -> Snapshot {
        let syntax = match &self.parsed {
            Parsed::Whole { tree, .. } => Syntax::Tree(tree.clone()),
            Parsed::Patched { patch, .. } => Syntax::Patched(patch.clone()),
        };
        Snapshot {
            version: self.version,
            text: self.text.clone(),
            syntax,
        }
    }

    /// While the text is read patched: its patch.
    #[cfg(test)]
    fn patch(&self) -> Option<&Patch> {
        match &self.parsed {
            Parsed::Patched { patch, .. } => Some(patch),
            Parsed::Whole { .. } => None,
        }
    }

    /// Applies one `didChange` notification: each change in order (a change without a
    /// range replaces the whole text), then one re-parse. A notification for a version
    /// not newer than the one held is refused.
    pub fn apply(
        &mut self,
        version: i32,
        changes: &[TextDocumentContentChangeEvent],
        encoding: Encoding,
    ) -> Result<(), Stale> {
        if version <= self.version {
            return Err(Stale {
                held: self.version,
                got: version,
            });
        }
        for change in changes {
            let (start, end) = match change.range {
                Some(range) => {
                    let start = encoding::rope_offset(&self.rope, range.start, encoding);
                    let end = encoding::rope_offset(&self.rope, range.end, encoding);
                    (start.min(end), start.max(end))
                }
                None => (0, self.rope.len_bytes()),
            };
            self.replace(start, end, &change.text);
        }
        self.version = version;
        let text: String = self.rope.to_string();
        self.reparse(&text);
        self.text = text.into();
        Ok(())
    }

    /// Brings the syntax up to `text` (the rope's). When the last tree without syntax
    /// errors is at hand and the regions the edits touched since parse with an error,
    /// the text is read patched; otherwise the whole text is re-parsed incrementally.
    fn reparse(&mut self, text: &str) {
        let spans = self
            .last_clean()
            .map(|(base, _)| edited_spans(base, &self.touched, &self.rope, text))
            .filter(|spans| {
                let bytes: usize = spans.iter().map(|s| s.end_byte - s.start_byte).sum();
                bytes <= REGIONS_MAX
            });
        if let Some(spans) = spans {
            let regions: Vec<Tree> = spans
                .into_iter()
                .map(|span| syntax::parse_range(text, span))
                .collect();
            if regions.iter().any(|region| region.root_node().has_error()) {
                let (base, age) = self.last_clean().expect("spans come from it");
                let patch = Patch {
                    base: base.clone(),
                    regions,
                };
                self.parsed = Parsed::Patched {
                    patch,
                    age: age + 1,
                };
                return;
            }
        }
        let tree = syntax::parse(text, Some(self.base()));
        let clean = if tree.root_node().has_error() {
            self.last_clean()
                .map(|(clean, age)| (clean.clone(), age + 1))
        } else {
            None
        };
        if clean.is_none() {
            // The next edits are counted from the new tree.
            self.touched.clear();
        }
        self.parsed = Parsed::Whole { tree, clean };
    }

    /// The last tree without syntax errors, edited since, with the count of
    /// notifications since it was parsed; `None` when there is none or it is older than
    /// `CLEAN_TREE_KEPT` notifications.
    fn last_clean(&self) -> Option<(&Tree, u32)> {
        let (tree, age) = match &self.parsed {
            Parsed::Whole { tree, clean: None } => {
                (!tree.root_node().has_error()).then_some((tree, 0))?
            }
            Parsed::Whole {
                clean: Some((clean, age)),
                ..
            } => (clean, *age),
            Parsed::Patched { patch, age } => (&patch.base, *age),
        };
        (age < CLEAN_TREE_KEPT).then_some((tree, age))
    }

    /// The tree the next parse starts from: the last one without syntax errors while
    /// there is one (see `Parsed::Whole`).
    fn base(&self) -> &Tree {
        match &self.parsed {
            Parsed::Whole {
                clean: Some((clean, _)),
                ..
            } => clean,
            Parsed::Whole { tree, .. } => tree,
            Parsed::Patched { patch, .. } => &patch.base,
        }
    }

    /// Replaces bytes `start..end` (on character boundaries) in the rope and edits the
    /// tree to match; the tree is re-parsed by the caller.
    fn replace(&mut self, start: usize, end: usize, new_text: &str) {
        // The span is measured on the tree the parser will start from.
        let (from, to) = reparse_span(self.base(), &self.rope, start, end);
        let start_position = point_at(&self.rope, from);
        let old_end_position = advance(start_position, self.rope.byte_slice(from..to).chunks());
        let start_char = self.rope.byte_to_char(start);
        let end_char = self.rope.byte_to_char(end);
        self.rope.remove(start_char..end_char);
        self.rope.insert(start_char, new_text);
        let new_to = to - (end - start) + new_text.len();
        let new_end_position = advance(start_position, self.rope.byte_slice(from..new_to).chunks());
        let edit = InputEdit {
            start_byte: from,
            old_end_byte: to,
            new_end_byte: new_to,
            start_position,
            old_end_position,
            new_end_position,
        };
        match &mut self.parsed {
            Parsed::Whole { tree, clean } => {
                tree.edit(&edit);
                if let Some((clean, _)) = clean {
                    clean.edit(&edit);
                }
            }
            // The regions are parsed again from the text.
            Parsed::Patched { patch, .. } => patch.base.edit(&edit),
        }
        touch(&mut self.touched, start..end, new_text.len());
    }
}

/// The bytes the parser is told were replaced when `start..end` was: whole statements,
/// from the line where the statement before the edit ends to the start of the
/// statement after it (statements of the module, or of a class body when the edit lies
/// inside one). Telling the parser less than that is correct too, but slow:
/// tree-sitter does not reuse a node that begins where a zero-width `_newline` or
/// `_dedent` was re-lexed (its external scanner state differs at that moment), and
/// skips it whole. With the repetition of a module's statements balanced into a tree,
/// that node can be most of the rest of the file: a space typed in an indentation or a
/// blank line of a 3,000-line file cost 15-25 ms instead of 2. Inside the claimed span
/// those nodes move to its end, where the parser descends into them instead.
/// The span ends at a statement that starts at the block's indentation: an indented
/// statement after the edit is the rest of a body that an indentation change cut off,
/// and will join it again.
fn reparse_span(tree: &Tree, rope: &Rope, start: usize, end: usize) -> (usize, usize) {
    let (mut from, mut to) = (0, rope.len_bytes());
    let mut block = tree.root_node();
    let mut column = 0;
    loop {
        let mut inner = None;
        let mut cursor = block.walk();
        for statement in block.named_children(&mut cursor) {
            if statement.is_extra() {
                continue;
            }
            if statement.end_byte() < start {
                from = statement.end_byte();
            } else if statement.start_byte() > end && statement.start_position().column == column {
                to = statement.start_byte();
                break;
            } else if statement.start_byte() <= start && end <= statement.end_byte() {
                inner = class_body(statement)
                    .filter(|body| body.start_byte() <= start && end <= body.end_byte())
                    .map(|body| (statement.start_byte(), body));
            }
        }
        match inner {
            Some((class_start, body)) => {
                from = class_start;
                column = body.start_position().column;
                block = body;
            }
            None => break,
        }
    }
    let line_start = rope.line_to_byte(rope.byte_to_line(from));
    (line_start.min(start), to.max(end))
}

/// Records in `touched` (see `Document::touched`) that bytes `replaced` were replaced
/// by `inserted` bytes.
fn touch(
    touched: &mut Vec<std::ops::Range<usize>>,
    replaced: std::ops::Range<usize>,
    inserted: usize,
) {
    let moved = |offset: usize| offset + inserted - replaced.len();
    let mut new = replaced.start..replaced.start + inserted;
    touched.retain_mut(|range| {
        if range.start > replaced.end {
            *range = moved(range.start)..moved(range.end);
            true
        } else if range.end < replaced.start {
            true
        } else {
            new.start = new.start.min(range.start);
            new.end = new.end.max(if range.end > replaced.end {
                moved(range.end)
            } else {
                new.end
            });
            false
        }
    });
    let at = touched.partition_point(|range| range.start < new.start);
    touched.insert(at, new);
}

/// The regions of `text` (the rope's) that the edits since `base` was parsed touched
/// (`touched`), to be parsed alone: from the end of a module-level node no edit touched
/// to the start of the next, when a node between them was touched or text was put
/// between them. A node an edit came near without touching it (in the blank lines before
/// it, or right after its last token) has changes but keeps its text, and its place.
fn edited_spans(
    base: &Tree,
    touched: &[std::ops::Range<usize>],
    rope: &Rope,
    text: &str,
) -> Vec<tree_sitter::Range> {
    let root = base.root_node();
    let mut spans = Vec::new();
    // Where a region may start: the end of the last node no edit touched. Its points
    // come from the tree, which is edited along with the text (counting rows in the rope
    // reads it from the start).
    let mut from = (0, Point::new(0, 0));
    let mut touched_run = false;
    let mut cursor = root.walk();
    // `to` without its point: the end of the text, whose point is counted only when needed.
    let mut close = |from: (usize, Point), to: (usize, Option<Point>), touched: bool| {
        let between = text.get(from.0..to.0).unwrap_or("");
        if from.0 < to.0 && (touched || !between.trim().is_empty()) {
            spans.push(tree_sitter::Range {
                start_byte: from.0,
                end_byte: to.0,
                start_point: from.1,
                end_point: to.1.unwrap_or_else(|| point_at(rope, to.0)),
            });
        }
    };
    for child in root.named_children(&mut cursor) {
        let edited = child.has_changes()
            && touched
                .iter()
                .any(|range| range.start <= child.end_byte() && child.start_byte() <= range.end);
        if edited {
            touched_run = true;
            continue;
        }
        let start = (child.start_byte(), Some(child.start_position()));
        close(from, start, touched_run);
        from = (child.end_byte(), child.end_position());
        touched_run = false;
    }
    close(from, (text.len(), None), touched_run);
    spans
}

/// The body of a class statement, decorated or not.
fn class_body(statement: Node<'_>) -> Option<Node<'_>> {
    let class = undecorated(statement);
    (class.kind() == "class_definition")
        .then(|| class.child_by_field_id(FIELDS.body))
        .flatten()
}

/// Tree-sitter's point for a byte offset: rows end at `\n` only, columns are bytes.
fn point_at(rope: &Rope, offset: usize) -> Point {
    advance(Point::new(0, 0), rope.byte_slice(..offset).chunks())
}

/// The point after `text` (given in chunks) when it starts at `from`.
fn advance<'a>(from: Point, chunks: impl Iterator<Item = &'a str>) -> Point {
    let mut point = from;
    for chunk in chunks {
        match chunk.rfind('\n') {
            Some(last) => {
                point.row += chunk.bytes().filter(|&b| b == b'\n').count();
                point.column = chunk.len() - last - 1;
            }
            None => point.column += chunk.len(),
        }
    }
    point
}

#[cfg(test)]
mod tests {
    use tower_lsp_server::ls_types::{Position, Range};

    use super::*;
    use crate::text::LineIndex;

    /// A small deterministic generator (xorshift), so failures reproduce.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n.max(1) as u64) as usize
        }
    }

    const START: &str = "from blog.models import Post\r\n\r\n\
        def view(request):\n    posts = Post.objects.filter(title=\"héllo 😀\")\n\
        \x20   for post in posts:\r\n        print(post.author.name)  # 中文\n    return posts\n";

    const PIECES: &[&str] = &[
        "x",
        " ",
        "\n",
        "\r\n",
        "\r",
        "😀",
        "中文",
        "é",
        "(",
        ")",
        "\"",
        ":",
        "    ",
        "for p in Post.objects.all():\n        p.author",
        "def f(a, b):\n    return a\n",
        "# comment 🎉\n",
        "if x:\r\n    pass\r\n",
        ".select_related(\"author\")",
        "'''doc 中\n'''",
        "class C(models.Model):\n    x = 1\n\n    def m(self):\n        return self.x\n",
        "@admin.register(Post)\n",
        "\n\n",
        "from x import y\n",
        "\n    import os",
        "",
    ];

    /// A random char boundary of `text`, never between the `\r` and `\n` of a line ending
    /// (no LSP position names that place).
    fn boundary(rng: &mut Rng, text: &str) -> usize {
        let mut at = rng.below(text.len() + 1);
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        if at > 0 && text.as_bytes()[at - 1] == b'\r' && text.as_bytes().get(at) == Some(&b'\n') {
            at -= 1;
        }
        at
    }

    /// `node` and its descendants in document order: kind, byte range, points, missing
    /// or not.
    fn nodes(node: Node<'_>) -> Vec<(&'static str, std::ops::Range<usize>, Point, Point, bool)> {
        let mut out = Vec::new();
        let mut stack = vec![node];
        while let Some(node) = stack.pop() {
            out.push((
                node.kind(),
                node.byte_range(),
                node.start_position(),
                node.end_position(),
                node.is_missing(),
            ));
            let mut cursor = node.walk();
            let children: Vec<_> = node.children(&mut cursor).collect();
            stack.extend(children.into_iter().rev());
        }
        out
    }

    fn lsp_position(text: &str, offset: usize, encoding: Encoding) -> Position {
        encoding::position(text, &LineIndex::new(text), offset, encoding)
    }

    /// One random change against `expected`, applied to it; the change as the client
    /// would send it.
    fn random_change(
        rng: &mut Rng,
        expected: &mut String,
        encoding: Encoding,
    ) -> TextDocumentContentChangeEvent {
        if rng.below(200) == 0 {
            // Now and then the whole text.
            let text: String = (0..rng.below(6))
                .map(|_| PIECES[rng.below(PIECES.len())])
                .collect();
            *expected = format!("{START}{text}");
            return TextDocumentContentChangeEvent {
                range: None,
                range_length: None,
                text: expected.clone(),
            };
        }
        let a = boundary(rng, expected);
        let b = match rng.below(3) {
            0 => a,
            1 => boundary(rng, expected),
            _ => {
                let mut b = (a + rng.below(8)).min(expected.len());
                while !expected.is_char_boundary(b) {
                    b += 1;
                }
                if b > 0
                    && expected.as_bytes()[b - 1] == b'\r'
                    && expected.as_bytes().get(b) == Some(&b'\n')
                {
                    b += 1;
                }
                b
            }
        };
        let (start, end) = (a.min(b), a.max(b));
        let insert = if rng.below(3) == 0 {
            String::new()
        } else {
            (0..1 + rng.below(2))
                .map(|_| PIECES[rng.below(PIECES.len())])
                .collect()
        };
        let range = Range::new(
            lsp_position(expected, start, encoding),
            lsp_position(expected, end, encoding),
        );
        expected.replace_range(start..end, &insert);
        TextDocumentContentChangeEvent {
            range: Some(range),
            range_length: None,
            text: insert,
        }
    }

    /// A patched document reads its text right: the module-level nodes follow each
    /// other without overlapping, every one taken from the base is what its own text
    /// parses to, and every byte that is not whitespace is in one of them or in a region.
    fn assert_reads_right(document: &Document, text: &str) {
        let Some(patch) = document.patch() else {
            return;
        };
        let file = SourceFile::patched("x.py".into(), text, patch.clone());
        let regions: Vec<_> = patch
            .regions
            .iter()
            .map(|region| region.included_ranges()[0])
            .collect();
        let mut read = vec![false; text.len()];
        for range in &regions {
            read[range.start_byte..range.end_byte].fill(true);
        }
        let mut end = 0;
        for (node, _) in file.top_level() {
            assert!(end <= node.start_byte(), "overlapping nodes in {text:?}");
            end = node.end_byte();
            let in_region = regions
                .iter()
                .any(|r| r.start_byte <= node.start_byte() && node.end_byte() <= r.end_byte);
            if in_region {
                continue;
            }
            assert!(
                !read[node.start_byte()..node.end_byte()].contains(&true),
                "a base node overlaps a region of {text:?}"
            );
            read[node.start_byte()..node.end_byte()].fill(true);
            let range = tree_sitter::Range {
                start_byte: node.start_byte(),
                end_byte: node.end_byte(),
                start_point: node.start_position(),
                end_point: node.end_position(),
            };
            let alone = syntax::parse_range(text, range);
            let alone = alone.root_node().named_child(0).expect("a node");
            assert_eq!(nodes(node), nodes(alone), "a base node in {text:?}");
        }
        for (at, byte) in text.bytes().enumerate() {
            assert!(
                read[at] || byte.is_ascii_whitespace(),
                "byte {at} unread in {text:?}"
            );
        }
    }

    fn differential(encoding: Encoding, seed: u64, notifications: usize) {
        let mut rng = Rng(seed);
        let mut expected = START.to_string();
        let mut document = Document::new(START, 0);
        let mut patched = 0;
        for version in 1..=notifications {
            let count = 1 + if rng.below(4) == 0 { rng.below(4) } else { 0 };
            let changes: Vec<_> = (0..count)
                .map(|_| random_change(&mut rng, &mut expected, encoding))
                .collect();
            document
                .apply(version as i32, &changes, encoding)
                .expect("versions increase");
            assert_eq!(&*document.text, expected.as_str(), "text after {version}");
            assert_eq!(document.rope.to_string(), expected, "rope after {version}");
            assert_reads_right(&document, &expected);
            patched += usize::from(document.patch().is_some());
            let fresh = syntax::parse(&expected, None);
            assert_eq!(
                nodes(document.snapshot().file("x.py".into()).tree().root_node()),
                nodes(fresh.root_node()),
                "tree after {version} ({encoding:?}, seed {seed}): {changes:?}"
            );
        }
        // The random edits leave syntax errors often: the patched reading is exercised.
        assert!(patched > notifications / 10, "{patched} patched readings");
    }

    #[test]
    fn incremental_edits_match_fresh_parses_utf16() {
        for seed in [1, 2, 3] {
            differential(Encoding::Utf16, 0x9E37_79B9_7F4A_7C15 ^ seed, 1_000);
        }
    }

    #[test]
    fn incremental_edits_match_fresh_parses_utf8() {
        for seed in [4, 5, 6] {
            differential(Encoding::Utf8, 0x9E37_79B9_7F4A_7C15 ^ seed, 1_000);
        }
    }

    const VIEWS: &str = "from blog.models import Post\n\n\
        def view(request):\n    posts = Post.objects.all()\n    return posts\n\n\
        @cache\ndef other():\n    return 1\n\nX = 1\n";

    /// A syntax error that stays for longer than the last clean tree is kept: every tree
    /// on the way still equals a fresh parse.
    #[test]
    fn a_lasting_syntax_error_still_parses_right() {
        let mut expected = VIEWS.to_string();
        let mut document = Document::new(&expected, 0);
        let edit =
            |document: &mut Document, expected: &mut String, at: usize, old: usize, new: &str| {
                let range = Range::new(
                    lsp_position(expected, at, Encoding::Utf8),
                    lsp_position(expected, at + old, Encoding::Utf8),
                );
                expected.replace_range(at..at + old, new);
                let change = TextDocumentContentChangeEvent {
                    range: Some(range),
                    range_length: None,
                    text: new.to_string(),
                };
                let version = document.version() + 1;
                document.apply(version, &[change], Encoding::Utf8).unwrap();
                assert_reads_right(document, expected);
                let file = document.snapshot().file("x.py".into());
                let fresh = syntax::parse(expected, None);
                assert_eq!(nodes(file.tree().root_node()), nodes(fresh.root_node()));
            };
        let broken = expected.find("X = 1").unwrap();
        edit(&mut document, &mut expected, broken, 0, "f or (");
        assert!(document.has_syntax_error());
        assert!(document.patch().is_some(), "read patched");
        for _ in 0..CLEAN_TREE_KEPT + 20 {
            let at = expected.find("return 1").unwrap() + "return ".len();
            edit(&mut document, &mut expected, at, 0, "1");
        }
        assert!(
            matches!(document.parsed, Parsed::Whole { clean: None, .. }),
            "kept past {CLEAN_TREE_KEPT} notifications"
        );
        assert!(document.has_syntax_error());
        let broken = expected.find("f or (").unwrap();
        edit(&mut document, &mut expected, broken, "f or (".len(), "");
        assert!(!document.has_syntax_error());
    }

    /// A document read patched finds nodes in its regions and in its base.
    #[test]
    fn a_patched_document_finds_nodes_in_regions_and_base() {
        let mut document = Document::new(VIEWS, 0);
        let at = VIEWS.find("def view").unwrap() + 2;
        let change = TextDocumentContentChangeEvent {
            range: Some(Range::new(
                lsp_position(VIEWS, at, Encoding::Utf8),
                lsp_position(VIEWS, at, Encoding::Utf8),
            )),
            range_length: None,
            text: " ".to_string(),
        };
        document.apply(1, &[change], Encoding::Utf8).unwrap();
        assert!(document.patch().is_some(), "read patched");
        let text = document.text().clone();
        let kind_at = |needle: &str| {
            let start = text.find(needle).unwrap();
            let node = document
                .node_for_range(start, start + needle.len())
                .unwrap();
            (node.kind(), &text[node.byte_range()])
        };
        // In the region (the broken statement and its neighbours) and in the base.
        assert_eq!(kind_at("request"), ("identifier", "request"));
        assert_eq!(kind_at("X = 1"), ("assignment", "X = 1"));
        let region = &document.patch().unwrap().regions[0];
        assert!(region.included_ranges()[0].end_byte <= text.find("X = 1").unwrap());
    }

    #[test]
    fn changes_in_one_notification_apply_in_order() {
        let mut document = Document::new("ab\n", 1);
        let change = |line, character, text: &str| TextDocumentContentChangeEvent {
            range: Some(Range::new(
                Position::new(line, character),
                Position::new(line, character),
            )),
            range_length: None,
            text: text.to_string(),
        };
        // The second change's position counts the first change's text.
        let changes = [change(0, 1, "😀"), change(0, 3, "x")];
        document.apply(2, &changes, Encoding::Utf16).unwrap();
        assert_eq!(&**document.text(), "a😀xb\n");
    }

    #[test]
    fn older_versions_are_refused() {
        let mut document = Document::new("a\n", 5);
        let change = TextDocumentContentChangeEvent {
            range: None,
            range_length: None,
            text: "b\n".to_string(),
        };
        assert_eq!(
            document.apply(4, std::slice::from_ref(&change), Encoding::Utf8),
            Err(Stale { held: 5, got: 4 })
        );
        assert_eq!(&**document.text(), "a\n");
        document.apply(6, &[change], Encoding::Utf8).unwrap();
        assert_eq!((document.version(), &**document.text()), (6, "b\n"));
    }

    #[test]
    fn positions_past_the_end_are_clamped() {
        let mut document = Document::new("a\nb", 1);
        let change = TextDocumentContentChangeEvent {
            range: Some(Range::new(Position::new(1, 7), Position::new(40, 0))),
            range_length: None,
            text: "c".to_string(),
        };
        document.apply(2, &[change], Encoding::Utf16).unwrap();
        assert_eq!(&**document.text(), "a\nbc");
    }
}
