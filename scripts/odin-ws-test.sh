#!/usr/bin/env bash
# summary: install what the tests need (helm, Prometheus, Chromium, a JRE base image) and run the whole test suite
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/install-test-tools.sh
export ODIN_WS_HELM="$root/.tools/helm/helm"
# The operator and shard images are built as tarballs on the Debian-built base (no registry) and run by image-tests.
base_image="$(bash scripts/build-base-image.sh)"
mvn -B -ntp verify -Dodin.images.skip=false "-Djib.from.image=tar://$base_image" "$@"
# Netty reports a leaked ByteBuf in the log, not as a failure: a leak fails the suite here.
if grep -l "LEAK:" ./*/target/surefire-reports/*-output.txt 2>/dev/null; then
  echo "odin-ws test: Netty reported a ByteBuf leak in the files above" >&2
  exit 1
fi
echo "odin-ws test: all modules passed, no ByteBuf leak reported"
