#!/usr/bin/env bash
# Loads and validates docker-compose.yml with compose-go, the parser of Docker Compose itself
# (infra/compose-check), and prints its services with their published ports. Required variables get
# dummy values; nothing is started. Usage: bash infra/compose-check.sh [compose file]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Named after its source, so that a change to the checker builds a new binary.
source_hash="$(cat "$INFRA_DIR"/compose-check/{main.go,go.mod,go.sum} | sha256sum | cut -c1-12)"
binary="compose-check-$source_hash"
go_binary "$binary" "the compose file checker" go -C "$INFRA_DIR/compose-check" build -o "$BIN_DIR/$binary" .

"$BIN_DIR/$binary" \
  -env "TRACKING_SIGNING_KEYS=k1:compose-check-dummy-signing-key-0123456789" \
  -env "ADMIN_TOKEN=compose-check-dummy-admin-token" \
  "${1:-$INFRA_DIR/../docker-compose.yml}"
