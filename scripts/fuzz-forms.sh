#!/usr/bin/env bash
# Property-based fuzzing of every HTML form (Hypothesis + pytest) against `vertrouwd demo` (issue 9).
#
#   scripts/fuzz-forms.sh [extra pytest args...]      e.g. -k 'contact or inbox' or -x
#
# Assumes `swift build` was done (uses .build/debug/vertrouwd, or $VERTROUWD_BIN).
# Installs hypothesis and pytest (Tests/Fuzz/requirements.txt) into a virtualenv outside the repo
# ($FUZZ_VENV, default ${TMPDIR:-/tmp}/vertrouwd-fuzz-venv). Starts the demo server on
# 127.0.0.1:$APP_PORT (default 8095) with a throwaway data dir and VERTROUWD_TRUST_PROXY=1 (the
# fuzzer varies X-Forwarded-For so per-client throttles let it reach the handlers); stops it on
# exit. A server that crashes is started again by the tests (same data dir, same log) so the other
# forms are still fuzzed; the crash fails the run.
#
# Knobs (environment): FUZZ_EXAMPLES (random examples per form, default 30), FUZZ_SEED (default 9;
# "random" for a new draw), FUZZ_FORM_SECONDS (time budget of a form's random examples, default 20),
# FUZZ_RAW_SHARE, FUZZ_CRAWL_DEPTH, FUZZ_CRAWL_PAGES, FUZZ_ALL_VISITORS, FUZZ_SLOW_SECONDS,
# FUZZ_TRACE=file (one line per request), FUZZ_AVOID=regex (requests not to send, to look past a
# known problem), FUZZ_REPEAT_CRASHES=1 (send a crashing kind of request on every form, not once).
# See Tests/Fuzz/README.md. The server log and fuzz-report.json end up in artifacts/fuzz/.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

APP_PORT="${APP_PORT:-8095}"
BIN="${VERTROUWD_BIN:-$ROOT/.build/debug/vertrouwd}"
VENV="${FUZZ_VENV:-${TMPDIR:-/tmp}/vertrouwd-fuzz-venv}"
ARTIFACTS="$ROOT/artifacts/fuzz"
REQUIREMENTS="$ROOT/Tests/Fuzz/requirements.txt"
STARTUP_TIMEOUT="${STARTUP_TIMEOUT:-120}"

log() { echo "fuzz-forms: $*"; }
die() { echo "fuzz-forms: ERROR: $*" >&2; exit 1; }

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

http_status() {
    python3 - "$1" <<'PY' 2>/dev/null || echo 000
import sys, urllib.request, urllib.error
try:
    print(urllib.request.urlopen(sys.argv[1], timeout=5).status)
except urllib.error.HTTPError as error:
    print(error.code)
except Exception:
    print("000")
PY
}

# ------------------------------------------------------------------ tools
ensure_venv() {
    local stamp="$VENV/.requirements"
    if [[ -x "$VENV/bin/python" ]] && cmp -s "$REQUIREMENTS" "$stamp"; then
        return
    fi
    log "setting up the Python virtualenv in $VENV"
    if [[ ! -x "$VENV/bin/python" ]]; then
        python3 -m venv "$VENV"
    fi
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQUIREMENTS"
    cp "$REQUIREMENTS" "$stamp"
}

[[ -x "$BIN" ]] || die "$BIN not found; run 'swift build' first"
command -v stdbuf >/dev/null || die "stdbuf (coreutils) is missing"
ensure_venv
log "$("$VENV/bin/python" -c 'import hypothesis, pytest; print("hypothesis", hypothesis.__version__, "/ pytest", pytest.__version__)')"

if port_in_use "$APP_PORT"; then
    die "port $APP_PORT on 127.0.0.1 is already in use (a server left running?)"
fi

# ------------------------------------------------------------------ server
WORK="$(mktemp -d "${TMPDIR:-/tmp}/vertrouwd-fuzz.XXXXXX")"
SERVER_LOG="$WORK/server.log"
PIDFILE="$WORK/server.pid"
SERVER_PID=""

