#!/usr/bin/env bash
# Stops the background app and every local service. Data stays for next time.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
bash tools/app/app.sh stop
bash tools/sandbox/twilio-sandbox.sh stop
bash infra/down.sh
