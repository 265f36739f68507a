#!/usr/bin/env bash
# Installs node_modules when missing or when package-lock.json changed since the last install.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
command -v node >/dev/null || { echo "Node.js 20.19+ is required (apt-get install nodejs npm)" >&2; exit 1; }
stamp=node_modules/.package-lock.sha256
want="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
  echo "[setup] installing npm dependencies"
  # Not `npm ci`: the registry reachable here serves only this platform's builds of optional native
  # packages (such as @swc/core-*), so the lock file cannot list the others and `npm ci` refuses it.
  # `npm install` honours the lock file for every package it does list.
  npm install --no-audit --no-fund --loglevel=error
  echo "$want" >"$stamp"
fi
