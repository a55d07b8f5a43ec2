//! One JSON array, each element as DESIGN.md's "Front-end contracts" fixes it.

use std::io::{self, Write};
use std::path::Path;

use serde::Serialize;

use super::{Location, Report, related_path};
use crate::analysis::Diagnostic;
use crate::fix::Applicability;
use crate::project::FileReport;

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    code: &'static str,
    severity: &'static str,
    message: &'a str,
    path: String,
    location: Location,
    end_location: Location,
    related: Vec<JsonRelated<'a>>,
    fix: Option<JsonFix<'a>>,
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    path: String,
    location: Location,
    end_location: Location,
    message: &'a str,
}

#[derive(Serialize)]
struct JsonFix<'a> {
    message: &'a str,
    applicability: &'static str,
    edits: Vec<JsonEdit<'a>>,
}

#[derive(Serialize)]
struct JsonEdit<'a> {
    path: String,
    location: Location,
    end_location: Location,
    content: &'a str,
}

const UNKNOWN: Location = Location { row: 1, column: 1 };

pub(super) fn render(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    let items: Vec<JsonDiagnostic<'_>> = report
        .diagnostics()
        .map(|(file, diagnostic)| to_json(report, file, diagnostic))
        .collect();
    serde_json::to_writer_pretty(&mut *out, &items)?;
    writeln!(out)
}

fn span(report: &Report<'_>, path: &Path, range: crate::text::TextRange) -> (Location, Location) {
    report
        .locator
        .span(path, range)
        .unwrap_or((UNKNOWN, UNKNOWN))
}

fn to_json<'a>(
    report: &Report<'_>,
    file: &'a FileReport,
    diagnostic: &'a Diagnostic,
) -> JsonDiagnostic<'a> {
    let (location, end_location) = span(report, &file.path, diagnostic.range);
    let related = diagnostic
        .related
        .iter()
        .map(|related| {
            let path = related_path(&file.path, related);
            let (location, end_location) = span(report, path, related.range);
            JsonRelated {
                path: report.paths.show(path),
                location,
                end_location,
                message: &related.message,
            }
        })
        .collect();
    // Unsafe fixes are carried too, as ruff's JSON carries them: a tool applies only
    // what `applicability` says is safe.
    let fix = diagnostic.fix.as_ref().map(|fix| JsonFix {
        message: &fix.message,
        applicability: match fix.applicability {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
        },
        edits: fix
            .edits
            .iter()
            .map(|edit| {
                let (location, end_location) = span(report, &file.path, edit.range);
                JsonEdit {
                    path: report.paths.show(&file.path),
                    location,
                    end_location,
                    content: &edit.content,
                }
            })
            .collect(),
    });
    JsonDiagnostic {
        code: diagnostic.rule.code(),
        severity: report.config.severity_of(diagnostic).as_str(),
        message: &diagnostic.message,
        path: report.paths.show(&file.path),
        location,
        end_location,
        related,
        fix,
    }
}

#[cfg(test)]
mod tests {
    use super::super::OutputFormat;
    use super::super::tests::{files, rendered};

    #[test]
    fn json_output() {
        insta::assert_snapshot!(rendered(OutputFormat::Json, &files()));
    }

    #[test]
    fn json_output_is_an_array_when_clean() {
        assert_eq!(rendered(OutputFormat::Json, &[]), "[]\n");
    }
}
