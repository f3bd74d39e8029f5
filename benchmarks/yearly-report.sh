#!/usr/bin/env bash
# Yearly report at scale: 1,000,000 registrations across 2,000 organisations and 3 years. One
# organisation's report and all organisations' reports, each against a plain indexed count in the
# same run; then the database size. SQLite by default; PostgreSQL too when DATABASE_URL is set, or
# with --postgres (starts a throwaway server through scripts/postgres-test-server.sh).
#   bash benchmarks/yearly-report.sh [--rows N] [--postgres]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
rows=1000000
postgres=false
while [[ $# -gt 0 ]]; do
    case "$1" in
        --rows) rows="$2"; shift 2 ;;
        --postgres) postgres=true; shift ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
swift build -c release --static-swift-stdlib --product vertrouwd-bench >/dev/null 2>&1
bin="$(swift build -c release --static-swift-stdlib --show-bin-path)/vertrouwd-bench"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -m)"
echo
env -u DATABASE_URL "$bin" yearly-report --rows "$rows"
if [[ -n "${DATABASE_URL:-}" ]]; then
    echo
    "$bin" yearly-report --rows "$rows"
elif [[ "$postgres" == true ]]; then
    directory="$(mktemp -d)"
    bash scripts/postgres-test-server.sh start "$directory" 54339 vertrouwd_bench >/dev/null
    trap 'bash scripts/postgres-test-server.sh stop "$directory" >/dev/null 2>&1 || true; rm -rf "$directory"' EXIT
    echo
    DATABASE_URL="postgres://postgres@127.0.0.1:54339/vertrouwd_bench" "$bin" yearly-report --rows "$rows"
fi
