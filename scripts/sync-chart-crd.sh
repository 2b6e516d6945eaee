#!/usr/bin/env bash
# Copies the generated WsCluster CRD (crds/, the single source) into the operator chart.
# The chart's tests fail when the two differ.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cp "$repo/crds/wsclusters.ws.odin.dev-v1.yml" "$repo/charts/odin-ws-operator/crds/wsclusters.ws.odin.dev-v1.yml"
echo "copied crds/wsclusters.ws.odin.dev-v1.yml into charts/odin-ws-operator/crds/"
