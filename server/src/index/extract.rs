//! Per-file extraction: everything the index needs from one file, read in one pass and
//! independent of every other file, so a changed file is re-read alone.

use std::path::PathBuf;

use streaming_iterator::StreamingIterator;
use tree_sitter::{Node, QueryCursor};

use super::imports::{ImportMap, package_of};
use super::model::{Applied, MethodKind};
use super::model_refs::{FunctionFacts, Locals, ValueExpr, function_facts, value_expr};
use super::queryset_api;
use crate::syntax::fields::FIELDS;
use crate::syntax::node::{
    call_args, dotted_name, nested_beyond, parameter_names, string_value, text, undecorated,
    whole_definitions,
};
use crate::syntax::queries::DEFINITIONS;
use crate::syntax::uses::{Use, uses_of};
use crate::syntax::{self, SourceFile, branches, scan};
use crate::text::TextRange;
pub use indexes::FieldIndex;

mod blocks;
mod indexes;
mod settings;
mod signals;

pub use settings::{Backend, EngineNames, EngineSettings, TemplateSettings};
pub use signals::ReceiverFacts;

/// What one file contributes to the index.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Default, PartialEq)]
pub struct FileFacts {
    pub path: PathBuf,
    pub module: String,
    pub is_package: bool,
    pub imports: ImportMap,
    /// Module-level classes, in source order.
    pub classes: Vec<ClassFacts>,
    /// Module-level `NAME = ...` assignments the index understands.
    pub aliases: Vec<AliasFacts>,
    /// `label` (else the last part of `name`) of an `AppConfig` subclass, in `apps.py`.
    pub app_config_label: Option<String>,
    /// `AUTH_USER_MODEL = "app.Model"` in a settings module.
    pub auth_user_model: Option<String>,
    /// `NAME = "string"` in a settings module (`WAGTAILIMAGES_IMAGE_MODEL`).
    pub settings: Vec<(String, String)>,
    /// `TEMPLATES`, `TEMPLATE_DIRS` and `INSTALLED_APPS` in a settings module.
    pub templates: TemplateSettings,
    /// Names assigned in a module-level `if`/`try` block and again elsewhere, with
    /// values that differ or that we cannot read: which one holds depends on the run.
    pub unsettled: Vec<String>,
    /// Module-level functions whose returns may name a model (a loader wrapping
    /// `apps.get_model`, a swappable getter): those whose name mentions a model.
    pub functions: Vec<FunctionFacts>,
    /// Receivers of model signals connected in the module (`@receiver(post_save, ...)`).
    pub receivers: Vec<ReceiverFacts>,
    /// Whose code the file is.
    pub origin: Origin,
}

/// Whose code a file is: the project's, checked and reported on, or code it uses, read
/// for what it declares and never reported on.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Origin {
    #[default]
    Project,
    /// Django itself: the contrib models ormhint describes as stubs.
    Django,
    /// A package installed in the project's Python environment (site-packages).
    Installed,
}

impl FileFacts {
    /// The same facts apart from where the classes and fields are: an edit above a
    /// class only moves it. Nothing the analysis reads depends on those places.
    pub fn same_apart_from_places(&self, other: &FileFacts) -> bool {
        self.classes.len() == other.classes.len() && self.placeless() == other.placeless()
    }

    /// The same facts with every place of a class or field left out.
    pub fn placeless(&self) -> FileFacts {
        let mut facts = self.clone();
        for class in &mut facts.classes {
            class.range = TextRange::default();
            for field in &mut class.fields {
                field.range = TextRange::default();
            }
        }
        facts
    }

    pub fn class(&self, name: &str) -> Option<&ClassFacts> {
        self.classes.iter().find(|c| c.name == name)
    }

    pub fn alias(&self, name: &str) -> Option<&AliasFacts> {
        self.aliases.iter().find(|a| a.name == name)
    }

    pub fn function(&self, name: &str) -> Option<&FunctionFacts> {
        self.functions.iter().find(|f| f.name == name)
    }

