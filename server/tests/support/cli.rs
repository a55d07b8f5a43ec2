//! The `ormhint` binary run as a user runs it, for the command-line tests.

use std::path::Path;
use std::process::Command;

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `ormhint args...` in `dir` without colours.
pub fn ormhint(dir: &Path, args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_ormhint"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs");
    let run = Run {
        code: output
            .status
            .code()
            .expect("exited, not killed by a signal"),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    };
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    run
}

/// The findings of `ormhint check --output-format json args...` in `dir`, as
/// `path:row:column CODE`.
pub fn check_findings(dir: &Path, args: &[&str]) -> Vec<String> {
    findings(&check_output(dir, args))
}

/// The findings of `ormhint check --output-format json args...` in `dir`, whole.
pub fn check_json(dir: &Path, args: &[&str]) -> Vec<serde_json::Value> {
    serde_json::from_str(&check_output(dir, args)).unwrap()
}

fn check_output(dir: &Path, args: &[&str]) -> String {
    let mut all = vec!["check", "--output-format", "json"];
    all.extend_from_slice(args);
    ormhint(dir, &all).stdout
}

/// The findings of `ormhint check --output-format json` as `path:row:column CODE`.
pub fn findings(json: &str) -> Vec<String> {
    let findings: Vec<serde_json::Value> = serde_json::from_str(json).unwrap();
    findings
        .iter()
        .map(|f| {
            format!(
                "{}:{}:{} {}",
                f["path"].as_str().unwrap(),
                f["location"]["row"],
                f["location"]["column"],
                f["code"].as_str().unwrap()
            )
        })
        .collect()
}
