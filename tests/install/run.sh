#!/usr/bin/env bash
# ormhint installed the way a Python developer installs it:
#   1. `maturin build --release` makes the wheel; `pip install` of it into a fresh venv
#      puts `ormhint` on PATH; that `ormhint` prints its version and checks the example
#      project exactly as the cargo-built binary does.
#   2. real `pre-commit`, with a copy of this working tree as the hook repository
#      (`.pre-commit-hooks.yaml`): a commit that adds an N+1 loop is stopped with the
#      finding, a commit of clean code goes through, and `ormhint-fix` fixes the file.
#
#   tests/install/run.sh
#
# Installs maturin and pre-commit from PyPI into target/venv-install the first time.
# pre-commit builds the hook with pip + maturin like a user's machine does, into
# target/install/hook-target (CARGO_TARGET_DIR), kept between runs so that only the
# ormhint crate is compiled again; a directory of its own, because builds of the same
# crate from two places in one target directory would each make the other stale.
# Environment: ORMHINT_BIN, the binary to compare with (default target/debug/ormhint).
set -euo pipefail
cd "$(dirname "$0")/../.."
REPO=$PWD
PYTHON=${PYTHON:-python3}
TOOLS=$REPO/target/venv-install
OUT=$REPO/target/install
ORMHINT_BIN=${ORMHINT_BIN:-$REPO/target/debug/ormhint}

fail() {
    echo "FAIL install: $*" >&2
    exit 1
}

if [ ! -x "$TOOLS/bin/maturin" ] || [ ! -x "$TOOLS/bin/pre-commit" ]; then
    echo "== creating $TOOLS with maturin and pre-commit" >&2
    "$PYTHON" -m venv "$TOOLS"
    "$TOOLS/bin/pip" install --quiet --disable-pip-version-check \
        "maturin>=1.7,<2" "pre-commit>=4,<5"
fi
[ -x "$ORMHINT_BIN" ] || cargo build --quiet --bin ormhint

TMP=$(mktemp -d "${TMPDIR:-/tmp}/ormhint-install.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

echo "== pip install of the wheel" >&2
rm -rf "$OUT/wheels"
"$TOOLS/bin/maturin" build --release --quiet --out "$OUT/wheels" >&2
wheels=("$OUT"/wheels/ormhint-*.whl)
[ "${#wheels[@]}" -eq 1 ] || fail "expected one wheel, found: ${wheels[*]}"
wheel=${wheels[0]}
size=$(stat -c %s "$wheel")
# The stripped binary compresses to a few MiB; debug info would make it ten times that.
[ "$size" -lt $((10 * 1024 * 1024)) ] || fail "the wheel is $size bytes: is the binary stripped?"

"$PYTHON" -m venv "$TMP/venv"
"$TMP/venv/bin/pip" install --quiet --disable-pip-version-check --no-index "$wheel"
installed=$TMP/venv/bin/ormhint
[ -x "$installed" ] || fail "pip did not put ormhint on the venv's PATH"
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
[ "$("$installed" --version)" = "ormhint $version" ] ||
    fail "--version: $("$installed" --version), expected ormhint $version"

cp -r tests/fixtures/shop "$TMP/shop"
expected_status=0
expected=$(cd "$TMP/shop/catalog" && NO_COLOR=1 "$ORMHINT_BIN" check 2>&1) || expected_status=$?
status=0
got=$(cd "$TMP/shop/catalog" && NO_COLOR=1 PATH="$TMP/venv/bin:$PATH" ormhint check 2>&1) || status=$?
[ "$status" -eq 1 ] || fail "ormhint check of the example project exited $status, expected 1"
[ "$got" = "$expected" ] && [ "$status" -eq "$expected_status" ] ||
    fail "the installed ormhint's output differs from $ORMHINT_BIN's:
$(diff <(echo "$expected") <(echo "$got"))"
grep -q '^services.py:[0-9]*:[0-9]*: warning\[ORM101\]' <<<"$got" ||
    fail "no ORM101 in catalog/services.py reported from catalog/:
$got"
echo "ok: pip install of $(basename "$wheel") ($((size / 1024)) KiB), ormhint $version" >&2

echo "== pre-commit hooks" >&2
# The hook repository: this working tree's files (committed or not), as one commit.
mkdir "$TMP/hooks"
git ls-files -z --cached --others --exclude-standard |
    xargs -0 -I{} cp --parents {} "$TMP/hooks/" 2>/dev/null || true
[ -f "$TMP/hooks/.pre-commit-hooks.yaml" ] || fail "no .pre-commit-hooks.yaml copied"
git() { command git -c user.name=test -c user.email=test@example.com -c init.defaultBranch=main -c commit.gpgsign=false "$@"; }
(cd "$TMP/hooks" && git init --quiet && git add -A && git commit --quiet -m hooks)
rev=$(git -C "$TMP/hooks" rev-parse HEAD)

project=$TMP/project
mkdir -p "$project/blog"
cat >"$project/.pre-commit-config.yaml" <<YAML
repos:
  - repo: $TMP/hooks
    rev: $rev
    hooks:
      - id: ormhint-check
YAML
touch "$project/manage.py" "$project/blog/__init__.py"
cat >"$project/blog/models.py" <<'PY'
from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=100)


