#!/usr/bin/env bash
# Installs, idempotently, everything the test suite needs beyond a JDK and Maven.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/install-helm.sh" >/dev/null
# Prometheus and promtool: the observability tests scrape real shards and check the rules.
bash "$root/scripts/install-deb.sh" --no-install-recommends prometheus prometheus promtool
# Headless Chromium: the browser tests (BrowserClientE2E, BrowserThroughBalancerE2E).
bash "$root/scripts/install-deb.sh" chromium chromium
# The JRE 17 base image the image tests build on (image-tests): from Debian packages, once per recipe.
bash "$root/scripts/build-base-image.sh" >/dev/null
