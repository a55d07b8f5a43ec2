//! Summaries of small template sets, rendered one use a line:
//! `kind path @template start..end`, a loop's row uses indented under it.

use super::*;

fn render_uses(uses: &[Use], depth: usize, out: &mut String) {
    for used in uses {
        let kind = match &used.kind {
            UseKind::Read => "read",
            UseKind::Text => "text",
            UseKind::Length => "length",
            UseKind::Escapes => "escapes",
            UseKind::Loop { .. } => "loop",
        };
        out.push_str(&format!(
            "{}{kind} {} @{} {}..{}\n",
            "  ".repeat(depth),
            if used.path.is_empty() {
                "-".to_string()
            } else {
                Step::render(&used.path)
            },
            used.at.template,
            used.at.range.start,
            used.at.range.end
        ));
        if let UseKind::Loop { rows } = &used.kind {
            render_uses(rows, depth + 1, out);
        }
    }
}

fn summary_of(files: &[(&str, &str)]) -> String {
    summary_in(Dialect::Django, files)
}

/// The summary of the first of `files`, all written in `dialect`.
fn summary_in(dialect: Dialect, files: &[(&str, &str)]) -> String {
    let loader: HashMap<String, Arc<LoadedTemplate>> = files
        .iter()
        .map(|(name, source)| {
            let loaded = LoadedTemplate::parse(dialect, *name, format!("templates/{name}"), source);
            (name.to_string(), Arc::new(loaded))
        })
        .collect();
    let summary = summarize(files[0].0, &loader).expect("the first template");
    let mut out = String::new();
    for (variable, uses) in &summary.context {
        out.push_str(&format!("{variable}\n"));
        render_uses(uses, 1, &mut out);
    }
    for gap in &summary.gaps {
        out.push_str(&format!(
            "gap {:?} @{} {}..{}\n",
            gap.reason, gap.at.template, gap.at.range.start, gap.at.range.end
        ));
    }
    out
}

fn check(files: &[(&str, &str)], expected: &str) {
    let actual = summary_of(files);
    assert_eq!(actual.trim(), expected.trim(), "\n{actual}");
}

fn check_jinja(files: &[(&str, &str)], expected: &str) {
    let actual = summary_in(Dialect::Jinja2, files);
    assert_eq!(actual.trim(), expected.trim(), "\n{actual}");
}

#[test]
fn printing_reading_and_filters() {
    check(
        &[(
            "t.html",
            r#"{{ post.author.name }}{{ post.author }}{{ post.created|date:"Y" }}{{ post.title|upper }}{{ post.tags.all|length }}{{ post.editor|default:"-" }}{{ post.body|markdown }}{{ "text" }}{{ 3 }}"#,
        )],
        r#"
post
  text author.name @t.html 3..19
  text author @t.html 25..36
  read created @t.html 42..54
  text title @t.html 69..79
  length tags.all @t.html 91..104
  text editor @t.html 117..128
  escapes body @t.html 146..155
"#,
    );
}

#[test]
fn loops_nest_and_their_rows_are_not_context() {
    check(
        &[(
            "t.html",
            "{% for c in post.comments.all %}{{ c.author.name }}{% for r in c.replies.all %}{{ r }}{{ forloop.counter }}{% endfor %}{% empty %}{{ c }}{% endfor %}",
        )],
        r#"
c
  text - @t.html 133..134
post
  loop comments.all @t.html 12..29
    text author.name @t.html 35..48
    loop replies.all @t.html 63..76
      text - @t.html 82..83
"#,
    );
}

#[test]
fn a_loop_variable_shadows_the_context_only_inside() {
    check(
        &[(
            "t.html",
            "{% for post in posts reversed %}{{ post.title }}{% endfor %}{{ post.title }}{% for a, b in pairs %}{{ a.x }}{% endfor %}{% for x in 'abc' %}{{ x.y }}{% endfor %}",
        )],
        r#"
pairs
  loop - @t.html 91..96
    escapes - @t.html 83..87
post
  text title @t.html 63..73
posts
  loop - @t.html 15..20
    text title @t.html 35..45
"#,
    );
}

