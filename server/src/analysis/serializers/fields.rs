//! A serializer's fields: those declared in its body (`author = AuthorSerializer()`,
//! `name = serializers.CharField(source="author.name")`) and those a `ModelSerializer`
//! builds for its model's fields, each as what it reads of the instance.

use tree_sitter::Node;

use crate::index::{Attribute, FieldKind, ModelId, ReverseKind};
use crate::syntax::node::{call_args, dotted_name, string_value, text};
use crate::syntax::uses::Use;

use super::{Class, Gap, GapReason, MAX_NESTING, Read, ReadKind, Summarizer};

/// DRF's fields that read one value at their source and render it without reading
/// anything more of it (`CharField` is apart: it renders with `str()`).
const VALUE_FIELDS: [&str; 25] = [
    "BooleanField",
    "NullBooleanField",
    "EmailField",
    "RegexField",
    "SlugField",
    "URLField",
    "UUIDField",
    "IPAddressField",
    "IntegerField",
    "FloatField",
    "DecimalField",
    "DateTimeField",
    "DateField",
    "TimeField",
    "DurationField",
    "ChoiceField",
    "MultipleChoiceField",
    "FilePathField",
    "FileField",
    "ImageField",
    "ListField",
    "DictField",
    "HStoreField",
    "JSONField",
    "ReadOnlyField",
];

/// A field declared in a serializer's body.
#[derive(Debug, Clone)]
pub(super) enum Declared {
    /// A field class DRF ships, by its name (`CharField`).
    Drf { class: String, options: Options },
    /// A serializer class of the project.
    Nested {
        module: String,
        class: String,
        options: Options,
    },
    /// A class we do not read, or arguments we do not.
    Unknown(String),
}

/// The arguments of a field that say what it reads.
#[derive(Debug, Clone, Default)]
pub(super) struct Options {
    /// `source=`: `None` for the field's own name.
    source: Option<String>,
    many: bool,
    write_only: bool,
    slug_field: Option<String>,
    lookup_field: Option<String>,
    method_name: Option<String>,
}

/// The field the call `call` (the value of a class attribute of `module`) declares.
pub(super) fn declared(
    summarizer: &Summarizer<'_>,
    module: &str,
    call: Node<'_>,
    src: &str,
) -> Declared {
    let written = call.child_by_field_id(crate::syntax::fields::FIELDS.function);
    let Some(dotted) = written.and_then(|f| dotted_name(f, src)) else {
        return Declared::Unknown(text(call, src).to_string());
    };
    let callee = dotted.join(".");
    let Some(options) = options(call, src) else {
        return Declared::Unknown(callee);
    };
    if let Some(path) = summarizer.external(module, &dotted) {
        let drf = [
            "rest_framework.serializers.",
            "rest_framework.fields.",
            "rest_framework.relations.",
        ];
        return match drf.iter().find_map(|p| path.strip_prefix(p)) {
            Some(class) => Declared::Drf {
                class: class.to_string(),
                options,
            },
            None => Declared::Unknown(callee),
        };
    }
    match summarizer.class_named(module, &dotted) {
        Some((module, class)) => Declared::Nested {
            module,
            class,
            options,
        },
        None => Declared::Unknown(callee),
    }
}

/// The options of a field call; `None` when one that matters is not a literal.
fn options(call: Node<'_>, src: &str) -> Option<Options> {
    let args = call_args(call, src);
    let mut options = Options::default();
    let string = |node: Node<'_>| string_value(node, src).map(str::to_string);
    let flag = |node: Node<'_>| match text(node, src) {
        "True" => Some(true),
        "False" => Some(false),
        _ => None,
    };
    for (name, value) in &args.keywords {
        match name.as_str() {
            "source" => options.source = Some(string(*value)?),
            "many" => options.many = flag(*value)?,
            "write_only" => options.write_only = flag(*value)?,
            "slug_field" => options.slug_field = Some(string(*value)?),
            "lookup_field" => options.lookup_field = Some(string(*value)?),
            "method_name" => options.method_name = Some(string(*value)?),
            _ => {}
        }
    }
    // `SerializerMethodField("get_x")`: the only positional argument a field takes
    // that matters here.
    match args.positional[..] {
        [] => {}
        [name] => options.method_name = Some(string(name)?),
        _ => return None,
    }
    Some(options)
}

/// Each read prefixed with `path`.
fn under(path: &[String], reads: Vec<Read>) -> impl Iterator<Item = Read> {
    reads.into_iter().map(move |read| Read {
        path: path.iter().cloned().chain(read.path).collect(),
        ..read
    })
}

/// What the field `field`, a nested serializer of the relation at `path` reading
/// `inner` of each related object, reads: the related rows (`many`), or the related
/// object and what is read of it.
fn nested_reads(field: &str, path: Vec<String>, many: bool, inner: Vec<Read>, out: &mut Vec<Read>) {
    let inner: Vec<Read> = inner
        .into_iter()
        .map(|r| Read {
            field: field.to_string(),
            ..r
        })
        .collect();
    if many {
        out.push(Read {
            field: field.to_string(),
            path,
            kind: ReadKind::Rows(inner),
        });
        return;
    }
    if !path.is_empty() {
        out.push(Read {
            field: field.to_string(),
            path: path.clone(),
            kind: ReadKind::Value,
        });
    }
    out.extend(under(&path, inner));
}