# shellcheck disable=SC2317  # stop_pid and cleanup run from the EXIT trap
stop_pid() {
    local pid="$1"
    [[ -n "$pid" ]] || return 0
    kill "$pid" 2>/dev/null || return 0
    for _ in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.2
    done
    kill -9 "$pid" 2>/dev/null || true
}

# shellcheck disable=SC2317
cleanup() {
    # The tests may have started the server again after a crash: that one's id is in the pid file.
    local restarted=""
    [[ -f "$PIDFILE" ]] && restarted="$(cat "$PIDFILE" 2>/dev/null || true)"
    stop_pid "$SERVER_PID"
    [[ -n "$restarted" && "$restarted" != "$SERVER_PID" ]] && stop_pid "$restarted"
    mkdir -p "$ARTIFACTS"
    cp "$SERVER_LOG" "$ARTIFACTS/server.log" 2>/dev/null || true
    rm -rf -- "$WORK"
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

mkdir -p "$WORK/data" "$WORK/hypothesis"
rm -rf -- "$ARTIFACTS"
mkdir -p "$ARTIFACTS"

log "starting $BIN demo on 127.0.0.1:$APP_PORT (log: artifacts/fuzz/server.log)"
# stdbuf: Swift's print() is block-buffered when stdout is a file; line-buffer it so the
# demo-account lines reach the log while the server runs. DATABASE_URL is dropped so the
# demo always uses the throwaway data dir.
env -u DATABASE_URL \
    VERTROUWD_DATA_DIR="$WORK/data" \
    VERTROUWD_TRUST_PROXY=1 \
    stdbuf -oL -eL "$BIN" demo --hostname 127.0.0.1 --port "$APP_PORT" >"$SERVER_LOG" 2>&1 </dev/null &
SERVER_PID=$!
echo "$SERVER_PID" >"$PIDFILE"

show_server_log() {
    echo "----- server log ($SERVER_LOG) -----" >&2
    cat "$SERVER_LOG" >&2 || true
    echo "----- end of server log -----" >&2
}

deadline=$((SECONDS + STARTUP_TIMEOUT))
until [[ "$(http_status "http://127.0.0.1:$APP_PORT/health")" == 200 ]]; do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
        show_server_log
        die "the demo server exited before answering /health"
    fi
    if ((SECONDS >= deadline)); then
        show_server_log
        die "no 200 from http://127.0.0.1:$APP_PORT/health within ${STARTUP_TIMEOUT}s"
    fi
    sleep 0.5
done
log "demo server is up (pid $SERVER_PID)"

accounts="$(grep -c 'demo-account ' "$SERVER_LOG" || true)"
if [[ "$accounts" == 0 ]]; then
    show_server_log
    die "no 'demo-account role=... email=... password=... totp-secret=...' lines in the server's output"
fi

# ------------------------------------------------------------------ fuzzing
status=0
started=$SECONDS
VERTROUWD_BASE_URL="http://127.0.0.1:$APP_PORT" \
VERTROUWD_SERVER_LOG="$SERVER_LOG" \
VERTROUWD_SERVER_PID="$SERVER_PID" \
FUZZ_SERVER_BIN="$BIN" \
FUZZ_SERVER_DATA_DIR="$WORK/data" \
FUZZ_SERVER_PORT="$APP_PORT" \
FUZZ_SERVER_PIDFILE="$PIDFILE" \
FUZZ_REPO="$ROOT" \
FUZZ_ARTIFACTS="$ARTIFACTS" \
HYPOTHESIS_STORAGE_DIRECTORY="$WORK/hypothesis" \
PYTHONDONTWRITEBYTECODE=1 \
    "$VENV/bin/python" -m pytest -v Tests/Fuzz "$@" || status=$?

log "fuzzing took $((SECONDS - started))s; server log and fuzz-report.json in artifacts/fuzz/"
if ((status != 0)); then
    log "pytest failed (exit $status); error lines of the server log:"
    grep -E '\[ (ERROR|CRITICAL) \]|Fatal error|Precondition failed|Program crashed|request failed' "$SERVER_LOG" |
        tail -n 40 || true
fi
exit "$status"
