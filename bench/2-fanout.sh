#!/usr/bin/env bash
# Bench 2: fan-out throughput. One shard, 10,000 subscribers on one channel, 100-byte records at each
# rate in RATES for PUBLISH_SECONDS each → deliveries per second and per server CPU-second (/proc).
# Bounded: about 25 s per rate. Env: SUBSCRIBERS, RATES ("100 200 400"), PUBLISH_SECONDS (10),
# BENCH_JFR=1 to profile the shard during each publishing window (summary printed after the table).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
SUBSCRIBERS="${SUBSCRIBERS:-10000}"
RATES="${RATES:-100 200 400}"
PUBLISH_SECONDS="${PUBLISH_SECONDS:-10}"
bench_build
bench_sysctls
bench_conditions "bench 2: fan-out throughput (one shard)"
echo "workload:    $SUBSCRIBERS subscribers on 1 channel, 100-byte records, rates $RATES rec/s, ${PUBLISH_SECONDS}s each"
start_kafka bench:1
start_shard 0
wait_shards_ready
rows=()
for rate in $RATES; do
  jfr_on_publish
  loadtest --url="$(shard_urls)" --connections="$SUBSCRIBERS" --rate=2500 --channels=bench \
    --publish-bootstrap="$BOOTSTRAP" --publish-topic=bench --publish-rate="$rate" --publish-size=100 --warmup-seconds="${WARMUP_SECONDS:-3}" \
    --publish-seconds="$PUBLISH_SECONDS" --server-pids="${SHARD_PIDS[0]}"
  jfr_stop "$BENCH_OUT/fanout-$rate"
  rows+=("$(fanout_row "$rate")")
done
echo
fanout_header
printf '%s\n' "${rows[@]}"
echo "target:      at least 2,000,000 deliveries per server CPU-second"
if [ "${BENCH_JFR:-0}" = 1 ]; then
  for f in "$BENCH_OUT"/fanout-*.jfr; do [ -f "$f" ] && bash "$(dirname "${BASH_SOURCE[0]}")/jfr-summary.sh" "$f"; done
fi
