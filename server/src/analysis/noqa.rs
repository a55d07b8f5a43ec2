//! `# noqa` suppression, flake8's syntax: a bare `# noqa` on a line suppresses every
//! diagnostic that starts on it; `# noqa: ORM101, ORM102` only those codes
//! (case-insensitive). Only real comments count, not `# noqa` inside a string.
//!
//! A pass after all rules ran, so that unused suppressions can be reported later.

use std::collections::HashMap;

use tree_sitter::Node;

use super::Diagnostic;
use crate::fix::Edit;
use crate::syntax::SourceFile;
use crate::text::LineIndex;

/// What one `# noqa` comment suppresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Directive {
    /// `# noqa`: everything on the line.
    All,
    /// `# noqa: ORM101, ORM102`, codes upper-cased.
    Codes(Vec<String>),
}

impl Directive {
    pub fn suppresses(&self, code: &str) -> bool {
        match self {
            Directive::All => true,
            Directive::Codes(codes) => codes.iter().any(|c| c.eq_ignore_ascii_case(code)),
        }
    }

    /// The directive in one comment's text (`# type: ignore  # noqa: ORM101`), if any.
    pub fn parse(comment: &str) -> Option<Self> {
        let lower = comment.to_ascii_lowercase();
        let mut search = 0;
        while let Some(found) = lower[search..].find('#') {
            let hash = search + found;
            let after_hash = lower[hash + 1..].trim_start();
            if let Some(rest) = after_hash.strip_prefix("noqa") {
                let start = comment.len() - rest.len();
                return Some(Self::parse_codes(&comment[start..]));
            }
            search = hash + 1;
        }
        None
    }

    /// What follows `noqa`: nothing (or not a colon) for all codes, else `: A1, B2`.
    fn parse_codes(rest: &str) -> Self {
        let Some(list) = rest.strip_prefix(':') else {
            return Directive::All;
        };
        let codes: Vec<String> = list
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|s| !s.is_empty())
            .map_while(|word| is_code(word).then(|| word.to_ascii_uppercase()))
            .collect();
        // flake8 reads `# noqa:` followed by no code as a bare `# noqa`.
        if codes.is_empty() {
            Directive::All
        } else {
            Directive::Codes(codes)
        }
    }
}

/// `ORM101`, `E501`: letters then digits.
fn is_code(word: &str) -> bool {
    let digits = word.trim_start_matches(|c: char| c.is_ascii_alphabetic());
    digits.len() < word.len() && !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit())
}

/// Drops the diagnostics that a `# noqa` comment on their start line of `file`
/// suppresses. Reads only the lines that have a diagnostic: a walk over every comment
/// of a file full of other tools' `# noqa` (ruff's, flake8's) took 5 ms of each edit.
pub fn apply(file: &SourceFile, diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut by_line: HashMap<usize, Vec<Directive>> = HashMap::new();
    diagnostics
        .into_iter()
        .filter(|d| {
            let (start, text) = line_around(&file.source, d.range.start);
            let directives = by_line
                .entry(start)
                .or_insert_with(|| line_directives(file, start, text));
            !directives.iter().any(|x| x.suppresses(d.rule.code()))
        })
        .collect()
}

/// The start and text of the line holding byte `offset`, without its line ending.
fn line_around(source: &str, offset: usize) -> (usize, &str) {
    // Bytes, not str: a newline is a character boundary whatever `offset` is.
    let bytes = source.as_bytes();
    let offset = offset.min(bytes.len());
    let start = bytes[..offset]
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |i| i + 1);
    let end = bytes[offset..]
        .iter()
        .position(|b| *b == b'\n')
        .map_or(bytes.len(), |i| offset + i);
    (start, source[start..end].trim_end_matches('\r'))
}

