#!/usr/bin/env bash
# Bench 1: memory as a pod sees it. For each of RUNS (3) runs, a fresh shard with the image's own JVM flags (the one
# file, bench/lib.sh; SHARD_MEMORY_LIMIT stands for the pod's memory limit) and RSS as the kernel counts it
# (VmRSS from /proc/PID/status, sampled every SAMPLE_MS = 100 ms, nothing forced from outside):
#   floor    no clients, the consumer assigned, FLOOR_SETTLE_SECONDS (30) after that: the last reading before connecting;
#   peak     the highest reading from the first connection until the settled reading, while CONNECTIONS (10,000)
#            clients connect at CONN_RATE (5,000/s) and each subscribes to one channel that never gets a record;
#   settled  the reading SETTLE_SECONDS (30) after the last of them subscribed;
# per connection: (reading - floor) / connections. Only then, as a second, labelled column that no pod gets: a forced
# full collection and native-heap trim (jcmd) with the clients still connected, and again after they closed.
# Bounded: about 2 minutes per run.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
RUNS="${RUNS:-3}"
CONNECTIONS="${CONNECTIONS:-10000}"
CONN_RATE="${CONN_RATE:-5000}"
FLOOR_SETTLE_SECONDS="${FLOOR_SETTLE_SECONDS:-30}"
SETTLE_SECONDS="${SETTLE_SECONDS:-30}"
SAMPLE_MS="${SAMPLE_MS:-100}"
RSS_PY="$BENCH_ROOT/bench/rss.py"
bench_build
bench_sysctls
bench_conditions "bench 1: memory as a pod sees it (one fresh shard per run, RSS from /proc, nothing forced)"
echo "shard flags: $(grep -v '^#' "$SHARD_JVM_FLAGS_FILE" | grep . | tr '\n' ' ')(from $SHARD_JVM_FLAGS_FILE), -XX:MaxRAM=$SHARD_MEMORY_LIMIT for the pod's limit"
echo "workload:    $CONNECTIONS clients at $CONN_RATE conn/s, each subscribed to 1 silent channel; floor ${FLOOR_SETTLE_SECONDS}s after the consumer is assigned, settled ${SETTLE_SECONDS}s after the last subscribed; RSS every ${SAMPLE_MS} ms; $RUNS runs"
start_kafka bench:1

