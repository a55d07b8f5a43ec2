"""Shortcut: `python tests/django/oracle.py orm101:function` (see harness/oracle.py)."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness.oracle import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
