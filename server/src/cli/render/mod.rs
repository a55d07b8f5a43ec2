//! Output formats of `ormhint check`, one file each. Every renderer reads the same
//! [`Report`]; byte offsets become 1-based rows and character columns here.

mod github;
mod human;
mod json;
mod sarif;

use std::cell::OnceCell;
use std::collections::HashMap;
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};

use serde::Serialize;

use crate::analysis::{Diagnostic, Related};
use crate::config::Config;
use crate::project::FileReport;
use crate::text::{LineIndex, TextRange};

pub use human::{Summary, findings};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// `path:line:col: CODE message`, the source line and a caret.
    Human,
    /// One JSON array of findings.
    Json,
    /// SARIF 2.1.0, for code-scanning services.
    Sarif,
    /// GitHub Actions workflow commands (annotations).
    Github,
}

/// What the renderers show: the reported files that have findings, and how to locate
/// offsets in them (and in the files their related locations point into).
pub struct Report<'a> {
    /// Sorted by path; each file's diagnostics sorted by position.
    pub files: &'a [FileReport],
    pub locator: &'a Locator<'a>,
    pub config: &'a Config,
    pub paths: &'a Paths,
}

impl Report<'_> {
    pub fn diagnostics(&self) -> impl Iterator<Item = (&FileReport, &Diagnostic)> {
        self.files
            .iter()
            .flat_map(|file| file.diagnostics.iter().map(move |d| (file, d)))
    }

    pub fn count(&self) -> usize {
        self.files.iter().map(|f| f.diagnostics.len()).sum()
    }
}

pub fn render(
    format: OutputFormat,
    report: &Report<'_>,
    summary: &Summary,
    colors: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        OutputFormat::Human => human::render(report, summary, colors, out),
        OutputFormat::Json => json::render(report, out),
        OutputFormat::Sarif => sarif::render(report, out),
        OutputFormat::Github => github::render(report, out),
    }
}

/// A 1-based row and a 1-based column counted in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Location {
    pub row: usize,
    pub column: usize,
}

/// Converts byte offsets in known files to [`Location`]s, indexing each file's lines
/// the first time it is asked about.
#[derive(Default)]
pub struct Locator<'a> {
    files: HashMap<&'a Path, (&'a str, OnceCell<LineIndex>)>,
}

impl<'a> Locator<'a> {
    /// Registers a file; the first source registered for a path wins.
    pub fn add(&mut self, path: &'a Path, source: &'a str) {
        self.files
            .entry(path)
            .or_insert_with(|| (source, OnceCell::new()));
    }

    pub fn source(&self, path: &Path) -> Option<&'a str> {
        self.files.get(path).map(|(source, _)| *source)
    }

    pub fn lines(&self, path: &Path) -> Option<(&'a str, &LineIndex)> {
        let (source, lines) = self.files.get(path)?;
        Some((source, lines.get_or_init(|| LineIndex::new(source))))
    }

    pub fn location(&self, path: &Path, offset: usize) -> Option<Location> {
        let (source, lines) = self.lines(path)?;
        let at = lines.line_col_chars(source, offset);
        Some(Location {
            row: at.line + 1,
            column: at.col + 1,
        })
    }

    pub fn span(&self, path: &Path, range: TextRange) -> Option<(Location, Location)> {
        Some((
            self.location(path, range.start)?,
            self.location(path, range.end)?,
        ))
    }
}

/// The file a related location is in: its own path, or the diagnostic's file.
pub fn related_path<'p>(file: &'p Path, related: &'p Related) -> &'p Path {
    related.path.as_deref().unwrap_or(file)
}

/// Shows root-relative paths the way the user can open them: relative to the working
/// directory (`../orders/models.py` from a sibling directory), as ruff does.
#[derive(Debug, Clone)]
pub struct Paths {
    root: PathBuf,
    cwd: PathBuf,
}

impl Paths {
    /// For a project at `root` (absolute and normalised, as `CheckTarget` makes it) seen
    /// from the working directory.
    pub fn new(root: &Path) -> Self {
        let cwd = std::env::current_dir()
            .ok()
            .and_then(|cwd| std::path::absolute(cwd).ok())
            .unwrap_or_else(|| root.to_path_buf());
        Self::from(root, &cwd)
    }

    pub fn from(root: &Path, cwd: &Path) -> Self {
        Self {
            root: root.to_path_buf(),
            cwd: cwd.to_path_buf(),
        }
    }

    /// The working directory (absolute).
    pub fn cwd(&self) -> &Path {
        &self.cwd
    }

    /// `path` (relative to the root) relative to the working directory, `/`-separated.
    pub fn show(&self, path: &Path) -> String {
        path_str(&relative_to(&self.root.join(path), &self.cwd))
    }
}

