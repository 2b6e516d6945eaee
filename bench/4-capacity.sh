#!/usr/bin/env bash
# Bench 4: capacity, the most idle connections one local cluster holds on this machine while still
# delivering a 1-record/s channel to all of them with p99 under 1 s. For each count in CONNECTIONS, from the
# smallest, a fresh local cluster (one Kafka broker, SHARDS shard processes of at most 19,800 connections
# each) takes that many idle connections from forked load workers (each under the 20,000 open-file cap,
# spread over 16 loopback source addresses), then a 1-record/s channel is delivered to all of them for
# PUBLISH_SECONDS. A count passes when every connection subscribed, every record reached every connection
# and p99 < 1 s; the largest count that passes is the capacity. Stops after the first miss (BENCH_ALL_STEPS=1
# runs them all). Bounded: per count, its ramp (count / CONN_RATE s) + about 100 s.
# Env: CONNECTIONS ("50000 100000 150000 250000"), SHARDS (ceil(count / 19,500): 13 for 250,000),
# CONN_RATE (2500/s), PUBLISH_SECONDS (30).
CONNECTIONS="${CONNECTIONS:-50000 100000 150000 250000}"
if [ "$(wc -w <<<"$CONNECTIONS")" -gt 1 ]; then
  results="$(mktemp /tmp/odin-capacity.XXXXXX)"
  for count in $CONNECTIONS; do
    CONNECTIONS="$count" CAPACITY_RESULTS="$results" bash "${BASH_SOURCE[0]}" || true
    [ "${BENCH_ALL_STEPS:-0}" = 1 ] || grep -q "^$count .*PASS" "$results" || break
  done
  echo
  echo "capacity steps:"
  printf '  %-11s %-7s %-11s %-22s %-9s %-9s %s\n' connections shards subscribed delivered/expected p99_ms closed result
  while read -r line; do printf '  %-11s %-7s %-11s %-22s %-9s %-9s %s\n' $line; done <"$results"
  largest="$(awk '$7 == "PASS" { n = $1 } END { print n }' "$results")"
  echo "capacity:    ${largest:-none of the counts} (largest count that passed)"
  echo "target:      250,000 idle connections, all receiving a 1 rec/s channel with p99 < 1 s"
  rm -f "$results"
  exit 0
fi
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
SHARDS="${SHARDS:-$(( (CONNECTIONS + 19499) / 19500 ))}"
CONN_RATE="${CONN_RATE:-2500}"
PUBLISH_SECONDS="${PUBLISH_SECONDS:-30}"
SHARD_JAVA_OPTS="${SHARD_JAVA_OPTS_CAPACITY:--Xmx512m @$SHARD_JVM_FLAGS_FILE}"
WORKER_JAVA_OPTS="${WORKER_JAVA_OPTS_CAPACITY:--Xmx512m -XX:+UseParallelGC -Dio.netty.leakDetection.level=disabled -Dio.netty.buffer.checkAccessible=false -Dio.netty.buffer.checkBounds=false}"
SHARD_IO_THREADS="${SHARD_IO_THREADS:-1}"
bench_build
bench_sysctls
bench_conditions "bench 4: capacity of one local cluster"
echo "workload:    $CONNECTIONS idle connections over $SHARDS shards ($SHARD_IO_THREADS event loop each), $CONN_RATE conn/s, then 1 rec/s of 100 bytes for ${PUBLISH_SECONDS}s to all"
start_kafka bench:1
for i in $(seq 0 $((SHARDS - 1))); do start_shard "$i" 19800; done
wait_shards_ready
loadtest --url="$(shard_urls)" --connections="$CONNECTIONS" --rate="$CONN_RATE" --channels=bench \
  --publish-bootstrap="$BOOTSTRAP" --publish-topic=bench --publish-rate=1 --publish-size=100 --warmup-seconds="${WARMUP_SECONDS:-10}" \
  --publish-seconds="$PUBLISH_SECONDS" --drain-max-s=30 --server-pids="$(csv "${SHARD_PIDS[@]}")" \
  --ramp-timeout-s=$((CONNECTIONS / CONN_RATE + 120))
rss_total=$(jq '[.server.rssKbAtEnd[]] | add / 1024 | floor' "$SUMMARY")
echo
printf '%-10s %-10s %-10s %-8s %-10s %-10s %-8s %-8s %-8s %-8s %-6s %-10s %-10s %-12s %-10s %s\n' \
  target subscribed failed records expected received p50_ms p99_ms p99.9_ms max_ms gaps shards_rss srv_cpu_s srv_us/write cli_cpu_s "load avg"
printf '%-10s %-10s %-10s %-8s %-10s %-10s %-8s %-8s %-8s %-8s %-6s %-10s %-10s %-12s %-10s %s\n' \
  "$CONNECTIONS" "$(j .connections.subscribed)" "$(j .connections.failed)" "$(j .publisher.records)" \
  "$(j .publisher.expectedDeliveries)" "$(j .messages)" "$(j .latencyMs.p50)" "$(j .latencyMs.p99)" \
  "$(j .latencyMs.p99_9)" "$(j .latencyMs.max)" "$(j .gaps)" "${rss_total}MiB" "$(j '.server.cpuSeconds // "-"')" \
  "$(j '.server.cpuMicrosPerWriteCall // "-"')" "$(j '.client.cpuSeconds // "-"')" "$(j .loadAverageAtEnd)"
echo "failures:    $(jq -c .failures "$SUMMARY")"
held=$(j .connections.subscribed)
closed=$(jq '[.failures | to_entries[] | select(.key | startswith("close_") or . == "closed_by_server") | .value] | add // 0' "$SUMMARY")
if [ "$(j .messages)" -ge "$(j .publisher.expectedDeliveries)" ] && \
   [ "$(jq '.latencyMs.p99 < 1000' "$SUMMARY")" = true ] && [ "$(j .connections.failed)" = 0 ] && \
   [ "$held" = "$CONNECTIONS" ] && [ "$closed" = 0 ]; then
  verdict=PASS
  echo "result:      PASS: $held connections held, every record delivered to all, p99 $(j .latencyMs.p99) ms"
else
  verdict=MISS
  echo "result:      MISS at $CONNECTIONS: $held subscribed, $closed closed by the server, $(j .messages)/$(j .publisher.expectedDeliveries) delivered, p99 $(j .latencyMs.p99) ms"
fi
if [ -n "${CAPACITY_RESULTS:-}" ]; then
  echo "$CONNECTIONS $SHARDS $held $(j .messages)/$(j .publisher.expectedDeliveries) $(j .latencyMs.p99) $closed $verdict" >>"$CAPACITY_RESULTS"
fi
echo "target:      250,000 idle connections, all receiving a 1 rec/s channel with p99 < 1 s"
