#!/usr/bin/env bash
# Builds the OCI image from the Debian package, without a registry or a container engine:
#   bash scripts/package-image.sh --deb artifacts/vertrouwd_<version>_<arch>.deb [--out DIR]
# mmdebstrap makes a root file system from Debian's archive with only the package's runtime
# dependencies (no apt, no compiler, no source), installs the package with dpkg, and umoci turns
# it into an OCI image: run as the user vertrouwd, data on the volume /var/lib/vertrouwd, port
# 8080, health check `vertrouwd health`. Writes DIR/vertrouwd_<version>_oci.tar, which
# `podman load -i` and `docker load -i` accept. Needs root.
set -euo pipefail
# Standard output carries only the path of what was made; everything else goes to standard error.
exec 3>&1 1>&2

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/package-lib.sh"
DEB=""
OUT="$ROOT/artifacts"
while [[ $# -gt 0 ]]; do
    case "$1" in
        --deb) DEB="$(realpath "$2")"; shift 2 ;;
        --out) OUT="$2"; shift 2 ;;
        *) echo "usage: $0 --deb FILE [--out DIR]" >&2; exit 2 ;;
    esac
done
[[ -f "$DEB" ]] || { echo "no package: $DEB" >&2; exit 2; }
need_tools mmdebstrap umoci

VERSION="$(dpkg-deb -f "$DEB" Version)"
# The package's own Depends, by name: the image has what the package needs and nothing else.
DEPENDS="$(dpkg-deb -f "$DEB" Depends | tr ',' '\n' | sed -e 's/(.*)//' -e 's/[[:space:]]//g' | paste -sd, -)"
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git -C "$ROOT" log -1 --format=%ct 2>/dev/null || date +%s)}"
CREATED="$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/vertrouwd-image.XXXXXX")"
trap cleanup EXIT

mmdebstrap --variant=essential --quiet --format=tar --include="$DEPENDS" \
    --customize-hook="copy-in $DEB /tmp" \
    --customize-hook="chroot \"\$1\" dpkg -i /tmp/$(basename "$DEB")" \
    --customize-hook='rm -f "$1"/tmp/*.deb "$1"/var/log/*.log "$1"/var/cache/debconf/*-old' \
    "$SUITE" "$WORK/rootfs.tar" "$MIRROR"

IMAGE="$WORK/layout:$VERSION"
umoci init --layout "$WORK/layout"
umoci new --image "$IMAGE"
umoci raw add-layer --image "$IMAGE" --history.created "$CREATED" \
    --history.created_by "scripts/package-image.sh: mmdebstrap $SUITE, dpkg -i $(basename "$DEB")" "$WORK/rootfs.tar"
umoci config --image "$IMAGE" --created "$CREATED" --history.created "$CREATED" \
    --author "Vertrouwd developers" --architecture "$(dpkg --print-architecture)" --os linux \
    --config.user vertrouwd --config.workingdir /var/lib/vertrouwd \
    --config.env PATH=/usr/sbin:/usr/bin:/sbin:/bin --config.env VERTROUWD_DATA_DIR=/var/lib/vertrouwd \
    --config.entrypoint /usr/bin/vertrouwd \
    --config.cmd serve --config.cmd --hostname --config.cmd 0.0.0.0 --config.cmd --port --config.cmd 8080 \
    --config.exposedports 8080/tcp --config.volume /var/lib/vertrouwd --config.stopsignal SIGTERM \
    --config.label org.opencontainers.image.title=vertrouwd \
    --config.label org.opencontainers.image.version="$VERSION"
umoci gc --layout "$WORK/layout"
python3 "$ROOT/deploy/oci/add-healthcheck.py" "$WORK/layout" "localhost/vertrouwd:$VERSION"

mkdir -p "$OUT"
ARCHIVE="$OUT/vertrouwd_${VERSION}_oci.tar"
tar -C "$WORK/layout" --sort=name --mtime="@$SOURCE_DATE_EPOCH" --owner=0 --group=0 --numeric-owner -cf "$ARCHIVE" .
echo "$ARCHIVE" >&3
