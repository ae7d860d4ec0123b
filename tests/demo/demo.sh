#!/bin/sh
# demo.sh - what `make run` shows: the whole xendm device model serving a
# Xen HVM guest, on xensim (a simulated Xen, no hypervisor needed).
#
# It starts xensimd with domain 1 (256 MiB), makes a 4 MiB disk image,
# launches xendm as libxl would (`xensim run-dm` with `xensim qemu-args`
# plus -device VGA,vgamem_mb=16 and an IDE -drive), and plays seven steps
# as the guest (scenario files under tests/demo/, run by xensim-guest):
#   1 the firmware's PCI scan and BAR programming (hvmloader's order/checks)
#   2 a banner through the UART       5 memory given back during a DMA
#   3 an IDE DMA read, checksummed    6 the monitor keys (xenstore-ls)
#   4 a VBE mode set + a PNG          7 ACPI S5 power-off
# Everything it made (PNG, logs, the scenarios as played) ends up in
# $DEMO_OUT (default: run/ in the repository). Exit 0 only if every step
# worked; processes are cleaned up on any exit.
#
# Usage: demo.sh [--pause]      (--pause: wait for Enter between steps)
# Environment: B (build dir), TOP (repo root), DEMO_OUT, VALGRIND (a
# command prefix for xendm, as `make check-valgrind` passes).
set -u
TOP=${TOP:-$(pwd)}
B=${B:-build}
case "$B" in /*) ;; *) B="$TOP/$B" ;; esac
B=$(cd "$B" 2>/dev/null && pwd) || { echo "demo: build directory missing (make all)"; exit 1; }
HERE="$TOP/tests/demo"
OUT=${DEMO_OUT:-$TOP/run}
PAUSE=0
[ "${1:-}" = --pause ] && [ -t 0 ] && PAUSE=1
VALGRIND=${VALGRIND:-}
GT=5000                                    # per-access guest timeout (ms)
[ -n "$VALGRIND" ] && GT=60000

# shellcheck source=tests/demo/lib.sh
. "$HERE/lib.sh"
# shellcheck source=tests/demo/firmware.sh
. "$HERE/firmware.sh"

for f in xensimd xensim xensim-guest xendm stubs/lib/libxenevtchn.so.1; do
    [ -e "$B/$f" ] || { echo "demo: $B/$f is missing (make all)"; exit 1; }
done
for t in xenstore-ls xenstore-read xenstore-write gzip od; do
    command -v $t >/dev/null 2>&1 || { echo "demo: $t is missing (./configure --install-deps)"; exit 1; }
done

mkdir -p "$OUT" || exit 1
OUT=$(cd "$OUT" && pwd)
rm -f "$OUT"/0[0-9]-* "$OUT"/demo.png "$OUT"/*.log "$OUT"/xenstore-ls.txt "$OUT"/disk.img

STEP=0
trap 'dm_env_stop' EXIT
trap 'exit 130' INT TERM

fail() {
    say ""
    say "!! step $STEP FAILED: $*"
    say "!! logs: $OUT/xendm.log (xendm + xensim run-dm), $OUT/serial.log"
    [ -n "$XSIM_D" ] && cp "$XSIM_D/serial-1.log" "$OUT/serial.log" 2>/dev/null
    exit 1
}
step() {
    STEP=$1; shift
    if [ "$PAUSE" = 1 ] && [ "$STEP" -gt 1 ]; then
        printf '   (Enter for the next step) '; read -r _
    fi
    say ""
    say "== Step $STEP/7: $*"
}
ok() { say "   ok: $*"; }
look() { say "   look at: $*"; }
# play NAME [SED-SCRIPT]: a scenario of tests/demo (placeholders filled in)
# copied to $OUT and played as the guest; its output is indented.
play() {
    sed "${2:-}" "$HERE/$1" >"$OUT/$1" || fail "cannot write $OUT/$1"
    "$B/xensim-guest" --domid 1 --timeout "$GT" run "$OUT/$1" >"$OUT/$1.out" 2>&1
    rc=$?
    sed 's/^/     | /' "$OUT/$1.out"
    [ $rc -eq 0 ] || fail "scenario $OUT/$1 (see the error above)"
}

say "== xendm demo: a Xen HVM device model, run on xensim (no hypervisor needed)"
say "   Setting up: xensimd (the simulated Xen) with domain 1: 256 MiB, 2 vCPUs"
dm_env_start 256 2 || fail "xensim did not start"
# A 4 MiB disk image: a readable first sector, then random data.
head -c 4194304 /dev/urandom >"$OUT/disk.img" || fail "cannot write $OUT/disk.img"
printf 'xendm demo disk - sector 0. If you can read this in guest RAM, the IDE DMA worked.\n' |
    dd of="$OUT/disk.img" conv=notrunc 2>/dev/null
say "   Disk image: $OUT/disk.img (4 MiB; sector 0 starts with \"xendm demo disk\")"
# shellcheck disable=SC2046
set -- $("$B/xensim" qemu-args 1 256) -device VGA,vgamem_mb=16 \
    -drive "file=$OUT/disk.img,if=ide,index=0,media=disk,format=raw"
say "   Starting the device model as libxl does (xensim run-dm: environment,"
say "   wait for device-model state = running, reap, report):"
printf '     xensim run-dm 1 -- xendm'
for a in "$@"; do
    case "$a" in -*) printf ' \\\n         %s' "$a" ;; *) printf ' %s' "$a" ;; esac
done
echo
DM_T=15
[ -n "$VALGRIND" ] && DM_T=120
# shellcheck disable=SC2086
dm_start "$OUT/xendm.log" $DM_T $VALGRIND "$B/xendm" "$@" ||
    { cat "$OUT/xendm.log"; fail "xendm did not reach state=running"; }
say "   xendm is running (pid $DM_PID); its log: $OUT/xendm.log"

# ---------------------------------------------------------------- 1
step 1 "the firmware scans the PCI bus and programs the BARs (as Xen's hvmloader)"
say "   Every configuration access below is an ioreq from the guest to xendm"
say "   (ports 0xcf8/0xcfc -> IOREQ_TYPE_PCI_CONFIG)."
fw_pci_setup || fail "PCI set-up"
look "the scenarios $OUT/01-*.scn (what the firmware did, access by access)"
ok "00:01.0 is 8086:7000, the PM function 8086:7113; BARs sized, placed, decoding on"

# ---------------------------------------------------------------- 2
step 2 "a banner through the serial port (16550 UART at 0x3f8)"
play 02-banner.scn
for _ in $(seq 1 50); do grep -q "Hello from a Xen HVM guest" "$XSIM_D/serial-1.log" 2>/dev/null && break; sleep 0.1; done
say "   The serial log (xendm's -serial file: backend; kept as $OUT/serial.log) holds:"
tr -d '\r' <"$XSIM_D/serial-1.log" | sed '/^$/d; s/^/     > /'
grep -q "Hello from a Xen HVM guest" "$XSIM_D/serial-1.log" || fail "the banner is not in the serial log"
ok "the banner came out of xendm's UART"

# ---------------------------------------------------------------- 3
step 3 "an IDE DMA read into guest RAM, checked against the disk image"
CRC1=$(crc32 "$OUT/disk.img" 0 128)
CRC2=$(crc32 "$OUT/disk.img" 128 128)
say "   CRC-32 of sectors 0-127 of the image (computed here with gzip): $CRC1"
BM=$FW_BMIBA
SUBST="s/@BM@/$BM/g; s/@BM2@/$(fw_hex $((BM + 2)))/g; s/@BM4@/$(fw_hex $((BM + 4)))/g; s/@CRC1@/$CRC1/g; s/@CRC2@/$CRC2/g"
play 03-ide-dma.scn "$SUBST"
look "'ram checksum ... expect $CRC1' passed: guest RAM at 0x100000 = the disk's first 64 KiB"
ok "READ DMA of 128 sectors through a 2-entry PRD table, IRQ 14 raised and cleared"

# ---------------------------------------------------------------- 4
step 4 "a VBE mode set (640x480, 32 bpp) and a drawing, saved as a PNG"
say "   The firmware put the VGA framebuffer BAR at $FW_LFB; xendm moved the"
say "   VRAM there, so the guest draws with plain RAM writes at that address."
play 04-vbe.scn
awk -v lfb="$FW_LFB" -f "$HERE/draw.awk" >"$OUT/04-draw.scn"
say "   drawing: $(wc -l <"$OUT/04-draw.scn") RAM writes at $FW_LFB.. (from tests/demo/draw.awk)"
"$B/xensim-guest" --domid 1 --timeout "$GT" run "$OUT/04-draw.scn" >"$OUT/04-draw.scn.out" 2>&1 ||
    { cat "$OUT/04-draw.scn.out"; fail "drawing into the framebuffer"; }
mon "screendump $OUT/demo.png" >"$OUT/04-screendump.out" 2>&1 ||
    { cat "$OUT/04-screendump.out"; fail "monitor: screendump"; }
say "   monitor (xenstore keys): screendump $OUT/demo.png -> ok"
png=$(od -An -tx1 -N24 "$OUT/demo.png" 2>/dev/null | tr -d ' \n')
case "$png" in
89504e470d0a1a0a????????49484452000002800000????) ;;
*) fail "$OUT/demo.png is not a 640-pixel-wide PNG ($png)" ;;
esac
[ "$(od -An -tx1 -j20 -N4 "$OUT/demo.png" | tr -d ' \n')" = 000001e0 ] ||
    fail "$OUT/demo.png is not 480 pixels high"
look "$OUT/demo.png (640x480: XENDM, four coloured bars, a white frame)"
ok "mode set through ports 0x1ce/0x1cf, $(wc -c <"$OUT/demo.png") byte PNG written by xendm"

# ---------------------------------------------------------------- 5
step 5 "memory given back while a DMA is in flight"
HOLD=2000
[ -n "$VALGRIND" ] && HOLD=5000
SUBST="$SUBST; s/@WAIT@/$((HOLD + 20000))/g"
mon "debug dma-delay $HOLD" >/dev/null || fail "monitor: debug dma-delay"
say "   monitor: debug dma-delay $HOLD (xendm now holds each DMA mapping $HOLD ms)"
play 05-dma-start.scn "$SUBST"
locked=0
for _ in $(seq 1 60); do
    locked=$(mon "info mapcache" | awk '$1 == "locked-dma" { print $2 }')
    [ "${locked:-0}" -ge 1 ] && break
    sleep 0.05
done
[ "${locked:-0}" -ge 1 ] || fail "the DMA never showed up as a locked mapping (info mapcache)"
say "   DMA started; monitor 'info mapcache' shows it: locked-dma $locked"
play 05-dma-balloon.scn "$SUBST"
mon "debug dma-delay 0" >/dev/null
warn=$(grep -m1 "Locked DMA mapping while invalidating mapcache" "$OUT/xendm.log")
[ -n "$warn" ] || fail "no locked-DMA invalidate warning in $OUT/xendm.log"
say "   xendm's log says:"
say "     $warn"
look "the warning: the balloon's INVALIDATE met a mapping the DMA still uses;"
say "   xendm kept that mapping (the DMA finished, the checksum matched) and"
say "   dropped the others."
ok "invalidate during DMA: warning logged, data intact, nothing crashed"

# ---------------------------------------------------------------- 6
step 6 "the monitor keys in xenstore (Debian's xenstore-utils)"
mon "info pci" >"$OUT/06-info-pci.out" || fail "monitor: info pci"
say "   First a command through them: xenstore-write .../monitor/command 'info pci'"
sed 's/^/     | /' "$OUT/06-info-pci.out"
say "   Then: xenstore-ls /local/domain/0/device-model/1"
xenstore-ls /local/domain/0/device-model/1 >"$OUT/xenstore-ls.txt" 2>&1 ||
    fail "xenstore-ls failed"
cut -c1-100 "$OUT/xenstore-ls.txt" | sed 's/^/     | /'
for k in "state = \"running\"" "command = \"\"" "status = \"ok\"" "seq = " "result = "; do
    grep -q "$k" "$OUT/xenstore-ls.txt" || fail "xenstore-ls lacks '$k'"
done
look "state, monitor/command, monitor/result, monitor/status, monitor/seq, monitor/stats/..."
ok "the monitor keys are there (docs/monitor.md describes them)"

# ---------------------------------------------------------------- 7
step 7 "ACPI S5 power-off"
play 07-poweroff.scn
say "   The guest asked for power-off; xensim (like libxl) now stops the device model."
if ! dm_wait_exit 50; then
    say "   (this xensim does not stop the device model itself; sending QMP quit as libxl would)"
    "$B/xensim" qmp-quit 1 >/dev/null 2>&1
    dm_wait_exit 100 || fail "xendm did not exit"
fi
sed -n '/^dm domain shut down\|^dm exit/,$p' "$OUT/xendm.log" | sed 's/^/     | /'
grep -q "^dm exit status=0" "$OUT/xendm.log" || fail "xendm did not exit with status 0"
grep -q "^dm shutdown reason=poweroff" "$OUT/xendm.log" || fail "xensim did not report poweroff"
[ "$DM_RC" -eq 0 ] || fail "xensim run-dm exited $DM_RC (3 = leaked mappings)"
ok "xendm exited 0, xensim reports 'poweroff', no mappings leaked"

cp "$XSIM_D/serial-1.log" "$OUT/serial.log" 2>/dev/null
say ""
say "== All 7 steps worked. What the demo left in $OUT:"
say "   demo.png        the screendump of step 4"
say "   xendm.log       xendm's log and xensim run-dm's report"
say "   serial.log      the guest's serial output"
say "   xenstore-ls.txt the monitor keys of step 6"
say "   0*.scn          the scenarios as played (read them; replay with xensim-guest)"
say "   0*.out          what each of them printed"
say "   disk.img        the disk image"
exit 0
