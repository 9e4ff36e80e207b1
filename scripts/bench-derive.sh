#!/usr/bin/env bash
# Compile-time cost of #[derive(CacheContract)]: 200 cached structs over a 300-migration
# history, built with the derive and with serde derives only, in one run.
#
#   scripts/bench-derive.sh [runs]      (default 3 runs; prints medians and the overhead)
#
# Needs the workspace's dependencies in the local cargo cache (it builds with --offline).
set -euo pipefail
cd "$(dirname "$0")/.."
exec python3 scripts/bench_derive.py "${1:-3}"
