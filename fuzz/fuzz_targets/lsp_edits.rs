//! An open document edited by a sequence of `didChange` notifications, as the language
//! server applies them: positions in UTF-8 or UTF-16, ranges past the end of a line or
//! of the document, reversed ranges, whole-text replacements, huge lines, stale versions.
//!
//! After each notification the document's text must equal a plain `String` that applied
//! the same edits with positions clamped as LSP says, and the analysis runs on its
//! snapshot through one `FlowCache`, as the server's does. While the document is parsed
//! whole (not read patched around a syntax error), its tree must equal a fresh parse and
//! its findings those of a fresh check.
//!
//! Input: the document's first text, a 0xFF byte (never part of UTF-8), then the bytes
//! the notifications are drawn from.

#![no_main]

use std::path::PathBuf;
use std::sync::Arc;

use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use ormhint::analysis::cost::loop_costs_with;
use ormhint::analysis::flow::FlowCache;
use ormhint::analysis::{RuleSet, check_file, check_file_with};
use ormhint::index::{IndexOptions, ModelIndex, extract};
use ormhint::lsp::documents::{Document, Stale, Syntax};
use ormhint::lsp::encoding::{self, Encoding};
use ormhint::syntax::{self, SourceFile};
use ormhint::text::LineIndex;
use ormhint_fuzz::{
    MODEL_INDEX, assert_costs_sound, assert_sound, is_test_panic, on_production_stack,
};
use tower_lsp_server::ls_types::{Position, Range, TextDocumentContentChangeEvent};
use tree_sitter::Node;

/// Pieces of Python and Django a change inserts, beside raw bytes and copies of the text.
const PIECES: &[&str] = &[
    "x",
    " ",
    "    ",
    "\n",
    "\r\n",
    "\r",
    "\t",
    "😀",
    "中文",
    "é",
    "\u{2028}",
    "(",
    ")",
    "[",
    "]",
    ":",
    ",",
    ".",
    "\"",
    "'",
    "\"\"\"",
    "#",
    "\\",
    "for ",
    " in ",
    "if ",
    "def ",
    "class ",
    "return ",
    "lambda ",
    "pass",
    "post",
    "posts",
    "Post",
    "Post.objects",
    ".objects.all()",
    ".filter(title=\"x\")",
    ".select_related(\"author\")",
    ".prefetch_related(\"tags\")",
    ".only(\"title\")",
    ".values(\"id\")",
    ".count() > 0",
    "len(posts)",
    ".author.name",
    ".author.id",
    ".tags.all()",
    "for post in Post.objects.all():\n    print(post.author.name)\n",
    "def view(request):\n    ",
    "class V(ListView):\n    model = Post\n",
    "from blog.models import Post\n",
    "from .models import *\n",
    "# noqa: ORM101",
];

/// The bytes (and characters) a huge line is made of.
const HUGE: &[&str] = &["x", "é", "😀", "(", "a.", "\"", " "];

/// The most text a document may reach: a notification that would make it longer is
/// skipped (a change can repeat a piece many times).
const MAX_TEXT: usize = 128 << 10;

const PATH: &str = "blog/views.py";

fuzz_target!(|data: &[u8]| {
    let (first, script) = match data.iter().position(|&b| b == 0xFF) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &[][..]),
    };
    let first = String::from_utf8_lossy(first).into_owned();
    let _ = on_production_stack(|| run(first, &mut Unstructured::new(script)));
});

fn run(first: String, u: &mut Unstructured<'_>) -> Result<()> {
    let encoding = if u.arbitrary::<bool>()? {
        Encoding::Utf8
    } else {
        Encoding::Utf16
    };
    let mut model = first;
    if is_test_panic(&model) {
        return Ok(());
    }
    let mut document = Document::new(&model, 0);
    let mut cache = FlowCache::default();
    let mut own_index: Option<ModelIndex> = None;
    analyse(&document, &model, &mut cache, &MODEL_INDEX, encoding);
    for _ in 0..32 {
        if u.is_empty() {
            break;
        }
        let held = document.version();
        if u.ratio(1, 16)? {
            let got = held - i32::from(u.arbitrary::<u8>()? % 3);
            let result = document.apply(got, &[full_text("stale")], encoding);
            assert_eq!(result, Err(Stale { held, got }));
            assert_eq!(&**document.text(), model.as_str());
            continue;
        }
        let mut expected = model.clone();
        let mut changes = Vec::new();
        for _ in 0..u.int_in_range(1..=3)? {
            changes.push(change(u, &mut expected, encoding)?);
        }
        if expected.len() > MAX_TEXT {
            continue;
        }
        model = expected;
        if is_test_panic(&model) {
            return Ok(());
        }
        let version = held + 1 + i32::from(u.arbitrary::<u8>()? % 3);
        document
            .apply(version, &changes, encoding)
            .expect("a newer version applies");
        assert_eq!(document.version(), version);
        assert_eq!(&**document.text(), model.as_str(), "after {changes:?}");
        // After a pause in the typing the server indexes the buffer's own models.
        if u.ratio(1, 8)? {
            let facts = extract(&SourceFile::new(PathBuf::from(PATH), model.as_str()));
            own_index = Some(MODEL_INDEX.with_file(Arc::new(facts), &IndexOptions::default()));
        }
        let index = own_index.as_ref().unwrap_or(&MODEL_INDEX);
        analyse(&document, &model, &mut cache, index, encoding);
    }
    Ok(())
}

fn full_text(text: &str) -> TextDocumentContentChangeEvent {
    TextDocumentContentChangeEvent {
        range: None,
        range_length: None,
        text: text.to_string(),
    }
}

