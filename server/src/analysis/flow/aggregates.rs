//! `sum(o.price for o in qs)`, `max(...)`, `min(...)`, `len([o for o in qs if ...])`,
//! `sum(1 for o in qs if ...)`: rows fetched only to be summed, compared or counted in
//! Python, which the database does in one aggregate query (ORM501).

use tree_sitter::Node;

use crate::index::{Field, FieldKind, Model};
use crate::syntax::fields::FIELDS;
use crate::syntax::node::{call_args, descendants, text};
use crate::text::TextRange;

use super::evaluations::{assignments_of, flip};
use super::facts::{AggregateFunction, PythonAggregate};
use super::values::{Env, Qs, Value};
use super::walker::Walker;

/// What Python does with the values of a column, as far as the rewrite cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Integer,
    /// Decimal or float: `Sum` may differ from Python's sum in its type or last digits.
    Inexact,
    Boolean,
    /// Dates and times: ordered alike in Python and SQL, never summed.
    Temporal,
    /// Text: compared by the database's collation, which may ignore case.
    Text,
}

fn column(field: &Field) -> Option<Column> {
    if !matches!(field.kind, FieldKind::Plain) {
        return None;
    }
    Some(match field.class.as_deref()? {
        "AutoField"
        | "BigAutoField"
        | "SmallAutoField"
        | "IntegerField"
        | "BigIntegerField"
        | "SmallIntegerField"
        | "PositiveIntegerField"
        | "PositiveSmallIntegerField"
        | "PositiveBigIntegerField" => Column::Integer,
        "DecimalField" | "FloatField" => Column::Inexact,
        "BooleanField" => Column::Boolean,
        "DateField" | "DateTimeField" | "TimeField" => Column::Temporal,
        "CharField" | "TextField" | "SlugField" | "EmailField" | "URLField" => Column::Text,
        _ => return None,
    })
}

/// A condition of the comprehension as `filter()` keywords; `exact` when the database
/// keeps the same rows as Python would.
struct Filters {
    keywords: Vec<String>,
    exact: bool,
}

/// Calls in a chain that `aggregate()` or `filter()` cannot follow, or that change
/// what the rows are.
const UNAGGREGATABLE: &[&str] = &[
    "iterator",
    "union",
    "intersection",
    "difference",
    "values",
    "values_list",
    "distinct",
    "select_for_update",
];

impl<'a> Walker<'a> {
    /// Records `call` when it aggregates, in Python, the rows of a queryset nothing else
    /// uses.
    pub(super) fn python_aggregate(&mut self, call: Node<'a>, env: &Env, scope: Node<'a>) {
        let Some(function) = call.child_by_field_id(FIELDS.function) else {
            return;
        };
        let name = self.file.text(function);
        if function.kind() != "identifier"
            || !matches!(name, "sum" | "max" | "min" | "len")
            || self.function_named(name).is_some()
        {
            return;
        }
        let args = call_args(call, self.src());
        let [comprehension] = args.positional.as_slice() else {
            return;
        };
        let default_none = match (name, args.keywords.as_slice()) {
            (_, []) => false,
            ("max" | "min", [(key, value)]) if key == "default" && value.kind() == "none" => true,
            _ => return,
        };
        let comprehension = *comprehension;
        let listed = comprehension.kind() == "list_comprehension";
        if !(listed || name != "len" && comprehension.kind() == "generator_expression") {
            return;
        }
        let mut cursor = comprehension.walk();
        let parts: Vec<Node<'a>> = comprehension.named_children(&mut cursor).collect();
        let Some(body) = comprehension.child_by_field_id(FIELDS.body) else {
            return;
        };
        let clauses: Vec<Node<'a>> = parts.iter().copied().filter(|p| *p != body).collect();
        let [for_clause, conditions @ ..] = clauses.as_slice() else {
            return;
        };
        if for_clause.kind() != "for_in_clause"
            || conditions.iter().any(|c| c.kind() != "if_clause")
        {
            return;
        }
        let (Some(left), Some(right)) = (
            for_clause.child_by_field_id(FIELDS.left),
            for_clause.child_by_field_id(FIELDS.right),
        ) else {
            return;
        };
        if left.kind() != "identifier" || !self.aggregatable_chain(right, scope) {
            return;
        }
        let var = self.file.text(left);
        let Some(qs) = self.only_queryset(right, env) else {
            return;
        };
        if !self.sole_consumer(right, scope) {
            return;
        }
        let model = self.index.model(qs.model);
        let (aggregate, field, mut exact) = match (name, body.kind()) {
            ("len", "identifier") if self.file.text(body) == var => {
                (AggregateFunction::Count, None, true)
            }
            ("sum", "integer") if self.file.text(body) == "1" => {
                (AggregateFunction::Count, None, true)
            }
            ("sum" | "max" | "min", "attribute") => {
                let Some((field, column)) = self.column_of(body, var, model) else {
                    return;
                };
                let (aggregate, exact) = match (name, column) {
                    ("sum", Column::Integer) => (AggregateFunction::Sum, true),
                    ("sum", Column::Inexact) => (AggregateFunction::Sum, false),
                    ("max", Column::Integer | Column::Inexact | Column::Temporal) => {
                        (AggregateFunction::Max, default_none)
                    }
                    ("min", Column::Integer | Column::Inexact | Column::Temporal) => {
                        (AggregateFunction::Min, default_none)
                    }
                    _ => return,
                };
                // Python raises on a `None`; SQL skips NULLs.
                (aggregate, Some(field.name.clone()), exact && !field.null)
            }
            _ => return,
        };
        let mut keywords = Vec::new();
        for condition in conditions {
            let Some(test) = condition.named_child(0) else {
                return;
            };
            let Some(filters) = self.filters_of(test, var, model) else {
                return;
            };
            keywords.extend(filters.keywords);
            exact &= filters.exact;
        }
        self.facts.python_aggregates.push(PythonAggregate {
            range: TextRange::of(call),
            function: aggregate,
            field,
            filters: keywords,
            qs_text: self.file.text(right).to_string(),
            iter_range: TextRange::of(right),
            exact,
            needs_parens: !bare_or_fits(call),
        });
    }

