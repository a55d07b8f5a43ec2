#!/usr/bin/env python3
"""Deterministic generator of a large synthetic Django workspace for benchmarks.

    python3 benches/generate.py [OUT_DIR] [--seed N] [--apps N] [--utils N]

OUT_DIR defaults to target/bench-workspace. The same seed and options always give
byte-identical output. The workspace has ~40 apps, each with models (plain fields,
foreign keys, nullable ones, one-to-ones, many-to-manys with related_name, string
references across apps, an abstract base, custom managers and querysets), ORM-heavy
modules (views, services, serializers, admin, tasks, forms) and many plain-Python
utility modules, plus one 3,000-line view module (`reports/big_views.py`).

Nothing here is timed; `benches/run.sh` runs the tools on the output.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys

APP_WORDS = [
    "accounts", "billing", "blog", "catalog", "cms", "comments", "crm", "events",
    "feeds", "forums", "gallery", "helpdesk", "inventory", "invoices", "jobs",
    "kb", "ledger", "library", "logistics", "mailing", "media", "messaging",
    "news", "notifications", "orders", "payments", "polls", "projects",
    "ratings", "recipes", "reviews", "schedules", "search", "shipping", "shop",
    "surveys", "tags", "teams", "tickets", "wiki", "wallets", "warehouse",
]

NOUNS = [
    "Article", "Author", "Badge", "Batch", "Booking", "Campaign", "Category",
    "Channel", "Comment", "Company", "Contract", "Coupon", "Customer", "Device",
    "Document", "Entry", "Folder", "Group", "Invoice", "Issue", "Item", "Label",
    "Lead", "Line", "Listing", "Location", "Member", "Milestone", "Note", "Offer",
    "Order", "Page", "Payment", "Plan", "Post", "Product", "Profile", "Project",
    "Question", "Receipt", "Record", "Region", "Report", "Reservation", "Room",
    "Section", "Session", "Shipment", "Slot", "Source", "Stage", "Subscription",
    "Supplier", "Task", "Team", "Thread", "Ticket", "Topic", "Venue", "Vote",
]

CHAR_FIELDS = ["name", "title", "slug", "code", "label", "status", "kind", "reference", "email", "city"]
TEXT_FIELDS = ["body", "description", "notes", "summary", "content"]
INT_FIELDS = ["position", "quantity", "score", "rank", "priority", "views", "amount"]
BOOL_FIELDS = ["is_active", "is_public", "archived", "published"]
FILTERS = [
    'is_active=True', 'published=True', 'archived=False', 'score__gte=3',
    'priority__lt=5', 'status="open"', 'created_at__year=2024', 'rank__gt=0',
]

WORDS = (
    "alpha beta gamma delta epsilon zeta theta kappa lambda sigma omega river "
    "stone cloud forest harbor meadow signal vector matrix buffer packet cursor "
    "window border margin anchor ledger record bucket shard token parser lexer"
).split()


def snake(name: str) -> str:
    out = []
    for i, ch in enumerate(name):
        if ch.isupper() and i:
            out.append("_")
        out.append(ch.lower())
    return "".join(out)


def plural(word: str) -> str:
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        return word[:-1] + "ies"
    if word.endswith(("s", "x", "ch", "sh")):
        return word + "es"
    return word + "s"


class Field:
    def __init__(self, name, kind, target=None, null=False, related_name=None):
        self.name = name
        self.kind = kind  # char|text|int|bool|dt|fk|o2o|m2m
        self.target = target  # (app, Model) for relations
        self.null = null
        self.related_name = related_name


class Model:
    def __init__(self, app, name):
        self.app = app
        self.name = name
        self.fields: list[Field] = []
        self.reverse: list[tuple[str, "Model", str]] = []  # (accessor, source model, kind)

    @property
    def label(self):
        return f"{self.app}.{self.name}"

    def scalars(self, kinds=("char", "text", "int", "bool")):
        return [f for f in self.fields if f.kind in kinds]

    def single(self):
        return [f for f in self.fields if f.kind in ("fk", "o2o")]

    def many(self):
        return [f for f in self.fields if f.kind == "m2m"]


class Workspace:
    def __init__(self, rng: random.Random, n_apps: int):
        self.rng = rng
        self.apps = APP_WORDS[:n_apps]
        self.models: dict[str, list[Model]] = {}
        for app in self.apps:
            names = rng.sample(NOUNS, rng.randint(5, 8))
            self.models[app] = [Model(app, n) for n in names]
        for ai, app in enumerate(self.apps):
            for mi, model in enumerate(self.models[app]):
                self._fields(ai, mi, model)

    def _fields(self, ai, mi, model: Model):
        rng = self.rng
        used = set()

        def fresh(base):
            name = base
            n = 2
            while name in used:
                name = f"{base}_{n}"
                n += 1
            used.add(name)
            return name

        for base in rng.sample(CHAR_FIELDS, 3):
            model.fields.append(Field(fresh(base), "char"))
        model.fields.append(Field(fresh(rng.choice(TEXT_FIELDS)), "text"))
        for base in rng.sample(INT_FIELDS, 2):
            model.fields.append(Field(fresh(base), "int"))
        model.fields.append(Field(fresh(rng.choice(BOOL_FIELDS)), "bool"))
        siblings = self.models[model.app]
        # Same-app foreign keys to earlier models (class references).
        for target in siblings[:mi][-2:]:
            nullable = rng.random() < 0.35
            self._relate(model, "fk", target, fresh(snake(target.name)), nullable)
        # Cross-app string references.
        if ai > 0:
            for _ in range(rng.randint(1, 2)):
                other_app = self.apps[rng.randrange(ai)]
                target = rng.choice(self.models[other_app])
                self._relate(model, "fk", target, fresh(snake(target.name)), rng.random() < 0.5)
        if mi == 0 and ai > 0:
            target = self.models[self.apps[rng.randrange(ai)]][0]
            self._relate(model, "o2o", target, fresh("origin"), False)
        if rng.random() < 0.6:
            pool = [m for m in siblings if m is not model]
            target = rng.choice(pool)
            self._relate(model, "m2m", target, fresh(plural(snake(target.name))), False)

    def _relate(self, model, kind, target, name, null):
        related = f"{snake(model.name)}_{name}_set".replace("__", "_")
        if kind == "o2o":
            related = f"{snake(model.name)}_{name}"
        field = Field(name, kind, (target.app, target.name), null, related)
        model.fields.append(field)
        target.reverse.append((related, model, kind))

    def model(self, ref):
        app, name = ref
        return next(m for m in self.models[app] if m.name == name)


# --------------------------------------------------------------------------- models


def render_models(ws: Workspace, app: str) -> str:
    rng = ws.rng
    models = ws.models[app]
    base = f"{app.capitalize()}Base"
    out = [
        '"""Models of the %s app."""' % app,
        "",
        "from django.conf import settings",
        "from django.db import models",
        "from django.urls import reverse",
        "from django.utils import timezone",
        "",
        "",
        f"class {base}(models.Model):",
        '    """Timestamps shared by every model of the app."""',
        "",
        "    created_at = models.DateTimeField(default=timezone.now)",
        "    updated_at = models.DateTimeField(auto_now=True)",
        "    created_by = models.ForeignKey(",
        "        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,",
        f'        related_name="+",',
        "    )",
        "",
        "    class Meta:",
        "        abstract = True",
        "",
        "    def touch(self):",
        "        self.updated_at = timezone.now()",
        '        self.save(update_fields=["updated_at"])',
        "",
        "",
    ]
    for model in models:
        single = model.single()
        qs = f"{model.name}QuerySet"
        out += [f"class {qs}(models.QuerySet):"]
        for b in model.scalars(("bool",)):
            out += [f"    def active(self):", f"        return self.filter({b.name}=True)", ""]
        ints = model.scalars(("int",))
        out += [
            "    def top(self, limit=10):",
            f'        return self.order_by("-{ints[0].name}")[:limit]',
            "",
        ]
        for f in single[:2]:
            out += [
                f"    def with_{f.name}(self):",
                f'        return self.select_related("{f.name}")',
                "",
            ]
        for f in model.many()[:1]:
            out += [
                f"    def with_{f.name}(self):",
                f'        return self.prefetch_related("{f.name}")',
                "",
            ]
        out += [""]
        mgr = f"{model.name}Manager"
        style = rng.randrange(3)
        if single and style == 0:
            out += [
                f"class {mgr}(models.Manager.from_queryset({qs})):",
                "    def get_queryset(self):",
                f'        return super().get_queryset().select_related("{single[0].name}")',
                "",
                "",
            ]
            manager = f"{mgr}()"
        elif style == 1:
            out += [
                f"class {mgr}(models.Manager):",
                "    def get_queryset(self):",
                f"        return {qs}(self.model, using=self._db)",
                "",
                "    def recent(self):",
                '        return self.get_queryset().order_by("-created_at")',
                "",
                "",
            ]
            manager = f"{mgr}()"
        else:
            manager = f"{qs}.as_manager()"
        out += [f"class {model.name}({base}):"]
        for f in model.fields:
            out += ["    " + render_field(ws, model, f)]
        out += [
            "",
            f"    objects = {manager}",
        ]
        if rng.random() < 0.25:
            out += ["    all_objects = models.Manager()"]
        out += [
            "",
            "    class Meta:",
            '        ordering = ["-created_at"]',
            f'        verbose_name = "{snake(model.name).replace("_", " ")}"',
            "",
            "    def __str__(self):",
            f"        return str(self.{model.fields[0].name})",
            "",
            "    def get_absolute_url(self):",
            f'        return reverse("{app}:{snake(model.name)}-detail", kwargs={{"pk": self.pk}})',
            "",
        ]
        if single:
            f = single[0]
            out += [
                "    @property",
                f"    def {f.name}_label(self):",
                f"        return str(self.{f.name}) if self.{f.name}_id else \"\"",
                "",
            ]
        out += [""]
    return "\n".join(out).rstrip() + "\n"


def render_field(ws, model, f: Field) -> str:
    if f.kind == "char":
        extra = ", unique=True" if f.name == "slug" else ""
        return f"{f.name} = models.CharField(max_length={ws.rng.choice([32, 64, 128, 255])}{extra})"
    if f.kind == "text":
        return f"{f.name} = models.TextField(blank=True)"
    if f.kind == "int":
        return f"{f.name} = models.IntegerField(default=0)"
    if f.kind == "bool":
        return f"{f.name} = models.BooleanField(default=False)"
    app, name = f.target
    if app != model.app:
        ref = f'"{app}.{name}"'
    else:
        order = [m.name for m in ws.models[app]]
        # A model defined further down is named by a string, as Django requires.
        ref = name if order.index(name) < order.index(model.name) else f'"{name}"'
    if f.kind == "fk":
        null = ", null=True, blank=True" if f.null else ""
        on_delete = "models.SET_NULL" if f.null else "models.CASCADE"
        return (
            f"{f.name} = models.ForeignKey({ref}, on_delete={on_delete}{null}, "
            f'related_name="{f.related_name}")'
        )
    if f.kind == "o2o":
        return (
            f"{f.name} = models.OneToOneField({ref}, on_delete=models.CASCADE, "
            f'related_name="{f.related_name}")'
        )
    return f'{f.name} = models.ManyToManyField({ref}, related_name="{f.related_name}", blank=True)'


# --------------------------------------------------------------------------- ORM code


class FunctionMaker:
    """Realistic ORM-using functions over one app's models (and imported ones)."""

    def __init__(self, ws: Workspace, app: str, rng: random.Random, alias: str | None = None):
        self.ws = ws
        self.app = app
        self.rng = rng
        self.counter = 0
        # Module alias the models are reached through (`shop_models.Product`), if any.
        self.alias = alias

    def ref(self, m: Model) -> str:
        return f"{self.alias}.{m.name}" if self.alias else m.name

    def name(self, stem):
        self.counter += 1
        return f"{stem}_{self.counter}"

    def pick(self, need=None):
        models = self.ws.models[self.app]
        if need == "single":
            models = [m for m in models if m.single()] or models
        elif need == "many":
            models = [m for m in models if m.many()] or models
        return self.rng.choice(models)

    def related_scalar(self, ref):
        target = self.ws.model(ref)
        return self.rng.choice(target.scalars(("char", "int")))

    def function(self) -> list[str]:
        kinds = [
            self.loop_single, self.loop_single_ok, self.loop_many, self.loop_many_ok,
            self.comprehension, self.count_exists, self.len_qs, self.id_via_object,
            self.helper_loop, self.values_loop, self.manager_method, self.get_detail,
            self.aggregate_plain, self.bypass_prefetch, self.nested_rel, self.plain_calc,
        ]
        return self.rng.choice(kinds)()

    def _filter(self, m):
        bools = m.scalars(("bool",))
        if bools and self.rng.random() < 0.6:
            return f"{bools[0].name}=True"
        ints = m.scalars(("int",))
        return f"{ints[0].name}__gte={self.rng.randint(0, 9)}"

    def loop_single(self):
        m = self.pick("single")
        rel = self.rng.choice(m.single() or m.fields[:1])
        fn = self.name(f"list_{snake(m.name)}")
        var = snake(m.name)
        attr = self.related_scalar(rel.target).name if rel.target else "pk"
        return [
            f"def {fn}(request):",
            f"    {var}s = {self.ref(m)}.objects.filter({self._filter(m)})",
            "    rows = []",
            f"    for {var} in {var}s:",
            f"        rows.append({{\"id\": {var}.pk, \"{rel.name}\": {var}.{rel.name}.{attr}}})",
            "    return JsonResponse({\"rows\": rows})",
        ]

    def loop_single_ok(self):
        m = self.pick("single")
        rel = self.rng.choice(m.single() or m.fields[:1])
        fn = self.name(f"export_{snake(m.name)}")
        var = snake(m.name)
        attr = self.related_scalar(rel.target).name if rel.target else "pk"
        first = m.fields[0].name
        return [
            f"def {fn}(request):",
            f'    queryset = {self.ref(m)}.objects.select_related("{rel.name}").order_by("{first}")',
            "    lines = []",
            f"    for {var} in queryset:",
            f"        label = {var}.{rel.name}.{attr} if {var}.{rel.name}_id else \"-\"",
            f'        lines.append(f"{{{var}.{first}}}: {{label}}")',
            '    return HttpResponse("\\n".join(lines), content_type="text/plain")',
        ]

    def loop_many(self):
        m = self.pick("many")
        if not m.many():
            return self.loop_single()
        rel = m.many()[0]
        target = self.ws.model(rel.target)
        fn = self.name(f"{snake(m.name)}_overview")
        var = snake(m.name)
        return [
            f"def {fn}(request):",
            "    data = []",
            f"    for {var} in {self.ref(m)}.objects.all():",
            f"        names = [t.{target.fields[0].name} for t in {var}.{rel.name}.all()]",
            f"        data.append({{\"pk\": {var}.pk, \"{rel.name}\": names}})",
            "    return JsonResponse(data, safe=False)",
        ]

    def loop_many_ok(self):
        m = self.pick("many")
        if not m.many():
            return self.loop_single_ok()
        rel = m.many()[0]
        target = self.ws.model(rel.target)
        fn = self.name(f"{snake(m.name)}_summary")
        var = snake(m.name)
        return [
            f"def {fn}(request):",
            f'    {var}s = {self.ref(m)}.objects.prefetch_related("{rel.name}")',
            "    result = {}",
            f"    for {var} in {var}s:",
            f"        result[{var}.pk] = sorted(x.{target.fields[0].name} for x in {var}.{rel.name}.all())",
            "    return JsonResponse(result)",
        ]

    def comprehension(self):
        m = self.pick("single")
        rel = self.rng.choice(m.single() or m.fields[:1])
        attr = self.related_scalar(rel.target).name if rel.target else "pk"
        fn = self.name(f"{snake(m.name)}_choices")
        sr = self.rng.random() < 0.5
        qs = f'{self.ref(m)}.objects.select_related("{rel.name}")' if sr else f"{self.ref(m)}.objects.all()"
        return [
            f"def {fn}():",
            f"    return [(obj.pk, obj.{rel.name}.{attr}) for obj in {qs}]",
        ]

    def count_exists(self):
        m = self.pick()
        fn = self.name(f"has_{snake(m.name)}")
        return [
            f"def {fn}(user):",
            f"    if {self.ref(m)}.objects.filter({self._filter(m)}).count() > 0:",
            "        return True",
            "    return False",
        ]

    def len_qs(self):
        m = self.pick()
        fn = self.name(f"{snake(m.name)}_total")
        return [
            f"def {fn}():",
            f"    items = {self.ref(m)}.objects.filter({self._filter(m)})",
            "    return len(items)",
        ]

    def id_via_object(self):
        m = self.pick("single")
        rel = self.rng.choice(m.single() or m.fields[:1])
        fn = self.name(f"{snake(m.name)}_owner_key")
        return [
            f"def {fn}(pk):",
            f"    obj = get_object_or_404({self.ref(m)}, pk=pk)",
            f"    return obj.{rel.name}.id",
        ]

    def helper_loop(self):
        m = self.pick("single")
        rel = self.rng.choice(m.single() or m.fields[:1])
        attr = self.related_scalar(rel.target).name if rel.target else "pk"
        helper = self.name(f"_describe_{snake(m.name)}")
        fn = self.name(f"describe_all_{snake(m.name)}")
        return [
            f"def {helper}(obj):",
            f'    return "%s (%s)" % (obj.{m.fields[0].name}, obj.{rel.name}.{attr})',
            "",
            "",
            f"def {fn}():",
            "    out = []",
            f"    for obj in {self.ref(m)}.objects.filter({self._filter(m)}).order_by(\"-pk\"):",
            f"        out.append({helper}(obj))",
            "    return out",
        ]

    def values_loop(self):
        m = self.pick()
        a, b = m.scalars(("char", "int"))[:2]
        fn = self.name(f"{snake(m.name)}_table")
        return [
            f"def {fn}():",
            "    table = []",
            f'    for row in {self.ref(m)}.objects.values("{a.name}", "{b.name}"):',
            f'        table.append((row["{a.name}"], row["{b.name}"]))',
            "    return table",
        ]

    def manager_method(self):
        m = self.pick("single")
        rel = m.single()[0] if m.single() else None
        fn = self.name(f"top_{snake(m.name)}")
        if rel is None:
            return self.values_loop()
        attr = self.related_scalar(rel.target).name
        return [
            f"def {fn}(limit=20):",
            f"    top = {self.ref(m)}.objects.all().with_{rel.name}().top(limit)",
            f"    return [(x.pk, x.{rel.name}.{attr}) for x in top]",
        ]

    def get_detail(self):
        m = self.pick()
        fn = self.name(f"{snake(m.name)}_detail")
        fields = [f.name for f in m.scalars()[:4]]
        body = ", ".join(f'"{n}": obj.{n}' for n in fields)
        return [
            f"def {fn}(request, pk):",
            f"    obj = get_object_or_404({self.ref(m)}.objects.all(), pk=pk)",
            f"    return JsonResponse({{{body}}})",
        ]

    def aggregate_plain(self):
        m = self.pick()
        ints = m.scalars(("int",))
        fn = self.name(f"{snake(m.name)}_stats")
        return [
            f"def {fn}():",
            f'    stats = {self.ref(m)}.objects.aggregate(total=Sum("{ints[0].name}"), n=Count("pk"))',
            '    return {"total": stats["total"] or 0, "count": stats["n"]}',
        ]

    def bypass_prefetch(self):
        m = self.pick("many")
        if not m.many():
            return self.count_exists()
        rel = m.many()[0]
        target = self.ws.model(rel.target)
        bools = target.scalars(("bool",))
        cond = f"{bools[0].name}=True" if bools else "pk__gt=0"
        fn = self.name(f"{snake(m.name)}_visible")
        return [
            f"def {fn}():",
            f'    objs = {self.ref(m)}.objects.prefetch_related("{rel.name}")',
            "    return {",
            f"        o.pk: [t.pk for t in o.{rel.name}.filter({cond})]",
            "        for o in objs",
            "    }",
        ]

    def nested_rel(self):
        m = self.pick("single")
        single = m.single()
        if not single:
            return self.loop_single_ok()
        rel = single[0]
        target = self.ws.model(rel.target)
        inner = target.single()
        fn = self.name(f"{snake(m.name)}_chain")
        if not inner:
            return self.loop_single()
        attr = self.related_scalar(inner[0].target).name
        return [
            f"def {fn}():",
            "    names = []",
            f'    for obj in {self.ref(m)}.objects.select_related("{rel.name}"):',
            f"        names.append(obj.{rel.name}.{inner[0].name}.{attr})",
            "    return names",
        ]

    def plain_calc(self):
        fn = self.name("normalise_payload")
        return [
            f"def {fn}(payload):",
            "    cleaned = {}",
            "    for key, value in sorted(payload.items()):",
            "        if isinstance(value, str):",
            "            value = value.strip()",
            "        if value in (None, \"\"):",
            "            continue",
            "        cleaned[key.lower()] = value",
            "    return cleaned",
        ]


