#!/usr/bin/env bash
# Installs the pinned schemathesis into a virtual environment (default
# /var/tmp/guichet-schemathesis, or $SCHEMATHESIS_VENV) and prints nothing
# else when it is already there. Needs python3 with the venv module.
set -euo pipefail

VERSION=4.32.5
VENV="${SCHEMATHESIS_VENV:-/var/tmp/guichet-schemathesis}"

if [[ -x "$VENV/bin/schemathesis" ]] \
    && [[ "$("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("schemathesis"))' 2>/dev/null)" == "$VERSION" ]]; then
    exit 0
fi

if ! python3 -m venv --help >/dev/null 2>&1; then
    if command -v apt-get >/dev/null 2>&1 && [[ "$(id -u)" -eq 0 ]]; then
        apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y python3-venv
    else
        echo "error: python3 with the venv module is needed" >&2
        exit 1
    fi
fi

rm -rf "$VENV"
python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$VERSION"
"$VENV/bin/schemathesis" --version
