#!/usr/bin/env bash
# Checks the units with systemd-analyze verify. The units name the installed paths
# (/usr/local/bin/loket, /usr/bin/cage); verify needs them executable, so the check runs on
# copies pointing at the built binary and at any executable for cage.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bin=$(pwd)/target/debug/loket
[ -x "$bin" ] || cargo build --locked --bin loket
sed "s|/usr/local/bin/loket|$bin|" systemd/loket.service > "$tmp/loket.service"
sed "s|/usr/bin/cage|$(command -v true)|" systemd/loket-display.service > "$tmp/loket-display.service"
SYSTEMD_LOG_LEVEL=warning systemd-analyze verify "$tmp/loket.service" "$tmp/loket-display.service"
echo "systemd units verified"
