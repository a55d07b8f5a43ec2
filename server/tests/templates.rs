//! Template discovery and summaries over `fixtures/templates_project`: a settings module
//! with `TEMPLATES` (`DIRS` from `BASE_DIR`, `APP_DIRS`), two apps with templates, a
//! project template overriding an app's, an include and an extends.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ormhint::analysis::templates::{LoadedTemplate, Step, UseKind, summarize};
use ormhint::config::Config;
use ormhint::index::templates::template_dirs;
use ormhint::index::{Backend, extract};
use ormhint::project::{CheckTarget, Project};
use ormhint::syntax::template::Dialect;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/templates_project")
}

#[test]
fn finds_templates_in_lookup_order_and_summarizes_one() {
    let root = fixture();
    let project = Project::load(&CheckTarget::root(&root), &Config::default()).unwrap();
    let facts: Vec<_> = project.files.iter().map(|f| Arc::new(extract(f))).collect();
    let dirs = template_dirs(&facts);
    assert!(!dirs.guessed);
    let engine_dirs: Vec<&Path> = dirs.engines[0].dirs.iter().map(PathBuf::as_path).collect();
    assert_eq!(
        engine_dirs,
        [
            Path::new("templates"),
            Path::new("blog/templates"),
            Path::new("shop/templates"),
        ]
    );

    let found = dirs.find(&root);
    let names: Vec<(&str, &Path)> = found
        .iter()
        .map(|(name, file)| (name.as_str(), file.path.as_path()))
        .collect();
    assert_eq!(
        names,
        [
            ("base.html", Path::new("templates/base.html")),
            (
                "blog/_post.html",
                Path::new("blog/templates/blog/_post.html")
            ),
            (
                "blog/post_detail.html",
                Path::new("templates/blog/post_detail.html")
            ),
            (
                "blog/post_list.html",
                Path::new("blog/templates/blog/post_list.html")
            ),
            ("shop/cart.html", Path::new("shop/templates/shop/cart.html")),
        ]
    );
    assert!(found.values().all(|f| f.backend == Backend::Django));

    let loaded: HashMap<String, Arc<LoadedTemplate>> = found
        .iter()
        .map(|(name, file)| {
            let source = std::fs::read_to_string(root.join(&file.path)).unwrap();
            let template =
                LoadedTemplate::parse(Dialect::Django, name.clone(), file.path.clone(), &source);
            assert!(template.template.errors.is_empty(), "{name}");
            (name.clone(), Arc::new(template))
        })
        .collect();

    let list = summarize("blog/post_list.html", &loaded).unwrap();
    assert!(list.gaps.is_empty(), "{:?}", list.gaps);
    let variables: Vec<&str> = list.context.keys().map(String::as_str).collect();
    assert_eq!(variables, ["posts", "site_name"]);
    let [posts] = list.context["posts"].as_slice() else {
        panic!("{:?}", list.context["posts"]);
    };
    assert_eq!(posts.at.template, "blog/post_list.html");
    let UseKind::Loop { rows } = &posts.kind else {
        panic!("{posts:?}");
    };
    let rows: Vec<(String, &str, &str)> = rows
        .iter()
        .map(|row| {
            let kind = match &row.kind {
                UseKind::Text => "text",
                UseKind::Loop { .. } => "loop",
                _ => "other",
            };
            (Step::render(&row.path), kind, row.at.template.as_str())
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("title".to_string(), "text", "blog/_post.html"),
            (
                "author.profile.display_name".to_string(),
                "text",
                "blog/_post.html"
            ),
            ("tags.all".to_string(), "loop", "blog/_post.html"),
        ]
    );
    // The byte range points at the lookup in the included template.
    let post_source = std::fs::read_to_string(root.join("blog/templates/blog/_post.html")).unwrap();
    let UseKind::Loop { rows } = &posts.kind else {
        unreachable!()
    };
    let range = rows[1].at.range;
    assert_eq!(
        &post_source[range.start..range.end],
        "item.author.profile.display_name"
    );

    let detail = summarize("blog/post_detail.html", &loaded).unwrap();
    let variables: Vec<&str> = detail.context.keys().map(String::as_str).collect();
    assert_eq!(variables, ["post", "site_name"]);
}
