//! `ormhint check [PATH ...]`.

use std::collections::{BTreeSet, HashSet};
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use super::diff::unified_diff;
use super::render::{self, Locator, OutputFormat, Paths, Report, Summary, findings};
use super::{
    CheckArgs, Error, Status, add_noqa, error, statistics, warn_unknown_user_model,
    warn_unread_packages, warning,
};
use crate::analysis::Diagnostic;
use crate::analysis::fixes::{Fixed, fix_until_stable};
use crate::cache::Cache;
use crate::config::Config;
use crate::fix::Applicability;
use crate::project::{CheckResult, CheckTarget, Excludes, FileReport, Project, Skipped, walks_to};
use crate::syntax::SourceFile;
use crate::text::LineIndex;

pub(super) fn run(args: &CheckArgs, out: &mut dyn Write) -> Result<Status, Error> {
    let mut target = CheckTarget::resolve(&args.paths).map_err(Error::msg)?;
    let mut config = Config::load(&target.root, args.config.as_deref()).map_err(Error::msg)?;
    config
        .select(args.select.as_deref(), &args.ignore, "--{key}")
        .map_err(Error::msg)?;
    if args.force_exclude {
        let excludes = Excludes::new(&config.exclude).map_err(Error::msg)?;
        if let Some(only) = &mut target.only {
            only.retain(|path| walks_to(path, &excludes));
        }
    }
    let paths = Paths::new(&target.root);
    let mut cache = (!args.no_cache).then(|| {
        let (cache, error) = Cache::open(&target.root, &config);
        if let Some(error) = error {
            warning(&error.to_string());
        }
        cache
    });
    let project = match &cache {
        Some(cache) => Project::load_cached(&target, &config, cache),
        None => Project::load(&target, &config),
    }
    .map_err(Error::msg)?;
    warn_unknown_user_model(&config, &project.index);
    warn_unread_packages(&project);
    // Files read only for the index are not the user's concern.
    let skipped: Vec<&Skipped> = project
        .skipped
        .iter()
        .filter(|s| target.reports(&s.path))
        .collect();
    for skipped in &skipped {
        warning(&format!(
            "skipping {}: {}",
            paths.show(&skipped.path),
            skipped.reason
        ));
    }
    let checked = match &mut cache {
        Some(cache) => {
            let checked = project.check_cached(&config, cache);
            if let Err(error) = cache.save() {
                warning(&error.to_string());
            }
            checked
        }
        None => project.check(&config),
    };
    for refused in &checked.refused {
        warning(&format!(
            "skipping {}: {}",
            paths.show(&refused.path),
            refused.reason
        ));
    }
    let syntax_errors = syntax_errors(&checked);
    for (path, at) in &syntax_errors {
        warning(&format!(
            "{}:{}:{}: syntax error: the findings of this file may be incomplete",
            paths.show(path),
            at.0,
            at.1
        ));
    }
    // An analysis that panicked is a bug of ormhint's: exit code 2, as for I/O errors.
    let mut failures: Vec<String> = checked
        .failed
        .iter()
        .map(|failed| format!("skipping {}: {}", paths.show(&failed.path), failed.reason))
        .collect();
    let workspace_uses = checked.workspace_uses;
    let mut files = checked.files;
    let mut summary = Summary {
        checked: files.len() + checked.failed.len() + checked.refused.len(),
        not_checked: skipped.len() + checked.failed.len() + checked.refused.len(),
        syntax_errors: syntax_errors.len(),
        ..Summary::default()
    };

    if args.add_noqa {
        failures.extend(add_noqa::run(&target.root, &files, &paths));
        report_failures(&failures)?;
        return Ok(Status::Clean);
    }

    if args.fix || args.diff {
        let mode = if args.diff { Mode::Diff } else { Mode::Write };
        let fixed = fix_reports(
            &project.target.root,
            &paths,
            &mut files,
            mode,
            args.unsafe_fixes,
            |path, source| project.check_source(path, source, &config, &workspace_uses),
        );
        failures.extend(fixed.failures);
        if args.diff {
            out.write_all(fixed.diff.as_bytes())?;
            out.flush()?;
            if fixed.applied > 0 {
                let _ = writeln!(io::stderr(), "Would fix {}.", findings(fixed.applied));
            }
            report_failures(&failures)?;
            return Ok(if fixed.changed && !args.exit_zero {
                Status::Findings
            } else {
                Status::Clean
            });
        }
        summary.fixed = fixed.applied;
    }

    files.retain(|f| !f.diagnostics.is_empty());
    let others = related_files_elsewhere(&files, &project.files);
    let mut locator = Locator::default();
    for file in &files {
        locator.add(&file.path, &file.source);
    }
    for file in &project.files {
        locator.add(&file.path, &file.source);
    }
    for (path, source) in &others {
        locator.add(path, source);
    }
    let report = Report {
        files: &files,
        locator: &locator,
        config: &config,
        paths: &paths,
    };
    if args.statistics {
        statistics::render(args.output_format, &report, out)?;
    } else {
        let colors = args.output_format == OutputFormat::Human && colors_wanted();
        render::render(args.output_format, &report, &summary, colors, out)?;
    }
    if args.output_format != OutputFormat::Human || args.statistics {
        if args.fix && summary.fixed > 0 {
            let _ = writeln!(io::stderr(), "Fixed {}.", findings(summary.fixed));
        }
        if let Some(incomplete) = summary.incomplete() {
            warning(&format!("incomplete: {incomplete}"));
        }
    }
    report_failures(&failures)?;
    let complete = summary.incomplete().is_none();
    let status = if (report.count() == 0 && complete) || args.exit_zero {
        Status::Clean
    } else {
        Status::Findings
    };
    // The process ends with the check: freeing every text and every other module's
    // tree (5% of a check's time) is work nobody waits for.
    std::mem::forget(project);
    Ok(status)
}

