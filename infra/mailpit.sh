#!/usr/bin/env bash
# Mailpit: a real SMTP server that keeps every message, with an HTTP API to read them.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

mailpit_ready() { curl -fsS "http://127.0.0.1:$LOCAL_MAILPIT_HTTP_PORT/api/v1/info" >/dev/null 2>&1; }

# Built from a pinned module (infra/mailpit/go.mod) because 'go install mailpit@version' cannot list
# the module's versions through the proxy here. The module zip lacks the web UI (server/ui/dist is made
# by Mailpit's own npm/esbuild build), so the source is copied out of the Go module cache, its UI is
# built with npm, and the binary is built from that copy so it embeds the UI.
MAILPIT_VERSION="$(awk '$1 == "github.com/axllent/mailpit" { print $2 }' "$INFRA_DIR/mailpit/go.mod")"
MAILPIT_BUILD_DIR="$CAMPAIGNS_HOME/mailpit-build/$MAILPIT_VERSION"
MAILPIT_STAMP="$BIN_DIR/.mailpit-version"   # which version (with its web UI) $BIN_DIR/mailpit is

# mailpit_source: copies the pinned module's source into $MAILPIT_BUILD_DIR and builds its web UI, once
# (server/ui/dist/.complete says it finished).
mailpit_source() {
  local dist="$MAILPIT_BUILD_DIR/server/ui/dist" log="$LOG_DIR/mailpit-ui-build.log" src tmp
  [[ -f "$dist/.complete" ]] && return 0
  need_command go "Install Go 1.22 or newer."
  need_command npm "Install Node.js 20 or newer with npm; Mailpit's web UI is built with it."
  say "building Mailpit's web UI with npm (first run only)"
  : >"$log"
  go -C "$INFRA_DIR/mailpit" mod download github.com/axllent/mailpit >>"$log" 2>&1 \
    || fail "downloading the Mailpit $MAILPIT_VERSION module failed; see $log"
  src="$(go -C "$INFRA_DIR/mailpit" list -m -f '{{.Dir}}' github.com/axllent/mailpit 2>>"$log")"
  [[ -n "$src" && -f "$src/package.json" ]] || fail "no source of the Mailpit $MAILPIT_VERSION module in the Go module cache; see $log"
  rm -rf "$(dirname "$MAILPIT_BUILD_DIR")"   # older versions' build dirs go too
  tmp="$MAILPIT_BUILD_DIR.tmp"
  mkdir -p "$(dirname "$MAILPIT_BUILD_DIR")"
  cp -R "$src" "$tmp" && chmod -R u+w "$tmp"   # the module cache is read-only
  # --ignore-scripts: no install script is needed for the bundle (esbuild comes as a per-platform
  # package), and some would fetch prebuilt binaries from outside the npm registry or phone home.
  (cd "$tmp" && npm ci --ignore-scripts --no-audit --no-fund) >>"$log" 2>&1 \
    || fail "installing Mailpit's web UI build tools from the npm registry (npm ci) failed; see $log"
  (cd "$tmp" && npm run package) >>"$log" 2>&1 \
    || fail "building Mailpit's web UI (npm run package: esbuild) failed; see $log"
  [[ -s "$tmp/server/ui/dist/app.js" && -s "$tmp/server/ui/dist/app.css" ]] \
    || fail "Mailpit's web UI build made no server/ui/dist/app.js or app.css; see $log"
  rm -rf "$tmp/node_modules"   # only needed to build dist; hundreds of MB
  mv "$tmp" "$MAILPIT_BUILD_DIR"
  touch "$dist/.complete"
}

install_mailpit() {
  [[ -n "$MAILPIT_VERSION" ]] || fail "no github.com/axllent/mailpit version in $INFRA_DIR/mailpit/go.mod"
  [[ -x "$BIN_DIR/mailpit" && "$(cat "$MAILPIT_STAMP" 2>/dev/null)" == "$MAILPIT_VERSION+ui" ]] && return 0
  rm -f "$BIN_DIR/mailpit" "$MAILPIT_STAMP"   # a binary without the web UI, or of another version
  mailpit_source
  go_binary mailpit "Mailpit $MAILPIT_VERSION" go -C "$MAILPIT_BUILD_DIR" build \
    -ldflags "-s -w -X github.com/axllent/mailpit/config.Version=$MAILPIT_VERSION" -o "$BIN_DIR/mailpit" .
  echo "$MAILPIT_VERSION+ui" >"$MAILPIT_STAMP"
  if mailpit_ready; then say "mailpit: the running Mailpit still uses its old binary; restart it: bash $0 stop && bash $0 start"; fi
}

start_mailpit() {
  install_mailpit
  if mailpit_ready; then say "mailpit: already running (SMTP 127.0.0.1:$LOCAL_SMTP_PORT)"; return 0; fi
  port_open "$LOCAL_SMTP_PORT" && fail "port $LOCAL_SMTP_PORT is taken by a process this project did not start"
  mkdir -p "$DATA_DIR/mailpit"
  say "mailpit: starting (SMTP 127.0.0.1:$LOCAL_SMTP_PORT, API http://127.0.0.1:$LOCAL_MAILPIT_HTTP_PORT)"
  start_daemon mailpit "$BIN_DIR/mailpit" --listen "127.0.0.1:$LOCAL_MAILPIT_HTTP_PORT" --smtp "127.0.0.1:$LOCAL_SMTP_PORT" \
    --database "$DATA_DIR/mailpit/mailpit.db" --max 200000 --disable-version-check --smtp-disable-rdns
  wait_for mailpit 30 mailpit_ready || fail "mailpit did not start in 30 s; see $LOG_DIR/mailpit.log"
  say "mailpit: ready"
}

case "${1:-start}" in
  start) start_mailpit ;;
  stop) stop_daemon mailpit ;;
  install) install_mailpit ;;
  *) fail "usage: $0 start|stop|install" ;;
esac
