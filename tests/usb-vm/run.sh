#!/usr/bin/env bash
# The real-USB printer test: boots a throwaway VM (qemu, software emulation) whose kernel
# emulates a USB printer (printer gadget on dummy_hcd); loket inside prints to it through
# libusb. See init.sh for the checks. Needs: qemu-system-x86, linux-image-amd64,
# busybox-static, cpio, xz-utils, zstd (installed by .ci/run).
set -euo pipefail
cd "$(dirname "$0")/../.."

cargo build --locked --bin loket --example usb_printer_device

KVER=$(ls /lib/modules | sort -V | tail -n 1)
KERNEL=/boot/vmlinuz-$KVER
[ -r "$KERNEL" ] || { echo "no kernel at $KERNEL (apt-get install linux-image-amd64)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root"/{bin,dev,proc,sys,tmp,modules,etc,data}
cp /bin/busybox "$root/bin/busybox"

# Kernel modules in dependency order (modules built into the kernel are skipped).
order=()
add_module() {
  local m=$1 dep file
  for seen in "${order[@]:-}"; do [ "$seen" = "$m" ] && return; done
  for dep in $(modinfo -k "$KVER" -F depends "$m" | tr ',' ' '); do add_module "$dep"; done
  file=$(modinfo -k "$KVER" -F filename "$m")
  case "$file" in
    /*) ;;
    *) return ;;
  esac
  case "$file" in
    *.ko.xz) xz -dc "$file" > "$root/modules/$m.ko" ;;
    *.ko.zst) zstd -qdc "$file" > "$root/modules/$m.ko" ;;
    *.ko.gz) gzip -dc "$file" > "$root/modules/$m.ko" ;;
    *) cp "$file" "$root/modules/$m.ko" ;;
  esac
  order+=("$m")
}
for m in configfs libcomposite usb_f_printer dummy_hcd usblp; do add_module "$m"; done
printf '%s\n' "${order[@]}" > "$root/modules.order"

# The programs under test, with the shared libraries they need.
strip -o "$root/bin/loket" target/debug/loket
strip -o "$root/bin/usb_printer_device" target/debug/examples/usb_printer_device
for bin in "$root/bin/loket" "$root/bin/usb_printer_device"; do
  for lib in $(ldd "$bin" | grep -o '/[^ ]*'); do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
done

fixture=tests/fixtures/always-open.toml
sed 's/^kind = "spool"/kind = "usb"\nusb_id = "0416:5011"\ntimeout_ms = 1000\nstatus_interval_secs = 1/' \
  "$fixture" > "$root/etc/loket-usb.toml"
cp "$fixture" "$root/etc/loket-spool.toml"
cp tests/usb-vm/init.sh "$root/init"
chmod +x "$root/init"

(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$work/initrd.gz"

log=$work/console.log
timeout 600 qemu-system-x86_64 -accel tcg -m 512 -nographic -no-reboot \
  -kernel "$KERNEL" -initrd "$work/initrd.gz" \
  -append "console=ttyS0 quiet panic=-1" < /dev/null | tee "$log" | grep --line-buffered "USBVM" || true

grep -q "USBVM OK" "$log" || { echo "USB printer VM test failed" >&2; tail -n 60 "$log" >&2; exit 1; }
echo "USB printer VM test passed"
