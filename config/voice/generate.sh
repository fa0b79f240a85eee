#!/usr/bin/env bash
# Regenerates the default Indonesian voice pack (one WAV per word or phrase) with espeak-ng's
# Indonesian voice. Needs: espeak-ng (Debian package). The generated clips are committed;
# an office can replace any of them with recordings of its own (16-bit PCM mono, one
# sample rate for the whole pack).
set -euo pipefail
cd "$(dirname "$0")/id"

say() { espeak-ng -v id -s 140 -w "$1.wav" "$2"; }

for w in nol satu dua tiga empat lima enam tujuh delapan sembilan \
         sepuluh sebelas belas puluh seratus ratus seribu ribu; do
  say "$w" "$w"
done

letters=(a be ce de e ef ge ha i je ka el em en o pe ki er es te u ve we eks ye zet)
i=0
for c in {a..z}; do
  say "huruf_$c" "${letters[$i]}"
  i=$((i + 1))
done

say nomor_antrian "nomor antrian"
say silakan_menuju "silakan menuju"
say loket "loket"
