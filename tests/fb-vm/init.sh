#!/bin/busybox sh
# /init of the framebuffer test VM: Debian's virtual framebuffer (vfb) as /dev/fb0, loket
# drawing the lobby board into it; the device's memory is compared pixel by pixel with
# /display.png from the same daemon, before and after a call. Each check is reported on the
# console; the host (run.sh) looks for "FBVM OK".
/bin/busybox --install -s /bin
mount -t proc none /proc
mount -t sysfs none /sys
mount -t devtmpfs none /dev
mount -t tmpfs none /tmp
ip link set lo up

fail() {
  echo "FBVM FAIL: $*"
  tail -n 20 /tmp/loket.log 2>/dev/null
  reboot -f
}
pass() { echo "FBVM PASS: $*"; }
# Centiseconds since boot, for timing to better than a second.
cs() { read up _ < /proc/uptime; echo "${up%.*}${up#*.}"; }

# 1280x720 (the size /display.png has) at 32 bits per pixel; the mode is computed (CVT, the
# "M") since the built-in mode list has no 720p, and the memory must hold 1280*720*4 bytes.
insmod /modules/vfb.ko vfb_enable=1 videomemorysize=4194304 mode_option=1280x720M-32@60 \
  || fail "insmod vfb"
[ -c /dev/fb0 ] || fail "no /dev/fb0"
pass "vfb: $(/bin/fb_compare info /dev/fb0)"
# With fbcon on fb0 its blinking cursor (an 8x16 cell) and console text land on the board.
grep -qs "frame buffer" /sys/class/vtconsole/*/name \
  && fail "the text console took the framebuffer (fbcon=map:1 missing?)"

start_loket() {
  RUST_LOG=info /bin/loket serve --config /etc/loket-fb.toml --data /data --listen 127.0.0.1:8080 \
    >>/tmp/loket.log 2>&1 &
  LOKET=$!
  i=0
  until wget -q -O /dev/null http://127.0.0.1:8080/healthz 2>/dev/null; do
    i=$((i + 1)); [ $i -gt 150 ] && fail "loket did not start"
    sleep 0.2
  done
}

# The first start makes the database; the operator who calls is added with the daemon stopped.
start_loket
kill $LOKET; wait $LOKET
echo "kata-sandi-vm-1234" | /bin/loket user add vmop --role operator --password-stdin --data /data \
  >/dev/null || fail "user add"

# The board shows the office's time: pin the clock to the start of a minute (Monday
# 30 November 2026, 09.00 WIB) so every frame below carries the same minute.
date -u -s "2026-11-30 02:00:00" >/dev/null || fail "date"
T0=$(cs)
start_loket

# The framebuffer and a /display.png fetched right after it agree exactly once the board is
# drawn from the state the PNG shows; until then (not drawn yet, or not redrawn since the
# last event) they differ. Polls with a deadline; $1 names the frame saved as /tmp/$1.rgb.
# A try takes 1-2 s under software emulation (a debug build draws, encodes and decodes).
matches() {
  deadline=$(($(cs) + 6000))
  until wget -q -O /tmp/display.png http://127.0.0.1:8080/display.png 2>/dev/null \
        && /bin/fb_compare match /dev/fb0 /tmp/display.png "/tmp/$1.rgb" > /tmp/match.txt 2>&1; do
    [ "$(cs)" -gt "$deadline" ] \
      && fail "$1: no match with /display.png within 60 s: $(cat /tmp/match.txt)"
    sleep 0.2
  done
}

matches idle
T1=$(cs)
grep -q "drawing the board on the framebuffer" /tmp/loket.log \
  || fail "no framebuffer line in the log"
pass "idle board: /dev/fb0 equals /display.png pixel for pixel, $((T1 - T0))0 ms after start"

# A ticket, called at Loket 1 by a logged-in operator.
wget -q -O /tmp/issue.json --header "Content-Type: application/json" \
  --post-data '{"service":"A"}' http://127.0.0.1:8080/api/v1/tickets 2>/tmp/issue.err \
  || fail "issue A: $(cat /tmp/issue.err)"
grep -q '"number":"A-001"' /tmp/issue.json || fail "issue A: $(cat /tmp/issue.json)"
wget -S -q -O /dev/null --post-data "username=vmop&password=kata-sandi-vm-1234" \
  http://127.0.0.1:8080/login 2>/tmp/login.txt
COOKIE=$(grep -io 'loket_session=[^;]*' /tmp/login.txt | head -n 1)
[ -n "$COOKIE" ] || fail "login: $(cat /tmp/login.txt)"
T2=$(cs)
wget -q -O /tmp/call.json --header "Cookie: $COOKIE" --header "Origin: http://127.0.0.1:8080" \
  --post-data "" http://127.0.0.1:8080/api/v1/counters/1/call-next 2>/tmp/call.err \
  || fail "call-next: $(cat /tmp/call.err)"
grep -q '"number":"A-001"' /tmp/call.json || fail "call-next: $(cat /tmp/call.json)"

matches called
T3=$(cs)
pass "after the call: /dev/fb0 equals /display.png again, $((T3 - T2))0 ms after the call"
# Where the call shows, from src/display/render.rs at 1280x720: Loket 1's card (x 25, y 113,
# 251x172), the first row of "Panggilan terakhir" (x 853..1255, y 100..150), and below it the
# rest of that column, since the waiting list moves down by the new row; and the header's
# clock and date (its right third, x 853..1280, y 0..64, `~`: may change), which may have turned to the next
# minute on a slow machine. The office's name, the other cards and the footer must not change.
/bin/fb_compare diff 1280 /tmp/idle.rgb /tmp/called.rgb \
  25,113,251,172 853,100,402,50 853,150,402,520 '~853,0,427,64' > /tmp/diff.txt 2>&1 \
  || fail "idle vs called: $(tr '\n' ';' < /tmp/diff.txt)"
pass "the call changed Loket 1's card and the last calls, nothing else: $(tr '\n' ';' < /tmp/diff.txt)"

kill $LOKET; wait $LOKET
echo "FBVM OK"
reboot -f
