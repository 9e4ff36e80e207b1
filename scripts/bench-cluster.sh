#!/usr/bin/env bash
# One Redis node against a 3-primary Redis Cluster, in the same run, on this machine:
# - publisher throughput (bench_publish: one publisher, batches of 256, 1 024 tenants), the
#   runs alternated (node, cluster, node, cluster, ...), with how the cluster's messages
#   split over its primaries (SPUBLISH calls per node);
# - publish-to-handler latency at 50k msg/s (bench_latency: raw redis-rs and cache-contract
#   on the node, then cache-contract on the cluster).
# The servers are started here on free loopback ports (no persistence, no replicas) and
# removed on exit. On a 2-core machine the 3 primaries, the publisher and the subscriber
# share the same cores: the cluster cannot add throughput here, only show how it divides.
#
#   scripts/bench-cluster.sh            # RUNS=3 N=200000 SECONDS_=4 RATE=50000
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
N=${N:-200000}
SECONDS_=${SECONDS_:-4}
RATE=${RATE:-50000}
BATCH=${BATCH:-256}
DIR=$(mktemp -d)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$DIR"
}
trap cleanup EXIT

free_port() {  # a free port p whose cluster bus port p+10000 is free too
  python3 - <<'PY'
import socket
while True:
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]
    if p > 55535: s.close(); continue
    t = socket.socket()
    try:
        t.bind(("127.0.0.1", p + 10000)); t.close(); s.close(); print(p); break
    except OSError:
        s.close()
PY
}

start() {  # start PORT [cluster]
  mkdir -p "$DIR/$1"
  local extra=()
  [ "${2:-}" = cluster ] && extra=(--cluster-enabled yes --cluster-config-file nodes.conf)
  redis-server --port "$1" --bind 127.0.0.1 --save "" --appendonly no --dir "$DIR/$1" \
    "${extra[@]}" >/dev/null &
  PIDS+=($!)
  until redis-cli -p "$1" ping >/dev/null 2>&1; do sleep 0.05; done
}

NODE=$(free_port); start "$NODE"
CLUSTER=()
for _ in 1 2 3; do p=$(free_port); start "$p" cluster; CLUSTER+=("$p"); done
redis-cli --cluster create $(printf '127.0.0.1:%s ' "${CLUSTER[@]}") --cluster-replicas 0 \
  --cluster-yes >/dev/null
for p in "${CLUSTER[@]}"; do
  until redis-cli -p "$p" cluster info | grep -q cluster_state:ok; do sleep 0.05; done
done
CLUSTER_URLS=$(printf 'redis://127.0.0.1:%s,' "${CLUSTER[@]}"); CLUSTER_URLS=${CLUSTER_URLS%,}

cargo build -q --release -p cache-contract --example bench_publish --example bench_latency
PUBLISH=target/release/examples/bench_publish
spublish_calls() { redis-cli -p "$1" info commandstats | sed -n 's/^cmdstat_spublish:calls=\([0-9]*\),.*/\1/p'; }

echo "throughput: $N messages per run in batches of $BATCH, $RUNS runs each, alternated"
NODE_RATES=(); CLUSTER_RATES=()
for run in $(seq "$RUNS"); do
  NODE_RATES+=("$(REDIS_URL="redis://127.0.0.1:$NODE" $PUBLISH "$N" "$BATCH" "cc-bench-$run" | sed -n 's/^msgs_per_sec=//p')")
  CLUSTER_RATES+=("$(REDIS_URL="$CLUSTER_URLS" $PUBLISH "$N" "$BATCH" "cc-bench-$run" | sed -n 's/^msgs_per_sec=//p')")
  echo "  run $run: one node ${NODE_RATES[-1]} msg/s, cluster ${CLUSTER_RATES[-1]} msg/s"
done
TOTAL=0
for p in "${CLUSTER[@]}"; do TOTAL=$((TOTAL + $(spublish_calls "$p"))); done
for p in "${CLUSTER[@]}"; do
  awk -v p="$p" -v c="$(spublish_calls "$p")" -v t="$TOTAL" \
    'BEGIN { printf "  primary %s: %d SPUBLISH, %.1f %% of the cluster'"'"'s messages\n", p, c, 100 * c / t }'
done
paste -d' ' <(printf '%s\n' "${NODE_RATES[@]}") <(printf '%s\n' "${CLUSTER_RATES[@]}") \
  | awk '{ r[NR] = $2 / $1 } END { n = asort(r); printf "cluster / one node, per pair: median %.2fx (min %.2fx, max %.2fx); per primary: %.2fx of one node\n", r[int((n + 1) / 2)], r[1], r[n], r[int((n + 1) / 2)] / 3 }'

echo
echo "latency at $RATE msg/s for $SECONDS_ s:"
REDIS_URL="redis://127.0.0.1:$NODE" REDIS_CLUSTER_URLS="$CLUSTER_URLS" \
  target/release/examples/bench_latency "$SECONDS_" "$RATE"