def orm_module(ws, app, rng, kind, n_functions, docstring) -> str:
    maker = FunctionMaker(ws, app, rng)
    names = ", ".join(sorted(m.name for m in ws.models[app]))
    out = [
        f'"""{docstring}"""',
        "",
        "from django.db.models import Count, Sum",
        "from django.http import HttpResponse, JsonResponse",
        "from django.shortcuts import get_object_or_404",
        "",
        f"from .models import {names}",
        "",
        "",
    ]
    for _ in range(n_functions):
        out += maker.function() + ["", ""]
    return "\n".join(out).rstrip() + "\n"


def serializers_module(ws, app, rng) -> str:
    models = ws.models[app]
    out = [
        '"""Hand-written serializers (dicts for JSON responses)."""',
        "",
        f"from .models import {', '.join(sorted(m.name for m in models))}",
        "",
        "",
    ]
    for m in models:
        var = snake(m.name)
        fields = m.scalars()
        out += [f"def {var}_to_dict({var}):", "    return {", f'        "id": {var}.pk,']
        for f in fields:
            out += [f'        "{f.name}": {var}.{f.name},']
        for f in m.single()[:1]:
            out += [f'        "{f.name}_id": {var}.{f.name}_id,']
        out += ["    }", "", ""]
        out += [
            f"def {var}_list(queryset=None):",
            "    if queryset is None:",
            f"        queryset = {m.name}.objects.all()",
            f"    return [{var}_to_dict(x) for x in queryset]",
            "",
            "",
        ]
        for f in m.single()[:1]:
            target = ws.model(f.target)
            attr = target.scalars(("char",))[0].name
            sr = rng.random() < 0.5
            qs = f'{m.name}.objects.select_related("{f.name}")' if sr else f"{m.name}.objects.all()"
            out += [
                f"def {var}_with_{f.name}():",
                "    data = []",
                f"    for {var} in {qs}:",
                f"        item = {var}_to_dict({var})",
                f'        item["{f.name}"] = {var}.{f.name}.{attr}',
                "        data.append(item)",
                "    return data",
                "",
                "",
            ]
    return "\n".join(out).rstrip() + "\n"


