//! Models the index finds where real code puts them: named by `get_model` calls and
//! getters, declared in module-level `if`/`try` blocks, or on a base class it cannot
//! read. Each fixture holds negatives that must stay unknown.

mod support;

use ormhint::index::{IndexOptions, ModelIndex};
use ormhint::syntax::SourceFile;

fn build(fixture: &str) -> ModelIndex {
    let files: Vec<SourceFile> = support::fixture::split(fixture)
        .into_iter()
        .map(|(path, text)| SourceFile::new(path.into(), text))
        .collect();
    ModelIndex::build(&files, &IndexOptions::default())
}

/// What `name` names in `module`, as `app.Model`, or `-`.
fn named(index: &ModelIndex, module: &str, name: &str) -> String {
    let dotted: Vec<String> = name.split('.').map(str::to_string).collect();
    match index.resolve_model(module, &dotted) {
        Some(id) => {
            let model = index.model(id);
            format!("{}.{}", model.app_label, model.name)
        }
        None => "-".into(),
    }
}

fn labels(index: &ModelIndex) -> Vec<String> {
    let mut labels: Vec<String> = index
        .models()
        .iter()
        .filter(|m| m.path.is_some())
        .map(|m| format!("{}.{}", m.app_label, m.name))
        .collect();
    labels.sort();
    labels
}

const CATALOGUE: &str = r#"
# --- catalogue/models.py
from django.db import models

class Product(models.Model):
    title = models.CharField(max_length=10)

class Category(models.Model):
    name = models.CharField(max_length=10)
"#;

#[test]
fn get_model_with_literal_arguments_names_the_model() {
    let index = build(&format!(
        "{CATALOGUE}{}",
        r#"
# --- shop/models.py
from django.db import models

class AbstractThing(models.Model):
    class Meta:
        abstract = True

# --- shop/loading.py
from django.apps import apps

def get_model(app_label, model_name):
    return apps.get_model(app_label, model_name)

def get_model_moved(app_label, model_name):
    if app_label == "old":
        app_label = "catalogue"
    return apps.get_model(app_label, model_name)

def get_model_either(app_label, model_name):
    if model_name:
        return apps.get_model(app_label, model_name)
    return apps.get_model("catalogue", "Category")

# --- shop/compat.py
from django.apps import apps

get_model = apps.get_model
model_count = len(apps.get_models())

# --- shop/views.py
import django.apps
from django.apps import apps
from shop.compat import get_model as compat_get_model, model_count
from oscar.core.loading import get_model as oscar_get_model
from shop.loading import get_model, get_model_moved, get_model_either

Product = get_model("catalogue", "Product")
Dotted = apps.get_model("catalogue.Product")
Pair = apps.get_model("catalogue", "product", require_ready=False)
Full = django.apps.apps.get_model("catalogue", "Category")
Oscar = oscar_get_model("catalogue", "Category")
Either = get_model_either("catalogue", "Category")
Compat = compat_get_model("catalogue", "Category")

NAME = "Product"
Variable = get_model("catalogue", NAME)
Missing = get_model("catalogue", "Nothing")
Moved = get_model_moved("catalogue", "Product")
Differ = get_model_either("catalogue", "Product")
Unknown = some_module.get_model("catalogue", "Product")
Other = apps.get_model("catalogue", "Product", extra=True)
Three = apps.get_model("catalogue", "Product", "x")
Abstract = apps.get_model("shop", "AbstractThing")
Counted = model_count("catalogue", "Product")

# --- orders/models.py
from django.db import models
from shop.views import Product

class Line(models.Model):
    product = models.ForeignKey(Product, models.CASCADE)
"#
    ));
    let at = |name| named(&index, "shop.views", name);
    assert_eq!(at("Product"), "catalogue.Product");
    assert_eq!(at("Dotted"), "catalogue.Product");
    assert_eq!(at("Pair"), "catalogue.Product");
    assert_eq!(at("Full"), "catalogue.Category");
    assert_eq!(at("Oscar"), "catalogue.Category");
    assert_eq!(at("Either"), "catalogue.Category");
    assert_eq!(at("Compat"), "catalogue.Category");
    // Imported elsewhere, and a relation's target.
    assert_eq!(
        named(&index, "orders.models", "Product"),
        "catalogue.Product"
    );
    let line = index.by_label("orders.Line").unwrap();
    assert_eq!(
        index.model(line).fields[1].relation().unwrap().target.id(),
        index.by_label("catalogue.Product")
    );
    // A name, a missing model, a reassigned parameter, returns that differ, a callee
    // we cannot read, arguments we do not read (a keyword other than `require_ready`, a
    // third positional one), an abstract model (the registry has none): unknown.
    for name in [
        "Variable", "Missing", "Moved", "Differ", "Unknown", "Other", "Three", "Counted",
        "Abstract",
    ] {
        assert_eq!(at(name), "-", "{name}");
    }
}

