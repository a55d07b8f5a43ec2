//! GitHub Actions workflow commands: one `::warning file=...::message` line per finding,
//! which the Actions runner turns into annotations on the pull request.

use std::io::{self, Write};

use super::Report;
use crate::analysis::Severity;

pub(super) fn render(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    for (file, diagnostic) in report.diagnostics() {
        let command = match report.config.severity_of(diagnostic) {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info | Severity::Hint => "notice",
        };
        let path = report.paths.show(&file.path);
        let Some((start, end)) = report.locator.span(&file.path, diagnostic.range) else {
            writeln!(
                out,
                "::{command} file={},title={}::{}",
                property(&path),
                property(diagnostic.rule.code()),
                data(&diagnostic.message)
            )?;
            continue;
        };
        writeln!(
            out,
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            property(&path),
            start.row,
            start.column,
            end.row,
            end.column,
            property(diagnostic.rule.code()),
            data(&diagnostic.message)
        )?;
    }
    Ok(())
}

/// Escapes a command's message as the runner expects.
fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value, where `:` and `,` are separators too.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::super::OutputFormat;
    use super::super::tests::{files, rendered};
    use super::*;

    #[test]
    fn github_output() {
        assert_eq!(
            rendered(OutputFormat::Github, &files()),
            "::warning file=blog/views.py,line=4,col=41,endLine=4,endColumn=51,title=ORM101::\
             `post.títle` is read on each \"post\": one query per row\n\
             ::warning file=blog/views.py,line=5,col=13,endLine=6,endColumn=16,title=ORM202::\
             `len()` fetches every row, 100%25 of them, to count them\n"
        );
    }

    #[test]
    fn escaping() {
        assert_eq!(data("a%b\r\nc: d, e"), "a%25b%0D%0Ac: d, e");
        assert_eq!(property("a:b,c%"), "a%3Ab%2Cc%25");
    }
}
