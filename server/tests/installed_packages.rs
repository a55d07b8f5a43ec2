//! Packages installed in the project's Python environment, read and never run: a model
//! on an installed abstract base and manager is judged like one on the project's own;
//! without an environment, or when the installed code cannot be read, nothing is said.

mod support;

use std::path::Path;
use std::process::Command;

use support::cli::{Run, findings};
use support::write_files as write;

const SITE: &str = ".venv/lib/python3.12/site-packages";

/// An installed tree package: an abstract node model and a manager that changes nothing
/// about loading, and a concrete model the nodes point at.
const NODES: &str = "\
from django.db import models


class NodeManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().order_by(\"path\")


class Owner(models.Model):
    name = models.CharField(max_length=10)


class Node(models.Model):
    path = models.CharField(max_length=255)
    owner = models.ForeignKey(Owner, on_delete=models.CASCADE)

    objects = NodeManager()

    class Meta:
        abstract = True


def rebuild():
    for node in Owner.objects.all():
        print(node.name)
";

const MODELS: &str = "\
from django.db import models
from nodes.models import Node


class Brand(models.Model):
    name = models.CharField(max_length=10)


class Category(Node):
    brand = models.ForeignKey(Brand, on_delete=models.CASCADE)
";

const VIEWS: &str = "\
from shop.models import Category


def names():
    for category in Category.objects.all():
        print(category.brand.name)
";

/// A project using the installed `nodes` package; its environment is written apart.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            ("manage.py", ""),
            ("shop/__init__.py", ""),
            ("shop/models.py", MODELS),
            ("shop/views.py", VIEWS),
        ],
    );
    dir
}

/// `nodes` installed in the site-packages directory `site` under `root`.
fn install(root: &Path, site: &str, models: &str) {
    write(
        root,
        &[
            (&format!("{site}/nodes/__init__.py"), ""),
            (&format!("{site}/nodes/models.py"), models),
        ],
    );
}

/// `ormhint args...` in `dir`, `$VIRTUAL_ENV` set to `virtual_env` or unset.
fn run(dir: &Path, virtual_env: Option<&Path>, args: &[&str]) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ormhint"));
    command
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("VIRTUAL_ENV");
    if let Some(env) = virtual_env {
        command.env("VIRTUAL_ENV", env);
    }
    let output = command.output().expect("the binary runs");
    let run = Run {
        code: output.status.code().expect("exited"),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    };
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    run
}

fn check(dir: &Path, virtual_env: Option<&Path>) -> Run {
    run(
        dir,
        virtual_env,
        &["check", "--no-cache", "--output-format", "json"],
    )
}

const FOUND: &str = "shop/views.py:6:15 ORM101";

#[test]
fn a_model_on_an_installed_base_in_dot_venv_is_judged() {
    let dir = project();
    install(dir.path(), SITE, NODES);
    let run = check(dir.path(), None);
    assert_eq!(findings(&run.stdout), [FOUND], "{}", run.stderr);
    assert_eq!(run.stderr, "");
    let messages: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        messages[0]["message"],
        "`category.brand` loads the related object `brand` with one query per `Category` \
         row: the queryset does not select_related(\"brand\")"
    );
}

#[test]
fn without_an_environment_it_says_which_packages_it_could_not_read() {
    let dir = project();
    let run = check(dir.path(), None);
    assert_eq!(findings(&run.stdout), Vec::<String>::new());
    assert_eq!(
        run.stderr,
        "warning: no Python environment found (set `python` in [tool.ormhint] or \
         $VIRTUAL_ENV): what models inherit from nodes is not read, and their querysets \
         not judged\n"
    );
}

#[test]
fn a_package_missing_from_the_environment_is_named() {
    let dir = project();
    write(dir.path(), &[(&format!("{SITE}/other/__init__.py"), "")]);
    let run = check(dir.path(), None);
    assert_eq!(findings(&run.stdout), Vec::<String>::new());
    assert_eq!(
        run.stderr,
        "warning: not installed in .venv: what models inherit from nodes is not read, and \
         their querysets not judged\n"
    );
}

