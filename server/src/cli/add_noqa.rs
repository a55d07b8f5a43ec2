//! `ormhint check --add-noqa`: a `# noqa: CODE` on the line of every current finding, so a
//! legacy code base adopts ormhint in one commit and sees only new findings afterwards.

use std::collections::BTreeMap;
use std::path::Path;

use std::io::{self, Write};

use super::render::Paths;
use super::warning;
use crate::analysis::noqa;
use crate::fix::Edit;
use crate::project::FileReport;
use crate::syntax::SourceFile;
use crate::text::LineIndex;

#[derive(Debug, Default)]
struct Added {
    /// Lines that got a directive, or more codes in theirs.
    directives: usize,
    /// Lines that cannot take a comment, each as a message.
    left: Vec<String>,
    /// Files that could not be written.
    failures: Vec<String>,
}

/// `--add-noqa`: writes the directives, says how many on stderr and warns about the
/// lines left as they were; returns the files that could not be written.
pub(super) fn run(root: &Path, files: &[FileReport], paths: &Paths) -> Vec<String> {
    let added = add_noqa(root, files, paths);
    if added.directives > 0 {
        let s = if added.directives == 1 { "" } else { "s" };
        let _ = writeln!(
            io::stderr(),
            "Added {} noqa directive{s}.",
            added.directives
        );
    }
    for message in &added.left {
        warning(message);
    }
    added.failures
}

/// Writes the directives into the files under `root` that have findings.
fn add_noqa(root: &Path, files: &[FileReport], paths: &Paths) -> Added {
    let mut added = Added::default();
    for file in files.iter().filter(|f| !f.diagnostics.is_empty()) {
        let (source, edits, left) = directives(file);
        for (line, codes) in left {
            added.left.push(format!(
                "{}:{}: cannot add `# noqa: {}`: the line ends in a `\\` continuation or \
                 inside a string",
                paths.show(&file.path),
                line + 1,
                codes.join(", ")
            ));
        }
        if edits.is_empty() {
            continue;
        }
        let text = apply(&source, &edits);
        if let Err(err) = std::fs::write(root.join(&file.path), text) {
            let path = paths.show(&file.path);
            added.failures.push(format!("cannot write {path}: {err}"));
            continue;
        }
        added.directives += edits.len();
    }
    added
}

type Left = Vec<(usize, Vec<&'static str>)>;

/// The edits for one file, and the lines (0-based) that cannot take one.
fn directives(file: &FileReport) -> (String, Vec<Edit>, Left) {
    let lines = LineIndex::new(&file.source);
    let mut by_line: BTreeMap<usize, Vec<&'static str>> = BTreeMap::new();
    for diagnostic in &file.diagnostics {
        let codes = by_line
            .entry(lines.line_of(diagnostic.range.start))
            .or_default();
        if !codes.contains(&diagnostic.rule.code()) {
            codes.push(diagnostic.rule.code());
        }
    }
    let parsed = SourceFile::new(file.path.clone(), file.source.clone());
    let mut edits = Vec::new();
    let mut left = Vec::new();
    for (line, mut codes) in by_line {
        codes.sort_unstable();
        let edit = noqa::suppression(&file.source, &lines, line, &codes, |start, end| {
            parsed.node_for_range(start, end)
        });
        match edit {
            Some(edit) => edits.push(edit),
            None => left.push((line, codes)),
        }
    }
    (file.source.to_string(), edits, left)
}

/// `source` with insertions at distinct offsets applied.
fn apply(source: &str, edits: &[Edit]) -> String {
    let mut text = source.to_string();
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|edit| std::cmp::Reverse(edit.range.start));
    for edit in sorted {
        text.replace_range(edit.range.start..edit.range.end, &edit.content);
    }
    text
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::analysis::{Diagnostic, Rule};
    use crate::text::TextRange;

    fn finding(source: &str, needle: &str, rule: Rule) -> Diagnostic {
        let start = source.find(needle).unwrap();
        Diagnostic {
            rule,
            message: "m".into(),
            range: TextRange::new(start, start + needle.len()),
            related: Vec::new(),
            fix: None,
            severity: None,
        }
    }

    #[test]
    fn one_directive_per_line_keeping_comments_and_codes() {
        let source = "\
for p in ps:
    print(p.author.name, p.tags.all())
    n = len(p.items.all())  # keep: E501  # noqa: E501
    s = '''
x''' + p.editor.name
    y = p.a \\
        + p.editor.name
";
        let diagnostics = vec![
            finding(source, "p.author", Rule::MissingSelectRelated),
            finding(source, "p.tags", Rule::MissingPrefetchRelated),
            finding(source, "len(", Rule::LenOfQueryset),
            finding(source, "'''\nx", Rule::MissingSelectRelated),
            finding(source, "p.a ", Rule::MissingSelectRelated),
        ];
        let file = FileReport {
            path: "v.py".into(),
            source: Arc::from(source),
            diagnostics,
        };
        let (source, edits, left) = directives(&file);
        assert_eq!(
            apply(&source, &edits),
            "\
for p in ps:
    print(p.author.name, p.tags.all())  # noqa: ORM101, ORM102
    n = len(p.items.all())  # keep: E501  # noqa: E501, ORM202
    s = '''
x''' + p.editor.name
    y = p.a \\
        + p.editor.name
"
        );
        assert_eq!(left, [(3, vec!["ORM101"]), (5, vec!["ORM101"])]);
    }
}
