#!/usr/bin/env bash
# Prints the local stack's link-signing keys (TRACKING_SIGNING_KEYS), generated once and kept in
# $CAMPAIGNS_HOME/run/tracking-signing-keys (mode 600), so the worker, which signs the links in
# messages, and the tracking service, which checks them, agree. A deployment sets its own.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
key_file="$RUN_DIR/tracking-signing-keys"
if [[ ! -s "$key_file" ]]; then
  (umask 077; printf 'k1:%s\n' "$(head -c 48 /dev/urandom | base64 | tr -d '/+=\n')" >"$key_file")
fi
cat "$key_file"
