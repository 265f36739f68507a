#!/usr/bin/env bash
# The lift run: a simulated storefront with a known truth on the real stack, checked against the
# campaign report (docs/EXPERIMENTS.md#measured-lift). Options: npm run lift -- --seeds 10 ...
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
bash infra/ensure-node-deps.sh
bash infra/up.sh
export TRACKING_SIGNING_KEYS="${TRACKING_SIGNING_KEYS:-$(bash infra/signing-keys.sh)}"
npx --no-install tsx tools/lift/main.ts "$@"
