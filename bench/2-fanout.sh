#!/usr/bin/env bash
# Bench 2: fan-out throughput. One shard, 10,000 subscribers on one channel, 100-byte records for
# PUBLISH_SECONDS each at each rate in RATES ("max 100 200 400") → deliveries per second and per server
# CPU-second (/proc). "max" is closed-loop: as fast as the shard takes them (the publisher stays at most
# PUBLISH_WINDOW records, 1000, ahead of the clients); the numbers are paced rates.
# Bounded: about 35 s per rate. Env: SUBSCRIBERS, RATES, PUBLISH_SECONDS (10), PUBLISH_WINDOW,
# BENCH_JFR=1 to profile the shard during each publishing window (summary printed after the table).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
SUBSCRIBERS="${SUBSCRIBERS:-10000}"
RATES="${RATES:-max 100 200 400}"
PUBLISH_SECONDS="${PUBLISH_SECONDS:-10}"
bench_build
bench_sysctls
bench_conditions "bench 2: fan-out throughput (one shard)"
echo "workload:    $SUBSCRIBERS subscribers on 1 channel, 100-byte records, rates $RATES rec/s, ${PUBLISH_SECONDS}s each"
start_kafka bench:1
start_shard 0
wait_shards_ready
fanout_series fanout "$(shard_urls)" "${SHARD_PIDS[0]}" 2500
echo "target:      at least 2,000,000 deliveries per server CPU-second"