impl Summarizer<'_> {
    /// What the declared field `field` of the serializer `class` reads.
    pub(super) fn declared_reads(
        &mut self,
        class: &Class,
        field: &str,
        declared: &Declared,
        methods: &[(String, Option<Vec<Use>>)],
        out: &mut Vec<Read>,
    ) -> Result<(), Gap> {
        let unknown = |what: &str| self.gap(&class.name, GapReason::Field(what.to_string()));
        let options = match declared {
            Declared::Drf { options, .. } | Declared::Nested { options, .. } => options,
            Declared::Unknown(what) => return Err(unknown(what)),
        };
        if options.write_only {
            return Ok(());
        }
        let source = options.source.as_deref().unwrap_or(field);
        let path: Vec<String> = match source {
            "*" => Vec::new(),
            source => source.split('.').map(str::to_string).collect(),
        };
        let read = |path: Vec<String>, kind| Read {
            field: field.to_string(),
            path,
            kind,
        };
        let many = options.many;
        match declared {
            Declared::Nested {
                module,
                class: nested,
                ..
            } => {
                let inner = self.serializer(module, nested)?.reads;
                nested_reads(field, path, many, inner, out);
            }
            Declared::Drf { class: drf, .. } => {
                let lookup = options.lookup_field.as_deref().unwrap_or("pk");
                match drf.as_str() {
                    "SerializerMethodField" => {
                        let default = format!("get_{field}");
                        let name = options.method_name.as_deref().unwrap_or(&default);
                        let uses = methods
                            .iter()
                            .find(|(m, _)| m == name)
                            .and_then(|(_, uses)| uses.clone())
                            .ok_or_else(|| {
                                self.gap(&class.name, GapReason::NoMethod(name.to_string()))
                            })?;
                        out.push(read(Vec::new(), ReadKind::Method(uses)));
                        return Ok(());
                    }
                    "HiddenField" => return Ok(()),
                    // The instance itself, read for the lookup field.
                    "HyperlinkedIdentityField" if options.source.is_none() => {
                        if lookup != "pk" {
                            out.push(read(vec![lookup.to_string()], ReadKind::Value));
                        }
                        return Ok(());
                    }
                    // `str()` of the value.
                    "CharField" if !many => {
                        out.push(read(path, ReadKind::Text));
                        return Ok(());
                    }
                    name if VALUE_FIELDS.contains(&name) && !many => {
                        out.push(read(path, ReadKind::Value));
                        return Ok(());
                    }
                    _ => {}
                }
                // A related field: what each related object is read for; `None` for
                // its primary key alone.
                let each = match drf.as_str() {
                    "PrimaryKeyRelatedField" => None,
                    "HyperlinkedRelatedField" if lookup == "pk" => None,
                    "HyperlinkedRelatedField" => Some((vec![lookup.to_string()], ReadKind::Value)),
                    "StringRelatedField" => Some((Vec::new(), ReadKind::Text)),
                    "SlugRelatedField" => {
                        let slug = options.slug_field.clone().ok_or_else(|| unknown(drf))?;
                        Some((vec![slug], ReadKind::Value))
                    }
                    other => return Err(unknown(other)),
                };
                match (many, each) {
                    (false, None) => out.push(read(path, ReadKind::Pk)),
                    (false, Some((inner, kind))) => {
                        if !inner.is_empty() {
                            out.push(read(path.clone(), ReadKind::Value));
                        }
                        out.push(read(path.into_iter().chain(inner).collect(), kind));
                    }
                    (true, None) => out.push(read(path, ReadKind::Rows(Vec::new()))),
                    (true, Some((inner, kind))) => {
                        out.push(read(path, ReadKind::Rows(vec![read(inner, kind)])));
                    }
                }
            }
            Declared::Unknown(_) => {}
        }
        Ok(())
    }

    /// What the field a `ModelSerializer` builds for `name` of `model` reads, relations
    /// nested `depth` levels.
    pub(super) fn model_field_reads(
        &mut self,
        model: ModelId,
        name: &str,
        depth: usize,
        out: &mut Vec<Read>,
    ) -> Result<(), Gap> {
        let read = |path: Vec<String>, kind| Read {
            field: name.to_string(),
            path,
            kind,
        };
        let path = vec![name.to_string()];
        let model_name = self.index().model(model).name.clone();
        if depth > MAX_NESTING {
            return Err(self.gap(&model_name, GapReason::TooDeep));
        }
        let index = self.index();
        let (target, many) = match index.attribute(model, name) {
            Some(Attribute::Field(field)) => match &field.kind {
                FieldKind::ForeignKey(r) | FieldKind::OneToOne(r) => (r.target.id(), false),
                FieldKind::ManyToMany(r) => (r.target.id(), true),
                FieldKind::Plain | FieldKind::GenericForeignKey | FieldKind::GenericRelation(_) => {
                    out.push(read(path, ReadKind::Value));
                    return Ok(());
                }
            },
            Some(Attribute::Reverse(reverse)) => match reverse.kind {
                // DRF's pk-only reading of a reverse one-to-one is not checked: say
                // nothing of it.
                ReverseKind::OneToOne if depth == 0 => return Ok(()),
                ReverseKind::OneToOne => (Some(reverse.source), false),
                ReverseKind::ForeignKey | ReverseKind::ManyToMany | ReverseKind::Generic => {
                    (Some(reverse.source), true)
                }
            },
            _ => {
                out.push(read(path, ReadKind::Value));
                return Ok(());
            }
        };
        if depth == 0 {
            let kind = if many {
                ReadKind::Rows(Vec::new())
            } else {
                ReadKind::Pk
            };
            out.push(read(path, kind));
            return Ok(());
        }
        // A nested serializer of all the target's fields, one level less deep.
        let Some(target) = target else {
            return Err(self.gap(&model_name, GapReason::Field(name.to_string())));
        };
        let mut inner = Vec::new();
        for field in super::meta::model_field_names(index, target) {
            self.model_field_reads(target, &field, depth - 1, &mut inner)?;
        }
        nested_reads(name, path, many, inner, out);
        Ok(())
    }
}
