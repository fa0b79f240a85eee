#!/usr/bin/env bash
# The Raspberry Pi's package: loket_<version>-1_arm64.deb from the aarch64 cross build
# (.ci/build-aarch64, run first), made with `cargo deb --no-build`, and checked beside the
# amd64 package (from the release build tests/deb/run.sh made) with dpkg-deb: architecture
# arm64, an aarch64 binary, the same files with the same modes, the same maintainer scripts
# and conffiles. Both packages are left in target/debian/. Installing it needs a Pi (or an
# arm64 system): docs/install-raspberry-pi.md says what was tried.
set -euo pipefail
cd "$(dirname "$0")/../.."
fail() {
  echo "arm64 package: FAILED: $*" >&2
  exit 1
}
target=aarch64-unknown-linux-gnu
[ -x "target/$target/release/loket" ] || fail "no target/$target/release/loket: run .ci/build-aarch64 first"
[ -x target/release/loket ] || fail "no target/release/loket: run tests/deb/run.sh (or cargo build --release) first"
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
arm="target/debian/loket_${version}-1_arm64.deb"
amd="target/debian/loket_${version}-1_amd64.deb"
# The cross toolchain's strip and objcopy for the aarch64 binary (cargo-deb reads these
# names; the names have dashes, so env sets them).
env "STRIP_$target=aarch64-linux-gnu-strip" "OBJCOPY_$target=aarch64-linux-gnu-objcopy" \
  cargo deb --locked --no-build --target "$target" --output "$arm" -v 2>&1 | tee "$tmp/arm.log"
grep -q "aarch64-linux-gnu-strip" "$tmp/arm.log" || fail "the binary was not stripped with aarch64-linux-gnu-strip"
cargo deb --locked --no-build --output "$amd"

[ "$(dpkg-deb -f "$arm" Architecture)" = arm64 ] || fail "Architecture: $(dpkg-deb -f "$arm" Architecture)"
[ "$(dpkg-deb -f "$amd" Architecture)" = amd64 ] || fail "the amd64 package: $(dpkg-deb -f "$amd" Architecture)"
dpkg-deb -I "$arm"
# Mode and path of every entry; sizes and times differ between the two.
list() { dpkg-deb -c "$1" | awk '{ print $1, $NF }' | sort; }
diff <(list "$amd") <(list "$arm") || fail "the arm64 package's files differ from the amd64 one's"
dpkg-deb -e "$amd" "$tmp/amd"
dpkg-deb -e "$arm" "$tmp/arm"
for f in conffiles postinst postrm prerm; do
  cmp -s "$tmp/amd/$f" "$tmp/arm/$f" || fail "$f differs between the packages"
done
dpkg-deb --fsys-tarfile "$arm" | tar -xO ./usr/bin/loket > "$tmp/loket"
readelf -h "$tmp/loket" | grep -q 'Machine:.*AArch64' || fail "usr/bin/loket is not an aarch64 binary"
case "$(dpkg-deb -f "$arm" Depends)" in *libc6*) ;; *) fail "Depends: $(dpkg-deb -f "$arm" Depends)" ;; esac
echo "arm64 package: $arm ($(stat -c %s "$arm") bytes, installed $(dpkg-deb -f "$arm" Installed-Size) KiB): arm64, aarch64 binary, the amd64 package's $(list "$amd" | wc -l) entries and scripts"
echo "amd64 package: $amd ($(stat -c %s "$amd") bytes, installed $(dpkg-deb -f "$amd" Installed-Size) KiB)"
