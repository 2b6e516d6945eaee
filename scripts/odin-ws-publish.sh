#!/usr/bin/env bash
# summary: publish one record to a WsCluster's first topic: publish [-f FILE] CHANNEL PAYLOAD
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version=0.1.0-SNAPSHOT
runner="$root/local/target/local-$version-all.jar"
if [ ! -f "$runner" ]; then
  echo "odin-ws publish: building the local runner (once)..." >&2
  mvn -B -q -ntp -f "$root/pom.xml" -pl local -am package -DskipTests >&2
fi
# Without -f, the local example: the cluster ./odin-ws local runs in the README's quick start.
file_args=()
case " $* " in
  *" -f "*|*" --file "*) ;;
  *) file_args=(-f "$root/examples/wscluster-local.yaml") ;;
esac
exec java -cp "$runner" dev.odin.ws.local.PublishMain --state-dir "$root/local-run" "${file_args[@]}" "$@"
