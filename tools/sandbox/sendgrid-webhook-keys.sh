#!/usr/bin/env bash
# The demo plays SendGrid's part: it posts a bounce to the tracking service signed as SendGrid's
# Signed Event Webhook signs (ECDSA P-256). This makes its key pair once, in $RUN_DIR (mode 600),
# and prints the environment: SENDGRID_WEBHOOK_PUBLIC_KEY for the app (base64 DER, as SendGrid's
# settings page shows it) and SENDGRID_DEMO_PRIVATE_KEY_FILE for the demo. A deployment sets only
# the public key, copied from SendGrid.
source "$(dirname "${BASH_SOURCE[0]}")/../../infra/lib.sh"
key_file="$RUN_DIR/sendgrid-webhook-demo-key.pem"
if [[ ! -s "$key_file" ]]; then
  (umask 077; openssl ecparam -name prime256v1 -genkey -noout -out "$key_file" 2>/dev/null)
fi
printf 'SENDGRID_WEBHOOK_PUBLIC_KEY=%s\n' "$(openssl ec -in "$key_file" -pubout -outform DER 2>/dev/null | base64 -w0)"
printf 'SENDGRID_DEMO_PRIVATE_KEY_FILE=%s\n' "$key_file"
