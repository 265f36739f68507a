#!/usr/bin/env bash
# One line per local service: up or down, and where to look.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
row() { printf '%-10s %-5s %s\n' "$1" "$2" "$3"; }
state() { if "$@" >/dev/null 2>&1; then echo up; else echo down; fi; }
row temporal "$(state port_open "$LOCAL_TEMPORAL_PORT")" "127.0.0.1:$LOCAL_TEMPORAL_PORT · Web UI http://127.0.0.1:$LOCAL_TEMPORAL_UI_PORT"
row kafka "$(state port_open "$LOCAL_KAFKA_PORT")" "127.0.0.1:$LOCAL_KAFKA_PORT"
row postgres "$(state port_open "$LOCAL_POSTGRES_PORT")" "postgres://campaigns:***@127.0.0.1:$LOCAL_POSTGRES_PORT/campaigns"
row mailpit "$(state port_open "$LOCAL_MAILPIT_HTTP_PORT")" "SMTP 127.0.0.1:$LOCAL_SMTP_PORT · API http://127.0.0.1:$LOCAL_MAILPIT_HTTP_PORT"
row jaeger "$(state port_open "$LOCAL_JAEGER_UI_PORT")" "OTLP http://127.0.0.1:$LOCAL_OTLP_HTTP_PORT · UI http://127.0.0.1:$LOCAL_JAEGER_UI_PORT"
row prometheus "$(state port_open "$LOCAL_PROMETHEUS_PORT")" "http://127.0.0.1:$LOCAL_PROMETHEUS_PORT (alerts: /alerts)"
row toxiproxy "$(state port_open "$LOCAL_TOXIPROXY_PORT")" "http://127.0.0.1:$LOCAL_TOXIPROXY_PORT (the benchmark's latency proxies)"
echo "logs: $LOG_DIR"
