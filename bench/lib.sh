# Shared helpers of the bench/ scripts: build, start Kafka/shards/balancer on free loopback ports,
# print the conditions, run the load generator, clean up every process it started (by pid) on exit.
# Sourced, not run. Every wait is bounded.
set -euo pipefail

BENCH_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOADTEST_JAR="${LOADTEST_JAR:-$BENCH_ROOT/loadtest/target/loadtest-0.1.0-SNAPSHOT-all.jar}"
SHARD_JAR="${SHARD_JAR:-$BENCH_ROOT/shard-server/target/shard-server-0.1.0-SNAPSHOT-all.jar}"
BALANCER_JAR="$BENCH_ROOT/balancer/target/balancer-0.1.0-SNAPSHOT-all.jar"
# The shards' own JVM flags, from the one file that defines them: the image's entry point passes it to java, local
# mode reads it (ShardEnv.jvmFlags). A pod's JVM sizes its heap by the container's memory limit, which it reads as
# its physical memory; here -XX:MaxRAM says the same to the JVM: SHARD_MEMORY_LIMIT (2g, the limit of
# examples/wscluster-full.yaml) stands for the pod's limit, and nothing else is added to the image's flags.
SHARD_JVM_FLAGS_FILE="$BENCH_ROOT/api/src/main/resources/dev/odin/ws/api/shard-image/jvm.args"
SHARD_MEMORY_LIMIT="${SHARD_MEMORY_LIMIT:-2g}"
SHARD_JAVA_OPTS="${SHARD_JAVA_OPTS:--XX:MaxRAM=$SHARD_MEMORY_LIMIT @$SHARD_JVM_FLAGS_FILE}"
# The broker and the publishing coordinator are the bench's plumbing, started fresh for every bench: with C2 they
# were still compiling through the measured window (C2 was half of the broker's CPU samples 40 s in, 0.1 of the
# two cores), CPU a long-running broker does not spend. C1 alone compiles them within seconds.
KAFKA_JAVA_OPTS="${KAFKA_JAVA_OPTS:--Xmx1g -XX:TieredStopAtLevel=1}"
COORDINATOR_JAVA_OPTS="${COORDINATOR_JAVA_OPTS:--Xmx512m -XX:TieredStopAtLevel=1}"
# The load generator (clients and publisher) stands for other machines. On this one it shares the cores with the
# servers it measures, and a message that waits in a client socket for the client's thread to be scheduled
# counts as latency that a real client, on its own machine, would not see. As root it runs at nice -10, so it
# reads as soon as a message arrives; it needs the same CPU either way. LOADTEST_NICE=0 measures it unprioritized.
if [ "$(id -u)" = 0 ]; then LOADTEST_NICE="${LOADTEST_NICE:--10}"; else LOADTEST_NICE="${LOADTEST_NICE:-0}"; fi
BALANCER_JAVA_OPTS="${BALANCER_JAVA_OPTS:--Xmx512m}"
WORKER_JAVA_OPTS="${WORKER_JAVA_OPTS:--Xmx1g -XX:+UseParallelGC -Dio.netty.leakDetection.level=disabled -Dio.netty.buffer.checkAccessible=false -Dio.netty.buffer.checkBounds=false}"
BENCH_OUT="${BENCH_OUT:-/tmp/odin-ws-bench}"
BENCH_PORT_BASE="${BENCH_PORT_BASE:-17500}"
mkdir -p "$BENCH_OUT"
WORK="$(mktemp -d /tmp/odin-bench.XXXXXX)"
BENCH_PIDS=()
SHARD_PIDS=()
SHARD_PORTS=()
SHARD_MPORTS=()
NEXT_PORT="$BENCH_PORT_BASE"
SYSCTL_RESTORE=()

stop_pids() { # seconds pid... : TERM, wait up to the seconds, then KILL what is left
  local seconds="$1" pid alive
  shift
  for pid in "$@"; do kill -TERM "$pid" 2>/dev/null || true; done
  for _ in $(seq 1 $((seconds * 5))); do
    alive=0
    for pid in "$@"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.2
  done
  for pid in "$@"; do kill -KILL "$pid" 2>/dev/null || true; done
}

