//! The command line: `ormhint check`, `ormhint rule`, `ormhint models`, `ormhint server`
//! (the language server, in `crate::lsp`).
//!
//! Exit codes: 0 no findings, 1 findings, 2 a usage, config or I/O error (with its
//! message on stderr). Output to a closed pipe ends quietly.

mod add_noqa;
mod check;
mod diff;
pub mod render;
mod statistics;

use std::fmt;
use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::analysis::Rule;
use crate::config::{Config, display_path};
use crate::index::ModelIndex;
use crate::project::{CheckTarget, Project};
use crate::python_env::PythonEnv;

pub use render::OutputFormat;

#[derive(Debug, Parser)]
#[command(
    name = "ormhint",
    version,
    about = "Finds Django ORM code that queries the database more than it needs to"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check Python files for ORM code that queries more than it needs to.
    Check(CheckArgs),
    /// Print the documentation of a rule.
    Rule(RuleArgs),
    /// Print the model index of a project (for debugging).
    Models(ModelsArgs),
    /// Run the language server over stdin/stdout.
    Server(ServerArgs),
    /// Print ormhint's version.
    Version,
}

#[derive(Debug, Args)]
pub struct ServerArgs {
    /// Accepted for editors that pass it; stdio is the only transport.
    #[arg(long)]
    pub stdio: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files or directories to check [default: .]
    pub paths: Vec<PathBuf>,
    /// How to print findings.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub output_format: OutputFormat,
    /// Apply safe fixes in place, then report what remains.
    #[arg(long, conflicts_with = "add_noqa")]
    pub fix: bool,
    /// Print the changes `--fix` would make as a unified diff; write nothing.
    #[arg(long, conflicts_with = "add_noqa")]
    pub diff: bool,
    /// Write `# noqa: CODE` on the line of every current finding (keeping the comments and
    /// codes already there), so that only new findings are reported from now on.
    #[arg(long)]
    pub add_noqa: bool,
    /// Print how many findings each rule has instead of the findings.
    #[arg(long, conflicts_with_all = ["diff", "add_noqa"])]
    pub statistics: bool,
    /// With `--fix`/`--diff`, apply unsafe fixes too (a close name for an unknown lookup).
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// Rules to enable (codes, prefixes such as `ORM1`, or `ALL`), replacing the config's.
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub select: Option<Vec<String>>,
    /// Rules to disable.
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub ignore: Vec<String>,
    /// Exit with 0 even when there are findings.
    #[arg(long)]
    pub exit_zero: bool,
    /// Read the configuration from this file instead of the root's.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Neither read nor write the cache in `.ormhint_cache/` at the project root.
    #[arg(long)]
    pub no_cache: bool,
    /// Leave out files named on the command line that the walk would skip (`exclude`,
    /// `migrations/`, hidden or virtualenv directories): for pre-commit, which names files.
    #[arg(long)]
    pub force_exclude: bool,
}

#[derive(Debug, Args)]
pub struct RuleArgs {
    /// A rule's code (`ORM101`) or name (`missing-select-related`).
    #[arg(required_unless_present = "all")]
    pub code: Option<String>,
    /// List every rule.
    #[arg(long, conflicts_with = "code")]
    pub all: bool,
}

#[derive(Debug, Args)]
pub struct ModelsArgs {
    /// The project's directory [default: .]
    pub path: Option<PathBuf>,
    /// Read the configuration from this file instead of the root's.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// How a command ended, short of an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Clean,
    Findings,
}

/// A usage, config or I/O error: printed as `error: ...`, exit code 2.
#[derive(Debug)]
pub enum Error {
    Message(String),
    /// stdout was closed (`ormhint check | head`): stop without a message.
    ClosedOutput,
}

impl Error {
    pub fn msg(message: impl fmt::Display) -> Self {
        Error::Message(message.to_string())
    }
}

impl From<io::Error> for Error {
    fn from(error: io::Error) -> Self {
        if error.kind() == io::ErrorKind::BrokenPipe {
            Error::ClosedOutput
        } else {
            Error::Message(format!("cannot write output: {error}"))
        }
    }
}

pub fn main() -> ExitCode {
    // Threads that analyse recurse on trees up to `MAX_NESTING` levels deep (the
    // language server's blocking threads get the same stack).
    let _ = rayon::ThreadPoolBuilder::new()
        .stack_size(crate::analysis::guard::STACK_SIZE)
        .build_global();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return ExitCode::from(u8::try_from(err.exit_code()).unwrap_or(2));
        }
    };
    if let Command::Server(_) = cli.command {
        // Before anything locks stdout: the server owns it.
        return crate::lsp::run();
    }
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let result = run(cli, &mut out).and_then(|status| {
        out.flush()?;
        Ok(status)
    });
    match result {
        Ok(Status::Clean) => ExitCode::SUCCESS,
        Ok(Status::Findings) => ExitCode::from(1),
        Err(Error::ClosedOutput) => ExitCode::SUCCESS,
        Err(Error::Message(message)) => {
            let _ = out.flush();
            error(&message);
            ExitCode::from(2)
        }
    }
}

