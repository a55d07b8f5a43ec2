//! Which columns a model's declarations give a database index: the field's own options
//! and the entries of `Meta.indexes`, `constraints`, `unique_together` and
//! `index_together`. An index over several columns serves lookups on a later one only
//! with the earlier ones filtered too; whether they are cannot be told from one lookup,
//! so every column of an entry counts as indexed (silence, not a guess).

use tree_sitter::Node;

use crate::syntax::fields::FIELDS;
use crate::syntax::node::{call_args, dotted_name, string_value};

/// What a field's own options say about an index on its column.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum FieldIndex {
    /// No option about it: the field class decides (a foreign key is indexed).
    #[default]
    Default,
    /// `db_index=True`, `unique=True` or `primary_key=True`.
    Indexed,
    /// `db_index=False`.
    NotIndexed,
    /// One of those options is given a value we cannot read, or the field takes
    /// `choices`: whether an index serves it depends on the data.
    Unknown,
}

/// The index options given to a field call, from its keyword arguments.
pub(super) fn field_index(keyword: impl Fn(&str) -> Option<String>) -> FieldIndex {
    // A column of a few values (`choices`) is served by an index only for the rare
    // ones; which those are is the data's secret.
    if keyword("choices").is_some() {
        return FieldIndex::Unknown;
    }
    let options = ["db_index", "unique", "primary_key"].map(|k| (k, keyword(k)));
    if options
        .iter()
        .any(|(_, v)| v.as_deref().is_some_and(|v| v != "True" && v != "False"))
    {
        return FieldIndex::Unknown;
    }
    let is = |value: &str| options.iter().any(|(_, v)| v.as_deref() == Some(value));
    if is("True") {
        FieldIndex::Indexed
    } else if options[0].1.as_deref() == Some("False") {
        FieldIndex::NotIndexed
    } else {
        FieldIndex::Default
    }
}

/// The columns of the indexes a `Meta` option declares, added to `columns`;
/// `false` when an entry cannot be read (an index class we do not know, a partial or
/// expression index, a value that is not a literal list).
pub(super) fn indexed_columns(
    option: &str,
    value: Node<'_>,
    source: &str,
    columns: &mut Vec<String>,
) -> bool {
    match option {
        "indexes" | "constraints" => {
            let Some(entries) = sequence(value) else {
                return false;
            };
            entries
                .into_iter()
                .all(|entry| declared_entry(entry, source, columns))
        }
        "unique_together" | "index_together" => {
            let Some(entries) = sequence(value) else {
                return false;
            };
            // `("a", "b")` alone, or a list of such tuples.
            if entries.iter().all(|e| e.kind() == "string") {
                return push_all(&entries, source, columns);
            }
            entries
                .into_iter()
                .all(|entry| sequence(entry).is_some_and(|names| push_all(&names, source, columns)))
        }
        _ => true,
    }
}

/// `models.Index(fields=[...])` or `models.UniqueConstraint(fields=[...])`, whole (no
/// `condition`, no expressions); a `CheckConstraint` declares no index.
fn declared_entry(entry: Node<'_>, source: &str, columns: &mut Vec<String>) -> bool {
    if entry.kind() != "call" {
        return false;
    }
    let Some(class) = entry
        .child_by_field_id(FIELDS.function)
        .and_then(|f| dotted_name(f, source))
        .and_then(|d| d.last().cloned())
    else {
        return false;
    };
    let args = call_args(entry, source);
    match class.as_str() {
        "CheckConstraint" => true,
        "Index" | "UniqueConstraint" => {
            if args.has_splat
                || !args.positional.is_empty()
                || args.keyword("condition").is_some()
                || args.keyword("expressions").is_some()
            {
                return false;
            }
            args.keyword("fields")
                .and_then(sequence)
                .is_some_and(|names| push_all(&names, source, columns))
        }
        _ => false,
    }
}