/// The directives of the comments in the line `text` starting at byte `start` (a `#`
/// in a string is no comment).
fn line_directives(file: &SourceFile, start: usize, text: &str) -> Vec<Directive> {
    if !mentions_noqa(text) {
        return Vec::new();
    }
    text.match_indices('#')
        .filter_map(|(at, _)| {
            let at = start + at;
            let node = file.node_for_range(at, at + 1)?;
            if node.kind() != "comment" || node.start_byte() != at {
                return None;
            }
            Directive::parse(file.source.get(node.byte_range())?)
        })
        .collect()
}

/// The edit that makes line `line` of `source` suppress `codes`: `  # noqa: A, B` at its
/// end, or the codes its `# noqa:` list lacks added after the last one. None when the
/// line suppresses them all already, or cannot take a comment: it ends in a `\`
/// continuation or inside a multi-line string. `node_at(start, end)` is the smallest node
/// of the file's tree spanning that byte range. (The editor's "Disable for this line" and
/// `ormhint check --add-noqa` both write through it.)
pub fn suppression<'t>(
    source: &str,
    lines: &LineIndex,
    line: usize,
    codes: &[&str],
    node_at: impl Fn(usize, usize) -> Option<Node<'t>>,
) -> Option<Edit> {
    if line >= lines.line_count() || codes.is_empty() {
        return None;
    }
    let start = lines.line_start(line);
    let content = lines.line_text(source, line).trim_end();
    if content.ends_with('\\') {
        return None;
    }
    let end = start + content.len();
    let in_string = std::iter::successors(node_at(end, end), |node| node.parent())
        .any(|node| node.kind() == "string");
    if in_string {
        return None;
    }
    let comment = (end > start)
        .then(|| node_at(end - 1, end))
        .flatten()
        .filter(|node| node.kind() == "comment" && node.end_byte() == end);
    let directive = comment.and_then(|node| Directive::parse(&source[node.byte_range()]));
    let missing: Vec<&str> = codes
        .iter()
        .copied()
        .filter(|code| !directive.as_ref().is_some_and(|d| d.suppresses(code)))
        .collect();
    if missing.is_empty() {
        return None;
    }
    match (comment, directive) {
        (Some(comment), Some(Directive::Codes(listed))) => {
            let comment_text = &source[comment.byte_range()];
            let after = end_of_codes(comment_text, &listed)?;
            let at = comment.start_byte() + after;
            Some(Edit::insertion(at, format!(", {}", missing.join(", "))))
        }
        _ => Some(Edit::insertion(
            end,
            format!("  # noqa: {}", missing.join(", ")),
        )),
    }
}

/// The offset in `comment` just after the last code of its `noqa:` list.
fn end_of_codes(comment: &str, codes: &[String]) -> Option<usize> {
    let lower = comment.to_ascii_lowercase();
    let mut at = lower.find("noqa")?;
    for code in codes {
        let code = code.to_ascii_lowercase();
        at += lower[at..].find(&code)? + code.len();
    }
    Some(at)
}

