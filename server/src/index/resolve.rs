//! From every file's facts to models: classifying classes, inheritance, fields,
//! relation targets, reverse relations, managers and methods.

use std::collections::{HashMap, HashSet};

use super::contrib;
use super::extract::{
    AliasValue, BaseExpr, ChainStart, ClassFacts, FieldCall, FieldFacts, FieldIndex, FileFacts,
    ManagerExpr, MethodFacts, Origin, QuerysetFacts, TargetExpr,
};
use super::model::*;
use super::model_refs::Evaluator;
use super::scope::{Referent, Scope};

mod abstract_children;
mod unknown_bases;

use unknown_bases::declares_model_parts;

/// The resolved models, ready to go into a `ModelIndex`.
pub(super) struct Resolved {
    pub models: Vec<Model>,
    pub by_label: HashMap<String, ModelId>,
    /// `blog.models.Post` (defining module and class name) → model.
    pub by_qualname: HashMap<String, ModelId>,
    pub auth_user_model: Option<ModelId>,
    /// `blog.models.Post` of an alias naming a model (`Post = get_model("blog", "Post")`).
    pub alias_models: HashMap<String, ModelId>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Model,
    /// A manager or queryset class.
    Manager,
    Plain,
}

/// A base class, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Base {
    /// A class of a module we read, by qualified name.
    Class(String),
    DjangoModel,
    /// `models.Manager`, `models.QuerySet` and their bases.
    DjangoManager,
    /// `X.from_queryset(Y)`, written as the base or assigned to the name used as the
    /// base; `X` and `Y` are named in `module`.
    FromQueryset {
        module: String,
        manager: Vec<String>,
        queryset: Vec<String>,
    },
    Object,
    /// Outside the project and not one Django class we know (the last name, or empty).
    External(String),
}

#[derive(Clone, Copy)]
struct ClassRef<'a> {
    file: &'a FileFacts,
    class: &'a ClassFacts,
}

#[derive(Clone)]
enum FieldSource<'a> {
    Declared(&'a FieldFacts),
    /// The `<parent>_ptr` one-to-one of multi-table inheritance.
    Ptr(ModelId),
    /// The implicit `id` primary key.
    Id,
}

#[derive(Clone)]
struct WorkField<'a> {
    name: String,
    source: FieldSource<'a>,
    /// Module whose imports name the field's target.
    module: &'a str,
    /// The concrete model whose table holds the field; `None` while it sits on an
    /// abstract model (it belongs to each concrete child).
    origin: Option<ModelId>,
}

impl WorkField<'_> {
    fn is_pk(&self) -> bool {
        match self.source {
            FieldSource::Declared(f) => f.primary_key,
            FieldSource::Ptr(_) | FieldSource::Id => true,
        }
    }
}

struct Resolver<'a> {
    scope: &'a Scope,
    classes: HashMap<String, ClassRef<'a>>,
    kinds: HashMap<String, Kind>,
    auth_label: String,
    /// `AUTH_USER_MODEL` is set differently on different runs: no model is the user one.
    auth_unsettled: bool,
    // Per model, indexed by `ModelId`.
    refs: Vec<ClassRef<'a>>,
    bases: Vec<Vec<Base>>,
    model_bases: Vec<Vec<ModelId>>,
    models: Vec<Model>,
    by_label: HashMap<String, ModelId>,
    by_qualname: HashMap<String, ModelId>,
    auth_user_model: Option<ModelId>,
    alias_models: HashMap<String, ModelId>,
    /// Classes with a base we cannot read that are models because a model's relation
    /// points at them.
    promoted: HashSet<String>,
}

/// Every alias of every module that names a model, by qualified name.
fn alias_models(evaluator: &Evaluator<'_>, modules: &[&FileFacts]) -> HashMap<String, ModelId> {
    let mut found = HashMap::new();
    for file in modules {
        for alias in &file.aliases {
            if let AliasValue::Model(_) = alias.value
                && let Some(id) = evaluator.alias(&file.module, &alias.name, 0)
            {
                found.insert(format!("{}.{}", file.module, alias.name), id);
            }
        }
    }
    found
}

pub(super) fn resolve(scope: &Scope, auth_user_model: Option<&str>) -> Resolved {
    let mut modules: Vec<&FileFacts> = scope.modules.values().map(|f| &**f).collect();
    // Django's models first, then the project's, then installed packages', in a stable
    // order (the first model of a label keeps it).
    let rank = |origin: Origin| match origin {
        Origin::Django => 0,
        Origin::Project => 1,
        Origin::Installed => 2,
    };
    modules.sort_by(|a, b| (rank(a.origin), &a.module).cmp(&(rank(b.origin), &b.module)));
    let mut classes = HashMap::new();
    for file in &modules {
        for class in &file.classes {
            classes
                .entry(format!("{}.{}", file.module, class.name))
                .or_insert(ClassRef { file, class });
        }
    }
    // A settings module that sets it in two branches (`if ...: AUTH_USER_MODEL = "a"
    // else: ... = "b"`) leaves it unknown; `auth.User` stays, maybe not swapped.
    let auth_unsettled = auth_user_model.is_none()
        && modules
            .iter()
            .any(|f| f.unsettled.iter().any(|n| n == "AUTH_USER_MODEL"));
    let auth_label = auth_user_model
        .map(str::to_string)
        .or_else(|| {
            let mut settings: Vec<&FileFacts> = modules
                .iter()
                .copied()
                .filter(|f| f.auth_user_model.is_some())
                .collect();
            settings.sort_by(|a, b| a.path.cmp(&b.path));
            settings.first().and_then(|f| f.auth_user_model.clone())
        })
        .unwrap_or_else(|| "auth.User".to_string());
    let mut resolver = Resolver {
        scope,
        classes,
        kinds: HashMap::new(),
        auth_label,
        auth_unsettled,
        refs: Vec::new(),
        bases: Vec::new(),
        model_bases: Vec::new(),
        models: Vec::new(),
        by_label: HashMap::new(),
        by_qualname: HashMap::new(),
        auth_user_model: None,
        alias_models: HashMap::new(),
        promoted: HashSet::new(),
    };
    resolver.collect_models(&modules);
    resolver.alias_models = alias_models(&resolver.evaluator(), &modules);
    resolver.fields_and_relations();
    resolver.managers_methods_and_flags();
    abstract_children::share_with_abstract_models(&mut resolver.models, &resolver.model_bases);
    Resolved {
        models: resolver.models,
        by_label: resolver.by_label,
        by_qualname: resolver.by_qualname,
        auth_user_model: resolver.auth_user_model,
        alias_models: resolver.alias_models,
    }
}

