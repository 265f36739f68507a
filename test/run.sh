#!/usr/bin/env bash
# The one test command: installs what is missing, checks types and lint, starts the local stack
# (reusing whatever is already healthy), then runs unit and integration tests in one run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash infra/ensure-node-deps.sh
echo "[test] typecheck"; npx --no-install tsc --noEmit
echo "[test] lint"; npx --no-install eslint .
echo "[test] format"; npx --no-install prettier --check --log-level warn "**/*.{ts,mjs,json}" || { echo "[test] run \`npm run format\` to fix the formatting" >&2; exit 1; }
bash infra/up.sh
export TRACKING_SIGNING_KEYS="${TRACKING_SIGNING_KEYS:-$(bash infra/signing-keys.sh)}"
bash infra/ensure-schemathesis.sh
bash infra/ensure-chromium.sh
echo "[test] unit and integration tests"
node --import tsx --test --test-concurrency=1 --test-reporter=spec "$@" test/unit/*/*.test.ts test/engine/*.test.ts test/workflows/*.test.ts test/integration/*.test.ts