    /// The value a settings module gives `name`.
    pub fn setting(&self, name: &str) -> Option<&str> {
        self.settings
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The module defines `name` itself (a class, an alias or a function we understand,
    /// or a name whose value depends on the run).
    pub fn defines(&self, name: &str) -> bool {
        self.class(name).is_some()
            || self.alias(name).is_some()
            || self.function(name).is_some()
            || self.unsettled.iter().any(|n| n == name)
    }

    /// A settings module of the project: `settings.py`, or any file of a `settings/`
    /// package.
    pub fn is_settings(&self) -> bool {
        self.origin == Origin::Project
            && (self.path.file_name().is_some_and(|n| n == "settings.py")
                || self
                    .path
                    .parent()
                    .is_some_and(|p| p.components().any(|c| c.as_os_str() == "settings")))
    }
}

#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq)]
pub struct AliasFacts {
    pub name: String,
    pub value: AliasValue,
}

#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub enum AliasValue {
    /// `User = get_user_model()`.
    UserModel,
    /// `PostManager = models.Manager.from_queryset(PostQuerySet)`.
    FromQueryset {
        manager: Vec<String>,
        queryset: Vec<String>,
    },
    /// `Product = get_model("catalogue", "Product")`, `Image = get_image_model()`: a
    /// call of a function whose name mentions a model; `get_model = apps.get_model`:
    /// such a function.
    Model(ValueExpr),
}

#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Default, PartialEq)]
pub struct ClassFacts {
    pub name: String,
    /// The class name.
    pub range: TextRange,
    /// Base classes, in order.
    pub bases: Vec<BaseExpr>,
    pub fields: Vec<FieldFacts>,
    /// The inner `class Meta`, when declared.
    pub meta: Option<MetaFacts>,
    /// `name = <call>` assignments that are not fields: manager candidates.
    pub managers: Vec<ManagerFacts>,
    pub methods: Vec<MethodFacts>,
    /// Class attributes assigned a plain string (`label = "orders"` of an AppConfig).
    pub strings: Vec<(String, String)>,
    /// Bound by more than one statement of the module (in `if`/`try` blocks): which one
    /// holds is unknown, so nothing else is recorded.
    pub ambiguous: bool,
    /// The class's decorators, as written (`hierarkey.add` of `@hierarkey.add()`;
    /// empty for one that is not a dotted name or a call of one).
    pub decorators: Vec<Vec<String>>,
}

/// A base class as written.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub enum BaseExpr {
    /// `models.Model`, `PostManager`.
    Name(Vec<String>),
    /// `models.Manager.from_queryset(PostQuerySet)`: a manager class made on the spot.
    FromQueryset {
        manager: Vec<String>,
        queryset: Vec<String>,
    },
    /// Anything else (`Generic[T]`, `make_base()`).
    Other,
}

impl BaseExpr {
    pub fn name(&self) -> Option<&[String]> {
        match self {
            BaseExpr::Name(dotted) => Some(dotted),
            BaseExpr::FromQueryset { .. } | BaseExpr::Other => None,
        }
    }
}

#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Default, PartialEq)]
pub struct MetaFacts {
    pub is_abstract: bool,
    pub proxy: bool,
    pub app_label: Option<String>,
    /// `ordering` declared: `Some(false)` for an empty list.
    pub ordering: Option<bool>,
    /// `class Meta(Base.Meta)`: inherits the abstract parent's options.
    pub has_bases: bool,
    /// The columns of `indexes`, `constraints`, `unique_together` and
    /// `index_together`; `None` when one of them cannot be read.
    pub indexed: Option<Vec<String>>,
    /// `managed` set to anything but `True`: migrations leave its table alone.
    pub unmanaged: bool,
    /// Sets an option only a model's Meta has (`db_table`, `verbose_name`, ...) and
    /// none a form's or serializer's has (`model`, `fields`, `exclude`).
    pub model_options: bool,
}

/// Options of a model's `Meta` that forms, serializers, filters, tables and graphene
/// types do not use (`abstract`, `permissions`, `ordering` and `verbose_name` are theirs
/// too).
const MODEL_ONLY_OPTIONS: &[&str] = &[
    "base_manager_name",
    "constraints",
    "db_table",
    "db_table_comment",
    "db_tablespace",
    "default_manager_name",
    "default_related_name",
    "get_latest_by",
    "index_together",
    "indexes",
    "managed",
    "order_with_respect_to",
    "required_db_features",
    "required_db_vendor",
    "select_on_save",
    "swappable",
    "unique_together",
    "verbose_name_plural",
];

#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldCall {
    Plain,
    ForeignKey,
    OneToOne,
    ManyToMany,
    GenericForeignKey,
    GenericRelation,
}

#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq)]
pub struct FieldFacts {
    pub name: String,
    pub range: TextRange,
    /// The field class as written (`models.CharField`, `TreeForeignKey`).
    pub callee: Vec<String>,
    pub call: FieldCall,
    pub target: Option<TargetExpr>,
    pub through: Option<TargetExpr>,
    pub null: bool,
    pub primary_key: bool,
    pub related_name: Option<String>,
    pub related_query_name: Option<String>,
    /// `to_field=` of a foreign key: the `_id` column then holds that field, not the pk.
    pub to_field: Option<String>,
    /// `symmetrical=` of a many-to-many, when written as a literal.
    pub symmetrical: Option<bool>,
    /// `auto_now=True`: `save()` sets it, `update()` and `bulk_update()` do not.
    pub auto_now: bool,
    /// What `db_index`, `unique` and `primary_key` say about an index on the column.
    pub index: FieldIndex,
}