/// `path` relative to `base`, both absolute: `..` for each of `base`'s components that
/// `path` does not share.
fn relative_to(path: &Path, base: &Path) -> PathBuf {
    let path: Vec<Component> = path.components().collect();
    let base: Vec<Component> = base.components().collect();
    let shared = path.iter().zip(&base).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in shared..base.len() {
        out.push("..");
    }
    for component in &path[shared..] {
        out.push(component);
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

/// A path as output shows it: `/`-separated.
pub fn path_str(path: &Path) -> String {
    let text = path.to_string_lossy();
    if std::path::MAIN_SEPARATOR == '/' {
        text.into_owned()
    } else {
        text.replace(std::path::MAIN_SEPARATOR, "/")
    }
}

#[cfg(test)]
pub(crate) mod tests {
    //! A small report with hand-made diagnostics that every renderer's tests print.

    use std::path::PathBuf;
    use std::sync::Arc;

    use super::*;
    use crate::analysis::{Related, Rule};
    use crate::fix::{Edit, Fix};

    pub const VIEWS: &str = "\
def index(request):
    posts = Post.objects.filter(published=True)
    for post in posts:
        print(post.author.name, \"café\", post.títle)
    total = len(Post.objects
        .all())
    return total
";

    pub const MODELS: &str = "class Post(models.Model):\n    author = models.ForeignKey(Author)\n";

    fn range_of(source: &str, needle: &str) -> TextRange {
        let start = source.find(needle).unwrap();
        TextRange::new(start, start + needle.len())
    }

    /// Two findings in `blog/views.py`: an ORM101 with a safe fix, related locations in
    /// the same and another file, a non-ASCII column; an ORM202 spanning two lines with
    /// an unsafe fix.
    pub fn files() -> Vec<FileReport> {
        let queryset = range_of(VIEWS, "Post.objects.filter(published=True)");
        let access = {
            let start = VIEWS.find("post.títle").unwrap();
            TextRange::new(start, start + "post.títle".len())
        };
        let select = Fix::safe(
            "Add `.select_related(\"author\")`",
            vec![Edit::insertion(queryset.end, ".select_related(\"author\")")],
        );
        let len_call = range_of(VIEWS, "len(Post.objects\n        .all())");
        let count = Fix::unsafe_(
            "Replace with `.count()`",
            vec![Edit::replacement(
                len_call,
                "Post.objects\n        .all().count()",
            )],
        );
        vec![FileReport {
            path: PathBuf::from("blog/views.py"),
            source: Arc::from(VIEWS),
            diagnostics: vec![
                Diagnostic {
                    rule: Rule::MissingSelectRelated,
                    message: "`post.títle` is read on each \"post\": one query per row".into(),
                    range: access,
                    related: vec![
                        Related {
                            path: None,
                            range: queryset,
                            message: "Queryset without `select_related(\"author\")`".into(),
                        },
                        Related {
                            path: Some(PathBuf::from("blog/models.py")),
                            range: range_of(MODELS, "author"),
                            message: "Relation defined here".into(),
                        },
                    ],
                    fix: Some(select),
                    severity: None,
                },
                Diagnostic {
                    rule: Rule::LenOfQueryset,
                    message: "`len()` fetches every row, 100% of them, to count them".into(),
                    range: len_call,
                    related: Vec::new(),
                    fix: Some(count),
                    severity: None,
                },
            ],
        }]
    }

    /// Runs `f` on a report of `files` (plus `blog/models.py` as a known file), seen
    /// from the root.
    pub fn with_report<T>(files: &[FileReport], f: impl FnOnce(&Report<'_>) -> T) -> T {
        let mut locator = Locator::default();
        for file in files {
            locator.add(&file.path, &file.source);
        }
        locator.add(Path::new("blog/models.py"), MODELS);
        let config = Config::default();
        let paths = Paths::from(Path::new("/project"), Path::new("/project"));
        f(&Report {
            files,
            locator: &locator,
            config: &config,
            paths: &paths,
        })
    }

    /// Renders `files` in `format`, as a check of one file.
    pub fn rendered(format: OutputFormat, files: &[FileReport]) -> String {
        with_report(files, |report| {
            let summary = Summary {
                checked: 1,
                ..Summary::default()
            };
            let mut out = Vec::new();
            render(format, report, &summary, false, &mut out).unwrap();
            String::from_utf8(out).unwrap()
        })
    }

    #[test]
    fn paths_are_shown_from_the_working_directory() {
        let paths = Paths::from(Path::new("/p/shop"), Path::new("/p/shop/catalog"));
        assert_eq!(paths.show(Path::new("catalog/views.py")), "views.py");
        assert_eq!(
            paths.show(Path::new("orders/models.py")),
            "../orders/models.py"
        );
        let paths = Paths::from(Path::new("/p/shop"), Path::new("/p"));
        assert_eq!(
            paths.show(Path::new("catalog/views.py")),
            "shop/catalog/views.py"
        );
        let paths = Paths::from(Path::new("/p/shop"), Path::new("/q/r"));
        assert_eq!(paths.show(Path::new("a.py")), "../../p/shop/a.py");
        assert_eq!(paths.show(Path::new("")), "../../p/shop");
        let paths = Paths::from(Path::new("/p"), Path::new("/p"));
        assert_eq!(paths.show(Path::new("")), ".");
    }

    #[test]
    fn locations_count_characters_from_one() {
        let files = files();
        let mut locator = Locator::default();
        locator.add(&files[0].path, &files[0].source);
        let diagnostic = &files[0].diagnostics[0];
        let (start, end) = locator.span(&files[0].path, diagnostic.range).unwrap();
        assert_eq!(start, Location { row: 4, column: 41 });
        assert_eq!(end, Location { row: 4, column: 51 });
    }
}
