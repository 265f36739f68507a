#!/usr/bin/env bash
# Runs the all-in-one process (worker + bridge + admin API + tracking service) in the background for the demo and for
# exploring: `start` (restarts it if running), `stop`, `status`. Logs: $CAMPAIGNS_HOME/logs/app.log.
source "$(dirname "${BASH_SOURCE[0]}")/../../infra/lib.sh"
cd "$INFRA_DIR/.."

token_file="$RUN_DIR/admin-token"
ensure_token() {
  if [[ -z "${ADMIN_TOKEN:-}" ]]; then
    [[ -s "$token_file" ]] || (umask 077; head -c 24 /dev/urandom | base64 | tr -d '/+=' >"$token_file")
    ADMIN_TOKEN="$(cat "$token_file")"
  fi
  export ADMIN_TOKEN
  export TRACKING_SIGNING_KEYS="${TRACKING_SIGNING_KEYS:-$(bash infra/signing-keys.sh)}"
}

start_app() {
  stop_daemon app
  ensure_token
  say "app: starting worker + bridge + admin API + tracking service (log: $LOG_DIR/app.log)"
  start_daemon app node --import tsx tools/app/all-in-one.ts
  local port="${ADMIN_PORT:-8080}"
  if ! wait_for app 90 curl -fsS "http://127.0.0.1:$port/healthz"; then
    tail -n 20 "$LOG_DIR/app.log" >&2
    fail "the app did not come up in 90 s; see $LOG_DIR/app.log"
  fi
  say "app: ready (admin API http://127.0.0.1:$port, token in $token_file)"
}

case "${1:-start}" in
  start) start_app ;;
  stop) stop_daemon app; say "app: stopped" ;;
  status) if pid_alive app; then echo "app up (pid $(cat "$RUN_DIR/app.pid"))"; else echo "app down"; fi ;;
  *) fail "usage: $0 start|stop|status" ;;
esac
