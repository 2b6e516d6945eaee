#!/usr/bin/env bash
# Bench 3: end-to-end latency, Kafka included: 10,000 subscribers on one channel of one shard, 100-byte
# records at each rate in RATES (default "5 50") for PUBLISH_SECONDS (30) → p50/p90/p99/p99.9/max of
# client receive time minus the record's Kafka timestamp (the producer's send time).
# Bounded: about 55 s per rate (10 s warm-up). BENCH_JFR=1 profiles the shard in each publishing window.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
SUBSCRIBERS="${SUBSCRIBERS:-10000}"
RATES="${RATES:-5 50}"
PUBLISH_SECONDS="${PUBLISH_SECONDS:-30}"
bench_build
bench_sysctls
bench_conditions "bench 3: end-to-end latency (one shard, Kafka hop included)"
echo "workload:    $SUBSCRIBERS subscribers on 1 channel, 100-byte records, rates $RATES rec/s, ${PUBLISH_SECONDS}s each"
start_kafka bench:1
start_shard 0
wait_shards_ready
fanout_series latency "$(shard_urls)" "${SHARD_PIDS[0]}" 2500
echo "target:      p99 at most 120 ms at 5 rec/s and at most 175 ms at 50 rec/s"
