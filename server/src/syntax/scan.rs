//! Cheap byte scans that tell, before parsing, whether a file can matter at all. Most
//! files of a project hold neither models nor ORM code: they are never parsed.

/// The file may use the ORM: it mentions a manager, a queryset method, a related
/// manager or a `ModelAdmin` (whose changelist is a loop over rows). Without any of
/// these no rule can report anything in it.
pub fn may_use_orm(source: &str) -> bool {
    const MARKERS: &[&str] = &[
        "objects",
        "_manager",
        ".all(",
        ".filter(",
        ".exclude(",
        ".count(",
        ".exists(",
        ".first(",
        ".last(",
        ".get(",
        "queryset",
        "get_object_or_404",
        "get_user_model",
        "_related(",
        "ModelAdmin",
    ];
    MARKERS.iter().any(|m| source.contains(m))
}

/// The file may hold something the model index reads; the index skips the others.
pub fn may_matter_to_index(file_name: &str, source: &str) -> bool {
    may_define_models(file_name, source) || may_use_orm(source) || mentions_model_signal(source)
}

/// The signals a model instance's `save()` and `delete()` send, which bulk writes
/// (`bulk_create`, `bulk_update`, `update`) skip or send differently.
pub const MODEL_SIGNALS: &[&str] = &["pre_save", "post_save", "pre_delete", "post_delete"];

/// The text names one of [`MODEL_SIGNALS`]: it may connect a receiver to a model's
/// signals, which the index records.
pub fn mentions_model_signal(source: &str) -> bool {
    MODEL_SIGNALS.iter().any(|signal| source.contains(signal))
}

/// The file may hold facts for the model index: models, managers, querysets, the user
/// model setting, re-exports (`__init__.py`, or a star import anywhere, through which a
/// chain of modules can pass a model on) or an app's label (`apps.py`).
pub fn may_define_models(file_name: &str, source: &str) -> bool {
    const MARKERS: &[&str] = &[
        "Model",
        "models",
        "Manager",
        "QuerySet",
        "AUTH_USER_MODEL",
        "get_user_model",
        "_model",
        "from_queryset",
        "import *",
    ];
    matches!(file_name, "__init__.py" | "apps.py")
        || file_name.starts_with("settings")
        || MARKERS.iter().any(|m| source.contains(m))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_python_does_not_matter() {
        let util = "import re\n\ndef slug(s):\n    return re.sub('x', '', s)\n";
        assert!(!may_use_orm(util));
        assert!(!may_define_models("utils.py", util));
        assert!(may_define_models("__init__.py", ""));
        assert!(may_define_models(
            "models.py",
            "from django.db import models\n"
        ));
        assert!(may_use_orm("Post.objects.all()"));
        assert!(may_use_orm("for c in post.comments.all(): pass"));
    }
}
