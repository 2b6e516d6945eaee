#!/usr/bin/env bash
# Bench 3: end-to-end latency, Kafka included: 10,000 subscribers on one channel of one shard, 100-byte
# records at each rate in RATES (default "5 50") for PUBLISH_SECONDS (30) → p50/p90/p99/p99.9/max of
# client receive time minus the record's Kafka timestamp (the producer's send time), for each client kind in
# CLIENTS (default "batched per-message": the generator's batched reads, and a client that reads each message as
# it arrives, as a browser does; loadtest --client), side by side, RUNS times (default 1) on the same shard.
# Bounded: about 55 s per rate, client kind and run (10 s warm-up). BENCH_JFR=1 profiles the shard in each window.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
SUBSCRIBERS="${SUBSCRIBERS:-10000}"
RATES="${RATES:-5 50}"
PUBLISH_SECONDS="${PUBLISH_SECONDS:-30}"
CLIENTS="${CLIENTS:-batched per-message}"
RUNS="${RUNS:-1}"
bench_build
bench_sysctls
bench_conditions "bench 3: end-to-end latency (one shard, Kafka hop included)"
echo "workload:    $SUBSCRIBERS subscribers on 1 channel, 100-byte records, rates $RATES rec/s, ${PUBLISH_SECONDS}s each"
echo "clients:     $CLIENTS (batched: 500 µs read pause per event loop wake-up; per-message: no pause), $RUNS run(s)"
start_kafka bench:1
start_shard 0
wait_shards_ready
for run in $(seq 1 "$RUNS"); do
  echo
  echo "--- run $run of $RUNS ($(cut -d' ' -f1-3 /proc/loadavg) load avg at its start)"
  fanout_series latency "$(shard_urls)" "${SHARD_PIDS[0]}" 2500
done
echo "load avg:    $(cut -d' ' -f1-3 /proc/loadavg) (after)"
echo "target:      p99 at most 120 ms at 5 rec/s and at most 175 ms at 50 rec/s, with the per-message client, in 4 runs of 5"
