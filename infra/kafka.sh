#!/usr/bin/env bash
# Apache Kafka 3.9.x in KRaft mode (one combined broker + controller), from Maven Central jars.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

KAFKA_DATA="$DATA_DIR/kafka"
KAFKA_CONFIG="$KAFKA_DATA/server.properties"

install_kafka() { maven_jars "Kafka $KAFKA_VERSION jars" "$INFRA_DIR/kafka/pom.xml" "$KAFKA_HOME"; }

kafka_java() { java -cp "$KAFKA_HOME/libs/*" -Dlog4j.configuration="file:$INFRA_DIR/kafka/log4j.properties" "$@"; }

configure_kafka() {
  mkdir -p "$KAFKA_DATA/logs"
  sed -e "s#@LOG_DIR@#$KAFKA_DATA/logs#" -e "s#@PORT@#$LOCAL_KAFKA_PORT#g" -e "s#@CONTROLLER_PORT@#$LOCAL_KAFKA_CONTROLLER_PORT#g" \
    "$INFRA_DIR/kafka/server.properties.template" >"$KAFKA_CONFIG"
  if [[ ! -f "$KAFKA_DATA/logs/meta.properties" ]]; then
    local cluster_id
    cluster_id="$(kafka_java kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)"
    kafka_java kafka.tools.StorageTool format -t "$cluster_id" -c "$KAFKA_CONFIG" >"$LOG_DIR/kafka-format.log" 2>&1 \
      || fail "formatting Kafka storage failed; see $LOG_DIR/kafka-format.log"
  fi
}

kafka_ready() { port_open "$LOCAL_KAFKA_PORT" && grep -q 'Kafka Server started\|\[KafkaRaftServer nodeId=1\] Kafka Server started' "$LOG_DIR/kafka.log"; }

start_kafka() {
  install_kafka
  if pid_alive kafka && port_open "$LOCAL_KAFKA_PORT"; then say "kafka: already running on 127.0.0.1:$LOCAL_KAFKA_PORT"; return 0; fi
  port_open "$LOCAL_KAFKA_PORT" && fail "port $LOCAL_KAFKA_PORT is taken by a process this project did not start"
  configure_kafka
  say "kafka: starting broker on 127.0.0.1:$LOCAL_KAFKA_PORT"
  KAFKA_HEAP="${KAFKA_HEAP:--Xms256m -Xmx768m}"
  # shellcheck disable=SC2086
  start_daemon kafka java $KAFKA_HEAP -XX:+UseG1GC -Djava.awt.headless=true \
    -Dlog4j.configuration="file:$INFRA_DIR/kafka/log4j.properties" -cp "$KAFKA_HOME/libs/*" kafka.Kafka "$KAFKA_CONFIG"
  wait_for kafka 90 kafka_ready || fail "kafka did not start in 90 s; see $LOG_DIR/kafka.log"
  say "kafka: ready"
}

case "${1:-start}" in
  start) start_kafka ;;
  stop) stop_daemon kafka ;;
  install) install_kafka ;;
  *) fail "usage: $0 start|stop|install" ;;
esac
