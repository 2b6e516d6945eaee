#!/usr/bin/env bash
# Bench 1: memory per idle connection. One shard; RSS and heap after a full GC at 0, 10k and 19k idle
# connections (each subscribed to one channel that never gets a record) → bytes per connection.
# Before the baseline, WARMUP_CONNECTIONS (default 5000; 0 for a cold baseline) connections are opened,
# subscribed and closed once: JIT-compiled code, class metadata and buffer pools are paid once per process,
# not per connection, and would otherwise be divided among the first step's connections.
# Bounded: about 2.5 minutes (each step waits ~10 s for the RSS to settle). Env: STEPS (default 0,10000,19000), CONN_RATE (2000/s), SHARD_JAVA_OPTS.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
STEPS="${STEPS:-0,10000,19000}"
MAX="${STEPS##*,}"
bench_build
bench_sysctls
bench_conditions "bench 1: memory per idle connection (one shard)"
echo "workload:    $MAX idle connections in steps $STEPS, each subscribed to 1 channel, ${CONN_RATE:-2000} conn/s"
start_kafka bench:1
start_shard 0 19900
wait_shards_ready
WARMUP_CONNECTIONS="${WARMUP_CONNECTIONS:-5000}"
echo "warm-up:     $WARMUP_CONNECTIONS connections opened, subscribed and closed before the baseline"
if [ "$WARMUP_CONNECTIONS" -gt 0 ]; then
  loadtest --url="$(shard_urls)" --connections="$WARMUP_CONNECTIONS" --rate="${CONN_RATE:-2000}" --channels=idle \
    --hold-seconds=1 2>/dev/null
fi
: >"$WORK/current.log"
# While the generator holds the last step, take the shard's heap histogram: what the bytes are made of.
(
  for _ in $(seq 1 1500); do grep -q "step $MAX:" "$WORK/current.log" 2>/dev/null && break; sleep 0.2; done
  jcmd "${SHARD_PIDS[0]}" GC.class_histogram 2>/dev/null | head -25 >"$WORK/histogram.txt" || true
) &
histogram_pid=$!
loadtest --url="$(shard_urls)" --connections="$MAX" --rate="${CONN_RATE:-2000}" --channels=idle \
  --steps="$STEPS" --measure-memory=true --server-pids="${SHARD_PIDS[0]}" --hold-seconds=8
wait "$histogram_pid"
echo
echo "shard heap at $MAX connections, top classes (jcmd GC.class_histogram):"
cat "$WORK/histogram.txt"
echo
printf '%-12s %-12s %-14s %-16s %-18s %s\n' connections rss_MiB heap_after_gc_MiB rss_bytes/conn heap_bytes/conn "load avg"
jq -r '.steps as $s | $s[0].servers[0] as $b | $s[] |
  [ .open, (.servers[0].rssKb/1024|floor), (.servers[0].heapAfterGcKb/1024|floor),
    (if .open > 0 then ((.servers[0].rssKb - $b.rssKb) * 1024 / .open | floor) else "-" end),
    (if .open > 0 then ((.servers[0].heapAfterGcKb - $b.heapAfterGcKb) * 1024 / .open | floor) else "-" end),
    .loadAverage ] | @tsv' "$SUMMARY" | awk -F'\t' '{printf "%-12s %-12s %-14s %-16s %-18s %s\n", $1, $2, $3, $4, $5, $6}'
echo "failures:    $(jq -c .failures "$SUMMARY")"
echo "target:      at most 2048 bytes of process memory (RSS) per idle connection"