bench_cleanup() {
  # The broker last: a shard stopping closes its Kafka consumer, which leaves its group through the broker and
  # waits for it (up to 5 s) when the broker is already gone.
  local pid others=()
  for pid in "${BENCH_PIDS[@]}"; do [ "$pid" = "${KAFKA_PID:-}" ] || others+=("$pid"); done
  [ "${#others[@]}" = 0 ] || stop_pids 20 "${others[@]}"
  [ -z "${KAFKA_PID:-}" ] || stop_pids 10 "$KAFKA_PID"
  local kv
  for kv in "${SYSCTL_RESTORE[@]}"; do sysctl -q -w "$kv" >/dev/null 2>&1 || true; done
  [ "${BENCH_KEEP:-0}" = 1 ] && echo "kept $WORK" || rm -rf "$WORK"
}
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

bench_build() {
  if [ "${BENCH_BUILD:-0}" = 1 ] || [ ! -f "$LOADTEST_JAR" ] || [ ! -f "$SHARD_JAR" ] || [ ! -f "$BALANCER_JAR" ]; then
    echo "building the loadtest, shard-server and balancer jars..."
    (cd "$BENCH_ROOT" && mvn -B -q -pl loadtest,shard-server,balancer -am package -DskipTests)
  fi
}

# Sets PORT to a free loopback port from BENCH_PORT_BASE upwards (reserved when the port range is widened).
next_port() {
  local p="$NEXT_PORT"
  for _ in $(seq 1 200); do
    if [ -z "$(ss -Hltn "sport = :$p" 2>/dev/null)" ]; then
      NEXT_PORT=$((p + 1))
      PORT="$p"
      return
    fi
    p=$((p + 1))
  done
  echo "no free port from $NEXT_PORT" >&2
  return 1
}

set_sysctl() { # name value: set it and restore the old value on exit (root only)
  local old
  old="$(sysctl -n "$1" 2>/dev/null | tr '\t' ' ')" || return 0
  if sysctl -q -w "$1=$2" >/dev/null 2>&1; then
    SYSCTL_RESTORE+=("$1=$old")
  else
    echo "note: could not set $1 (not root?); it stays '$old'"
  fi
}

# Listen backlogs for fast ramps; BENCH_WIDEN_PORTS=1 also widens the source-port range, after reserving
# the bench's server port block so no client source port can land on a server port.
bench_sysctls() {
  [ "$(id -u)" = 0 ] || { echo "note: not root: sysctls left as they are"; return 0; }
  [ "$(sysctl -n net.core.somaxconn)" -lt 65535 ] && set_sysctl net.core.somaxconn 65535
  [ "$(sysctl -n net.ipv4.tcp_max_syn_backlog)" -lt 65535 ] && set_sysctl net.ipv4.tcp_max_syn_backlog 65535
  if [ "${BENCH_WIDEN_PORTS:-0}" = 1 ]; then
    local reserved
    reserved="$(sysctl -n net.ipv4.ip_local_reserved_ports)"
    set_sysctl net.ipv4.ip_local_reserved_ports "${reserved:+$reserved,}$BENCH_PORT_BASE-$((BENCH_PORT_BASE + 199))"
    set_sysctl net.ipv4.ip_local_port_range "1024 65000"
  fi
  return 0
}

bench_conditions() { # title
  echo "=== $1 ==="
  echo "date:        $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "machine:     nproc=$(nproc), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/{print $2}') GiB RAM"
  echo "jvm:         $(java -version 2>&1 | head -2 | tail -1)"
  echo "auth:        $([ "${BENCH_AUTH:-0}" = 1 ] && echo 'JWT (HS256 token on every upgrade, every subscription checked against a Token rule)' || echo 'off (mode None)')"
  echo "heaps:       shard '$SHARD_JAVA_OPTS', kafka '$KAFKA_JAVA_OPTS', coordinator '$COORDINATOR_JAVA_OPTS', load workers '$WORKER_JAVA_OPTS'"
  echo "fd limit:    $(ulimit -n) (hard $(ulimit -Hn))"
  echo "priority:    load generator (clients, publisher) at nice $LOADTEST_NICE, servers and broker at nice 0"
  echo "sysctls:     somaxconn=$(sysctl -n net.core.somaxconn) syn_backlog=$(sysctl -n net.ipv4.tcp_max_syn_backlog) port_range='$(sysctl -n net.ipv4.ip_local_port_range | tr '\t' ' ')'"
  echo "load avg:    $(cut -d' ' -f1-3 /proc/loadavg) (before)"
  echo "other load:  $(ps -eo pcpu,comm --sort=-pcpu | awk 'NR>1 && $1>5 {printf "%s(%s%%) ", $2, $1}') "
}

