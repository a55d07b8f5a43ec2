//! The parser over whole templates, rendered one node a line with ranges.

use super::*;

/// One line per node: its kind, its expressions as `text@start..end`, nested bodies
/// indented; text that is only whitespace is left out.
fn render(source: &str) -> String {
    render_template(source, &parse(source))
}

/// `template`, parsed from `source`, one node a line.
pub(super) fn render_template(source: &str, template: &Template) -> String {
    let mut out = String::new();
    nodes(source, &template.nodes, 0, &mut out);
    for error in &template.errors {
        out.push_str(&format!(
            "error {}..{}: {}\n",
            error.range.start, error.range.end, error.message
        ));
    }
    out
}

fn at(source: &str, range: TextRange) -> String {
    format!(
        "{}@{}..{}",
        &source[range.start..range.end],
        range.start,
        range.end
    )
}

fn expr(source: &str, e: &FilterExpr) -> String {
    let mut out = match &e.value {
        Value::Lookup(l) => {
            let parts: Vec<String> = l
                .parts
                .iter()
                .enumerate()
                .map(|(i, part)| match l.call_of(i) {
                    Some(call) => format!("{part}({})", arguments(source, &call.args)),
                    None => part.clone(),
                })
                .collect();
            format!("{}@{}..{}", parts.join("."), l.range.start, l.range.end)
        }
        Value::Literal(r) | Value::String { range: r, .. } => format!("lit {}", at(source, *r)),
        Value::Compound(operands) => {
            let operands: Vec<String> = operands
                .iter()
                .map(|o| format!("{:?} {}", o.role, expr(source, &o.expr)))
                .collect();
            format!("({})", operands.join(", "))
        }
    };
    for f in &e.filters {
        out.push_str(&format!(" |{}", f.name));
        match &f.arg {
            Some(Value::Lookup(l)) => out.push_str(&format!(":{}", l.parts.join("."))),
            Some(Value::Literal(r) | Value::String { range: r, .. }) => {
                out.push_str(&format!(":{}", &source[r.start..r.end]))
            }
            Some(Value::Compound(_)) | None => {}
        }
        if !f.args.is_empty() {
            out.push_str(&format!("({})", arguments(source, &f.args)));
        }
    }
    out
}

fn arguments(source: &str, args: &[Argument]) -> String {
    let args: Vec<String> = args
        .iter()
        .map(|a| match &a.name {
            Some(name) => format!("{}={}", name.name, expr(source, &a.value)),
            None => expr(source, &a.value),
        })
        .collect();
    args.join(", ")
}

fn params(source: &str, params: &[Param]) -> String {
    let params: Vec<String> = params
        .iter()
        .map(|p| match &p.default {
            Some(default) => format!("{}={}", p.name.name, expr(source, default)),
            None => p.name.name.clone(),
        })
        .collect();
    params.join(", ")
}

