#!/usr/bin/env bash
# Installs, idempotently, Debian's chromium for the browser test (a real browser's WebSocket client against a shard).
set -euo pipefail

if command -v chromium >/dev/null; then
  exit 0
fi

sudo=''
if [[ $(id -u) -ne 0 ]]; then
  sudo='sudo'
fi
if ! apt-cache show chromium >/dev/null 2>&1; then
  $sudo apt-get update -q
fi
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null
command -v chromium >/dev/null || { echo "chromium still not on PATH after installing the chromium package" >&2; exit 1; }