    /// The one queryset `node` holds: rows of a model in this file, not of a relation,
    /// with nothing applied we cannot see.
    fn only_queryset(&mut self, node: Node<'a>, env: &Env) -> Option<Qs> {
        let values = self.eval(node, env);
        let [Value::Qs(qs)] = values.as_slice() else {
            return None;
        };
        let plain = qs.origin.is_some()
            && qs.prefix.is_empty()
            && !qs.per_row
            && !qs.related
            && !qs.applied.values
            && !qs.applied.unknown
            && !qs.iterator_without_chunk;
        plain.then(|| qs.clone())
    }

    /// `node` is a name or a chain of calls on one, without a slice or a call after
    /// which `filter()` or `aggregate()` means something else; a name, in every
    /// assignment of it in `scope`.
    fn aggregatable_chain(&self, node: Node<'a>, scope: Node<'a>) -> bool {
        let mut current = node;
        loop {
            match current.kind() {
                "identifier" if current == node => {
                    let name = self.file.text(node);
                    return assignments_of(scope, name, self.src())
                        // A name given another name's value is not followed further.
                        .all(|right| {
                            right.kind() != "identifier" && self.aggregatable_chain(right, scope)
                        });
                }
                "identifier" => return true,
                "call" => match current.child_by_field_id(FIELDS.function) {
                    Some(function) if function.kind() == "attribute" => current = function,
                    _ => return false,
                },
                "attribute" => {
                    let (Some(object), Some(attribute)) = (
                        current.child_by_field_id(FIELDS.object),
                        current.child_by_field_id(FIELDS.attribute),
                    ) else {
                        return false;
                    };
                    if UNAGGREGATABLE.contains(&self.file.text(attribute)) {
                        return false;
                    }
                    current = object;
                }
                _ => return false,
            }
        }
    }

