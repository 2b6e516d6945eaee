#!/usr/bin/env bash
# Bench 8: the fleet following its load in local mode. `./odin-ws local` runs a WsCluster in autoscaling mode Auto
# (targetConnectionsPerShard 1000, scale-up window 5 s, scale-down window DOWN_WINDOW s, drain 2 s, rebalance Auto)
# with --timeline; the load generator ramps 0 -> PEAK clients at CONN_RATE/s, holds HOLD_PEAK s, drops to LOW
# clients and holds HOLD_LOW s, publishing 5 rec/s on one channel throughout, every client resuming with since
# after a 1012. Prints: when the shards rose and fell, the time from the peak to every shard within 10% of the mean,
# the reconnects the rebalancer and the scale-down caused, gaps/duplicates; writes the timeline, the summary and a
# PNG plot (shards and per-shard connections over time) to BENCH_OUT. Bounded: ramps + holds + ~60 s.
# Env: PEAK (4000), LOW (1000), CONN_RATE (200), HOLD_PEAK (120), HOLD_LOW (90), DOWN_WINDOW (30),
# PLOT (BENCH_OUT/autoscale-ramp.png).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
PEAK="${PEAK:-4000}"
LOW="${LOW:-1000}"
CONN_RATE="${CONN_RATE:-200}"
HOLD_PEAK="${HOLD_PEAK:-120}"
HOLD_LOW="${HOLD_LOW:-90}"
DOWN_WINDOW="${DOWN_WINDOW:-30}"
PLOT="${PLOT:-$BENCH_OUT/autoscale-ramp.png}"
LOCAL_JAR="$BENCH_ROOT/local/target/local-0.1.0-SNAPSHOT-all.jar"
WATCHDOG_JAR="$BENCH_ROOT/local/target/local-0.1.0-SNAPSHOT.jar"
if [ "${BENCH_BUILD:-0}" = 1 ] || [ ! -f "$LOCAL_JAR" ] || [ ! -f "$LOADTEST_JAR" ] || [ ! -f "$SHARD_JAR" ]; then
  echo "building the local runner, shard-server and loadtest jars..."
  (cd "$BENCH_ROOT" && mvn -B -q -ntp -pl local,loadtest -am package -DskipTests)
fi
bench_sysctls
bench_conditions "bench 8: autoscaling and rebalancing in local mode"
echo "shards:      local mode's own: -XX:ActiveProcessorCount=1 -Xmx256m (the spec's cpu 1 and half its 512Mi) + the image's flags (not the heaps line above)"
echo "workload:    0 -> $PEAK clients at $CONN_RATE/s, hold ${HOLD_PEAK}s, -> $LOW, hold ${HOLD_LOW}s; 5 rec/s on 1 channel; resume on"
cat >"$WORK/wscluster.yaml" <<YAML
apiVersion: ws.odin.dev/v1alpha1
kind: WsCluster
metadata:
  name: ramp
spec:
  shards: 1
  resources:
    limits:
      cpu: "1"
      memory: 512Mi
  kafka:
    bootstrapServers: embedded
    topics:
      - name: ticks
  drain:
    seconds: 2
  autoscaling:
    mode: Auto
    minShards: 1
    maxShards: 8
    targetConnectionsPerShard: 1000
    scaleUpStabilizationSeconds: 5
    scaleDownStabilizationSeconds: $DOWN_WINDOW
YAML
echo "cluster:     $(tr '\n' ' ' <"$WORK/wscluster.yaml" | sed 's/  */ /g' | cut -c1-400)"
next_port; port="$PORT"
java -Xmx1g -jar "$LOCAL_JAR" --shard-jar "$SHARD_JAR" --watchdog-jar "$WATCHDOG_JAR" --state-dir "$WORK/state" \
  -f "$WORK/wscluster.yaml" --port "$port" --timeline "$BENCH_OUT/autoscale-timeline.jsonl" >"$WORK/local.log" 2>&1 &
local_pid=$!
BENCH_PIDS+=($local_pid)
state="$WORK/state/ramp/state.properties"
for _ in $(seq 1 600); do
  grep -q "is up" "$WORK/local.log" 2>/dev/null && break
  kill -0 "$local_pid" 2>/dev/null || { echo "./odin-ws local exited:"; tail -20 "$WORK/local.log"; exit 1; }
  sleep 0.2
done
grep -q "is up" "$WORK/local.log" || { echo "./odin-ws local did not come up:"; tail -20 "$WORK/local.log"; exit 1; }
bootstrap="$(sed -n 's/^bootstrapServers=//p' "$state" | sed 's/\\:/:/g')"
backends="$(sed -n 's|^  balancer   \(http://[^ ]*/backends\).*|\1|p' "$WORK/local.log")"
# The clients come once the first shard is ready: before that the balancer answers 503 (no healthy backend).
for _ in $(seq 1 600); do curl -s "$backends" | grep -q '"healthy":true' && break; sleep 0.2; done
curl -s "$backends" | grep -q '"healthy":true' || { echo "no shard became ready"; tail -20 "$WORK/local.log"; exit 1; }
echo "local:       pid $local_pid, ws://127.0.0.1:$port/ws, kafka $bootstrap, shard 0 ready ($backends)"
SUMMARY="$BENCH_OUT/autoscale-summary.json"
nice -n "$LOADTEST_NICE" java $COORDINATOR_JAVA_OPTS -jar "$LOADTEST_JAR" run --worker-java-opts="$WORKER_JAVA_OPTS" \
  --url="ws://127.0.0.1:$port/ws" --connections="$PEAK" --workers=2 --rate="$CONN_RATE" --io-threads=1 \
  --channels=ticks --resume=true --publish-bootstrap="$bootstrap" --publish-topic=ticks --publish-rate=5 \
  --plan="$PEAK:$HOLD_PEAK,$LOW:$HOLD_LOW" --out="$SUMMARY" >/dev/null 2>"$WORK/loadtest.log"
stop_pids 30 "$local_pid"
cp "$WORK/local.log" "$BENCH_OUT/autoscale-local.log"
echo "load avg:    $(cut -d' ' -f1-3 /proc/loadavg) (after)"
echo
grep -E "odin-ws local: (autoscaler|rebalance: (round|balanced|as even)|scaling)" "$WORK/local.log" | sed 's/^/  /'
echo
# The plot needs matplotlib: a venv under .tools/, made here once from PyPI.
venv="$BENCH_ROOT/.tools/bench-venv"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import matplotlib' 2>/dev/null; then
  echo "installing matplotlib into $venv (once)..."
  python3 -m venv "$venv" && "$venv/bin/pip" install -q matplotlib==3.10.9 || echo "note: no matplotlib; figures only, no plot"
fi
py=python3
"$venv/bin/python" -c 'import matplotlib' 2>/dev/null && py="$venv/bin/python"
"$py" "$BENCH_ROOT/bench/autoscale_report.py" "$BENCH_OUT/autoscale-timeline.jsonl" "$SUMMARY" "$WORK/local.log" \
  "$PLOT" "$PEAK" "$LOW"
