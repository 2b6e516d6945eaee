#!/usr/bin/env bash
# Builds, once, the test control plane from Kubernetes' own Go modules (testenv/go.mod pins the versions):
# etcd, kube-apiserver, kube-controller-manager and kubectl into <repo>/.tools/kubernetes-<version>/bin.
# A stamp of the recipe (go.mod, go.sum, the mains, the Go version) decides whether the binaries are reused.
# Prints the bin directory.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
command -v go >/dev/null || { echo "install-kubernetes: needs Go 1.26 or newer on PATH (testenv/go.mod says go 1.26.0)" >&2; exit 1; }
testenv="$repo/testenv"
version=$(awk '$1 == "k8s.io/kubernetes" {print $2; exit}' "$testenv/go.mod")
[[ -n "$version" ]] || { echo "install-kubernetes: no k8s.io/kubernetes version in $testenv/go.mod" >&2; exit 1; }
out="$repo/.tools/kubernetes-$version"
stamp=$( (cd "$testenv" && cat go.mod go.sum $(find cmd -name '*.go' | sort); go version) | sha256sum | cut -d' ' -f1)
components=(etcd kube-apiserver kube-controller-manager kubectl)

if [[ -f "$out/stamp" && "$(cat "$out/stamp")" == "$stamp" ]]; then
  missing=0
  for c in "${components[@]}"; do [[ -x "$out/bin/$c" ]] || missing=1; done
  if [[ $missing -eq 0 ]]; then echo "$out/bin"; exit 0; fi
fi

major=${version#v}; major=${major%%.*}
minor=${version#v*.}; minor=${minor%%.*}
ldflags="-s -w"
for pkg in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
  ldflags+=" -X $pkg.gitVersion=$version -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor"
  ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
done

echo "install-kubernetes: building Kubernetes $version (etcd, kube-apiserver, kube-controller-manager, kubectl) into $out; a cold build takes several minutes" >&2
started=$(date +%s)
rm -rf "$out.partial"
mkdir -p "$out.partial/bin"
for c in "${components[@]}"; do
  (cd "$testenv" && go build -trimpath -buildvcs=false -ldflags "$ldflags" -o "$out.partial/bin/$c" "./cmd/$c")
done
echo "$stamp" > "$out.partial/stamp"
rm -rf "$out"
mv "$out.partial" "$out"
echo "install-kubernetes: built in $(( $(date +%s) - started )) s" >&2
echo "$out/bin"
