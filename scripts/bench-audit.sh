#!/usr/bin/env bash
# Audit throughput against a raw pipelined SCAN + MGET of the same keys, same run: 100,000
# entries over 100 tenants (AUDIT_BENCH_ENTRIES, AUDIT_BENCH_TENANTS), rows in PostgreSQL.
# Prints both throughputs and the median ratio of 5 interleaved pairs (target >= 0.5).
# Needs Redis on 127.0.0.1:6379 and PostgreSQL on 127.0.0.1:5432 (user postgres, trust).
set -euo pipefail
cd "$(dirname "$0")/.."
exec cargo bench -q -p cache-contract --features audit-postgres --bench audit
