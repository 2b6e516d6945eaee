#!/usr/bin/env bash
# summary: run a WsCluster on this machine (embedded Kafka, shard processes, balancer): local -f FILE [--demo] [--port P]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version=0.1.0-SNAPSHOT
runner="$root/local/target/local-$version-all.jar"
watchdog="$root/local/target/local-$version.jar"
shard="$root/shard-server/target/shard-server-$version-all.jar"
# Built when missing, and again when a source or pom of the modules they are made of is newer than the runner
# (after a git pull, the runner must not be the old code).
stale() {
  [ -n "$(find "$root/pom.xml" "$root"/{api,embedded-kafka,balancer,shard-server,loadtest,local}/pom.xml \
    "$root"/{api,embedded-kafka,balancer,shard-server,loadtest,local}/src/main -newer "$runner" -print -quit 2>/dev/null)" ]
}
if [ ! -f "$runner" ] || [ ! -f "$watchdog" ] || [ ! -f "$shard" ]; then
  echo "odin-ws local: building the shard server and the local runner (once; takes a minute or two)..." >&2
  mvn -B -q -ntp -f "$root/pom.xml" -pl local -am package -DskipTests >&2
elif stale; then
  echo "odin-ws local: the sources changed since the runner was built; building it again..." >&2
  mvn -B -q -ntp -f "$root/pom.xml" -pl local -am package -DskipTests >&2
  touch "$runner" # the shade plugin leaves a jar whose content did not change untouched
fi
# --demo also serves a page that runs on the JavaScript client (clients/js), built here once when Node.js is present.
client="$root/clients/js"
if [[ " $* " == *" --demo "* ]] && [ ! -f "$client/dist/index.js" ]; then
  if command -v npm >/dev/null; then
    echo "odin-ws local: building the JavaScript client for the demo page (once)..." >&2
    (cd "$client" && npm ci --silent --no-audit --no-fund && npm run --silent build) >&2
  else
    echo "odin-ws local: no npm here, so no demo page (it runs on the JavaScript client in clients/js)" >&2
  fi
fi
# exec: the JVM itself gets Ctrl-C / SIGTERM and stops everything in order. The current directory is kept, so
# -f resolves as the user typed it.
exec java -jar "$runner" --shard-jar "$shard" --watchdog-jar "$watchdog" --state-dir "$root/local-run" \
  --demo-root "$client" "$@"