/// Django's manager and queryset classes (what `models.Manager` and friends resolve to).
const DJANGO_MANAGERS: &[&str] = &[
    "django.db.models.Manager",
    "django.db.models.manager.Manager",
    "django.db.models.manager.BaseManager",
    "django.db.models.QuerySet",
    "django.db.models.query.QuerySet",
];

pub(super) fn label_key(app: &str, name: &str) -> String {
    format!("{app}.{}", name.to_ascii_lowercase())
}

impl<'a> Resolver<'a> {
    fn evaluator(&self) -> Evaluator<'_> {
        Evaluator {
            scope: self.scope,
            imports: None,
            by_label: &self.by_label,
            by_qualname: &self.by_qualname,
            models: &self.models,
            auth_user_model: self.auth_user_model,
        }
    }

    // --- classes -------------------------------------------------------------------

    fn base(&self, file: &FileFacts, base: &BaseExpr) -> Base {
        let dotted = match base {
            BaseExpr::Name(dotted) => dotted,
            BaseExpr::FromQueryset { manager, queryset } => {
                return Base::FromQueryset {
                    module: file.module.clone(),
                    manager: manager.clone(),
                    queryset: queryset.clone(),
                };
            }
            BaseExpr::Other => return Base::External(String::new()),
        };
        if dotted.len() == 1 && dotted[0] == "object" && !file.defines("object") {
            return Base::Object;
        }
        let last = dotted.last().cloned().unwrap_or_default();
        match self.scope.resolve(&file.module, dotted) {
            Some(Referent::Defined { module, name }) => {
                let qualname = format!("{module}.{name}");
                if self.classes.contains_key(&qualname) {
                    return Base::Class(qualname);
                }
                // `class M(SomeManager)` where `SomeManager = X.from_queryset(Q)`.
                match self.scope.modules.get(&module).and_then(|f| f.alias(&name)) {
                    Some(alias) => match &alias.value {
                        AliasValue::FromQueryset { manager, queryset } => Base::FromQueryset {
                            module,
                            manager: manager.clone(),
                            queryset: queryset.clone(),
                        },
                        AliasValue::UserModel | AliasValue::Model(_) => Base::External(name),
                    },
                    None => Base::External(name),
                }
            }
            Some(Referent::External(path)) => match path.as_str() {
                "django.db.models.Model" | "django.db.models.base.Model" => Base::DjangoModel,
                path if DJANGO_MANAGERS.contains(&path) => Base::DjangoManager,
                "builtins.object" => Base::Object,
                _ => Base::External(last),
            },
            Some(Referent::Module(_)) | None => Base::External(last),
        }
    }

    fn kind(&mut self, qualname: &str, visiting: &mut HashSet<String>) -> Kind {
        if let Some(kind) = self.kinds.get(qualname) {
            return *kind;
        }
        let Some(class) = self.classes.get(qualname).copied() else {
            return Kind::Plain;
        };
        if !visiting.insert(qualname.to_string()) {
            return Kind::Plain;
        }
        let mut kind = Kind::Plain;
        let mut unknown_base = false;
        for base in &class.class.bases {
            let base_kind = match self.base(class.file, base) {
                Base::Class(q) => {
                    let kind = self.kind(&q, visiting);
                    unknown_base |= kind == Kind::Plain
                        && self.class_has_unknown_bases(&q, &mut HashSet::new());
                    kind
                }
                Base::DjangoModel => Kind::Model,
                Base::DjangoManager | Base::FromQueryset { .. } => Kind::Manager,
                Base::Object => Kind::Plain,
                // A third-party abstract model (`TimeStampedModel`) with fields of ours.
                Base::External(name)
                    if name.ends_with("Model")
                        && (!class.class.fields.is_empty() || class.class.meta.is_some()) =>
                {
                    Kind::Model
                }
                Base::External(name) if name.contains("Manager") || name.contains("QuerySet") => {
                    Kind::Manager
                }
                Base::External(_) => {
                    // Django's own classes other than `Model` are not models (`Func`).
                    unknown_base |= !self.is_django_class(class.file, base);
                    Kind::Plain
                }
            };
            if base_kind == Kind::Model {
                kind = Kind::Model;
                break;
            }
            if base_kind == Kind::Manager {
                kind = Kind::Manager;
            }
        }
        // A base we cannot read (treebeard's `MP_Node`, `six.with_metaclass(...)`) may
        // be a model: the class is one when it says so itself.
        if kind == Kind::Plain
            && unknown_base
            && (self.promoted.contains(qualname) || declares_model_parts(self.scope, class))
        {
            kind = Kind::Model;
        }
        visiting.remove(qualname);
        self.kinds.insert(qualname.to_string(), kind);
        kind
    }

    fn collect_models(&mut self, modules: &[&'a FileFacts]) {
        self.promote_relation_targets(modules);
        let swapped = !self.auth_unsettled && !self.auth_label.eq_ignore_ascii_case("auth.User");
        for file in modules {
            for class in &file.classes {
                let qualname = format!("{}.{}", file.module, class.name);
                if self.by_qualname.contains_key(&qualname)
                    || self.kind(&qualname, &mut HashSet::new()) != Kind::Model
                {
                    continue;
                }
                if swapped && (file.module.as_str(), class.name.as_str()) == contrib::DEFAULT_USER {
                    continue;
                }
                let id = ModelId(self.models.len() as u32);
                let meta = class.meta.clone().unwrap_or_default();
                let app_label = self.app_label(file, class);
                self.by_label
                    .entry(label_key(&app_label, &class.name))
                    .or_insert(id);
                self.by_qualname.insert(qualname, id);
                self.refs.push(ClassRef { file, class });
                self.models.push(Model {
                    id,
                    name: class.name.clone(),
                    app_label,
                    module: match file.origin {
                        Origin::Django => String::new(),
                        Origin::Project | Origin::Installed => file.module.clone(),
                    },
                    path: (file.origin == Origin::Project).then(|| file.path.clone()),
                    origin: file.origin,
                    range: class.range,
                    is_abstract: meta.is_abstract,
                    is_proxy: meta.proxy,
                    managed: !meta.unmanaged,
                    has_ordering: false,
                    has_unknown_bases: false,
                    unread_attributes: Vec::new(),
                    unread_additions: false,
                    subclassed: false,
                    fields: Vec::new(),
                    reverse: Vec::new(),
                    managers: Vec::new(),
                    methods: Vec::new(),
                    meta_indexed: Some(Vec::new()),
                });
            }
        }
        for index in 0..self.models.len() {
            let ClassRef { file, class } = self.refs[index];
            let bases: Vec<Base> = class
                .bases
                .iter()
                .map(|base| self.base(file, base))
                .collect();
            let model_bases = bases
                .iter()
                .filter_map(|b| match b {
                    Base::Class(q) => self.by_qualname.get(q).copied(),
                    _ => None,
                })
                .filter(|id| id.0 as usize != index)
                .collect();
            self.bases.push(bases);
            self.model_bases.push(model_bases);
        }
        self.auth_user_model = match self.auth_unsettled {
            true => None,
            false => self.label(&self.auth_label),
        };
    }

    fn label(&self, label: &str) -> Option<ModelId> {
        let (app, name) = label.split_once('.')?;
        self.by_label.get(&label_key(app, name)).copied()
    }

    /// `Meta.app_label`, else the `AppConfig.label` of the app package or of the nearest
    /// package above it with an `apps.py` (Django gives a model the app whose name is the
    /// longest prefix of its module: `dojo/finding/models.py` belongs to `dojo` when only
    /// `dojo/` has an `apps.py`), else the app package's last name (`shop/orders/models.py`
    /// → `orders`, `blog/models/post.py` → `blog`).
    fn app_label(&self, file: &FileFacts, class: &ClassFacts) -> String {
        if let Some(label) = class.meta.as_ref().and_then(|m| m.app_label.clone()) {
            return label;
        }
        let parts: Vec<&str> = file.module.split('.').collect();
        let package = match parts.iter().rposition(|p| *p == "models") {
            Some(0) | None if parts.len() > 1 => &parts[..parts.len() - 1],
            Some(position) if position > 0 => &parts[..position],
            _ => &parts[..],
        };
        let app_config_label = |depth: usize| {
            let apps = format!("{}.apps", package[..depth].join("."));
            self.scope.modules.get(&apps)?.app_config_label.clone()
        };
        if let Some(label) = (1..=package.len()).rev().find_map(app_config_label) {
            return label;
        }
        package.last().copied().unwrap_or_default().to_string()
    }

    // --- fields and relations -----------------------------------------------------

    fn work_fields(
        &self,
        id: ModelId,
        memo: &mut HashMap<ModelId, Vec<WorkField<'a>>>,
        visiting: &mut HashSet<ModelId>,
    ) -> Vec<WorkField<'a>> {
        if let Some(done) = memo.get(&id) {
            return done.clone();
        }
        if !visiting.insert(id) {
            return Vec::new();
        }
        let index = id.0 as usize;
        let ClassRef { file, class } = self.refs[index];
        let (is_abstract, is_proxy) = (self.models[index].is_abstract, self.models[index].is_proxy);
        let mut fields: Vec<WorkField<'a>> = Vec::new();
        let push = |fields: &mut Vec<WorkField<'a>>, field: WorkField<'a>| {
            fields.retain(|f| f.name != field.name);
            fields.push(field);
        };
        for &base in &self.model_bases[index] {
            let inherited = self.work_fields(base, memo, visiting);
            if self.models[base.0 as usize].is_abstract {
                for field in inherited {
                    // An abstract model's own implicit `id` is not passed on (the child
                    // gets its own); one it inherited from a concrete parent is.
                    if !(matches!(field.source, FieldSource::Id) && field.origin.is_none()) {
                        push(&mut fields, field);
                    }
                }
            } else {
                for field in inherited {
                    push(&mut fields, field);
                }
                if !is_proxy {
                    let name = format!("{}_ptr", self.models[base.0 as usize].name.to_lowercase());
                    push(
                        &mut fields,
                        WorkField {
                            name,
                            source: FieldSource::Ptr(base),
                            module: &file.module,
                            origin: None,
                        },
                    );
                }
            }
        }
        for field in &class.fields {
            push(
                &mut fields,
                WorkField {
                    name: field.name.clone(),
                    source: FieldSource::Declared(field),
                    module: &file.module,
                    origin: None,
                },
            );
        }
        let owner = (!is_abstract).then_some(id);
        for field in &mut fields {
            field.origin = field.origin.or(owner);
        }
        if !fields.iter().any(WorkField::is_pk) {
            fields.insert(
                0,
                WorkField {
                    name: "id".into(),
                    source: FieldSource::Id,
                    module: &file.module,
                    origin: owner,
                },
            );
        }
        visiting.remove(&id);
        memo.insert(id, fields.clone());
        fields
    }

    fn fields_and_relations(&mut self) {
        let mut memo = HashMap::new();
        let mut declared: Vec<(ModelId, Field, bool)> = Vec::new();
        for index in 0..self.models.len() {
            let id = ModelId(index as u32);
            let work = self.work_fields(id, &mut memo, &mut HashSet::new());
            let mut fields = Vec::with_capacity(work.len());
            for field in &work {
                let context = field.origin.unwrap_or(id);
                let built = self.field(field, context);
                if field.origin == Some(id) && built.relation().is_some() {
                    let symmetric = match field.source {
                        FieldSource::Declared(f) => is_symmetric_self(f, &self.models[index].name),
                        _ => false,
                    };
                    declared.push((id, built.clone(), symmetric));
                }
                fields.push(built);
            }
            self.models[index].fields = fields;
        }
        let mut own_reverse: Vec<Vec<ReverseRelation>> = vec![Vec::new(); self.models.len()];
        for (source, field, symmetric) in declared {
            if let Some((target, reverse)) = self.reverse_of(source, &field, symmetric) {
                own_reverse[target.0 as usize].push(reverse);
            }
        }
        // Proxies and multi-table children see their concrete parents' reverse relations.
        let mut memo = HashMap::new();
        for index in 0..self.models.len() {
            let all = self.all_reverse(
                ModelId(index as u32),
                &own_reverse,
                &mut memo,
                &mut HashSet::new(),
            );
            self.models[index].reverse = all;
        }
    }

    fn all_reverse(
        &self,
        id: ModelId,
        own: &[Vec<ReverseRelation>],
        memo: &mut HashMap<ModelId, Vec<ReverseRelation>>,
        visiting: &mut HashSet<ModelId>,
    ) -> Vec<ReverseRelation> {
        if let Some(done) = memo.get(&id) {
            return done.clone();
        }
        if !visiting.insert(id) {
            return Vec::new();
        }
        let mut all = own[id.0 as usize].clone();
        for &base in &self.model_bases[id.0 as usize] {
            if self.models[base.0 as usize].is_abstract {
                continue;
            }
            for reverse in self.all_reverse(base, own, memo, visiting) {
                if !all
                    .iter()
                    .any(|r| r.accessor.is_some() && r.accessor == reverse.accessor)
                {
                    all.push(reverse);
                }
            }
        }
        visiting.remove(&id);
        memo.insert(id, all.clone());
        all
    }

    fn field(&self, field: &WorkField<'a>, context: ModelId) -> Field {
        match field.source {
            FieldSource::Id => Field {
                name: field.name.clone(),
                kind: FieldKind::Plain,
                null: false,
                primary_key: true,
                auto_now: false,
                class: Some("AutoField".to_string()),
                indexed: Some(true),
            },
            FieldSource::Ptr(parent) => Field {
                name: field.name.clone(),
                kind: FieldKind::OneToOne(Relation {
                    target: Resolution::Resolved(parent),
                    related_name: None,
                    related_query_name: None,
                    through: None,
                    to_field: None,
                }),
                null: false,
                primary_key: true,
                auto_now: false,
                class: None,
                indexed: Some(true),
            },
            FieldSource::Declared(facts) => {
                let relation = || {
                    let substitute =
                        |s: &Option<String>| s.as_ref().map(|s| self.substitute(s, field.origin));
                    Relation {
                        target: self.target(facts.target.as_ref(), context, field.module),
                        related_name: substitute(&facts.related_name),
                        related_query_name: substitute(&facts.related_query_name),
                        through: facts
                            .through
                            .as_ref()
                            .map(|t| self.target(Some(t), context, field.module)),
                        to_field: facts.to_field.clone(),
                    }
                };
                let kind = match facts.call {
                    FieldCall::Plain => FieldKind::Plain,
                    FieldCall::GenericForeignKey => FieldKind::GenericForeignKey,
                    FieldCall::ForeignKey => FieldKind::ForeignKey(relation()),
                    FieldCall::OneToOne => FieldKind::OneToOne(relation()),
                    FieldCall::ManyToMany => FieldKind::ManyToMany(relation()),
                    FieldCall::GenericRelation => FieldKind::GenericRelation(relation()),
                };
                Field {
                    name: field.name.clone(),
                    kind,
                    null: facts.null,
                    primary_key: facts.primary_key,
                    auto_now: facts.auto_now,
                    class: facts.callee.last().cloned(),
                    indexed: declared_index(facts),
                }
            }
        }
    }

    /// `%(class)s` / `%(app_label)s` of the concrete model the field is on.
    fn substitute(&self, name: &str, owner: Option<ModelId>) -> String {
        match owner {
            Some(owner) => {
                let model = &self.models[owner.0 as usize];
                name.replace("%(class)s", &model.name.to_lowercase())
                    .replace("%(app_label)s", &model.app_label.to_lowercase())
            }
            None => name.to_string(),
        }
    }

    fn target(&self, expr: Option<&TargetExpr>, context: ModelId, module: &str) -> Resolution {
        let unresolved = |reason: String| Resolution::Unresolved { reason };
        let Some(expr) = expr else {
            return unresolved("the relation names no target".into());
        };
        match expr {
            TargetExpr::Str(s) if s == "self" => Resolution::Resolved(context),
            TargetExpr::Str(s) => {
                let label = if s.contains('.') {
                    s.clone()
                } else {
                    format!("{}.{s}", self.models[context.0 as usize].app_label)
                };
                match self.label(&label) {
                    Some(id) => Resolution::Resolved(id),
                    None => unresolved(format!("no model `{label}`")),
                }
            }
            TargetExpr::UserModel => self.auth_user(),
            TargetExpr::Name(dotted) if dotted.last().is_some_and(|n| n == "AUTH_USER_MODEL") => {
                self.auth_user()
            }
            TargetExpr::Name(dotted) => match self.scope.resolve(module, dotted) {
                Some(Referent::Defined { module, name }) => {
                    let qualname = format!("{module}.{name}");
                    if let Some(id) = self.by_qualname.get(&qualname) {
                        return Resolution::Resolved(*id);
                    }
                    let alias = self.scope.modules.get(&module).and_then(|f| f.alias(&name));
                    if alias.is_some_and(|a| a.value == AliasValue::UserModel) {
                        return self.auth_user();
                    }
                    if let Some(id) = self.alias_models.get(&qualname) {
                        return Resolution::Resolved(*id);
                    }
                    unresolved(format!("`{qualname}` is not a model"))
                }
                Some(Referent::External(path)) => {
                    unresolved(format!("`{path}` is outside the project"))
                }
                Some(Referent::Module(path)) => unresolved(format!("`{path}` is a module")),
                None => unresolved(format!("`{}` is not defined or imported", dotted.join("."))),
            },
            TargetExpr::Other(text) => unresolved(format!("`{text}` is not a model reference")),
        }
    }

    fn auth_user(&self) -> Resolution {
        match self.auth_user_model {
            Some(id) => Resolution::Resolved(id),
            None => Resolution::Unresolved {
                reason: format!(
                    "AUTH_USER_MODEL `{}` is not a model we know",
                    self.auth_label
                ),
            },
        }
    }

    fn reverse_of(
        &self,
        source: ModelId,
        field: &Field,
        symmetric: bool,
    ) -> Option<(ModelId, ReverseRelation)> {
        let relation = field.relation()?;
        let target = relation.target.id()?;
        if self.models[target.0 as usize].is_abstract || symmetric {
            return None;
        }
        let model_name = self.models[source.0 as usize].name.to_lowercase();
        let hidden = relation
            .related_name
            .as_ref()
            .is_some_and(|n| n.ends_with('+'));
        let (kind, default_accessor) = match field.kind {
            FieldKind::ForeignKey(_) => (ReverseKind::ForeignKey, format!("{model_name}_set")),
            FieldKind::ManyToMany(_) => (ReverseKind::ManyToMany, format!("{model_name}_set")),
            FieldKind::OneToOne(_) => (ReverseKind::OneToOne, model_name.clone()),
            // No accessor on the target; only `related_query_name` makes it queryable.
            FieldKind::GenericRelation(_) => {
                let query_name = relation.related_query_name.clone()?;
                return Some((
                    target,
                    ReverseRelation {
                        accessor: None,
                        query_name: Some(query_name),
                        source,
                        field: field.name.clone(),
                        kind: ReverseKind::Generic,
                    },
                ));
            }
            FieldKind::Plain | FieldKind::GenericForeignKey => return None,
        };
        let accessor = (!hidden).then(|| relation.related_name.clone().unwrap_or(default_accessor));
        let query_name = relation
            .related_query_name
            .clone()
            .or_else(|| (!hidden).then(|| relation.related_name.clone().unwrap_or(model_name)));
        Some((
            target,
            ReverseRelation {
                accessor,
                query_name,
                source,
                field: field.name.clone(),
                kind,
            },
        ))
    }

    // --- managers, methods, flags -------------------------------------------------

    fn managers_methods_and_flags(&mut self) {
        let mut ordering = ModelMemo::default();
        let mut unknown = ModelMemo::default();
        for index in 0..self.models.len() {
            let id = ModelId(index as u32);
            let managers = self.model_managers(id);
            let unread = self.unread_attributes(id, &managers);
            let methods = self.model_methods(id);
            let has_ordering = self.has_ordering(id, &mut ordering);
            let meta_indexed = self.meta_indexed(id, &mut HashSet::new());
            let has_unknown = self.has_unknown_bases_model(id, &mut unknown);
            let model = &mut self.models[index];
            model.managers = managers;
            model.unread_attributes = unread;
            model.methods = methods;
            model.has_ordering = has_ordering;
            model.meta_indexed = meta_indexed;
            model.has_unknown_bases = has_unknown;
        }
        for index in 0..self.models.len() {
            let id = ModelId(index as u32);
            if self.has_outside_decorator(id) {
                self.models[index].unread_additions = true;
            }
            for target in self.unread_relation_targets(id) {
                self.models[target.0 as usize].unread_additions = true;
            }
        }
    }

    /// The model's class has a decorator that is not Django's: it may add anything.
    fn has_outside_decorator(&self, id: ModelId) -> bool {
        let ClassRef { file, class } = self.refs[id.0 as usize];
        class.decorators.iter().any(|dotted| {
            !matches!(
                self.scope.resolve(&file.module, dotted),
                Some(Referent::External(path)) if path.starts_with("django.")
            )
        })
    }

    /// The models the unread attributes of a model declared in its own class look
    /// like relations to.
    fn unread_relation_targets(&self, id: ModelId) -> Vec<ModelId> {
        let ClassRef { file, class } = self.refs[id.0 as usize];
        let unread = &self.models[id.0 as usize].unread_attributes;
        class
            .managers
            .iter()
            .filter(|declared| unread.contains(&declared.name))
            .filter_map(|declared| {
                let target = declared.relation_to.as_ref()?;
                self.target(Some(target), id, &file.module).id()
            })
            .collect()
    }

    fn has_ordering(&self, id: ModelId, memo: &mut ModelMemo) -> bool {
        memo.get(id, |memo| {
            let index = id.0 as usize;
            let meta = self.refs[index].class.meta.as_ref();
            if let Some(ordering) = meta.and_then(|m| m.ordering) {
                return ordering;
            }
            // Abstract parents pass their Meta on unless the child declares its own
            // (not subclassing theirs); concrete parents pass `ordering` on always.
            let inherits_abstract_meta = meta.is_none_or(|m| m.has_bases);
            self.model_bases[index].iter().any(|&base| {
                let abstract_base = self.models[base.0 as usize].is_abstract;
                (!abstract_base || inherits_abstract_meta) && self.has_ordering(base, memo)
            })
        })
    }

    /// The columns of the indexes the model's `Meta` declares, and those of the
    /// abstract parents whose `Meta` it inherits (as for `ordering`, a child's own `Meta`
    /// not subclassing theirs replaces it; taking theirs too only adds silence).
    fn meta_indexed(&self, id: ModelId, visiting: &mut HashSet<ModelId>) -> Option<Vec<String>> {
        if !visiting.insert(id) {
            return Some(Vec::new());
        }
        let index = id.0 as usize;
        // Django's own models are stubs without their `Meta`; its abstract ones
        // (`AbstractUser`, `PermissionsMixin`...) declare no index there.
        let model = &self.models[index];
        if model.origin == Origin::Django && !model.is_abstract {
            return None;
        }
        let mut columns = match self.refs[index].class.meta.as_ref() {
            Some(meta) => meta.indexed.clone()?,
            None => Vec::new(),
        };
        for &base in &self.model_bases[index] {
            if self.models[base.0 as usize].is_abstract {
                columns.extend(self.meta_indexed(base, visiting)?);
            }
        }
        Some(columns)
    }

    /// The class and its project base classes, nearest first (a simple MRO), and where in
    /// that order the first base we cannot read would stand (a class after it may be
    /// overridden by it).
    fn linearize(&self, qualname: &str) -> (Vec<ClassRef<'a>>, Option<usize>) {
        let mut order = Vec::new();
        let mut seen = HashSet::new();
        let mut first_unknown = None;
        // An unreadable base is pushed as `None`, so it is met where Python would look.
        let mut stack = vec![Some(qualname.to_string())];
        while let Some(q) = stack.pop() {
            let Some(q) = q else {
                first_unknown = first_unknown.or(Some(order.len()));
                continue;
            };
            if !seen.insert(q.clone()) || seen.len() > 64 {
                continue;
            }
            let Some(class) = self.classes.get(&q).copied() else {
                first_unknown = first_unknown.or(Some(order.len()));
                continue;
            };
            order.push(class);
            for base in class.class.bases.iter().rev() {
                match self.base(class.file, base) {
                    Base::Class(base) => stack.push(Some(base)),
                    Base::DjangoModel | Base::DjangoManager | Base::Object => {}
                    Base::FromQueryset { .. } | Base::External(_) => stack.push(None),
                }
            }
        }
        (order, first_unknown)
    }

    fn model_methods(&self, id: ModelId) -> Vec<MethodSummary> {
        let ClassRef { file, class } = self.refs[id.0 as usize];
        let (classes, first_unknown) = self.linearize(&format!("{}.{}", file.module, class.name));
        let mut methods: Vec<MethodSummary> = Vec::new();
        for (at, class) in classes.into_iter().enumerate() {
            for method in &class.class.methods {
                if !methods.iter().any(|m| m.name == method.name) {
                    methods.push(MethodSummary {
                        name: method.name.clone(),
                        kind: method.kind,
                        self_uses: method.self_uses.clone(),
                        shadowable: first_unknown.is_some_and(|unknown| unknown <= at),
                        module: class.file.module.clone(),
                        class: class.class.name.clone(),
                    });
                }
            }
        }
        methods
    }

    /// Class attributes of the model and its model bases assigned a call that is neither
    /// a field we read nor a manager we can (`ParentalKey(...)`, `TaggableManager()`).
    fn unread_attributes(&self, id: ModelId, managers: &[Manager]) -> Vec<String> {
        let mut unread = Vec::new();
        for model in self.model_mro(id) {
            for declared in &self.refs[model.0 as usize].class.managers {
                let read = managers
                    .iter()
                    .any(|m| m.name == declared.name && !m.opaque);
                if !read && !unread.contains(&declared.name) {
                    unread.push(declared.name.clone());
                }
            }
        }
        unread
    }

    fn model_managers(&self, id: ModelId) -> Vec<Manager> {
        // Managers come from the class and every model base (Python's name resolution).
        let order = self.model_mro(id);
        let mut managers: Vec<Manager> = Vec::new();
        for &model in &order {
            let ClassRef { file, class } = self.refs[model.0 as usize];
            for declared in &class.managers {
                if managers.iter().any(|m| m.name == declared.name) {
                    continue;
                }
                if let Some(manager) = self.manager(&declared.name, &declared.expr, &file.module) {
                    managers.push(manager);
                }
            }
            // A concrete base without managers got `objects` from Django; its children
            // inherit it like a declared one.
            if model != id
                && !self.models[model.0 as usize].is_abstract
                && !self.declares_managers(model)
                && !managers.iter().any(|m| m.name == "objects")
            {
                managers.push(plain_manager("objects"));
            }
        }
        // Django adds `objects` when preparing a concrete model that has no manager;
        // abstract models are never prepared (and their managers cannot be used anyway).
        // A model only because of a base we cannot read (`MP_Node`) may get managers
        // from it: its default one is unknown.
        if managers.is_empty() && !self.models[id.0 as usize].is_abstract {
            let mut objects = plain_manager("objects");
            objects.opaque = !order
                .iter()
                .any(|model| self.bases[model.0 as usize].contains(&Base::DjangoModel));
            managers.push(objects);
        }
        managers
    }

    /// The model and its model bases, nearest first.
    fn model_mro(&self, id: ModelId) -> Vec<ModelId> {
        let mut order = Vec::new();
        let mut seen = HashSet::new();
        let mut stack = vec![id];
        while let Some(current) = stack.pop() {
            if !seen.insert(current) {
                continue;
            }
            order.push(current);
            stack.extend(self.model_bases[current.0 as usize].iter().rev());
        }
        order
    }

    /// The model or one of its bases declares a manager.
    fn declares_managers(&self, id: ModelId) -> bool {
        self.model_mro(id).into_iter().any(|model| {
            let ClassRef { file, class } = self.refs[model.0 as usize];
            class
                .managers
                .iter()
                .any(|declared| self.is_manager(&declared.expr, &file.module))
        })
    }

    /// A manager class or queryset class named in `module`.
    fn manager_class(&self, module: &str, dotted: &[String]) -> ManagerClass {
        if dotted.is_empty() {
            return ManagerClass::Django;
        }
        // Outside the project: only its name tells.
        let unread = || match dotted.last() {
            Some(name) if name.contains("Manager") => ManagerClass::Opaque,
            _ => ManagerClass::NotAManager,
        };
        match self.scope.resolve(module, dotted) {
            Some(Referent::Defined { module, name }) => {
                let qualname = format!("{module}.{name}");
                if self.classes.contains_key(&qualname) {
                    return ManagerClass::Project(qualname);
                }
                match self.scope.modules.get(&module).and_then(|f| f.alias(&name)) {
                    Some(alias) => match &alias.value {
                        AliasValue::FromQueryset { manager, queryset } => {
                            ManagerClass::FromQueryset(module, manager.clone(), queryset.clone())
                        }
                        AliasValue::UserModel | AliasValue::Model(_) => ManagerClass::NotAManager,
                    },
                    None => ManagerClass::Opaque,
                }
            }
            Some(Referent::External(path)) if DJANGO_MANAGERS.contains(&path.as_str()) => {
                ManagerClass::Django
            }
            Some(Referent::Module(_)) => ManagerClass::NotAManager,
            Some(Referent::External(_)) | None => unread(),
        }
    }

    /// A project class used as a manager or queryset class: one whose bases we cannot all
    /// read and whose name says it is one counts (as a class outside the project would).
    fn project_manager_class(&self, qualname: &str) -> ManagerClass {
        match self.kind_of(qualname) {
            Kind::Manager => ManagerClass::Project(qualname.to_string()),
            Kind::Model => ManagerClass::NotAManager,
            Kind::Plain => {
                let name = qualname.rsplit('.').next().unwrap_or(qualname);
                if (name.contains("Manager") || name.contains("QuerySet"))
                    && self.class_has_unknown_bases(qualname, &mut HashSet::new())
                {
                    ManagerClass::Opaque
                } else {
                    ManagerClass::NotAManager
                }
            }
        }
    }

    /// The class a `X()` class attribute makes an instance of, as a manager class.
    fn called_manager_class(&self, module: &str, dotted: &[String]) -> ManagerClass {
        match self.manager_class(module, dotted) {
            ManagerClass::Project(q) => self.project_manager_class(&q),
            class => class,
        }
    }

    /// `expr` makes a manager (`as_manager()` and `from_queryset()` always do).
    fn is_manager(&self, expr: &ManagerExpr, module: &str) -> bool {
        match expr {
            ManagerExpr::Call(dotted) => !matches!(
                self.called_manager_class(module, dotted),
                ManagerClass::NotAManager
            ),
            ManagerExpr::AsManager(_) | ManagerExpr::FromQueryset { .. } => true,
        }
    }

    fn manager(&self, name: &str, expr: &ManagerExpr, module: &str) -> Option<Manager> {
        let mut parts = ManagerParts::default();
        match expr {
            ManagerExpr::Call(dotted) => {
                let class = self.called_manager_class(module, dotted);
                if let ManagerClass::NotAManager = class {
                    return None;
                }
                self.collect_manager(&class, Side::Manager, &mut parts, 0);
            }
            ManagerExpr::AsManager(queryset) => {
                let class = self.manager_class(module, queryset);
                parts.queryset_class = Some(class.clone());
                self.collect_manager(&class, Side::Queryset, &mut parts, 0);
            }
            ManagerExpr::FromQueryset { manager, queryset } => {
                self.collect_from_queryset(module, manager, queryset, Side::Manager, &mut parts, 0);
            }
        }
        Some(self.build_manager(name, parts))
    }

    fn kind_of(&self, qualname: &str) -> Kind {
        self.kinds.get(qualname).copied().unwrap_or(Kind::Plain)
    }

    /// Adds the methods of `class` and of its bases, nearest first, to `parts`.
    fn collect_manager(
        &self,
        class: &ManagerClass,
        side: Side,
        parts: &mut ManagerParts<'a>,
        depth: u32,
    ) {
        if depth > MAX_MANAGER_DEPTH {
            parts.opaque = true;
            return;
        }
        match class {
            ManagerClass::Django => {}
            ManagerClass::Project(qualname) => {
                if !parts.seen.insert(qualname.clone()) {
                    return;
                }
                let Some(class) = self.classes.get(qualname).copied() else {
                    parts.opaque = true;
                    return;
                };
                for method in &class.class.methods {
                    parts.add(method, side, &class.file.module);
                }
                for base in &class.class.bases {
                    match self.base(class.file, base) {
                        Base::Class(base) => self.collect_manager(
                            &ManagerClass::Project(base),
                            side,
                            parts,
                            depth + 1,
                        ),
                        Base::FromQueryset {
                            module,
                            manager,
                            queryset,
                        } => self.collect_from_queryset(
                            &module,
                            &manager,
                            &queryset,
                            side,
                            parts,
                            depth + 1,
                        ),
                        Base::DjangoManager | Base::Object => {}
                        Base::DjangoModel | Base::External(_) => parts.opaque = true,
                    }
                }
            }
            ManagerClass::FromQueryset(module, manager, queryset) => {
                self.collect_from_queryset(module, manager, queryset, side, parts, depth + 1);
            }
            ManagerClass::Opaque | ManagerClass::NotAManager => parts.opaque = true,
        }
    }

    /// `manager.from_queryset(queryset)`: the manager's methods, then the queryset's
    /// public ones (Django copies only those the manager lacks).
    fn collect_from_queryset(
        &self,
        module: &str,
        manager: &[String],
        queryset: &[String],
        side: Side,
        parts: &mut ManagerParts<'a>,
        depth: u32,
    ) {
        let queryset = self.manager_class(module, queryset);
        // The made class is nearer than `manager`: its queryset class wins.
        if side != Side::QuerysetClass && parts.queryset_class.is_none() {
            parts.queryset_class = Some(queryset.clone());
        }
        let manager = self.manager_class(module, manager);
        self.collect_manager(&manager, side, parts, depth + 1);
        let side = match side {
            Side::QuerysetClass => Side::QuerysetClass,
            Side::Manager | Side::Queryset => Side::Queryset,
        };
        self.collect_manager(&queryset, side, parts, depth + 1);
    }

    /// The queryset class named `dotted` in `module` (`PostQuerySet(self.model)`).
    fn queryset_class_named(&self, module: &str, dotted: &[String]) -> Option<QuerysetClass<'a>> {
        match self.manager_class(module, dotted) {
            // A queryset class from outside the project.
            ManagerClass::NotAManager
                if dotted.last().is_some_and(|n| n.contains("QuerySet"))
                    && !matches!(
                        self.scope.resolve(module, dotted),
                        Some(Referent::Defined { .. } | Referent::Module(_))
                    ) =>
            {
                Some(QuerysetClass {
                    methods: Vec::new(),
                    opaque: true,
                })
            }
            class => self.queryset_class(&class),
        }
    }

    /// The methods of a queryset class, nearest first; `None` when it is not one.
    fn queryset_class(&self, class: &ManagerClass) -> Option<QuerysetClass<'a>> {
        let class = match class {
            ManagerClass::Project(q) => self.project_manager_class(q),
            ManagerClass::NotAManager => return None,
            other => other.clone(),
        };
        let mut parts = ManagerParts::default();
        match class {
            ManagerClass::NotAManager => return None,
            // Methods of a class we cannot read are unknown; calling them gives `Other`.
            ManagerClass::Opaque => parts.opaque = true,
            class => self.collect_manager(&class, Side::QuerysetClass, &mut parts, 0),
        }
        Some(QuerysetClass {
            methods: parts.methods.into_iter().map(|(m, _)| m).collect(),
            opaque: parts.opaque,
        })
    }

    /// The queryset class the manager's `get_queryset()` returns an instance of: the one
    /// the nearest override creates, else the one `from_queryset()`/`as_manager()` gave,
    /// else Django's. `None` when we cannot tell.
    fn manager_queryset_class(&self, parts: &ManagerParts<'a>) -> Option<QuerysetClass<'a>> {
        for (get_queryset, module) in &parts.get_querysets {
            let facts = &get_queryset.queryset;
            if !facts.returns_queryset {
                return None;
            }
            match &facts.start {
                ChainStart::Inherited => {}
                ChainStart::Fresh(class) => return self.queryset_class_named(module, class),
                ChainStart::Mixed => return None,
            }
        }
        match &parts.queryset_class {
            Some(class) => self.queryset_class(class),
            None => Some(QuerysetClass::default()),
        }
    }

    fn build_manager(&self, name: &str, parts: ManagerParts<'a>) -> Manager {
        let mut result = plain_manager(name);
        result.opaque = parts.opaque;
        result.classes = parts.seen.iter().cloned().collect();
        result.classes.sort_unstable();
        let queryset_class = self.manager_queryset_class(&parts);
        result.opaque |= queryset_class.as_ref().is_none_or(|q| q.opaque);
        // What the queryset class's methods apply, calling each other.
        let queryset_methods = queryset_class.map(|q| q.methods).unwrap_or_default();
        let on_queryset = relative_applied(&queryset_methods, HashMap::new(), None);
        // The manager's own methods call each other on `self` and the queryset class's
        // on what they got; the queryset methods copied onto it run on `get_queryset()`.
        let own: Vec<&MethodFacts> = parts
            .methods
            .iter()
            .filter(|(_, side)| *side == Side::Manager)
            .map(|(m, _)| *m)
            .collect();
        let mut copied = HashMap::new();
        for (method, side) in &parts.methods {
            if *side == Side::Queryset
                && let Some(applied) = on_queryset.get(method.name.as_str())
            {
                copied.insert(method.name.as_str(), applied.clone());
            }
        }
        let relative = relative_applied(&own, copied, Some(&on_queryset));
        // `get_queryset()` overrides, from the farthest base to the nearest: each starts
        // from its parent's (`super().get_queryset()`) or from a new queryset.
        let unknown = Applied {
            unknown: true,
            annotates: true,
            ..Applied::default()
        };
        for (get_queryset, module) in parts.get_querysets.iter().rev() {
            let facts = &get_queryset.queryset;
            let readable = match &facts.start {
                ChainStart::Inherited => true,
                ChainStart::Fresh(class) => self.queryset_class_named(module, class).is_some(),
                ChainStart::Mixed => false,
            };
            let applied = chain_applied(facts, &relative, &on_queryset).filter(|_| readable);
            match applied {
                Some(applied) if facts.start == ChainStart::Inherited => {
                    result.applied.merge(&applied);
                }
                Some(applied) => result.applied = applied,
                // Whatever it returns may be filtered, joined or annotated.
                None => result.applied.merge(&unknown),
            }
        }
        for (method, _) in &parts.methods {
            let summary = match relative.get(method.name.as_str()) {
                Some(applied) => {
                    let mut total = result.applied.clone();
                    total.merge(applied);
                    ManagerMethod::Queryset(total)
                }
                None => ManagerMethod::Other,
            };
            result.methods.insert(method.name.clone(), summary);
        }
        result
    }
}

