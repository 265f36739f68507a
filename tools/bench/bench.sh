#!/usr/bin/env bash
# The benchmark: installs and starts the local stack if needed, then measures (see docs/PERFORMANCE.md).
# Options go through: npm run bench -- --smoke | --phases ceiling,bridge | --waiting 10000,50000 ...
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
bash infra/ensure-node-deps.sh
bash infra/up.sh
export TRACKING_SIGNING_KEYS="${TRACKING_SIGNING_KEYS:-$(bash infra/signing-keys.sh)}"
npx --no-install tsx tools/bench/run.ts "$@"
