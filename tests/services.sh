#!/usr/bin/env bash
# What the whole test suite needs, brought up on this machine: PostgreSQL
# and Redis on localhost, nginx (its configuration in deploy/nginx checked
# with `nginx -t`), and Chromium with chromedriver for the browser tests,
# installed from Debian's packages and started if need be; then, beside the
# build, openapi-python-client (PyPI, in a venv) and axe-core (npm).
#
# Sourced by tests/run.sh (and so by .ci/run); it exports
# GUICHET_TEST_POSTGRES, GUICHET_TEST_REDIS, GUICHET_OPENAPI_CLIENT_VENV and
# GUICHET_AXE_JS, and leaves in `missing` the
# services it could not bring up. Idempotent: services that already answer
# are left alone. Under CI=true a service that cannot be brought up is a
# failure.

PG_HOST=127.0.0.1
PG_PORT=5432
REDIS_HOST=127.0.0.1
REDIS_PORT=6379
HBA_MARKER="# guichet .ci/run: the postgres user over local TCP without password"

step() { printf '\n==> %s\n' "$*"; }
note() { printf '    %s\n' "$*"; }

in_ci() { [[ "${CI:-}" == "true" ]]; }

# Runs a command as root: directly, or through sudo when available.
as_root() {
    if [[ "$(id -u)" -eq 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo -n "$@"
    else
        echo "error: '$*' needs root and sudo is not available" >&2
        return 1
    fi
}

tcp_open() { timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" >/dev/null 2>&1; }

postgres_answers() {
    if command -v pg_isready >/dev/null 2>&1; then
        pg_isready -q -h "$PG_HOST" -p "$PG_PORT" -t 2 >/dev/null 2>&1
    else
        tcp_open "$PG_HOST" "$PG_PORT"
    fi
}

redis_answers() {
    if command -v redis-cli >/dev/null 2>&1; then
        [[ "$(timeout 3 redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping 2>/dev/null)" == "PONG" ]]
    else
        tcp_open "$REDIS_HOST" "$REDIS_PORT"
    fi
}

# wait_for SECONDS CHECK: polls CHECK once a second.
wait_for() {
    local seconds=$1 check=$2 i
    for ((i = 0; i < seconds; i++)); do
        "$check" && return 0
        sleep 1
    done
    "$check"
}

apt_updated=false
apt_install() {
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "error: apt-get not found; install $* by hand" >&2
        return 1
    fi
    if [[ "$apt_updated" == false ]]; then
        as_root apt-get update
        apt_updated=true
    fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y "$@"
}

pg_version() { ls /etc/postgresql 2>/dev/null | head -1 || true; }

# Whether the postgres user gets in over TCP without a password; unknown
# (assumed yes) when psql is not installed.
postgres_trusts() {
    command -v psql >/dev/null 2>&1 || return 0
    PGCONNECT_TIMEOUT=3 psql -w -q -At \
        "postgresql://postgres@$PG_HOST:$PG_PORT/postgres" -c 'SELECT 1' >/dev/null 2>&1
}

# Lets the postgres user in over local TCP without a password (trust), once.
trust_local_tcp() {
    local version hba
    version=$(pg_version)
    [[ -n "$version" ]] || return 0
    hba="/etc/postgresql/$version/main/pg_hba.conf"
    [[ -f "$hba" ]] || return 0
    if ! as_root grep -qF "$HBA_MARKER" "$hba"; then
        note "trusting the postgres user on 127.0.0.1 and ::1 in $hba"
        # First match wins in pg_hba.conf: these lines go on top.
        as_root sh -c "{ printf '%s\n' '$HBA_MARKER' \
            'host all postgres 127.0.0.1/32 trust' \
            'host all postgres ::1/128 trust'; cat '$hba'; } > '$hba.guichet' \
            && cat '$hba.guichet' > '$hba' && rm -f '$hba.guichet'"
    fi
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" main reload >/dev/null 2>&1 || true
}

start_postgres() {
    local version
    if ! command -v pg_ctlcluster >/dev/null 2>&1 || [[ -z "$(pg_version)" ]]; then
        note "installing PostgreSQL"
        apt_install postgresql || return 1
    fi
    version=$(pg_version)
    if [[ -z "$version" ]]; then
        # The package may be configured not to create a cluster.
        version=$(ls /usr/lib/postgresql 2>/dev/null | sort -V | tail -1 || true)
        [[ -n "$version" ]] || return 1
        note "creating cluster $version/main"
        as_root pg_createcluster "$version" main || return 1
    fi
    trust_local_tcp || true
    if ! postgres_answers; then
        note "starting cluster $version/main"
        as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    fi
}

start_redis() {
    if ! command -v redis-server >/dev/null 2>&1; then
        note "installing Redis"
        apt_install redis-server || return 1
    fi
    # Installing may have started it already.
    if ! redis_answers; then
        note "starting redis-server on $REDIS_HOST:$REDIS_PORT"
        redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$REDIS_PORT" \
            --save "" --appendonly no >/dev/null
    fi
}

missing=()

step "PostgreSQL on $PG_HOST:$PG_PORT"
if postgres_answers; then
    note "answering"
else
    start_postgres || note "could not install or start PostgreSQL"
    if wait_for 30 postgres_answers; then
        note "answering"
    else
        missing+=("PostgreSQL on $PG_HOST:$PG_PORT")
    fi
fi
if postgres_answers && ! postgres_trusts; then
    trust_local_tcp || true
    if ! wait_for 5 postgres_trusts; then
        note "the postgres user cannot connect over TCP without a password"
        missing+=("PostgreSQL access for user postgres without password")
    fi
fi

step "Redis on $REDIS_HOST:$REDIS_PORT"
if redis_answers; then
    note "answering"
else
    start_redis || note "could not install or start Redis"
    if wait_for 15 redis_answers; then
        note "answering"
    else
        missing+=("Redis on $REDIS_HOST:$REDIS_PORT")
    fi
fi

step "nginx for the deployment's configuration and the cluster test"
if command -v nginx >/dev/null 2>&1; then
    note "$(nginx -v 2>&1)"
else
    # The package starts its service on port 80; the cluster test runs its
    # own nginx, so the service is kept from starting and left disabled.
    placed_policy=false
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then
        as_root sh -c 'printf "#!/bin/sh\nexit 101\n" > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d'
        placed_policy=true
    fi
    apt_install nginx || missing+=("nginx")
    [[ "$placed_policy" == true ]] && as_root rm -f /usr/sbin/policy-rc.d
    if command -v systemctl >/dev/null 2>&1 && [[ -d /run/systemd/system ]]; then
        as_root systemctl disable --now nginx >/dev/null 2>&1 || true
    fi
fi
if command -v nginx >/dev/null 2>&1; then
    # The wrapper deploy/nginx/nginx.conf with an upstream of two local
    # instances, as compose and the systemd units supply theirs.
    nginx_check=$(mktemp -d)
    cp deploy/nginx/nginx.conf deploy/nginx/guichet-*.conf "$nginx_check/"
    cp deploy/nginx/upstream-systemd.conf "$nginx_check/upstream.conf"
    step "nginx -t on deploy/nginx"
    if ! nginx -t -p "$nginx_check" -e "$nginx_check/error.log" -c "$nginx_check/nginx.conf"; then
        rm -rf "$nginx_check"
        echo "error: nginx refuses the configuration in deploy/nginx" >&2
        exit 1
    fi
    rm -rf "$nginx_check"
fi

step "Chromium and chromedriver for the browser tests"
if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1 \
    && fc-list 2>/dev/null | grep -qi "Noto Sans Arabic"; then
    note "$(chromium --version 2>/dev/null | head -1) / $(chromedriver --version | head -1)"
else
    # Noto gives the screenshots Arabic glyphs, as a kiosk's system would.
    apt_install chromium chromium-driver fonts-noto-core || missing+=("Chromium and chromedriver")
fi

step "poppler-utils for the PDF report tests"
if command -v pdftotext >/dev/null 2>&1 && command -v pdftoppm >/dev/null 2>&1; then
    note "$(pdftotext -v 2>&1 | head -1)"
else
    apt_install poppler-utils || missing+=("poppler-utils")
fi

step "aiosmtpd for the e-mail tests"
# The Debian package goes to the system's Python, which the test runs.
if /usr/bin/python3 -c 'import aiosmtpd' >/dev/null 2>&1; then
    note "aiosmtpd $(/usr/bin/python3 -c 'import aiosmtpd; print(aiosmtpd.__version__)')"
else
    apt_install python3-aiosmtpd || missing+=("aiosmtpd")
fi

# Tools the tests install for themselves beside the build, so that a clean
# target directory brings them back: a client generator for the API test
# and axe-core for the accessibility test.
tools_dir="${CARGO_TARGET_DIR:-target}/test-tools"

step "openapi-python-client for the generated-client test"
OPENAPI_CLIENT_VERSION=0.29.1
client_venv="$tools_dir/openapi-client"
if [[ -x "$client_venv/bin/openapi-python-client" ]] \
    && [[ "$("$client_venv/bin/python" -c 'import importlib.metadata as m; print(m.version("openapi-python-client"))' 2>/dev/null)" == "$OPENAPI_CLIENT_VERSION" ]]; then
    note "openapi-python-client $OPENAPI_CLIENT_VERSION"
else
    rm -rf "$client_venv"
    mkdir -p "$tools_dir"
    /usr/bin/python3 -m venv --help >/dev/null 2>&1 || apt_install python3-venv || true
    if /usr/bin/python3 -m venv "$client_venv" \
        && "$client_venv/bin/pip" install --quiet --disable-pip-version-check \
            "openapi-python-client==$OPENAPI_CLIENT_VERSION"; then
        note "openapi-python-client $OPENAPI_CLIENT_VERSION installed in $client_venv"
    else
        missing+=("openapi-python-client")
    fi
fi
GUICHET_OPENAPI_CLIENT_VENV="$(cd "$client_venv" 2>/dev/null && pwd || echo "$client_venv")"
export GUICHET_OPENAPI_CLIENT_VENV

step "axe-core for the accessibility test"
AXE_VERSION=4.14.1
axe_dir="$tools_dir/axe"
if [[ -f "$axe_dir/node_modules/axe-core/axe.min.js" ]] \
    && grep -q "\"version\": \"$AXE_VERSION\"" "$axe_dir/node_modules/axe-core/package.json"; then
    note "axe-core $AXE_VERSION"
else
    mkdir -p "$axe_dir"
    if command -v npm >/dev/null 2>&1 || apt_install npm; then
        if npm install --silent --no-audit --no-fund --prefix "$axe_dir" "axe-core@$AXE_VERSION"; then
            note "axe-core $AXE_VERSION installed in $axe_dir"
        else
            missing+=("axe-core")
        fi
    else
        missing+=("npm for axe-core")
    fi
fi
GUICHET_AXE_JS="$(cd "$axe_dir" 2>/dev/null && pwd || echo "$axe_dir")/node_modules/axe-core/axe.min.js"
export GUICHET_AXE_JS

if ((${#missing[@]} > 0)); then
    for service in "${missing[@]}"; do
        echo "error: $service does not answer" >&2
    done
    if in_ci; then
        echo "error: CI=true and the tests need these services; giving up" >&2
        exit 1
    fi
fi


export GUICHET_TEST_POSTGRES="postgres://postgres@$PG_HOST:$PG_PORT/postgres"
export GUICHET_TEST_REDIS="redis://$REDIS_HOST:$REDIS_PORT"