#[test]
fn with_aliases_resolve_to_what_they_alias() {
    check(
        &[(
            "t.html",
            "{% with a=post.author n=post %}{{ a.name }}{{ n.title }}{% endwith %}{% with post.editor as e %}{{ e }}{% endwith %}{{ a.name }}{% for c in rows %}{% with au=c.author %}{{ au.name }}{% endwith %}{% endfor %}",
        )],
        r#"
a
  text name @t.html 119..125
post
  read author @t.html 10..21
  text author.name @t.html 34..40
  text title @t.html 46..53
  read editor @t.html 77..88
  text editor @t.html 99..100
rows
  loop - @t.html 140..144
    read author @t.html 158..166
    text author.name @t.html 172..179
"#,
    );
}

#[test]
fn conditions_read_their_operands() {
    check(
        &[(
            "t.html",
            "{% if post.author and not post.tags.exists %}{% elif post.views|length > 2 %}{% else %}{{ post }}{% endif %}",
        )],
        r#"
post
  read author @t.html 6..17
  read tags.exists @t.html 26..42
  length views @t.html 53..63
  text - @t.html 90..94
"#,
    );
}

#[test]
fn includes_see_the_includer_names_unless_only() {
    check(
        &[
            (
                "list.html",
                r#"{% for p in posts %}{% include "card.html" %}{% include "card.html" with p=p.parent only %}{% endfor %}{% include "bare.html" only %}"#,
            ),
            ("card.html", "{{ p.author.name }}{{ user.email }}"),
            ("bare.html", "{{ posts.count }}"),
        ],
        r#"
posts
  loop - @list.html 12..17
    text author.name @card.html 3..16
    read parent @list.html 75..83
    text parent.author.name @card.html 3..16
user
  text email @card.html 22..32
"#,
    );
}

