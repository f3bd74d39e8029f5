#!/usr/bin/env bash
# Two instances on one PostgreSQL (issue 10): see scripts/multi-instance.py for what it proves.
#
#   scripts/multi-instance.sh [--bin PATH] [--port PGPORT]
#
# Starts a throwaway PostgreSQL (scripts/postgres-test-server.sh; needs root and the server
# binaries: apt-get install postgresql-15) and, as root, installs nginx if it is missing; runs the check with the Python standard library, and
# stops the database again. Without --bin, the debug build is made and used.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=""
PG_PORT=54349
while [[ $# -gt 0 ]]; do
    case "$1" in
        --bin) BIN="$2"; shift 2 ;;
        --port) PG_PORT="$2"; shift 2 ;;
        *) echo "usage: $0 [--bin PATH] [--port PGPORT]" >&2; exit 2 ;;
    esac
done
if [[ -z "$BIN" ]]; then
    swift build --product vertrouwd
    BIN=".build/debug/vertrouwd"
fi

# nginx from Debian, to check the documented proxy configuration (deploy/nginx/) in front of both.
if ! command -v nginx >/dev/null && [[ ! -x /usr/sbin/nginx ]] && [[ "$(id -u)" == 0 ]]; then
    echo "installing nginx with apt"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q nginx >/dev/null || {
        apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q nginx >/dev/null
    }
fi

PG_DIR="$(mktemp -d "${TMPDIR:-/tmp}/vertrouwd-multi-pg.XXXXXX")"
trap 'bash scripts/postgres-test-server.sh stop "$PG_DIR" || true' EXIT
bash scripts/postgres-test-server.sh start "$PG_DIR" "$PG_PORT" vertrouwd_multi
python3 scripts/multi-instance.py --binary "$BIN" \
    --database-url "postgres://postgres@127.0.0.1:$PG_PORT/vertrouwd_multi" --artifacts artifacts/multi-instance
