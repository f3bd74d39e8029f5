#!/usr/bin/env bash
# Throwaway PostgreSQL server for tests.
#
#   scripts/postgres-test-server.sh start DIR PORT [DBNAME]
#   scripts/postgres-test-server.sh stop DIR
#
# start: initdb into DIR/data as the `postgres` OS user (DIR is created if needed and
#        chowned to postgres), listen on 127.0.0.1:PORT only, unix socket in DIR, trust
#        auth, and create database DBNAME (default: vertrouwd_test). Connect with
#        postgres://postgres@127.0.0.1:PORT/DBNAME
# stop:  fast shutdown of the server in DIR (no-op if it is not running), then remove
#        DIR if this script created the cluster in it. Safe to call more than once,
#        so it can sit in an EXIT trap.
#
# Must run as root (it uses `runuser -u postgres`). PG_BINDIR overrides where the
# PostgreSQL binaries are looked for (default: newest /usr/lib/postgresql/*/bin).
set -euo pipefail

readonly MARKER=".vertrouwd-test-postgres"

die() { echo "postgres-test-server: $*" >&2; exit 1; }

usage() {
    echo "usage: $0 start DIR PORT [DBNAME] | stop DIR" >&2
    exit 2
}

pg_bindir() {
    if [[ -n "${PG_BINDIR:-}" ]]; then
        echo "$PG_BINDIR"
        return
    fi
    local dir
    dir="$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)"
    [[ -n "$dir" ]] || die "no PostgreSQL server binaries under /usr/lib/postgresql (apt-get install postgresql-15)"
    echo "$dir"
}

# Run a command as the postgres OS user from a directory it can read.
as_postgres() {
    (cd / && runuser -u postgres -- "$@")
}

port_in_use() {
    # bash's /dev/tcp: a successful connect means something already listens there.
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

cmd_start() {
    local dir="$1" port="$2" db="${3:-vertrouwd_test}"
    [[ "$port" =~ ^[0-9]+$ ]] || die "PORT must be a number, got '$port'"
    [[ "$(id -u)" == 0 ]] || die "must run as root (uses runuser -u postgres)"
    id postgres >/dev/null 2>&1 || die "no 'postgres' OS user (is postgresql installed?)"
    local bin
    bin="$(pg_bindir)"
    if port_in_use "$port"; then
        die "port $port on 127.0.0.1 is already in use"
    fi
    if [[ -e "$dir/data/postmaster.pid" ]]; then
        die "a server seems to be running in $dir already (run: $0 stop $dir)"
    fi

    mkdir -p "$dir"
    dir="$(cd "$dir" && pwd)"
    chown postgres: "$dir"
    chmod 700 "$dir"
    as_postgres test -w "$dir" || die "user postgres cannot write to $dir (check the parent directories' permissions)"
    as_postgres touch "$dir/$MARKER"

    if [[ ! -e "$dir/data/PG_VERSION" ]]; then
        as_postgres "$bin/initdb" --pgdata="$dir/data" --username=postgres --auth=trust \
            --encoding=UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 \
            || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
    fi

    # Only TCP on loopback plus a private unix socket; settings tuned for throwaway speed.
    local opts="-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100"
    as_postgres "$bin/pg_ctl" --pgdata="$dir/data" --log="$dir/postgres.log" \
        --options="$opts" --wait --timeout=60 start >/dev/null \
        || { cat "$dir/postgres.log" >&2 || true; die "pg_ctl start failed"; }

    if ! as_postgres "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -tAq \
        -c "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
        as_postgres "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres "$db"
    fi
    echo "postgres-test-server: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') ready at postgres://postgres@127.0.0.1:$port/$db (dir $dir)"
}

cmd_stop() {
    local dir="$1"
    [[ -d "$dir" ]] || return 0
    local bin
    bin="$(pg_bindir)"
    if [[ -e "$dir/data/postmaster.pid" ]]; then
        if ! as_postgres "$bin/pg_ctl" --pgdata="$dir/data" --mode=fast --wait --timeout=60 stop >/dev/null; then
            echo "postgres-test-server: fast stop failed, trying immediate (log: $dir/postgres.log)" >&2
            as_postgres "$bin/pg_ctl" --pgdata="$dir/data" --mode=immediate --wait --timeout=30 stop >/dev/null \
                || die "could not stop the server in $dir; leaving it in place"
        fi
    fi
    if [[ -e "$dir/$MARKER" ]]; then
        rm -rf -- "$dir"
    fi
    echo "postgres-test-server: stopped ($dir)"
}

case "${1:-}" in
    start) [[ $# -ge 3 && $# -le 4 ]] || usage; cmd_start "$2" "$3" "${4:-}" ;;
    stop) [[ $# -eq 2 ]] || usage; cmd_stop "$2" ;;
    *) usage ;;
esac
