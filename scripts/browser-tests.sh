#!/usr/bin/env bash
# Browser tests: headless Chromium (Selenium + pytest) against `vertrouwd demo`.
#
#   scripts/browser-tests.sh [extra pytest args...]
#
# Assumes `swift build` was done (uses .build/debug/vertrouwd, or $VERTROUWD_BIN).
# Installs chromium + chromium-driver with apt when missing (needs root) and selenium,
# pytest and axe-core (from axe-playwright-python) into a virtualenv outside the repo
# ($BROWSER_VENV, default ${TMPDIR:-/tmp}/vertrouwd-browser-venv). Starts the demo server
# on 127.0.0.1:$APP_PORT (default 8089) with a throwaway data dir, and a neutral
# quick-exit page on 127.0.0.1:$EXIT_PORT (default 8090); stops both on exit.
# Screenshots and the server log end up in artifacts/browser/.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

APP_PORT="${APP_PORT:-8089}"
EXIT_PORT="${EXIT_PORT:-8090}"
SMTP_PORT="${SMTP_PORT:-8025}"
BIN="${VERTROUWD_BIN:-$ROOT/.build/debug/vertrouwd}"
VENV="${BROWSER_VENV:-${TMPDIR:-/tmp}/vertrouwd-browser-venv}"
ARTIFACTS="$ROOT/artifacts/browser"
REQUIREMENTS="$ROOT/Tests/Browser/requirements.txt"
AXE_WHEEL_VERSION="0.1.8"
STARTUP_TIMEOUT="${STARTUP_TIMEOUT:-120}"

log() { echo "browser-tests: $*"; }
die() { echo "browser-tests: ERROR: $*" >&2; exit 1; }

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

http_status() {
    curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$1" 2>/dev/null || true
}

# ------------------------------------------------------------------ tools
ensure_chromium() {
    if command -v chromium >/dev/null && [[ -x /usr/bin/chromedriver ]] && command -v curl >/dev/null && command -v openssl >/dev/null; then
        return
    fi
    [[ "$(id -u)" == 0 ]] || die "chromium/chromium-driver/curl/openssl missing; install them as root: apt-get install chromium chromium-driver curl openssl"
    log "installing chromium, chromium-driver, curl and openssl with apt"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q chromium chromium-driver curl openssl
}

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
    # Only axe.min.js is needed from this wheel; its Playwright dependency (~160 MB) is not.
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps "axe-playwright-python==$AXE_WHEEL_VERSION"
    cp "$REQUIREMENTS" "$stamp"
}

[[ -x "$BIN" ]] || die "$BIN not found; run 'swift build' first"
ensure_chromium
ensure_venv
log "$(chromium --version 2>/dev/null) / $(/usr/bin/chromedriver --version | cut -d' ' -f1-2)"
log "$("$VENV/bin/python" -c 'import selenium, pytest; print("selenium", selenium.__version__, "/ pytest", pytest.__version__)')"
log "$("$VENV/bin/python" -c 'import pathlib, sysconfig
print((pathlib.Path(sysconfig.get_paths()["purelib"]) / "axe_playwright_python" / "axe.min.js").read_text().split("\n")[0].strip("/*! "))')"

for port in "$APP_PORT" "$EXIT_PORT" "$SMTP_PORT"; do
    if port_in_use "$port"; then
        die "port $port on 127.0.0.1 is already in use (a server left running?)"
    fi
done

# ------------------------------------------------------------------ servers
WORK="$(mktemp -d "${TMPDIR:-/tmp}/vertrouwd-browser.XXXXXX")"
SERVER_LOG="$WORK/server.log"
SERVER_PID=""
EXIT_SERVER_PID=""
SMTP_SERVER_PID=""

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
    stop_pid "$SERVER_PID"
    stop_pid "$EXIT_SERVER_PID"
    stop_pid "$SMTP_SERVER_PID"
    mkdir -p "$ARTIFACTS"
    cp "$SERVER_LOG" "$ARTIFACTS/server.log" 2>/dev/null || true
    cp "$WORK/smtp-server.log" "$ARTIFACTS/smtp-server.log" 2>/dev/null || true
    rm -rf -- "$WORK"
}
trap cleanup EXIT

mkdir -p "$WORK/data" "$WORK/neutral"
rm -rf -- "$ARTIFACTS"
mkdir -p "$ARTIFACTS"