def admin_module(ws, app, rng) -> str:
    models = ws.models[app]
    out = [
        "from django.contrib import admin",
        "",
        f"from .models import {', '.join(sorted(m.name for m in models))}",
        "",
        "",
    ]
    for m in models:
        single = m.single()
        display = [f.name for f in m.scalars()[:3]]
        out += [f"@admin.register({m.name})", f"class {m.name}Admin(admin.ModelAdmin):"]
        if single:
            f = single[0]
            display.append(f"{f.name}_name")
        out += [f"    list_display = {tuple(display)!r}".replace("'", '"')]
        out += [f"    search_fields = (\"{m.fields[0].name}\",)"]
        if single and rng.random() < 0.5:
            out += [f'    list_select_related = ("{single[0].name}",)']
        if single:
            f = single[0]
            attr = ws.model(f.target).scalars(("char",))[0].name
            out += [
                "",
                f"    @admin.display(description=\"{f.name}\")",
                f"    def {f.name}_name(self, obj):",
                f"        return obj.{f.name}.{attr}",
            ]
        out += ["", "    def get_queryset(self, request):", "        qs = super().get_queryset(request)"]
        if single:
            out += [f'        return qs.select_related("{single[0].name}")']
        else:
            out += ["        return qs"]
        out += ["", ""]
    return "\n".join(out).rstrip() + "\n"


