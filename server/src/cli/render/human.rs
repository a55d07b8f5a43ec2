//! `path:line:col: CODE message`, then the source lines with a gutter and carets under
//! the range, as ruff and rustc print them.

use std::io::{self, Write};
use std::path::Path;

use unicode_width::UnicodeWidthChar;

use super::{Report, related_path};
use crate::analysis::{Diagnostic, Severity};
use crate::fix::Applicability;
use crate::project::FileReport;
use crate::text::TextRange;

/// How many lines of a multi-line range are shown before the middle is elided.
const MAX_LINES: usize = 6;
const TAB_WIDTH: usize = 4;

/// What happened besides the findings themselves.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Fixes applied by `--fix`.
    pub fixed: usize,
    /// Python files checked.
    pub checked: usize,
    /// Reported files that could not be read or analysed (each shown as a warning).
    pub not_checked: usize,
    /// Checked files with a syntax error: their findings may be incomplete.
    pub syntax_errors: usize,
}

impl Summary {
    /// `1 file not checked, 2 files with a syntax error`, when something was left out.
    pub fn incomplete(&self) -> Option<String> {
        let mut parts = Vec::new();
        if self.not_checked > 0 {
            parts.push(format!("{} not checked", files(self.not_checked)));
        }
        if self.syntax_errors > 0 {
            parts.push(format!("{} with a syntax error", files(self.syntax_errors)));
        }
        (!parts.is_empty()).then(|| parts.join(", "))
    }
}

pub(super) fn render(
    report: &Report<'_>,
    summary: &Summary,
    colors: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    let paint = Painter(colors);
    if summary.fixed > 0 {
        writeln!(out, "Fixed {}.", findings(summary.fixed))?;
    }
    let mut fixable = 0;
    for (file, diagnostic) in report.diagnostics() {
        if is_safe_fix(diagnostic) {
            fixable += 1;
        }
        write_diagnostic(report, file, diagnostic, paint, out)?;
    }
    if report.count() > 0 {
        writeln!(out, "Found {}.", by_severity(report))?;
        if fixable > 0 {
            writeln!(
                out,
                "{} {fixable} fixable with --fix.",
                paint.style(Style::Fix, "[*]")
            )?;
        }
    }
    if let Some(incomplete) = summary.incomplete() {
        writeln!(out, "Incomplete: {incomplete} (see the warnings).")?;
    } else if report.count() == 0 && summary.fixed == 0 {
        if summary.checked == 0 {
            writeln!(out, "No Python files to check.")?;
        } else {
            writeln!(out, "All checks passed!")?;
        }
    }
    Ok(())
}

