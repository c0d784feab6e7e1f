#!/usr/bin/env bash
# The production topology on one machine, without containers: a private
# PostgreSQL and a private Redis on spare ports, `guichet migrate` once, two
# `guichet serve` instances sharing them, and nginx in front with the
# repository's configuration (deploy/nginx/). Everything lives in one state
# directory; `stop` ends what `start` began and removes it.
#
#   deploy/local-cluster.sh start | stop | status
#
# Settings (environment):
#   GUICHET_BIN                  the binary (default: $CARGO_TARGET_DIR or
#                                target/, release then debug)
#   GUICHET_CLUSTER_DIR          state directory (default /tmp/guichet-cluster)
#   GUICHET_CLUSTER_PG_PORT      PostgreSQL port   (default 55432)
#   GUICHET_CLUSTER_REDIS_PORT   Redis port        (default 56379)
#   GUICHET_CLUSTER_PORT         nginx port        (default 58080)
#   GUICHET_CLUSTER_PORT_1, _2   the instances     (default 58081, 58082)
#   PG_BIN                       PostgreSQL's bin folder (default: the newest
#                                under /usr/lib/postgresql)
#
# nginx comes from the Debian package, installed when missing; the system
# service it brings is kept stopped, so nothing is left listening on port 80.
# Only processes recorded in the state directory are ever stopped.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE="${GUICHET_CLUSTER_DIR:-/tmp/guichet-cluster}"
PG_PORT="${GUICHET_CLUSTER_PG_PORT:-55432}"
REDIS_PORT="${GUICHET_CLUSTER_REDIS_PORT:-56379}"
PORT="${GUICHET_CLUSTER_PORT:-58080}"
PORT_1="${GUICHET_CLUSTER_PORT_1:-58081}"
PORT_2="${GUICHET_CLUSTER_PORT_2:-58082}"
MARKER=".guichet-cluster"
DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/guichet"
REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
PUBLIC_URL="http://127.0.0.1:$PORT"

say() { printf '==> %s\n' "$*"; }
fail() {
    printf 'error: %s\n' "$*" >&2
    exit 1
}

is_root() { [[ "$(id -u)" -eq 0 ]]; }