def cross_app_services(ws, app, rng, ai) -> str:
    """Functions that import models from other apps."""
    out = ['"""Reports that join this app with others."""', "", "from collections import defaultdict", ""]
    imports = []
    body = []
    if ai == 0:
        others = []
    else:
        others = rng.sample(ws.apps[:ai], min(3, ai))
    for other in sorted(others):
        m = rng.choice(ws.models[other])
        imports.append(f"from {other}.models import {m.name}")
        single = m.single()
        var = snake(m.name)
        body += [
            f"def {other}_{var}_by_group():",
            "    groups = defaultdict(list)",
        ]
        if single:
            f = single[0]
            attr = ws.model(f.target).scalars(("char",))[0].name
            body += [
                f"    for {var} in {m.name}.objects.filter({FunctionMaker(ws, other, rng)._filter(m)}):",
                f"        groups[{var}.{f.name}.{attr}].append({var}.pk)",
            ]
        else:
            body += [
                f"    for {var} in {m.name}.objects.all():",
                f"        groups[{var}.{m.fields[0].name}].append({var}.pk)",
            ]
        body += ["    return dict(groups)", "", ""]
    if not body:
        body = ["def nothing_to_join():", "    return {}", "", ""]
    out += imports + ["", ""] + body
    return "\n".join(out).rstrip() + "\n"