/// How a relation names its target model.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub enum TargetExpr {
    /// `"Post"`, `"blog.Post"`, `"self"`.
    Str(String),
    /// `Post`, `models.Post`, `settings.AUTH_USER_MODEL`.
    Name(Vec<String>),
    /// `get_user_model()`.
    UserModel,
    /// Anything else, as written.
    Other(String),
}

#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq)]
pub struct ManagerFacts {
    pub name: String,
    pub expr: ManagerExpr,
    /// The target a call we do not know as a field names when it looks like a relation
    /// (`ParentalKey("Workflow", on_delete=...)`): that model may have a reverse
    /// relation we cannot see.
    pub relation_to: Option<TargetExpr>,
}

#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub enum ManagerExpr {
    /// `PostManager()`, `models.Manager()`.
    Call(Vec<String>),
    /// `PostQuerySet.as_manager()`.
    AsManager(Vec<String>),
    /// `PostManager.from_queryset(PostQuerySet)()`.
    FromQueryset {
        manager: Vec<String>,
        queryset: Vec<String>,
    },
}

#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq)]
pub struct MethodFacts {
    pub name: String,
    pub kind: MethodKind,
    pub self_uses: Vec<Use>,
    /// Read as a manager or queryset method.
    pub queryset: QuerysetFacts,
}

/// What a method does when read as a manager or queryset method.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Default, PartialEq, Eq)]
pub struct QuerysetFacts {
    /// Every `return` returns a queryset chain on `self` (or `super()`), provided the
    /// methods in `calls` return querysets too.
    pub returns_queryset: bool,
    pub applied: Applied,
    /// Methods of the class itself called in the returned chains (`self.published()`).
    pub calls: Vec<String>,
    /// Methods called on a queryset the chains already hold
    /// (`self.get_queryset().published()`, `qs.published()`): methods of the queryset
    /// class, which on a manager is not the class itself.
    pub queryset_calls: Vec<String>,
    /// Where the returned chains start.
    pub start: ChainStart,
}

/// Where a method's returned queryset chains start.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Default, PartialEq, Eq)]
pub enum ChainStart {
    /// On `self` or `super()` (or names holding chains on them).
    #[default]
    Inherited,
    /// On a new instance of a queryset class: `PostQuerySet(self.model, using=self._db)`.
    Fresh(Vec<String>),
    /// Chains start in different places.
    Mixed,
}

/// Reads `file`. Never fails: unreadable parts are left out.
pub fn extract(file: &SourceFile) -> FileFacts {
    let package = package_of(&file.module, file.is_package_init());
    let mut facts = FileFacts {
        path: file.path.clone(),
        module: file.module.clone(),
        is_package: file.is_package_init(),
        ..FileFacts::default()
    };
    // A file with no models and no ORM code contributes nothing, not even imports that
    // matter: it is not parsed.
    let file_name = file.path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if !scan::may_matter_to_index(file_name, &file.source) && !facts.is_settings() {
        return facts;
    }
    // The index reads nothing inside top-level functions: unless the file has its whole
    // tree already (an editor's buffer), only the rest of it is parsed.
    let declarations;
    let root = if file.parsed_tree().is_some() || file.is_patched() {
        file.tree().root_node()
    } else {
        declarations = syntax::parse_declarations(&file.source);
        declarations.root_node()
    };
    // Deeper than the walkers below can recurse: the file tells the index nothing (and
    // its analysis refuses it, saying why).
    if nested_beyond(root, syntax::MAX_NESTING) {
        return facts;
    }
    facts.imports = ImportMap::from_tree(root, &file.source, &package);
    if facts.is_settings() {
        facts.templates = settings::template_settings(root, &file.source, &file.path);
    }
    if scan::mentions_model_signal(&file.source) {
        facts.receivers = signals::receivers(root, &file.source);
    }
    if !needs_definitions(file) && !facts.is_settings() {
        return facts;
    }
    let source: &str = &file.source;
    let is_apps = file.path.file_name().is_some_and(|n| n == "apps.py");
    let mut cursor = QueryCursor::new();
    // Every pattern starts at the module node: no need to look deeper for a start.
    cursor.set_max_start_depth(Some(0));
    let mut matches = cursor.matches(&DEFINITIONS, root, source.as_bytes());
    let names = DEFINITIONS.capture_names();
    while let Some(m) = matches.next() {
        let mut name = None;
        let mut value = None;
        for capture in m.captures {
            match names[capture.index as usize] {
                "class" => facts.classes.push(class_facts(capture.node, source)),
                "name" => name = Some(text(capture.node, source)),
                "value" => value = Some(capture.node),
                _ => {}
            }
        }
        if let (Some(name), Some(value)) = (name, value) {
            module_assignment(&mut facts, name, value, source);
        }
    }
    let mut statements = root.walk();
    let mut nested = Vec::new();
    let mut block_names = Vec::new();
    for statement in root.named_children(&mut statements) {
        match statement.kind() {
            // A statement being typed can wrap the module in one ERROR node; the classes
            // before it are whole (see `whole_definitions`).
            "ERROR" => {
                for definition in whole_definitions(statement) {
                    let class = undecorated(definition);
                    if class.kind() == "class_definition" {
                        facts.classes.push(class_facts(class, source));
                    }
                }
            }
            "function_definition" | "decorated_definition" => {
                let def = undecorated(statement);
                if def.kind() == "function_definition"
                    && let Some(name) = def.child_by_field_id(FIELDS.name)
                    && mentions_model(text(name, source))
                    && let Some(function) = function_facts(def, source)
                {
                    facts.functions.retain(|f| f.name != function.name);
                    facts.functions.push(function);
                }
            }
            "if_statement" | "try_statement" => {
                blocks::definitions(&mut facts, &mut nested, &mut block_names, statement, source);
            }
            _ => {}
        }
    }
    blocks::add_classes(&mut facts, nested);
    facts.classes.sort_by_key(|class| class.range.start);
    if is_apps {
        facts.app_config_label = facts
            .classes
            .iter()
            .filter(|c| {
                c.bases
                    .iter()
                    .filter_map(BaseExpr::name)
                    .any(|b| b.last().is_some_and(|n| n.ends_with("AppConfig")))
            })
            .find_map(|c| {
                let get = |key: &str| c.strings.iter().find(|(k, _)| k == key).map(|(_, v)| v);
                get("label")
                    .cloned()
                    .or_else(|| get("name").map(|n| n.rsplit('.').next().unwrap_or(n).to_string()))
            });
    }
    facts
}

