#!/usr/bin/env bash
# The real-framebuffer test: boots a throwaway VM (qemu, software emulation) with Debian's
# virtual framebuffer driver (vfb) as /dev/fb0; loket inside draws the lobby board into it.
# init.sh compares the device's memory with /display.png, before and after a call. The VM
# itself is built by tests/usb-vm/vm-lib.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."

cargo build --locked --bin loket --example fb_compare

. tests/usb-vm/vm-lib.sh
vm_add_module vfb
vm_add_program target/debug/loket loket
vm_add_program target/debug/examples/fb_compare fb_compare
sed 's|^# framebuffer = "/dev/fb0".*|framebuffer = "/dev/fb0"|' tests/fixtures/always-open.toml \
  > "$VM_ROOT/etc/loket-fb.toml"
grep -q '^framebuffer = "/dev/fb0"' "$VM_ROOT/etc/loket-fb.toml" \
  || { echo "the fixture has no framebuffer line to enable" >&2; exit 1; }

# No emulated graphics card: vfb is then the only framebuffer, fb0. fbcon=map:1 keeps the
# kernel's text console off it (its cursor and text would draw over the board), as on the
# appliance (docs/install-raspberry-pi.md).
VM_APPEND="fbcon=map:1" vm_boot tests/fb-vm/init.sh "FBVM" -vga none

log=$VM_WORK/console.log
grep -q "FBVM OK" "$log" || { echo "framebuffer VM test failed" >&2; tail -n 60 "$log" >&2; exit 1; }
echo "framebuffer VM test passed"