# --------------------------------------------------------------------------- plain Python


def utility_module(rng: random.Random, index: int) -> str:
    """A module with no ORM use: strings, dataclasses, small algorithms."""
    out = [
        f'"""Utilities, part {index}: text handling and small value types."""',
        "",
        "from __future__ import annotations",
        "",
        "import re",
        "import string",
        "from dataclasses import dataclass, field",
        "from typing import Iterable",
        "",
        f'_WORD = re.compile(r"[A-Za-z0-9_]+")',
        "",
        "",
    ]
    # One in six uses dict.get(), which trips the cheap "uses the ORM" scan.
    uses_get = rng.random() < 1 / 6
    pieces = [
        _util_dataclass, _util_slugify, _util_wrap, _util_tokens, _util_table,
        _util_parse_kv, _util_class, _util_checksum,
    ]
    for i in range(rng.randint(9, 14)):
        out += rng.choice(pieces)(rng, i, uses_get) + ["", ""]
    return "\n".join(out).rstrip() + "\n"


def _util_dataclass(rng, i, uses_get):
    w = rng.choice(WORDS).capitalize()
    return [
        "@dataclass(frozen=True)",
        f"class {w}Span{i}:",
        "    start: int",
        "    end: int",
        '    label: str = ""',
        "    tags: tuple[str, ...] = field(default_factory=tuple)",
        "",
        "    def __len__(self) -> int:",
        "        return max(0, self.end - self.start)",
        "",
        f"    def overlaps(self, other: {w}Span{i}) -> bool:",
        "        return self.start < other.end and other.start < self.end",
        "",
        f"    def shifted(self, by: int) -> {w}Span{i}:",
        f"        return {w}Span{i}(self.start + by, self.end + by, self.label, self.tags)",
    ]


