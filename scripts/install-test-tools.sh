#!/usr/bin/env bash
# Installs, idempotently, everything the test suite needs beyond a JDK and Maven.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/install-helm.sh" >/dev/null
# The Kubernetes control plane of the operator, CRD and chart tests: built from source once (minutes), then reused.
bash "$root/scripts/install-kubernetes.sh" >/dev/null
# Prometheus and promtool: the observability tests scrape real shards and check the rules.
bash "$root/scripts/install-deb.sh" --no-install-recommends prometheus prometheus promtool
# Headless Chromium: the browser tests (BrowserClientE2E, BrowserThroughBalancerE2E).
bash "$root/scripts/install-deb.sh" chromium chromium
