#!/usr/bin/env bash
# The real-USB printer test: boots a throwaway VM (qemu, software emulation) whose kernel
# emulates a USB printer (printer gadget on dummy_hcd); loket inside prints to it through
# libusb. See init.sh for the checks, vm-lib.sh for the VM itself.
set -euo pipefail
cd "$(dirname "$0")/../.."

cargo build --locked --bin loket --example usb_printer_device

. tests/usb-vm/vm-lib.sh
for m in configfs libcomposite usb_f_printer dummy_hcd usblp; do vm_add_module "$m"; done
vm_add_program target/debug/loket loket
vm_add_program target/debug/examples/usb_printer_device usb_printer_device

fixture=tests/fixtures/always-open.toml
sed 's/^kind = "spool"/kind = "usb"\nusb_id = "0416:5011"\ntimeout_ms = 1000\nstatus_interval_secs = 1/' \
  "$fixture" > "$VM_ROOT/etc/loket-usb.toml"
cp "$fixture" "$VM_ROOT/etc/loket-spool.toml"

vm_boot tests/usb-vm/init.sh "USBVM"

log=$VM_WORK/console.log
grep -q "USBVM OK" "$log" || { echo "USB printer VM test failed" >&2; tail -n 60 "$log" >&2; exit 1; }
echo "USB printer VM test passed"