/// Each syntax error's file and place (1-based row and character column).
fn syntax_errors(checked: &CheckResult) -> Vec<(PathBuf, (usize, usize))> {
    checked
        .syntax_errors
        .iter()
        .filter_map(|(path, offset)| {
            let file = checked.files.iter().find(|f| f.path == *path)?;
            let lines = LineIndex::new(&file.source);
            let at = lines.line_col_chars(&file.source, *offset);
            Some((path.clone(), (at.line + 1, at.col + 1)))
        })
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// `--fix`: write the files, keep the findings that remain.
    Write,
    /// `--diff`: collect the diff, touch nothing.
    Diff,
}

/// What `--fix` / `--diff` did over all files.
#[derive(Debug, Default)]
struct FixRun {
    /// Fixes applied (or that would be).
    applied: usize,
    /// Whether any file changed (or would).
    changed: bool,
    /// `--diff`'s output.
    diff: String,
    failures: Vec<String>,
}

/// Fixes every file with a safe fix until stable (in parallel); `recheck` gives the
/// findings for a file's new text. In `Write` mode the files under `root` are written
/// and each report takes its new source and remaining findings.
fn fix_reports<F>(
    root: &Path,
    paths: &Paths,
    files: &mut [FileReport],
    mode: Mode,
    unsafe_fixes: bool,
    recheck: F,
) -> FixRun
where
    F: Fn(&Path, &str) -> Result<Vec<Diagnostic>, Skipped> + Sync,
{
    let outcomes: Vec<Result<Option<Fixed>, Skipped>> = files
        .par_iter()
        .map(|file| {
            let has_safe_fix = file.diagnostics.iter().any(|d| {
                d.fix
                    .as_ref()
                    .is_some_and(|f| unsafe_fixes || f.applicability == Applicability::Safe)
            });
            if !has_safe_fix {
                return Ok(None);
            }
            let fixed = fix_until_stable(
                &file.source,
                file.diagnostics.clone(),
                unsafe_fixes,
                |source| recheck(&file.path, source),
            )?;
            Ok((fixed.applied > 0 && *fixed.source != *file.source).then_some(fixed))
        })
        .collect();
    let mut run = FixRun::default();
    for (file, outcome) in files.iter_mut().zip(outcomes) {
        let fixed = match outcome {
            Ok(Some(fixed)) => fixed,
            Ok(None) => continue,
            Err(failure) => {
                run.failures.push(format!(
                    "skipping {}: {}",
                    paths.show(&failure.path),
                    failure.reason
                ));
                continue;
            }
        };
        match mode {
            Mode::Diff => {
                run.diff.push_str(&unified_diff(
                    &paths.show(&file.path),
                    &file.source,
                    &fixed.source,
                ));
            }
            Mode::Write => {
                if let Err(err) = std::fs::write(root.join(&file.path), &fixed.source) {
                    run.failures
                        .push(format!("cannot write {}: {err}", paths.show(&file.path)));
                    continue;
                }
                file.source = Arc::from(fixed.source);
                file.diagnostics = fixed.remaining;
            }
        }
        run.changed = true;
        run.applied += fixed.applied;
    }
    run
}

/// Prints the errors met on the way; any makes the exit code 2.
fn report_failures(failures: &[String]) -> Result<(), Error> {
    match failures {
        [] => Ok(()),
        [only] => Err(Error::msg(only)),
        [rest @ .., last] => {
            for failure in rest {
                error(failure);
            }
            Err(Error::msg(last))
        }
    }
}

