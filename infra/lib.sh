# Shared settings and helpers for the local stack. Sourced by the other infra scripts.
# Everything lives under one folder outside the repo, so a second run reuses installs and data.
set -euo pipefail

INFRA_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CAMPAIGNS_HOME="${CAMPAIGNS_HOME:-$HOME/.cache/triggered-campaigns}"
BIN_DIR="$CAMPAIGNS_HOME/bin"
# CAMPAIGNS_DATA_DIR gives a run its own data (CI starts from none); installs stay shared.
DATA_DIR="${CAMPAIGNS_DATA_DIR:-$CAMPAIGNS_HOME/data}"
LOG_DIR="$CAMPAIGNS_HOME/logs"
RUN_DIR="$CAMPAIGNS_HOME/run"
mkdir -p "$BIN_DIR" "$DATA_DIR" "$LOG_DIR" "$RUN_DIR"

TEMPORAL_CLI_VERSION="v1.5.1"
KAFKA_VERSION="3.9.1"
KAFKA_HOME="$CAMPAIGNS_HOME/kafka-$KAFKA_VERSION"

LOCAL_TEMPORAL_PORT=7233
LOCAL_TEMPORAL_UI_PORT=8233
LOCAL_KAFKA_PORT=9092
LOCAL_KAFKA_CONTROLLER_PORT=9093
LOCAL_POSTGRES_PORT=5433
LOCAL_SMTP_PORT=1025
LOCAL_MAILPIT_HTTP_PORT=8025
LOCAL_OTLP_GRPC_PORT=4317
LOCAL_OTLP_HTTP_PORT=4318
LOCAL_JAEGER_UI_PORT=16686
LOCAL_JAEGER_QUERY_GRPC_PORT=16685
LOCAL_JAEGER_HEALTH_PORT=13133
LOCAL_JAEGER_METRICS_PORT=8888
LOCAL_PROMETHEUS_PORT=9090
LOCAL_TOXIPROXY_PORT=8474

SEARCH_ATTRIBUTES=(CustomerId=Keyword CampaignType=Keyword JourneyStage=Keyword Outcome=Keyword Variant=KeywordList)

say() { printf '\033[1;34m[infra]\033[0m %s\n' "$*"; }
fail() { printf '\033[1;31m[infra] %s\033[0m\n' "$*" >&2; exit 1; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# wait_for <what> <seconds> <command...>: polls the command until it succeeds.
wait_for() {
  local what="$1" seconds="$2"; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      return 1
    fi
    sleep 0.5
  done
}

pid_alive() { [[ -f "$RUN_DIR/$1.pid" ]] && kill -0 "$(cat "$RUN_DIR/$1.pid")" 2>/dev/null; }

# start_daemon <name> <command...>: runs detached, output to logs/<name>.log, pid in run/<name>.pid.
start_daemon() {
  local name="$1"; shift
  : >"$LOG_DIR/$name.log"
  setsid nohup "$@" >>"$LOG_DIR/$name.log" 2>&1 </dev/null &
  echo $! >"$RUN_DIR/$name.pid"
}

stop_daemon() {
  local name="$1" pid
  [[ -f "$RUN_DIR/$name.pid" ]] || return 0
  pid="$(cat "$RUN_DIR/$name.pid")"
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$RUN_DIR/$name.pid"
}

need_command() {
  command -v "$1" >/dev/null 2>&1 || fail "$1 is required but not installed. $2"
}

apt_install() {
  if [[ $(id -u) -ne 0 ]]; then fail "Missing system packages: $*. Install them with: sudo apt-get install -y $*"; fi
  say "installing Debian packages: $*"
  if [[ ! -f "$RUN_DIR/apt-updated" ]]; then
    apt-get update -qq >/dev/null && touch "$RUN_DIR/apt-updated"
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# maven_jars <what> <pom> <dest>: resolves a pom's runtime jars from Maven Central into <dest>/libs,
# once (a marker file says it finished).
maven_jars() {
  local what="$1" pom="$2" dest="$3" log
  [[ -f "$dest/.complete" ]] && return 0
  need_command java "Install a Java 17 runtime (apt-get install openjdk-17-jre-headless)."
  need_command mvn "Install Maven (apt-get install maven)."
  say "downloading $what from Maven Central (first run only)"
  log="$LOG_DIR/$(basename "$dest")-install.log"
  rm -rf "$dest"
  mvn -q -B -f "$pom" dependency:copy-dependencies -DoutputDirectory="$dest/libs" -DincludeScope=runtime >"$log" 2>&1 \
    || fail "resolving the $what failed; see $log"
  touch "$dest/.complete"
}

# go_binary <name> <what> <command...>: builds $BIN_DIR/<name> once with a Go command, logging to
# logs/<name>-build.log.
go_binary() {
  local name="$1" what="$2"; shift 2
  [[ -x "$BIN_DIR/$name" ]] && return 0
  need_command go "Install Go 1.22 or newer."
  say "building $what (first run only; minutes on 2 cores)"
  GOFLAGS=-buildvcs=false "$@" >"$LOG_DIR/$name-build.log" 2>&1 || fail "building $what failed; see $LOG_DIR/$name-build.log"
}
