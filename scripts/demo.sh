#!/usr/bin/env bash
# The demo: installs and starts everything locally, then plays a storefront scenario with
# compressed timings. Everything stays up afterwards; `npm run stop` stops it all.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/ensure-node-deps.sh
bash infra/up.sh
export CART_REMINDER_DELAY="${CART_REMINDER_DELAY:-8s}" LOG_LEVEL="${LOG_LEVEL:-info}"
bash scripts/app.sh start
npx --no-install tsx scripts/demo.ts