cat >"$WORK/neutral/neutral.html" <<'HTML'
<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Neutral</title></head>
<body><h1>Weather</h1><p>Sunny spells, 18 &deg;C, light wind from the west.</p></body>
</html>
HTML

python3 -m http.server "$EXIT_PORT" --bind 127.0.0.1 --directory "$WORK/neutral" \
    >"$WORK/neutral-server.log" 2>&1 </dev/null &
EXIT_SERVER_PID=$!

# A real SMTP relay (aiosmtpd) that, like a remote relay, requires STARTTLS with a certificate
# the app must verify (a throwaway CA file) and a login; it keeps every mail in a maildir.
mkdir -p "$WORK/mail/cur" "$WORK/mail/new" "$WORK/mail/tmp"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=localhost" \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "$WORK/smtp-key.pem" -out "$WORK/smtp-cert.pem" >/dev/null 2>&1
SMTP_USER="vertrouwd-demo"
SMTP_PASSWORD="$(openssl rand -hex 16)"
"$VENV/bin/python" "$ROOT/Tests/Browser/smtp_server.py" --port "$SMTP_PORT" --maildir "$WORK/mail" \
    --cert "$WORK/smtp-cert.pem" --key "$WORK/smtp-key.pem" --user "$SMTP_USER" --password "$SMTP_PASSWORD" \
    >"$WORK/smtp-server.log" 2>&1 </dev/null &
SMTP_SERVER_PID=$!

log "starting $BIN demo on 127.0.0.1:$APP_PORT (log: artifacts/browser/server.log)"
# stdbuf: Swift's print() is block-buffered when stdout is a file; line-buffer it so the
# demo-account lines reach the log while the server runs. DATABASE_URL is dropped so the
# demo always uses the throwaway data dir.
env -u DATABASE_URL \
    VERTROUWD_DATA_DIR="$WORK/data" \
    VERTROUWD_QUICK_EXIT_URL="http://127.0.0.1:$EXIT_PORT/neutral.html" \
    VERTROUWD_SMTP_HOST=localhost VERTROUWD_SMTP_PORT="$SMTP_PORT" VERTROUWD_SMTP_FROM=noreply@vertrouwd.example \
    VERTROUWD_SMTP_SECURITY=starttls VERTROUWD_SMTP_CA_FILE="$WORK/smtp-cert.pem" \
    VERTROUWD_SMTP_USERNAME="$SMTP_USER" VERTROUWD_SMTP_PASSWORD="$SMTP_PASSWORD" \
    stdbuf -oL -eL "$BIN" demo --hostname 127.0.0.1 --port "$APP_PORT" >"$SERVER_LOG" 2>&1 </dev/null &
SERVER_PID=$!

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
log "demo server is up: $(curl -s "http://127.0.0.1:$APP_PORT/health")"

until [[ "$(http_status "http://127.0.0.1:$EXIT_PORT/neutral.html")" == 200 ]]; do
    kill -0 "$EXIT_SERVER_PID" 2>/dev/null || { cat "$WORK/neutral-server.log" >&2; die "neutral page server died"; }
    ((SECONDS < deadline)) || die "neutral page server did not start"
    sleep 0.2
done

accounts="$(grep -c 'demo-account ' "$SERVER_LOG" || true)"
if [[ "$accounts" == 0 ]]; then
    show_server_log
    die "no 'demo-account role=... email=... password=... totp-secret=...' lines in the server's output"
fi
log "$accounts demo accounts:"
sed -n 's/.*demo-account \(role=[^ ]*\) \(email=[^ ]*\).*/  \1 \2/p' "$SERVER_LOG"

# ------------------------------------------------------------------ tests
status=0
VERTROUWD_BASE_URL="http://127.0.0.1:$APP_PORT" \
VERTROUWD_QUICK_EXIT_URL="http://127.0.0.1:$EXIT_PORT/neutral.html" \
VERTROUWD_SERVER_LOG="$SERVER_LOG" \
VERTROUWD_MAILDIR="$WORK/mail" \
BROWSER_ARTIFACTS_DIR="$ARTIFACTS" \
PYTHONDONTWRITEBYTECODE=1 \
    "$VENV/bin/python" -m pytest -v Tests/Browser "$@" || status=$?

shots="$(find "$ARTIFACTS" -name '*.png' | wc -l)"
log "$shots screenshot(s) in artifacts/browser/"
if ((status != 0)); then
    log "pytest failed (exit $status); last lines of the server log:"
    tail -n 40 "$SERVER_LOG" || true
fi
exit "$status"
