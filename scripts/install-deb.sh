#!/usr/bin/env bash
# Installs, idempotently, one Debian package the tests need, unless every command it must provide is on PATH.
# Usage: install-deb.sh [--no-install-recommends] PACKAGE COMMAND...
# The package's post-install starts no service here (policy-rc.d); the tests run what they need as plain processes.
set -euo pipefail

apt_options=()
if [[ "${1:-}" == --no-install-recommends ]]; then
  apt_options+=("$1")
  shift
fi
package="$1"
shift

missing() {
  local command
  for command in "$@"; do
    command -v "$command" >/dev/null || return 0
  done
  return 1
}

missing "$@" || exit 0
sudo=''
if [[ $(id -u) -ne 0 ]]; then
  sudo='sudo'
fi
# One `apt-get update` only when the package is not known yet (a fresh image has empty lists).
if ! apt-cache show "$package" >/dev/null 2>&1; then
  $sudo apt-get update -q
fi
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${apt_options[@]}" "$package" >/dev/null
if missing "$@"; then
  echo "$* still not all on PATH after installing the $package package" >&2
  exit 1
fi
