//! `ormhint check --statistics`: how many findings each rule has, most first.

use std::collections::HashMap;
use std::io::{self, Write};

use serde::Serialize;

use super::render::{OutputFormat, Report};
use crate::analysis::Rule;
use crate::fix::Applicability;

#[derive(Debug, Serialize)]
struct Row {
    code: &'static str,
    name: &'static str,
    severity: &'static str,
    count: usize,
    /// Findings of the rule with a safe fix (`--fix` applies them).
    fixable: usize,
}

/// A table in the human format (`23  ORM101  warning  [*] missing-select-related`), a
/// JSON array otherwise.
pub(super) fn render(
    format: OutputFormat,
    report: &Report<'_>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let rows = rows(report);
    if format != OutputFormat::Human {
        serde_json::to_writer_pretty(&mut *out, &rows)?;
        return writeln!(out);
    }
    let width = rows
        .iter()
        .map(|r| r.count.to_string().len())
        .max()
        .unwrap_or(1);
    let severity_width = rows.iter().map(|r| r.severity.len()).max().unwrap_or(0);
    for row in &rows {
        let fixable = if row.fixable > 0 { "[*] " } else { "    " };
        writeln!(
            out,
            "{:>width$}  {}  {:severity_width$}  {fixable}{}",
            row.count, row.code, row.severity, row.name
        )?;
    }
    Ok(())
}

fn rows(report: &Report<'_>) -> Vec<Row> {
    let mut by_rule: HashMap<Rule, (usize, usize)> = HashMap::new();
    for (_, diagnostic) in report.diagnostics() {
        let entry = by_rule.entry(diagnostic.rule).or_default();
        entry.0 += 1;
        let safe = diagnostic
            .fix
            .as_ref()
            .is_some_and(|fix| fix.applicability == Applicability::Safe);
        entry.1 += usize::from(safe);
    }
    let mut rows: Vec<Row> = by_rule
        .into_iter()
        .map(|(rule, (count, fixable))| Row {
            code: rule.code(),
            name: rule.name(),
            severity: report.config.severity(rule).as_str(),
            count,
            fixable,
        })
        .collect();
    rows.sort_by(|a, b| b.count.cmp(&a.count).then(a.code.cmp(b.code)));
    rows
}

#[cfg(test)]
mod tests {
    use super::super::render::tests::{files, with_report};
    use super::*;

    #[test]
    fn counts_per_rule() {
        let mut files = files();
        let copy = files[0].diagnostics[0].clone();
        files[0].diagnostics.push(copy);
        let human = with_report(&files, |report| {
            let mut out = Vec::new();
            render(OutputFormat::Human, report, &mut out).unwrap();
            String::from_utf8(out).unwrap()
        });
        assert_eq!(
            human,
            "2  ORM101  warning  [*] missing-select-related\n\
             1  ORM202  warning      len-of-queryset\n"
        );
        let json = with_report(&files, |report| {
            let mut out = Vec::new();
            render(OutputFormat::Json, report, &mut out).unwrap();
            String::from_utf8(out).unwrap()
        });
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(
            value[1],
            serde_json::json!({"code": "ORM202", "name": "len-of-queryset",
                "severity": "warning", "count": 1, "fixable": 0})
        );
    }
}
