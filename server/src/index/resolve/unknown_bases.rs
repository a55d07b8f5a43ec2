//! Bases we cannot read (a third-party `MP_Node`, `six.with_metaclass(...)`): which
//! classes on them are models all the same (they declare what only a model declares,
//! or a model's relation points at them), and which models have such a base, so that
//! what they inherit stays unknown.

use std::collections::{HashMap, HashSet};

use super::super::extract::{BaseExpr, ClassFacts, FieldCall, FileFacts, TargetExpr};
use super::super::scope::{Referent, Scope};
use super::{Base, ClassRef, Kind, ModelMemo, Resolver, label_key};
use crate::index::model::ModelId;

/// Rounds of [`Resolver::promote_relation_targets`]: a chain of relations between
/// classes with unknown bases longer than this is not followed.
const MAX_PROMOTION_ROUNDS: usize = 4;

/// A class whose bases we cannot all read declares what only a model declares: a
/// relation, a field of Django's model fields, or a model's `Meta` options.
pub(super) fn declares_model_parts(scope: &Scope, class: ClassRef<'_>) -> bool {
    if class.class.ambiguous {
        return false;
    }
    let model_meta = class.class.meta.as_ref().is_some_and(|m| m.model_options);
    model_meta
        || class.class.fields.iter().any(|field| match field.call {
            // An expression's result type (`Func` subclasses of a third-party base).
            _ if field.name == "output_field" => false,
            FieldCall::Plain => matches!(
                scope.resolve(&class.file.module, &field.callee),
                Some(Referent::External(path)) if DJANGO_MODEL_FIELD_MODULES
                    .iter()
                    .any(|module| path.starts_with(module))
            ),
            _ => true,
        })
}

/// Where Django's model fields live (form and serializer fields are elsewhere).
const DJANGO_MODEL_FIELD_MODULES: &[&str] = &[
    "django.db.models.",
    "django.contrib.postgres.fields.",
    "django.contrib.gis.db.models.",
];

impl<'a> Resolver<'a> {
    pub(super) fn is_django_class(&self, file: &FileFacts, base: &BaseExpr) -> bool {
        base.name().is_some_and(|dotted| {
            matches!(
                self.scope.resolve(&file.module, dotted),
                Some(Referent::External(path)) if path.starts_with("django.")
            )
        })
    }

    /// Classes with a base we cannot read that a model's relation points at are models
    /// too (and their own relations may point at more).
    pub(super) fn promote_relation_targets(&mut self, modules: &[&'a FileFacts]) {
        // Candidates a string names by label: classes with a base we cannot read in a
        // models module (where Django finds models), none of whose label a model has.
        let mut by_label: HashMap<String, Vec<String>> = HashMap::new();
        let mut model_labels = HashSet::new();
        for file in modules {
            for class in &file.classes {
                let qualname = format!("{}.{}", file.module, class.name);
                let label = label_key(&self.app_label(file, class), &class.name);
                match self.kind(&qualname, &mut HashSet::new()) {
                    Kind::Model => {
                        model_labels.insert(label);
                    }
                    Kind::Plain
                        if !class.ambiguous
                            && file.module.split('.').any(|part| part == "models")
                            && self.class_has_unknown_bases(&qualname, &mut HashSet::new()) =>
                    {
                        by_label.entry(label).or_default().push(qualname);
                    }
                    Kind::Plain | Kind::Manager => {}
                }
            }
        }
        by_label.retain(|label, _| !model_labels.contains(label));
        for _ in 0..MAX_PROMOTION_ROUNDS {
            self.kinds.clear();
            let mut found = Vec::new();
            for file in modules {
                for class in &file.classes {
                    let qualname = format!("{}.{}", file.module, class.name);
                    if self.kind(&qualname, &mut HashSet::new()) != Kind::Model {
                        continue;
                    }
                    // A relation's target and a many-to-many's `through` are models.
                    let targets = class
                        .fields
                        .iter()
                        .flat_map(|field| field.target.iter().chain(&field.through));
                    for target in targets {
                        let target = self.target_class(file, class, target, &by_label);
                        if let Some(target) = target
                            && !self.promoted.contains(&target)
                            && self.kind(&target, &mut HashSet::new()) == Kind::Plain
                            && self
                                .classes
                                .get(&target)
                                .is_some_and(|c| !c.class.ambiguous)
                            && self.class_has_unknown_bases(&target, &mut HashSet::new())
                        {
                            found.push(target);
                        }
                    }
                }
            }
            if found.is_empty() {
                break;
            }
            self.promoted.extend(found);
        }
        self.kinds.clear();
    }

    /// The project class a relation of `class` names, whatever it is.
    fn target_class(
        &self,
        file: &FileFacts,
        class: &ClassFacts,
        target: &TargetExpr,
        by_label: &HashMap<String, Vec<String>>,
    ) -> Option<String> {
        match target {
            TargetExpr::Str(s) if s == "self" => None,
            TargetExpr::Str(s) => {
                let key = match s.split_once('.') {
                    Some((app, name)) => label_key(app, name),
                    None => label_key(&self.app_label(file, class), s),
                };
                // Two classes with the label: which one Django registers is unknown.
                match by_label.get(&key)?.as_slice() {
                    [qualname] => Some(qualname.clone()),
                    _ => None,
                }
            }
            TargetExpr::Name(dotted) => match self.scope.resolve(&file.module, dotted)? {
                Referent::Defined { module, name } => {
                    let qualname = format!("{module}.{name}");
                    self.classes.contains_key(&qualname).then_some(qualname)
                }
                _ => None,
            },
            TargetExpr::UserModel | TargetExpr::Other(_) => None,
        }
    }

    pub(super) fn has_unknown_bases_model(&self, id: ModelId, memo: &mut ModelMemo) -> bool {
        memo.get(id, |memo| {
            self.bases[id.0 as usize].iter().any(|base| match base {
                Base::Class(q) => match self.by_qualname.get(q) {
                    Some(&base) => self.has_unknown_bases_model(base, memo),
                    None => self.class_has_unknown_bases(q, &mut HashSet::new()),
                },
                Base::DjangoModel | Base::Object => false,
                Base::DjangoManager | Base::FromQueryset { .. } | Base::External(_) => true,
            })
        })
    }

    /// A project class (a mixin) that has a base we cannot read.
    pub(super) fn class_has_unknown_bases(
        &self,
        qualname: &str,
        visiting: &mut HashSet<String>,
    ) -> bool {
        let Some(class) = self.classes.get(qualname) else {
            return true;
        };
        if !visiting.insert(qualname.to_string()) {
            return false;
        }
        class
            .class
            .bases
            .iter()
            .any(|base| match self.base(class.file, base) {
                Base::Class(q) => self.class_has_unknown_bases(&q, visiting),
                Base::DjangoModel | Base::Object => false,
                Base::DjangoManager | Base::FromQueryset { .. } | Base::External(_) => true,
            })
    }
}
