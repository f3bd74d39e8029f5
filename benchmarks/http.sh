#!/usr/bin/env bash
# HTTP benchmarks (issue 9): release builds on loopback, driven by wrk, every figure also as a
# ratio to a bare Vapor "Hello" route measured in the same run. Pages, the guide, search, contact
# submissions with and without the key derivation, receipt logins, the counsellor dashboard with
# 1,000 cases; memory at rest and at peak; start-up time. See benchmarks/http_bench.py.
#   bash benchmarks/http.sh [--seconds N] [--cases N] [--json FILE]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
command -v wrk >/dev/null || { echo "installing wrk with apt"; apt-get install -y -q wrk >/dev/null; }
swift build -c release --static-swift-stdlib --product vertrouwd >/dev/null
swift build -c release --static-swift-stdlib --product vertrouwd-bench >/dev/null
bin="$(swift build -c release --static-swift-stdlib --show-bin-path)"
python3 benchmarks/http_bench.py --app "$bin/vertrouwd" --bench "$bin/vertrouwd-bench" "$@"
