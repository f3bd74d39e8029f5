#!/usr/bin/env bash
# Fuzzes the JSON API with schemathesis against its own OpenAPI document (/api/v1/openapi.json).
#
#   scripts/api-fuzz.sh [extra schemathesis args...]
#
# Uses $VERTROUWD_BIN (default .build/debug/vertrouwd) and a virtualenv outside the repo
# ($API_VENV, default ${TMPDIR:-/tmp}/vertrouwd-api-venv). Starts `vertrouwd demo` on
# 127.0.0.1:$APP_PORT (default 8097) with a throwaway data dir, runs every check schemathesis has
# (no server error, status codes, content types and bodies as documented, bad input refused),
# then checks that the server is still up and logged no failed request. Log in artifacts/api-fuzz/.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

APP_PORT="${APP_PORT:-8097}"
BIN="${VERTROUWD_BIN:-$ROOT/.build/debug/vertrouwd}"
VENV="${API_VENV:-${TMPDIR:-/tmp}/vertrouwd-api-venv}"
REQUIREMENTS="$ROOT/Tests/API/requirements.txt"
ARTIFACTS="$ROOT/artifacts/api-fuzz"
MAX_EXAMPLES="${API_FUZZ_EXAMPLES:-300}"

log() { echo "api-fuzz: $*"; }
die() { echo "api-fuzz: ERROR: $*" >&2; exit 1; }

[[ -x "$BIN" ]] || die "no server binary at $BIN (swift build first, or set VERTROUWD_BIN)"
if [[ ! -x "$VENV/bin/schemathesis" ]] || ! cmp -s "$REQUIREMENTS" "$VENV/.requirements"; then
    log "setting up the Python virtualenv in $VENV"
    [[ -x "$VENV/bin/python" ]] || python3 -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQUIREMENTS"
    cp "$REQUIREMENTS" "$VENV/.requirements"
fi

if (exec 3<>"/dev/tcp/127.0.0.1/$APP_PORT") 2>/dev/null; then die "port $APP_PORT is in use (set APP_PORT)"; fi
mkdir -p "$ARTIFACTS"
DATA="$(mktemp -d "${TMPDIR:-/tmp}/vertrouwd-api-fuzz.XXXXXX")"
SERVER_PID=""
cleanup() {
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$DATA"
}
trap cleanup EXIT

log "starting $BIN demo on port $APP_PORT"
VERTROUWD_DATA_DIR="$DATA" VERTROUWD_TRUST_PROXY=0 LOG_LEVEL=info \
    "$BIN" demo --hostname 127.0.0.1 --port "$APP_PORT" >"$ARTIFACTS/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 240); do
    if curl -sf -o /dev/null "http://127.0.0.1:$APP_PORT/health"; then break; fi
    kill -0 "$SERVER_PID" 2>/dev/null || { tail -20 "$ARTIFACTS/server.log"; die "the server stopped while starting"; }
    sleep 0.5
done

BASE="http://127.0.0.1:$APP_PORT"
log "schemathesis against $BASE/api/v1/openapi.json ($MAX_EXAMPLES examples per operation)"
set +e
"$VENV/bin/schemathesis" run "$BASE/api/v1/openapi.json" --url "$BASE" \
    --checks all --max-examples "$MAX_EXAMPLES" --seed 20261129 --workers 2 \
    --suppress-health-check too_slow --request-timeout 30 \
    --report junit --report-dir "$ARTIFACTS" "$@"
STATUS=$?
set -e

kill -0 "$SERVER_PID" 2>/dev/null || { tail -40 "$ARTIFACTS/server.log"; die "the server died during the run"; }
curl -sf -o /dev/null "$BASE/health" || die "the server no longer answers /health"
if grep -q "request failed" "$ARTIFACTS/server.log"; then
    grep "request failed" "$ARTIFACTS/server.log" | head -5
    die "the server logged failed requests"
fi
[[ $STATUS -eq 0 ]] || die "schemathesis found problems (exit $STATUS)"
log "no server errors, no crashes, every response as documented"
