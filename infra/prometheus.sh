#!/usr/bin/env bash
# Prometheus from Debian's package (it ships promtool too), run by us on 127.0.0.1 with the
# project's scrape config (infra/prometheus/prometheus.yml) and alert rules.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Prometheus reads relative paths next to its config file: it runs from this folder, which links the
# config and rules of the repo and holds the admin API's token.
PROMETHEUS_RUN_DIR="$RUN_DIR/prometheus"

prometheus_ready() { curl -fsS "http://127.0.0.1:$LOCAL_PROMETHEUS_PORT/-/ready" >/dev/null 2>&1; }

install_prometheus() {
  command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1 && return 0
  # Without recommends: they would bring prometheus-node-exporter, another daemon on 0.0.0.0.
  apt_install --no-install-recommends prometheus
  command -v promtool >/dev/null 2>&1 || fail "promtool is still missing after installing the prometheus package"
  # The package's postinst may start its own service (on 0.0.0.0:9090) where an init system lets it;
  # ours is the only one that should run.
  if [[ -x /etc/init.d/prometheus ]]; then /etc/init.d/prometheus stop >/dev/null 2>&1 || true; fi
  if [[ -f /run/prometheus.pid ]]; then kill -TERM "$(cat /run/prometheus.pid)" 2>/dev/null || true; fi
}

# The token tools/app/app.sh gives the admin API: ADMIN_TOKEN when set, else run/admin-token (made here
# the way app.sh makes it when neither exists yet).
link_config() {
  mkdir -p "$PROMETHEUS_RUN_DIR"
  ln -sfn "$INFRA_DIR/prometheus/prometheus.yml" "$PROMETHEUS_RUN_DIR/prometheus.yml"
  ln -sfn "$INFRA_DIR/prometheus/alerts.yml" "$PROMETHEUS_RUN_DIR/alerts.yml"
  rm -f "$PROMETHEUS_RUN_DIR/admin-token"
  if [[ -n "${ADMIN_TOKEN:-}" ]]; then
    (umask 077; printf '%s' "$ADMIN_TOKEN" >"$PROMETHEUS_RUN_DIR/admin-token")
  else
    [[ -s "$RUN_DIR/admin-token" ]] || (umask 077; head -c 24 /dev/urandom | base64 | tr -d '/+=' >"$RUN_DIR/admin-token")
    ln -s "$RUN_DIR/admin-token" "$PROMETHEUS_RUN_DIR/admin-token"
  fi
}

start_prometheus() {
  install_prometheus
  if prometheus_ready; then say "prometheus: already running on http://127.0.0.1:$LOCAL_PROMETHEUS_PORT"; return 0; fi
  port_open "$LOCAL_PROMETHEUS_PORT" && fail "port $LOCAL_PROMETHEUS_PORT is taken by something that is not a ready Prometheus"
  link_config
  promtool check config "$PROMETHEUS_RUN_DIR/prometheus.yml" >"$LOG_DIR/prometheus-check.log" 2>&1 \
    || fail "promtool rejects $INFRA_DIR/prometheus/prometheus.yml; see $LOG_DIR/prometheus-check.log"
  mkdir -p "$DATA_DIR/prometheus"
  say "prometheus: starting on http://127.0.0.1:$LOCAL_PROMETHEUS_PORT"
  start_daemon prometheus prometheus --config.file="$PROMETHEUS_RUN_DIR/prometheus.yml" \
    --web.listen-address="127.0.0.1:$LOCAL_PROMETHEUS_PORT" --storage.tsdb.path="$DATA_DIR/prometheus" \
    --storage.tsdb.retention.time=15d --web.enable-lifecycle
  wait_for prometheus 30 prometheus_ready || fail "prometheus did not become ready in 30 s; see $LOG_DIR/prometheus.log"
  say "prometheus: ready"
}

case "${1:-start}" in
  start) start_prometheus ;;
  stop) stop_daemon prometheus ;;
  install) install_prometheus ;;
  *) fail "usage: $0 start|stop|install" ;;
esac
