#!/usr/bin/env bash
# The Pi guide's install, tried as a technician would on a fresh system: a new Debian root
# made with debootstrap from this machine's apt sources, then in it (chroot)
# `apt install ./loket_<version>_amd64.deb`, the service's files in place, the user, the
# data directory, the enable link, `loket check-config` as the service's user; then
# `apt purge` (configuration gone, data kept). The result is recorded in
# docs/install-raspberry-pi.md.
#
# Downloads a Debian system (the default variant, about 100 MB): run by hand, as root, not
# by CI. Usage: tests/deb/debootstrap-trial.sh [PACKAGE.deb] [SUITE]
# (default: the amd64 package in target/debian/, this machine's Debian release).
set -euo pipefail
cd "$(dirname "$0")/../.."
[ "$(id -u)" -eq 0 ] || { echo "run as root (debootstrap, chroot)" >&2; exit 1; }

version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
deb=${1:-target/debian/loket_${version}-1_amd64.deb}
suite=${2:-$(. /etc/os-release && echo "$VERSION_CODENAME")}
[ -f "$deb" ] || { echo "no package $deb: build it with cargo deb" >&2; exit 1; }
# The Debian archive this machine installs from (its apt sources), not a host named here.
mirror=$(apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 2>/dev/null |
  awk -v s="$suite" '$2 == s { print $1; exit }')
[ -n "$mirror" ] || { echo "no apt source for $suite on this machine" >&2; exit 1; }
if ! command -v debootstrap >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap
fi

root=$(mktemp -d /tmp/loket-debootstrap.XXXXXX)
# The new system's /: mktemp's 0700 would keep every user but root out of all of it.
chmod 0755 "$root"
cleanup() {
  for m in dev/pts dev proc sys; do
    mountpoint -q "$root/$m" && umount -l "$root/$m"
  done
  rm -rf --one-file-system "$root"
}
trap cleanup EXIT

start=$(date +%s)
debootstrap "$suite" "$root" "$mirror" > "$root.log" 2>&1 || {
  tail -20 "$root.log" >&2
  exit 1
}
rm -f "$root.log"
echo "trial: debootstrap $suite from $mirror in $(($(date +%s) - start)) s"
mount -t proc proc "$root/proc"
mount -t sysfs sys "$root/sys"
mount --bind /dev "$root/dev"
mount --bind /dev/pts "$root/dev/pts"

name=$(basename "$deb")
cp "$deb" "$root/root/$name"
in_root() { chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"; }

# What the guide tells the technician to type (sudo is not in a bare root; we are root).
in_root sh -c "cd /root && DEBIAN_FRONTEND=noninteractive apt-get install -y ./$name"
in_root sh -ec '
  fail() { echo "trial: FAILED: $*" >&2; exit 1; }
  for f in /usr/bin/loket /usr/lib/systemd/system/loket.service \
    /usr/lib/systemd/system/loket-display.service /usr/lib/udev/rules.d/60-loket.rules \
    /usr/lib/sysusers.d/loket.conf /usr/lib/tmpfiles.d/loket.conf /etc/loket/loket.toml; do
    [ -f "$f" ] || fail "$f missing"
  done
  getent passwd loket | grep -q ":/var/lib/loket:/usr/sbin/nologin$" || fail "user loket"
  [ "$(stat -c "%a %U %G" /var/lib/loket)" = "750 loket loket" ] || fail "/var/lib/loket"
  [ -L /etc/systemd/system/multi-user.target.wants/loket.service ] || fail "not enabled"
  [ ! -e /etc/systemd/system/graphical.target.wants/loket-display.service ] || fail "display enabled"
  loket --version
  runuser -u loket -- loket check-config /etc/loket/loket.toml
  echo "trial: installed: files in place, user loket, /var/lib/loket 0750, loket.service enabled, check-config OK"
  DEBIAN_FRONTEND=noninteractive apt-get purge -y loket
  [ ! -e /etc/loket ] || fail "/etc/loket left after purge"
  [ -d /var/lib/loket ] || fail "purge removed /var/lib/loket"
  echo "trial: purged: /etc/loket gone, /var/lib/loket kept"
'
echo "trial: passed on Debian $suite ($(date -u +%Y-%m-%d))"