/// Only imports matter in a file without classes, settings, aliases or model getters.
fn needs_definitions(file: &SourceFile) -> bool {
    let source: &str = &file.source;
    file.is_package_init()
        || source.contains("class")
        || source.contains("AUTH_USER_MODEL")
        || source.contains("_model")
        || source.contains("from_queryset")
}

/// A function or callee whose name says it returns a model or names one
/// (`get_model`, `get_image_model`, `get_image_model_string`).
pub fn mentions_model(name: &str) -> bool {
    name.to_ascii_lowercase().contains("model")
}

fn module_assignment(facts: &mut FileFacts, name: &str, value: Node<'_>, source: &str) {
    if facts.is_settings()
        && let Some(string) = string_value(value, source)
    {
        if name == "AUTH_USER_MODEL" {
            facts.auth_user_model = Some(string.to_string());
        }
        facts.settings.retain(|(n, _)| n != name);
        facts.settings.push((name.to_string(), string.to_string()));
        return;
    }
    let alias = match target_expr(value, source) {
        TargetExpr::UserModel => Some(AliasValue::UserModel),
        // `Product = get_model("catalogue", "Product")`, and `get_model = apps.get_model`
        // (a function under another name).
        _ if value
            .child_by_field_id(FIELDS.function)
            .filter(|_| value.kind() == "call")
            .or(Some(value))
            .and_then(|f| dotted_name(f, source))
            .is_some_and(|callee| callee.last().is_some_and(|n| mentions_model(n))) =>
        {
            value_expr(value, source, &Locals::default()).map(AliasValue::Model)
        }
        _ => match manager_expr(value, source) {
            Some(ManagerExpr::AsManager(queryset)) => Some(AliasValue::FromQueryset {
                manager: Vec::new(),
                queryset,
            }),
            _ => from_queryset(value, source)
                .map(|(manager, queryset)| AliasValue::FromQueryset { manager, queryset }),
        },
    };
    if let Some(value) = alias {
        facts.aliases.retain(|a| a.name != name);
        facts.aliases.push(AliasFacts {
            name: name.to_string(),
            value,
        });
    }
}

