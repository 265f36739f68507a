#!/usr/bin/env bash
# Toxiproxy: a TCP proxy that adds faults on demand. The benchmark puts it between its clients and
# the local Temporal server, with a latency toxic, to measure at a real network distance
# (docs/PERFORMANCE.md). Its API listens on 127.0.0.1 only; so do the proxies the benchmark makes.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TOXIPROXY_VERSION="v2.12.0"
TOXIPROXY_STAMP="$BIN_DIR/.toxiproxy-version"

toxiproxy_ready() { curl -fsS "http://127.0.0.1:$LOCAL_TOXIPROXY_PORT/version" >/dev/null 2>&1; }

install_toxiproxy() {
  [[ -x "$BIN_DIR/toxiproxy" && "$(cat "$TOXIPROXY_STAMP" 2>/dev/null)" == "$TOXIPROXY_VERSION" ]] && return 0
  rm -f "$BIN_DIR/toxiproxy" "$TOXIPROXY_STAMP"
  local build="$CAMPAIGNS_HOME/toxiproxy-build"
  mkdir -p "$build"
  go_binary toxiproxy "Toxiproxy $TOXIPROXY_VERSION" \
    env GOBIN="$build" go install -trimpath -ldflags "-s -w" "github.com/Shopify/toxiproxy/v2/cmd/server@$TOXIPROXY_VERSION"
  mv "$build/server" "$BIN_DIR/toxiproxy"
  echo "$TOXIPROXY_VERSION" >"$TOXIPROXY_STAMP"
}

start_toxiproxy() {
  install_toxiproxy
  if toxiproxy_ready; then say "toxiproxy: already running (API http://127.0.0.1:$LOCAL_TOXIPROXY_PORT)"; return 0; fi
  port_open "$LOCAL_TOXIPROXY_PORT" && fail "port $LOCAL_TOXIPROXY_PORT is taken by a process this project did not start"
  say "toxiproxy: starting (API http://127.0.0.1:$LOCAL_TOXIPROXY_PORT)"
  start_daemon toxiproxy "$BIN_DIR/toxiproxy" -host 127.0.0.1 -port "$LOCAL_TOXIPROXY_PORT"
  wait_for toxiproxy 30 toxiproxy_ready || fail "toxiproxy did not start in 30 s; see $LOG_DIR/toxiproxy.log"
  say "toxiproxy: ready"
}

case "${1:-start}" in
  start) start_toxiproxy ;;
  stop) stop_daemon toxiproxy ;;
  install) install_toxiproxy ;;
  *) fail "usage: $0 start|stop|install" ;;
esac
