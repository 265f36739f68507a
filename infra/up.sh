#!/usr/bin/env bash
# Provisions and starts the local stack, idempotently: healthy services are reused, missing ones
# are installed (cached under $CAMPAIGNS_HOME) and started, then the schema, topics and search
# attributes are applied. A service whose address is set in the environment is used as it is.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$INFRA_DIR/.."

start=$SECONDS
need_command curl "apt-get install curl"

# Builds that take a while run side by side on first use.
pids=()
[[ -z "${TEMPORAL_ADDRESS:-}" ]] && { bash "$INFRA_DIR/temporal.sh" install & pids+=($!); }
[[ -z "${SMTP_URL:-}" ]] && { bash "$INFRA_DIR/mailpit.sh" install & pids+=($!); }
[[ -z "${KAFKA_BROKERS:-}" ]] && { bash "$INFRA_DIR/kafka.sh" install & pids+=($!); }
[[ -z "${DATABASE_URL:-}" ]] && { bash "$INFRA_DIR/postgres.sh" install & pids+=($!); }
[[ -z "${OTEL_EXPORTER_OTLP_ENDPOINT:-}" ]] && { bash "$INFRA_DIR/jaeger.sh" install & pids+=($!); }
[[ -z "${PROMETHEUS_URL:-}" ]] && { bash "$INFRA_DIR/prometheus.sh" install & pids+=($!); }
bash "$INFRA_DIR/temporal-test-server.sh" install & pids+=($!)
bash "$INFRA_DIR/toxiproxy.sh" install & pids+=($!)
for pid in "${pids[@]}"; do wait "$pid" || fail "an install step failed (see above)"; done

if [[ -z "${TEMPORAL_ADDRESS:-}" ]]; then bash "$INFRA_DIR/temporal.sh" start & pids=($!); else say "temporal: using $TEMPORAL_ADDRESS"; pids=(); fi
if [[ -z "${KAFKA_BROKERS:-}" ]]; then bash "$INFRA_DIR/kafka.sh" start & pids+=($!); else say "kafka: using $KAFKA_BROKERS"; fi
if [[ -z "${DATABASE_URL:-}" ]]; then bash "$INFRA_DIR/postgres.sh" start & pids+=($!); else say "postgres: using the DATABASE_URL from the environment"; fi
if [[ -z "${SMTP_URL:-}" ]]; then bash "$INFRA_DIR/mailpit.sh" start & pids+=($!); else say "smtp: using the SMTP_URL from the environment"; fi
if [[ -z "${OTEL_EXPORTER_OTLP_ENDPOINT:-}" ]]; then bash "$INFRA_DIR/jaeger.sh" start & pids+=($!); else say "traces: exported to $OTEL_EXPORTER_OTLP_ENDPOINT"; fi
if [[ -z "${PROMETHEUS_URL:-}" ]]; then bash "$INFRA_DIR/prometheus.sh" start & pids+=($!); else say "prometheus: using $PROMETHEUS_URL"; fi
bash "$INFRA_DIR/toxiproxy.sh" start & pids+=($!)   # the benchmark's latency lanes
for pid in "${pids[@]}"; do wait "$pid" || fail "a service failed to start (logs in $LOG_DIR)"; done

[[ -d node_modules ]] || fail "node_modules is missing: run npm ci first"
LOG_LEVEL="${PROVISION_LOG_LEVEL:-warn}" npx --no-install tsx platform/provision.ts || fail "provisioning failed"
say "schema migrated, topics and search attributes in place"
say "stack ready in $((SECONDS - start)) s; logs in $LOG_DIR"