class Post(models.Model):
    title = models.CharField(max_length=100)
    author = models.ForeignKey(Author, on_delete=models.CASCADE)
PY
export PRE_COMMIT_HOME=$TMP/pre-commit-home CARGO_TARGET_DIR=$OUT/hook-target
(
    cd "$project"
    git init --quiet
    "$TOOLS/bin/pre-commit" install >/dev/null
    git add -A
    PATH="$TOOLS/bin:$PATH" git commit --quiet -m models >"$TMP/first.log" 2>&1 ||
        fail "the first commit (models only) was stopped: $(cat "$TMP/first.log")"
) || exit 1

cat >"$project/blog/views.py" <<'PY'
from blog.models import Post


def titles():
    for post in Post.objects.all():
        print(post.title, post.author.name)
PY
status=0
(cd "$project" && git add -A && PATH="$TOOLS/bin:$PATH" git commit --quiet -m n+1) \
    >"$TMP/n1.log" 2>&1 || status=$?
[ "$status" -ne 0 ] || fail "the commit with an N+1 went through: $(cat "$TMP/n1.log")"
grep -q '^blog/views.py:6:27: warning\[ORM101\]' "$TMP/n1.log" ||
    fail "the stopped commit does not show the ORM101 finding: $(cat "$TMP/n1.log")"
[ "$(git -C "$project" rev-list --count HEAD)" -eq 1 ] || fail "the N+1 commit was made"

sed -i 's/Post.objects.all()/Post.objects.select_related("author")/' "$project/blog/views.py"
(cd "$project" && git add -A && PATH="$TOOLS/bin:$PATH" git commit --quiet -m clean) \
    >"$TMP/clean.log" 2>&1 || fail "the clean commit was stopped: $(cat "$TMP/clean.log")"
grep -q 'ormhint check\.*Passed' "$TMP/clean.log" || fail "ormhint-check did not run: $(cat "$TMP/clean.log")"

# ormhint-fix: the hook fixes the file, so pre-commit stops the commit to let it be staged.
sed -i 's/ormhint-check/ormhint-fix/' "$project/.pre-commit-config.yaml"
sed -i 's/select_related("author")/all()/' "$project/blog/views.py"
status=0
(cd "$project" && git add -A && PATH="$TOOLS/bin:$PATH" git commit --quiet -m fix) \
    >"$TMP/fix.log" 2>&1 || status=$?
[ "$status" -ne 0 ] || fail "ormhint-fix let a file it changed be committed: $(cat "$TMP/fix.log")"
grep -q 'Post.objects.select_related("author")' "$project/blog/views.py" ||
    fail "ormhint-fix did not fix blog/views.py: $(cat "$project/blog/views.py") $(cat "$TMP/fix.log")"
echo "ok: pre-commit stops an N+1 (ormhint-check), lets clean code in, ormhint-fix fixes" >&2
