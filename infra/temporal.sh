#!/usr/bin/env bash
# Temporal dev server (frontend + embedded Web UI), built from the Temporal CLI Go module.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

temporal_healthy() { "$BIN_DIR/temporal" operator cluster health --address "127.0.0.1:$LOCAL_TEMPORAL_PORT" 2>/dev/null | grep -q SERVING; }

install_temporal() {
  go_binary temporal "the Temporal CLI $TEMPORAL_CLI_VERSION" env GOBIN="$BIN_DIR" go install "github.com/temporalio/cli/cmd/temporal@$TEMPORAL_CLI_VERSION"
}

start_temporal() {
  install_temporal
  if temporal_healthy; then say "temporal: already running on 127.0.0.1:$LOCAL_TEMPORAL_PORT"; return 0; fi
  port_open "$LOCAL_TEMPORAL_PORT" && fail "port $LOCAL_TEMPORAL_PORT is taken by something that is not a healthy Temporal server"
  mkdir -p "$DATA_DIR/temporal"
  local attributes=()
  for attribute in "${SEARCH_ATTRIBUTES[@]}"; do attributes+=(--search-attribute "$attribute"); done
  say "temporal: starting dev server (Web UI on http://127.0.0.1:$LOCAL_TEMPORAL_UI_PORT)"
  start_daemon temporal "$BIN_DIR/temporal" server start-dev \
    --ip 127.0.0.1 --port "$LOCAL_TEMPORAL_PORT" --ui-ip 127.0.0.1 --ui-port "$LOCAL_TEMPORAL_UI_PORT" \
    --db-filename "$DATA_DIR/temporal/temporal.db" --sqlite-pragma journal_mode=wal --sqlite-pragma synchronous=normal \
    --dynamic-config-value system.enableActivityEagerExecution=true \
    --log-level warn "${attributes[@]}"
  wait_for temporal 90 temporal_healthy || fail "temporal did not become healthy in 90 s; see $LOG_DIR/temporal.log"
  say "temporal: ready"
}

case "${1:-start}" in
  start) start_temporal ;;
  stop) stop_daemon temporal ;;
  install) install_temporal ;;
  *) fail "usage: $0 start|stop|install" ;;
esac
