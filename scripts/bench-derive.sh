#!/usr/bin/env bash
# Compile-time cost of #[derive(CacheContract)]: 200 cached structs over a 300-migration
# history, built with the derive and with serde derives only, in one run.
#
#   scripts/bench-derive.sh [runs] [--opt-macros] [--against DIR] [--instructions | --split]
#       runs: default 3; prints the fastest wall and CPU times and the overhead.
#       --opt-macros: both crates set `[profile.dev.build-override] opt-level = 3`.
#       --against DIR: also builds the structs with the derive of another checkout (A/B).
#       --instructions: instead of times, counts rustc's instructions with cachegrind
#         (one run; repeatable on a shared, noisy machine; about 10 minutes).
#       --split: the same counts under callgrind, each split into the instructions spent in
#         the proc macros' own code and the rest (rustc), so that the overhead a faster macro
#         could remove shows apart from what rustc spends on its output (about 15 minutes).
#
# Needs the workspace's dependencies in the local cargo cache (it builds with --offline).
set -euo pipefail
cd "$(dirname "$0")/.."
exec python3 scripts/bench_derive.py "$@"
