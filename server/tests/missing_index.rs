//! ORM701 over a workspace: the places each column is looked up in, counted over every
//! file, against the indexes the models declare; opt-in; its unsafe fix, the cache and
//! the language server.

mod support;

use serde_json::json;
use support::cli::{check_findings, check_json, ormhint};
use support::{Client, uri_of, write_files as write};

const MODELS: &str = r#"from django.db import models


class Customer(models.Model):
    email = models.EmailField(unique=True)
    name = models.CharField(max_length=100)


class Stamped(models.Model):
    stamp = models.CharField(max_length=10)

    class Meta:
        abstract = True


class Order(Stamped):
    reference = models.CharField(max_length=20)
    placed = models.DateTimeField(
        auto_now_add=True,
    )
    status = models.CharField(max_length=10, choices=[("new", "New")])
    note = models.TextField()
    code = models.CharField(max_length=10, db_index=True)
    slug = models.SlugField()
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE)
    total = models.IntegerField()
    batch = models.CharField(max_length=10)
    tracking = models.CharField(max_length=10)
    shelf = models.CharField(max_length=10)
    tag = models.CharField(max_length=10)
    sku = models.CharField(max_length=10)  # noqa: ORM701
    week = models.IntegerField(db_index=WEEKLY)

    class Meta:
        indexes = [models.Index(fields=["batch"], name="batch_idx")]


class Legacy(models.Model):
    code = models.CharField(max_length=10)

    class Meta:
        managed = False
"#;

const VIEWS: &str = r#"from .models import Customer, Legacy, Order


def by_reference(request, ref):
    return Order.objects.get(reference=ref)


def recent(since, until):
    return Order.objects.filter(placed__gte=since, placed__lt=until)


def lookups(q, customer):
    Order.objects.filter(status=q)
    Order.objects.filter(note=q)
    Order.objects.filter(code=q)
    Order.objects.filter(slug=q)
    Order.objects.filter(batch=q)
    Order.objects.filter(week=q)
    Order.objects.filter(stamp=q)
    Order.objects.filter(sku=q)
    Customer.objects.filter(email=q)
    Legacy.objects.filter(code=q)
    Order.objects.filter(total=q)
    Order.objects.filter(tracking__icontains=q)
    Order.objects.filter(customer=customer, shelf=q)
"#;

const API: &str = r#"from .models import Customer, Legacy, Order


def references(refs):
    return list(Order.objects.filter(reference__in=refs).exclude(placed=None))


def lookups(q, customer):
    Order.objects.exclude(status=q)
    Order.objects.exclude(note=q)
    Order.objects.exclude(code=q)
    Order.objects.exclude(slug=q)
    Order.objects.exclude(batch=q)
    Order.objects.exclude(week=q)
    Order.objects.exclude(stamp=q)
    Order.objects.exclude(sku=q)
    Customer.objects.exclude(email=q)
    Legacy.objects.exclude(code=q)
    Order.objects.filter(total=q)
    Order.objects.filter(tracking__iexact=q)
    customer.order_set.filter(shelf=q)
"#;

const TASKS: &str = r#"from .models import Customer, Legacy, Order


def nightly():
    for order in Order.objects.order_by("-reference", "placed"):
        print(order)


def lookups(q, customer):
    Order.objects.filter(status=q)
    Order.objects.filter(note=q)
    Order.objects.filter(code=q)
    Order.objects.filter(slug=q)
    Order.objects.filter(batch=q)
    Order.objects.filter(week=q)
    Order.objects.filter(stamp=q)
    Order.objects.filter(sku=q)
    Customer.objects.filter(email=q)
    Legacy.objects.filter(code=q)
    Order.objects.filter(tracking__year=q)
    Order.objects.filter(customer_id=customer.pk).filter(shelf=q)
"#;

/// Tests query what they check: their lookups do not count.
const TESTS: &str = r#"from shop.models import Order


def test_tags():
    Order.objects.get(tag="a")
    Order.objects.filter(tag="b")
    Order.objects.order_by("tag")
"#;

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            ("shop/__init__.py", ""),
            ("shop/models.py", MODELS),
            ("shop/views.py", VIEWS),
            ("shop/api.py", API),
            ("shop/tasks.py", TASKS),
            ("shop/tests/__init__.py", ""),
            ("shop/tests/test_orders.py", TESTS),
        ],
    );
    dir
}

/// Path, row, column and message of a finding or of a place related to it.
type Place = (String, u64, u64, String);

fn place(value: &serde_json::Value) -> Place {
    (
        value["path"].as_str().unwrap().to_string(),
        value["location"]["row"].as_u64().unwrap(),
        value["location"]["column"].as_u64().unwrap(),
        value["message"].as_str().unwrap().to_string(),
    )
}

