#!/usr/bin/env bash
# Bench 7: what encoding a poll batch costs the shard's consumer thread per record, in process (no broker, no
# clients): heap bytes allocated (exact: the same on a loaded machine as on an idle one) and CPU time (noisy), for
# bench 2's workload (one channel named by its key, one partition, 100-byte records), for a channel spread over six
# partitions, and for the consumer's loop before spread positions (commit e9cbc48, kept verbatim in the bench) on
# the same records. Bounded: a few seconds per loop. Env: BATCHES per round (1000, of 1000 records each).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_build
bench_conditions "bench 7: record encoding on the consumer thread"
# The shard's fat jar holds every class the shard runs; the bench itself is a test class.
java -Xmx1g -Dio.netty.leakDetection.level=disabled \
  -cp "$SHARD_JAR:$BENCH_ROOT/shard-server/target/test-classes" dev.odin.ws.shard.kafka.EncodeBench "${BATCHES:-1000}"
echo "load avg:    $(cut -d' ' -f1-3 /proc/loadavg) (after)"
