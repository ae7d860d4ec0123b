#!/bin/sh
# xensim-xendm.sh - xensim behaviours xendm depends on, with xendm as the
# device model:
#  - the p2m: xendm maps VRAM once (locked) at creation and relocates it to
#    the framebuffer BAR; the guest's writes at the BAR (RAM, through the
#    p2m) must show through xendm's earlier mapping (read back through the
#    VGA window, an ioreq xendm answers from that mapping);
#  - the toolstack role reacts to a guest power-off like libxl: xendm runs
#    with -no-shutdown (xensim qemu-args); when the guest enters S5 through
#    the PIIX4 PM registers, xendm records the shutdown, `xensim run-dm`
#    asks it to quit over QMP, reaps it and reports the reason; xendm exits
#    0, leaving no mappings behind.
# Skipped when xendm is not built.
. "${TOP:-.}/tests/scenarios/xensim-lib.sh"
if [ ! -x "$B/xendm" ]; then
    echo "SKIP: $B/xendm not built"
    exit 0
fi
xsim_start
check "create domain 1 (2 vCPUs)" "$B/xensim" create 1 64 2
# shellcheck disable=SC2046
LD_LIBRARY_PATH="$XSIM_LIBS" "$B/xensim" run-dm -t 60 -k 10 1 -- \
    ${VALGRIND:-} "$B/xendm" $("$B/xensim" qemu-args 1 64) \
    -device VGA,vgamem_mb=16 > "$XSIM_DIR/rundm.log" 2>&1 &
rpid=$!
check "xendm reaches state=running" wait_for "$XSIM_DIR/rundm.log" "dm running" 600
check "xendm serves one slot per vCPU (-smp 2,maxcpus=2)" grep -q "2 vCPU slot(s)" "$XSIM_DIR/rundm.log"
# VGA at 00:03.0 (xen-platform takes 00:02.0 first).
cat > "$XSIM_DIR/vram.scn" <<'SCN'
pci read l 00:03.0 0 expect 0x11111234
pci write l 00:03.0 0x10 0xf0000000      # BAR0: the linear framebuffer
pci write w 00:03.0 0x04 0x0003          # I/O + memory decode
out w 0x1ce 1                            # VBE 640x480x32, LFB enabled
out w 0x1cf 640
out w 0x1ce 2
out w 0x1cf 480
out w 0x1ce 3
out w 0x1cf 32
out w 0x1ce 4
out w 0x1cf 0x41
expect frame 0xf0000 populated within 2000   # VRAM relocated to the BAR
write l 0xf0000000 0x12345678            # a RAM hit: the guest writes VRAM
write l 0xf000fffc 0xcafef00d
read l 0xa0000 expect 0x12345678         # xendm reads it through its mapping
read l 0xafffc expect 0xcafef00d
SCN
check "VRAM relocated to the BAR: xendm's mapping sees the guest's writes" \
    "$B/xensim-guest" --domid 1 run "$XSIM_DIR/vram.scn"
cat > "$XSIM_DIR/off.scn" <<'SCN'
pci read l 0:1.3 0 expect 0x71138086     # PIIX4 PM
pci write l 0:1.3 0x40 0xb001            # PMBA = 0xb000
pci write b 0:1.3 0x80 1                 # PM I/O enable
out w 0xb004 0x2000                      # PM1a_CNT: SLP_TYP 0 | SLP_EN
expect shutdown poweroff within 5000
SCN
check "guest powers off" "$B/xensim-guest" --domid 1 run "$XSIM_DIR/off.scn"
wait $rpid
rc=$?
check "run-dm exit 0 (xendm quit cleanly, no leak)" test $rc -eq 0
check "quit sent over QMP" grep -q "dm domain shut down (reason=poweroff): quit sent over QMP" "$XSIM_DIR/rundm.log"
check "xendm exit status 0" grep -q "dm exit status=0" "$XSIM_DIR/rundm.log"
check "shutdown reason poweroff" grep -q "dm shutdown reason=poweroff" "$XSIM_DIR/rundm.log"
check "no SIGTERM needed" sh -c "! grep -q SIGTERM '$XSIM_DIR/rundm.log'"
[ $XSIM_FAIL -eq 0 ] || cat "$XSIM_DIR/rundm.log"
"$B/xensim" stop > /dev/null
wait "$XSIM_DPID"; XSIM_DPID=
exit $XSIM_FAIL
