#!/usr/bin/env bash
# Runs each fuzz target of fuzz/ for a bounded time (FUZZ_SECONDS each, 20 by default:
# 80 s in all) on a corpus seeded from the fixtures and the inputs that once crashed
# (fuzz/corpus/*/regression-*), after formatting and lints of the fuzz crate. A crash
# fails the run; its input is left in fuzz/artifacts/<target>/.
#
# Installs cargo-fuzz under target/tools/ when it is not there. Builds with the
# machine's toolchain and no sanitizer: AddressSanitizer needs nightly, which a clean
# machine does not have, and the analysis is safe Rust (the sanitizer would see little
# the panics and the overflow checks of the debug-assertion build do not).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${FUZZ_SECONDS:-20}"
tools="$PWD/target/tools"
cargo_fuzz_version="0.13.2"

if ! "$tools/bin/cargo-fuzz" --version 2>/dev/null | grep -q "$cargo_fuzz_version"; then
    echo "installing cargo-fuzz $cargo_fuzz_version into $tools"
    cargo install --quiet --root "$tools" --locked --version "$cargo_fuzz_version" cargo-fuzz
fi
export PATH="$tools/bin:$PATH"

echo "-- fmt and clippy of the fuzz crate"
cargo fmt --manifest-path fuzz/Cargo.toml -- --check
CARGO_TARGET_DIR="$PWD/target/fuzz-clippy" \
    cargo clippy --quiet --manifest-path fuzz/Cargo.toml --all-targets -- -D warnings

corpus="$PWD/target/fuzz-corpus"
rm -rf "$corpus"
python3 fuzz/seed.py "$corpus"

fuzz=(cargo fuzz run --sanitizer none --target-dir "$PWD/target/fuzz")
for target in check_bytes lsp_edits config templates; do
    case "$target" in
        config) dict=fuzz/dict/config.dict ;;
        templates) dict=fuzz/dict/templates.dict ;;
        *) dict=fuzz/dict/python.dict ;;
    esac
    echo "-- $target for ${seconds}s"
    log="$PWD/target/fuzz-$target.log"
    if ! "${fuzz[@]}" "$target" "$corpus/$target" -- \
        -max_total_time="$seconds" -timeout=30 -rss_limit_mb=4096 \
        -dict="$dict" -print_final_stats=1 >"$log" 2>&1; then
        grep -v '^"' "$log" | tail -60 >&2
        echo "fuzz target $target failed; its input is in fuzz/artifacts/$target/, the log in $log" >&2
        exit 1
    fi
    grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb)|DONE' "$log" || true
done
