#!/usr/bin/env bash
# Installs, idempotently, everything the test suite needs beyond a JDK and Maven.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/install-helm.sh" >/dev/null
bash "$root/scripts/install-prometheus.sh"
bash "$root/scripts/install-chromium.sh"
