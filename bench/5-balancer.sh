#!/usr/bin/env bash
# Bench 5: the fan-out throughput run of bench 2 through the local balancer with 3 shards. The balancer
# holds two sockets per client (client side and shard side), so under the 20,000 open-file cap one
# balancer process carries at most about 9,900 clients: SUBSCRIBERS defaults to 9,600.
# Server CPU is the three shards plus the balancer. Bounded: about 40 s per rate.
# Env: SUBSCRIBERS (9600), RATES ("max 100 200": "max" is closed-loop, see bench 2), PUBLISH_SECONDS (10).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
SUBSCRIBERS="${SUBSCRIBERS:-9600}"
RATES="${RATES:-max 100 200}"
PUBLISH_SECONDS="${PUBLISH_SECONDS:-10}"
bench_build
bench_sysctls
bench_conditions "bench 5: fan-out through the local balancer, 3 shards"
echo "workload:    $SUBSCRIBERS subscribers via the balancer on 1 channel, 100-byte records, rates $RATES rec/s, ${PUBLISH_SECONDS}s each"
start_kafka bench:1
for i in 0 1 2; do start_shard "$i"; done
wait_shards_ready
next_port; bport="$PORT"; next_port; bmport="$PORT"
backends=""
for i in 0 1 2; do backends="$backends${backends:+,}$i@127.0.0.1:${SHARD_PORTS[$i]}:${SHARD_MPORTS[$i]}"; done
env ODIN_BALANCER_BIND_ADDRESS=127.0.0.1 ODIN_BALANCER_PORT="$bport" ODIN_BALANCER_MANAGEMENT_PORT="$bmport" \
  ODIN_BALANCER_BACKENDS="$backends" ODIN_BALANCER_CLUSTER=bench \
  java $BALANCER_JAVA_OPTS -jar "$BALANCER_JAR" >"$WORK/balancer.log" 2>&1 &
balancer_pid=$!
BENCH_PIDS+=($balancer_pid)
wait_http_ok "http://127.0.0.1:$bmport/healthz" 60
sleep 2 # first health checks of the shards
echo "balancer:    pid $balancer_pid on 127.0.0.1:$bport, backends $backends"
fanout_series balancer "ws://127.0.0.1:$bport/ws" "$(csv "${SHARD_PIDS[@]}" "$balancer_pid")" 2000
echo "server CPU = 3 shards + balancer; compare with bench 2 (one shard, direct)"
