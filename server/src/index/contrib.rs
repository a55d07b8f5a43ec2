//! Django's contrib models that projects relate to, described as Python stubs and read
//! by the same extraction as project files. Only what the rules need: fields, relations,
//! managers (their classes and methods: Django's own managers are known, not opaque),
//! `Meta.ordering`, and `__str__` as Django 5.2 writes it (what it reads of `self`).

use std::sync::{Arc, LazyLock};

use super::extract::{FileFacts, Origin, extract};
use crate::syntax::SourceFile;

const STUBS: &[(&str, &str)] = &[
    // django-model-utils: a plain queryset until `select_subclasses()` selects subclasses
    // (unknown which, so what follows it is unknown).
    (
        "model_utils/managers.py",
        r#"
from django.db import models

class InheritanceQuerySetMixin:
    def select_subclasses(self, *subclasses):
        return self.select_related(*subclasses)

    def get_subclass(self, *args, **kwargs):
        return self.select_related(*args).get(**kwargs)

class InheritanceQuerySet(InheritanceQuerySetMixin, models.QuerySet):
    pass

class InheritanceManagerMixin:
    def get_queryset(self):
        return InheritanceQuerySet(self.model)

    def select_subclasses(self, *subclasses):
        return self.get_queryset().select_subclasses(*subclasses)

    def get_subclass(self, *args, **kwargs):
        return self.get_queryset().get_subclass(*args, **kwargs)

class InheritanceManager(InheritanceManagerMixin, models.Manager):
    pass
"#,
    ),
    (
        "django/contrib/contenttypes/models.py",
        r#"
from django.db import models

class ContentTypeManager(models.Manager):
    def get_by_natural_key(self, app_label, model):
        return self.get(app_label=app_label, model=model)

    def get_for_model(self, model, for_concrete_model=True):
        return self.get(app_label="", model="")

    def get_for_models(self, *models, for_concrete_models=True):
        return {}

    def get_for_id(self, id):
        return self.get(pk=id)

    def clear_cache(self):
        pass

class ContentType(models.Model):
    app_label = models.CharField(max_length=100)
    model = models.CharField(max_length=100)
    objects = ContentTypeManager()

    def __str__(self):
        return "%s | %s" % (self.app_label, self.model)
"#,
    ),
    (
        "django/contrib/auth/base_user.py",
        r#"
from django.db import models

class BaseUserManager(models.Manager):
    @classmethod
    def normalize_email(cls, email):
        return email

    def get_by_natural_key(self, username):
        return self.get(username=username)

class AbstractBaseUser(models.Model):
    password = models.CharField(max_length=128)
    last_login = models.DateTimeField(blank=True, null=True)

    class Meta:
        abstract = True

    def get_username(self):
        return getattr(self, self.USERNAME_FIELD)

    def __str__(self):
        return self.get_username()
"#,
    ),
    (
        "django/contrib/auth/models.py",
        r#"
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.contenttypes.models import ContentType
from django.db import models

class PermissionManager(models.Manager):
    def get_by_natural_key(self, codename, app_label, model):
        return self.get(codename=codename)

class Permission(models.Model):
    name = models.CharField(max_length=255)
    content_type = models.ForeignKey(ContentType, models.CASCADE)
    codename = models.CharField(max_length=100)

    objects = PermissionManager()

    class Meta:
        ordering = ["content_type__app_label", "content_type__model", "codename"]

    def __str__(self):
        return "%s | %s" % (self.content_type, self.name)

class GroupManager(models.Manager):
    def get_by_natural_key(self, name):
        return self.get(name=name)

class Group(models.Model):
    name = models.CharField(max_length=150, unique=True)
    permissions = models.ManyToManyField(Permission, blank=True)

    objects = GroupManager()

    def __str__(self):
        return self.name

class UserManager(BaseUserManager):
    def create_user(self, username, email=None, password=None, **extra_fields):
        return self.model(username=username)

    def create_superuser(self, username, email=None, password=None, **extra_fields):
        return self.model(username=username)

    def with_perm(self, perm, is_active=True, include_superusers=True, backend=None, obj=None):
        return backend.with_perm(perm, is_active, include_superusers, obj)

class PermissionsMixin(models.Model):
    is_superuser = models.BooleanField(default=False)
    groups = models.ManyToManyField(
        Group, blank=True, related_name="user_set", related_query_name="user"
    )
    user_permissions = models.ManyToManyField(
        Permission, blank=True, related_name="user_set", related_query_name="user"
    )

    class Meta:
        abstract = True

class AbstractUser(AbstractBaseUser, PermissionsMixin):
    username = models.CharField(max_length=150, unique=True)
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    email = models.EmailField(blank=True)
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField()

    objects = UserManager()

    class Meta:
        abstract = True

    def get_full_name(self):
        return "%s %s" % (self.first_name, self.last_name)

    def get_short_name(self):
        return self.first_name

class User(AbstractUser):
    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
"#,
    ),
    (
        "django/contrib/sites/models.py",
        r#"
from django.db import models

class SiteManager(models.Manager):
    def get_current(self, request=None):
        return self.get(pk=1)

    def clear_cache(self):
        pass

    def get_by_natural_key(self, domain):
        return self.get(domain=domain)

class Site(models.Model):
    domain = models.CharField(max_length=100, unique=True)
    name = models.CharField(max_length=50)
    objects = SiteManager()

    class Meta:
        ordering = ["domain"]

    def __str__(self):
        return self.domain
"#,
    ),
];

static FACTS: LazyLock<Vec<Arc<FileFacts>>> = LazyLock::new(|| {
    STUBS
        .iter()
        .map(|(path, source)| {
            let mut facts = extract(&SourceFile::new((*path).into(), *source));
            facts.origin = Origin::Django;
            Arc::new(facts)
        })
        .collect()
});

/// Facts of Django's contrib modules (`django.contrib.auth.models`, ...).
pub fn facts() -> &'static [Arc<FileFacts>] {
    &FACTS
}

/// A module described here: its stub, not its installed code, is read.
pub fn describes(module: &str) -> bool {
    FACTS.iter().any(|facts| facts.module == module)
}

/// The concrete user model Django swaps out when `AUTH_USER_MODEL` names another.
pub const DEFAULT_USER: (&str, &str) = ("django.contrib.auth.models", "User");
