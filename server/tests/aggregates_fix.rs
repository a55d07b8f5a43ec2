//! `ormhint check --fix` on ORM501 and ORM204 findings, round after round: an import an
//! aggregate's fix adds serves the next fixes of the file, and fixed code reports nothing.

mod support;

use support::cli::{check_findings, ormhint};
use support::write_files as write;

const MODELS: &str = "\
from django.db import models


class Order(models.Model):
    number = models.CharField(max_length=20)
    quantity = models.IntegerField()
    paid = models.BooleanField(default=False)
";

const VIEWS: &str = "\
from .models import Order


def totals():
    sold = sum(o.quantity for o in Order.objects.filter(paid=True))
    largest = max((o.quantity for o in Order.objects.all()), default=None)
    smallest = min((o.quantity for o in Order.objects.all()), default=None)
    return sold, largest, smallest


def numbers():
    orders = Order.objects.order_by(\"id\")
    if orders.exists():
        return [o.number for o in orders]
    return []
";

const FIXED: &str = "\
from .models import Order
from django.db.models import Sum, Max, Min


def totals():
    sold = Order.objects.filter(paid=True).aggregate(Sum(\"quantity\"))[\"quantity__sum\"] or 0
    largest = Order.objects.all().aggregate(Max(\"quantity\"))[\"quantity__max\"]
    smallest = Order.objects.all().aggregate(Min(\"quantity\"))[\"quantity__min\"]
    return sold, largest, smallest


def numbers():
    orders = Order.objects.only(\"number\").order_by(\"id\")
    if orders:
        return [o.number for o in orders]
    return []
";

#[test]
fn each_import_is_added_once_and_the_fixed_file_is_clean() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            ("manage.py", ""),
            ("shop/models.py", MODELS),
            ("shop/views.py", VIEWS),
        ],
    );
    let select = ["--select", "ORM201,ORM204,ORM301,ORM501"];
    assert_eq!(
        check_findings(dir.path(), &select),
        [
            "shop/views.py:5:12 ORM501",
            "shop/views.py:6:15 ORM501",
            "shop/views.py:7:16 ORM501",
            "shop/views.py:13:8 ORM204",
            // `exists()` selects no column of the rows: the loop alone reads them.
            "shop/views.py:14:35 ORM301",
        ]
    );
    let run = ormhint(dir.path(), &[&["check", "--fix"][..], &select[..]].concat());
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let fixed = std::fs::read_to_string(dir.path().join("shop/views.py")).unwrap();
    assert_eq!(fixed, FIXED);
    assert!(check_findings(dir.path(), &select).is_empty());
}
