#!/usr/bin/env bash
# The Debian package on this machine, with dpkg: install, upgrade to a rebuilt package with a
# changed default loket.toml (the office's edit kept), remove (data kept), purge (config gone,
# data kept); then an upgrade over the previous release's database (tests/fixtures/db/v1.redb:
# every record there afterwards, the migration's copy beside it) and a downgrade onto it
# (refused with the way back, which then works). docs/packaging.md.
#
# Needs root (sudo otherwise) and cargo-deb (.ci/run installs both). Builds the release
# binary once (`cargo deb`); the second package reuses it (--no-build). Refuses to run where
# loket is installed or /etc/loket or /var/lib/loket exist; leaves the machine as it found
# it: the package purged, the directories and the users and groups it made removed.
# Without systemd as PID 1 (a CI container) nothing is started by the package: the enable
# link is checked and the daemon is run by hand as the unit would run it.
set -euo pipefail
cd "$(dirname "$0")/../.."

say() { echo "deb test: $*"; }
fail() {
  echo "deb test: FAILED: $*" >&2
  exit 1
}
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}
# Runs a command as the loket user, as the unit does.
as_loket() { as_root runuser -u loket -- "$@"; }

command -v cargo-deb >/dev/null 2>&1 || fail "cargo-deb is missing (cargo install --locked cargo-deb)"
for tool in dpkg dpkg-deb runuser setpriv systemd-sysusers systemd-tmpfiles deb-systemd-helper; do
  command -v "$tool" >/dev/null 2>&1 || fail "$tool is missing"
done
if dpkg-query -W -f='${Status}' loket 2>/dev/null | grep -q 'installed\|config-files\|half'; then
  fail "a loket package is on this machine: a test does not replace it"
fi
for dir in /etc/loket /var/lib/loket /var/lib/loket-display; do
  [ ! -e "$dir" ] || fail "$dir exists: a test does not touch it"
done

# What the package may create and the clean-up must then remove: only what was not there.
users_before=""
groups_before=""
for u in loket loket-display; do
  getent passwd "$u" >/dev/null && users_before="$users_before $u"
done
for g in loket loket-display lp gpio video render input audio; do
  getent group "$g" >/dev/null && groups_before="$groups_before $g"
done

work=$(mktemp -d)
chmod 0755 "$work"
daemon=""
cleanup() {
  status=$?
  # Everything below is tried, whatever fails.
  set +e
  if [ -n "$daemon" ]; then
    as_root kill "$daemon" 2>/dev/null || true
    wait "$daemon" 2>/dev/null || true
  fi
  as_root dpkg --purge loket >/dev/null 2>&1 || true
  as_root rm -rf /etc/loket /var/lib/loket /var/lib/loket-display
  for u in loket-display loket; do
    case " $users_before " in *" $u "*) ;; *) getent passwd "$u" >/dev/null && as_root userdel "$u" ;; esac
  done
  for g in loket-display loket gpio render input audio video lp; do
    case " $groups_before " in *" $g "*) ;; *) getent group "$g" >/dev/null && as_root groupdel "$g" ;; esac
  done
  rm -rf "$work"
  if [ "$status" -eq 0 ]; then say "machine left as it was"; fi
}
trap cleanup EXIT
# A CI timeout's SIGTERM (or ^C) ends the script through the EXIT trap, so nothing is left to
# trip the guards above on the next run.
trap 'exit 143' TERM
trap 'exit 130' INT

systemd_runs=false
[ -d /run/systemd/system ] && systemd_runs=true

version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
schema=$(sed -n 's/^pub const SCHEMA_VERSION: u64 = \([0-9]*\);/\1/p' src/store/tables.rs)
v1="$version-1"
v2="$version-2"
pkg1="$work/loket_${v1}_amd64.deb"
pkg2="$work/loket_${v2}_amd64.deb"

# --- The packages -------------------------------------------------------------------------
start=$(date +%s)
cargo deb --locked --deb-version "$v1" --output "$pkg1"
say "package $v1 built in $(($(date +%s) - start)) s ($(stat -c %s "$pkg1") bytes)"
# The next release: the same binary, a default loket.toml with one more setting explained.
mkdir -p target/deb-test
{
  cat config/loket.toml
  printf '\n# Ditambahkan pada rilis berikutnya / added in the next release (upgrade test).\n'
} > target/deb-test/loket.toml
cargo deb --locked --no-build --variant upgrade-test --deb-version "$v2" --output "$pkg2"
dpkg-deb -f "$pkg2" Package | grep -qx loket || fail "the second package is not named loket"
cargo build --locked --example set_schema
set_schema=$(pwd)/target/debug/examples/set_schema

