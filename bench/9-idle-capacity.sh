#!/usr/bin/env bash
# Bench 9: idle capacity, the most idle, subscribed connections one local cluster holds on this machine, with pings
# only (the shards' default 25 s interval; no record is published). One cluster of SHARDS shard processes takes
# the connections straight from forked load workers (no balancer: the local balancer's ~9,900 clients per process
# would be what stops it), ramping step by step (STEPS, CONN_RATE/s) and holding each step STEP_HOLD s; the last
# step is held HOLD_SECONDS (300: "held for 5 minutes"). The ramp stops at the first step that does not settle or
# loses a connection during its hold. Per step it prints what the kernel counts: connections open and lost, the
# shards' total RSS and RSS per connection above their idle floor (RSS from /proc, nothing forced), the workers' RSS,
# TCP sockets in use and socket buffer memory (/proc/net/sockstat and sockstat6) and MemAvailable.
# Bounded: shards' start + the ramp (largest step / CONN_RATE s) + the holds + ~60 s.
# Env: STEPS ("50000 100000 200000 300000 400000 500000"), STEP_HOLD (30), HOLD_SECONDS (300), SHARDS
# (ceil(largest / 19,500): 26 for 500,000), CONN_RATE (500/s: at 1,000/s the 26 shards' JIT compiling the
# handshake path together held the load average near 100 and some clients went unread for a minute and were closed
# idle), SOURCE_ADDRESSES (16: 127.0.0.2.. as client addresses; the workers pick source ports per address and shard
# port, ~28,000 each).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
STEPS="${STEPS:-50000 100000 200000 300000 400000 500000}"
STEP_HOLD="${STEP_HOLD:-30}"
HOLD_SECONDS="${HOLD_SECONDS:-300}"
CONN_RATE="${CONN_RATE:-500}"
SOURCE_ADDRESSES="${SOURCE_ADDRESSES:-16}"
largest="$(tr ' ' '\n' <<<"$STEPS" | sort -n | tail -1)"
SHARDS="${SHARDS:-$(( (largest + 19499) / 19500 ))}"
SHARD_IO_THREADS="${SHARD_IO_THREADS:-1}"
# 26 shards and 27 workers share two cores: at 2,500 conn/s with the workers' usual flags (two event loops, C2,
# ParallelGC) the load average reached 100 and clients starved for a minute were closed idle by their shards. The
# workers only answer pings here: one event loop each, C1 only, the serial collector.
WORKER_JAVA_OPTS="${WORKER_JAVA_OPTS_IDLE:--Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -Dio.netty.leakDetection.level=disabled -Dio.netty.buffer.checkAccessible=false -Dio.netty.buffer.checkBounds=false}"
LOADTEST_IO_THREADS="${LOADTEST_IO_THREADS:-1}"
# The first step, 0 connections held WARM_SECONDS, lets the workers start (27 JVMs for 500,000) before any connects.
WARM_SECONDS="${WARM_SECONDS:-60}"
plan="0:$WARM_SECONDS"
for step in $STEPS; do plan="$plan${plan:+,}$step:$STEP_HOLD"; done
plan="${plan%:*}:$HOLD_SECONDS"

