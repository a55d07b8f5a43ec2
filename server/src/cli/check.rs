//! `ormhint check [PATH ...]`.

use std::io::{self, IsTerminal, Write};
use std::sync::Arc;

use rayon::prelude::*;

use super::fix::{Fixed, fix_until_stable, unified_diff};
use super::render::{self, Locator, OutputFormat, Report, Summary};
use super::{CheckArgs, Error, Status, error, warning};
use crate::config::{Config, display_path};
use crate::fix::Applicability;
use crate::project::{FileReport, Project, Skipped, Target};

pub(super) fn run(args: &CheckArgs, out: &mut dyn Write) -> Result<Status, Error> {
    let target = Target::resolve(&args.paths).map_err(Error::msg)?;
    let mut config = Config::load(&target.root, args.config.as_deref()).map_err(Error::msg)?;
    config
        .select(args.select.as_deref(), &args.ignore, "--{key}")
        .map_err(Error::msg)?;
    let project = Project::load(&target, &config).map_err(Error::msg)?;
    for skipped in &project.skipped {
        warning(&skipped.to_string());
    }
    let checked = project.check(&config);
    let mut failures: Vec<String> = checked.failed.iter().map(ToString::to_string).collect();
    let mut files = checked.files;
    let mut summary = Summary::default();

    if args.fix || args.diff {
        let fixed = fix_files(&project, &config, &files);
        let mut would_fix = 0;
        let mut changed = false;
        for (file, outcome) in files.iter_mut().zip(fixed) {
            let fixed = match outcome {
                Ok(Some(fixed)) => fixed,
                Ok(None) => continue,
                Err(failure) => {
                    failures.push(failure.to_string());
                    continue;
                }
            };
            changed = true;
            if args.diff {
                would_fix += fixed.applied;
                out.write_all(unified_diff(&file.path, &file.source, &fixed.source).as_bytes())?;
                continue;
            }
            let path = project.target.root.join(&file.path);
            if let Err(err) = std::fs::write(&path, &fixed.source) {
                failures.push(format!("cannot write {}: {err}", display_path(&file.path)));
                continue;
            }
            summary.fixed += fixed.applied;
            file.source = Arc::from(fixed.source);
            file.diagnostics = fixed.remaining;
        }
        if args.diff {
            out.flush()?;
            if would_fix > 0 {
                let plural = if would_fix == 1 { "" } else { "s" };
                let _ = writeln!(io::stderr(), "Would fix {would_fix} error{plural}.");
            }
            report_failures(&failures)?;
            return Ok(if changed && !args.exit_zero {
                Status::Findings
            } else {
                Status::Clean
            });
        }
    }

    files.retain(|f| !f.diagnostics.is_empty());
    let mut locator = Locator::default();
    for file in &files {
        locator.add(&file.path, &file.source);
    }
    for file in &project.files {
        locator.add(&file.path, &file.source);
    }
    let report = Report {
        files: &files,
        locator: &locator,
        config: &config,
    };
    let colors = args.output_format == OutputFormat::Human && colors_wanted();
    render::render(args.output_format, &report, &summary, colors, out)?;
    if args.fix && summary.fixed > 0 && args.output_format != OutputFormat::Human {
        let plural = if summary.fixed == 1 { "" } else { "s" };
        let _ = writeln!(io::stderr(), "Fixed {} error{plural}.", summary.fixed);
    }
    report_failures(&failures)?;
    Ok(if report.count() == 0 || args.exit_zero {
        Status::Clean
    } else {
        Status::Findings
    })
}

/// Each file with a safe fix, fixed until stable: `None` where nothing changed.
fn fix_files(
    project: &Project,
    config: &Config,
    files: &[FileReport],
) -> Vec<Result<Option<Fixed>, Skipped>> {
    files
        .par_iter()
        .map(|file| {
            let has_safe_fix = file.diagnostics.iter().any(|d| {
                d.fix
                    .as_ref()
                    .is_some_and(|f| f.applicability == Applicability::Safe)
            });
            if !has_safe_fix {
                return Ok(None);
            }
            let fixed = fix_until_stable(&file.source, file.diagnostics.clone(), |source| {
                project.check_source(&file.path, source, config)
            })?;
            Ok((fixed.applied > 0 && *fixed.source != *file.source).then_some(fixed))
        })
        .collect()
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
