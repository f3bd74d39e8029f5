#!/usr/bin/env bash
# Crash safety of contact submissions (issue 9): see scripts/crash-safety.py for what it proves.
#
#   scripts/crash-safety.sh [--postgres] [--contacts N] [--kill-after N] [--clients N] [--bin PATH] [--port P]
#
# The script uses the Python standard library only, so no virtual environment is made.
# --postgres needs root and PostgreSQL server binaries (apt-get install postgresql-15).
set -euo pipefail
cd "$(dirname "$0")/.."
exec python3 scripts/crash-safety.py "$@"