def _util_slugify(rng, i, uses_get):
    w = rng.choice(WORDS)
    return [
        f"def slugify_{w}_{i}(text: str, sep: str = \"-\") -> str:",
        '    """Lower-cases, keeps word characters, joins with `sep`."""',
        "    words = _WORD.findall(text.lower())",
        "    kept = [w for w in words if w not in {\"a\", \"an\", \"the\"}]",
        "    return sep.join(kept)[:80].strip(sep)",
    ]


def _util_wrap(rng, i, uses_get):
    w = rng.choice(WORDS)
    width = rng.choice([40, 60, 72, 79, 100])
    return [
        f"def wrap_{w}_{i}(text: str, width: int = {width}) -> list[str]:",
        "    lines: list[str] = []",
        "    current: list[str] = []",
        "    length = 0",
        "    for word in text.split():",
        "        if length + len(word) + len(current) > width and current:",
        '            lines.append(" ".join(current))',
        "            current, length = [], 0",
        "        current.append(word)",
        "        length += len(word)",
        "    if current:",
        '        lines.append(" ".join(current))',
        "    return lines",
    ]


def _util_tokens(rng, i, uses_get):
    w = rng.choice(WORDS)
    lookup = "counts.get(token, 0)" if uses_get else "(counts[token] if token in counts else 0)"
    return [
        f"def count_{w}_tokens_{i}(lines: Iterable[str]) -> dict[str, int]:",
        "    counts: dict[str, int] = {}",
        "    for line in lines:",
        "        for token in _WORD.findall(line):",
        "            token = token.casefold()",
        f"            counts[token] = {lookup} + 1",
        "    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))",
    ]


