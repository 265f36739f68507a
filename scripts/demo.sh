#!/usr/bin/env bash
# The demo: installs and starts everything locally, then plays a storefront scenario with
# compressed timings. Everything stays up afterwards; `npm run stop` stops it all.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/ensure-node-deps.sh
bash infra/up.sh
# Hours and days compressed to seconds, and a frequency-cap window to match, so the story fits in a minute.
demo_settings='{"cart-abandonment":{"firstReminderDelay":"8s","secondReminderDelay":"6s","finalReminderDelay":"6s","cooldown":"1m"},"browse-abandonment":{"emailDelay":"8s"},"churn-retention":{"offerDelay":"6s","finalDelay":"6s"},"contact":{"frequencyWindow":"3s"}}'
export CAMPAIGN_SETTINGS="${CAMPAIGN_SETTINGS:-$demo_settings}"
export LOG_LEVEL="${LOG_LEVEL:-info}"
bash scripts/app.sh start
npx --no-install tsx scripts/demo.ts