#[test]
fn columns_looked_up_in_three_places_without_an_index_are_reported_on_their_field() {
    let dir = project();
    let found = check_json(dir.path(), &["--select", "ORM701", "--no-cache"]);
    let summary: Vec<Place> = found.iter().map(place).collect();
    // Not reported (each checked to be reported once its reason is removed): `status`
    // takes choices, `note` is a TextField, `code` has db_index, `slug` is a SlugField,
    // `customer` a foreign key, `total` is looked up in two places, `batch` is in
    // Meta.indexes, `week`'s db_index cannot be read, `tracking` only with transforms,
    // `stamp` is inherited, `shelf` always with its parent picked, `tag` in tests only,
    // `sku` has noqa, `email` is unique, `Legacy` is unmanaged.
    assert_eq!(
        summary,
        [
            (
                "shop/models.py".to_string(),
                17,
                5,
                "`Order.reference` is looked up in 3 places (`filter()` ×1, `get()` ×1, `order_by()` ×1) but no index serves it: add `db_index=True` (a migration follows)".to_string()
            ),
            (
                "shop/models.py".to_string(),
                18,
                5,
                "`Order.placed` is looked up in 3 places (`exclude()` ×1, `filter()` ×1, `order_by()` ×1) but no index serves it: add `db_index=True` (a migration follows)".to_string()
            ),
        ]
    );
    assert_eq!(found[0]["code"], "ORM701");
    assert_eq!(found[0]["severity"], "info");
    let related: Vec<Place> = found[0]["related"]
        .as_array()
        .unwrap()
        .iter()
        .map(place)
        .collect();
    assert_eq!(
        related,
        [
            (
                "shop/api.py".to_string(),
                5,
                38,
                "`reference__in` in `filter()`".to_string()
            ),
            (
                "shop/tasks.py".to_string(),
                5,
                41,
                "`reference` in `order_by()`".to_string()
            ),
            (
                "shop/views.py".to_string(),
                5,
                30,
                "`reference` in `get()`".to_string()
            ),
        ]
    );
}

#[test]
fn the_rule_is_off_unless_selected() {
    let dir = project();
    assert_eq!(
        check_findings(dir.path(), &["--no-cache"]),
        Vec::<String>::new()
    );
    assert_eq!(
        check_findings(dir.path(), &["--select", "ORM7", "--no-cache"]).len(),
        2
    );
    assert_eq!(
        check_findings(dir.path(), &["--select", "ALL", "--no-cache"]),
        ["shop/models.py:17:5 ORM701", "shop/models.py:18:5 ORM701"]
    );
}

#[test]
fn the_unsafe_fix_adds_db_index_once() {
    let dir = project();
    let safe = ormhint(
        dir.path(),
        &["check", "--select", "ORM701", "--no-cache", "--fix"],
    );
    assert_eq!(safe.code, 1, "{}", safe.stderr);
    let models = std::fs::read_to_string(dir.path().join("shop/models.py")).unwrap();
    assert_eq!(models, MODELS, "the fix is unsafe: --fix alone leaves it");
    let run = ormhint(
        dir.path(),
        &[
            "check",
            "--select",
            "ORM701",
            "--no-cache",
            "--fix",
            "--unsafe-fixes",
        ],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let fixed = std::fs::read_to_string(dir.path().join("shop/models.py")).unwrap();
    let expected = MODELS
        .replace(
            "reference = models.CharField(max_length=20)",
            "reference = models.CharField(max_length=20, db_index=True)",
        )
        .replace(
            "        auto_now_add=True,\n    )",
            "        auto_now_add=True,\n        db_index=True,\n    )",
        );
    assert_ne!(expected, MODELS);
    assert_eq!(fixed, expected);
    assert_eq!(
        check_findings(dir.path(), &["--select", "ORM701", "--no-cache"]),
        Vec::<String>::new()
    );
}

#[test]
fn a_cached_run_counts_the_uses_of_unchanged_files() {
    let dir = project();
    let first = check_findings(dir.path(), &["--select", "ORM701"]);
    assert_eq!(
        first,
        ["shop/models.py:17:5 ORM701", "shop/models.py:18:5 ORM701"]
    );
    assert_eq!(check_findings(dir.path(), &["--select", "ORM701"]), first);
    // One place fewer for `reference`: two remain, in files read from the cache.
    write(
        dir.path(),
        &[("shop/tasks.py", &TASKS.replace("\"-reference\", ", ""))],
    );
    assert_eq!(
        check_findings(dir.path(), &["--select", "ORM701"]),
        ["shop/models.py:18:5 ORM701"]
    );
    // Checking one file counts the places in all of them.
    assert_eq!(
        check_findings(dir.path(), &["--select", "ORM701", "shop/models.py"]),
        ["shop/models.py:18:5 ORM701"]
    );
}

#[test]
fn the_language_server_reports_it_once_every_file_is_read_and_follows_edits() {
    let dir = project();
    write(
        dir.path(),
        &[("pyproject.toml", "[tool.ormhint]\nselect = [\"ORM701\"]\n")],
    );
    let mut client = Client::in_folder(dir.path());
    let models = uri_of(&dir.path().join("shop/models.py"));
    client.open(&models, MODELS, 1);
    let found = client.diagnostics_where(&models, "two ORM701", |d| d.len() == 2);
    let lines: Vec<(u64, String)> = found
        .iter()
        .map(|d| {
            (
                d["range"]["start"]["line"].as_u64().unwrap(),
                d["code"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        [(16, "ORM701".to_string()), (17, "ORM701".to_string())]
    );
    assert_eq!(
        found[0]["relatedInformation"].as_array().unwrap().len(),
        3,
        "{}",
        found[0]
    );
    // An edit in another open file that drops a place updates the models file.
    let tasks = uri_of(&dir.path().join("shop/tasks.py"));
    client.open(&tasks, TASKS, 1);
    client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": tasks, "version": 2},
            "contentChanges": [{"text": TASKS.replace("\"-reference\", ", "")}],
        }),
    );
    let found = client.diagnostics_where(&models, "one ORM701", |d| d.len() == 1);
    assert_eq!(found[0]["range"]["start"]["line"], 17);
    // So does a file changed on disk.
    write(
        dir.path(),
        &[("shop/api.py", &API.replace(".exclude(placed=None)", ""))],
    );
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri_of(&dir.path().join("shop/api.py")), "type": 2}]}),
    );
    client.diagnostics_where(&models, "no ORM701", |d| d.is_empty());
    client.shut_down();
}
