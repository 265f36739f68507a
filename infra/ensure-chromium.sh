#!/usr/bin/env bash
# Debian's chromium for the Temporal Web UI browser test (driven headless by playwright-core).
# Quiet when it is already there; CHROMIUM_PATH points at another build.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [[ -n "${CHROMIUM_PATH:-}" ]]; then
  [[ -x "$CHROMIUM_PATH" ]] || fail "CHROMIUM_PATH=$CHROMIUM_PATH is not an executable file"
  exit 0
fi
command -v chromium >/dev/null 2>&1 && exit 0
apt_install chromium
command -v chromium >/dev/null 2>&1 || fail "chromium is still missing after apt-get install chromium"
