//! `source.fixAll.ormhint`: every safe fix in a document, applied until nothing changes
//! (as `ormhint check --fix` does), sent as the few edits that turn the document's text
//! into the fixed text rather than as one whole-document replacement.

use std::convert::Infallible;

use similar::{DiffTag, TextDiff};
use tower_lsp_server::ls_types::{CodeAction, CodeActionKind, TextEdit};

use super::encoding::{self, Encoding};
use crate::analysis::check_file;
use crate::analysis::fixes::fix_until_stable;
use crate::config::Config;
use crate::fix::Edit;
use crate::index::ModelIndex;
use crate::project::sort_diagnostics;
use crate::syntax::SourceFile;
use crate::text::{LineIndex, TextRange};

/// The kind of the action, under `source.fixAll` as editors expect for fix-on-save.
pub const KIND: &str = "source.fixAll.ormhint";

pub fn kind() -> CodeActionKind {
    CodeActionKind::new(KIND)
}

/// Whether a request limited to `only` asks for the action: a kind that is
/// `source.fixAll.ormhint` or one of its parents (`source`, `source.fixAll`). A request
/// without `only` (a lightbulb, sent as the cursor moves) does not: the action needs a
/// whole analysis and re-checks, and editors ask for source actions by kind (fix on
/// save, a "Source Action" menu).
pub fn wanted(only: Option<&[CodeActionKind]>) -> bool {
    only.is_some_and(|kinds| {
        kinds.iter().any(|kind| {
            let kind = kind.as_str();
            kind.is_empty()
                || KIND == kind
                || KIND
                    .strip_prefix(kind)
                    .is_some_and(|rest| rest.starts_with('.'))
        })
    })
}

/// The text of `file` after every safe fix, re-checked and fixed again until stable;
/// `None` when nothing changes.
pub fn fixed_text(file: &SourceFile, index: &ModelIndex, config: &Config) -> Option<String> {
    let check = |file: &SourceFile| {
        let mut diagnostics = check_file(file, index, config.rules);
        sort_diagnostics(&mut diagnostics);
        diagnostics
    };
    let found = check(file);
    let fixed = fix_until_stable(&file.source, found, false, |source| {
        Ok::<_, Infallible>(check(&file.with_text(source)))
    })
    .unwrap_or_else(|never| match never {});
    (fixed.applied > 0 && *fixed.source != *file.source).then_some(fixed.source)
}

/// The action for `text` fixed into `fixed`, its edits in LSP positions; the caller
/// wraps them in a `WorkspaceEdit`.
pub fn action(text: &str, fixed: &str, encoding: Encoding) -> (CodeAction, Vec<TextEdit>) {
    let lines = LineIndex::new(text);
    let edits = minimal_edits(text, fixed)
        .into_iter()
        .map(|edit| {
            TextEdit::new(
                encoding::range(text, &lines, edit.range, encoding),
                edit.content,
            )
        })
        .collect();
    let action = CodeAction {
        title: "Apply all safe ormhint fixes".to_string(),
        kind: Some(kind()),
        ..CodeAction::default()
    };
    (action, edits)
}

/// Edits, sorted and apart, each relative to `before`, that turn `before` into `after`:
/// one per run of changed lines, trimmed to the characters that differ.
pub fn minimal_edits(before: &str, after: &str) -> Vec<Edit> {
    let diff = TextDiff::from_lines(before, after);
    let old_at = starts(diff.old_slices());
    let new_at = starts(diff.new_slices());
    let mut hunks: Vec<(TextRange, TextRange)> = Vec::new();
    for op in diff.ops() {
        let (tag, old, new) = op.as_tag_tuple();
        if tag == DiffTag::Equal {
            continue;
        }
        let old = TextRange::new(old_at[old.start], old_at[old.end]);
        let new = TextRange::new(new_at[new.start], new_at[new.end]);
        match hunks.last_mut() {
            // A deletion next to an insertion is one replacement.
            Some((o, n)) if o.end == old.start && n.end == new.start => {
                o.end = old.end;
                n.end = new.end;
            }
            _ => hunks.push((old, new)),
        }
    }
    hunks
        .into_iter()
        .map(|(old, new)| trim(before, after, old, new))
        .collect()
}

/// The byte offset where each slice starts, and the end of the last.
fn starts(slices: &[&str]) -> Vec<usize> {
    let mut at = Vec::with_capacity(slices.len() + 1);
    let mut offset = 0;
    at.push(0);
    for slice in slices {
        offset += slice.len();
        at.push(offset);
    }
    at
}