#[test]
fn virtual_env_is_read_before_dot_venv() {
    let dir = project();
    let elsewhere = tempfile::tempdir().unwrap();
    install(elsewhere.path(), "lib/python3.11/site-packages", NODES);
    // The project's own `.venv` lacks the package: `$VIRTUAL_ENV` wins over it.
    write(dir.path(), &[(&format!("{SITE}/other/__init__.py"), "")]);
    let run = check(dir.path(), Some(elsewhere.path()));
    assert_eq!(findings(&run.stdout), [FOUND], "{}", run.stderr);
    let run = check(dir.path(), None);
    assert_eq!(findings(&run.stdout), Vec::<String>::new());
}

#[test]
fn the_python_setting_names_an_interpreter_or_an_environment_elsewhere() {
    let dir = project();
    let elsewhere = tempfile::tempdir().unwrap();
    install(elsewhere.path(), "Lib/site-packages", NODES);
    write(elsewhere.path(), &[("Scripts/python.exe", "")]);
    let interpreter = elsewhere.path().join("Scripts/python.exe");
    let setting = format!(
        "[tool.ormhint]\npython = {:?}\n",
        interpreter.to_str().unwrap()
    );
    write(dir.path(), &[("pyproject.toml", &setting)]);
    let run = check(dir.path(), None);
    assert_eq!(findings(&run.stdout), [FOUND], "{}", run.stderr);

    // The setting wins over `$VIRTUAL_ENV`; relative, it is read from the config's place.
    let env = dir.path().join("envs/shop");
    install(&env, "lib/python3.12/site-packages", NODES);
    write(
        dir.path(),
        &[("pyproject.toml", "[tool.ormhint]\npython = \"envs/shop\"\n")],
    );
    let run = check(dir.path(), Some(Path::new("/nonexistent")));
    assert_eq!(findings(&run.stdout), [FOUND], "{}", run.stderr);
}