fn bindings(source: &str, bindings: &[Binding]) -> String {
    bindings
        .iter()
        .map(|b| format!("{}={}", b.name.name, expr(source, &b.value)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn nodes(source: &str, list: &[Node], depth: usize, out: &mut String) {
    for node in list {
        let pad = "  ".repeat(depth);
        let line = match node {
            Node::Text(r) if source[r.start..r.end].trim().is_empty() => continue,
            Node::Text(r) => format!("text {:?}", &source[r.start..r.end]),
            Node::Comment(r) => format!("comment {}..{}", r.start, r.end),
            Node::Verbatim(r) => format!("verbatim {:?}", &source[r.start..r.end]),
            Node::Variable(v) => format!("var {}", expr(source, &v.expr)),
            Node::For(f) => {
                let targets: Vec<&str> = f.targets.iter().map(|t| t.name.as_str()).collect();
                out.push_str(&format!(
                    "{pad}for {} in {}{}{}\n",
                    targets.join(","),
                    expr(source, &f.iterable),
                    if f.reversed { " reversed" } else { "" },
                    if f.recursive { " recursive" } else { "" }
                ));
                nodes(source, &f.body, depth + 1, out);
                if let Some(empty) = &f.empty {
                    out.push_str(&format!("{pad}empty\n"));
                    nodes(source, empty, depth + 1, out);
                }
                continue;
            }
            Node::If(i) => {
                for branch in &i.branches {
                    let cond = branch.condition.as_ref().map_or("else".to_string(), |c| {
                        let parts: Vec<String> = c
                            .iter()
                            .map(|p| match p {
                                ConditionPart::Operand(e) => expr(source, e),
                                ConditionPart::Operator { operator, .. } => operator.clone(),
                            })
                            .collect();
                        format!("if {}", parts.join(" "))
                    });
                    out.push_str(&format!("{pad}{cond}\n"));
                    nodes(source, &branch.body, depth + 1, out);
                }
                continue;
            }
            Node::With(w) => {
                out.push_str(&format!("{pad}with {}\n", bindings(source, &w.bindings)));
                nodes(source, &w.body, depth + 1, out);
                continue;
            }
            Node::Block(b) => {
                out.push_str(&format!("{pad}block {}\n", b.name));
                nodes(source, &b.body, depth + 1, out);
                continue;
            }
            Node::Include(i) => format!(
                "include {} with [{}]{}",
                expr(source, &i.template),
                bindings(source, &i.bindings),
                if i.only { " only" } else { "" }
            ),
            Node::Extends(e) => format!("extends {}", expr(source, &e.parent)),
            Node::Regroup(r) => format!(
                "regroup {} by {} as {}",
                expr(source, &r.source),
                at(source, r.by_range),
                r.target.as_ref().map_or("?", |t| t.name.as_str())
            ),
            Node::Set(set) => {
                let targets: Vec<&str> = set.targets.iter().map(|t| t.name.as_str()).collect();
                let value = set
                    .value
                    .as_ref()
                    .map_or("block".to_string(), |v| expr(source, v));
                out.push_str(&format!("{pad}set {} = {value}\n", targets.join(",")));
                nodes(source, &set.body, depth + 1, out);
                continue;
            }
            Node::Macro(m) => {
                out.push_str(&format!(
                    "{pad}macro {}({})\n",
                    m.name,
                    params(source, &m.params)
                ));
                nodes(source, &m.body, depth + 1, out);
                continue;
            }
            Node::CallBlock(c) => {
                out.push_str(&format!(
                    "{pad}call({}) {}\n",
                    params(source, &c.params),
                    expr(source, &c.call)
                ));
                nodes(source, &c.body, depth + 1, out);
                continue;
            }
            Node::Import(i) => {
                let names: Vec<String> = i
                    .names
                    .iter()
                    .map(|(n, b)| format!("{n} as {}", b.name))
                    .collect();
                format!(
                    "import {} as {} [{}]{}",
                    expr(source, &i.template),
                    i.module.as_ref().map_or("-", |m| m.name.as_str()),
                    names.join(", "),
                    if i.with_context { " with context" } else { "" }
                )
            }
            Node::Tag(t) => {
                let args: Vec<String> = t.args.iter().map(|a| expr(source, a)).collect();
                out.push_str(&format!(
                    "{pad}{} {}{} [{}] [{}]{}\n",
                    if t.builtin { "tag" } else { "custom" },
                    t.name,
                    if t.bodies.is_empty() { "" } else { " block" },
                    args.join(", "),
                    bindings(source, &t.keywords),
                    t.target
                        .as_ref()
                        .map_or(String::new(), |n| format!(" as {}", n.name)),
                ));
                for (i, body) in t.bodies.iter().enumerate() {
                    if i > 0 {
                        out.push_str(&format!("{pad}--\n"));
                    }
                    nodes(source, body, depth + 1, out);
                }
                continue;
            }
        };
        out.push_str(&format!("{pad}{line}\n"));
    }
}

fn check(source: &str, expected: &str) {
    let actual = render(source);
    assert_eq!(actual.trim(), expected.trim(), "\n{actual}");
}

#[test]
fn variables_and_loops() {
    check(
        "{% for c in post.comments.all reversed %}{{ c.author.name|default:\"-\" }}{% empty %}none{% endfor %}",
        r#"
for c in post.comments.all@12..29 reversed
  var c.author.name@44..57 |default:"-"
empty
  text "none"
"#,
    );
    check(
        "{% for k, v in d.items %}{{ k }}{% endfor %}{% for a,b in pairs %}{% endfor %}",
        r#"
for k,v in d.items@15..22
  var k@28..29
for a,b in pairs@58..63
"#,
    );
}

#[test]
fn conditions_keep_operands_and_operators() {
    check(
        "{% if a.b and not c in d|length %}x{% elif e != 'f' %}{% else %}y{% endif %}",
        r#"
if a.b@6..9 and not c@18..19 in d@23..24 |length
  text "x"
if e@43..44 != lit 'f'@48..51
else
  text "y"
"#,
    );
}

#[test]
fn with_include_extends_block_regroup() {
    check(
        r#"{% extends "base.html" %}{% block content %}{% with a=p.author n=p.tags.count %}{% with p.x as y %}{% endwith %}{% endwith %}{% include "row.html" with item=a only %}{% include tpl %}{% regroup rows by author.name as groups %}{% endblock content %}"#,
        r#"
extends lit "base.html"@11..22
block content
  with a=p.author@54..62, n=p.tags.count@65..77
    with y=p.x@88..91
  include lit "row.html"@136..146 with [item=a@157..158] only
  include tpl@177..180 with []
  regroup rows@194..198 by author.name@202..213 as groups
"#,
    );
}

#[test]
fn other_tags_builtin_and_custom() {
    check(
        r#"{% load humanize %}{% url "post" p.pk slug=p.slug as u %}{% cycle "a" b as row silent %}{% autoescape off %}{{ x }}{% endautoescape %}{% ifchanged d.day %}1{% else %}2{% endifchanged %}{% show_tags post %}{% cache 60 key p.id %}{{ p.title }}{% endcache %}{% translate "Hi" noop %}"#,
        r#"
tag load [] []
tag url [lit "post"@26..32, p.pk@33..37] [slug=p.slug@43..49] as u
tag cycle [lit "a"@66..69, b@70..71] [] as row
tag autoescape block [] []
  var x@111..112
tag ifchanged block [d.day@147..152] []
  text "1"
--
  text "2"
custom show_tags [post@198..202] []
custom cache block [lit 60@214..216, key@217..220, p.id@221..225] []
  var p.title@231..238
tag translate [lit "Hi"@268..272] []
"#,
    );
}

#[test]
fn comments_and_verbatim_hold_no_nodes() {
    check(
        "{# {{ a }} #}{% comment \"why\" %}{{ b }}{% if c %}{% endcomment %}{% verbatim %}{{ d }}{% endif %}{% endverbatim %}",
        r#"
comment 0..13
comment 13..65
verbatim "{{ d }}{% endif %}"
"#,
    );
}

#[test]
fn broken_templates_give_a_tree_and_errors() {
    check(
        "{% for x in xs %}{{ x.a }}{% if y %}",
        r#"
for x in xs@12..14
  var x.a@20..23
  if y@32..33
error 26..36: unclosed {% if %}
error 0..17: unclosed {% for %}
"#,
    );
    check(
        "{% endif %}{{ a }}{% else %}{{ }}{{ b",
        r#"
var a@14..15
var lit @30..30
text "{{ b"
error 0..11: stray {% endif %}
error 18..28: stray {% else %}
error 30..30: empty expression
"#,
    );
    // An enclosing block's end closes the blocks opened inside it.
    check(
        "{% if a %}{% for x in y %}{% endif %}{{ z }}",
        r#"
if a@6..7
  for x in y@22..23
var z@40..41
error 10..26: unclosed {% for %}
"#,
    );
    check(
        "{% for %}{% endfor %}{% regroup x %}{% with %}{% endwith %}{% comment %}",
        r#"
for  in lit @6..6
regroup x@32..33 by @33..33 as ?
with 
comment 59..72
error 0..9: expected {% for x in y %}
error 6..6: empty expression
error 21..36: expected {% regroup x by attr as y %}
error 59..72: unclosed {% comment %}
"#,
    );
}

#[test]
fn deep_nesting_stops_at_the_limit() {
    let source = "{% if a %}".repeat(MAX_DEPTH + 50);
    let template = parse(&source);
    assert!(
        template
            .errors
            .iter()
            .any(|e| e.message == "blocks nested too deep")
    );
}

#[test]
fn odd_text_does_not_panic() {
    for source in [
        "{% %}",
        "{%%}",
        "{{|}}",
        "{{ a| }}",
        "{{ a|b: }}",
        "{% for in %}",
        "{% if %}{% endif %}",
        "{% include %}",
        "{% with a %}",
        "{% block %}{% endblock %}",
        "{{ \"é }}",
        "{% for x in y reversed %}",
        "{% cycle as %}",
        "{% url as x %}",
        "{% custom as %}{% endcustom %}",
        "{% endverbatim %}",
        "}} %} #}",
    ] {
        let _ = parse(source);
    }
}

/// Every prefix and suffix of a template that uses each construct parses (a template
/// being typed is cut anywhere).
#[test]
fn every_prefix_and_suffix_parses() {
    let full = r#"{% for a, b in c.d|dictsort:"e" reversed %}{{ a.f|g:"h i"|j:k.l }}{% empty %}{% endfor %}{% if x and not y in z %}{% elif w %}{% else %}{% endif %}{% with a=b c as d %}{% endwith %}{% include "é" with m=n only %}{% regroup o by p.q as r %}{% verbatim v %}{% endverbatim %}{% endverbatim v %}{% comment %}{% endcomment %}{# s #}{% custom t as u %}{% endcustom %}{% blocktranslate with a=b count c=d|length %}{{ a }}{% plural %}{{ c }}{% endblocktranslate %}"#;
    for (at, _) in full.char_indices() {
        parse(&full[..at]);
        parse(&full[at..]);
    }
}
