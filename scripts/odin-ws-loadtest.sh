#!/usr/bin/env bash
# summary: WebSocket load generator and Kafka publisher (run, publish, kafka); see docs/BENCHMARKS.md
# Runs the loadtest fat jar, building it first when it is missing (or when LOADTEST_BUILD=1).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$root/loadtest/target/loadtest-0.1.0-SNAPSHOT-all.jar"
if [ "${LOADTEST_BUILD:-0}" = 1 ] || [ ! -f "$jar" ]; then
  (cd "$root" && mvn -B -q -pl loadtest -am package -DskipTests)
fi
exec java ${LOADTEST_JAVA_OPTS:--Xmx512m} -jar "$jar" "$@"