fn push_all(names: &[Node<'_>], source: &str, columns: &mut Vec<String>) -> bool {
    names.iter().all(|n| match string_value(*n, source) {
        Some(name) => {
            columns.push(name.trim_start_matches('-').to_string());
            true
        }
        None => false,
    })
}

/// The elements of a list or tuple literal.
fn sequence(node: Node<'_>) -> Option<Vec<Node<'_>>> {
    let node = match node.kind() {
        "parenthesized_expression" => node.named_child(0)?,
        _ => node,
    };
    if !matches!(node.kind(), "list" | "tuple") {
        return None;
    }
    let mut cursor = node.walk();
    let items: Vec<Node<'_>> = node
        .named_children(&mut cursor)
        .filter(|n| n.kind() != "comment")
        .collect();
    Some(items)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::extract::{FileFacts, extract};
    use crate::syntax::SourceFile;

    fn facts(source: &str) -> FileFacts {
        extract(&SourceFile::new("shop/models.py".into(), source).in_module("shop.models".into()))
    }

    fn meta(options: &str) -> Option<Vec<String>> {
        let source = format!(
            "from django.db import models\n\nclass Order(models.Model):\n    a = models.CharField()\n\n    class Meta:\n{options}"
        );
        facts(&source).classes[0]
            .meta
            .as_ref()
            .unwrap()
            .indexed
            .clone()
    }

    fn strings(names: &[&str]) -> Option<Vec<String>> {
        Some(names.iter().map(|n| n.to_string()).collect())
    }

    #[test]
    fn field_options_say_whether_the_column_is_indexed() {
        let source = "from django.db import models\n\nclass Order(models.Model):\n    \
            a = models.CharField(db_index=True)\n    \
            b = models.CharField(unique=True)\n    \
            c = models.CharField(primary_key=True)\n    \
            d = models.ForeignKey(X, models.CASCADE, db_index=False)\n    \
            e = models.CharField()\n    \
            f = models.CharField(db_index=INDEXED)\n    \
            g = models.CharField(choices=KINDS)\n    \
            h = models.CharField(unique=False)\n";
        let facts = facts(source);
        let index: Vec<FieldIndex> = facts.classes[0].fields.iter().map(|f| f.index).collect();
        assert_eq!(
            index,
            [
                FieldIndex::Indexed,
                FieldIndex::Indexed,
                FieldIndex::Indexed,
                FieldIndex::NotIndexed,
                FieldIndex::Default,
                FieldIndex::Unknown,
                FieldIndex::Unknown,
                FieldIndex::Default,
            ]
        );
    }

    #[test]
    fn meta_options_name_their_columns() {
        assert_eq!(meta("        ordering = [\"a\"]\n"), strings(&[]));
        assert_eq!(
            meta("        indexes = [models.Index(fields=[\"a\", \"-b\"], name=\"x\")]\n"),
            strings(&["a", "b"])
        );
        assert_eq!(
            meta(
                "        constraints = [\n            models.UniqueConstraint(fields=(\"c\",), name=\"u\"),\n            models.CheckConstraint(condition=models.Q(a=1), name=\"k\"),\n        ]\n"
            ),
            strings(&["c"])
        );
        assert_eq!(
            meta("        unique_together = (\"a\", \"d\")\n"),
            strings(&["a", "d"])
        );
        assert_eq!(
            meta("        index_together = [(\"e\", \"f\"), [\"g\"]]\n"),
            strings(&["e", "f", "g"])
        );
    }

    #[test]
    fn meta_options_we_cannot_read_leave_every_column_unknown() {
        for options in [
            "        indexes = INDEXES\n",
            "        indexes = [models.Index(Lower(\"a\"), name=\"x\")]\n",
            "        indexes = [models.Index(fields=[\"a\"], condition=models.Q(b=1), name=\"x\")]\n",
            "        indexes = [GinIndex(fields=[\"a\"], name=\"x\")]\n",
            "        constraints = [models.UniqueConstraint(Lower(\"a\"), name=\"u\")]\n",
            "        unique_together = [(\"a\", NAME)]\n",
            "        indexes = [*BASE_INDEXES]\n",
        ] {
            assert_eq!(meta(options), None, "{options}");
        }
    }
}