# Only what it needs at run time: libc ($auto); no libusb (built in).
depends=$(dpkg-deb -f "$pkg1" Depends)
say "Depends: $depends"
case "$depends" in *libc6*) ;; *) fail "Depends lacks libc6: $depends" ;; esac
case "$depends" in *usb* | *espeak* | *chromium* | *cage*) fail "Depends: $depends" ;; esac

# --- Install -------------------------------------------------------------------------------
as_root dpkg -i "$pkg1" | tee "$work/install.log"
for f in /usr/bin/loket /usr/lib/systemd/system/loket.service \
  /usr/lib/systemd/system/loket-display.service /usr/lib/udev/rules.d/60-loket.rules \
  /usr/lib/sysusers.d/loket.conf /usr/lib/tmpfiles.d/loket.conf /etc/loket/loket.toml \
  /etc/loket/survey.toml /etc/loket/sop/skala_kecil.toml /etc/loket/letter/surat-balasan.toml \
  /usr/share/doc/loket/packaging.md /usr/share/doc/loket/copyright; do
  [ -f "$f" ] || fail "$f is not installed"
done
[ "$(stat -c %a /usr/bin/loket)" = 755 ] || fail "/usr/bin/loket is not 0755"
grep -q '^ExecStart=/usr/bin/loket serve --config /etc/loket/loket.toml' \
  /usr/lib/systemd/system/loket.service || fail "the unit does not start /usr/bin/loket"
if ldd /usr/bin/loket | grep -qi usb; then fail "/usr/bin/loket links a shared libusb"; fi
dpkg-query -W -f='${Conffiles}\n' loket | grep -q '^ /etc/loket/loket.toml ' ||
  fail "/etc/loket/loket.toml is not a conffile"
getent passwd loket | grep -q ':/var/lib/loket:/usr/sbin/nologin$' ||
  fail "user loket: $(getent passwd loket)"
for g in lp gpio video; do
  id -nG loket | tr ' ' '\n' | grep -qx "$g" || fail "loket is not in group $g: $(id -nG loket)"
done
getent passwd loket-display >/dev/null || fail "no user loket-display"
[ "$(stat -c '%a %U %G' /var/lib/loket)" = "750 loket loket" ] ||
  fail "/var/lib/loket: $(stat -c '%a %U %G' /var/lib/loket)"
link=/etc/systemd/system/multi-user.target.wants/loket.service
# Enabled: the link to the unit (bookworm's helper writes the /lib path of merged /usr).
enabled() { [ "$(readlink -f "$link")" = "$(readlink -f /usr/lib/systemd/system/loket.service)" ]; }
enabled || fail "loket.service is not enabled ($link)"
[ ! -e /etc/systemd/system/graphical.target.wants/loket-display.service ] ||
  fail "loket-display.service is enabled; it needs cage and chromium first"
expected="loket $version (skema basis data $schema / database schema $schema)"
[ "$(/usr/bin/loket --version)" = "$expected" ] || fail "--version: $(/usr/bin/loket --version)"
# As the service reads it: the loket user.
as_loket /usr/bin/loket check-config /etc/loket/loket.toml > "$work/check.log" 2>&1 ||
  fail "check-config: $(cat "$work/check.log")"
grep -q '^OK: /etc/loket/loket.toml' "$work/check.log" || fail "check-config: $(cat "$work/check.log")"
say "installed $v1: files, conffiles, users, /var/lib/loket 0750, enable link, check-config, --version"

free_port() {
  for candidate in $(shuf -i 20000-60000 -n 20); do
    if ! { exec 3<>"/dev/tcp/127.0.0.1/$candidate"; } 2>/dev/null; then
      echo "$candidate"
      return
    fi
    exec 3>&-
  done
  fail "no free port"
}
# One HTTP/1.0 request; the reply's body on stdout.
http() {
  local method=$1 port=$2 path=$3 body=${4:-}
  exec 3<>"/dev/tcp/127.0.0.1/$port"
  printf '%s %s HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: %s\r\n\r\n%s' \
    "$method" "$path" "${#body}" "$body" >&3
  sed '1,/^\r$/d' <&3
  exec 3>&-
}
wait_healthy() {
  local port=$1
  for _ in $(seq 1 100); do
    if http GET "$port" /healthz 2>/dev/null | grep -q '"status":"ok"'; then return 0; fi
    sleep 0.2
  done
  return 1
}

if $systemd_runs; then
  systemctl is-active --quiet loket || fail "loket.service is not running after install"
  wait_healthy 8080 || fail "the service does not answer /healthz on 8080"
  say "the service runs and answers /healthz"
  as_root systemctl stop loket