# Runs a PostgreSQL program as the postgres user: initdb and postgres refuse
# to run as root.
as_postgres() {
    if is_root; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

find_binary() {
    if [[ -n "${GUICHET_BIN:-}" ]]; then
        [[ -x "$GUICHET_BIN" ]] || fail "GUICHET_BIN=$GUICHET_BIN is not an executable"
        echo "$GUICHET_BIN"
        return
    fi
    local target="${CARGO_TARGET_DIR:-$ROOT/target}" profile
    for profile in release debug; do
        if [[ -x "$target/$profile/guichet" ]]; then
            echo "$target/$profile/guichet"
            return
        fi
    done
    fail "no guichet binary: build it (cargo build --release) or set GUICHET_BIN"
}

find_pg_bin() {
    if [[ -n "${PG_BIN:-}" ]]; then
        echo "$PG_BIN"
        return
    fi
    local newest
    newest=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
    if [[ -n "$newest" ]]; then
        echo "$newest"
    elif command -v pg_config >/dev/null 2>&1; then
        pg_config --bindir
    else
        fail "PostgreSQL's programs not found: install postgresql or set PG_BIN"
    fi
}

# nginx from the Debian package, with its system service kept stopped: the
# cluster runs its own nginx, and nothing else must answer on port 80.
ensure_nginx() {
    command -v nginx >/dev/null 2>&1 && return
    is_root || fail "nginx is missing; install it (apt-get install -y nginx)"
    say "installing nginx"
    local policy=/usr/sbin/policy-rc.d placed=false
    if [[ ! -e "$policy" ]]; then
        # Tells the package scripts not to start the service.
        printf '#!/bin/sh\nexit 101\n' >"$policy"
        chmod 755 "$policy"
        placed=true
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q nginx >/dev/null ||
        { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q nginx >/dev/null; }
    [[ "$placed" == true ]] && rm -f "$policy"
    stop_system_nginx
}

stop_system_nginx() {
    if command -v systemctl >/dev/null 2>&1 && [[ -d /run/systemd/system ]]; then
        systemctl disable --now nginx >/dev/null 2>&1 || true
    elif [[ -f /run/nginx.pid ]]; then
        nginx -s quit >/dev/null 2>&1 || true
    fi
}

# wait_for SECONDS WHAT COMMAND...: polls COMMAND twice a second.
wait_for() {
    local seconds=$1 what=$2 i
    shift 2
    for ((i = 0; i < seconds * 2; i++)); do
        "$@" >/dev/null 2>&1 && return 0
        sleep 0.5
    done
    fail "$what is not ready after ${seconds}s"
}

ready() { [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$1/readyz")" == 200 ]]; }
redis_pong() { [[ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" == PONG ]]; }

listening() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" >/dev/null 2>&1; }

# Refuses ports something else already answers on: a check would find that
# other server ready, and the cluster would quietly use it.
ports_free() {
    local name port
    for name in PG_PORT REDIS_PORT PORT PORT_1 PORT_2; do
        port=${!name}
        if listening "$port"; then
            fail "port $port ($name) is taken; choose another with GUICHET_CLUSTER_$name"
        fi
    done
}

alive() { [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

start_postgres() {
    local pg_bin
    pg_bin=$(find_pg_bin)
    say "PostgreSQL on 127.0.0.1:$PG_PORT"
    mkdir -p "$STATE/pg" "$STATE/pg-run"
    is_root && chown postgres: "$STATE/pg" "$STATE/pg-run"
    chmod 700 "$STATE/pg"
    as_postgres "$pg_bin/initdb" -D "$STATE/pg" -U postgres -A trust --no-sync -E UTF8 \
        >"$STATE/initdb.log" 2>&1 || fail "initdb failed"
    # A throwaway cluster: no fsync, connections only from this machine.
    as_postgres "$pg_bin/pg_ctl" -D "$STATE/pg" -l "$STATE/pg-run/postgres.log" -w -t 30 \
        -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k $STATE/pg-run -c fsync=off -c max_connections=200" \
        start >/dev/null || fail "PostgreSQL did not start"
    wait_for 30 "PostgreSQL" pg_isready -q -h 127.0.0.1 -p "$PG_PORT" -U postgres
    "$pg_bin/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres guichet
}

start_redis() {
    say "Redis on 127.0.0.1:$REDIS_PORT"
    command -v redis-server >/dev/null 2>&1 || fail "redis-server is missing (apt-get install -y redis-server)"
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no \
        --dir "$STATE" --daemonize yes --pidfile "$STATE/redis.pid" --logfile "$STATE/redis.log"
    wait_for 15 "Redis" alive "$STATE/redis.pid"
    wait_for 15 "Redis" redis_pong
}

start_instance() {
    local n=$1 port=$2 bin=$3
    say "guichet-$n on 127.0.0.1:$port"
    # The variables are the ones of deploy/compose.yaml and the systemd unit.
    env GUICHET_ADDR="127.0.0.1:$port" DATABASE_URL="$DATABASE_URL" REDIS_URL="$REDIS_URL" \
        GUICHET_PUBLIC_URL="$PUBLIC_URL" GUICHET_TRUSTED_PROXIES=127.0.0.1 \
        GUICHET_LOG_FORMAT=json GUICHET_SMS=log \
        nohup "$bin" serve </dev/null >"$STATE/guichet-$n.log" 2>&1 &
    echo $! >"$STATE/guichet-$n.pid"
}

write_nginx_conf() {
    mkdir -p "$STATE/nginx/tmp"
    # Workers write buffered bodies here, under their own user.
    chmod 1777 "$STATE/nginx/tmp"
    cat >"$STATE/nginx/upstream.conf" <<EOF
upstream guichet {
    server 127.0.0.1:$PORT_1 max_fails=2 fail_timeout=10s;
    server 127.0.0.1:$PORT_2 max_fails=2 fail_timeout=10s;
    keepalive 32;
}
EOF
    {
        is_root && echo "user www-data;"
        cat <<EOF
# Written by deploy/local-cluster.sh: the repository's configuration
# (deploy/nginx/guichet-*.conf) with this cluster's upstream, port and files.
worker_processes 2;
pid $STATE/nginx/nginx.pid;
error_log $STATE/nginx/error.log warn;

events {
    worker_connections 1024;
}

http {
    default_type application/octet-stream;
    client_body_temp_path $STATE/nginx/tmp/body;
    proxy_temp_path $STATE/nginx/tmp/proxy;
    fastcgi_temp_path $STATE/nginx/tmp/fastcgi;
    uwsgi_temp_path $STATE/nginx/tmp/uwsgi;
    scgi_temp_path $STATE/nginx/tmp/scgi;

    include $ROOT/deploy/nginx/guichet-http.conf;
    include $STATE/nginx/upstream.conf;
    access_log $STATE/nginx/access.log guichet;

    server {
        listen 127.0.0.1:$PORT default_server;
        server_name _;

        include $ROOT/deploy/nginx/guichet-locations.conf;
    }
}
EOF
    } >"$STATE/nginx/nginx.conf"
}

start_nginx() {
    say "nginx on 127.0.0.1:$PORT"
    write_nginx_conf
    nginx -t -q -p "$STATE/nginx" -e "$STATE/nginx/error.log" -c "$STATE/nginx/nginx.conf" ||
        fail "nginx refuses $STATE/nginx/nginx.conf"
    # In the foreground of its own process (no daemon, no service manager):
    # its pid is the one recorded.
    nohup nginx -p "$STATE/nginx" -e "$STATE/nginx/error.log" -c "$STATE/nginx/nginx.conf" \
        -g 'daemon off;' </dev/null >"$STATE/nginx/console.log" 2>&1 &
    echo $! >"$STATE/nginx.pid"
}

start() {
    local bin
    bin=$(find_binary)
    if [[ -e "$STATE" ]]; then
        [[ -f "$STATE/$MARKER" ]] && fail "a cluster is already in $STATE: run stop first"
        [[ -z "$(ls -A "$STATE")" ]] || fail "$STATE exists and is not empty"
    fi
    ports_free
    ensure_nginx
    mkdir -p "$STATE"
    touch "$STATE/$MARKER"
    # The postgres user must reach its data directory inside.
    chmod 755 "$STATE"
    trap 'echo "start failed; stopping what was started" >&2; show_logs >&2; stop >&2' EXIT

    start_postgres
    start_redis
    say "guichet migrate"
    DATABASE_URL="$DATABASE_URL" "$bin" migrate >"$STATE/migrate.log" 2>&1 ||
        fail "migration failed"
    start_instance 1 "$PORT_1" "$bin"
    start_instance 2 "$PORT_2" "$bin"
    wait_for 60 "guichet-1" ready "http://127.0.0.1:$PORT_1"
    wait_for 60 "guichet-2" ready "http://127.0.0.1:$PORT_2"
    start_nginx
    wait_for 15 "nginx in front of the instances" ready "$PUBLIC_URL"
    trap - EXIT

    cat <<EOF

Guichet is served at $PUBLIC_URL (nginx), by two instances:
  guichet-1      http://127.0.0.1:$PORT_1
  guichet-2      http://127.0.0.1:$PORT_2
  DATABASE_URL   $DATABASE_URL
  REDIS_URL      $REDIS_URL
  logs           $STATE
Create an admin with:
  printf '%s\\n' 'a-long-password' | DATABASE_URL=$DATABASE_URL $bin user add admin --role admin
Stop with: GUICHET_CLUSTER_DIR=$STATE $0 stop
EOF
}

# The end of every log, before a failed start removes them.
show_logs() {
    local log
    for log in "$STATE"/*.log "$STATE"/pg-run/*.log "$STATE"/nginx/*.log; do
        [[ -s "$log" ]] || continue
        printf -- '--- %s\n' "${log#"$STATE"/}"
        tail -n 20 "$log"
    done
}

# stop_pid NAME PIDFILE: TERM, then KILL after 10 s.
stop_pid() {
    local name=$1 file=$2 pid i
    alive "$file" || return 0
    pid=$(cat "$file")
    kill -TERM "$pid" 2>/dev/null || return 0
    for ((i = 0; i < 20; i++)); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.5
    done
    echo "$name did not stop in 10 s: killed" >&2
    kill -KILL "$pid" 2>/dev/null || true
}

stop() {
    if [[ ! -f "$STATE/$MARKER" ]]; then
        echo "no cluster in $STATE"
        return 0
    fi
    stop_pid nginx "$STATE/nginx.pid"
    # Both instances drain at once.
    stop_pid guichet-1 "$STATE/guichet-1.pid" &
    stop_pid guichet-2 "$STATE/guichet-2.pid" &
    wait
    stop_pid redis "$STATE/redis.pid"
    if [[ -f "$STATE/pg/postmaster.pid" ]]; then
        if ! as_postgres "$(find_pg_bin)/pg_ctl" -D "$STATE/pg" -m fast -w stop >/dev/null 2>&1; then
            head -1 "$STATE/pg/postmaster.pid" >"$STATE/postgres.pid"
            stop_pid postgres "$STATE/postgres.pid"
        fi
    fi
    rm -rf "$STATE"
    echo "cluster in $STATE stopped and removed"
}

status() {
    [[ -f "$STATE/$MARKER" ]] || {
        echo "no cluster in $STATE"
        return 3
    }
    local bad=0
    line() { printf '%-10s %-6s %s\n' "$1" "$2" "$3"; }
    if pg_isready -q -h 127.0.0.1 -p "$PG_PORT" -U postgres; then line postgres up "$DATABASE_URL"; else line postgres down "$DATABASE_URL"; bad=1; fi
    if redis_pong; then line redis up "$REDIS_URL"; else line redis down "$REDIS_URL"; bad=1; fi
    local n port
    for n in 1 2; do
        port="PORT_$n"
        if alive "$STATE/guichet-$n.pid" && ready "http://127.0.0.1:${!port}"; then
            line "guichet-$n" ready "http://127.0.0.1:${!port}"
        else
            line "guichet-$n" down "http://127.0.0.1:${!port}"
            bad=1
        fi
    done
    if alive "$STATE/nginx.pid" && ready "$PUBLIC_URL"; then line nginx ready "$PUBLIC_URL"; else line nginx down "$PUBLIC_URL"; bad=1; fi
    return "$bad"
}

case "${1:-}" in
start) start ;;
stop) stop ;;
status) status ;;
*)
    echo "usage: $0 start|stop|status" >&2
    exit 2
    ;;
esac