/// `3 errors, 23 warnings, 1 hint`: the findings counted by the severity they are shown
/// with, most severe first.
fn by_severity(report: &Report<'_>) -> String {
    let mut counts = [0usize; 4];
    for (_, diagnostic) in report.diagnostics() {
        let index = match report.config.severity_of(diagnostic) {
            Severity::Error => 0,
            Severity::Warning => 1,
            Severity::Info => 2,
            Severity::Hint => 3,
        };
        counts[index] += 1;
    }
    let names = [
        ("error", "errors"),
        ("warning", "warnings"),
        ("info", "info"),
        ("hint", "hints"),
    ];
    counts
        .iter()
        .zip(names)
        .filter(|(n, _)| **n > 0)
        .map(|(n, (one, many))| format!("{n} {}", if *n == 1 { one } else { many }))
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn findings(n: usize) -> String {
    plural(n, "finding", "findings")
}

fn files(n: usize) -> String {
    plural(n, "file", "files")
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn is_safe_fix(diagnostic: &Diagnostic) -> bool {
    diagnostic
        .fix
        .as_ref()
        .is_some_and(|fix| fix.applicability == Applicability::Safe)
}

fn write_diagnostic(
    report: &Report<'_>,
    file: &FileReport,
    diagnostic: &Diagnostic,
    paint: Painter,
    out: &mut dyn Write,
) -> io::Result<()> {
    let code = diagnostic.rule.code();
    let lines = report.locator.lines(&file.path);
    let start = report.locator.location(&file.path, diagnostic.range.start);
    let (row, column) = start.map_or((1, 1), |l| (l.row, l.column));
    let severity = report.config.severity_of(diagnostic).as_str();
    write!(
        out,
        "{}:{row}:{column}: {} ",
        paint.style(Style::Path, &report.paths.show(&file.path)),
        paint.style(Style::Code, &format!("{severity}[{code}]"))
    )?;
    if is_safe_fix(diagnostic) {
        write!(out, "{} ", paint.style(Style::Fix, "[*]"))?;
    }
    writeln!(out, "{}", diagnostic.message)?;

    let Some((source, index)) = lines else {
        return writeln!(out);
    };
    // A range from a buggy rule must not make slicing panic.
    let range = TextRange::new(
        floor_boundary(source, diagnostic.range.start),
        floor_boundary(source, diagnostic.range.end),
    );
    let first = index.line_of(range.start);
    let mut last = index.line_of(range.end.max(range.start));
    // A range ending right after a newline does not touch the next line.
    if last > first && index.line_start(last) == range.end {
        last -= 1;
    }
    let gutter = (last + 1).to_string().len();
    let pad = " ".repeat(gutter);
    let pipe = paint.style(Style::Gutter, "|");
    writeln!(out, "{pad} {pipe}")?;
    let shown: Vec<Option<usize>> = if last - first < MAX_LINES {
        (first..=last).map(Some).collect()
    } else {
        let mut shown: Vec<_> = (first..first + 3).map(Some).collect();
        shown.push(None);
        shown.extend((last - 1..=last).map(Some));
        shown
    };
    for line in shown {
        let Some(line) = line else {
            writeln!(out, "{}", paint.style(Style::Gutter, "..."))?;
            continue;
        };
        let text = index.line_text(source, line);
        let line_start = index.line_start(line);
        let line_end = line_start + text.len();
        let seg_start = if line == first {
            range.start.clamp(line_start, line_end)
        } else {
            line_start + (text.len() - text.trim_start().len())
        };
        let seg_end = if line == last {
            range.end.clamp(seg_start, line_end)
        } else {
            line_end
        };
        let number = format!("{:>gutter$}", line + 1);
        writeln!(
            out,
            "{} {pipe} {}",
            paint.style(Style::Gutter, &number),
            expand_tabs(text)
        )?;
        let before = width(&text[..seg_start - line_start]);
        let carets = width(&text[seg_start - line_start..seg_end - line_start]).max(1);
        let mut underline = "^".repeat(carets);
        if line == last {
            underline.push(' ');
            underline.push_str(code);
        }
        writeln!(
            out,
            "{pad} {pipe} {}{}",
            " ".repeat(before),
            paint.style(Style::Code, &underline)
        )?;
    }
    writeln!(out, "{pad} {pipe}")?;
    if let Some(fix) = &diagnostic.fix {
        writeln!(
            out,
            "{pad} {} {}",
            paint.style(Style::Gutter, "="),
            paint.style(Style::Label, &format!("help: {}", fix.message))
        )?;
    }
    for related in &diagnostic.related {
        let path = related_path(&file.path, related);
        writeln!(
            out,
            "{pad} {} {}: {}{}",
            paint.style(Style::Gutter, "="),
            paint.style(Style::Label, "note"),
            located(report, path, related.range.start),
            related.message
        )?;
    }
    writeln!(out)
}

/// `path:row:col: ` for a related location (empty when the file is unknown).
fn located(report: &Report<'_>, path: &Path, offset: usize) -> String {
    report
        .locator
        .location(path, offset)
        .map(|l| format!("{}:{}:{}: ", report.paths.show(path), l.row, l.column))
        .unwrap_or_default()
}

fn floor_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

fn char_width(c: char) -> usize {
    if c == '\t' {
        TAB_WIDTH
    } else {
        c.width().unwrap_or(0)
    }
}

fn width(text: &str) -> usize {
    text.chars().map(char_width).sum()
}

fn expand_tabs(text: &str) -> String {
    text.replace('\t', &" ".repeat(TAB_WIDTH))
}

#[derive(Clone, Copy)]
enum Style {
    Path,
    Code,
    Fix,
    Gutter,
    Label,
}

/// ANSI colours, or none.
#[derive(Clone, Copy)]
struct Painter(bool);

impl Painter {
    fn style(self, style: Style, text: &str) -> String {
        if !self.0 {
            return text.to_string();
        }
        let code = match style {
            Style::Path => "1",
            Style::Code => "1;31",
            Style::Fix => "36",
            Style::Gutter => "1;34",
            Style::Label => "1",
        };
        format!("\x1b[{code}m{text}\x1b[0m")
    }
}

#[cfg(test)]
mod tests {
    use super::super::OutputFormat;
    use super::super::tests::{files, rendered};
    use crate::project::FileReport;

    #[test]
    fn human_output() {
        assert_eq!(
            rendered(OutputFormat::Human, &files()),
            r#"blog/views.py:4:41: warning[ORM101] [*] `post.títle` is read on each "post": one query per row
  |
4 |         print(post.author.name, "café", post.títle)
  |                                         ^^^^^^^^^^ ORM101
  |
  = help: Add `.select_related("author")`
  = note: blog/views.py:2:13: Queryset without `select_related("author")`
  = note: blog/models.py:2:5: Relation defined here

blog/views.py:5:13: warning[ORM202] `len()` fetches every row, 100% of them, to count them
  |
5 |     total = len(Post.objects
  |             ^^^^^^^^^^^^^^^^
6 |         .all())
  |         ^^^^^^^ ORM202
  |
  = help: Replace with `.count()`

Found 2 warnings.
[*] 1 fixable with --fix.
"#
        );
    }

    #[test]
    fn clean_output() {
        let files: Vec<FileReport> = Vec::new();
        assert_eq!(
            rendered(OutputFormat::Human, &files),
            "All checks passed!\n"
        );
    }

    #[test]
    fn wide_characters_and_tabs_align_carets() {
        use crate::analysis::{Diagnostic, Rule};
        use crate::text::TextRange;
        use std::sync::Arc;

        let source = "x = \"日本\"\tand p.author\n";
        let start = source.find("p.author").unwrap();
        let files = vec![FileReport {
            path: "a.py".into(),
            source: Arc::from(source),
            diagnostics: vec![Diagnostic {
                rule: Rule::MissingSelectRelated,
                message: "m".into(),
                range: TextRange::new(start, start + 8),
                related: Vec::new(),
                fix: None,
                severity: None,
            }],
        }];
        let out = rendered(OutputFormat::Human, &files);
        assert!(
            out.contains(
                "1 | x = \"日本\"    and p.author\n  |                   ^^^^^^^^ ORM101\n"
            ),
            "{out}"
        );
        assert!(out.starts_with("a.py:1:14: warning[ORM101] m\n"), "{out}");
    }

    #[test]
    fn a_range_inside_a_character_or_past_the_end_does_not_panic() {
        use crate::analysis::{Diagnostic, Rule};
        use crate::text::TextRange;
        use std::sync::Arc;

        let source = "é = 1\n";
        let diagnostic = |start, end| Diagnostic {
            rule: Rule::LenOfQueryset,
            message: "m".into(),
            range: TextRange::new(start, end),
            related: Vec::new(),
            fix: None,
            severity: None,
        };
        let files = vec![FileReport {
            path: "a.py".into(),
            source: Arc::from(source),
            diagnostics: vec![diagnostic(1, 3), diagnostic(50, 40)],
        }];
        let out = rendered(OutputFormat::Human, &files);
        assert!(out.starts_with("a.py:1:1: warning[ORM202] m\n"), "{out}");
        assert!(out.contains("Found 2 warnings."), "{out}");
    }

    #[test]
    fn long_ranges_are_elided() {
        use crate::analysis::{Diagnostic, Rule};
        use crate::text::TextRange;
        use std::sync::Arc;

        let source = (1..=10).map(|i| format!("line{i}\n")).collect::<String>();
        let files = vec![FileReport {
            path: "a.py".into(),
            source: Arc::from(source.as_str()),
            diagnostics: vec![Diagnostic {
                rule: Rule::LenOfQueryset,
                message: "m".into(),
                range: TextRange::new(0, source.len()),
                related: Vec::new(),
                fix: None,
                severity: None,
            }],
        }];
        let out = rendered(OutputFormat::Human, &files);
        let expected = "   |
 1 | line1
   | ^^^^^
 2 | line2
   | ^^^^^
 3 | line3
   | ^^^^^
...
 9 | line9
   | ^^^^^
10 | line10
   | ^^^^^^ ORM202
   |
";
        assert!(out.contains(expected), "{out}");
    }
}
