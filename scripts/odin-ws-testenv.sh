#!/usr/bin/env bash
# summary: testenv up: start the tests' Kubernetes control plane (etcd, kube-apiserver, kube-controller-manager) by hand
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ "${1:-}" != "up" ]; then
  echo "usage: ./odin-ws testenv up" >&2
  exit 2
fi
jar="$root/testenv/target/testenv-0.1.0-SNAPSHOT-all.jar"
bash "$root/scripts/install-kubernetes.sh" >/dev/null
bash "$root/scripts/install-helm.sh" >/dev/null
if [ ! -f "$jar" ]; then
  echo "odin-ws testenv: building the control-plane launcher (once)..." >&2
  mvn -B -q -ntp -f "$root/pom.xml" -pl testenv -am package -DskipTests >&2
fi
work="$root/testenv/target/up-$(date +%Y%m%d-%H%M%S)"
exec java -Dodin.ws.repo="$root" -jar "$jar" up "$work"
