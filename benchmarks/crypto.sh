#!/usr/bin/env bash
# Confidentiality-core benchmarks: AEAD seal/open at 1 KiB and 1 MiB, HPKE key sealing, scrypt time,
# and the peak memory of one scrypt derivation in a fresh process. Release build; prints tables.
#   bash benchmarks/crypto.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
swift build -c release --static-swift-stdlib --product vertrouwd-bench >/dev/null 2>&1
bin="$(swift build -c release --static-swift-stdlib --show-bin-path)/vertrouwd-bench"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -m)"
"$bin" crypto
echo
"$bin" kdf-memory