start_kafka() { # topics spec, e.g. bench:1
  java $KAFKA_JAVA_OPTS -cp "$LOADTEST_JAR" dev.odin.ws.loadtest.LoadTestMain kafka --topics="$1" \
    --bootstrap-file="$WORK/bootstrap" >"$WORK/kafka.log" 2>&1 &
  KAFKA_PID=$!
  BENCH_PIDS+=("$KAFKA_PID")
  for _ in $(seq 1 300); do [ -s "$WORK/bootstrap" ] && break; sleep 0.2; done
  [ -s "$WORK/bootstrap" ] || { echo "kafka did not start:"; tail -20 "$WORK/kafka.log"; exit 1; }
  BOOTSTRAP="$(cat "$WORK/bootstrap")"
  echo "kafka:       $BOOTSTRAP (topics $1)"
}

# BENCH_AUTH=1: the shards authenticate (JWT, HS256) and check every subscription against a Token rule, as a
# WsCluster with spec.auth does; the load generator sends a token on every upgrade. The key and the token are made
# per run in $WORK (a throwaway secret; the token is on the load generator's command line, visible in ps).
bench_auth_env() {
  [ "${BENCH_AUTH:-0}" = 1 ] || return 0
  if [ ! -s "$WORK/jwt.key" ]; then
    python3 - "$WORK/jwt.key" "$WORK/jwt.token" <<'PY'
import base64, hashlib, hmac, json, secrets, sys, time
key = base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b'=')
open(sys.argv[1], 'wb').write(key)
b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b'=')
head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
body = b64(json.dumps({"sub": "bench", "exp": int(time.time()) + 86400, "channels": ["bench*"]}).encode())
sig = b64(hmac.new(key, head + b'.' + body, hashlib.sha256).digest())
open(sys.argv[2], 'wb').write(head + b'.' + body + b'.' + sig)
PY
  fi
  echo "ODIN_WS_AUTH_MODE=JWT ODIN_WS_AUTH_KEY_FILE=$WORK/jwt.key ODIN_WS_AUTH_CHANNELS=[{\"prefix\":\"\",\"access\":\"Token\"}]"
}
bench_auth_token_flag() {
  [ "${BENCH_AUTH:-0}" = 1 ] && echo "--bearer-token=$(cat "$WORK/jwt.token")"
  return 0
}

start_shard() { # index [max connections]
  local i="$1" port mport
  next_port; port="$PORT"; next_port; mport="$PORT"
  # shellcheck disable=SC2046
  env $(bench_auth_env) ODIN_WS_CLUSTER=bench ODIN_WS_SHARD_INDEX="$i" ODIN_WS_KAFKA_BOOTSTRAP_SERVERS="$BOOTSTRAP" \
    ODIN_WS_KAFKA_TOPICS="${SHARD_TOPICS:-bench}" ODIN_WS_BIND_ADDRESS=127.0.0.1 ODIN_WS_PORT="$port" \
    ODIN_WS_MANAGEMENT_PORT="$mport" ODIN_WS_MAX_CONNECTIONS="${2:-19800}" ODIN_WS_IO_THREADS="${SHARD_IO_THREADS:-$(nproc)}" \
    ODIN_WS_DRAIN_SECONDS=1 ODIN_WS_HANDSHAKE_TIMEOUT_SECONDS=30 \
    java $SHARD_JAVA_OPTS ${SHARD_EXTRA_OPTS:-} -jar "$SHARD_JAR" >"$WORK/shard-$i.log" 2>&1 &
  local pid=$!
  BENCH_PIDS+=($pid); SHARD_PIDS+=($pid); SHARD_PORTS+=($port); SHARD_MPORTS+=($mport)
}

wait_http_ok() { # url [seconds]
  for _ in $(seq 1 $(( ${2:-90} * 5 ))); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$1" 2>/dev/null)" = 200 ] && return 0
    sleep 0.2
  done
  echo "not ready: $1"; return 1
}

wait_shards_ready() {
  local m
  for m in "${SHARD_MPORTS[@]}"; do wait_http_ok "http://127.0.0.1:$m/readyz" 120; done
  echo "shards:      ${#SHARD_PIDS[@]} ready (pids ${SHARD_PIDS[*]}, ws ports ${SHARD_PORTS[*]})"
}