fn class_facts(class: Node<'_>, source: &str) -> ClassFacts {
    let mut facts = ClassFacts::default();
    if let Some(decorated) = class
        .parent()
        .filter(|p| p.kind() == "decorated_definition")
    {
        let mut cursor = decorated.walk();
        facts.decorators = decorated
            .named_children(&mut cursor)
            .filter(|d| d.kind() == "decorator")
            .filter_map(|d| d.named_child(0))
            .map(|e| {
                let callee = match e.kind() {
                    "call" => e.child_by_field_id(FIELDS.function).unwrap_or(e),
                    _ => e,
                };
                dotted_name(callee, source).unwrap_or_default()
            })
            .collect();
    }
    if let Some(name) = class.child_by_field_id(FIELDS.name) {
        facts.name = text(name, source).to_string();
        facts.range = TextRange::of(name);
    }
    if let Some(bases) = class.child_by_field_id(FIELDS.superclasses) {
        let mut cursor = bases.walk();
        for base in bases.named_children(&mut cursor) {
            match base.kind() {
                "keyword_argument" | "comment" => {}
                _ => facts.bases.push(base_expr(base, source)),
            }
        }
    }
    let Some(body) = class.child_by_field_id(FIELDS.body) else {
        return facts;
    };
    let mut cursor = body.walk();
    for statement in body.named_children(&mut cursor) {
        match statement.kind() {
            "expression_statement" => {
                let Some(assignment) = statement
                    .named_child(0)
                    .filter(|a| a.kind() == "assignment")
                else {
                    continue;
                };
                class_assignment(&mut facts, assignment, source);
            }
            "class_definition" => {
                let is_meta = statement
                    .child_by_field_id(FIELDS.name)
                    .is_some_and(|n| text(n, source) == "Meta");
                if is_meta {
                    facts.meta = Some(meta_facts(statement, source));
                }
            }
            "function_definition" => {
                if let Some(method) = method_facts(statement, &[], source) {
                    facts.methods.push(method);
                }
            }
            "decorated_definition" => {
                let Some(def) = statement
                    .child_by_field_id(FIELDS.definition)
                    .filter(|d| d.kind() == "function_definition")
                else {
                    continue;
                };
                let mut inner = statement.walk();
                let decorators: Vec<Vec<String>> = statement
                    .named_children(&mut inner)
                    .filter(|d| d.kind() == "decorator")
                    .filter_map(|d| d.named_child(0))
                    .filter_map(|e| dotted_name(e, source))
                    .collect();
                if let Some(method) = method_facts(def, &decorators, source) {
                    facts.methods.push(method);
                }
            }
            _ => {}
        }
    }
    facts
}

fn base_expr(base: Node<'_>, source: &str) -> BaseExpr {
    // `models.Manager["Post"]`, `QuerySet[Post]`: generic aliases of the class.
    let base = match base.child_by_field_id(FIELDS.value) {
        Some(value) if base.kind() == "subscript" => value,
        _ => base,
    };
    if let Some(dotted) = dotted_name(base, source) {
        return BaseExpr::Name(dotted);
    }
    match from_queryset(base, source) {
        Some((manager, queryset)) => BaseExpr::FromQueryset { manager, queryset },
        None => BaseExpr::Other,
    }
}

fn class_assignment(facts: &mut ClassFacts, assignment: Node<'_>, source: &str) {
    let (Some(left), Some(right)) = (
        assignment.child_by_field_id(FIELDS.left),
        assignment.child_by_field_id(FIELDS.right),
    ) else {
        return;
    };
    if left.kind() != "identifier" {
        return;
    }
    let name = text(left, source).to_string();
    if let Some(value) = string_value(right, source) {
        facts.strings.push((name, value.to_string()));
        return;
    }
    if right.kind() != "call" {
        return;
    }
    if let Some(field) = field_facts(&name, left, right, source) {
        facts.fields.retain(|f| f.name != name);
        facts.fields.push(field);
    } else if let Some(expr) = manager_expr(right, source) {
        facts.managers.retain(|m| m.name != name);
        let relation_to = relation_to(right, source);
        facts.managers.push(ManagerFacts {
            name,
            expr,
            relation_to,
        });
    }
}

/// The target of a call that takes what only a relation field takes (`on_delete`,
/// `related_name`), as its `to` or first argument.
fn relation_to(call: Node<'_>, source: &str) -> Option<TargetExpr> {
    let args = call_args(call, source);
    if args.keyword("on_delete").is_none() && args.keyword("related_name").is_none() {
        return None;
    }
    let target = args
        .keyword("to")
        .or_else(|| args.positional.first().copied())?;
    Some(target_expr(target, source))
}

fn field_call(callee: &str) -> Option<FieldCall> {
    Some(if callee == "GenericForeignKey" {
        FieldCall::GenericForeignKey
    } else if callee == "GenericRelation" {
        FieldCall::GenericRelation
    } else if callee.ends_with("ForeignKey") {
        FieldCall::ForeignKey
    } else if callee.ends_with("OneToOneField") {
        FieldCall::OneToOne
    } else if callee.ends_with("ManyToManyField") {
        FieldCall::ManyToMany
    } else if callee.ends_with("Field") {
        FieldCall::Plain
    } else {
        return None;
    })
}

