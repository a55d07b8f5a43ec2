//! Jinja2 templates parsed whole, rendered one node a line with ranges.

use super::parse;
use crate::syntax::template::tests::render_template;

fn check(source: &str, expected: &str) {
    let actual = render_template(source, &parse(source));
    assert_eq!(actual.trim(), expected.trim(), "\n{actual}");
}

#[test]
fn calls_say_which_parts_run() {
    check(
        r#"{{ post.comments.all() }}{{ post.comments.all }}{{ post.get(1, key=x.y) }}{{ post["author"].name }}{{ rows[0] }}"#,
        r#"
var post.comments.all()@3..22
var post.comments.all@28..45
var post.get(lit 1@60..61, key=x.y@67..70)@51..71
var post.author.name@77..96
var rows.0@102..109
"#,
    );
}

#[test]
fn filters_take_arguments() {
    check(
        r#"{{ posts|join(", ", attribute="title")|upper }}{{ x|default(y.z) }}{{ a|my.filter }}"#,
        r#"
var posts@3..8 |join(lit ", "@14..18, attribute=lit "title"@30..37) |upper
var x@50..51 |default(y.z@60..63)
var a@70..71 |my.filter
"#,
    );
}

#[test]
fn operators_are_compounds_of_their_operands() {
    check(
        r#"{{ a ~ b.c }}{{ x if c.d else y }}{{ not a and b or c }}{{ a + 1 > b }}{{ [a, b] }}{{ x is none }}{{ x is divisibleby 3 }}{{ x is mine }}{{ -a }}{{ "a" "b" }}{{ (a or b).c }}{{ x not in y }}"#,
        r#"
var (Text a@3..4, Text b.c@7..10)
var (Value x@16..17, Read c.d@21..24, Value y@30..31)
var (Value (Value (Read a@41..42), Value b@47..48), Value c@52..53)
var (Read (Read a@59..60, Read lit 1@63..64), Read b@67..68)
var (Escapes a@75..76, Escapes b@78..79)
var (Read x@86..87)
var (Read x@101..102, Read lit 3@118..119)
var (Escapes x@125..126)
var (Read a@141..142)
var lit "a" "b"@148..155
var (Escapes (Value a@162..163, Value b@167..168))
var (Read x@177..178, Read y@186..187)
"#,
    );
}

#[test]
fn loops_and_conditions() {
    check(
        "{% for p in posts if p.active recursive %}{{ loop.index }}{% else %}none{% endfor %}{% for k, v in d.items() %}{% endfor %}{%- if a -%}x{% elif b.c() %}y{% else %}z{% endif %}",
        r#"
for p in posts@12..17 recursive
  if p.active@21..29
    var loop.index@45..55
empty
  text "none"
for k,v in d.items()@99..108
if a@130..131
  text "x"
if b.c()@144..149
  text "y"
else
  text "z"
"#,
    );
}

#[test]
fn set_with_and_blocks() {
    check(
        r#"{% set a = b.c %}{% set x, y = 1, 2 %}{% set ns.n = 1 %}{% set t %}{{ p }}{% endset %}{% with q = r, s = t.u %}{{ q }}{% endwith %}{% extends "base.html" %}{% block body scoped %}{{ super() }}{% endblock body %}"#,
        r#"
set a = b.c@11..14
set x,y = (Escapes lit 1@31..32, Escapes lit 2@34..35)
set  = lit 1@52..53
set t = block
  var p@70..71
with q=r@98..99, s=t.u@105..108
  var q@114..115
extends lit "base.html"@142..153
block body
  var super()@182..189
"#,
    );
}

#[test]
fn includes_imports_and_macros() {
    check(
        r#"{% include "card.html" ignore missing without context %}{% include name %}{% import "forms.html" as forms %}{% from "m.html" import a, b as c with context %}{% macro row(p, label="-") %}{{ p.title }}{% endmacro %}{% call(user) forms.list(users) %}{{ user }}{% endcall %}"#,
        r#"
include lit "card.html"@11..22 with [] only
include name@67..71 with []
import lit "forms.html"@84..96 as forms []
import lit "m.html"@116..124 as - [a as a, b as c] with context
macro row(p, label=lit "-"@179..182)
  var p.title@189..196
call(user) forms.list(users@238..243)@227..244
  var user@250..254
"#,
    );
}

#[test]
fn raw_comments_and_extensions() {
    check(
        "{# {{ x }} #}{% raw %}{{ y }}{% endraw %}{% trans n=p.count() %}{{ n }}{% pluralize %}{{ n }}s{% endtrans %}{% do items.append(p) %}{% cache 60, p.id %}{{ p.title }}{% endcache %}{% spaceless weird syntax! %}",
        r#"
comment 0..13
verbatim "{{ y }}"
tag trans block [] [n=p.count()@52..61]
  var n@67..68
--
  var n@89..90
  text "s"
tag do [items.append(p@127..128)@114..129] []
custom cache block [lit 60@141..143, p.id@145..149] []
  var p.title@155..162
custom spaceless [] []
"#,
    );
}

#[test]
fn broken_templates_still_parse() {
    check(
        "{{ a. }}{{ (b }}{{ c[ }}{% for %}{% endfor %}{% if %}{% macro %}{% endmacro %}{{ d | }}{{ e is }}{% set %}{% import %}{{ ) }}{{ @ }}{% endif %}",
        r#"
var a@3..4
var b@12..13
var (Escapes c@19..20)
for  in lit @30..30
if lit @50..50
  macro ()
  var d@81..82
  var e@90..91
  set  = block
  import lit @115..115 as - []
  var lit @121..121
  var lit @129..129
error 5..5: expected an attribute
error 13..13: expected ')'
error 21..21: expected ']'
error 30..30: expected {% for x in y %}
error 50..50: expected an expression
error 61..61: expected a macro name
error 84..84: expected a filter name
error 94..94: expected a test name
error 103..103: expected {% set x = y %}
error 115..115: expected an expression
error 115..115: expected 'as'
error 121..122: unexpected ')'
error 128..129: unexpected '@'
error 129..129: expected an expression
"#,
    );
}

#[test]
fn every_prefix_parses() {
    let full = r#"{% extends "b" %}{% import "f" as f %}{% block a %}{{ super() }}{% for p, q in rows|sort(attribute="x") if p recursive %}{% with a=p.b() %}{{ a.é|default("é")|custom(x.y) ~ f.m(a, k=[1, {"a": b}]) }}{% include "inc" without context %}{% endwith %}{% else %}{% set u = r[1:2] %}{% endfor %}{% if a and not b.c|length >= 2 %}{% elif x is defined %}{% else %}{% raw %}{{ v }}{% endraw %}{% endif %}{# d #}{% macro m(x, y=1) %}{{ caller() }}{% endmacro %}{% call m(1) %}{% endcall %}{% endblock %}"#;
    for end in 0..=full.len() {
        if full.is_char_boundary(end) {
            let _ = parse(&full[..end]);
        }
    }
    // Each character replaced by one that opens or closes something.
    let chars: Vec<char> = full.chars().collect();
    for at in 0..chars.len() {
        for with in ['{', '}', '%', '(', ')', '"', '[', '|', '-'] {
            let mut mutated = chars.clone();
            mutated[at] = with;
            let _ = parse(&mutated.iter().collect::<String>());
        }
    }
    let deep = "{{ ".to_string() + &"(".repeat(500) + "x" + &")".repeat(500) + " }}";
    let _ = parse(&deep);
    let nested = "{% if a %}".repeat(300) + "x";
    let _ = parse(&nested);
}