else
  say "SKIPPED: systemd is not PID 1 here: deb-systemd-invoke started nothing, so the start, restart and stop of the service are not checked (the enable link is)"
fi

# The office's day: the daemon as the unit runs it (user loket, /var/lib/loket), open
# around the clock so a ticket can be taken at any hour.
cp tests/fixtures/always-open.toml "$work/always-open.toml"
chmod 0644 "$work/always-open.toml"
port=$(free_port)
# setpriv execs loket itself (sudo relays signals): $! is the process to stop.
sudo_if_needed=()
[ "$(id -u)" -eq 0 ] || sudo_if_needed=(sudo)
"${sudo_if_needed[@]}" setpriv --reuid=loket --regid=loket --init-groups /usr/bin/loket serve \
  --config "$work/always-open.toml" --data /var/lib/loket --listen "127.0.0.1:$port" \
  > "$work/serve.log" 2>&1 &
daemon=$!
wait_healthy "$port" || fail "the installed daemon does not answer: $(cat "$work/serve.log")"
http POST "$port" /api/v1/tickets '{"service":"A"}' | grep -q '"number":"A-001"' ||
  fail "no ticket from the installed daemon"
as_root kill -TERM "$daemon"
wait "$daemon" || true
daemon=""
# The rows of TABLE by `loket check` (every table read, as the technician's tool does).
rows() {
  as_loket /usr/bin/loket check --data /var/lib/loket | awk -v t="$1" '$1 == t && $2 == "OK" { print $3 }'
}
tickets() { rows tickets; }
[ "$(tickets)" = 1 ] || fail "the ticket is not in /var/lib/loket: $(as_loket /usr/bin/loket check --data /var/lib/loket)"

# --- Upgrade, the office's edit kept -------------------------------------------------------
as_root sed -i 's/^name = "Dinas Kependudukan dan Pencatatan Sipil Kota Contoh"/name = "Disdukcapil Kota Uji"/' \
  /etc/loket/loket.toml
grep -q '^name = "Disdukcapil Kota Uji"' /etc/loket/loket.toml || fail "the office's edit was not made"
# As a technician's apt answers the conffile question by default: keep the office's file.
as_root dpkg -i --force-confdef --force-confold "$pkg2" | tee "$work/upgrade.log"
[ "$(dpkg-query -W -f='${Version}' loket)" = "$v2" ] || fail "not upgraded to $v2"
grep -q '^name = "Disdukcapil Kota Uji"' /etc/loket/loket.toml || fail "the office's edit is lost"
cmp -s /etc/loket/loket.toml.dpkg-dist target/deb-test/loket.toml ||
  fail "the new default is not beside it as loket.toml.dpkg-dist"
grep -q "sudah pada skema $schema" "$work/upgrade.log" || fail "the upgrade did not run loket migrate"
as_loket /usr/bin/loket check-config /etc/loket/loket.toml > /dev/null 2>&1 || fail "check-config after the upgrade"
enabled || fail "not enabled after the upgrade"
if $systemd_runs; then
  systemctl is-active --quiet loket || fail "loket.service is not running after the upgrade"
  as_root systemctl stop loket
fi
[ "$(tickets)" = 1 ] || fail "the ticket is gone after the upgrade"
say "upgraded to $v2: the office's loket.toml kept, the new default as loket.toml.dpkg-dist, the data there"

# --- Remove: data kept; purge: configuration gone, data kept --------------------------------
as_root dpkg -r loket
[ ! -e /usr/bin/loket ] || fail "/usr/bin/loket left after remove"
[ -f /etc/loket/loket.toml ] || fail "remove took the configuration (only purge does)"
as_root test -f /var/lib/loket/loket.redb || fail "remove took the database"
# deb-systemd-helper keeps the enable state for a reinstall and masks the units (their
# files are gone); purge clears both.
[ -L /etc/systemd/system/loket.service ] || fail "loket.service is not masked after remove"
as_root dpkg -P loket | tee "$work/purge.log"
[ ! -e /etc/loket ] || fail "/etc/loket left after purge: $(find /etc/loket)"
as_root test -f /var/lib/loket/loket.redb || fail "purge took the database"
grep -q "TIDAK dihapus: /var/lib/loket" "$work/purge.log" || fail "purge does not say where the data is"
grep -q "sudo rm -rf /var/lib/loket" "$work/purge.log" || fail "purge does not say how to remove it"
for f in /etc/systemd/system/loket.service /etc/systemd/system/loket-display.service "$link"; do
  [ ! -L "$f" ] || fail "$f is left after purge"