#[test]
fn a_python_setting_that_names_no_environment_is_said_and_the_check_runs() {
    let dir = project();
    install(dir.path(), SITE, NODES);
    write(
        dir.path(),
        &[("pyproject.toml", "[tool.ormhint]\npython = \"nowhere\"\n")],
    );
    let run = check(dir.path(), None);
    assert_eq!(run.code, 0);
    assert_eq!(findings(&run.stdout), Vec::<String>::new());
    assert_eq!(
        run.stderr,
        "warning: python = \"nowhere\" is neither a Python interpreter nor an environment \
         holding a site-packages directory; installed packages are not read\n"
    );

    write(
        dir.path(),
        &[("pyproject.toml", "[tool.ormhint]\npython = 3\n")],
    );
    let run = check(dir.path(), None);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains(
            "'python' in [tool.ormhint] of pyproject.toml must be the path of a Python \
             interpreter or environment, like \".venv\", not 3"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn an_installed_manager_that_selects_is_known_and_relations_to_installed_models_resolve() {
    let dir = project();
    let selecting = NODES.replace(
        "super().get_queryset().order_by(\"path\")",
        "super().get_queryset().select_related(\"owner\")",
    );
    install(dir.path(), SITE, &selecting);
    write(
        dir.path(),
        &[(
            "shop/views.py",
            "\
from shop.models import Category


def owners():
    for category in Category.objects.all():
        print(category.owner.name)


def brands():
    for category in Category.objects.all():
        print(category.brand.name)
",
        )],
    );
    let run = check(dir.path(), None);
    assert_eq!(findings(&run.stdout), ["shop/views.py:11:15 ORM101"]);
    let models = run_models(dir.path());
    assert!(
        models.contains("  owner: FK → nodes.Owner, indexed\n"),
        "{models}"
    );
}

fn run_models(dir: &Path) -> String {
    run(dir, None, &["models"]).stdout
}

#[test]
fn installed_models_are_never_reported_nor_listed() {
    let dir = project();
    install(dir.path(), SITE, NODES);
    let run = check(dir.path(), None);
    // `rebuild()` of the installed module loops without a finding: it is not checked.
    assert!(
        findings(&run.stdout).iter().all(|f| f.starts_with("shop/")),
        "{}",
        run.stdout
    );
    let models = run_models(dir.path());
    assert!(
        models.contains("shop.Category (shop/models.py)\n"),
        "{models}"
    );
    // Listed only as what a relation points at.
    assert!(!models.lines().any(|l| l.starts_with("nodes.")), "{models}");
    assert!(
        models.contains("  path: field, not indexed\n  owner: FK"),
        "{models}"
    );
}

#[test]
fn an_installed_manager_whose_get_queryset_is_unread_leaves_querysets_unknown() {
    let dir = project();
    let unread = NODES.replace(
        "super().get_queryset().order_by(\"path\")",
        "make_tree_queryset(self)",
    );
    install(dir.path(), SITE, &unread);
    let run = check(dir.path(), None);
    assert_eq!(findings(&run.stdout), Vec::<String>::new());
    assert_eq!(run.stderr, "");
}

#[test]
fn an_installed_base_that_cannot_be_read_stays_unknown() {
    let dir = project();
    // `Node` made by a call: what it is stays unknown.
    install(
        dir.path(),
        SITE,
        "from django.db import models\n\nNode = make_node_class(models.Model)\n",
    );
    let run = check(dir.path(), None);
    assert_eq!(findings(&run.stdout), Vec::<String>::new());
}

#[test]
fn unknown_names_on_a_model_outside_code_may_add_to_are_judged_only_when_close_to_one() {
    let dir = project();
    install(dir.path(), SITE, NODES);
    write(
        dir.path(),
        &[(
            "shop/models.py",
            "\
from django.db import models
from hierarchy import settings_for
from cluster import ParentalKey


@settings_for()
class Brand(models.Model):
    name = models.CharField(max_length=10)


class Shelf(models.Model):
    name = models.CharField(max_length=10)


class Item(models.Model):
    shelf = ParentalKey(\"Shelf\", on_delete=models.CASCADE, related_name=\"items\")
",
        )],
    );
    write(
        dir.path(),
        &[(
            "shop/views.py",
            "\
from shop.models import Brand, Shelf


def lookups():
    Brand.objects.filter(_settings__key=1)
    Shelf.objects.filter(items__name=1)
    Shelf.objects.filter(itemz=1)
    Shelf.objects.filter(nme=1)
",
        )],
    );
    let run = check(dir.path(), None);
    // `Brand` is decorated from outside Django, `Item.shelf` may be a relation to `Shelf`:
    // a name close to none they have may be one added; one close to a field is a typo.
    assert_eq!(
        findings(&run.stdout),
        ["shop/views.py:8:26 ORM602"],
        "{}",
        run.stdout
    );
    let plain = "from django.db import models\n\n\nclass Brand(models.Model):\n    name = models.CharField(max_length=10)\n\n\nclass Shelf(models.Model):\n    name = models.CharField(max_length=10)\n";
    write(dir.path(), &[("shop/models.py", plain)]);
    let run = check(dir.path(), None);
    assert_eq!(
        findings(&run.stdout),
        [
            "shop/views.py:5:26 ORM602",
            "shop/views.py:6:26 ORM602",
            "shop/views.py:7:26 ORM602",
            "shop/views.py:8:26 ORM602"
        ]
    );
}

#[test]
fn the_language_server_reads_the_environment_of_its_workspace() {
    let dir = project();
    // The setting, not `.venv`: the server inherits the test's `$VIRTUAL_ENV`.
    install(dir.path(), "env/lib/python3.12/site-packages", NODES);
    write(
        dir.path(),
        &[("pyproject.toml", "[tool.ormhint]\npython = \"env\"\n")],
    );
    let root = dir.path();
    let mut client = support::Client::in_folder(root);
    let uri = support::uri_of(&root.join("shop/views.py"));
    client.open(&uri, VIEWS, 1);
    let diagnostics =
        client.diagnostics_where(&uri, "the N+1 on the installed base", |d| !d.is_empty());
    assert_eq!(support::codes(&diagnostics), ["ORM101"]);
    assert_eq!(
        diagnostics[0]["range"],
        serde_json::json!({"start": {"line": 5, "character": 14}, "end": {"line": 5, "character": 28}})
    );
    let (code, _) = client.shut_down();
    assert_eq!(code, 0);
}
