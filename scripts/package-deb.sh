#!/usr/bin/env bash
# Builds the Debian package: bash scripts/package-deb.sh [--bin PATH] [--out DIR]
#   --bin  a release binary built with --static-swift-stdlib (default: build one now)
#   --out  where vertrouwd_<VERSION>_<arch>.deb goes (default: artifacts/)
# Needs dpkg-dev (dpkg-shlibdeps), gzip and python3. The version is the one in VERSION.
set -euo pipefail
# Standard output carries only the path of what was made; everything else goes to standard error.
exec 3>&1 1>&2

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
BIN=""
OUT="$ROOT/artifacts"
while [[ $# -gt 0 ]]; do
    case "$1" in
        --bin) BIN="$2"; shift 2 ;;
        --out) OUT="$2"; shift 2 ;;
        *) echo "usage: $0 [--bin PATH] [--out DIR]" >&2; exit 2 ;;
    esac
done

if ! command -v dpkg-shlibdeps >/dev/null; then
    apt-get install -y -q dpkg-dev >/dev/null
fi
if [[ -z "$BIN" ]]; then
    swift build -c release --static-swift-stdlib --product vertrouwd
    BIN="$(swift build -c release --static-swift-stdlib --show-bin-path)/vertrouwd"
fi

VERSION="$(tr -d '[:space:]' < VERSION)"
ARCH="$(dpkg --print-architecture)"
# Files get the time of the last commit, so the same commit gives the same package.
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/vertrouwd-deb.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
PKG="$WORK/root"

install -d "$PKG/usr/bin" "$PKG/usr/share/vertrouwd" "$PKG/usr/share/doc/vertrouwd" \
    "$PKG/usr/share/man/man8" "$PKG/lib/systemd/system" "$PKG/etc/vertrouwd" "$PKG/DEBIAN"
install -m 0755 "$BIN" "$PKG/usr/bin/vertrouwd"
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$PKG/usr/bin/vertrouwd"
cp -r Resources Public "$PKG/usr/share/vertrouwd/"
install -m 0644 VERSION "$PKG/usr/share/vertrouwd/VERSION"
install -m 0644 deploy/systemd/vertrouwd.service "$PKG/lib/systemd/system/"
python3 deploy/debian/env-file.py README.md > "$PKG/etc/vertrouwd/vertrouwd.env"
chmod 0640 "$PKG/etc/vertrouwd/vertrouwd.env"

install -m 0644 deploy/debian/copyright "$PKG/usr/share/doc/vertrouwd/copyright"
install -D -m 0644 deploy/debian/lintian-overrides "$PKG/usr/share/lintian/overrides/vertrouwd"
for doc in deployment security; do
    gzip -9n < "docs/$doc.md" > "$PKG/usr/share/doc/vertrouwd/$doc.md.gz"
done
gzip -9n < deploy/debian/vertrouwd.8 > "$PKG/usr/share/man/man8/vertrouwd.8.gz"
{
    printf 'vertrouwd (%s) unstable; urgency=medium\n\n' "$VERSION"
    printf '  * Release %s, built from commit %s.\n\n' "$VERSION" "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
    printf ' -- Vertrouwd developers <developers@vertrouwd.invalid>  %s\n' "$(date -u -R -d "@$SOURCE_DATE_EPOCH")"
} | gzip -9n > "$PKG/usr/share/doc/vertrouwd/changelog.gz"
find "$PKG" -type d -exec chmod 0755 {} +
find "$PKG/usr/share" -type f -exec chmod 0644 {} +

# The libraries the binary needs, as Debian names them (a missing one fails the clean-root install).
mkdir -p "$WORK/debian"
printf 'Source: vertrouwd\n\nPackage: vertrouwd\nArchitecture: any\n' > "$WORK/debian/control"
DEPENDS="$(cd "$WORK" && dpkg-shlibdeps -O -e root/usr/bin/vertrouwd 2>/dev/null | sed -n 's/^shlibs:Depends=//p')"
[[ -n "$DEPENDS" ]] || { echo "dpkg-shlibdeps found no dependencies" >&2; exit 1; }

sed -e "s/@VERSION@/$VERSION/" -e "s/@ARCH@/$ARCH/" -e "s/@DEPENDS@/$DEPENDS/" \
    -e "s/@SIZE@/$(du -sk --exclude=DEBIAN "$PKG" | cut -f1)/" deploy/debian/control.in > "$PKG/DEBIAN/control"
install -m 0644 deploy/debian/conffiles "$PKG/DEBIAN/conffiles"
install -m 0755 deploy/debian/postinst deploy/debian/prerm deploy/debian/postrm "$PKG/DEBIAN/"
(cd "$PKG" && find . -path ./DEBIAN -prune -o -path ./etc -prune -o -type f -printf '%P\0' | sort -z \
    | xargs -0 md5sum > DEBIAN/md5sums)
chmod 0644 "$PKG/DEBIAN/md5sums"

mkdir -p "$OUT"
DEB="$OUT/vertrouwd_${VERSION}_${ARCH}.deb"
dpkg-deb --root-owner-group -Zxz -z6 --build "$PKG" "$DEB" >/dev/null
echo "$DEB" >&3
