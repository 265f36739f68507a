#!/usr/bin/env bash
# Schemathesis (Python, from PyPI) in a virtualenv of its own, for the admin API's fuzz test.
# Quiet when it is already installed at the pinned version.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SCHEMATHESIS_VERSION="4.32.5"
VENV="$CAMPAIGNS_HOME/tools/schemathesis-$SCHEMATHESIS_VERSION"

[[ -f "$VENV/.complete" ]] && exit 0
need_command python3 "Install Python 3."
mkdir -p "$RUN_DIR"
python3 -m venv --help >/dev/null 2>&1 || apt_install python3-venv
say "installing Schemathesis $SCHEMATHESIS_VERSION from PyPI into $VENV (first run only)"
rm -rf "$VENV"
python3 -m venv "$VENV" || { apt_install python3-venv; rm -rf "$VENV"; python3 -m venv "$VENV"; }
"$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION" \
  || fail "pip could not install schemathesis==$SCHEMATHESIS_VERSION"
touch "$VENV/.complete"
