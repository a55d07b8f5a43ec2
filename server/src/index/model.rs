use std::collections::HashMap;
use std::path::PathBuf;

use crate::syntax::uses::Use;
use crate::text::TextRange;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ModelId(pub u32);

/// Whether a model reference could be resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    Resolved(ModelId),
    Unresolved { reason: String },
}

impl Resolution {
    pub fn id(&self) -> Option<ModelId> {
        match self {
            Resolution::Resolved(id) => Some(*id),
            Resolution::Unresolved { .. } => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Model {
    pub id: ModelId,
    pub name: String,
    pub app_label: String,
    /// Dotted module the class is defined in (`blog.models`); empty for contrib models.
    pub module: String,
    /// File relative to the root; `None` for a model outside the project.
    pub path: Option<PathBuf>,
    /// Whose code defines it: only the project's models are listed as its own.
    pub origin: super::extract::Origin,
    /// The class name's range in `path`.
    pub range: TextRange,
    pub is_abstract: bool,
    pub is_proxy: bool,
    /// Not `Meta.managed = False`: migrations create and change its table.
    pub managed: bool,
    /// `Meta.ordering` is set (here or inherited): `.first()` on a prefetched manager of
    /// this model is then served from the prefetch cache.
    pub has_ordering: bool,
    /// A base class that is not a model we know (a mixin from a third-party package):
    /// attributes we do not see may come from it.
    pub has_unknown_bases: bool,
    /// Class attributes assigned a call we cannot read (`tags = TaggableManager()`,
    /// `page = ParentalKey(...)`): maybe fields, so lookups naming them are not judged.
    pub unread_attributes: Vec<String>,
    /// Code we cannot read may add reverse relations to it, as installed apps add to
    /// Django's models: a class decorator from outside Django (`@hierarkey.add()`), or
    /// an unread attribute of a model that looks like a relation to it
    /// (`ParentalKey("Workflow", ...)`).
    pub unread_additions: bool,
    /// Another model of the project inherits from it: `self.__class__` in its methods
    /// may be that one.
    pub subclassed: bool,
    /// Concrete and relation fields, inherited ones included, the implicit `id`
    /// primary key included unless a field is declared `primary_key=True`.
    pub fields: Vec<Field>,
    /// Relations other models declare towards this one. On an abstract model, those
    /// every concrete child has alike (its methods run on one of them).
    pub reverse: Vec<ReverseRelation>,
    /// Every declared manager under its name, the model's own first, then its model
    /// bases' (Django's order: the first is the default manager). A concrete model with
    /// none gets `objects` (its children inherit it). An abstract model has those every
    /// concrete child has alike, when they agree on the default one: what
    /// `self.__class__.objects` and `cls._default_manager` are in its methods.
    pub managers: Vec<Manager>,
    /// Methods and properties defined on the model class (inherited ones included).
    pub methods: Vec<MethodSummary>,
    /// The columns of the indexes and unique constraints its `Meta` declares (an
    /// abstract parent's included); `None` when one of them cannot be read.
    pub meta_indexed: Option<Vec<String>>,
}

impl Model {
    /// Instances may have attributes the index does not see: from a base it cannot
    /// read, or, on an abstract model, from the concrete child they are.
    pub fn may_have_unseen_attributes(&self) -> bool {
        self.has_unknown_bases || self.is_abstract
    }

    /// A class it inherits from defines or may define the method `name` (`save`,
    /// `delete`): a base we cannot read, or a model of Django's, whose methods the index
    /// does not describe.
    pub fn may_override(&self, name: &str) -> bool {
        self.has_unknown_bases
            || self.origin == super::extract::Origin::Django
            || self.methods.iter().any(|m| m.name == name)
    }

    /// A concrete model it inherits from (multi-table inheritance): its rows span two
    /// tables, which `bulk_create()` refuses.
    pub fn has_concrete_parent(&self) -> bool {
        self.fields.iter().any(|f| {
            f.primary_key && matches!(f.kind, FieldKind::OneToOne(_)) && f.name.ends_with("_ptr")
        })
    }

    /// A database index serves lookups on `field`'s column: `None` when the
    /// declarations that decide it cannot be read.
    pub fn is_indexed(&self, field: &Field) -> Option<bool> {
        if field.indexed == Some(true) {
            return Some(true);
        }
        let meta = self.meta_indexed.as_ref()?;
        let attname = field.attname();
        if meta
            .iter()
            .any(|c| *c == field.name || Some(c) == attname.as_ref())
        {
            return Some(true);
        }
        field.indexed
    }

    /// `name` (or the column `name_id` of it) is an attribute we could not read.
    pub fn is_unread(&self, name: &str) -> bool {
        let field = name.strip_suffix("_id").unwrap_or(name);
        self.unread_attributes
            .iter()
            .any(|a| a == name || a == field)
    }
}

#[derive(Debug, Clone)]
pub struct Field {
    pub name: String,
    pub kind: FieldKind,
    /// `null=True`.
    pub null: bool,
    pub primary_key: bool,
    /// `auto_now=True`: `save()` sets it to the current time, `update()` and
    /// `bulk_update()` leave it.
    pub auto_now: bool,
    /// The field class's own name as written (`DecimalField` of `models.DecimalField`),
    /// `AutoField` for the implicit `id`; `None` for a parent link.
    pub class: Option<String>,
    /// Its own options or class give the column an index (a foreign key's, `unique`,
    /// `db_index`); `None` when they cannot be read. `Meta` may add one
    /// ([`Model::is_indexed`]).
    pub indexed: Option<bool>,
}

impl Field {
    /// The attribute holding the raw column for a foreign key or one-to-one (`author_id`).
    pub fn attname(&self) -> Option<String> {
        match self.kind {
            FieldKind::ForeignKey(_) | FieldKind::OneToOne(_) => Some(format!("{}_id", self.name)),
            _ => None,
        }
    }

    pub fn relation(&self) -> Option<&Relation> {
        match &self.kind {
            FieldKind::ForeignKey(r)
            | FieldKind::OneToOne(r)
            | FieldKind::ManyToMany(r)
            | FieldKind::GenericRelation(r) => Some(r),
            FieldKind::Plain | FieldKind::GenericForeignKey => None,
        }
    }
}

#[derive(Debug, Clone)]
pub enum FieldKind {
    /// A column: CharField, IntegerField, ...
    Plain,
    ForeignKey(Relation),
    OneToOne(Relation),
    ManyToMany(Relation),
    /// Not a column; loaded with `prefetch_related`, never `select_related`.
    GenericForeignKey,
    GenericRelation(Relation),
}

#[derive(Debug, Clone)]
pub struct Relation {
    pub target: Resolution,
    /// `related_name` as written (`%(class)s` already substituted); `None` when absent.
    pub related_name: Option<String>,
    pub related_query_name: Option<String>,
    /// `through=` of a many-to-many.
    pub through: Option<Resolution>,
    /// `to_field=`: the `_id` column holds this field of the target, not its pk.
    pub to_field: Option<String>,
}

/// The other side of a relation, as seen from its target model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReverseRelation {
    /// Attribute on instances (`comments`, `comment_set`, `profile`); `None` for `"+"`.
    pub accessor: Option<String>,
    /// Name in `filter()`/`select_related()` lookups; `None` when hidden by `"+"`.
    pub query_name: Option<String>,
    pub source: ModelId,
    /// The field on `source` that declares the relation.
    pub field: String,
    pub kind: ReverseKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReverseKind {
    /// From a OneToOneField: single object, `select_related` works.
    OneToOne,
    /// From a ForeignKey: a related manager.
    ForeignKey,
    /// From a ManyToManyField: a related manager.
    ManyToMany,
    /// From a GenericRelation: a related manager.
    Generic,
}

/// What a queryset already has applied. Shared by managers (their `get_queryset()` and
/// custom methods) and by the analysis (chains in user code).
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Default, PartialEq, Eq)]
pub struct Applied {
    /// Lookup paths passed to `select_related` (`"author__profile"`).
    pub select_related: Vec<String>,
    /// `select_related()` with no arguments: follows non-null foreign keys only.
    pub select_related_all: bool,
    pub prefetch_related: Vec<Prefetch>,
    /// `only(...)` fields, when called.
    pub only: Option<Vec<String>>,
    pub defer: Vec<String>,
    /// `values()`/`values_list()`: rows are dicts or tuples, not model instances.
    pub values: bool,
    /// Something was applied that could not be read (`select_related(*names)`): rules
    /// that depend on what is applied stay silent.
    pub unknown: bool,
    /// Names beyond the model's fields may exist on rows and in later lookups:
    /// `annotate()`, `alias()`, `extra()`, `values()` with expressions, or a custom
    /// method or `get_queryset()` that could not be read. (A manager whose class could
    /// not be read at all says so with `Manager::opaque` instead.)
    pub annotates: bool,
    /// `fetch_mode(...)` (Django 6.1): how a relation or deferred field the rows did not
    /// load is fetched; `None` when not set (Django's `FETCH_ONE`).
    pub fetch_mode: Option<FetchMode>,
}

/// Django 6.1's fetch modes of model instances.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub enum FetchMode {
    /// `FETCH_ONE`: one query per instance, Django's default.
    One,
    /// `FETCH_PEERS`: the first instance's fetch loads the field for every instance
    /// fetched with it (forward and reverse one-to-one, foreign keys, deferred fields).
    Peers,
    /// `FETCH_RAISE`: a fetch raises `FieldFetchBlocked`.
    Raise,
}