def _util_table(rng, i, uses_get):
    w = rng.choice(WORDS)
    return [
        f"def render_{w}_table_{i}(rows: list[tuple[str, ...]]) -> str:",
        "    if not rows:",
        '        return ""',
        "    widths = [max(len(r[c]) for r in rows) for c in range(len(rows[0]))]",
        "    out = []",
        "    for row in rows:",
        '        cells = [cell.ljust(widths[n]) for n, cell in enumerate(row)]',
        '        out.append(" | ".join(cells).rstrip())',
        '    return "\\n".join(out)',
    ]


def _util_parse_kv(rng, i, uses_get):
    w = rng.choice(WORDS)
    default = 'result.get("name", "")' if uses_get else 'result["name"] if "name" in result else ""'
    return [
        f"def parse_{w}_pairs_{i}(text: str) -> dict[str, str]:",
        "    result: dict[str, str] = {}",
        "    for part in text.split(\";\"):",
        "        if \"=\" not in part:",
        "            continue",
        "        key, _, value = part.partition(\"=\")",
        "        result[key.strip()] = value.strip().strip(string.whitespace + '\"')",
        f"    result[\"name\"] = {default}",
        "    return result",
    ]


def _util_class(rng, i, uses_get):
    w = rng.choice(WORDS).capitalize()
    return [
        f"class {w}Buffer{i}:",
        '    """A bounded FIFO of strings."""',
        "",
        "    def __init__(self, limit: int = 64) -> None:",
        "        self.limit = limit",
        "        self.items: list[str] = []",
        "",
        "    def push(self, item: str) -> None:",
        "        self.items.append(item)",
        "        if len(self.items) > self.limit:",
        "            del self.items[0]",
        "",
        "    def drain(self) -> list[str]:",
        "        items, self.items = self.items, []",
        "        return items",
        "",
        "    def __repr__(self) -> str:",
        f'        return f"{w}Buffer{i}({{len(self.items)}}/{{self.limit}})"',
    ]


def _util_checksum(rng, i, uses_get):
    w = rng.choice(WORDS)
    mod = rng.choice([65521, 65535, 1000003])
    return [
        f"def checksum_{w}_{i}(data: bytes) -> int:",
        "    a, b = 1, 0",
        "    for byte in data:",
        f"        a = (a + byte) % {mod}",
        f"        b = (b + a) % {mod}",
        "    return (b << 16) | a",
    ]


# --------------------------------------------------------------------------- big file


