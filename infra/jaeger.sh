#!/usr/bin/env bash
# Jaeger: the trace backend. It receives OTLP from the worker, bridge and admin API and serves the
# traces by its query API and UI (http://127.0.0.1:16686). Traces are kept in memory only.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Built from the module pinned in infra/jaeger/go.mod: `go install jaeger@version` refuses a module
# with replace directives, so it is built as a tool of a module of our own.
JAEGER_VERSION="$(awk '$1 == "github.com/jaegertracing/jaeger" { print $2 }' "$INFRA_DIR/jaeger/go.mod")"
JAEGER_STAMP="$BIN_DIR/.jaeger-version"

jaeger_ready() { curl -fsS "http://127.0.0.1:$LOCAL_JAEGER_HEALTH_PORT/status" >/dev/null 2>&1; }

install_jaeger() {
  [[ -n "$JAEGER_VERSION" ]] || fail "no github.com/jaegertracing/jaeger version in $INFRA_DIR/jaeger/go.mod"
  [[ -x "$BIN_DIR/jaeger" && "$(cat "$JAEGER_STAMP" 2>/dev/null)" == "$JAEGER_VERSION" ]] && return 0
  rm -f "$BIN_DIR/jaeger" "$JAEGER_STAMP"
  go_binary jaeger "Jaeger $JAEGER_VERSION" go -C "$INFRA_DIR/jaeger" build -trimpath -ldflags "-s -w" \
    -o "$BIN_DIR/jaeger" github.com/jaegertracing/jaeger/cmd/jaeger
  echo "$JAEGER_VERSION" >"$JAEGER_STAMP"
}

start_jaeger() {
  install_jaeger
  if jaeger_ready; then say "jaeger: already running (UI http://127.0.0.1:$LOCAL_JAEGER_UI_PORT)"; return 0; fi
  for port in "$LOCAL_OTLP_HTTP_PORT" "$LOCAL_OTLP_GRPC_PORT" "$LOCAL_JAEGER_UI_PORT"; do
    port_open "$port" && fail "port $port is taken by a process this project did not start"
  done
  say "jaeger: starting (OTLP http://127.0.0.1:$LOCAL_OTLP_HTTP_PORT, UI http://127.0.0.1:$LOCAL_JAEGER_UI_PORT)"
  JAEGER_UI_PORT="$LOCAL_JAEGER_UI_PORT" JAEGER_QUERY_GRPC_PORT="$LOCAL_JAEGER_QUERY_GRPC_PORT" \
    JAEGER_HEALTH_PORT="$LOCAL_JAEGER_HEALTH_PORT" JAEGER_METRICS_PORT="$LOCAL_JAEGER_METRICS_PORT" \
    OTLP_GRPC_PORT="$LOCAL_OTLP_GRPC_PORT" OTLP_HTTP_PORT="$LOCAL_OTLP_HTTP_PORT" \
    start_daemon jaeger "$BIN_DIR/jaeger" --config "$INFRA_DIR/jaeger/jaeger.yaml"
  wait_for jaeger 60 jaeger_ready || fail "jaeger did not start in 60 s; see $LOG_DIR/jaeger.log"
  say "jaeger: ready"
}

case "${1:-start}" in
  start) start_jaeger ;;
  stop) stop_daemon jaeger ;;
  install) install_jaeger ;;
  *) fail "usage: $0 start|stop|install" ;;
esac
