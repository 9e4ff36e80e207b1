#!/usr/bin/env bash
# Compile-time cost of #[derive(CacheContract)]: 200 cached structs over a 300-migration
# history, built with the derive and with serde derives only, in one run.
#
#   scripts/bench-derive.sh [runs] [--opt-macros]
#       runs: default 3; prints medians and the overhead.
#       --opt-macros: both crates set `[profile.dev.build-override] opt-level = 3`.
#
# Needs the workspace's dependencies in the local cargo cache (it builds with --offline).
set -euo pipefail
cd "$(dirname "$0")/.."
exec python3 scripts/bench_derive.py "$@"