shard_urls() { local p out=""; for p in "${SHARD_PORTS[@]}"; do out="$out${out:+,}ws://127.0.0.1:$p/ws"; done; echo "$out"; }
csv() { local IFS=,; echo "$*"; }

loadtest() { # args... : runs the generator, summary JSON to $SUMMARY, progress to the terminal
  SUMMARY="$WORK/summary-$(date +%s%N).json"
  nice -n "$LOADTEST_NICE" java $COORDINATOR_JAVA_OPTS -jar "$LOADTEST_JAR" run --worker-java-opts="$WORKER_JAVA_OPTS" ${LOADTEST_IO_THREADS:+--io-threads=$LOADTEST_IO_THREADS} ${LOADTEST_READ_PAUSE_US:+--read-pause-us=$LOADTEST_READ_PAUSE_US} ${LOADTEST_CLIENT:+--client=$LOADTEST_CLIENT} "$@" --out="$SUMMARY" \
    >/dev/null 2> >(tee -a "$WORK/current.log" >&2)
}

# One table row of a publishing run: the figures a fan-out or latency bench reports.
FANOUT_FORMAT='%-12s %-8s %-8s %-10s %-10s %-6s %-11s %-8s %-12s %-10s %-11s %-10s %-9s %-8s %-8s %-8s %-8s %-5s %-5s %-8s %s\n'
fanout_header() {
  printf "$FANOUT_FORMAT" \
    client rec/s records expected received subs deliv/s srv_cpu_s deliv/srv_cpu_s deliv/write srv_us/write bytes/deliv cli_cpu_s p50_ms p90_ms p99_ms p99.9_ms gaps ooo failed "load avg (1/5/15)"
}
fanout_row() { # publish rate ("max": the rate the closed loop reached is shown with it)
  local rate="$1"
  [ "$rate" = max ] && rate="max:$(j '.publisher.rate | floor')"
  printf "$FANOUT_FORMAT" \
    "$(j '.clientKind // "batched"')" "$rate" "$(j .publisher.records)" "$(j .publisher.expectedDeliveries)" "$(j .messages)" "$(j .connections.subscribed)" \
    "$(j .deliveriesPerSecond)" "$(j '.server.cpuSeconds // "-"')" "$(j '.server.deliveriesPerCpuSecond // "-"')" \
    "$(j '.server.deliveriesPerWriteCall // "-"')" "$(j '.server.cpuMicrosPerWriteCall // "-"')" \
    "$(j '.server.bytesWrittenPerDelivery // "-"')" "$(j '.client.cpuSeconds // "-"')" \
    "$(j .latencyMs.p50)" "$(j .latencyMs.p90)" "$(j .latencyMs.p99)" "$(j .latencyMs.p99_9)" "$(j .gaps)" \
    "$(j .outOfOrder)" "$(j .connections.failed)" "$(j .loadAverageAtEnd)"
}

j() { jq -r "$1" "$SUMMARY"; }

# BENCH_JFR=1: starts a JFR recording (profile settings) on the shard(s) once the generator logs that it
# starts publishing (the warm-up, then the measured window, same rate); jfr_stop writes it to <prefix>-<pid>.jfr after the run.
jfr_on_publish() {
  : >"$WORK/current.log"
  [ "${BENCH_JFR:-0}" = 1 ] || return 0
  (
    for _ in $(seq 1 1500); do grep -q "loadtest: warm-up\|loadtest: publishing" "$WORK/current.log" 2>/dev/null && break; sleep 0.2; done
    for pid in "${SHARD_PIDS[@]}"; do jcmd "$pid" JFR.start name=window settings=profile >/dev/null 2>&1 || true; done
  ) &
  JFR_WATCHER=$!
}
jfr_stop() { # output prefix
  [ "${BENCH_JFR:-0}" = 1 ] || return 0
  wait "$JFR_WATCHER" 2>/dev/null || true
  for pid in "${SHARD_PIDS[@]}"; do
    jcmd "$pid" JFR.stop name=window filename="${1}-$pid.jfr" >/dev/null 2>&1 || echo "note: no JFR recording on $pid"
  done
}

