#!/bin/sh
# xensim-qemu.sh - Debian's unmodified QEMU 7.2 (qemu-system-xen) on
# xensim: started with libxl's command line through the toolstack role,
# reaches device-model state=running, answers a UART LSR read, the host
# bridge ID and 00:01.1 through 0xcf8/0xcfc (PCI_CONFIG ioreqs), the
# xen-platform device, a `rep outsb` from guest RAM that appears on its
# serial output; after an invalidate (balloon) and QMP quit it exits 0
# with zero outstanding mappings. Skipped when the binary is missing.
QEMU=${XENSIM_QEMU:-/usr/libexec/xen-qemu-system-i386}
if [ ! -x "$QEMU" ]; then
    echo "SKIP: $QEMU not installed (make check-qemu installs qemu-system-xen as root)"
    exit 0
fi
. "${TOP:-.}/tests/scenarios/xensim-lib.sh"
xsim_start
check "create domain 1" "$B/xensim" create 1 128 1
args=$("$B/xensim" qemu-args 1 128)
# shellcheck disable=SC2086
LD_LIBRARY_PATH="$XSIM_LIBS" "$B/xensim" run-dm -t 30 1 -- "$QEMU" $args \
    > "$XSIM_DIR/rundm.log" 2>&1 &
rpid=$!
check "QEMU reaches state=running" wait_for "$XSIM_DIR/rundm.log" "dm running" 300
"$B/xensim-probe" 1 wait 1 , in 0x3fd 1 , pci 0 0 0 0 4 , pci 0 1 1 0 4 , \
    pci 0 2 0 0 4 , in 0x10 2 , ramw 0x10000 xensim-hello , \
    outs 0x3f8 0x10000 12 , out 0x3fc 1 0x08 , out 0x3f9 1 2 , obs , pciw 0 1 0 0x60 1 0x0b , obs , \
    balloon 0x7000 1 > "$XSIM_DIR/probe.log" 2>&1
check "guest accesses answered" test $? -eq 0
cat "$XSIM_DIR/probe.log"
check "UART LSR idle = 0x60" grep -q "in 0x3fd = 0x60" "$XSIM_DIR/probe.log"
check "host bridge 8086:1237" grep -q "pci 0:0.0@0 = 0x12378086" "$XSIM_DIR/probe.log"
check "PIIX3 IDE 8086:7010 at 00:01.1" grep -q "pci 0:1.1@0 = 0x70108086" "$XSIM_DIR/probe.log"
check "xen-platform 5853:0001" grep -q "pci 0:2.0@0 = 0x15853" "$XSIM_DIR/probe.log"
check "xen-platform magic 0x49d2" grep -q "in 0x10 = 0x49d2" "$XSIM_DIR/probe.log"
check "UART THRE interrupt raises ISA IRQ 4" grep -q "obs isa_irq=0000100000000000" "$XSIM_DIR/probe.log"
check "PIIX3 PIRQA route -> set_pci_link_route(0, 11)" grep -q "link_route=11," "$XSIM_DIR/probe.log"
check "rep outsb on the serial port" wait_for "$XSIM_DIR/serial-1.log" "xensim-hello" 50
check "QMP quit accepted" "$B/xensim" qmp-quit 1
wait $rpid
rc=$?
cat "$XSIM_DIR/rundm.log"
check "QEMU exited 0 with zero outstanding mappings" test $rc -eq 0
check "exit scan saw no live mappings" grep -q "exit_live_ram_pages=0 exit_live_ioreq_pages=0" "$XSIM_DIR/rundm.log"
"$B/xensim" stop > /dev/null
wait "$XSIM_DPID"; XSIM_DPID=
exit $XSIM_FAIL
