#!/usr/bin/env bash
# Runs every fuzz target for a bounded time each and fails on the first
# crash or broken property, printing the input that caused it and the
# command that replays it.
#
#   tests/fuzz/run.sh                  every target, 30 s each
#   FUZZ_SECONDS=300 tests/fuzz/run.sh phone sms_command
#
# Needs cargo-fuzz (installed here when missing). The machine's Rust is
# stable, so the nightly flags cargo-fuzz passes are allowed through
# RUSTC_BOOTSTRAP=1. The build goes to $FUZZ_TARGET_DIR (default
# /var/tmp/guichet-fuzz-target) so that later runs reuse it; the corpus
# grows there too, starting from the seeds committed in corpus/.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"
FUZZ_DIR=$(pwd)
cd ../..

SECONDS_EACH="${FUZZ_SECONDS:-30}"
TARGET_DIR="${FUZZ_TARGET_DIR:-/var/tmp/guichet-fuzz-target}"
SANITIZER="${FUZZ_SANITIZER:-address}"
CARGO_FUZZ_VERSION=0.13.2
export RUSTC_BOOTSTRAP=1

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "==> installing cargo-fuzz $CARGO_FUZZ_VERSION"
    CARGO_TARGET_DIR="$TARGET_DIR/cargo-fuzz-install" \
        cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked
fi

if (($# > 0)); then
    targets=("$@")
else
    mapfile -t targets < <(cargo fuzz list --fuzz-dir "$FUZZ_DIR")
fi

fuzz() {
    cargo fuzz "$1" --fuzz-dir "$FUZZ_DIR" --target-dir "$TARGET_DIR" \
        --sanitizer "$SANITIZER" --codegen-units 16 "${@:2}"
}

echo "==> building ${targets[*]} (sanitizer: $SANITIZER)"
fuzz build

passed=0
failed=0
for target in "${targets[@]}"; do
    corpus="$TARGET_DIR/corpus/$target"
    artifacts="$TARGET_DIR/artifacts/$target"
    mkdir -p "$corpus" "$artifacts"
    rm -f "$artifacts"/*
    echo "==> $target for ${SECONDS_EACH}s"
    # New inputs go to the first corpus folder; the committed seeds stay as they are.
    if fuzz run "$target" "$corpus" "$FUZZ_DIR/corpus/$target" -- \
        -max_total_time="$SECONDS_EACH" -artifact_prefix="$artifacts/" \
        -print_final_stats=1 2>"$TARGET_DIR/$target.log"; then
        grep -E '^(Done|stat::number_of_executed_units)' "$TARGET_DIR/$target.log" || true
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        tail -n 60 "$TARGET_DIR/$target.log"
        for input in "$artifacts"/*; do
            [[ -f "$input" ]] || continue
            echo
            echo "failing input $input, base64:"
            base64 -w0 "$input"
            echo
            echo "as the target reads it:"
            fuzz fmt "$target" "$input" 2>&1 || true
            echo "replay: RUSTC_BOOTSTRAP=1 cargo fuzz run --fuzz-dir tests/fuzz --target-dir $TARGET_DIR --sanitizer $SANITIZER --codegen-units 16 $target $input"
        done
    fi
done

echo
echo "fuzz: $passed targets clean, $failed failing"
((failed == 0))
