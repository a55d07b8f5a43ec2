"""pytest setup for the real-Django verification project, and the summary table."""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

from harness import report  # noqa: E402
from harness.setup import setup  # noqa: E402

setup()


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "static: runs the ormhint binary against the labels (fails until the rules land; "
        "skipped only with ORMHINT_SKIP_STATIC=1)",
    )


def pytest_collection_modifyitems(config, items):
    if os.environ.get("ORMHINT_SKIP_STATIC") == "1":
        report.skipped("ORMHINT_SKIP_STATIC=1")


def pytest_terminal_summary(terminalreporter):
    for line in report.render():
        terminalreporter.write_line(line)
