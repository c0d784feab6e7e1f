#!/usr/bin/env bash
# Runs schemathesis against the service's own OpenAPI document: every
# operation is called with generated valid and invalid input, and the run
# fails on any 5xx, any status code the document does not list for that
# operation, and any response body that does not match its schema.
#
#   tests/schemathesis/run.sh
#   GUICHET_BIN=target/release/guichet SCHEMATHESIS_MAX_EXAMPLES=200 tests/schemathesis/run.sh
#
# It builds nothing: it starts the guichet binary ($GUICHET_BIN, default
# $CARGO_TARGET_DIR/debug/guichet, or target/debug/guichet) with `serve --demo` on a temporary
# SQLite file and a free port, logs in as the demo's admin, and passes the
# token to every request. Schemathesis comes from install.sh (a venv).
# The generation seed is fixed so that a run repeats; set
# SCHEMATHESIS_SEED to explore others.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
GUICHET_BIN="${GUICHET_BIN:-${CARGO_TARGET_DIR:-$HERE/../../target}/debug/guichet}"
VENV="${SCHEMATHESIS_VENV:-/var/tmp/guichet-schemathesis}"
MAX_EXAMPLES="${SCHEMATHESIS_MAX_EXAMPLES:-30}"
MAX_TIME="${SCHEMATHESIS_MAX_TIME:-240}"
SEED="${SCHEMATHESIS_SEED:-20260301}"

if [[ ! -x "$GUICHET_BIN" ]]; then
    echo "error: no guichet binary at $GUICHET_BIN (cargo build first, or set GUICHET_BIN)" >&2
    exit 1
fi
SCHEMATHESIS_VENV="$VENV" "$HERE/install.sh"

work=$(mktemp -d)
server_pid=
cleanup() {
    if [[ -n "$server_pid" ]]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"

GUICHET_LOG_FORMAT=json RUST_LOG="${RUST_LOG:-warn}" "$GUICHET_BIN" serve --demo \
    --addr "127.0.0.1:$port" --database-url "sqlite://$work/guichet.db" \
    --public-url "$base" >"$work/stdout" 2>"$work/stderr" &
server_pid=$!

for _ in $(seq 1 120); do
    grep -q "listening on" "$work/stdout" 2>/dev/null && break
    if ! kill -0 "$server_pid" 2>/dev/null; then
        cat "$work/stdout" "$work/stderr" >&2
        echo "error: guichet exited before listening" >&2
        exit 1
    fi
    sleep 0.5
done
grep -q "listening on" "$work/stdout" || { echo "error: guichet did not start" >&2; exit 1; }

password=$(awk '$1 == "admin" && $2 == "admin" { print $3 }' "$work/stdout")
token=$(python3 - "$base" "$password" <<'PY'
import json, sys, urllib.request
base, password = sys.argv[1], sys.argv[2]
request = urllib.request.Request(
    base + "/api/v1/auth/login",
    data=json.dumps({"username": "admin", "password": password}).encode(),
    headers={"Content-Type": "application/json"},
)
print(json.load(urllib.request.urlopen(request))["token"])
PY
)

echo "==> schemathesis against $base/api/v1/openapi.json (seed $SEED, at most $MAX_EXAMPLES examples an operation, ${MAX_TIME}s)"
status=0
# Logging out would revoke the token every other call uses. Run from the
# temporary folder: schemathesis keeps a cache in the working directory.
(cd "$work" && "$VENV/bin/st" --config-file "$HERE/schemathesis.toml" run "$base/api/v1/openapi.json" \
    --header "Authorization: Bearer $token" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --phases examples,coverage,fuzzing \
    --exclude-path /api/v1/auth/logout \
    --max-examples "$MAX_EXAMPLES" --max-time "$MAX_TIME" --seed "$SEED" \
    --workers 2 --request-timeout 10 --generation-database none --no-color \
    "${@}") || status=$?

if grep -q '"level":"ERROR"' "$work/stderr"; then
    echo "==> the service logged errors:"
    grep '"level":"ERROR"' "$work/stderr" | tail -n 20
    status=1
fi
if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "error: guichet died during the run" >&2
    tail -n 40 "$work/stderr" >&2
    status=1
fi
exit "$status"
