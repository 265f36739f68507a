#!/usr/bin/env bash
# The local Twilio Messages API stand-in for the demo (this machine cannot reach Twilio): `start`,
# `stop`. Its credentials are made once and kept in $RUN_DIR/twilio-sandbox.env, which the demo
# sources so the app sends to it. Inbox (newest first): http://127.0.0.1:8026/sandbox/messages.
# It posts signed status callbacks to the tracking service; a phone's reply (STOP) is simulated with
#   curl -d From=+1555... -d Body=STOP http://127.0.0.1:8026/sandbox/reply
# which it posts to TWILIO_SANDBOX_INBOUND_URL (default: $TRACKING_PUBLIC_URL/webhooks/twilio/inbound).
source "$(dirname "${BASH_SOURCE[0]}")/../../infra/lib.sh"
cd "$INFRA_DIR/.."

port="${TWILIO_SANDBOX_PORT:-8026}"
env_file="$RUN_DIR/twilio-sandbox.env"
sandbox_ready() { curl -fsS "http://127.0.0.1:$port/sandbox/messages" >/dev/null 2>&1; }

ensure_credentials() {
  [[ -s "$env_file" ]] && return 0
  (
    umask 077
    cat >"$env_file" <<ENV
TWILIO_ACCOUNT_SID=AC$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
TWILIO_AUTH_TOKEN=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
TWILIO_FROM=+15550100000
TWILIO_API_BASE_URL=http://127.0.0.1:$port
ENV
  )
}

start_sandbox() {
  ensure_credentials
  if sandbox_ready; then say "twilio-sandbox: already running (inbox http://127.0.0.1:$port/sandbox/messages)"; return 0; fi
  port_open "$port" && fail "port $port is taken by a process this project did not start (set TWILIO_SANDBOX_PORT)"
  say "twilio-sandbox: starting the local Twilio Messages API stand-in on http://127.0.0.1:$port"
  (set -a; source "$env_file"; TWILIO_SANDBOX_PORT="$port" start_daemon twilio-sandbox node --import tsx tools/sandbox/twilio-sandbox-main.ts)
  wait_for twilio-sandbox 30 sandbox_ready || fail "the Twilio sandbox did not start in 30 s; see $LOG_DIR/twilio-sandbox.log"
}

case "${1:-start}" in
  start) start_sandbox ;;
  stop) stop_daemon twilio-sandbox ;;
  *) fail "usage: $0 start|stop" ;;
esac
