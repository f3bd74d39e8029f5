#!/usr/bin/env bash
# Knowledge-base search quality: for the realistic queries in benchmarks/search-quality/*.tsv, the share
# with the right article first and in the top 3, and the mean reciprocal rank, per language.
#   bash benchmarks/search-quality.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
swift build -c release --static-swift-stdlib --product vertrouwd-bench >/dev/null 2>&1
"$(swift build -c release --static-swift-stdlib --show-bin-path)/vertrouwd-bench" search-quality