/// Colours when stdout is a terminal and `NO_COLOR` is unset or empty.
fn colors_wanted() -> bool {
    io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// The texts of the files related information points into that are not Python files of
/// the project (templates), read from disk.
fn related_files_elsewhere(files: &[FileReport], project: &[SourceFile]) -> Vec<(PathBuf, String)> {
    let known: HashSet<&Path> = project.iter().map(|f| f.path.as_path()).collect();
    let mut paths: BTreeSet<&Path> = BTreeSet::new();
    for file in files {
        for diagnostic in &file.diagnostics {
            for related in &diagnostic.related {
                if let Some(path) = &related.path
                    && !known.contains(path.as_path())
                {
                    paths.insert(path);
                }
            }
        }
    }
    paths
        .into_iter()
        .filter_map(|path| Some((path.to_path_buf(), std::fs::read_to_string(path).ok()?)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Rule;
    use crate::fix::{Edit, Fix};
    use crate::text::TextRange;

    /// `len(a)` is ORM202 with a safe fix; `a.count()` is ORM201 with an unsafe one.
    fn check(source: &str) -> Vec<Diagnostic> {
        let mut found = Vec::new();
        if let Some(start) = source.find("len(a)") {
            let range = TextRange::new(start, start + 6);
            found.push(Diagnostic {
                rule: Rule::LenOfQueryset,
                message: "len".into(),
                range,
                related: Vec::new(),
                fix: Some(Fix::safe(
                    "Use count()",
                    vec![Edit::replacement(range, "a.count()")],
                )),
                severity: None,
            });
        }
        if let Some(start) = source.find("a.count()") {
            let range = TextRange::new(start, start + 9);
            found.push(Diagnostic {
                rule: Rule::CountForExistence,
                message: "count".into(),
                range,
                related: Vec::new(),
                fix: Some(Fix::unsafe_(
                    "Use exists()",
                    vec![Edit::replacement(range, "a.exists()")],
                )),
                severity: None,
            });
        }
        found
    }

    fn reports(root: &Path, sources: &[(&str, &str)]) -> Vec<FileReport> {
        sources
            .iter()
            .map(|(path, source)| {
                std::fs::write(root.join(path), source).unwrap();
                FileReport {
                    path: path.into(),
                    source: Arc::from(*source),
                    diagnostics: check(source),
                }
            })
            .collect()
    }

    fn paths(root: &Path) -> Paths {
        Paths::from(root, root)
    }

    /// `fix_reports` of safe fixes with [`check`] as the re-check, seen from `root`.
    fn fix_in(root: &Path, files: &mut [FileReport], mode: Mode) -> FixRun {
        fix_reports(root, &paths(root), files, mode, false, |_, s| Ok(check(s)))
    }

    const SOURCES: [(&str, &str); 3] = [
        ("fixable.py", "n = len(a)\n"),
        ("unsafe.py", "n = a.count()\n"),
        ("clean.py", "n = 1\n"),
    ];

    #[test]
    fn fix_writes_files_and_keeps_what_remains() {
        let dir = tempfile::tempdir().unwrap();
        let mut files = reports(dir.path(), &SOURCES);
        let run = fix_in(dir.path(), &mut files, Mode::Write);
        assert_eq!((run.applied, run.changed), (1, true));
        assert!(run.failures.is_empty());
        let written = std::fs::read_to_string(dir.path().join("fixable.py")).unwrap();
        assert_eq!(written, "n = a.count()\n");
        assert_eq!(&*files[0].source, "n = a.count()\n");
        // The fix exposed an ORM201 whose fix is unsafe: it remains.
        assert_eq!(files[0].diagnostics.len(), 1);
        assert_eq!(files[0].diagnostics[0].rule, Rule::CountForExistence);
        let untouched = std::fs::read_to_string(dir.path().join("unsafe.py")).unwrap();
        assert_eq!(untouched, "n = a.count()\n");
    }

    #[test]
    fn diff_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut files = reports(dir.path(), &SOURCES);
        let run = fix_in(dir.path(), &mut files, Mode::Diff);
        assert_eq!((run.applied, run.changed), (1, true));
        assert_eq!(
            run.diff,
            "--- a/fixable.py\n+++ b/fixable.py\n@@ -1 +1 @@\n-n = len(a)\n+n = a.count()\n"
        );
        let on_disk = std::fs::read_to_string(dir.path().join("fixable.py")).unwrap();
        assert_eq!(on_disk, "n = len(a)\n");
        assert_eq!(&*files[0].source, "n = len(a)\n");
    }

    #[test]
    fn write_and_recheck_failures_are_collected() {
        let dir = tempfile::tempdir().unwrap();
        let mut files = reports(dir.path(), &SOURCES);
        let missing = dir.path().join("gone");
        let run = fix_in(&missing, &mut files, Mode::Write);
        assert_eq!(run.failures.len(), 1);
        assert!(
            run.failures[0].starts_with("cannot write fixable.py: "),
            "{:?}",
            run.failures
        );
        assert!(!run.changed);

        let run = fix_reports(
            dir.path(),
            &paths(dir.path()),
            &mut files,
            Mode::Write,
            false,
            |path, _| {
                Err(Skipped {
                    path: path.to_path_buf(),
                    reason: "internal error".into(),
                })
            },
        );
        assert_eq!(run.failures, ["skipping fixable.py: internal error"]);
    }
}