bench_build
bench_sysctls
bench_conditions "bench 9: idle capacity of one local cluster"
echo "workload:    idle connections, each subscribed to one silent channel, pings only; steps $STEPS at $CONN_RATE conn/s, each held ${STEP_HOLD}s, the last ${HOLD_SECONDS}s"
echo "topology:    $SHARDS shards ($SHARD_IO_THREADS event loop each, at most 19,800 connections each), clients straight to the shards (no balancer) from forked workers over $SOURCE_ADDRESSES loopback source addresses"
start_kafka bench:1
for i in $(seq 0 $((SHARDS - 1))); do start_shard "$i" 19800; done
wait_shards_ready
# 26 JVMs starting keep both cores busy for over a minute (class loading, the JIT, the consumers joining), and
# clients that connect into that are not read for a minute and closed idle. The floor is read, and the ramp begins,
# once the machine is calm: at least half of its CPU idle over 5 s (bounded: 180 s).
wait_calm() {
  local a b i
  for i in $(seq 1 36); do
    a=($(head -1 /proc/stat)); sleep 5; b=($(head -1 /proc/stat))
    local idle=$(( b[4] - a[4] )) total=0 k
    for k in 1 2 3 4 5 6 7 8; do total=$(( total + b[k] - a[k] )); done
    [ $(( idle * 100 / (total > 0 ? total : 1) )) -ge 50 ] && { echo "calm:        $(( idle * 100 / total ))% idle after $(( i * 5 )) s ($1)"; return 0; }
  done
  echo "calm:        not within 180 s ($1): $(( idle * 100 / (total > 0 ? total : 1) ))% idle"
}
wait_calm "shards started"
floor_kb=0
for pid in "${SHARD_PIDS[@]}"; do floor_kb=$((floor_kb + $(awk '/^VmRSS:/{print $2}' "/proc/$pid/status"))); done
echo "floor:       shards' RSS with no client $((floor_kb / 1024)) MiB ($((floor_kb / 1024 / SHARDS)) MiB per shard)"
loadtest --url="$(shard_urls)" --connections="$largest" --rate="$CONN_RATE" --channels=bench \
  --source-addresses="$SOURCE_ADDRESSES" --plan="$plan" --plan-stop-at-loss=true \
  --server-pids="$(csv "${SHARD_PIDS[@]}")" --ramp-timeout-s=$((largest / CONN_RATE + 180)) || true
echo
printf '%-11s %-6s %-9s %-6s %-11s %-11s %-11s %-10s %-12s %-11s %-10s %s\n' \
  target held open lost shards_rss rss/conn workers_rss tcp_inuse tcp_buffers mem_avail failures "load avg"
jq -r --argjson floor "$floor_kb" '.plan[] | select(.connections > 0) | [.connections, (if .held then "yes" else "NO" end), .atEnd.open,
    .lostDuringHold, "\(.atEnd.serverRssKb / 1024 | floor)MiB",
    (if .atEnd.open > 0 then "\((.atEnd.serverRssKb - $floor) * 1024 / .atEnd.open | floor)B" else "-" end),
    "\(.atEnd.clientRssKb / 1024 | floor)MiB",
    ((.atEnd.sockstat.tcp_inuse // 0) + (.atEnd.sockstat.tcp6_inuse // 0)),
    "\((.atEnd.sockstat.tcp_mem_pages // 0) * 4 / 1024 | floor)MiB",
    "\(.atEnd.memAvailableKb / 1024 | floor)MiB",
    (.atEnd.failures | to_entries | map("\(.key)=\(.value)") | join(",") | if . == "" then "-" else . end),
    (.atEnd.loadAverage | tostring)] | @tsv' "$SUMMARY" |
  while IFS=$'\t' read -r -a row; do
    printf '%-11s %-6s %-9s %-6s %-11s %-11s %-11s %-10s %-12s %-11s %-10s %s\n' "${row[@]}"
  done
held="$(jq -r '[.plan[] | select(.held and .connections > 0) | .connections] | max // "none"' "$SUMMARY")"
last="$(jq -r '.plan[-1]' "$SUMMARY")"
if [ "$(jq -r '.held' <<<"$last")" = true ] && [ "$(jq -r '.connections' <<<"$last")" = "$largest" ]; then
  echo "result:      $largest idle connections held ${HOLD_SECONDS}s with none lost"
else
  echo "result:      the ramp stopped at $(jq -r '.connections' <<<"$last") (settled $(jq -r '.settled' <<<"$last"), $(jq -r '.lostDuringHold' <<<"$last") lost in its hold; failures $(jq -c '.atEnd.failures' <<<"$last")); the largest step held was ${held}, for ${STEP_HOLD}s"
  echo "             (rerun with STEPS=$held to hold it ${HOLD_SECONDS}s)"
fi
echo "target:      500,000 idle connections held 5 minutes, or the resource that stops it named"
