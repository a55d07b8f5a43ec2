#!/usr/bin/env python3
"""Writes the seed corpus of each fuzz target, from the repository's fixtures, into
DIR/<target>/ (default: fuzz/corpus). Generated rather than committed: the fixtures
change, and copies of them would drift. The inputs that once crashed a target
(fuzz/corpus/<target>/regression-*) are copied along when DIR is elsewhere.

    fuzz/seed.py [DIR]
"""

import hashlib
import os
import re
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# Python sources: the rule and flow fixtures (already `# --- path` multi-file texts),
# the example project and the real-Django test project.
FIXTURE_DIRS = ["server/tests/fixtures/rules", "server/tests/fixtures/flow"]
SKIPPED_DIRS = {"target", "fuzz", "node_modules"}
PROJECT_DIRS = ["tests/fixtures/shop", "tests/django", "server/tests/fixtures/cli/blog"]


def write(out: Path, name: str, data: bytes) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / f"seed-{name}").write_bytes(data)


def slug(path: Path) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", str(path))


def edit_script(data: bytes) -> bytes:
    """Bytes for lsp_edits to draw notifications from: fixed per file, so runs repeat."""
    script = b""
    seed = data
    while len(script) < 96:
        seed = hashlib.sha256(seed).digest()
        script += seed
    return script[:96]


def python_seeds(corpus: Path) -> None:
    for rel in FIXTURE_DIRS:
        for path in sorted((REPO / rel).glob("*.py")):
            text = path.read_bytes()
            write(corpus / "check_bytes", slug(path.relative_to(REPO)), text)
    for rel in PROJECT_DIRS:
        root = REPO / rel
        for path in sorted(root.rglob("*.py")):
            inside = path.relative_to(root)
            text = path.read_bytes()
            name = slug(path.relative_to(REPO))
            write(corpus / "check_bytes", name, b"# --- %s\n" % str(inside).encode() + text)
            write(corpus / "lsp_edits", name, text + b"\xff" + edit_script(text))


def template_seeds(corpus: Path) -> None:
    """The templates of the test projects, each alone and all of a project's joined by
    NUL (the templates target's separator), so includes find one another."""
    roots = [REPO / "tests/django", REPO / "server/tests/fixtures"]
    for root in roots:
        paths = sorted(
            p for p in root.rglob("*") if p.suffix in (".html", ".jinja") and {"templates", "jinja2"} & set(p.parts)
        )
        for path in paths:
            write(corpus / "templates", slug(path.relative_to(REPO)), path.read_bytes())
        if paths:
            joined = b"\0".join(p.read_bytes() for p in paths)
            write(corpus / "templates", slug(root.relative_to(REPO)) + "-all", joined)


def fenced(markdown: str, language: str) -> list[str]:
    return re.findall(r"```%s\n(.*?)```" % language, markdown, re.S)


def toml_files() -> list[Path]:
    """The config files in the repository (not Cargo's; not under build output)."""
    found = []
    for root, dirs, files in os.walk(REPO):
        dirs[:] = [d for d in dirs if d not in SKIPPED_DIRS and not d.startswith(".")]
        found += [Path(root) / f for f in files if f.endswith(".toml") and f != "Cargo.toml"]
    return sorted(found)


def config_seeds(corpus: Path) -> None:
    out = corpus / "config"
    for path in toml_files():
        write(out, slug(path.relative_to(REPO)), path.read_bytes())
    for readme in ["README.md", "editors/neovim/README.md", "editors/vscode/README.md"]:
        markdown = (REPO / readme).read_text()
        for language in ("toml", "json"):
            for i, block in enumerate(fenced(markdown, language)):
                write(out, f"{slug(Path(readme))}-{language}-{i}", block.encode())
    for i, text in enumerate(SETTINGS):
        write(out, f"settings-{i}", text.encode())


# The editor's settings in the shapes clients send them (README, editors/).
SETTINGS = [
    '{"ormhint": {"select": ["ORM1", "ORM2"], "ignore": ["ORM202"]}}',
    '{"select": [], "ignore": {}, "severity": []}',
    '{"ormhint": {"severity": {"ORM301": "hint", "ORM101": "error"}, "authUserModel": "accounts.User"}}',
    '{"ormhint": {"inlayHints": {"queryCost": true}, "inlayHints.queryCost": false}}',
    '{"ormhint": {"select": ["ALL", " orm6 ", 7], "colour": 1, "severity": {"ORM999": "loud"}}}',
    '[tool.ormhint]\nselect = ["ORM1"]\nseverity = { ORM301 = "info" }\ninlayHints = { queryCost = true }\n',
    'select = ["ALL"]\nignore = ["ORM301"]\nexclude = ["legacy/**", "a/{b,c}/*.py"]\nauth-user-model = "a.B"\n',
]


def regressions(corpus: Path) -> None:
    own = REPO / "fuzz" / "corpus"
    if corpus.resolve() == own.resolve():
        return
    for path in sorted(own.glob("*/regression-*")):
        target = corpus / path.parent.name
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target / path.name)


def main() -> None:
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "fuzz" / "corpus"
    python_seeds(corpus)
    template_seeds(corpus)
    config_seeds(corpus)
    regressions(corpus)
    for target in sorted(p for p in corpus.iterdir() if p.is_dir()):
        print(f"{target}: {sum(1 for _ in target.iterdir())} inputs")


if __name__ == "__main__":
    main()