fn field_facts(name: &str, left: Node<'_>, call: Node<'_>, source: &str) -> Option<FieldFacts> {
    let callee = dotted_name(call.child_by_field_id(FIELDS.function)?, source)?;
    let kind = field_call(callee.last()?)?;
    let args = call_args(call, source);
    let flag = |key: &str| args.keyword(key).map(|v| text(v, source) == "True");
    // Django 5.2's signatures: `ManyToManyField(to, related_name, related_query_name)`,
    // `ForeignKey(to, on_delete, related_name, related_query_name)`,
    // `OneToOneField(to, on_delete, to_field)`.
    let position = |key: &str| match (kind, key) {
        (FieldCall::ManyToMany, "related_name") => Some(1),
        (FieldCall::ManyToMany, "related_query_name") => Some(2),
        (FieldCall::ForeignKey, "related_name") => Some(2),
        (FieldCall::ForeignKey, "related_query_name") => Some(3),
        (FieldCall::OneToOne, "to_field") => Some(2),
        _ => None,
    };
    let string = |key: &str| {
        args.keyword(key)
            .or_else(|| position(key).and_then(|i| args.positional.get(i).copied()))
            .and_then(|v| string_value(v, source))
            .map(str::to_string)
    };
    let is_relation = !matches!(kind, FieldCall::Plain | FieldCall::GenericForeignKey);
    let target = is_relation
        .then(|| {
            args.keyword("to")
                .or_else(|| args.positional.first().copied())
        })
        .flatten()
        .map(|node| target_expr(node, source));
    Some(FieldFacts {
        name: name.to_string(),
        range: TextRange::of(left),
        call: kind,
        callee,
        target,
        through: args
            .keyword("through")
            .map(|node| target_expr(node, source)),
        null: flag("null").unwrap_or(false),
        primary_key: flag("primary_key").unwrap_or(false),
        related_name: string("related_name"),
        related_query_name: string("related_query_name"),
        to_field: string("to_field"),
        symmetrical: flag("symmetrical"),
        auto_now: flag("auto_now").unwrap_or(false),
        index: indexes::field_index(|key| args.keyword(key).map(|v| text(v, source).to_string())),
    })
}

fn target_expr(node: Node<'_>, source: &str) -> TargetExpr {
    if let Some(value) = string_value(node, source) {
        return TargetExpr::Str(value.to_string());
    }
    if let Some(dotted) = dotted_name(node, source) {
        return TargetExpr::Name(dotted);
    }
    if node.kind() == "call"
        && node
            .child_by_field_id(FIELDS.function)
            .and_then(|f| dotted_name(f, source))
            .is_some_and(|d| d.last().is_some_and(|n| n == "get_user_model"))
    {
        return TargetExpr::UserModel;
    }
    TargetExpr::Other(text(node, source).to_string())
}

/// `X()`, `X.as_manager()`, `X.from_queryset(Y)()`.
fn manager_expr(call: Node<'_>, source: &str) -> Option<ManagerExpr> {
    if call.kind() != "call" {
        return None;
    }
    let function = call.child_by_field_id(FIELDS.function)?;
    if function.kind() == "call" {
        let (manager, queryset) = from_queryset(function, source)?;
        return Some(ManagerExpr::FromQueryset { manager, queryset });
    }
    let mut callee = dotted_name(function, source)?;
    if callee.last().is_some_and(|n| n == "as_manager") {
        callee.pop();
        return (!callee.is_empty()).then_some(ManagerExpr::AsManager(callee));
    }
    Some(ManagerExpr::Call(callee))
}

/// `Manager.from_queryset(QuerySet)` as (manager, queryset).
fn from_queryset(call: Node<'_>, source: &str) -> Option<(Vec<String>, Vec<String>)> {
    if call.kind() != "call" {
        return None;
    }
    let mut manager = dotted_name(call.child_by_field_id(FIELDS.function)?, source)?;
    if manager.pop()? != "from_queryset" || manager.is_empty() {
        return None;
    }
    let args = call_args(call, source);
    let queryset = dotted_name(*args.positional.first()?, source)?;
    Some((manager, queryset))
}

