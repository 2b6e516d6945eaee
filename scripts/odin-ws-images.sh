#!/usr/bin/env bash
# summary: build the operator and shard-server images with Jib, no Docker: images --registry REG [--tag T] | --tar DIR
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

usage() {
  cat <<'EOF'
usage: ./odin-ws images --registry REGISTRY [--tag TAG] [--base IMAGE] [--insecure-registry]
       ./odin-ws images --tar DIR [--registry REGISTRY] [--tag TAG] [--base IMAGE]

Builds REGISTRY/operator:TAG and REGISTRY/shard-server:TAG with Jib (no Docker daemon needed).
  --registry REGISTRY   push both images there (e.g. ghcr.io/you, localhost:5001); with --tar, only their names
  --tar DIR             write DIR/operator-TAG.tar and DIR/shard-server-TAG.tar instead of pushing, for
                        `kind load image-archive`, `k3d image import`, `ctr -n k8s.io images import`, `docker load`
  --tag TAG             image tag; default: the chart's appVersion, which the chart installs by default
  --base IMAGE          base image: `debian` (a JRE 17 built from Debian packages into .tools/, no registry
                        needed), any image reference (e.g. eclipse-temurin:17-jre), or tar:///path/to/image.tar;
                        default: eclipse-temurin:17-jre when pushing, debian with --tar (then no registry is asked
                        for anything, and once the base exists no network either)
  --insecure-registry   allow a registry over plain HTTP (a local registry for kind or k3d)
Registry credentials come from your Docker config (docker login / credential helpers) or from
-Djib.to.auth.username=... -Djib.to.auth.password=... in MAVEN_OPTS; see docs/images.md.
EOF
}

die() {
  echo "odin-ws images: $*" >&2
  echo "run ./odin-ws images --help for the options" >&2
  exit 2
}

registry='' tar_dir='' tag='' base='' insecure=false
while [ $# -gt 0 ]; do
  case "$1" in
    --registry|--tar|--tag|--base)
      [ $# -ge 2 ] && [ -n "$2" ] && [ "${2#--}" = "$2" ] || die "$1 needs a value"
      case "$1" in
        --registry) registry="${2%/}" ;;
        --tar) tar_dir="$2" ;;
        --tag) tag="$2" ;;
        --base) base="$2" ;;
      esac
      shift 2 ;;
    --insecure-registry) insecure=true; shift ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option '$1'" ;;
  esac
done
[ -n "$registry" ] || [ -n "$tar_dir" ] || die "say where the images go: --registry REGISTRY (push) or --tar DIR"
if [ -z "$tag" ]; then
  tag="$(sed -n 's/^appVersion: *"\{0,1\}\([^"]*\)"\{0,1\} *$/\1/p' "$root/charts/odin-ws-operator/Chart.yaml")"
fi
# A tag as the OCI distribution spec allows it: Jib's own error for a bad one comes after the whole build.
[[ "$tag" =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]] || die "'$tag' is not a valid image tag"
if [ -z "$base" ]; then
  if [ -n "$tar_dir" ]; then base=debian; else base=eclipse-temurin:17-jre; fi
fi
if [ "$base" = debian ]; then
  base="tar://$(bash "$root/scripts/build-base-image.sh")"
fi
name_registry="${registry:-ghcr.io/odin-ws}"

maven=(mvn -B -ntp -f "$root/pom.xml" -pl operator,shard-server -am package -DskipTests
  "-Dodin.image.registry=$name_registry" "-Dodin.image.tag=$tag" "-Djib.from.image=$base")
if [ "$insecure" = true ]; then
  maven+=(-Djib.allowInsecureRegistries=true)
fi
started=$SECONDS
if [ -n "$tar_dir" ]; then
  echo "odin-ws images: building $name_registry/{operator,shard-server}:$tag on $base into $tar_dir" >&2
  "${maven[@]}" -Dodin.images.skip=false -q
  mkdir -p "$tar_dir"
  for module in operator shard-server; do
    cp "$root/$module/target/jib-image.tar" "$tar_dir/$module-$tag.tar"
    echo "$tar_dir/$module-$tag.tar  ($name_registry/$module:$tag, $(du -h "$tar_dir/$module-$tag.tar" | cut -f1))"
  done
else
  echo "odin-ws images: building $registry/{operator,shard-server}:$tag on $base and pushing them" >&2
  "${maven[@]}" -q jib:build
  for module in operator shard-server; do
    echo "$registry/$module:$tag@$(cat "$root/$module/target/jib-image.digest")"
  done
fi
echo "odin-ws images: done in $((SECONDS - started)) s" >&2
