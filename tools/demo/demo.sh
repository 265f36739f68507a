#!/usr/bin/env bash
# The demo: installs and starts everything locally, then plays a storefront scenario with
# compressed timings. Everything stays up afterwards; `npm run stop` stops it all.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
bash infra/ensure-node-deps.sh
bash infra/up.sh
export TRACKING_SIGNING_KEYS="${TRACKING_SIGNING_KEYS:-$(bash infra/signing-keys.sh)}"
bash tools/sandbox/twilio-sandbox.sh start
set -a
# shellcheck disable=SC1091
source "${CAMPAIGNS_HOME:-$HOME/.cache/triggered-campaigns}/run/twilio-sandbox.env"
# The demo plays SendGrid reporting a bounce: the app verifies with the public key, the demo signs.
# shellcheck disable=SC1090
source <(bash tools/sandbox/sendgrid-webhook-keys.sh)
set +a
# Hours and days compressed to seconds (tools/demo/settings.json), so the story fits in a minute.
export CAMPAIGN_SETTINGS="${CAMPAIGN_SETTINGS:-$(tr -d '\n' <tools/demo/settings.json)}"
export LOG_LEVEL="${LOG_LEVEL:-info}"
# Traces go to the local Jaeger that infra/up.sh started, unless they already go elsewhere.
if [[ -z "${OTEL_EXPORTER_OTLP_ENDPOINT:-}" ]] && curl -fsS http://127.0.0.1:13133/status >/dev/null 2>&1; then
  export OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318
fi
bash tools/app/app.sh start
ADMIN_TOKEN="${ADMIN_TOKEN:-$(cat "${CAMPAIGNS_HOME:-$HOME/.cache/triggered-campaigns}/run/admin-token")}"
export ADMIN_TOKEN
npx --no-install tsx tools/demo/main.ts
