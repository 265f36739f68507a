#!/usr/bin/env bash
# The model-checked event fuzzer: installs and starts the local stack if needed, then plays seeded
# customer event sequences through bridge and worker processes under provider and process faults,
# and checks every customer against the reference model (docs/RELIABILITY.md, "The fuzzer").
# Options go through: npm run fuzz -- --seed 42 --customers 2000 --max-minutes 30 [--faults providers,processes]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
bash infra/ensure-node-deps.sh
bash infra/up.sh
export TRACKING_SIGNING_KEYS="${TRACKING_SIGNING_KEYS:-$(bash infra/signing-keys.sh)}"
npx --no-install tsx tools/fuzz/run.ts "$@"