#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Prefetch {
    pub lookup: String,
    /// `Prefetch(..., to_attr="x")`: the result lives on `x` as a plain list.
    pub to_attr: Option<String>,
    /// `Prefetch(..., queryset=...)`: its own queryset may select or prefetch further,
    /// so what lies below the lookup is unknown.
    pub queryset: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manager {
    pub name: String,
    /// What `get_queryset()` applies: overrides build on their parent's
    /// (`super().get_queryset()`) or start from a new queryset
    /// (`PostQuerySet(self.model, using=self._db)`).
    pub applied: Applied,
    /// Custom methods of the manager and of its queryset class (`as_manager()`,
    /// `from_queryset()`). Calls on a queryset the manager made
    /// (`self.get_queryset().published()`) are looked up in the class `get_queryset()`
    /// returns an instance of.
    pub methods: HashMap<String, ManagerMethod>,
    /// The manager or queryset class could not be read (defined outside the project,
    /// or built dynamically): calls to methods we do not know stop the analysis.
    pub opaque: bool,
    /// The project's manager and queryset classes it is built from, bases included
    /// (`blog.models.PostManager`), sorted.
    pub classes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ManagerMethod {
    /// Returns a queryset of the same model with these applied.
    Queryset(Applied),
    /// Returns something else, or we cannot tell.
    Other,
}

#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub enum MethodKind {
    Method,
    Property,
    CachedProperty,
}

/// A model method or property, described by what it does with `self`.
#[derive(Debug, Clone)]
pub struct MethodSummary {
    pub name: String,
    pub kind: MethodKind,
    /// Uses of `self` in the body (chains resolved by the analysis).
    pub self_uses: Vec<Use>,
    /// A base class we cannot read comes before the class defining it in the lookup
    /// order, and may define it too.
    pub shadowable: bool,
    /// The module and class that define it (a base's, for an inherited one).
    pub module: String,
    pub class: String,
}

/// What an attribute name means on instances of a model.
#[derive(Debug, Clone, Copy)]
pub enum Attribute<'a> {
    Field(&'a Field),
    /// `author_id` of the `author` foreign key.
    Attname(&'a Field),
    /// `pk`: the primary key.
    Pk,
    Reverse(&'a ReverseRelation),
    Method(&'a MethodSummary),
}
