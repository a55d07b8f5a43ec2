//! The example project `tests/fixtures/shop` marks every intended finding with a trailing
//! `# smell: ORM101` comment: ormhint must report exactly those (path, line, code), then
//! `--fix` must leave only the findings that have no safe fix.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use ormhint::config::Config;
use ormhint::project::{Project, Target};
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
    let project = Project::load(&Target::root(&root), &config).unwrap();
    let want = marked(&root, &project);
    let got = reported(&project, &config);
    let missing: Vec<_> = want.difference(&got).collect();
    let unexpected: Vec<_> = got.difference(&want).collect();
    assert!(
        missing.is_empty() && unexpected.is_empty(),
        "missing: {missing:#?}\nunexpected: {unexpected:#?}"
    );
}