/// `from_queryset()` aliases and bases are followed at most this deep (cycles end here).
const MAX_MANAGER_DEPTH: u32 = 32;

/// Which class a method comes from, for what Django copies onto the manager.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    /// The manager class or one of its bases.
    Manager,
    /// The queryset class given to `from_queryset()`/`as_manager()`: its `get_queryset`
    /// does not count and its private methods stay on the queryset.
    Queryset,
    /// A queryset class read for itself: every method of it counts.
    QuerysetClass,
}

/// What a manager is built from: its methods, nearest definition first.
#[derive(Default)]
struct ManagerParts<'a> {
    methods: Vec<(&'a MethodFacts, Side)>,
    /// `get_queryset()` overrides of the manager classes, nearest first, with the module
    /// of their class.
    get_querysets: Vec<(&'a MethodFacts, &'a str)>,
    /// The queryset class `from_queryset()`/`as_manager()` gave (the nearest).
    queryset_class: Option<ManagerClass>,
    opaque: bool,
    /// Project classes already visited.
    seen: HashSet<String>,
}

impl<'a> ManagerParts<'a> {
    fn add(&mut self, method: &'a MethodFacts, side: Side, module: &'a str) {
        if method.name == "get_queryset" {
            if side == Side::Manager {
                self.get_querysets.push((method, module));
            }
            return;
        }
        let hidden = match side {
            Side::Manager => method.name.starts_with("__"),
            Side::Queryset => method.name.starts_with('_'),
            Side::QuerysetClass => false,
        };
        if !hidden && !self.methods.iter().any(|(m, _)| m.name == method.name) {
            self.methods.push((method, side));
        }
    }
}

