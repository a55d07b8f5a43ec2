"""Settings for the real-Django verification project (SQLite in memory, no migrations)."""

SECRET_KEY = "ormhint-tests-not-secret"
DEBUG = False
USE_TZ = True
ALLOWED_HOSTS = ["testserver"]
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    # Admin changelists (scenarios render them through `harness.admin.changelist`).
    "django.contrib.admin",
    "django.contrib.sessions",
    "django.contrib.messages",
    "rest_framework",
    "accounts",
    "blog",
    "shop",
    "social",
    "ledger",
]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": ":memory:",
    }
}
AUTH_USER_MODEL = "accounts.User"
ROOT_URLCONF = "proj.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    },
    # Django's Jinja2 backend: the apps' `jinja2/` directories.
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "APP_DIRS": True,
    },
]
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
# The apps ship no migration files: tables are made with `migrate --run-syncdb`.
MIGRATION_MODULES = {
    "accounts": None,
    "blog": None,
    "shop": None,
    "social": None,
    "admin": None,
    "sessions": None,
}