#[test]
fn swappable_getters_name_the_model_their_setting_names() {
    let index = build(&format!(
        "{CATALOGUE}{}",
        r#"
# --- config/settings.py
PRODUCT_MODEL = "catalogue.Product"
TWICE_MODEL = "catalogue.Product"

# --- config/settings/test.py
import os

TWICE_MODEL = "catalogue.Category"
CATALOGUE_CATEGORY_MODEL = "catalogue.Product"
if os.environ.get("SAMPLE"):
    SOMETIMES_MODEL = "catalogue.Product"
    CATALOGUE_PRODUCT_MODEL = "catalogue.Category"

# --- brands/models.py
from django.db import models

class Brand(models.Model):
    pass

# --- catalogue/getters.py
from django.apps import apps
from django.conf import settings
from catalogue.models import Category

def get_product_model_string():
    return getattr(settings, "PRODUCT_MODEL", "catalogue.Category")

def get_product_model():
    model_string = get_product_model_string()
    try:
        return apps.get_model(model_string, require_ready=False)
    except ValueError:
        raise ImproperlyConfigured("bad")

def get_category_model():
    return Category

def get_default_model():
    return apps.get_model(getattr(settings, "UNSET_MODEL", "catalogue.Category"))

def get_direct_model():
    return apps.get_model(settings.PRODUCT_MODEL)

def get_twice_model():
    return apps.get_model(settings.TWICE_MODEL)

def get_unset_model():
    return apps.get_model(settings.UNSET_MODEL)

def get_any_model(name):
    return apps.get_model("catalogue", name)

def get_local_settings_model(settings):
    return apps.get_model(settings.PRODUCT_MODEL)

def get_sometimes_model():
    return apps.get_model(getattr(settings, "SOMETIMES_MODEL", "catalogue.Category"))

# --- shop/models.py
from catalogue.getters import (
    get_product_model, get_category_model, get_default_model, get_direct_model,
    get_twice_model, get_unset_model, get_any_model, get_local_settings_model,
    get_sometimes_model,
)
from swapper import load_model

# swapper: the setting `CATALOGUE_<MODEL>_MODEL` when set, else the label itself.
Swapped = load_model("catalogue", "Category")
NotSwapped = load_model("brands", "Brand")
SwappedSometimes = load_model("catalogue", "Product")
Sometimes = get_sometimes_model()

Product = get_product_model()
Category = get_category_model()
Default = get_default_model()
Direct = get_direct_model()
Twice = get_twice_model()
Unset = get_unset_model()
AnyModel = get_any_model()
LocalSettings = get_local_settings_model(None)
"#
    ));
    let at = |name| named(&index, "shop.models", name);
    assert_eq!(at("Product"), "catalogue.Product");
    assert_eq!(at("Category"), "catalogue.Category");
    assert_eq!(at("Default"), "catalogue.Category");
    assert_eq!(at("Direct"), "catalogue.Product");
    assert_eq!(at("Swapped"), "catalogue.Product");
    assert_eq!(at("NotSwapped"), "brands.Brand");
    // Settings modules that disagree, a setting never set, a missing argument, a
    // parameter named `settings`, a setting only some runs set: unknown.
    for name in [
        "Twice",
        "Unset",
        "AnyModel",
        "LocalSettings",
        "Sometimes",
        "SwappedSometimes",
    ] {
        assert_eq!(at(name), "-", "{name}");
    }
}

#[test]
fn models_in_module_level_blocks_are_indexed() {
    let index = build(
        r#"
# --- catalogue/abstract_models.py
from django.db import models

class AbstractProduct(models.Model):
    title = models.CharField(max_length=10)

    class Meta:
        abstract = True

# --- catalogue/models.py
from catalogue.abstract_models import *
from oscar.core.loading import is_model_registered

if not is_model_registered("catalogue", "Product"):
    class Product(AbstractProduct):
        pass

try:
    from fancy import Fancy
except ImportError:
    class Fancy(AbstractProduct):
        pass

if USE_A:
    class Twice(AbstractProduct):
        pass
else:
    class Twice(AbstractProduct):
        pass

try:
    import something
except ImportError:
    something = None
else:
    class Decorated(AbstractProduct):
        pass
finally:
    Alias = apps.get_model("catalogue", "Product")

from django.apps import apps
"#,
    );
    assert_eq!(
        labels(&index),
        [
            "catalogue.AbstractProduct",
            "catalogue.Decorated",
            "catalogue.Product"
        ]
    );
    assert_eq!(
        named(&index, "catalogue.models", "Alias"),
        "catalogue.Product"
    );
    // Bound by an import too, or defined twice: unknown, not the import's.
    assert_eq!(named(&index, "catalogue.models", "Fancy"), "-");
    assert_eq!(named(&index, "catalogue.models", "Twice"), "-");
}

