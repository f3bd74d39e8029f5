#!/usr/bin/env bash
# Knowledge-base search: p50/p99 query time over 500 generated articles, against a naive scan.
#   bash benchmarks/search.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
swift build -c release --static-swift-stdlib --product vertrouwd-bench >/dev/null 2>&1
"$(swift build -c release --static-swift-stdlib --show-bin-path)/vertrouwd-bench" search
