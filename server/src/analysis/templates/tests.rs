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
                used.path.join(".")
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
    let loader: HashMap<String, Arc<LoadedTemplate>> = files
        .iter()
        .map(|(name, source)| {
            let loaded = LoadedTemplate::parse(*name, format!("templates/{name}"), source);
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
                Arc::new(LoadedTemplate::parse(name.clone(), name, source)),
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
