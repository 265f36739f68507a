#!/usr/bin/env bash
# Temporal's time-skipping test server (Java, from Maven Central), for workflow tests that cover
# days of journey in seconds. `install` resolves the jars and writes the launcher that
# @temporalio/testing starts; `path` prints the launcher's path.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TEST_SERVER_HOME="$CAMPAIGNS_HOME/temporal-test-server"
LAUNCHER="$BIN_DIR/temporal-test-server"

install_test_server() {
  if [[ ! -f "$TEST_SERVER_HOME/.complete" ]]; then
    need_command java "Install a Java 17 runtime (apt-get install openjdk-17-jre-headless)."
    need_command mvn "Install Maven (apt-get install maven)."
    say "downloading Temporal's time-skipping test server from Maven Central (first run only)"
    rm -rf "$TEST_SERVER_HOME"
    mvn -q -B -f "$INFRA_DIR/temporal-test-server/pom.xml" dependency:copy-dependencies \
      -DoutputDirectory="$TEST_SERVER_HOME/libs" -DincludeScope=runtime >"$LOG_DIR/temporal-test-server-install.log" 2>&1 \
      || fail "resolving the test server jars failed; see $LOG_DIR/temporal-test-server-install.log"
    touch "$TEST_SERVER_HOME/.complete"
  fi
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
