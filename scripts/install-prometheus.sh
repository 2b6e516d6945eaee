#!/usr/bin/env bash
# Installs, idempotently, Debian's prometheus package (prometheus + promtool) for the observability tests.
# The package's post-install does not start a service here (policy-rc.d); the tests run it as a plain process.
set -euo pipefail

if command -v prometheus >/dev/null && command -v promtool >/dev/null; then
  exit 0
fi

sudo=''
if [[ $(id -u) -ne 0 ]]; then
  sudo='sudo'
fi
# One `apt-get update` only when the package is not known yet (a fresh image has empty lists).
if ! apt-cache show prometheus >/dev/null 2>&1; then
  $sudo apt-get update -q
fi
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends prometheus >/dev/null
command -v prometheus >/dev/null && command -v promtool >/dev/null \
  || { echo "prometheus or promtool still not on PATH after installing the prometheus package" >&2; exit 1; }
