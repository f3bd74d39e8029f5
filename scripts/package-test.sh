#!/usr/bin/env bash
# Installs the Debian package into a clean Debian root and uses it as an operator would:
#   bash scripts/package-test.sh --deb artifacts/vertrouwd_<version>_<arch>.deb
# 1. lintian: no errors or warnings but those deploy/debian/lintian-overrides accepts, with reasons.
# 2. mmdebstrap makes a root with nothing but apt and systemd; apt installs the package into it, so
#    a missing runtime dependency fails here; systemd-analyze verifies the unit.
# 3. As the user vertrouwd, from /, `vertrouwd demo`: /health, a knowledge-base article, a static
#    file and the login page answer; the data is in /var/lib/vertrouwd.
# 4. A newer package installed over it keeps the data and the instance secret, and serves again.
# 5. remove keeps data and settings; purge deletes them.
# Needs root (chroot, mount). Leaves nothing mounted.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/package-lib.sh"
DEB=""
PORT="${PORT:-18431}"
while [[ $# -gt 0 ]]; do
    case "$1" in
        --deb) DEB="$(realpath "$2")"; shift 2 ;;
        *) echo "usage: $0 --deb FILE" >&2; exit 2 ;;
    esac
done
[[ -f "$DEB" ]] || { echo "no package: $DEB" >&2; exit 2; }
need_tools mmdebstrap lintian curl

WORK="$(mktemp -d "${TMPDIR:-/tmp}/vertrouwd-pkgtest.XXXXXX")"
R="$WORK/root"
LOG="$WORK/server.log"
trap cleanup EXIT

echo "== lintian"
lintian --fail-on error,warning --tag-display-limit 0 "$DEB" || fail "lintian"
check "lintian: no error or warning beyond those overridden, with reasons, in deploy/debian/lintian-overrides"

echo "== a clean $SUITE root with the package installed by apt"
# apt and systemd (a server has an init system; the maintainer scripts talk to it), nothing else.
mmdebstrap --variant=apt --include=systemd --quiet \
    --customize-hook="copy-in $DEB /tmp" \
    --customize-hook="chroot \"\$1\" apt-get install -y --no-install-recommends /tmp/$(basename "$DEB")" \
    "$SUITE" "$R" "$MIRROR"
mount_proc "$R"
in_root() { chroot "$R" "$@"; }
as_service() { chroot --userspec=vertrouwd:vertrouwd "$R" env -i PATH=/usr/bin:/bin HOME=/var/lib/vertrouwd "$@"; }

