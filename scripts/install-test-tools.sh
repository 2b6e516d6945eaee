#!/usr/bin/env bash
# Installs, idempotently, everything the test suite needs beyond a JDK and Maven.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/install-helm.sh" >/dev/null
# The Kubernetes control plane of the operator, CRD and chart tests: built from source once (minutes), then reused.
bash "$root/scripts/install-kubernetes.sh" >/dev/null
# Prometheus and promtool: the observability tests scrape real shards and check the rules.
bash "$root/scripts/install-deb.sh" --no-install-recommends prometheus prometheus promtool
# Headless Chromium: the browser tests (BrowserClientE2E, BrowserThroughBalancerE2E, clients/js/test/browser).
bash "$root/scripts/install-deb.sh" chromium chromium
# Node.js 20 or later with npm: the JavaScript client's build and tests (its packages come from its lock file).
# Debian's own nodejs is older than 20, so it is not installed here; the machines come with Node.js.
node_major=$(node --version 2>/dev/null | sed -E 's/^v([0-9]+).*/\1/' || true)
if [[ -z "$node_major" ]] || ((node_major < 20)) || ! command -v npm >/dev/null; then
  echo "the JavaScript client's tests need Node.js 20 or later with npm (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi
# The JRE 17 base image the image tests build on (image-tests): from Debian packages, once per recipe.
bash "$root/scripts/build-base-image.sh" >/dev/null