def big_views(ws: Workspace, rng: random.Random, target_lines: int = 3000) -> str:
    """One long view module over models from several apps (for the micro-benchmark)."""
    apps = ws.apps[:4]
    out = [
        '"""A deliberately long view module: reports over several apps."""',
        "",
        "from django.db.models import Count, Sum",
        "from django.http import HttpResponse, JsonResponse",
        "from django.shortcuts import get_object_or_404",
        "",
    ]
    # Model names repeat across apps: reach each app's models through its module.
    for app in apps:
        out.append(f"from {app} import models as {app}_models")
    out += ["", ""]
    makers = [FunctionMaker(ws, app, rng, alias=f"{app}_models") for app in apps]
    i = counter = 0
    while len(out) < target_lines:
        maker = makers[i % len(makers)]
        maker.counter = counter  # one numbering across the makers: names stay unique
        out += maker.function() + ["", ""]
        counter = maker.counter
        i += 1
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- driver


def generate(out_dir: str, seed: int, n_apps: int, n_utils: int) -> tuple[int, int]:
    rng = random.Random(seed)
    ws = Workspace(rng, n_apps)
    files: dict[str, str] = {}
    files["manage.py"] = (
        "#!/usr/bin/env python\nimport os\nimport sys\n\n\n"
        "if __name__ == \"__main__\":\n"
        "    os.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"project.settings\")\n"
        "    from django.core.management import execute_from_command_line\n\n"
        "    execute_from_command_line(sys.argv)\n"
    )
    files["project/__init__.py"] = ""
    files["project/settings.py"] = (
        'SECRET_KEY = "bench"\nDEBUG = False\n'
        'AUTH_USER_MODEL = "auth.User"\n'
        "INSTALLED_APPS = [\n"
        '    "django.contrib.auth",\n    "django.contrib.contenttypes",\n'
        + "".join(f'    "{a}",\n' for a in ws.apps + ["reports"])
        + "]\n"
    )
    files["project/urls.py"] = (
        "from django.urls import include, path\n\nurlpatterns = [\n"
        + "".join(f'    path("{a}/", include("{a}.urls")),\n' for a in ws.apps)
        + "]\n"
    )
    for ai, app in enumerate(ws.apps):
        p = f"{app}/"
        files[p + "__init__.py"] = ""
        files[p + "apps.py"] = (
            "from django.apps import AppConfig\n\n\n"
            f"class {app.capitalize()}Config(AppConfig):\n"
            f'    name = "{app}"\n'
            '    default_auto_field = "django.db.models.BigAutoField"\n'
        )
        files[p + "models.py"] = render_models(ws, app)
        files[p + "views.py"] = orm_module(ws, app, rng, "views", 34, f"Views of {app}.")
        files[p + "services.py"] = orm_module(ws, app, rng, "services", 26, f"Domain services of {app}.")
        files[p + "tasks.py"] = orm_module(ws, app, rng, "tasks", 14, f"Background jobs of {app}.")
        files[p + "api/__init__.py"] = ""
        files[p + "api/endpoints.py"] = orm_module(ws, app, rng, "api", 20, f"JSON API of {app}.")
        files[p + "serializers.py"] = serializers_module(ws, app, rng)
        files[p + "admin.py"] = admin_module(ws, app, rng)
        files[p + "reports.py"] = cross_app_services(ws, app, rng, ai)
        files[p + "urls.py"] = (
            "from django.urls import path\n\nfrom . import views\n\n"
            f'app_name = "{app}"\nurlpatterns = []\n'
        )
        files[p + "migrations/__init__.py"] = ""
        files[p + "utils/__init__.py"] = ""
        for u in range(n_utils):
            files[p + f"utils/text_{u:02d}.py"] = utility_module(rng, u)
    files["reports/__init__.py"] = ""
    files["reports/big_views.py"] = big_views(ws, rng)

    if os.path.exists(out_dir):
        shutil.rmtree(out_dir)
    n_files = n_lines = 0
    for rel in sorted(files):
        path = os.path.join(out_dir, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(files[rel])
        if rel.endswith(".py"):
            n_files += 1
            n_lines += files[rel].count("\n")
    return n_files, n_lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", default="target/bench-workspace")
    parser.add_argument("--seed", type=int, default=20240501)
    parser.add_argument("--apps", type=int, default=40, help="number of apps (at most %d)" % len(APP_WORDS))
    parser.add_argument("--utils", type=int, default=44, help="plain-Python modules per app")
    args = parser.parse_args(argv)
    if not 1 <= args.apps <= len(APP_WORDS):
        parser.error(f"--apps must be between 1 and {len(APP_WORDS)}")
    n_files, n_lines = generate(args.out, args.seed, args.apps, args.utils)
    print(f"generated {n_files} .py files, {n_lines} lines in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