/// One change drawn from `u`, applied to `text` as LSP says it applies.
fn change(
    u: &mut Unstructured<'_>,
    text: &mut String,
    encoding: Encoding,
) -> Result<TextDocumentContentChangeEvent> {
    if u.ratio(1, 32)? {
        *text = insertion(u, text)?;
        return Ok(full_text(text));
    }
    let start = position(u, text)?;
    let end = if u.ratio(1, 3)? {
        start
    } else {
        position(u, text)?
    };
    let new = insertion(u, text)?;
    let a = clamped_offset(text, start, encoding);
    let b = clamped_offset(text, end, encoding);
    // A reversed range is taken as the range between its ends.
    text.replace_range(a.min(b)..a.max(b), &new);
    Ok(TextDocumentContentChangeEvent {
        range: Some(Range::new(start, end)),
        range_length: None,
        text: new,
    })
}

/// A position for `text` drawn from `u`: mostly on a line of the text, now and then past
/// its last line or anywhere at all.
fn position(u: &mut Unstructured<'_>, text: &str) -> Result<Position> {
    let lines = line_spans(text);
    Ok(match u.int_in_range(0..=9)? {
        0 => Position::new(u.arbitrary()?, u.arbitrary()?),
        1 => Position::new(
            (lines.len() - 1 + usize::from(u.arbitrary::<u8>()? % 3)) as u32,
            u.arbitrary::<u8>()?.into(),
        ),
        _ => {
            let line = u.choose_index(lines.len())?;
            let (start, end) = lines[line];
            // Bytes bound the units of either encoding; a little past the end too.
            let past_end = (end - start + 2).min(u32::MAX as usize) as u32;
            Position::new(line as u32, u.int_in_range(0..=past_end)?)
        }
    })
}

/// The text a change inserts.
fn insertion(u: &mut Unstructured<'_>, text: &str) -> Result<String> {
    let mut out = String::new();
    for _ in 0..u.int_in_range(0..=3)? {
        match u.int_in_range(0..=9)? {
            0 => {
                let len = u.int_in_range(0..=24)?;
                out.push_str(&String::from_utf8_lossy(u.bytes(len)?));
            }
            1 if !text.is_empty() => {
                // A copy of part of the text, as a paste.
                let mut a = u.choose_index(text.len())?;
                let mut b = (a + u.int_in_range(0..=400)?).min(text.len());
                while !text.is_char_boundary(a) {
                    a -= 1;
                }
                while !text.is_char_boundary(b) {
                    b += 1;
                }
                out.push_str(&text[a..b]);
            }
            2 if u.ratio(1, 4)? => {
                // A huge line.
                let piece = u.choose(HUGE)?;
                out.push_str(&piece.repeat(u.int_in_range(1_000..=30_000)?));
            }
            _ => out.push_str(u.choose(PIECES)?),
        }
    }
    Ok(out)
}

/// The byte spans of `text`'s lines without their line breaks: lines end at `\n`, `\r\n`
/// or a lone `\r`, as LSP counts them.
fn line_spans(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut spans = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => {
                spans.push((start, i));
                start = i + 1;
            }
            b'\r' => {
                spans.push((start, i));
                if bytes.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    spans.push((start, bytes.len()));
    spans
}

/// The byte offset of `position` in `text`, clamped as LSP says: a line past the last is
/// the end of the text, a column past the end of its line the line's end (before its
/// break), a column inside a character that character's start.
fn clamped_offset(text: &str, position: Position, encoding: Encoding) -> usize {
    let lines = line_spans(text);
    let Some(&(start, end)) = lines.get(position.line as usize) else {
        return text.len();
    };
    let mut units = 0;
    for (at, c) in text[start..end].char_indices() {
        units += match encoding {
            Encoding::Utf8 => c.len_utf8(),
            Encoding::Utf16 => c.len_utf16(),
        };
        if units > position.character as usize {
            return start + at;
        }
    }
    end
}

fn analyse(
    document: &Document,
    text: &str,
    cache: &mut FlowCache,
    index: &ModelIndex,
    encoding: Encoding,
) {
    let path = PathBuf::from(PATH);
    let snapshot = document.snapshot();
    assert_eq!(&*snapshot.text, text);
    let file = snapshot.file(path.clone());
    let rules = RuleSet::all();
    let found = check_file_with(&file, index, rules, cache);
    assert_sound(&path, text, &found);
    assert_costs_sound(text, &loop_costs_with(&file, index, cache));
    let lines = LineIndex::new(text);
    for d in &found {
        for offset in [d.range.start, d.range.end] {
            let lsp = encoding::position(text, &lines, offset, encoding);
            assert_eq!(
                clamped_offset(text, lsp, encoding),
                offset,
                "{offset} as {lsp:?}"
            );
            let _ = document.node_for_range(d.range.start, d.range.end);
        }
    }
    let fresh = syntax::parse(text, None);
    assert_eq!(
        nodes(file.tree().root_node()),
        nodes(fresh.root_node()),
        "the document's tree differs from a fresh parse"
    );
    if let Syntax::Tree(_) = snapshot.syntax {
        let alone = check_file(&SourceFile::with_tree(path, text, fresh), index, rules);
        assert_eq!(found, alone, "the cached analysis differs from a fresh one");
    }
}

type NodeSummary = (&'static str, std::ops::Range<usize>, bool);

/// `node` and its descendants in document order: kind, byte range, missing or not.
fn nodes(node: Node<'_>) -> Vec<NodeSummary> {
    let mut out = Vec::new();
    let mut stack = vec![node];
    while let Some(node) = stack.pop() {
        out.push((node.kind(), node.byte_range(), node.is_missing()));
        let mut cursor = node.walk();
        let children: Vec<_> = node.children(&mut cursor).collect();
        stack.extend(children.into_iter().rev());
    }
    out
}
