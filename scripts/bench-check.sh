#!/usr/bin/env bash
# `schema-check check` of 200 cache structs over 300 migrations against the replay alone
# (`schema-check schema` of the same migrations), in one run: the fastest CPU time of N
# interleaved runs of each and their ratio (target: check <= 1.5x the replay).
#
#   scripts/bench-check.sh [runs]     # default 10; builds schema-check in release
set -euo pipefail
cd "$(dirname "$0")/.."
exec python3 scripts/bench_check.py "$@"
