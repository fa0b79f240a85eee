# Shared by the VM tests (tests/usb-vm/run.sh, tests/fb-vm/run.sh); sourced, not run.
# Builds a throwaway initramfs (busybox, decompressed kernel modules of the installed Debian
# kernel, programs with their shared libraries) and boots it under qemu (software emulation).
# Needs: qemu-system-x86, linux-image-amd64, busybox-static, cpio, xz-utils, zstd, kmod
# (installed by .ci/run).

VM_KVER=$(ls /lib/modules | sort -V | tail -n 1)
VM_KERNEL=/boot/vmlinuz-$VM_KVER
[ -r "$VM_KERNEL" ] || { echo "no kernel at $VM_KERNEL (apt-get install linux-image-amd64)" >&2; exit 1; }

VM_WORK=$(mktemp -d)
# VM_KEEP=1 keeps the work directory (console.log, the initramfs) for a look after a failure.
trap '[ -n "${VM_KEEP:-}" ] || rm -rf "$VM_WORK"' EXIT
VM_ROOT=$VM_WORK/root
mkdir -p "$VM_ROOT"/{bin,dev,proc,sys,tmp,modules,etc,data}
cp /bin/busybox "$VM_ROOT/bin/busybox"

# Kernel modules in dependency order (modules built into the kernel are skipped), listed in
# /modules.order for the VM's init to insmod.
vm_order=()
vm_add_module() {
  local m=$1 dep file seen
  for seen in "${vm_order[@]:-}"; do [ "$seen" = "$m" ] && return; done
  for dep in $(modinfo -k "$VM_KVER" -F depends "$m" | tr ',' ' '); do vm_add_module "$dep"; done
  file=$(modinfo -k "$VM_KVER" -F filename "$m")
  case "$file" in
    /*) ;;
    *) return ;;
  esac
  case "$file" in
    *.ko.xz) xz -dc "$file" > "$VM_ROOT/modules/$m.ko" ;;
    *.ko.zst) zstd -qdc "$file" > "$VM_ROOT/modules/$m.ko" ;;
    *.ko.gz) gzip -dc "$file" > "$VM_ROOT/modules/$m.ko" ;;
    *) cp "$file" "$VM_ROOT/modules/$m.ko" ;;
  esac
  vm_order+=("$m")
  printf '%s\n' "${vm_order[@]}" > "$VM_ROOT/modules.order"
}

# A program as /bin/NAME, stripped, with the shared libraries it loads.
vm_add_program() {
  local src=$1 name=$2 lib
  strip -o "$VM_ROOT/bin/$name" "$src"
  for lib in $(ldd "$VM_ROOT/bin/$name" | grep -o '/[^ ]*'); do
    mkdir -p "$VM_ROOT$(dirname "$lib")"
    cp -L "$lib" "$VM_ROOT$lib"
  done
}

# Packs the root with INIT as /init and boots it; the console goes to $VM_WORK/console.log
# and the lines containing TAG to stdout. Extra arguments go to qemu, $VM_APPEND to the
# kernel's command line.
vm_boot() {
  local init=$1 tag=$2
  shift 2
  cp "$init" "$VM_ROOT/init"
  chmod +x "$VM_ROOT/init"
  (cd "$VM_ROOT" && find . | cpio -o -H newc --quiet | gzip -1) > "$VM_WORK/initrd.gz"
  timeout 600 qemu-system-x86_64 -accel tcg -m 512 -nographic -no-reboot "$@" \
    -kernel "$VM_KERNEL" -initrd "$VM_WORK/initrd.gz" \
    -append "console=ttyS0 quiet panic=-1 ${VM_APPEND:-}" < /dev/null \
    | tee "$VM_WORK/console.log" | grep --line-buffered "$tag" || true
}
