//! The example project `tests/fixtures/shop` marks every intended finding with a trailing
//! `# smell: ORM101` comment: ormhint must report exactly those (path, line, code), then
//! `--fix` must leave only the findings that have no safe fix.

mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use ormhint::config::Config;
use ormhint::project::{CheckTarget, Project};
use ormhint::text::LineIndex;

fn shop() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/shop")
}

type Findings = BTreeSet<(String, usize, String)>;

fn marked(root: &Path, project: &Project) -> Findings {
    let _ = root;
    let mut out = Findings::new();
    for file in &project.files {
        for (n, line) in file.source.lines().enumerate() {
            if let Some((_, codes)) = line.split_once("# smell:") {
                for code in codes.split([',', ' ']).filter(|c| !c.is_empty()) {
                    out.insert((file.path.display().to_string(), n + 1, code.to_string()));
                }
            }
        }
    }
    out
}

fn reported(project: &Project, config: &Config) -> Findings {
    let mut out = Findings::new();
    for report in project.check(config).files {
        let lines = LineIndex::new(&report.source);
        for d in report.diagnostics {
            let line = lines.line_of(d.range.start) + 1;
            out.insert((
                report.path.display().to_string(),
                line,
                d.rule.code().to_string(),
            ));
        }
    }
    out
}

#[test]
fn every_marked_smell_and_nothing_else() {
    let root = shop();
    let config = Config::load(&root, None).unwrap();
    let project = Project::load(&CheckTarget::root(&root), &config).unwrap();
    let want = marked(&root, &project);
    let got = reported(&project, &config);
    let missing: Vec<_> = want.difference(&got).collect();
    let unexpected: Vec<_> = got.difference(&want).collect();
    assert!(
        missing.is_empty() && unexpected.is_empty(),
        "missing: {missing:#?}\nunexpected: {unexpected:#?}"
    );
}

fn ormhint(args: &[&str], dir: &Path) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_ormhint"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

#[test]
fn human_output_snapshot() {
    let out = ormhint(&["check", "."], &shop());
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!(String::from_utf8(out.stdout).unwrap());
}

#[test]
fn model_index_snapshot() {
    let out = ormhint(&["models", "."], &shop());
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    insta::assert_snapshot!(String::from_utf8(out.stdout).unwrap());
}

/// `--fix` on a copy, then a second check: what had a safe fix is gone, nothing new
/// appears, and the fixed tree is stable under a second `--fix`.
#[test]
fn fix_then_check_again() {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("shop");
    support::copy_dir(&shop(), &copy);
    let json = |dir: &Path| -> Vec<serde_json::Value> {
        let out = ormhint(
            &["check", ".", "--output-format", "json", "--exit-zero"],
            dir,
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let key = |d: &serde_json::Value| {
        (
            d["path"].as_str().unwrap().to_string(),
            d["code"].as_str().unwrap().to_string(),
            d["message"].as_str().unwrap().to_string(),
        )
    };
    let before = json(&copy);
    // ORM101's fix in `category_paths` names `parent` in place of the bare
    // `select_related()`, which settles that ORM603 too.
    let unfixable: BTreeSet<_> = before
        .iter()
        .filter(|d| d["fix"].is_null() || d["fix"]["applicability"] != "safe")
        .map(key)
        .filter(|(path, code, _)| {
            (path.as_str(), code.as_str()) != ("catalog/services.py", "ORM603")
        })
        .collect();
    let fixed = ormhint(&["check", ".", "--fix", "--exit-zero"], &copy);
    assert_eq!(
        fixed.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&fixed.stderr)
    );
    let after: BTreeSet<_> = json(&copy).iter().map(key).collect();
    assert_eq!(
        after, unfixable,
        "after --fix, only findings without a safe fix remain"
    );
    let snapshot: Vec<(String, String)> = walk_py(&copy);
    let again = ormhint(&["check", ".", "--fix", "--exit-zero"], &copy);
    assert_eq!(again.status.code(), Some(0));
    assert_eq!(walk_py(&copy), snapshot, "a second --fix changed files");
}

fn walk_py(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "py") {
                out.push((
                    path.display().to_string(),
                    std::fs::read_to_string(&path).unwrap(),
                ));
            }
        }
    }
    out.sort();
    out
}
