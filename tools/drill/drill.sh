#!/usr/bin/env bash
# The launch and cancel drill: installs and starts the local stack if needed, then launches
# churn-retention for an uploaded audience while killing the worker and restarting Temporal, checks
# that every eligible customer entered once and got one email, and cancels the campaign.
# Options go through: npm run drill -- --customers 10000 --rate 200 --max-minutes 30
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
bash infra/ensure-node-deps.sh
bash infra/up.sh
export TRACKING_SIGNING_KEYS="${TRACKING_SIGNING_KEYS:-$(bash infra/signing-keys.sh)}"
npx --no-install tsx tools/drill/run.ts "$@"