proc_cpu() { # pid → user+sys seconds
  awk '{ split($0, a, ") "); split(a[2], f, " "); printf "%.2f", (f[12] + f[13]) / 100 }' "/proc/$1/stat"
}

# The shards' own delivery-latency histogram (Kafka timestamp → frames queued to every subscriber of the
# loop), summed over the shards, to split the end-to-end figure into the Kafka+shard part and the rest.
scrape_shard_latency() { # output file
  local m
  for m in "${SHARD_MPORTS[@]}"; do
    curl -s "http://127.0.0.1:$m/metrics" | grep -E '^ws_(delivery_latency|kafka_record_age)_seconds_bucket' || true
  done >"$1"
}
shard_latency_delta() { # before file, after file, histogram name → "p50<=X ms p99<=Y ms (n samples)"
  python3 - "$1" "$2" "$3" <<'PY'
import re, sys
def read(path):
    sums = {}
    for line in open(path):
        if not line.startswith(sys.argv[3] + '_bucket'):
            continue
        m = re.search(r'le="([^"]+)"\}\s+([0-9.eE+]+)', line)
        if m:
            le = float('inf') if m.group(1) == '+Inf' else float(m.group(1))
            sums[le] = sums.get(le, 0) + float(m.group(2))
    return sums
a, b = read(sys.argv[1]), read(sys.argv[2])
les = sorted(b)
delta = [(le, b[le] - a.get(le, 0)) for le in les]
total = delta[-1][1] if delta else 0
def q(p):
    for le, c in delta:
        if total and c >= p * total:
            return 'inf' if le == float('inf') else '%g' % (le * 1000)
    return '-'
print('p50<=%s ms p99<=%s ms (%d samples)' % (q(0.5), q(0.99), total))
PY
}

# The publishing series of benches 2, 3 and 5: for each client kind in CLIENTS (default: LOADTEST_CLIENT, else
# batched; see --client) and each rate in RATES, SUBSCRIBERS connections to URL on channel "bench", warm-up,
# PUBLISH_SECONDS of 100-byte records, one table row; JFR summaries after.
fanout_series() { # jfr prefix, url, server pids (csv), connection rate
  local rate client rows=() split=()
  for client in ${CLIENTS:-${LOADTEST_CLIENT:-batched}}; do
  for rate in $RATES; do
    scrape_shard_latency "$WORK/lat-before"
    jfr_on_publish
    LOADTEST_CLIENT="$client" loadtest --url="$2" --connections="$SUBSCRIBERS" --rate="$4" --channels=bench \
      --publish-bootstrap="$BOOTSTRAP" --publish-topic=bench --publish-rate="$rate" --publish-size=100 \
      ${PUBLISH_WINDOW:+--publish-window=$PUBLISH_WINDOW} \
      --warmup-seconds="${WARMUP_SECONDS:-10}" --publish-seconds="$PUBLISH_SECONDS" --server-pids="$3" \
      $(bench_auth_token_flag)
    jfr_stop "$BENCH_OUT/$1-$client-$rate"
    scrape_shard_latency "$WORK/lat-after"
    rows+=("$(fanout_row "$rate")")
    split+=("$client $rate rec/s: delivered $(shard_latency_delta "$WORK/lat-before" "$WORK/lat-after" ws_delivery_latency_seconds); before the shard (record age) $(shard_latency_delta "$WORK/lat-before" "$WORK/lat-after" ws_kafka_record_age_seconds)")
  done
  done
  echo
  fanout_header
  printf '%s\n' "${rows[@]}"
  echo "shard-side latency (bucket upper bounds, warm-up included): delivered = ws_delivery_latency_seconds, Kafka timestamp →"
  echo "  frames handed to every subscriber's socket; before the shard = ws_kafka_record_age_seconds, Kafka timestamp → the shard's consumer has the record:"
  printf '  %s\n' "${split[@]}"
  if [ "${BENCH_JFR:-0}" = 1 ]; then
    local f
    for f in "$BENCH_OUT/$1"-*.jfr; do
      [ -f "$f" ] || continue
      bash "$BENCH_ROOT/bench/jfr-summary.sh" "$f"
      echo "bytes allocated during the recording, by thread group (jdk.ThreadAllocationStatistics at its start and end):"
      python3 "$BENCH_ROOT/bench/jfr-alloc.py" "$f" ws-io kafka-consumer auth-keys | sed 's/^/  /'
    done
  fi
  return 0
}
