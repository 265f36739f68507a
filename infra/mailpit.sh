#!/usr/bin/env bash
# Mailpit: a real SMTP server that keeps every message, with an HTTP API to read them.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

mailpit_ready() { curl -fsS "http://127.0.0.1:$LOCAL_MAILPIT_HTTP_PORT/api/v1/info" >/dev/null 2>&1; }

# Built from a pinned module (infra/mailpit/go.mod) because 'go install mailpit@version' cannot list
# the module's versions through the proxy here.
install_mailpit() { go_binary mailpit Mailpit go -C "$INFRA_DIR/mailpit" build -o "$BIN_DIR/mailpit" github.com/axllent/mailpit; }

start_mailpit() {
  install_mailpit
  if mailpit_ready; then say "mailpit: already running (SMTP 127.0.0.1:$LOCAL_SMTP_PORT)"; return 0; fi
  port_open "$LOCAL_SMTP_PORT" && fail "port $LOCAL_SMTP_PORT is taken by a process this project did not start"
  mkdir -p "$DATA_DIR/mailpit"
  say "mailpit: starting (SMTP 127.0.0.1:$LOCAL_SMTP_PORT, API http://127.0.0.1:$LOCAL_MAILPIT_HTTP_PORT)"
  start_daemon mailpit "$BIN_DIR/mailpit" --listen "127.0.0.1:$LOCAL_MAILPIT_HTTP_PORT" --smtp "127.0.0.1:$LOCAL_SMTP_PORT" \
    --database "$DATA_DIR/mailpit/mailpit.db" --max 200000 --disable-version-check --smtp-disable-rdns
  wait_for mailpit 30 mailpit_ready || fail "mailpit did not start in 30 s; see $LOG_DIR/mailpit.log"
  say "mailpit: ready"
}

case "${1:-start}" in
  start) start_mailpit ;;
  stop) stop_daemon mailpit ;;
  install) install_mailpit ;;
  *) fail "usage: $0 start|stop|install" ;;
esac
