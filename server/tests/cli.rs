//! The `ormhint` binary end to end: exit codes, messages, output shapes, which files are
//! read. Renderers and the fix loop are unit-tested on hand-made diagnostics in `src/cli/`.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use support::cli::ormhint;

fn write(root: &Path, rel: &str, content: impl AsRef<[u8]>) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, content).unwrap();
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/cli")
        .join(name)
}

/// A copy of a fixture in a temporary directory (for commands that may write).
fn copy_fixture(name: &str) -> tempfile::TempDir {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            let target = to.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                copy(&entry.path(), &target);
            } else {
                std::fs::copy(entry.path(), target).unwrap();
            }
        }
    }
    let dir = tempfile::tempdir().unwrap();
    copy(&fixture(name), dir.path());
    dir
}

mod check {
    use super::*;

    #[test]
    fn clean_project_exits_zero() {
        let run = ormhint(&fixture("blog"), &["check"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert_eq!(run.stdout, "All checks passed!\n");
        assert_eq!(run.stderr, "");
    }

    #[test]
    fn a_directory_argument() {
        let run = ormhint(
            Path::new(env!("CARGO_MANIFEST_DIR")),
            &["check", "tests/fixtures/cli/blog"],
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert_eq!(run.stdout, "All checks passed!\n");
    }

    #[test]
    fn json_is_an_array() {
        let run = ormhint(&fixture("blog"), &["check", "--output-format", "json"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let value: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        assert_eq!(value, serde_json::json!([]));
    }

    #[test]
    fn sarif_is_a_run_with_every_rule() {
        let run = ormhint(&fixture("blog"), &["check", "--output-format", "sarif"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let value: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        assert_eq!(value["version"], "2.1.0");
        let run0 = &value["runs"][0];
        assert_eq!(run0["tool"]["driver"]["name"], "ormhint");
        let rules = run0["tool"]["driver"]["rules"].as_array().unwrap();
        assert!(rules.iter().any(|r| r["id"] == "ORM101"));
        // The config makes ORM202 an error.
        let orm202 = rules.iter().find(|r| r["id"] == "ORM202").unwrap();
        assert_eq!(orm202["defaultConfiguration"]["level"], "error");
        assert_eq!(run0["results"], serde_json::json!([]));
    }

    #[test]
    fn github_prints_nothing_when_clean() {
        let run = ormhint(&fixture("blog"), &["check", "--output-format", "github"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert_eq!(run.stdout, "");
    }

    #[test]
    fn fix_and_diff_leave_a_clean_project_alone() {
        let dir = copy_fixture("blog");
        let before = std::fs::read_to_string(dir.path().join("blog/views.py")).unwrap();
        let run = ormhint(dir.path(), &["check", "--diff"]);
        assert_eq!((run.code, run.stdout.as_str()), (0, ""), "{}", run.stderr);
        let run = ormhint(dir.path(), &["check", "--fix"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert_eq!(run.stdout, "All checks passed!\n");
        let after = std::fs::read_to_string(dir.path().join("blog/views.py")).unwrap();
        assert_eq!(before, after);
    }

    #[test]
    fn select_and_ignore_flags() {
        let run = ormhint(
            &fixture("blog"),
            &[
                "check",
                "--select",
                "ORM1,ORM2",
                "--ignore",
                "ORM102",
                "--exit-zero",
            ],
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
    }

    #[test]
    fn missing_path_is_a_usage_error() {
        let dir = tempfile::tempdir().unwrap();
        let run = ormhint(dir.path(), &["check", "foo"]);
        assert_eq!(run.code, 2);
        assert_eq!(run.stderr, "error: path does not exist: foo\n");
        assert_eq!(run.stdout, "");
    }

    #[test]
    fn unknown_flag_is_a_usage_error() {
        let run = ormhint(&fixture("blog"), &["check", "--colour"]);
        assert_eq!(run.code, 2);
        assert!(run.stderr.contains("--colour"), "{}", run.stderr);
    }

    #[test]
    fn unknown_select_code_names_it() {
        let run = ormhint(&fixture("blog"), &["check", "--select", "ORM999"]);
        assert_eq!(run.code, 2);
        assert_eq!(run.stderr, "error: unknown rule 'ORM999' in --select\n");
    }

    #[test]
    fn unknown_config_key_names_it() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "pyproject.toml",
            "[tool.ormhint]\nselct = [\"ORM1\"]\n",
        );
        write(dir.path(), "app/views.py", "x = 1\n");
        let run = ormhint(dir.path(), &["check"]);
        assert_eq!(run.code, 2);
        assert_eq!(
            run.stderr,
            "error: unknown key 'selct' in [tool.ormhint] of pyproject.toml (did you mean 'select'?)\n"
        );
    }

    #[test]
    fn bad_severity_and_unknown_code_in_config() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "ormhint.toml",
            "severity = { ORM301 = \"loud\" }\n",
        );
        let run = ormhint(dir.path(), &["check"]);
        assert_eq!(run.code, 2);
        assert!(
            run.stderr
                .starts_with("error: invalid severity \"loud\" for ORM301 in ormhint.toml"),
            "{}",
            run.stderr
        );

        write(dir.path(), "ormhint.toml", "ignore = [\"ORM999\"]\n");
        let run = ormhint(dir.path(), &["check"]);
        assert_eq!(run.code, 2);
        assert_eq!(
            run.stderr,
            "error: unknown rule 'ORM999' in 'ignore' (ormhint.toml)\n"
        );
    }

    #[test]
    fn explicit_config_file() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "conf/strict.toml", "exclude = [\"legacy\"]\n");
        write(dir.path(), "legacy/bad.py", b"\xff\xfe");
        let run = ormhint(dir.path(), &["check", "--config", "conf/strict.toml"]);
        assert_eq!((run.code, run.stderr.as_str()), (0, ""));

        let run = ormhint(dir.path(), &["check", "--config", "conf/missing.toml"]);
        assert_eq!(run.code, 2);
        assert!(
            run.stderr
                .starts_with("error: cannot read conf/missing.toml: "),
            "{}",
            run.stderr
        );
    }

    #[test]
    fn broken_toml_is_a_config_error() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "pyproject.toml", "[tool.ormhint\n");
        let run = ormhint(dir.path(), &["check"]);
        assert_eq!(run.code, 2);
        assert_eq!(
            run.stderr,
            "error: cannot parse pyproject.toml:1:14: invalid table header; expected `.`, `]`\n"
        );
    }

    #[test]
    fn empty_directory_is_clean() {
        let dir = tempfile::tempdir().unwrap();
        let run = ormhint(dir.path(), &["check"]);
        assert_eq!(run.code, 0);
        assert_eq!(run.stdout, "No Python files to check.\n");
        let run = ormhint(dir.path(), &["check", "--output-format", "json"]);
        assert_eq!((run.code, run.stdout.as_str()), (0, "[]\n"));
    }

    #[test]
    fn unreadable_files_are_reported_once_and_skipped() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "blog/views.py", "x = 1\n");
        write(dir.path(), "blog/latin1.py", b"nom = 'caf\xe9'\n");
        write(dir.path(), "blog/nul.py", b"x = 1\0\n");
        // Files not checked are never "All checks passed!": exit code 1, as for findings.
        let run = ormhint(dir.path(), &["check"]);
        assert_eq!(run.code, 1, "{}", run.stderr);
        assert_eq!(
            run.stderr,
            "warning: skipping blog/latin1.py: not valid UTF-8\n\
             warning: skipping blog/nul.py: contains a NUL byte\n"
        );
        assert_eq!(
            run.stdout,
            "Incomplete: 2 files not checked (see the warnings).\n"
        );
        // Warnings go to stderr, so machine-readable output stays parseable.
        let run = ormhint(dir.path(), &["check", "--output-format", "json"]);
        assert_eq!(run.stdout, "[]\n");
        assert_eq!(
            run.stderr.lines().last(),
            Some("warning: incomplete: 2 files not checked")
        );
        let run = ormhint(dir.path(), &["check", "--exit-zero"]);
        assert_eq!(run.code, 0);
    }

    #[test]
    fn ignored_and_generated_files_are_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        // Each of these would print a warning if it were read.
        write(root, ".gitignore", "build/\n*.gen.py\n");
        write(root, "build/lib/out.py", b"\xff");
        write(root, "app/schema.gen.py", b"\xff");
        write(root, "app/migrations/0001_initial.py", b"\xff");
        write(root, "app/__pycache__/views.py", b"\xff");
        write(root, ".venv/lib/site.py", b"\xff");
        write(root, "env/pyvenv.cfg", "home = /usr/bin\n");
        write(root, "env/lib/site.py", b"\xff");
        write(root, "node_modules/pkg/x.py", b"\xff");
        write(root, "app/views.py", "x = 1\n");
        write(root, "app/notes.txt", b"\xff");
        let run = ormhint(root, &["check"]);
        assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    }

    #[test]
    fn config_exclude() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "pyproject.toml",
            "[tool.ormhint]\nexclude = [\"vendor\", \"**/*_pb2.py\"]\n",
        );
        write(dir.path(), "vendor/lib.py", b"\xff");
        write(dir.path(), "app/api_pb2.py", b"\xff");
        write(dir.path(), "app/other.py", b"\xff");
        let run = ormhint(dir.path(), &["check"]);
        assert_eq!(
            run.stderr,
            "warning: skipping app/other.py: not valid UTF-8\n"
        );
    }

    #[test]
    fn a_single_file_is_reported_relative_to_its_project() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "manage.py", "");
        write(dir.path(), "blog/bad.py", b"\xff");
        write(dir.path(), "shop/bad.py", b"\xff");
        // From inside the app, the root is where manage.py is; only the named file's
        // problems are reported.
        let run = ormhint(&dir.path().join("blog"), &["check", "bad.py"]);
        assert_eq!(run.code, 1);
        assert_eq!(run.stderr, "warning: skipping bad.py: not valid UTF-8\n");
    }

    #[test]
    fn closed_stdout_is_not_a_crash() {
        let mut child = Command::new(env!("CARGO_BIN_EXE_ormhint"))
            .args(["check", "--output-format", "sarif"])
            .current_dir(fixture("blog"))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert_eq!(output.status.code(), Some(0), "{stderr}");
    }
}