/// `before[old]` → `after[new]` without the characters both start and end with. A
/// boundary is never put between the `\r` and `\n` of a line break (no LSP position
/// names that place).
fn trim(before: &str, after: &str, old: TextRange, new: TextRange) -> Edit {
    let (a, b) = (&before[old.start..old.end], &after[new.start..new.end]);
    let mut prefix: usize = a
        .chars()
        .zip(b.chars())
        .take_while(|(x, y)| x == y)
        .map(|(x, _)| x.len_utf8())
        .sum();
    if splits_line_break(before, old.start + prefix) {
        prefix -= 1;
    }
    let (a_rest, b_rest) = (&a[prefix..], &b[prefix..]);
    let mut suffix: usize = a_rest
        .chars()
        .rev()
        .zip(b_rest.chars().rev())
        .take_while(|(x, y)| x == y)
        .map(|(x, _)| x.len_utf8())
        .sum();
    if splits_line_break(before, old.end - suffix) {
        suffix -= 1;
    }
    Edit::replacement(
        TextRange::new(old.start + prefix, old.end - suffix),
        &b[prefix..b.len() - suffix],
    )
}

fn splits_line_break(text: &str, at: usize) -> bool {
    text[..at].ends_with('\r') && text[at..].starts_with('\n')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(before: &str, edits: &[Edit]) -> String {
        let mut out = before.to_string();
        for edit in edits.iter().rev() {
            out.replace_range(edit.range.start..edit.range.end, &edit.content);
        }
        out
    }

    fn check(before: &str, after: &str) -> Vec<(String, String)> {
        let edits = minimal_edits(before, after);
        assert!(
            edits.windows(2).all(|w| w[0].range.end < w[1].range.start),
            "{edits:?}"
        );
        assert_eq!(apply(before, &edits), after);
        edits
            .iter()
            .map(|e| {
                (
                    before[e.range.start..e.range.end].to_string(),
                    e.content.clone(),
                )
            })
            .collect()
    }

    #[test]
    fn edits_are_the_changed_characters() {
        let before = "a = 1\nfor p in Post.objects.all():\n    print(len(q))\nz = 2\n";
        let after = "a = 1\nfor p in Post.objects.select_related(\"author\"):\n    print(q.count())\nz = 2\n";
        assert_eq!(
            check(before, after),
            [(
                "all():\n    print(len(q".to_string(),
                "select_related(\"author\"):\n    print(q.count(".to_string()
            )]
        );
        let before = "x = 1\ny = len(a)\nz = 2\nw = len(b)\n";
        let after = "x = 1\ny = a.count()\nz = 2\nw = b.count()\n";
        assert_eq!(
            check(before, after),
            [
                ("len(a".to_string(), "a.count(".to_string()),
                ("len(b".to_string(), "b.count(".to_string()),
            ]
        );
        assert_eq!(check("same\n", "same\n"), []);
        assert_eq!(check("", "new\n"), [(String::new(), "new\n".to_string())]);
        assert_eq!(check("a\nb\n", "a\n"), [("b\n".to_string(), String::new())]);
    }

    #[test]
    fn edits_keep_line_breaks_and_characters_whole() {
        assert_eq!(
            check("é = 1\r\n", "é = 1\r\nx = 2\r\n"),
            [(String::new(), "x = 2\r\n".to_string())]
        );
        // Common characters up to a `\r` (or from a `\n`) of a line break: the edit
        // takes the whole line break rather than start (or end) inside it.
        assert_eq!(
            check("a\r\nb", "a\rc"),
            [("\r\nb".to_string(), "\rc".to_string())]
        );
        assert_eq!(
            check("x\r\n", "y\n"),
            [("x\r\n".to_string(), "y\n".to_string())]
        );
        assert_eq!(check("😀a", "😁a"), [("😀".to_string(), "😁".to_string())]);
    }

    #[test]
    fn kinds_that_want_fix_all() {
        let kinds =
            |k: &[&'static str]| k.iter().map(|k| CodeActionKind::new(k)).collect::<Vec<_>>();
        assert!(!wanted(None));
        assert!(wanted(Some(&kinds(&["source"]))));
        assert!(wanted(Some(&kinds(&["source.fixAll"]))));
        assert!(wanted(Some(&kinds(&["quickfix", "source.fixAll.ormhint"]))));
        assert!(!wanted(Some(&kinds(&["quickfix"]))));
        assert!(!wanted(Some(&kinds(&["source.fix"]))));
        assert!(!wanted(Some(&kinds(&["source.organizeImports"]))));
        assert!(!wanted(Some(&kinds(&["source.fixAll.ruff"]))));
    }
}
