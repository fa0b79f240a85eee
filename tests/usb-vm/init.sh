#!/bin/busybox sh
# /init of the USB printer test VM: makes an emulated USB printer (printer gadget on
# dummy_hcd), runs loket against it through libusb, and reports each check on the console.
# The host (run.sh) looks for "USBVM OK".
/bin/busybox --install -s /bin
mount -t proc none /proc
mount -t sysfs none /sys
mount -t devtmpfs none /dev
mount -t tmpfs none /tmp
ip link set lo up

fail() {
  echo "USBVM FAIL: $*"
  tail -n 20 /tmp/loket.log 2>/dev/null
  echo "device log:"; cat /tmp/device.log 2>/dev/null
  reboot -f
}
pass() { echo "USBVM PASS: $*"; }

for m in $(cat /modules.order); do
  insmod "/modules/$m.ko" || fail "insmod $m"
done
mount -t configfs none /sys/kernel/config || fail "configfs"

G=/sys/kernel/config/usb_gadget/pos58
mkdir "$G" && cd "$G" || fail "gadget"
echo 0x0416 > idVendor
echo 0x5011 > idProduct
mkdir strings/0x409
echo "Loket Test" > strings/0x409/manufacturer
echo "POS58 Printer" > strings/0x409/product
echo "0001" > strings/0x409/serialnumber
mkdir functions/printer.usb0
echo "MFG:Loket Test;MDL:POS58;CMD:ESC/POS;" > functions/printer.usb0/pnp_string
mkdir configs/c.1
ln -s functions/printer.usb0 configs/c.1/
UDC=$(ls /sys/class/udc | head -n 1)
echo "$UDC" > UDC || fail "bind $UDC"
cd /
sleep 1
[ -e /dev/usb/lp0 ] && pass "usblp bound the emulated printer as /dev/usb/lp0"

echo online > /tmp/status
/bin/usb_printer_device /dev/g_printer0 /tmp/status /tmp/received.bin 2>/tmp/device.log &

/bin/loket printer list > /tmp/list.txt 2>&1
grep -q "0416:5011" /tmp/list.txt && grep -q "POS58 Printer" /tmp/list.txt \
  && pass "printer list: $(cat /tmp/list.txt)" || fail "printer list: $(cat /tmp/list.txt)"

start_loket() {
  RUST_LOG=info /bin/loket serve --config "$1" --data /data --listen 127.0.0.1:8080 >>/tmp/loket.log 2>&1 &
  LOKET=$!
  i=0
  until wget -q -O /tmp/health.json http://127.0.0.1:8080/healthz 2>/dev/null \
        && grep -q '"label":"Printer siap"' /tmp/health.json; do
    i=$((i + 1)); [ $i -gt 100 ] && fail "loket did not become ready: $(cat /tmp/health.json 2>/dev/null)"
    sleep 0.2
  done
}

issue() {
  wget -q -O /tmp/issue.json --header "Content-Type: application/json" \
    --post-data "{\"service\":\"$1\"}" http://127.0.0.1:8080/api/v1/tickets 2>/tmp/issue.err
}

start_loket /etc/loket-usb.toml
pass "loket is up with the USB printer"

# 1. A ticket leaves through libusb and arrives whole.
issue A || fail "issue A: $(cat /tmp/issue.err)"
grep -q '"number":"A-001"' /tmp/issue.json && grep -q '"print":"printed"' /tmp/issue.json \
  || fail "ticket A-001: $(cat /tmp/issue.json)"
pass "A-001 printed through the usb transport"

# Centiseconds since boot, for timing to better than a second.
cs() { read up _ < /proc/uptime; echo "${up%.*}${up#*.}"; }

# 2. Paper end: refused within 2 s, no number consumed.
echo paper_end > /tmp/status
T0=$(cs)
issue A && fail "issued with no paper: $(cat /tmp/issue.json)"
T1=$(cs)
[ $((T1 - T0)) -le 200 ] || fail "refusal took $((T1 - T0))0 ms"
wget -q -O /tmp/health.json http://127.0.0.1:8080/healthz
grep -q '"tickets_today":1' /tmp/health.json || fail "a number was consumed: $(cat /tmp/health.json)"
pass "paper end refused in $((T1 - T0))0 ms, no number consumed"

# 3. Paper back: issuing resumes with the next number.
echo online > /tmp/status
issue A || fail "after paper back: $(cat /tmp/issue.err)"
grep -q '"number":"A-002"' /tmp/issue.json || fail "after paper back: $(cat /tmp/issue.json)"
pass "paper back: A-002 printed"

# 4. Unplug and replug: the daemon finds the printer again by itself (its status poll
#    reconnects; nothing has to be issued to make it try).
echo "" > $G/UDC
sleep 1
issue A && fail "issued with the printer unplugged"
wget -q -O /tmp/health.json http://127.0.0.1:8080/healthz
grep -q '"tickets_today":2' /tmp/health.json || fail "unplugged: a number was consumed"
echo "$UDC" > $G/UDC
i=0
until wget -q -O /tmp/health.json http://127.0.0.1:8080/healthz \
      && grep -q '"label":"Printer siap"' /tmp/health.json; do
  i=$((i + 1)); [ $i -gt 50 ] && fail "no reconnect after replug: $(cat /tmp/health.json)"
  sleep 0.2
done
pass "replugged: the daemon reconnected by itself after $((i / 5)) s"
issue A || fail "after replug: $(cat /tmp/issue.err)"
grep -q '"number":"A-003"' /tmp/issue.json || fail "after replug: $(cat /tmp/issue.json)"
pass "unplug refused without a number, replug: A-003 printed"

# 5. Byte-exact: the same ticket rendered to the spool by the same build (a reprint, by a
#    staff member logged in through the form).
kill $LOKET; wait $LOKET
cp /tmp/received.bin /tmp/usb-all.bin
echo "kata-sandi-vm-1234" | /bin/loket user add vmop --role operator --password-stdin --data /data \
  || fail "user add"
start_loket /etc/loket-spool.toml
wget -S -q -O /dev/null --post-data "username=vmop&password=kata-sandi-vm-1234" \
  http://127.0.0.1:8080/login 2>/tmp/login.txt
COOKIE=$(grep -io 'loket_session=[^;]*' /tmp/login.txt | head -n 1)
[ -n "$COOKIE" ] || fail "login: $(cat /tmp/login.txt)"
wget -q -O /tmp/reprint.json --header "Cookie: $COOKIE" --header "Origin: http://127.0.0.1:8080" \
  --post-data "" http://127.0.0.1:8080/api/v1/tickets/1/reprint || fail "reprint to spool"
SPOOL=/data/spool/0000000001.escpos
LEN=$(wc -c < "$SPOOL")
head -c "$LEN" /tmp/usb-all.bin > /tmp/first.bin
cmp /tmp/first.bin "$SPOOL" || fail "bytes differ from the spool rendering"
pass "the device received A-001 byte-exact ($LEN bytes)"
kill $LOKET; wait $LOKET

echo "USBVM OK"
reboot -f
