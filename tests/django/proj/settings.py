"""Settings for the real-Django verification project (SQLite in memory, no migrations)."""

SECRET_KEY = "ormhint-tests-not-secret"
DEBUG = False
USE_TZ = True
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "rest_framework",
    "accounts",
    "blog",
    "shop",
    "social",
]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": ":memory:",
    }
}
AUTH_USER_MODEL = "accounts.User"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
# The apps ship no migration files: tables are made with `migrate --run-syncdb`.
MIGRATION_MODULES = {"accounts": None, "blog": None, "shop": None, "social": None}
