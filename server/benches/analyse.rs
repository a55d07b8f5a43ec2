//! Micro-benchmark: parsing and analysing one 3,000-line Django view module.
//!
//!     cargo bench --bench analyse
//!
//! The input is generated here, deterministically: a small models module (foreign keys,
//! nullable ones, a one-to-one, many-to-manys with related_name, a string reference,
//! an abstract base, a custom queryset) and a view module of about 3,000 lines whose
//! functions loop over querysets with and without select_related/prefetch_related,
//! use comprehensions, `count() > 0`, `len()`, helpers and plain Python. The index is
//! built once; then parsing, `check_file` on the parsed file, and both together are timed over
//! `ANALYSE_ITERATIONS` runs (default 200). Prints median, p99, min and mean per
//! operation in milliseconds. Nothing is asserted.

use std::fmt::Write as _;
use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use ormhint::analysis::check_file;
use ormhint::config::Config;
use ormhint::index::{IndexOptions, ModelIndex};
use ormhint::syntax::SourceFile;

const TARGET_LINES: usize = 3_000;
const DEFAULT_ITERATIONS: usize = 200;

/// A small deterministic pseudo-random source (64-bit LCG, high bits).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// What the view generator needs to know about one model.
struct ModelSpec {
    name: &'static str,
    /// Forward single-valued relations: (field, a char field on the target).
    single: &'static [(&'static str, &'static str)],
    /// Many-to-many fields: (field, a char field on the target).
    many: &'static [(&'static str, &'static str)],
    char_field: &'static str,
    int_field: &'static str,
    bool_field: &'static str,
}

const MODELS: &[ModelSpec] = &[
    ModelSpec {
        name: "Category",
        single: &[("parent", "name")],
        many: &[],
        char_field: "name",
        int_field: "position",
        bool_field: "is_active",
    },
    ModelSpec {
        name: "Supplier",
        single: &[("account", "username")],
        many: &[],
        char_field: "name",
        int_field: "rating",
        bool_field: "is_active",
    },
    ModelSpec {
        name: "Product",
        single: &[("category", "name"), ("supplier", "name")],
        many: &[("tags", "label")],
        char_field: "title",
        int_field: "stock",
        bool_field: "published",
    },
    ModelSpec {
        name: "Tag",
        single: &[],
        many: &[],
        char_field: "label",
        int_field: "weight",
        bool_field: "is_active",
    },
    ModelSpec {
        name: "Review",
        single: &[("product", "title"), ("author", "username")],
        many: &[],
        char_field: "headline",
        int_field: "score",
        bool_field: "is_public",
    },
    ModelSpec {
        name: "Order",
        single: &[("customer", "username"), ("coupon", "code")],
        many: &[("products", "title")],
        char_field: "reference",
        int_field: "total",
        bool_field: "paid",
    },
];

const MODELS_PY: &str = r#"from django.conf import settings
from django.db import models


class Stamped(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class ProductQuerySet(models.QuerySet):
    def live(self):
        return self.filter(published=True)

    def with_category(self):
        return self.select_related("category")


class Category(Stamped):
    name = models.CharField(max_length=64)
    position = models.IntegerField(default=0)
    is_active = models.BooleanField(default=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children")


class Supplier(Stamped):
    name = models.CharField(max_length=64)
    rating = models.IntegerField(default=0)
    is_active = models.BooleanField(default=True)
    account = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="supplier")


class Tag(models.Model):
    label = models.CharField(max_length=32)
    weight = models.IntegerField(default=0)
    is_active = models.BooleanField(default=True)


class Product(Stamped):
    title = models.CharField(max_length=128)
    body = models.TextField(blank=True)
    stock = models.IntegerField(default=0)
    published = models.BooleanField(default=False)
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="products")
    supplier = models.ForeignKey(Supplier, null=True, on_delete=models.SET_NULL, related_name="products")
    tags = models.ManyToManyField(Tag, related_name="products", blank=True)

    objects = ProductQuerySet.as_manager()


class Review(Stamped):
    headline = models.CharField(max_length=128)
    text = models.TextField()
    score = models.IntegerField(default=3)
    is_public = models.BooleanField(default=True)
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="reviews")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviews")


class Order(Stamped):
    reference = models.CharField(max_length=32)
    total = models.IntegerField(default=0)
    paid = models.BooleanField(default=False)
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders")
    coupon = models.ForeignKey("billing.Coupon", null=True, blank=True, on_delete=models.SET_NULL, related_name="orders")
    products = models.ManyToManyField(Product, related_name="orders")