fn mentions_noqa(source: &str) -> bool {
    source
        .as_bytes()
        .windows(4)
        .any(|w| w.eq_ignore_ascii_case(b"noqa"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Rule;
    use crate::text::TextRange;

    fn diagnostic(source: &str, needle: &str, rule: Rule) -> Diagnostic {
        let start = source.find(needle).unwrap();
        Diagnostic {
            rule,
            message: String::new(),
            range: TextRange::new(start, start + needle.len()),
            related: Vec::new(),
            fix: None,
            severity: None,
        }
    }

    fn kept(source: &str, found: &[(&str, Rule)]) -> Vec<(String, &'static str)> {
        let diagnostics = found
            .iter()
            .map(|(needle, rule)| diagnostic(source, needle, *rule))
            .collect();
        apply(&SourceFile::new("x.py".into(), source), diagnostics)
            .into_iter()
            .map(|d| {
                (
                    source[d.range.start..d.range.end].to_string(),
                    d.rule.code(),
                )
            })
            .collect()
    }

    #[test]
    fn parses_flake8_syntax() {
        assert_eq!(Directive::parse("# noqa"), Some(Directive::All));
        assert_eq!(Directive::parse("#NOQA"), Some(Directive::All));
        assert_eq!(Directive::parse("# noqa:"), Some(Directive::All));
        assert_eq!(Directive::parse("# noqa because"), Some(Directive::All));
        assert_eq!(
            Directive::parse("# noqa: orm101,ORM102  E501"),
            Some(Directive::Codes(vec![
                "ORM101".into(),
                "ORM102".into(),
                "E501".into()
            ]))
        );
        assert_eq!(
            Directive::parse("# noqa:ORM101 -- slow but rare"),
            Some(Directive::Codes(vec!["ORM101".into()]))
        );
        assert_eq!(
            Directive::parse("# type: ignore  # noqa: ORM203"),
            Some(Directive::Codes(vec!["ORM203".into()]))
        );
        assert_eq!(Directive::parse("# no qa"), None);
        assert_eq!(Directive::parse("# see the noqa docs"), None);
        assert_eq!(Directive::parse("# TODO"), None);
    }

    #[test]
    fn bare_noqa_suppresses_everything_on_its_line() {
        let source = "for p in ps:\n    print(p.author.name, p.tags.all())  # noqa\n";
        let kept = kept(
            source,
            &[
                ("p.author", Rule::MissingSelectRelated),
                ("p.tags.all()", Rule::MissingPrefetchRelated),
            ],
        );
        assert!(kept.is_empty(), "{kept:?}");
    }

    #[test]
    fn codes_suppress_only_themselves() {
        let source = "for p in ps:\n    print(p.author.name, p.tags.all())  # NoQA: orm101\n";
        let kept = kept(
            source,
            &[
                ("p.author", Rule::MissingSelectRelated),
                ("p.tags.all()", Rule::MissingPrefetchRelated),
            ],
        );
        assert_eq!(kept, [("p.tags.all()".to_string(), "ORM102")]);
    }

    #[test]
    fn other_lines_are_not_suppressed() {
        let source = "# noqa\nfor p in ps:\n    print(p.author.name)\n    x = 1  # noqa: ORM101\n";
        let kept = kept(source, &[("p.author", Rule::MissingSelectRelated)]);
        assert_eq!(kept, [("p.author".to_string(), "ORM101")]);
    }

    #[test]
    fn noqa_inside_a_string_is_not_a_comment() {
        let source = "for p in ps:\n    print(p.author.name, \"# noqa\")\n";
        assert_eq!(
            kept(source, &[("p.author", Rule::MissingSelectRelated)]).len(),
            1
        );

        let source = "for p in ps:\n    print(p.author.name, f\"{x} # noqa: ORM101\")\n";
        assert_eq!(
            kept(source, &[("p.author", Rule::MissingSelectRelated)]).len(),
            1
        );
    }

    #[test]
    fn only_the_start_line_of_a_multiline_range_counts() {
        let source = "x = (Post.objects  # noqa: ORM202\n    .all())\ny = (Post.objects\n    .all())  # noqa\n";
        let kept = kept(
            source,
            &[
                (
                    "Post.objects  # noqa: ORM202\n    .all()",
                    Rule::LenOfQueryset,
                ),
                ("Post.objects\n    .all()", Rule::LenOfQueryset),
            ],
        );
        assert_eq!(kept, [("Post.objects\n    .all()".to_string(), "ORM202")]);
    }

    #[test]
    fn the_comment_after_a_hash_in_a_string_counts() {
        let source =
            "for p in ps:\n    print(p.author.name, \"#\")  # type: ignore  # noqa: ORM101\n";
        assert!(kept(source, &[("p.author", Rule::MissingSelectRelated)]).is_empty());
    }

    #[test]
    fn a_different_code_does_not_suppress() {
        let source = "n = len(qs)  # noqa: E501\n";
        let kept = kept(source, &[("len(qs)", Rule::LenOfQueryset)]);
        assert_eq!(kept.len(), 1);
    }
}