#[test]
fn includes_that_cannot_be_followed_are_gaps() {
    check(
        &[
            (
                "a.html",
                r#"{% include tpl_name %}{% include "missing.html" %}{% include "b.html" %}"#,
            ),
            ("b.html", r#"{% include "a.html" %}"#),
        ],
        r#"
tpl_name
  read - @a.html 11..19
gap DynamicTemplate @a.html 0..22
gap NotFound("missing.html") @a.html 22..50
gap Cycle("a.html") @b.html 0..22
"#,
    );
}

#[test]
fn child_blocks_replace_the_parent_blocks() {
    check(
        &[
            (
                "child.html",
                r#"{% extends "base.html" %}{{ ignored }}{% block title %}{{ post.title }}{% endblock %}{% block body %}{{ block.super }}{{ post.body }}{% endblock %}"#,
            ),
            (
                "base.html",
                "{% block title %}{{ site.name }}{% endblock %}{% block body %}{{ site.footer }}{% endblock %}{% block side %}{{ ad }}{% endblock %}",
            ),
        ],
        r#"
ad
  text - @base.html 112..114
post
  text title @child.html 58..68
  text body @child.html 121..130
site
  text footer @base.html 65..76
"#,
    );
}

#[test]
fn a_block_inside_a_block_of_its_name_is_a_gap() {
    // Found by the templates fuzz target (fuzz/corpus/templates/regression-nested-blocks):
    // blocks of one name nested in the parent and in the child were walked inside one
    // another without end. Django refuses two blocks of one name in a template.
    let input = include_str!("../../../../fuzz/corpus/templates/regression-nested-blocks");
    let sources: Vec<&str> = input.split('\0').collect();
    let loader: HashMap<String, Arc<LoadedTemplate>> = sources
        .iter()
        .enumerate()
        .map(|(i, source)| {
            let name = format!("t{i}.html");
            (
                name.clone(),
                Arc::new(LoadedTemplate::parse(
                    Dialect::Django,
                    name.clone(),
                    name,
                    source,
                )),
            )
        })
        .collect();
    let summary = summarize("t1.html", &loader).expect("t1.html");
    let duplicate =
        |gap: &Gap| matches!(&gap.reason, GapReason::DuplicateBlock(name) if name == "title");
    assert!(summary.gaps.iter().any(duplicate), "{:?}", summary.gaps);
}

#[test]
fn custom_tags_and_filters_make_values_escape() {
    check(
        &[(
            "t.html",
            r#"{% load blog_tags %}{% show_author post.author size=post.size as html %}{{ html.x }}{% url "detail" post.pk as u %}{{ u }}{{ post|custom:other }}{% cache 60 key %}{{ post.title }}{% endcache %}"#,
        )],
        r#"
key
  escapes - @t.html 157..160
other
  escapes - @t.html 137..142
post
  escapes author @t.html 35..46
  escapes size @t.html 52..61
  text pk @t.html 100..107
  escapes - @t.html 125..129
  text title @t.html 166..176
"#,
    );
}

#[test]
fn regroup_join_and_dictsort_iterate_their_value() {
    check(
        &[(
            "t.html",
            r#"{% regroup posts by author.name as groups %}{% for g in groups %}{{ g.grouper }}{% endfor %}{{ tags.all|join:", " }}{% for c in comments|dictsort:"author.name" %}{{ c.text }}{% endfor %}"#,
        )],
        r#"
comments
  loop - @t.html 128..136
    read author.name @t.html 137..159
  loop - @t.html 128..136
    text text @t.html 165..171
posts
  loop - @t.html 11..16
    read author.name @t.html 20..31
tags
  loop all @t.html 95..103
    text - @t.html 104..113
"#,
    );
}

#[test]
fn comments_and_verbatim_read_nothing() {
    check(
        &[(
            "t.html",
            "{# {{ a.b }} #}{% comment %}{{ c.d }}{% for x in y %}{% endcomment %}{% verbatim %}{{ e.f }}{% endverbatim %}",
        )],
        "",
    );
}

#[test]
fn broken_templates_still_summarize() {
    check(
        &[(
            "t.html",
            "{% for c in post.comments.all %}{{ c.author }}{% if x %}{{ y",
        )],
        r#"
post
  loop comments.all @t.html 12..29
    text author @t.html 35..43
x
  read - @t.html 52..53
"#,
    );
}

/// Every prefix of a template that uses each construct summarizes without panicking
/// (a template being typed is cut anywhere).
#[test]
fn every_prefix_summarizes() {
    let full = r#"{% extends "base.html" %}{% load x %}{% block a %}{{ block.super }}{% for p, q in rows reversed %}{% with a=p.b c as d %}{{ a.é|default:"é"|custom:x.y }}{% include "inc.html" with z=a only %}{% endwith %}{% empty %}{% regroup r by s.t as u %}{% endfor %}{% if a and not b.c|length >= 2 %}{% elif x %}{% else %}{% verbatim %}{{ v }}{% endverbatim %}{% endif %}{% comment %}{{ c }}{% endcomment %}{# d #}{% cache 1 k %}{% url "n" k.l as m %}{% endcache %}{% endblock %}"#;
    for (end, _) in full.char_indices() {
        let prefix = &full[..end];
        let files = [
            ("t.html", prefix),
            (
                "base.html",
                "{% block a %}{{ base }}{% endblock %}{% include \"t.html\" %}",
            ),
            ("inc.html", "{{ z.w }}{% include \"inc.html\" %}"),
        ];
        summary_of(&files);
    }
}

#[test]
fn every_jinja_prefix_summarizes() {
    let full = r#"{% extends "base.html" %}{% import "m.html" as m %}{% set s = rows|first %}{% block a %}{{ super() }}{% for p, q in rows|sort(attribute="x.y") if p recursive %}{% with a=p.b() %}{{ a.é|default("é")|custom(x.y) ~ m.f(a, k=[1, {"a": b}]) }}{% include "inc.html" without context %}{% endwith %}{% else %}{% set u = r[1:2] %}{{ loop(u) }}{% endfor %}{% if a and not b.c|length >= 2 %}{% set w = a %}{% elif x is defined %}{% else %}{% raw %}{{ v }}{% endraw %}{% endif %}{# d #}{% macro g(x, y=s.t) %}{{ g(x.parent) }}{{ caller() }}{% endmacro %}{% call(z) g(w) %}{{ z.q }}{% endcall %}{% endblock %}"#;
    for (end, _) in full.char_indices() {
        let prefix = &full[..end];
        let files = [
            ("t.html", prefix),
            (
                "base.html",
                "{% block a %}{{ base }}{% endblock %}{% include \"t.html\" %}",
            ),
            ("inc.html", "{{ z.w }}{% include \"inc.html\" %}"),
            (
                "m.html",
                "{% macro f(a, k=None) %}{{ a.x }}{{ f(a) }}{{ h(k) }}{% endmacro %}{% macro h(k) %}{{ f(k) }}{% endmacro %}",
            ),
        ];
        summary_in(Dialect::Jinja2, &files);
    }
}

#[test]
fn jinja_paths_say_what_is_called() {
    check_jinja(
        &[(
            "t.html",
            "{% for p in posts %}{{ p.author.name }}{{ p.comments.all() }}{{ p.comments.all }}{{ p.comments.count() }}{% for c in p.comments.all() %}{{ c.author }}{% endfor %}{{ loop.index }}{% endfor %}{{ posts[:3] }}{{ f(posts).x }}",
        )],
        r#"
posts
  loop - @t.html 12..17
    text author.name @t.html 23..36
    text comments.all() @t.html 42..58
    text comments.all @t.html 64..78
    text comments.count() @t.html 84..102
    loop comments.all() @t.html 117..133
      text author @t.html 139..147
  text - @t.html 193..198
  escapes - @t.html 210..215
"#,
    );
}

#[test]
fn jinja_filters_and_operators() {
    check_jinja(
        &[(
            "t.html",
            r#"{{ posts|length }}{{ posts|join(", ") }}{{ posts|map(attribute="author.name")|join }}{{ posts|selectattr("published")|list|length }}{{ p.x|fancy }}{{ p.y|default(z.w) }}{{ p.t|truncate(10) }}{{ posts|sort(attribute=key) }}{{ p.a ~ p.b }}{{ p.c if p.d else p.e }}{{ url("x", p.slug) }}{{ _("Hi %(n)s", n=p.name) }}{{ p.f is none }}{{ p.g is mine }}{{ p|attr("h") }}"#,
        )],
        r#"
key
  escapes - @t.html 215..218
p
  escapes x @t.html 135..138
  text y @t.html 150..153
  text t @t.html 172..175
  text a @t.html 225..228
  text b @t.html 231..234
  text c @t.html 240..243
  read d @t.html 247..250
  text e @t.html 256..259
  escapes slug @t.html 274..280
  text name @t.html 303..309
  read f @t.html 316..319
  escapes g @t.html 333..336
  text h @t.html 350..351
posts
  length - @t.html 3..8
  loop - @t.html 21..26
    text - @t.html 27..37
  loop - @t.html 43..48
    read author.name @t.html 49..77
  loop - @t.html 88..93
    read published @t.html 94..117
  length - @t.html 88..93
  escapes - @t.html 194..199
z
  read w @t.html 162..165
"#,
    );
}

#[test]
fn jinja_set_with_and_loops() {
    check_jinja(
        &[(
            "t.html",
            "{% set a = post.author %}{% if x %}{% set a = post.editor %}{% endif %}{{ a.name }}{% for p in posts if p.live %}{% set b = p.editor %}{{ b.name }}{% endfor %}{{ b.x }}{% with c = post.tags %}{{ c.count() }}{% endwith %}{% set l %}{{ post.body }}{% endset %}{{ l.x }}{% for n in nodes recursive %}{{ n.parent.name }}{% endfor %}{% for k, v in pairs %}{% endfor %}",
        )],
        r#"
b
  text x @t.html 162..165
nodes
  escapes - @t.html 279..284
pairs
  loop - @t.html 343..348
    escapes - @t.html 335..339
post
  read author @t.html 11..22
  read editor @t.html 46..57
  read tags @t.html 180..189
  text tags.count() @t.html 195..204
  text body @t.html 234..243
posts
  loop - @t.html 95..100
    read live @t.html 104..110
    read editor @t.html 124..132
    text editor.name @t.html 138..144
x
  read - @t.html 31..32
"#,
    );
}

#[test]
fn jinja_macros_are_followed_where_they_can_be_loaded() {
    check_jinja(
        &[
            (
                "t.html",
                r#"{% import "forms.html" as forms %}{% from "forms.html" import card %}{% from "missing.html" import gone %}{% import "missing.html" as lost %}{% macro row(p, label=post.title) %}{{ p.author.name }}{{ label }}{{ other(p) }}{% endmacro %}{% for p in posts %}{{ row(p) }}{{ forms.card(p) }}{{ card(item=p) }}{{ gone(p) }}{{ lost.x(p) }}{{ tree(p) }}{{ forms.tree(p) }}{% call forms.card(p) %}{{ p.body }}{% endcall %}{% endfor %}"#,
            ),
            (
                "forms.html",
                "{% macro card(item) %}{{ item.editor.name }}{{ helper(item) }}{{ post }}{% endmacro %}{% macro helper(x) %}{{ x.slug }}{% endmacro %}{% macro tree(n) %}{{ tree(n.parent) }}{% endmacro %}",
            ),
        ],
        r#"
post
  read title @t.html 163..173
  text title @t.html 199..204
posts
  loop - @t.html 247..252
    text author.name @t.html 180..193
    escapes - @t.html 216..217
    text editor.name @forms.html 25..41
    text slug @forms.html 110..116
    text editor.name @forms.html 25..41
    text slug @forms.html 110..116
    escapes - @t.html 312..313
    escapes - @t.html 327..328
    escapes - @t.html 340..341
    escapes parent @forms.html 160..168
    text editor.name @forms.html 25..41
    text slug @forms.html 110..116
    text body @t.html 391..397
"#,
    );
}

#[test]
fn jinja_includes_and_blocks() {
    check_jinja(
        &[
            (
                "t.html",
                r#"{% extends "base.html" %}{% from "m.html" import card %}{% set heading = page.title %}{{ page.body }}{% block body %}{{ super() }}{% for p in posts %}{% include "row.html" %}{% include "row.html" without context %}{{ card(p) }}{% endfor %}{% endblock %}"#,
            ),
            (
                "base.html",
                "{{ heading }}{% block body %}{{ title }}{% endblock %}",
            ),
            ("row.html", "{{ p.author.name }}"),
            ("m.html", "{% macro card(x) %}{{ x.editor }}{% endmacro %}"),
        ],
        r#"
page
  read title @t.html 73..83
  text title @base.html 3..10
posts
  loop - @t.html 142..147
    text author.name @row.html 3..16
    text editor @m.html 22..30
title
  text - @base.html 32..37
"#,
    );
}

#[test]
fn another_engines_template_is_not_read() {
    let jinja = "{% from \"django.html\" import card %}{% for p in posts %}{{ card(p) }}{% endfor %}{% include \"django.html\" %}";
    let loader: HashMap<String, Arc<LoadedTemplate>> = [
        LoadedTemplate::parse(Dialect::Jinja2, "t.html", "jinja2/t.html", jinja),
        LoadedTemplate::parse(
            Dialect::Django,
            "django.html",
            "templates/django.html",
            "{% for p in posts %}{{ p.author.name }}{% endfor %}",
        ),
    ]
    .into_iter()
    .map(|t| (t.name.clone(), Arc::new(t)))
    .collect();
    let summary = summarize("t.html", &loader).unwrap();
    let posts = &summary.context["posts"];
    let UseKind::Loop { rows } = &posts[0].kind else {
        panic!("{posts:?}");
    };
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].kind, UseKind::Escapes);
    assert_eq!(posts.len(), 1);
    assert_eq!(
        summary.gaps,
        [Gap {
            at: Place {
                template: "t.html".into(),
                range: TextRange::new(81, 108),
            },
            reason: GapReason::OtherEngine("django.html".into()),
        }]
    );
}

#[test]
fn jinja_macro_calls_have_a_budget() {
    let inner = "{{ b(x) }}".repeat(50);
    let macros = format!(
        "{{% macro a(x) %}}{inner}{{% endmacro %}}{{% macro b(x) %}}{{{{ x.y }}}}{{% endmacro %}}"
    );
    let template = format!(
        "{macros}{{% for p in posts %}}{}{{% endfor %}}",
        "{{ a(p) }}".repeat(50)
    );
    let summary = summary_in(Dialect::Jinja2, &[("t.html", template.as_str())]);
    // The 11th call of `b` in the 40th call of `a` is the first past the budget.
    assert!(
        summary.ends_with("\ngap TooDeep @t.html 119..123\n"),
        "{summary}"
    );
    assert_eq!(summary.matches("gap").count(), 1);
    // Under the budget, every call is followed.
    let few = format!("{macros}{{% for p in posts %}}{{{{ a(p) }}}}{{% endfor %}}");
    let summary = summary_in(Dialect::Jinja2, &[("t.html", few.as_str())]);
    assert_eq!(
        summary.matches("read y").count() + summary.matches("text y").count(),
        50
    );
    assert!(!summary.contains("gap"), "{summary}");
}