/// A queryset class's methods, nearest definition first.
#[derive(Default)]
struct QuerysetClass<'a> {
    methods: Vec<&'a MethodFacts>,
    /// Some of it could not be read.
    opaque: bool,
}

/// What each method returning a queryset applies on top of the queryset it starts from:
/// its chain returns one and every method of ours it calls does too; what those apply
/// adds up. `known` holds methods already resolved; methods called on the queryset a
/// chain holds are looked up in `queryset` (`None`: these are the class's own methods).
fn relative_applied<'m>(
    methods: &[&'m MethodFacts],
    known: HashMap<&'m str, Applied>,
    queryset: Option<&HashMap<&str, Applied>>,
) -> HashMap<&'m str, Applied> {
    let mut resolved = known;
    loop {
        let mut changed = false;
        for method in methods {
            if resolved.contains_key(method.name.as_str())
                || method.queryset.start != ChainStart::Inherited
            {
                continue;
            }
            let applied = chain_applied(&method.queryset, &resolved, queryset.unwrap_or(&resolved));
            if let Some(applied) = applied {
                resolved.insert(&method.name, applied);
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    resolved
}

/// What a method's returned chains apply, given what the methods it calls apply; `None`
/// when it does not return a queryset or calls a method not (yet) known to.
fn chain_applied(
    facts: &QuerysetFacts,
    own: &HashMap<&str, Applied>,
    queryset: &HashMap<&str, Applied>,
) -> Option<Applied> {
    if !facts.returns_queryset {
        return None;
    }
    let mut applied = Applied::default();
    for call in &facts.calls {
        applied.merge(own.get(call.as_str())?);
    }
    for call in &facts.queryset_calls {
        applied.merge(queryset.get(call.as_str())?);
    }
    applied.merge(&facts.applied);
    Some(applied)
}

#[derive(Clone)]
enum ManagerClass {
    /// Django's own `Manager`/`QuerySet`, or none given.
    Django,
    Project(String),
    /// `X.from_queryset(Y)` assigned to a name in a module.
    FromQueryset(String, Vec<String>, Vec<String>),
    /// Outside the project, or not readable.
    Opaque,
    NotAManager,
}

fn plain_manager(name: &str) -> Manager {
    Manager {
        name: name.to_string(),
        applied: Applied::default(),
        methods: HashMap::new(),
        opaque: false,
        classes: Vec::new(),
    }
}

/// A self-referencing many-to-many Django makes symmetrical: no reverse accessor.
fn is_symmetric_self(field: &FieldFacts, model_name: &str) -> bool {
    if field.call != FieldCall::ManyToMany {
        return false;
    }
    let target = match &field.target {
        Some(TargetExpr::Str(s)) => s.as_str(),
        _ => return false,
    };
    let symmetrical = field.symmetrical.unwrap_or(target == "self");
    symmetrical && (target == "self" || target == model_name)
}

/// A flag of each model worked out once, from its bases' flags: a base met again while
/// its own flag is being worked out (an inheritance cycle) counts as `false`.
#[derive(Default)]
pub(super) struct ModelMemo {
    done: HashMap<ModelId, bool>,
    visiting: HashSet<ModelId>,
}

impl ModelMemo {
    pub(super) fn get(&mut self, id: ModelId, compute: impl FnOnce(&mut Self) -> bool) -> bool {
        if let Some(done) = self.done.get(&id) {
            return *done;
        }
        if !self.visiting.insert(id) {
            return false;
        }
        let result = compute(self);
        self.visiting.remove(&id);
        self.done.insert(id, result);
        result
    }
}

/// Django's field classes whose column has no index unless asked for: the classes a
/// project filters by. A class not listed (a third party's, a project's subclass) may
/// set `db_index` itself; `TextField`, `JSONField` and the like are left out, as a
/// B-tree index does not serve what is asked of them.
const UNINDEXED_CLASSES: &[&str] = &[
    "BigIntegerField",
    "CharField",
    "DateField",
    "DateTimeField",
    "DecimalField",
    "DurationField",
    "EmailField",
    "FloatField",
    "GenericIPAddressField",
    "IntegerField",
    "PositiveBigIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SmallIntegerField",
    "TimeField",
    "URLField",
    "UUIDField",
];

/// What a declared field's own options and class say about an index on its column.
fn declared_index(facts: &FieldFacts) -> Option<bool> {
    match facts.index {
        FieldIndex::Indexed => Some(true),
        FieldIndex::NotIndexed => Some(false),
        FieldIndex::Unknown => None,
        FieldIndex::Default => match facts.call {
            FieldCall::ForeignKey | FieldCall::OneToOne => Some(true),
            FieldCall::Plain => {
                let class = facts.callee.last()?.as_str();
                // `SlugField` defaults to `db_index=True`.
                match class {
                    "SlugField" => Some(true),
                    _ => UNINDEXED_CLASSES.contains(&class).then_some(false),
                }
            }
            _ => None,
        },
    }
}
