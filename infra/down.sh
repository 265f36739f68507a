#!/usr/bin/env bash
# Stops every local service this project started. Data stays in $CAMPAIGNS_HOME/data.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bash "$INFRA_DIR/toxiproxy.sh" stop
bash "$INFRA_DIR/prometheus.sh" stop
bash "$INFRA_DIR/kafka.sh" stop
bash "$INFRA_DIR/temporal.sh" stop
bash "$INFRA_DIR/mailpit.sh" stop
bash "$INFRA_DIR/jaeger.sh" stop
bash "$INFRA_DIR/postgres.sh" stop
say "local stack stopped (data kept in $DATA_DIR)"