done
say "removed (data kept), purged (/etc/loket gone, /var/lib/loket kept, said so)"

# --- Upgrade over the previous release's database --------------------------------------------
as_root rm -rf /var/lib/loket
as_root dpkg -i "$pkg1" > "$work/install2.log"
if $systemd_runs; then as_root systemctl stop loket; fi
as_root rm -f /var/lib/loket/loket.redb
as_root install -o loket -g loket -m 0600 tests/fixtures/db/v1.redb /var/lib/loket/loket.redb
as_root dpkg -i "$pkg2" | tee "$work/upgrade2.log"
grep -q "dimigrasikan dari skema 1 ke $schema" "$work/upgrade2.log" || fail "no migration in the upgrade"
if $systemd_runs; then
  systemctl is-active --quiet loket || fail "loket.service is not running on the migrated database"
  as_root systemctl stop loket
fi
as_loket /usr/bin/loket check --data /var/lib/loket > "$work/check2.log" || fail "loket check: $(cat "$work/check2.log")"
cat "$work/check2.log"
# What tests/upgrade.rs checks of the v1 fixture: 13 tickets, 5 accounts, 2 sessions, 65
# audit entries (the chain intact); and the complaint tables of schema 2 now there.
for want in "tickets 13" "users 5" "sessions 2" "audit 65" "complaints 0"; do
  set -- $want
  [ "$(rows "$1")" = "$2" ] || fail "after the upgrade, $1: $(rows "$1") rows, not $2"
done
grep -q '^audit .*chain intact' "$work/check2.log" || fail "the audit chain after the upgrade"
grep -q '^complaints .*(no table)' "$work/check2.log" && fail "the complaint tables were not made"
copy=$(as_root sh -c 'cd /var/lib/loket && ls loket.redb.v1-backup-*')
as_root cmp -s "/var/lib/loket/$copy" tests/fixtures/db/v1.redb || fail "$copy is not the database as it was"
[ "$(as_root stat -c %U "/var/lib/loket/$copy")" = loket ] || fail "$copy is not the loket user's"
say "upgraded over the v1 database: every record there, $copy beside it (byte for byte the old file)"

# --- Downgrade onto a database of a later release --------------------------------------------
# A later release migrated it on; then the older package (v1) is installed again.
as_root "$set_schema" /var/lib/loket/loket.redb $((schema + 1))
before=$(as_root cat /var/lib/loket/loket.redb | md5sum)
if as_root dpkg -i "$pkg1" > "$work/downgrade.log" 2>&1; then
  cat "$work/downgrade.log"
  fail "the downgrade was configured on a newer database"
fi
cat "$work/downgrade.log"
restore="sudo -u loket loket restore /var/lib/loket/$copy --data /var/lib/loket"
# From the package the last step is configuring it again, never starting the unconfigured
# service (which would hold the database that configure then migrates).
grep -qF "$restore; sudo dpkg --configure loket" "$work/downgrade.log" \
  || fail "the downgrade's way back does not end by configuring the package"
grep -qF "returned error exit status 2" "$work/downgrade.log" \
  || fail "the postinst did not fail with the refusal's exit code 2"
for want in "dibuat oleh loket yang lebih baru (skema $((schema + 1))" \
  "written by a newer loket (schema $((schema + 1))" "$restore" \
  "Copies beside the database: $copy."; do
  grep -qF "$want" "$work/downgrade.log" || fail "the downgrade does not say: $want"
done
rc=0
as_loket /usr/bin/loket serve --config /etc/loket/loket.toml --data /var/lib/loket \
  --listen "127.0.0.1:$(free_port)" > "$work/serve2.log" 2>&1 || rc=$?
[ "$rc" = 2 ] || fail "the daemon on the newer database exited $rc: $(cat "$work/serve2.log")"
grep -qF "$restore" "$work/serve2.log" || fail "the daemon does not name the way back"
[ "$(as_root cat /var/lib/loket/loket.redb | md5sum)" = "$before" ] || fail "the newer database was changed"
# The way back the message gives works: restore, then the package configures.
as_loket /usr/bin/loket restore "/var/lib/loket/$copy" --data /var/lib/loket
as_root dpkg --configure loket
dpkg-query -W -f='${Status}' loket | grep -q 'install ok installed' || fail "not configured after the restore"
if $systemd_runs; then as_root systemctl stop loket; fi
[ "$(rows tickets)" = 13 ] || fail "the restored database: $(rows tickets) tickets"
say "downgrade refused (exit 2, the copy and the restore command named); restored, configured"

as_root dpkg -P loket > /dev/null
say "all package checks passed"
