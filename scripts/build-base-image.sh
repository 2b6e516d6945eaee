#!/usr/bin/env bash
# Builds a JRE 17 base image from Debian packages alone (no registry, no Docker daemon) and prints the path of its
# tarball, which Jib takes as `tar://PATH`: a minimal Debian (debootstrap --variant=minbase) plus
# openjdk-17-jre-headless, with the suite's updates and security fixes, packed as one gzipped layer in the
# `docker save` layout (manifest.json, config JSON, layer).
#
# This file is the recipe: the tarball's name carries the hash of this file and of the settings below, so it is
# built once and rebuilt only when the recipe changes (older tarballs are removed then). Needs root (debootstrap
# and chroot) and Debian's package mirror. Usage: build-base-image.sh [--force]
set -euo pipefail

SUITE=bookworm
MIRROR="${ODIN_WS_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
SECURITY_MIRROR="${ODIN_WS_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}"
PACKAGES=openjdk-17-jre-headless
JAVA_HOME_IN_IMAGE=/usr/lib/jvm/java-17-openjdk-amd64

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out_dir="$root/.tools/base-image"
recipe_hash="$( { cat "${BASH_SOURCE[0]}"; echo "$SUITE $MIRROR $SECURITY_MIRROR $PACKAGES"; } | sha256sum | cut -c1-16)"
tarball="$out_dir/debian-$SUITE-jre17-$recipe_hash.tar"

if [[ "${1:-}" != --force && -s "$tarball" ]]; then
  echo "$tarball"
  exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "build-base-image: debootstrap and chroot need root; run it as root (or with sudo)" >&2
  exit 1
fi
bash "$root/scripts/install-deb.sh" debootstrap debootstrap >&2

mkdir -p "$out_dir"
work="$(mktemp -d "$out_dir/work.XXXXXX")"
rootfs="$work/rootfs"
cleanup() {
  # debootstrap mounts /proc and /sys inside the tree while it runs: never delete through a live mount.
  umount -R "$rootfs/proc" 2>/dev/null || true
  umount -R "$rootfs/sys" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

started=$SECONDS
echo "build-base-image: debootstrap $SUITE + $PACKAGES from $MIRROR (about a minute)..." >&2
debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$rootfs" "$MIRROR" >"$work/debootstrap.log" 2>&1 \
  || { tail -20 "$work/debootstrap.log" >&2; echo "build-base-image: debootstrap failed" >&2; exit 1; }

# The point release in the suite is not the newest JRE: take the suite's updates and security fixes as well.
cat >"$rootfs/etc/apt/sources.list" <<EOF
deb $MIRROR $SUITE main
deb $MIRROR $SUITE-updates main
deb $SECURITY_MIRROR $SUITE-security main
EOF
# In a mount namespace of its own: the /proc it mounts goes away with it, whatever happens.
unshare --mount --fork sh -c 'mount -t proc proc "$1/proc" && exec chroot "$1" /usr/bin/env -i \
  PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
  sh -c "apt-get update -q && apt-get upgrade -y -q && apt-get clean"' sh "$rootfs" >"$work/upgrade.log" 2>&1 \
  || { tail -20 "$work/upgrade.log" >&2; echo "build-base-image: apt-get upgrade in the image failed" >&2; exit 1; }
java_version="$(unshare --mount --fork sh -c 'mount -t proc proc "$1/proc" && exec chroot "$1" "$2/bin/java" \
  -XshowSettings:properties -version' sh "$rootfs" "$JAVA_HOME_IN_IMAGE" 2>&1 | sed -n 's/^ *java.runtime.version = //p')"
[[ -n "$java_version" ]] || { echo "build-base-image: the image's java does not run" >&2; exit 1; }

# What a container needs of a root filesystem and nothing a build left behind: runtimes mount /proc, /sys, /dev
# and write /etc/hosts and /etc/resolv.conf themselves.
rm -rf "$rootfs"/var/cache/apt/* "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/log/* "$rootfs"/tmp/* \
  "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/usr/share/locale/* \
  "$rootfs"/dev/* "$rootfs"/proc/* "$rootfs"/sys/* "$rootfs"/etc/hostname "$rootfs"/etc/resolv.conf

image="$work/image"
mkdir -p "$image"
tar --create --file "$image/layer.tar" --directory "$rootfs" --numeric-owner --sort=name --xattrs .
diff_id="sha256:$(sha256sum "$image/layer.tar" | cut -d' ' -f1)"
gzip -n -6 "$image/layer.tar"
created="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
cat >"$image/config.json" <<EOF
{"architecture":"amd64","os":"linux","created":"$created",
 "config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","JAVA_HOME=$JAVA_HOME_IN_IMAGE","LANG=C.UTF-8"]},
 "rootfs":{"type":"layers","diff_ids":["$diff_id"]},
 "history":[{"created":"$created","created_by":"scripts/build-base-image.sh: debootstrap --variant=minbase $SUITE + $PACKAGES (java $java_version)"}]}
EOF
echo "[{\"Config\":\"config.json\",\"RepoTags\":[\"odin-ws-base:$SUITE-jre17-$recipe_hash\"],\"Layers\":[\"layer.tar.gz\"]}]" \
  >"$image/manifest.json"
tar --create --file "$work/base.tar" --directory "$image" manifest.json config.json layer.tar.gz
find "$out_dir" -maxdepth 1 -name "debian-*-jre17-*.tar" -delete
mv "$work/base.tar" "$tarball"
echo "build-base-image: $tarball ($(du -h "$tarball" | cut -f1), java $java_version) in $((SECONDS - started)) s" >&2
echo "$tarball"