fn meta_facts(meta: Node<'_>, source: &str) -> MetaFacts {
    let mut facts = MetaFacts {
        has_bases: meta
            .child_by_field_id(FIELDS.superclasses)
            .is_some_and(|b| b.named_child_count() > 0),
        indexed: Some(Vec::new()),
        ..MetaFacts::default()
    };
    let Some(body) = meta.child_by_field_id(FIELDS.body) else {
        return facts;
    };
    let mut cursor = body.walk();
    let mut other_options = false;
    for statement in body.named_children(&mut cursor) {
        let Some(assignment) = statement
            .named_child(0)
            .filter(|a| statement.kind() == "expression_statement" && a.kind() == "assignment")
        else {
            continue;
        };
        let (Some(left), Some(right)) = (
            assignment.child_by_field_id(FIELDS.left),
            assignment.child_by_field_id(FIELDS.right),
        ) else {
            continue;
        };
        let option = text(left, source);
        facts.model_options |= MODEL_ONLY_OPTIONS.contains(&option);
        other_options |= matches!(option, "model" | "fields" | "exclude");
        match option {
            "abstract" => facts.is_abstract = text(right, source) == "True",
            "proxy" => facts.proxy = text(right, source) == "True",
            "app_label" => facts.app_label = string_value(right, source).map(str::to_string),
            "managed" => facts.unmanaged = text(right, source) != "True",
            "indexes" | "constraints" | "unique_together" | "index_together" => {
                if let Some(columns) = &mut facts.indexed
                    && !indexes::indexed_columns(option, right, source, columns)
                {
                    facts.indexed = None;
                }
            }
            "ordering" => {
                facts.ordering = Some(match right.kind() {
                    "list" | "tuple" => right.named_child_count() > 0,
                    "none" => false,
                    _ => true,
                });
            }
            _ => {}
        }
    }
    facts.model_options &= !other_options;
    facts
}

fn method_facts(def: Node<'_>, decorators: &[Vec<String>], source: &str) -> Option<MethodFacts> {
    let name = text(def.child_by_field_id(FIELDS.name)?, source).to_string();
    let body = def.child_by_field_id(FIELDS.body)?;
    let mut kind = MethodKind::Method;
    let mut is_static = false;
    for decorator in decorators {
        match decorator.last().map(String::as_str) {
            Some("property") => kind = MethodKind::Property,
            Some("cached_property") => kind = MethodKind::CachedProperty,
            Some("staticmethod") => is_static = true,
            // `@x.setter`: the property is already recorded under its getter.
            Some("setter" | "deleter") if decorator.len() > 1 => return None,
            _ => {}
        }
    }
    let self_name = if is_static {
        None
    } else {
        first_parameter(def, source)
    };
    let (self_uses, queryset) = match self_name {
        Some(self_name) => {
            let unsaved = branches::unsaved_only(body, self_name, source);
            let mut uses = uses_of(body, self_name, source);
            uses.retain(|u| branches::reached(u.start(), &unsaved));
            (uses, queryset_facts(body, self_name, source))
        }
        None => (Vec::new(), QuerysetFacts::default()),
    };
    Some(MethodFacts {
        name,
        kind,
        self_uses,
        queryset,
    })
}

fn first_parameter<'s>(def: Node<'_>, source: &'s str) -> Option<&'s str> {
    parameter_names(def, source).first().copied().flatten()
}

fn queryset_facts(body: Node<'_>, self_name: &str, source: &str) -> QuerysetFacts {
    let mut reader = QuerysetReader {
        self_name,
        source,
        facts: QuerysetFacts::default(),
        start: None,
        vars: Vec::new(),
        returns: 0,
        all_queryset: true,
    };
    reader.block(body);
    let mut facts = reader.facts;
    facts.returns_queryset = reader.returns > 0 && reader.all_queryset;
    facts.start = reader.start.unwrap_or_default();
    facts
}

/// Walks the statements of a method body (not its expressions, not nested functions)
/// for `return` and `name = ...`.
struct QuerysetReader<'s> {
    self_name: &'s str,
    source: &'s str,
    facts: QuerysetFacts,
    /// Where the chains returned so far start.
    start: Option<ChainStart>,
    /// Local names holding a queryset chain on `self`, with where it starts.
    vars: Vec<(String, ChainStart)>,
    returns: usize,
    all_queryset: bool,
}

impl QuerysetReader<'_> {
    fn block(&mut self, block: Node<'_>) {
        let mut cursor = block.walk();
        for statement in block.named_children(&mut cursor) {
            self.statement(statement);
        }
    }

    fn statement(&mut self, statement: Node<'_>) {
        match statement.kind() {
            "return_statement" => {
                self.returns += 1;
                let chain = statement
                    .named_child(0)
                    .and_then(|value| read_chain(value, self.self_name, &self.vars, self.source));
                match chain {
                    Some(chain) if chain.queryset => {
                        merge_chain(&mut self.facts, &chain);
                        self.start = Some(match self.start.take() {
                            None => chain.start,
                            Some(start) if start == chain.start => start,
                            Some(_) => ChainStart::Mixed,
                        });
                    }
                    _ => self.all_queryset = false,
                }
            }
            "expression_statement" => {
                let Some(assignment) = statement
                    .named_child(0)
                    .filter(|a| a.kind() == "assignment")
                else {
                    return;
                };
                let (Some(left), Some(right)) = (
                    assignment.child_by_field_id(FIELDS.left),
                    assignment.child_by_field_id(FIELDS.right),
                ) else {
                    return;
                };
                if left.kind() != "identifier" {
                    return;
                }
                let var = text(left, self.source).to_string();
                let chain = read_chain(right, self.self_name, &self.vars, self.source);
                self.vars.retain(|(v, _)| *v != var);
                if let Some(chain) = chain.filter(|c| c.queryset) {
                    merge_chain(&mut self.facts, &chain);
                    self.vars.push((var, chain.start));
                }
            }
            "function_definition" | "class_definition" | "decorated_definition" => {}
            // Compound statements: their blocks and clauses hold more statements.
            _ => {
                let mut cursor = statement.walk();
                for child in statement.named_children(&mut cursor) {
                    match child.kind() {
                        "block" => self.block(child),
                        "elif_clause"
                        | "else_clause"
                        | "except_clause"
                        | "finally_clause"
                        | "case_clause"
                        | "except_group_clause" => self.statement(child),
                        _ => {}
                    }
                }
            }
        }
    }
}

