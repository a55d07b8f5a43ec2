"""Configure Django for the verification project and create its tables (no migration files)."""

import os
import sys

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_ready = False


def setup():
    """Make `tests/django` importable, configure settings and create the tables once."""
    global _ready
    if _ready:
        return
    if HERE not in sys.path:
        sys.path.insert(0, HERE)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", run_syncdb=True, verbosity=0, interactive=False)
    _ready = True