now_ms() { date +%s%3N; }
mark() { echo "$(now_ms) $1" >>"$WORK/marks-$run"; }
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
mib() { awk -v kb="$1" 'BEGIN { printf "%.1f", kb / 1024 }'; }
wait_assigned() { # management port: the shard's consumer holds its partition
  for _ in $(seq 1 600); do
    [ "$(curl -s "http://127.0.0.1:$1/stats" | jq -r '.assignedPartitions // 0' 2>/dev/null)" -ge 1 ] 2>/dev/null && return 0
    sleep 0.2
  done
  echo "the shard's consumer got no partition within 120 s"; return 1
}
heap_used_kb() { # pid → the heap's used kB, summed over its generations (G1 prints one line, Serial two)
  jcmd "$1" GC.heap_info 2>/dev/null | grep -E ' heap |generation' | grep -o 'used [0-9]*K' | tr -dc '0-9\n' |
    awk '{ s += $1 } END { print s + 0 }'
}
forced_gc_and_trim() { # pid → prints RSS kB 2 s after a full collection and a native-heap trim
  jcmd "$1" GC.run >/dev/null 2>&1 || true
  jcmd "$1" System.trim_native_heap >/dev/null 2>&1 || true
  sleep 2
  rss_kb "$1"
}

ROWS=()
for run in $(seq 1 "$RUNS"); do
  echo
  echo "--- run $run of $RUNS (load avg $(cut -d' ' -f1-3 /proc/loadavg) at its start)"
  SHARD_PIDS=(); SHARD_PORTS=(); SHARD_MPORTS=()
  start_shard 0 19900
  pid="${SHARD_PIDS[0]}"
  rm -f "$WORK/stop-$run"
  python3 "$RSS_PY" sample "$pid" "$WORK/rss-$run" "$SAMPLE_MS" 400 "$WORK/stop-$run" &
  sampler=$!
  BENCH_PIDS+=("$sampler")
  wait_shards_ready
  wait_assigned "${SHARD_MPORTS[0]}"
  mark assigned
  sleep "$FLOOR_SETTLE_SECONDS"
  load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
  : >"$WORK/current.log"
  mark connect
  # The generator holds the clients through the settled reading and the forced readings after it.
  loadtest --url="$(shard_urls)" --connections="$CONNECTIONS" --rate="$CONN_RATE" --channels=idle \
    --hold-seconds=$((SETTLE_SECONDS + 15)) 2>/dev/null &
  generator=$!
  connected=""
  for _ in $(seq 1 1200); do
    if grep -q "loadtest: ramp to $CONNECTIONS settled" "$WORK/current.log" 2>/dev/null; then connected=1; break; fi
    sleep 0.1
  done
  [ -n "$connected" ] || { echo "the clients did not all connect and subscribe within 120 s"; exit 1; }
  mark connected
  ramp_line="$(grep -o "ramp to $CONNECTIONS settled: .*" "$WORK/current.log" | head -1)"
  sleep "$SETTLE_SECONDS"
  mark settled
  sleep 0.3
  # From here on the shard is no longer left alone: the second column.
  if [ "$run" = 1 ]; then jcmd "$pid" GC.class_histogram 2>/dev/null | head -20 >"$WORK/histogram.txt" || true; fi
  forced_clients="$(forced_gc_and_trim "$pid")"
  heap_clients="$(heap_used_kb "$pid")"
  wait "$generator" || true
  sleep 5
  forced_floor="$(forced_gc_and_trim "$pid")"
  heap_floor="$(heap_used_kb "$pid")"
  touch "$WORK/stop-$run"; wait "$sampler" || true
  stop_pids 20 "$pid"
  load_after="$(cut -d' ' -f1-3 /proc/loadavg)"
  # shellcheck disable=SC2046
  eval $(python3 "$RSS_PY" report "$WORK/rss-$run" "$WORK/marks-$run" "$CONNECTIONS")
  echo "clients:     $ramp_line"
  echo "rss MiB, one reading a second from 2 s before the first connection to the settled reading:"
  awk -v from="$(awk '$2=="connect"{print $1}' "$WORK/marks-$run")" -v to="$(awk '$2=="settled"{print $1}' "$WORK/marks-$run")" \
    '$1 >= from - 2000 && $1 <= to && $1 >= next_at { printf "%.0f ", $2 / 1024; next_at = $1 + 1000 } END { print "" }' "$WORK/rss-$run" | fold -s -w 110 | sed 's/^/  /'
  forced_per=$(( (forced_clients - forced_floor) * 1024 / CONNECTIONS ))
  ROWS+=("$(printf '%-4s %-10s %-11s %-16s %-11s %-11s %-14s %-10s | %-13s %-12s %-11s %-14s %s' "$run" \
    "$(mib "$floor_kb")" "$(mib "$peak_kb")" "${peak_after_connected_s}s" "$(mib "$settled_kb")" "$peak_b_per_conn" \
    "$settled_b_per_conn" "$connect_seconds" "$(mib "$forced_clients")" "$(mib "$forced_floor")" "$forced_per" \
    "$(( (heap_clients - heap_floor) * 1024 / CONNECTIONS ))" "$load_before → $load_after")")
done

echo
echo "shard heap at $CONNECTIONS connections, top classes (run 1, jcmd GC.class_histogram, after the settled reading):"
cat "$WORK/histogram.txt" 2>/dev/null || true
echo
echo "pod view: RSS (VmRSS) of a fresh shard, nothing forced; per connection = (reading - floor) / $CONNECTIONS"
echo "forced:   after the pod view, a full GC + native-heap trim from outside (jcmd), which no pod gets; with the clients"
echo "          connected, then after they closed; per connection = the difference / $CONNECTIONS"
printf '%-4s %-10s %-11s %-16s %-11s %-11s %-14s %-10s | %-13s %-12s %-11s %-14s %s\n' run floor_MiB peak_MiB peak_after_conn \
  settled_MiB peak_B/conn settled_B/conn connect_s forced_MiB forced_floor forced_B/conn heap_B/conn "load avg (1/5/15) before → after"
printf '%s\n' "${ROWS[@]}"
echo "load avg:    $(cut -d' ' -f1-3 /proc/loadavg) (after)"
echo "targets:     floor at most 64 MiB; settled at most 2048 B/conn and peak at most 3072 B/conn above the floor (3 runs of 3)"
