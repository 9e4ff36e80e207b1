#!/usr/bin/env bash
# Publisher throughput of cache-contract's Redis Pub/Sub publisher against redis-benchmark
# publishing payloads of the same size, on the same Redis, each with one subscriber
# attached. Prints both and the ratio (target >= 0.5x).
#
#   scripts/bench-publish.sh            # Redis at 127.0.0.1:6379 (REDIS_HOST/REDIS_PORT)
set -euo pipefail
cd "$(dirname "$0")/.."
HOST=${REDIS_HOST:-127.0.0.1}
PORT=${REDIS_PORT:-6379}
N=${N:-200000}
BATCH=${BATCH:-256}
CHANNEL="cc-bench-publish-$$"
export REDIS_URL="redis://$HOST:$PORT"

redis-cli -h "$HOST" -p "$PORT" ping >/dev/null || { echo "no Redis at $HOST:$PORT" >&2; exit 1; }
cargo build -q --release -p cache-contract --example bench_publish
BIN=target/release/examples/bench_publish
SIZE=$($BIN --payload-size)
PAYLOAD=$(head -c "$SIZE" /dev/zero | tr '\0' 'x')

# One subscriber attached during both runs (it reads and discards).
redis-cli -h "$HOST" -p "$PORT" subscribe "$CHANNEL" >/dev/null &
SUB=$!
trap 'kill $SUB 2>/dev/null || true' EXIT
until [ "$(redis-cli -h "$HOST" -p "$PORT" pubsub numsub "$CHANNEL" | tail -1)" = "1" ]; do :; done

OURS=$($BIN "$N" "$BATCH" "$CHANNEL" | sed -n 's/^msgs_per_sec=//p')
BASE=$(redis-benchmark -h "$HOST" -p "$PORT" -P 16 -n "$N" -q PUBLISH "$CHANNEL" "$PAYLOAD" \
  | tr '\r' '\n' | sed -n 's/.*: \([0-9.]*\) requests per second.*/\1/p' | tail -1)
BASE1=$(redis-benchmark -h "$HOST" -p "$PORT" -c 1 -P 16 -n "$N" -q PUBLISH "$CHANNEL" "$PAYLOAD" \
  | tr '\r' '\n' | sed -n 's/.*: \([0-9.]*\) requests per second.*/\1/p' | tail -1)

echo "payload: $SIZE bytes, $N messages, 1 subscriber attached"
echo "cache-contract publisher (1 connection, batches of $BATCH): $OURS msg/s"
echo "redis-benchmark -P 16 (default 50 clients):             $BASE msg/s"
echo "redis-benchmark -P 16 -c 1:                             $BASE1 msg/s"
awk -v o="$OURS" -v b="$BASE" -v b1="$BASE1" 'BEGIN {
  printf "ratio vs redis-benchmark -P 16:       %.2fx (target >= 0.5x)\n", o / b;
  printf "ratio vs redis-benchmark -P 16 -c 1:  %.2fx\n", o / b1 }'