    /// `o.price`: the field of `model` read on the row `var`, when its column is known.
    fn column_of<'m>(
        &self,
        node: Node<'a>,
        var: &str,
        model: &'m Model,
    ) -> Option<(&'m Field, Column)> {
        if node.kind() != "attribute" {
            return None;
        }
        let object = node.child_by_field_id(FIELDS.object)?;
        let attribute = node.child_by_field_id(FIELDS.attribute)?;
        if object.kind() != "identifier" || self.file.text(object) != var {
            return None;
        }
        let name = self.file.text(attribute);
        if model.is_unread(name) {
            return None;
        }
        let field = model.fields.iter().find(|f| f.name == name)?;
        Some((field, column(field)?))
    }

    /// The `filter()` keywords that keep the rows `test` keeps, for the tests a column
    /// answers alone (`o.paid`, `not o.paid`, `o.total > limit`, `o.note is None`,
    /// `o.status in ("a", "b")`, joined by `and`); `None` for anything else.
    fn filters_of(&self, test: Node<'a>, var: &str, model: &Model) -> Option<Filters> {
        let src = self.src();
        match test.kind() {
            "parenthesized_expression" => self.filters_of(test.named_child(0)?, var, model),
            "boolean_operator" => {
                let operator = test.child_by_field_id(FIELDS.operator)?;
                if text(operator, src) != "and" {
                    return None;
                }
                let left = self.filters_of(test.child_by_field_id(FIELDS.left)?, var, model)?;
                let right = self.filters_of(test.child_by_field_id(FIELDS.right)?, var, model)?;
                Some(Filters {
                    keywords: [left.keywords, right.keywords].concat(),
                    exact: left.exact && right.exact,
                })
            }
            "attribute" => {
                let (field, column) = self.column_of(test, var, model)?;
                (column == Column::Boolean).then(|| Filters {
                    keywords: vec![format!("{}=True", field.name)],
                    exact: true,
                })
            }
            "not_operator" => {
                let (field, column) =
                    self.column_of(test.child_by_field_id(FIELDS.argument)?, var, model)?;
                // `not None` is true in Python; `filter(paid=False)` leaves NULL out.
                (column == Column::Boolean).then(|| Filters {
                    keywords: vec![format!("{}=False", field.name)],
                    exact: !field.null,
                })
            }
            "comparison_operator" => self.compared(test, var, model),
            _ => None,
        }
    }

    /// `o.total > limit`, `limit < o.total`, `o.note is None`, `o.status in (...)`.
    fn compared(&self, test: Node<'a>, var: &str, model: &Model) -> Option<Filters> {
        let src = self.src();
        let mut cursor = test.walk();
        let operands: Vec<Node<'a>> = test.named_children(&mut cursor).collect();
        let [first, second] = operands.as_slice() else {
            return None;
        };
        let operator: String = {
            let mut c = test.walk();
            let ops: Vec<&str> = test
                .children_by_field_name("operators", &mut c)
                .map(|n| text(n, src))
                .collect();
            ops.join(" ")
        };
        let (field, column, value, operator) = match (
            self.column_of(*first, var, model),
            self.column_of(*second, var, model),
        ) {
            (Some((field, column)), None) => (field, column, *second, operator.clone()),
            (None, Some((field, column))) if operator != "in" => {
                (field, column, *first, flip(&operator).to_string())
            }
            _ => return None,
        };
        if !self.constant_for_rows(value, var) {
            return None;
        }
        let value_text = text(value, src);
        let ordered = matches!(column, Column::Integer | Column::Inexact | Column::Temporal);
        let (lookup, exact) = match operator.as_str() {
            "is" | "is not" if value.kind() == "none" => {
                let negated = operator == "is not";
                return Some(Filters {
                    keywords: vec![format!(
                        "{}__isnull={}",
                        field.name,
                        if negated { "False" } else { "True" }
                    )],
                    exact: true,
                });
            }
            "==" if value.kind() != "none" => ("", column != Column::Text),
            "in" if matches!(value.kind(), "tuple" | "list" | "set") => {
                ("__in", column != Column::Text)
            }
            // Python raises comparing `None` with a number; SQL leaves NULL out.
            ">" if ordered => ("__gt", !field.null),
            ">=" if ordered => ("__gte", !field.null),
            "<" if ordered => ("__lt", !field.null),
            "<=" if ordered => ("__lte", !field.null),
            _ => return None,
        };
        Some(Filters {
            keywords: vec![format!("{}{lookup}={value_text}", field.name)],
            exact,
        })
    }

    /// `value` is the same for every row and evaluated without calling anything: a
    /// literal, a name other than the row, an attribute of one, a literal collection.
    fn constant_for_rows(&self, value: Node<'a>, var: &str) -> bool {
        descendants(value).all(|n| match n.kind() {
            "identifier" => self.file.text(n) != var,
            "call"
            | "interpolation"
            | "lambda"
            | "await"
            | "subscript"
            | "list_comprehension"
            | "generator_expression"
            | "named_expression" => false,
            _ => true,
        })
    }
}

/// `x or 0` may take the place of `call` without parentheses.
fn bare_or_fits(call: Node<'_>) -> bool {
    call.parent().is_some_and(|parent| {
        matches!(
            parent.kind(),
            "assignment"
                | "augmented_assignment"
                | "return_statement"
                | "expression_statement"
                | "argument_list"
                | "keyword_argument"
                | "pair"
                | "list"
                | "tuple"
                | "parenthesized_expression"
        )
    })
}