mod rule {
    use super::*;

    #[test]
    fn prints_the_docs_of_a_code_or_name() {
        let here = Path::new(env!("CARGO_MANIFEST_DIR"));
        let run = ormhint(here, &["rule", "ORM101"]);
        assert_eq!(run.code, 0);
        assert!(
            run.stdout
                .starts_with("# missing-select-related (ORM101)\n\n## What it does"),
            "{}",
            run.stdout
        );
        let by_name = ormhint(here, &["rule", "missing-select-related"]);
        assert_eq!(by_name.stdout, run.stdout);
    }

    #[test]
    fn unknown_rule() {
        let run = ormhint(Path::new(env!("CARGO_MANIFEST_DIR")), &["rule", "ORM999"]);
        assert_eq!(run.code, 2);
        assert_eq!(
            run.stderr,
            "error: unknown rule 'ORM999' (`ormhint rule --all` lists the rules)\n"
        );
    }

    #[test]
    fn all_lists_every_rule() {
        let run = ormhint(Path::new(env!("CARGO_MANIFEST_DIR")), &["rule", "--all"]);
        assert_eq!(run.code, 0);
        let first = run.stdout.lines().next().unwrap();
        assert!(
            first.starts_with("ORM101  missing-select-related"),
            "{first}"
        );
        assert!(first.ends_with("  warning"), "{first}");
        assert!(
            run.stdout
                .lines()
                .any(|l| l.starts_with("ORM602  unknown-lookup"))
        );
    }

    #[test]
    fn no_code_is_a_usage_error() {
        let run = ormhint(Path::new(env!("CARGO_MANIFEST_DIR")), &["rule"]);
        assert_eq!(run.code, 2);
    }
}

mod other_commands {
    use super::*;

    #[test]
    fn models_runs_on_a_project() {
        let run = ormhint(&fixture("blog"), &["models"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let run = ormhint(&fixture("blog"), &["models", "does-not-exist"]);
        assert_eq!(run.code, 2);
        assert_eq!(run.stderr, "error: path does not exist: does-not-exist\n");
    }

    #[test]
    fn version() {
        let expected = format!("ormhint {}\n", env!("CARGO_PKG_VERSION"));
        let here = Path::new(env!("CARGO_MANIFEST_DIR"));
        assert_eq!(ormhint(here, &["version"]).stdout, expected);
        assert_eq!(ormhint(here, &["--version"]).stdout, expected);
    }
}