fn merge_chain(facts: &mut QuerysetFacts, chain: &Chain) {
    facts.applied.merge(&chain.applied);
    for (from, into) in [
        (&chain.custom, &mut facts.calls),
        (&chain.queryset_custom, &mut facts.queryset_calls),
    ] {
        for call in from {
            if !into.contains(call) {
                into.push(call.clone());
            }
        }
    }
}

struct Chain {
    /// Every call of the chain returns a queryset (custom calls permitting).
    queryset: bool,
    applied: Applied,
    /// Custom methods called on `self` or `super()` itself.
    custom: Vec<String>,
    /// Custom methods called on a queryset the chain already holds.
    queryset_custom: Vec<String>,
    start: ChainStart,
}

/// Reads `self.get_queryset().filter(...).select_related("x")` from the outside in.
fn read_chain(
    node: Node<'_>,
    self_name: &str,
    vars: &[(String, ChainStart)],
    source: &str,
) -> Option<Chain> {
    let mut calls: Vec<(String, Node<'_>)> = Vec::new();
    let mut current = node;
    // The first call is made on `self`/`super()` itself, not on a queryset it returned.
    let mut on_self = true;
    let start = loop {
        match current.kind() {
            "parenthesized_expression" => current = current.named_child(0)?,
            "call" => {
                if let Some(class) = fresh_queryset(current, self_name, vars, source) {
                    on_self = false;
                    break ChainStart::Fresh(class);
                }
                let function = current.child_by_field_id(FIELDS.function)?;
                match function.kind() {
                    "attribute" => {
                        let method = text(function.child_by_field_id(FIELDS.attribute)?, source);
                        calls.push((method.to_string(), current));
                        current = function.child_by_field_id(FIELDS.object)?;
                    }
                    // `super()`
                    "identifier" if text(function, source) == "super" => {
                        break ChainStart::Inherited;
                    }
                    _ => return None,
                }
            }
            "identifier" => {
                let name = text(current, source);
                if name == self_name {
                    break ChainStart::Inherited;
                }
                let (_, start) = vars.iter().find(|(v, _)| v == name)?;
                on_self = false;
                break start.clone();
            }
            _ => return None,
        }
    };
    calls.reverse();
    let mut chain = Chain {
        queryset: true,
        applied: Applied::default(),
        custom: Vec::new(),
        queryset_custom: Vec::new(),
        start,
    };
    for (i, (method, call)) in calls.into_iter().enumerate() {
        match queryset_api::method(&method) {
            Some(known) => chain.queryset &= known.returns_queryset(),
            None => {
                let custom = if i == 0 && on_self {
                    &mut chain.custom
                } else {
                    &mut chain.queryset_custom
                };
                if !custom.contains(&method) {
                    custom.push(method.clone());
                }
            }
        }
        queryset_api::apply(&mut chain.applied, &method, call, source);
    }
    Some(chain)
}

/// `PostQuerySet(self.model, using=self._db)`, `PostQuerySet(model=self.model)`: a new
/// queryset of the manager's model, as the class named.
fn fresh_queryset(
    call: Node<'_>,
    self_name: &str,
    vars: &[(String, ChainStart)],
    source: &str,
) -> Option<Vec<String>> {
    let class = dotted_name(call.child_by_field_id(FIELDS.function)?, source)?;
    let first = class.first()?;
    if first == self_name || first == "super" || vars.iter().any(|(v, _)| v == first) {
        return None;
    }
    let args = call_args(call, source);
    let model = match (args.positional.as_slice(), args.keyword("model")) {
        (&[model], None) | (&[], Some(model)) => model,
        _ => return None,
    };
    let is_model = dotted_name(model, source).is_some_and(|d| d == [self_name, "model"]);
    let known_keywords = args
        .keywords
        .iter()
        .all(|(key, _)| matches!(key.as_str(), "model" | "using" | "hints"));
    (is_model && known_keywords && !args.has_splat).then_some(class)
}