"#;

const BILLING_PY: &str = r#"from django.db import models


class Coupon(models.Model):
    code = models.CharField(max_length=16)
    percent = models.IntegerField(default=10)
"#;

/// Appends one function (and sometimes a helper) to `out`.
fn function(rng: &mut Lcg, n: usize, out: &mut String) {
    let m = rng.pick(MODELS);
    let var = m.name.to_ascii_lowercase();
    let (name, cf, inf, bf) = (m.name, m.char_field, m.int_field, m.bool_field);
    let single = (!m.single.is_empty()).then(|| *rng.pick(m.single));
    let many = (!m.many.is_empty()).then(|| *rng.pick(m.many));
    let kind = rng.below(12);
    // Writing to a String cannot fail.
    let _ = match (kind, single, many) {
        (0, Some((rel, attr)), _) => write!(
            out,
            "def list_{var}_{n}(request):\n    rows = []\n    for {var} in {name}.objects.filter({bf}=True):\n        rows.append({{\"id\": {var}.pk, \"{rel}\": {var}.{rel}.{attr}}})\n    return JsonResponse({{\"rows\": rows}})\n"
        ),
        (1, Some((rel, attr)), _) => write!(
            out,
            "def export_{var}_{n}(request):\n    lines = []\n    for {var} in {name}.objects.select_related(\"{rel}\").order_by(\"{cf}\"):\n        label = {var}.{rel}.{attr} if {var}.{rel}_id else \"-\"\n        lines.append(f\"{{{var}.{cf}}}: {{label}}\")\n    return HttpResponse(\"\\n\".join(lines))\n"
        ),
        (2, _, Some((rel, attr))) => write!(
            out,
            "def {var}_overview_{n}(request):\n    data = []\n    for {var} in {name}.objects.all():\n        names = [t.{attr} for t in {var}.{rel}.all()]\n        data.append({{\"pk\": {var}.pk, \"{rel}\": names}})\n    return JsonResponse(data, safe=False)\n"
        ),
        (3, _, Some((rel, attr))) => write!(
            out,
            "def {var}_summary_{n}(request):\n    result = {{}}\n    for {var} in {name}.objects.prefetch_related(\"{rel}\"):\n        result[{var}.pk] = sorted(x.{attr} for x in {var}.{rel}.all())\n    return JsonResponse(result)\n"
        ),
        (4, Some((rel, attr)), _) => write!(
            out,
            "def {var}_choices_{n}():\n    return [(obj.pk, obj.{rel}.{attr}) for obj in {name}.objects.all()]\n"
        ),
        (5, _, _) => write!(
            out,
            "def has_{var}_{n}(user):\n    if {name}.objects.filter({inf}__gte=3).count() > 0:\n        return True\n    return False\n"
        ),
        (6, _, _) => write!(
            out,
            "def {var}_total_{n}():\n    items = {name}.objects.filter({bf}=True)\n    return len(items)\n"
        ),
        (7, Some((rel, _)), _) => write!(
            out,
            "def {var}_owner_key_{n}(pk):\n    obj = get_object_or_404({name}, pk=pk)\n    return obj.{rel}.id\n"
        ),
        (8, Some((rel, attr)), _) => write!(
            out,
            "def _describe_{var}_{n}(obj):\n    return \"%s (%s)\" % (obj.{cf}, obj.{rel}.{attr})\n\n\ndef describe_all_{var}_{n}():\n    out = []\n    for obj in {name}.objects.filter({bf}=True).order_by(\"-pk\"):\n        out.append(_describe_{var}_{n}(obj))\n    return out\n"
        ),
        (9, _, _) => write!(
            out,
            "def {var}_table_{n}():\n    table = []\n    for row in {name}.objects.values(\"{cf}\", \"{inf}\"):\n        table.append((row[\"{cf}\"], row[\"{inf}\"]))\n    return table\n"
        ),
        (10, _, Some((rel, _))) => write!(
            out,
            "def {var}_visible_{n}():\n    objs = {name}.objects.prefetch_related(\"{rel}\")\n    return {{o.pk: [t.pk for t in o.{rel}.filter(pk__gt=0)] for o in objs}}\n"
        ),
        _ => write!(
            out,
            "def normalise_{n}(payload):\n    cleaned = {{}}\n    for key, value in sorted(payload.items()):\n        if isinstance(value, str):\n            value = value.strip()\n        if value in (None, \"\"):\n            continue\n        cleaned[key.lower()] = value\n    return cleaned\n"
        ),
    };
}

