#!/usr/bin/env bash
# The whole test suite, on a fresh machine as on a laptop: brings up what
# the tests need (tests/services.sh: PostgreSQL, Redis, nginx, Chromium,
# installed from Debian's packages where missing), then runs every test,
# including those marked ignored because they need those services, and
# prints one closing line for the whole suite.
#
# Arguments go to the test binaries: `tests/run.sh queue::` runs the tests
# whose names contain `queue::`.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/guichet-target}"

# shellcheck source=tests/services.sh
source tests/services.sh

log="$CARGO_TARGET_DIR/test-run.log"
mkdir -p "$CARGO_TARGET_DIR"
status=0
if ((${#missing[@]} > 0)); then
    step "cargo test --workspace (SQLite only: the services above are missing)"
    cargo test --workspace -- "$@" 2>&1 | tee "$log" || status=$?
    echo
    echo "warning: the tests that need PostgreSQL and Redis were skipped." >&2
    echo "warning: this is not a full run; fix the services and run again." >&2
else
    step "cargo test --workspace -- --include-ignored"
    cargo test --workspace -- --include-ignored "$@" 2>&1 | tee "$log" || status=$?
fi

# One closing line for the whole suite: cargo prints one per test binary,
# and the last of them (doc tests) runs none.
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($i ~ /^passed/) p += $(i-1); if ($i ~ /^failed/) f += $(i-1); if ($i ~ /^ignored/) g += $(i-1) } }
     END { printf "\nsuite: %d passed, %d failed, %d ignored\n", p, f, g }' "$log"
rm -f "$log"
exit "$status"