in_root getent passwd vertrouwd | grep -q ':/var/lib/vertrouwd:/usr/sbin/nologin$' || fail "system user"
[[ "$(in_root stat -c '%U %a' /var/lib/vertrouwd)" == "vertrouwd 700" ]] || fail "data directory owner and mode"
[[ "$(in_root stat -c '%U:%G %a' /etc/vertrouwd/vertrouwd.env)" == "root:vertrouwd 640" ]] || fail "settings file owner and mode"
[[ -x "$R/usr/bin/vertrouwd" && -f "$R/usr/share/vertrouwd/Public/css/app.css" ]] || fail "installed files"
check "user vertrouwd, /var/lib/vertrouwd 0700, /etc/vertrouwd/vertrouwd.env 0640 root:vertrouwd"
systemd-analyze verify --root="$R" --man=no /lib/systemd/system/vertrouwd.service || fail "systemd-analyze verify"
[[ ! -L "$R/etc/systemd/system/multi-user.target.wants/vertrouwd.service" ]] || fail "enabled before it was configured"
check "systemd-analyze verify accepts the installed unit; a first install does not enable it"
# Every variable the program reads is in the settings file, spelled as the program spells it.
diff <(grep -o '^#[A-Z_]*=' "$R/etc/vertrouwd/vertrouwd.env" | tr -d '#=' | sort -u) \
    <({ grep -ho '\(value\|number\|flag\)("[A-Z_]*"\|environment\["[A-Z_]*"\]' "$ROOT"/Sources/App/Config/*.swift \
            | grep -o '"[A-Z_]*"' | tr -d '"' | grep -vx PATH
        echo VERTROUWD_RESOURCES_DIR; echo VERTROUWD_HOSTNAME; echo VERTROUWD_PORT; } | sort -u) \
    || fail "the settings file and the program disagree on the variables"
check "the settings file lists every variable the program reads"
[[ "$(as_service /usr/bin/vertrouwd --version)" == "vertrouwd $(tr -d '[:space:]' < "$ROOT/VERSION")" ]] || fail "--version"
check "vertrouwd --version prints VERSION"

set +e
OUTPUT="$(cd / && as_service /bin/sh -c 'cd / && VERTROUWD_RESOURCES_DIR=/nowhere exec vertrouwd serve' 2>&1)"
STATUS=$?
set -e
[[ $STATUS -eq 1 && "$OUTPUT" == "vertrouwd: cannot find the templates"* && "$OUTPUT" != *$'\n'* ]] \
    || fail "a wrong resources directory: exit $STATUS, $OUTPUT"
check "a wrong VERTROUWD_RESOURCES_DIR is one line and exit code 1"

start_server() {
    # chroot, env and sh each exec the next, so $! is the server's own process id.
    chroot --userspec=vertrouwd:vertrouwd "$R" env -i PATH=/usr/bin:/bin HOME=/var/lib/vertrouwd \
        /bin/sh -c "cd / && exec vertrouwd $1 --port $PORT" > "$LOG" 2>&1 &
    SERVER=$!
    wait_healthy
}
# The whole page first, then the search: `curl | grep -q` under pipefail fails by chance when grep
# stops reading before curl has written everything.
fetch() { curl -fsS "http://127.0.0.1:$PORT$1" -o "$WORK/page"; cat "$WORK/page"; }
page_has() { curl -fsS "http://127.0.0.1:$PORT$1" -o "$WORK/page" && grep -q -- "$2" "$WORK/page"; }

echo "== vertrouwd demo, as the service user, from /"
start_server demo
page_has /health '"ok"' || fail "/health"
page_has /o/voorbeeld/kennisbank/agressie-en-geweld '<h1' || fail "a knowledge-base article"
cmp <(fetch /css/app.css) "$ROOT/Public/css/app.css" || fail "the style sheet"
page_has /login 'name="password"' || fail "the login page"
[[ "$(as_service vertrouwd health --port "$PORT")" == healthy ]] || fail "vertrouwd health"
check "/health, an article, /css/app.css, /login and vertrouwd health answer"
stop_server
[[ "$(in_root stat -c '%U %a' /var/lib/vertrouwd/vertrouwd.sqlite)" == "vertrouwd 600" ]] || fail "the database file"
SECRET="$(sha256sum < "$R/var/lib/vertrouwd/instance-secret")"
check "data in /var/lib/vertrouwd, owned by vertrouwd, readable by nobody else"

echo "== an upgrade keeps the data, the secret and the administrator's choice to enable the service"
in_root systemctl enable vertrouwd.service 2>/dev/null
[[ -L "$R/etc/systemd/system/multi-user.target.wants/vertrouwd.service" ]] || fail "systemctl enable"
NEWER="$WORK/newer"
dpkg-deb -R "$DEB" "$NEWER"
sed -i 's/^Version: \(.*\)$/Version: \1+upgrade1/' "$NEWER/DEBIAN/control"
dpkg-deb --root-owner-group --build "$NEWER" "$R/tmp/vertrouwd-newer.deb" >/dev/null
in_root apt-get install -y --no-install-recommends /tmp/vertrouwd-newer.deb >/dev/null
in_root dpkg-query -W -f '${Version}' vertrouwd | grep -q '+upgrade1$' || fail "the newer package"
[[ "$(sha256sum < "$R/var/lib/vertrouwd/instance-secret")" == "$SECRET" ]] || fail "the secret changed"
start_server serve
page_has /o/voorbeeld/kennisbank/agressie-en-geweld "<h1" || fail "the demo organisation after the upgrade"
stop_server
[[ -L "$R/etc/systemd/system/multi-user.target.wants/vertrouwd.service" ]] || fail "the upgrade disabled the service"
check "the newer package serves the same data with the same secret; the service stays enabled"

echo "== remove keeps the data and settings; purge deletes them"
in_root apt-get remove -y vertrouwd >/dev/null
[[ ! -e "$R/usr/bin/vertrouwd" ]] || fail "remove left the program"
[[ -f "$R/var/lib/vertrouwd/vertrouwd.sqlite" && -f "$R/etc/vertrouwd/vertrouwd.env" ]] || fail "remove lost data or settings"
check "after remove: program gone, data and settings kept"
in_root apt-get purge -y vertrouwd >/dev/null
[[ ! -e "$R/var/lib/vertrouwd" && ! -e "$R/etc/vertrouwd" ]] || fail "purge left data or settings"
[[ ! -e "$R/var/lib/systemd/deb-systemd-helper-enabled/vertrouwd.service.dsh-also" \
    && ! -L "$R/etc/systemd/system/multi-user.target.wants/vertrouwd.service" ]] || fail "purge left systemd state"
check "after purge: /var/lib/vertrouwd and /etc/vertrouwd gone"
echo "package test passed"
