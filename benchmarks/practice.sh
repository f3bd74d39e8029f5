#!/usr/bin/env bash
# A practice at full size (issue 22): 300 organisations, 40 counsellors, 5,000 then 50,000 cases.
# Times the counsellor's work queue as the dashboard reads it (first page, summary counts, a
# filtered page, the 50th page) against an indexed COUNT(*) of the same counsellor's rows in the
# same run, at p50 and p99; prints the query plans with --plans. SQLite by default; PostgreSQL too
# when DATABASE_URL is set, or with --postgres (a throwaway server, scripts/postgres-test-server.sh).
#   bash benchmarks/practice.sh [--sizes 5000,50000] [--samples N] [--postgres] [--plans]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
arguments=()
postgres=false
while [[ $# -gt 0 ]]; do
    case "$1" in
        --sizes | --samples) arguments+=("$1" "$2"); shift 2 ;;
        --plans) arguments+=("$1"); shift ;;
        --postgres) postgres=true; shift ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
swift build -c release --static-swift-stdlib --product vertrouwd-bench >/dev/null 2>&1
bin="$(swift build -c release --static-swift-stdlib --show-bin-path)/vertrouwd-bench"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -m)"
echo
env -u DATABASE_URL "$bin" practice "${arguments[@]}"
if [[ -n "${DATABASE_URL:-}" ]]; then
    echo
    "$bin" practice "${arguments[@]}"
elif [[ "$postgres" == true ]]; then
    directory="$(mktemp -d)"
    bash scripts/postgres-test-server.sh start "$directory" 54340 vertrouwd_bench >/dev/null
    trap 'bash scripts/postgres-test-server.sh stop "$directory" >/dev/null 2>&1 || true; rm -rf "$directory"' EXIT
    echo
    DATABASE_URL="postgres://postgres@127.0.0.1:54340/vertrouwd_bench" "$bin" practice "${arguments[@]}"
fi
