# Sourced by scripts/package-image.sh, package-test.sh and image-test.sh (not run on its own): the
# Debian suite and mirror, tools from apt, and a server started inside a root that is stopped and
# unmounted however the script ends.

SUITE="${SUITE:-bookworm}"
MIRROR="${MIRROR:-http://deb.debian.org/debian}"
SERVER=""    # the process id of a server started in the background
PROC_ROOT="" # a root whose /proc is mounted

need_tools() {
    for tool in "$@"; do
        command -v "$tool" >/dev/null || apt-get install -y -q "$tool" >/dev/null
    done
}

fail() { echo "FAIL: $*" >&2; exit 1; }
check() { echo "ok: $*"; }

# Stops the server, unmounts /proc and deletes WORK; set as the EXIT trap.
cleanup() {
    if [[ -n "$SERVER" ]]; then
        kill "$SERVER" 2>/dev/null || true
        wait "$SERVER" 2>/dev/null || true
    fi
    if [[ -n "$PROC_ROOT" ]] && mountpoint -q "$PROC_ROOT/proc" 2>/dev/null; then
        umount "$PROC_ROOT/proc" || umount -l "$PROC_ROOT/proc"
    fi
    [[ -z "${WORK:-}" ]] || rm -rf --one-file-system "$WORK"
}

mount_proc() {
    PROC_ROOT="$1"
    mount -t proc proc "$PROC_ROOT/proc"
}

# Waits up to 120 s for SERVER to answer /health on PORT; its log (LOG) is shown when it does not.
wait_healthy() {
    for _ in $(seq 1 240); do
        curl -fsS "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && return 0
        kill -0 "$SERVER" 2>/dev/null || { cat "$LOG"; fail "the server stopped"; }
        sleep 0.5
    done
    cat "$LOG"
    fail "no /health within 120 s"
}

# SIGTERM must end the server with exit code 0.
stop_server() {
    kill -TERM "$SERVER"
    wait "$SERVER" || fail "the server did not stop cleanly on SIGTERM"
    SERVER=""
}