/// A view module of at least `lines` lines.
fn views_module(lines: usize) -> String {
    let mut rng = Lcg(0x005e_ed0f_0a11);
    let mut out = String::from(
        "\"\"\"Reports over the shop.\"\"\"\n\nfrom django.http import HttpResponse, JsonResponse\nfrom django.shortcuts import get_object_or_404\n\nfrom shop.models import Category, Order, Product, Review, Supplier, Tag\n\n\n",
    );
    let mut n = 0;
    while out.lines().count() < lines {
        function(&mut rng, n, &mut out);
        out.push_str("\n\n");
        n += 1;
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

fn report(label: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let mean = samples.iter().sum::<Duration>() / samples.len() as u32;
    println!(
        "{label:<28} median {:>8.3} ms   p99 {:>8.3} ms   min {:>8.3} ms   mean {:>8.3} ms   (n={})",
        ms(percentile(&samples, 50.0)),
        ms(percentile(&samples, 99.0)),
        ms(samples[0]),
        ms(mean),
        samples.len()
    );
}

fn time<T>(iterations: usize, mut op: impl FnMut() -> T) -> Vec<Duration> {
    (0..iterations)
        .map(|_| {
            let start = Instant::now();
            black_box(op());
            start.elapsed()
        })
        .collect()
}

fn main() {
    let iterations = std::env::var("ANALYSE_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n: &usize| n > 0)
        .unwrap_or(DEFAULT_ITERATIONS);
    let views = views_module(TARGET_LINES);
    let path = PathBuf::from("reports/views.py");

    let files = vec![
        SourceFile::new(PathBuf::from("shop/__init__.py"), ""),
        SourceFile::new(PathBuf::from("shop/models.py"), MODELS_PY),
        SourceFile::new(PathBuf::from("billing/__init__.py"), ""),
        SourceFile::new(PathBuf::from("billing/models.py"), BILLING_PY),
        SourceFile::new(path.clone(), views.as_str()),
    ];
    let options = IndexOptions::default();
    let index = ModelIndex::build(&files, &options);
    let config = Config::default();
    let file = &files[4];
    let findings = check_file(file, &index, config.rules);

    println!(
        "analyse: {} lines, {} bytes; index: {} models; {} findings; {iterations} iterations",
        views.lines().count(),
        views.len(),
        index.models().len(),
        findings.len()
    );
    // One warm-up round of each so lazily compiled queries are not timed.
    black_box(SourceFile::new(path.clone(), views.as_str()));

    // `ANALYSE_ONLY=edit`: what the language server does per keystroke, with the facts
    // of unchanged definitions cached: one character inserted mid-file, checked again.
    if std::env::var("ANALYSE_ONLY").as_deref() == Ok("edit") {
        let mut cache = ormhint::analysis::flow::FlowCache::default();
        ormhint::analysis::check_file_with(file, &index, config.rules, &mut cache);
        let middle = views.len() / 2;
        let at = views[..middle].rfind('\n').unwrap_or(0) + 1;
        let mut edited = views.clone();
        edited.insert(at, '\n');
        let versions = [
            SourceFile::new(path.clone(), edited.as_str()),
            SourceFile::new(path.clone(), views.as_str()),
        ];
        for version in &versions {
            version.tree();
        }
        let mut flip = 0;
        report(
            "check_file_with (one edit, cached)",
            time(iterations, || {
                flip = 1 - flip;
                ormhint::analysis::check_file_with(
                    &versions[flip],
                    &index,
                    config.rules,
                    &mut cache,
                )
            }),
        );
        return;
    }
    // `ANALYSE_ONLY=check` times the analysis alone (for a profiler).
    if std::env::var("ANALYSE_ONLY").as_deref() == Ok("check") {
        file.tree();
        report(
            "check_file (parsed)",
            time(iterations, || check_file(file, &index, config.rules)),
        );
        return;
    }
    report(
        "index build (models + view)",
        time(iterations.min(50), || ModelIndex::build(&files, &options)),
    );
    report(
        "parse (SourceFile::tree)",
        time(iterations, || {
            let fresh = SourceFile::new(path.clone(), views.as_str());
            fresh.tree().root_node().child_count()
        }),
    );
    // The tree is parsed once: this times the analysis alone.
    file.tree();
    report(
        "check_file (parsed)",
        time(iterations, || check_file(file, &index, config.rules)),
    );
    report(
        "parse + check_file",
        time(iterations, || {
            check_file(&file.detached(), &index, config.rules)
        }),
    );
}
