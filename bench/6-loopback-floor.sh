#!/usr/bin/env bash
# Bench 6: the kernel's floor for one delivery on this machine, without the JVM: a C program writes a
# 100-byte message to each of CONNECTIONS (9,000) loopback TCP sockets per round, ROUNDS (20) times, and a
# reader thread reads them with epoll, waking for every message and then pausing 500 µs before each
# epoll_wait as the load generator does. Compare its CPU per write with the shard's (benches 2 and 3 print
# srv_us/write). Needs gcc. Bounded: about 30 s.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
CONNECTIONS="${CONNECTIONS:-9000}"
ROUNDS="${ROUNDS:-20}"
command -v gcc >/dev/null || { echo "bench 6 needs gcc"; exit 1; }
gcc -O2 -pthread -o "$WORK/loopback_floor" "$BENCH_ROOT/bench/floor/loopback_floor.c"
bench_conditions "bench 6: the kernel's floor per delivery (C, loopback TCP)"
echo "workload:    $CONNECTIONS sockets, $ROUNDS rounds of one 100-byte write each, 200 ms apart"
for pause in 0 500; do
  echo "reader pause ${pause} µs:"
  (ulimit -n "$(ulimit -Hn)"; "$WORK/loopback_floor" "$CONNECTIONS" "$ROUNDS" "$pause") | sed 's/^/  /'
done
