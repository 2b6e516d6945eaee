#!/usr/bin/env bash
# summary: install what the tests need (helm, the Kubernetes control plane, Prometheus, Chromium, the JS client's packages, a JRE base image) and run the whole test suite
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/install-test-tools.sh
export ODIN_WS_HELM="$root/.tools/helm/helm"
# The JavaScript client first: its packages from the committed lock file, its build, its unit tests (seconds).
(cd clients/js && npm ci --no-audit --no-fund && npm run build && npm test)
# The operator and shard images are built as tarballs on the Debian-built base (no registry) and run by image-tests.
base_image="$(bash scripts/build-base-image.sh)"
mvn -B -ntp verify -Dodin.images.skip=false "-Djib.from.image=tar://$base_image" "$@"
# Netty reports a leaked ByteBuf in the log, not as a failure: a leak fails the suite here.
if grep -l "LEAK:" ./*/target/surefire-reports/*-output.txt 2>/dev/null; then
  echo "odin-ws test: Netty reported a ByteBuf leak in the files above" >&2
  exit 1
fi
# The client in headless Chromium and in Node against ./odin-ws local --demo, which needs the jars built above.
(cd clients/js && npm run test:browser)
echo "odin-ws test: all modules and the JavaScript client passed, no ByteBuf leak reported"