#[test]
fn classes_on_bases_we_cannot_read_are_models_when_they_say_so() {
    let index = build(
        r#"
# --- catalogue/models.py
import six
from django import forms
from django.db import models
from rest_framework import serializers
from treebeard.mp_tree import MP_Node

class Category(MP_Node):
    name = models.CharField(max_length=10)

class Meta_(six.with_metaclass(Meta, Base)):
    class Meta:
        db_table = "meta"

class Target(MP_Node):
    pass

class Chained(MP_Node):
    pass

class Product(models.Model):
    category = models.ForeignKey(Category, models.CASCADE, related_name="products")
    target = models.ForeignKey("Target", models.CASCADE)
    other = models.ForeignKey("elsewhere.Unrelated", models.CASCADE)

class Target2(MP_Node):
    chained = models.ForeignKey(Chained, models.CASCADE)

class Shop(models.Model):
    place = models.OneToOneField("Target2", models.CASCADE)
    members = models.ManyToManyField(Product, through="Membership")

class Membership(MP_Node):
    pass

# Not models: no Django model field, no model Meta, no relation points at them.
class Unrelated(MP_Node):
    pass

class Form(forms.Form):
    name = forms.CharField()

class ModelForm(forms.ModelForm):
    class Meta:
        model = Product
        fields = ["category"]
        verbose_name = "x"

class Serializer(serializers.Serializer):
    name = serializers.CharField()

class Plain:
    name = models.CharField(max_length=10)
"#,
    );
    assert_eq!(
        labels(&index),
        [
            "catalogue.Category",
            "catalogue.Chained",
            "catalogue.Membership",
            "catalogue.Meta_",
            "catalogue.Product",
            "catalogue.Shop",
            "catalogue.Target",
            "catalogue.Target2",
        ]
    );
    let category = index.model(index.by_label("catalogue.Category").unwrap());
    assert!(category.has_unknown_bases);
    assert_eq!(category.reverse[0].accessor.as_deref(), Some("products"));
    // What the unknown base declares is unknown: its default manager too.
    assert!(index.manager(category.id, "objects").unwrap().opaque);
    let product = index.by_label("catalogue.Product").unwrap();
    assert!(!index.manager(product, "objects").unwrap().opaque);
}

#[test]
fn names_set_differently_in_module_level_branches_are_unknown() {
    let index = build(&format!(
        "{CATALOGUE}{}",
        r#"
# --- accounts/models.py
from django.db import models

class Member(models.Model):
    pass

# --- config/settings.py
import os

if os.environ.get("EMAIL_USER"):
    AUTH_USER_MODEL = "accounts.Member"
else:
    AUTH_USER_MODEL = "auth.User"

try:
    PRODUCT_MODEL = "catalogue.Product"
except ImportError:
    PRODUCT_MODEL = "catalogue.Product"

# --- shop/models.py
import os
from django.apps import apps

if os.environ.get("A"):
    Either = apps.get_model("catalogue", "Product")
else:
    Either = apps.get_model("catalogue", "Category")

try:
    Same = apps.get_model("catalogue", "Product")
except LookupError:
    Same = apps.get_model("catalogue", "Product")

try:
    from catalogue.models import Category as Imported
except ImportError:
    Imported = apps.get_model("catalogue", "Category")
Later = apps.get_model("catalogue", "Product")
if os.environ.get("B"):
    Later = None
"#
    ));
    assert_eq!(index.auth_user_model(), None);
    assert!(index.by_label("auth.User").is_some());
    assert!(index.by_label("accounts.Member").is_some());
    let at = |name| named(&index, "shop.models", name);
    assert_eq!(at("Same"), "catalogue.Product");
    // Imported too: which binding holds depends on the run.
    for name in ["Either", "Imported", "Later"] {
        assert_eq!(at(name), "-", "{name}");
    }
}

/// `ormhint models` on the shapes above: a model on a base we cannot read, one declared
/// in a block, an abstract model with what its concrete child has.
#[test]
fn render_wider_models() {
    let index = build(
        r#"
# --- shop/abstract_models.py
from django.db import models
from treebeard.mp_tree import MP_Node

class AbstractOrder(models.Model):
    class Meta:
        abstract = True

class Category(MP_Node):
    name = models.CharField(max_length=10)

# --- shop/models.py
from django.db import models
from shop.abstract_models import AbstractOrder, Category

if not is_model_registered("shop", "Order"):
    class Order(AbstractOrder):
        category = models.ForeignKey(Category, models.CASCADE)

class Line(models.Model):
    order = models.ForeignKey(Order, models.CASCADE, related_name="lines")
"#,
    );
    let rendered: String = index
        .render()
        .split("\n\n")
        .filter(|block| block.starts_with("shop."))
        .collect::<Vec<_>>()
        .join("\n\n");
    insta::assert_snapshot!(rendered);
}
