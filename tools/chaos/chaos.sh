#!/usr/bin/env bash
# The chaos run: installs and starts the local stack if needed, then runs customers through every
# campaign while killing and restarting workers, bridges, Temporal and Kafka (docs/RELIABILITY.md).
# Options go through: npm run chaos -- --customers 1000 --seed 42 --max-minutes 30
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
bash infra/ensure-node-deps.sh
bash infra/up.sh
export TRACKING_SIGNING_KEYS="${TRACKING_SIGNING_KEYS:-$(bash infra/signing-keys.sh)}"
npx --no-install tsx tools/chaos/run.ts "$@"
