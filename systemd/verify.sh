#!/usr/bin/env bash
# Checks the units with systemd-analyze verify, as the package installs them (/usr/bin/loket)
# and as the Pi guide installs loket.service by hand (/usr/local/bin/loket). verify needs the
# binaries executable, so the check runs on copies pointing at the built binary and at any
# executable for cage.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bin=$(pwd)/target/debug/loket
[ -x "$bin" ] || cargo build --locked --bin loket
grep -q '^ExecStart=/usr/bin/loket serve' systemd/loket.service
sed "s|/usr/bin/loket|$bin|" systemd/loket.service > "$tmp/loket.service"
sed "s|/usr/bin/cage|$(command -v true)|" systemd/loket-display.service > "$tmp/loket-display.service"
SYSTEMD_LOG_LEVEL=warning systemd-analyze verify "$tmp/loket.service" "$tmp/loket-display.service"
# By hand: the guide's sed gives the same unit with the other path, and nothing else changed.
mkdir "$tmp/by-hand"
sed 's|/usr/bin/loket|/usr/local/bin/loket|' systemd/loket.service > "$tmp/by-hand/loket.service"
grep -q '^ExecStart=/usr/local/bin/loket serve' "$tmp/by-hand/loket.service"
changed=$(diff <(grep -v '^#' systemd/loket.service) <(grep -v '^#' "$tmp/by-hand/loket.service") | grep -c '^[<>]' || true)
[ "$changed" = 2 ] || { echo "the unit by hand differs in more than ExecStart=" >&2; exit 1; }
echo "systemd units verified"
