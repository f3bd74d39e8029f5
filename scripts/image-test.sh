#!/usr/bin/env bash
# Starts the OCI image's root file system as a container engine would, without one:
#   bash scripts/image-test.sh --image artifacts/vertrouwd_<version>_oci.tar
# umoci unpacks the image into a runtime bundle; its config.json gives the command, environment,
# working directory and user, which run under chroot with /proc mounted; podman loads it. Checks /health, the
# image's own health check, that the server runs as an unprivileged user and that the image holds
# no compiler, no source and no build folder. Needs root.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/package-lib.sh"
ARCHIVE=""
PORT="${PORT:-18432}"
while [[ $# -gt 0 ]]; do
    case "$1" in
        --image) ARCHIVE="$(realpath "$2")"; shift 2 ;;
        *) echo "usage: $0 --image FILE" >&2; exit 2 ;;
    esac
done
[[ -f "$ARCHIVE" ]] || { echo "no image: $ARCHIVE" >&2; exit 2; }
need_tools umoci podman curl

WORK="$(mktemp -d "${TMPDIR:-/tmp}/vertrouwd-imagetest.XXXXXX")"
LOG="$WORK/server.log"
trap cleanup EXIT

# podman reads the archive as an engine would (running a container needs more than this sandbox
# allows: setrlimit is refused, so the server is started below under chroot instead).
LOADED="$(podman load -q -i "$ARCHIVE" | sed -n 's/^Loaded image: //p')"
[[ "$LOADED" == localhost/vertrouwd:* ]] || fail "podman load: $LOADED"
[[ "$(podman image inspect --format '{{.Config.User}} {{join .Config.Entrypoint " "}}' "$LOADED")" == "vertrouwd /usr/bin/vertrouwd" ]] \
    || fail "podman sees another user or entrypoint"
podman rmi -f "$LOADED" >/dev/null
check "podman load accepts the archive as $LOADED"

mkdir "$WORK/layout"
tar -C "$WORK/layout" -xf "$ARCHIVE"
TAG="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["manifests"][0]["annotations"]["org.opencontainers.image.ref.name"])' "$WORK/layout/index.json")"
umoci unpack --image "$WORK/layout:$TAG" "$WORK/bundle" >/dev/null
RF="$WORK/bundle/rootfs"
echo "image $TAG: $(du -sh "$ARCHIVE" | cut -f1) archive, $(du -sh "$RF" | cut -f1) unpacked"

# What the image must not hold.
for path in usr/bin/swift usr/bin/swiftc opt/swift usr/bin/gcc usr/bin/cc usr/bin/apt usr/bin/apt-get; do
    [[ ! -e "$RF/$path" ]] || fail "the image holds /$path"
done
[[ -z "$(find "$RF" \( -name '*.swift' -o -name .build -o -name Package.swift -o -name .git \) -print -quit)" ]] \
    || fail "the image holds source or build files: $(find "$RF" \( -name '*.swift' -o -name .build \) -print | head -3)"
check "no compiler, no apt, no Swift source, no .build, no .git"

# The runtime configuration umoci derived from the image config: user, working directory,
# command (on this test's port) and environment.
eval "$(python3 - "$WORK/bundle/config.json" "$PORT" <<'PY'
import json, shlex, sys
process = json.load(open(sys.argv[1]))["process"]
args = [sys.argv[2] if arg == "8080" else arg for arg in process["args"]]
print(f"USER_ID={process['user']['uid']} GROUP_ID={process['user']['gid']} CWD={shlex.quote(process['cwd'])}")
print("ARGS=(" + " ".join(map(shlex.quote, args)) + ")")
print("ENVIRONMENT=(" + " ".join(map(shlex.quote, process["env"])) + ")")
PY
)"
[[ "$USER_ID" != 0 && "$(grep "^vertrouwd:" "$RF/etc/passwd" | cut -d: -f3)" == "$USER_ID" ]] || fail "runs as uid $USER_ID, not vertrouwd"
[[ "${ARGS[*]}" == "/usr/bin/vertrouwd serve --hostname 0.0.0.0 --port $PORT" ]] || fail "command: ${ARGS[*]}"
check "runs /usr/bin/vertrouwd serve as the unprivileged user vertrouwd (uid $USER_ID) in $CWD"

# The image config itself: its health check and volume, and the Containerfile's agreement with it.
python3 - "$WORK/layout" "$ROOT/deploy/oci/Containerfile" <<'PY' || fail "the image config or deploy/oci/Containerfile"
import json, sys
layout, containerfile = sys.argv[1], sys.argv[2]
def blob(d): return json.load(open(layout + "/blobs/" + d.replace(":", "/")))
config = blob(blob(json.load(open(layout + "/index.json"))["manifests"][0]["digest"])["config"]["digest"])["config"]
health = " ".join(config["Healthcheck"]["Test"][1:]) + " " + ",".join(config["Volumes"])
if health != "/usr/bin/vertrouwd health /var/lib/vertrouwd":
    sys.exit(f"health check and volume: {health}")
print("ok: health check /usr/bin/vertrouwd health, volume /var/lib/vertrouwd")
lines = dict(line.split(" ", 1) for line in open(containerfile).read().splitlines() if line[:1].isupper())
expected = {
    "USER": config["User"], "WORKDIR": config["WorkingDir"], "VOLUME": " ".join(config["Volumes"]),
    "EXPOSE": " ".join(config["ExposedPorts"]), "STOPSIGNAL": config["StopSignal"],
    "ENTRYPOINT": json.dumps(config["Entrypoint"]), "CMD": json.dumps(config["Cmd"]),
}
wrong = {k: (lines.get(k), v) for k, v in expected.items() if lines.get(k) != v}
health = lines["HEALTHCHECK"].split(" CMD ", 1)[1]
if json.loads(health) != config["Healthcheck"]["Test"][1:]: wrong["HEALTHCHECK"] = (health, config["Healthcheck"])
print(wrong or "the Containerfile matches the image")
sys.exit(1 if wrong else 0)
PY

mount_proc "$RF"
in_image() { chroot --userspec="$USER_ID:$GROUP_ID" "$RF" env -i "${ENVIRONMENT[@]}" /bin/sh -c 'cd "$0" && exec "$@"' "$CWD" "$@"; }
# chroot, env and sh each exec the next, so $! is the server's own process id.
chroot --userspec="$USER_ID:$GROUP_ID" "$RF" env -i "${ENVIRONMENT[@]}" /bin/sh -c 'cd "$0" && exec "$@"' "$CWD" "${ARGS[@]}" \
    > "$LOG" 2>&1 &
SERVER=$!
wait_healthy
[[ "$(curl -fsS "http://127.0.0.1:$PORT/health")" == *'"ok"'* ]] || { cat "$LOG"; fail "/health"; }
[[ "$(in_image /usr/bin/vertrouwd health --port "$PORT")" == healthy ]] || fail "the health check inside the image"
[[ -f "$RF/var/lib/vertrouwd/vertrouwd.sqlite" && -f "$RF/var/lib/vertrouwd/instance-secret" ]] || fail "data not on the volume"
check "/health answers; the image's health check says healthy; data is in /var/lib/vertrouwd"
stop_server
check "SIGTERM stops it with exit code 0"
echo "image test passed"