/// Runs one command, writing its output to `out`. Warnings and errors go to stderr.
pub fn run(cli: Cli, out: &mut dyn Write) -> Result<Status, Error> {
    match cli.command {
        Command::Check(args) => check::run(&args, out),
        Command::Rule(args) => rule(&args, out),
        Command::Models(args) => models(&args, out),
        Command::Server(_) => Err(Error::msg("`server` runs from `main` only")),
        Command::Version => {
            writeln!(out, "ormhint {}", env!("CARGO_PKG_VERSION"))?;
            Ok(Status::Clean)
        }
    }
}

fn rule(args: &RuleArgs, out: &mut dyn Write) -> Result<Status, Error> {
    if args.all {
        let width = Rule::ALL.iter().map(|r| r.name().len()).max().unwrap_or(0);
        for rule in Rule::ALL {
            writeln!(
                out,
                "{}  {:width$}  {}",
                rule.code(),
                rule.name(),
                rule.default_severity().as_str()
            )?;
        }
        return Ok(Status::Clean);
    }
    let code = args.code.as_deref().unwrap_or_default();
    let rule = Rule::from_code(code).ok_or_else(|| {
        Error::msg(format!(
            "unknown rule '{code}' (`ormhint rule --all` lists the rules)"
        ))
    })?;
    let docs = rule.docs().trim_end();
    writeln!(out, "# {} ({})\n\n{docs}", rule.name(), rule.code())?;
    Ok(Status::Clean)
}

fn models(args: &ModelsArgs, out: &mut dyn Write) -> Result<Status, Error> {
    let paths: Vec<PathBuf> = args.path.iter().cloned().collect();
    let target = CheckTarget::resolve(&paths).map_err(Error::msg)?;
    let target = CheckTarget::root(target.root);
    let config = Config::load(&target.root, args.config.as_deref()).map_err(Error::msg)?;
    let project = Project::load(&target, &config).map_err(Error::msg)?;
    warn_unknown_user_model(&config, &project.index);
    warn_unread_packages(&project);
    for skipped in &project.skipped {
        warning(&skipped.to_string());
    }
    out.write_all(project.index.render().as_bytes())?;
    Ok(Status::Clean)
}

/// How many of the project's models a warning lists before "and N more".
const MODELS_LISTED: usize = 12;

/// `auth-user-model` naming no model of the project makes every relation to the user
/// model unresolved (and those findings silent): said once, with the models there are.
fn warn_unknown_user_model(config: &Config, index: &ModelIndex) {
    let Some(label) = &config.auth_user_model else {
        return;
    };
    if index.by_label(label).is_some() {
        return;
    }
    let mut labels: Vec<String> = index
        .models()
        .iter()
        .filter(|model| model.path.is_some() && !model.is_abstract)
        .map(|model| format!("{}.{}", model.app_label, model.name))
        .collect();
    labels.sort();
    let known = match labels.len() {
        0 => "the project has no models".to_string(),
        n if n <= MODELS_LISTED => format!("the project's models: {}", labels.join(", ")),
        n => format!(
            "the project's models: {} and {} more",
            labels[..MODELS_LISTED].join(", "),
            n - MODELS_LISTED
        ),
    };
    warning(&format!(
        "auth-user-model = \"{label}\" names no model of the project, so relations to the \
         user model are not followed; {known}"
    ));
}

/// How many packages the warning about unread ones names before "+N more".
const PACKAGES_LISTED: usize = 3;

/// Said once per run: installed packages the project's models are built on that could
/// not be read (no environment, or not installed in it), so the user knows what to
/// point `python` at; or a `python` setting that names no environment.
fn warn_unread_packages(project: &Project) {
    let place = match &project.python {
        PythonEnv::Invalid(message) => return warning(message),
        PythonEnv::Missing => "no Python environment found (set `python` in [tool.ormhint] \
                               or $VIRTUAL_ENV)"
            .to_string(),
        PythonEnv::Found(env) => format!("not installed in {}", display_path(&env.dir)),
    };
    let packages = project.index.unread_packages();
    if packages.is_empty() {
        return;
    }
    let mut names = packages[..packages.len().min(PACKAGES_LISTED)].join(", ");
    if packages.len() > PACKAGES_LISTED {
        names.push_str(&format!(" (+{} more)", packages.len() - PACKAGES_LISTED));
    }
    warning(&format!(
        "{place}: what models inherit from {names} is not read, and their querysets not judged"
    ));
}

pub(crate) fn warning(message: &str) {
    let _ = writeln!(io::stderr(), "warning: {message}");
}

pub(crate) fn error(message: &str) {
    let _ = writeln!(io::stderr(), "error: {message}");
}
