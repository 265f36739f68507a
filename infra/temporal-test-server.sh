#!/usr/bin/env bash
# Temporal's time-skipping test server (Java, from Maven Central), for workflow tests that cover
# days of journey in seconds. `install` resolves the jars and writes the launcher that
# @temporalio/testing starts; `path` prints the launcher's path.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TEST_SERVER_HOME="$CAMPAIGNS_HOME/temporal-test-server"
LAUNCHER="$BIN_DIR/temporal-test-server"

install_test_server() {
  maven_jars "Temporal's time-skipping test server" "$INFRA_DIR/temporal-test-server/pom.xml" "$TEST_SERVER_HOME"
  cat >"$LAUNCHER" <<LAUNCHER
#!/usr/bin/env bash
# Started by @temporalio/testing as: temporal-test-server <port> --enable-time-skipping
exec java -XX:TieredStopAtLevel=1 -Xshare:auto -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$TEST_SERVER_HOME/libs/*" io.temporal.testserver.TestServer "\$@"
LAUNCHER
  chmod +x "$LAUNCHER"
}

case "${1:-install}" in
  install) install_test_server ;;
  path) echo "$LAUNCHER" ;;
  *) fail "usage: $0 install|path" ;;
esac
