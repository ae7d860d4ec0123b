#!/bin/sh
# xendm-hostile.sh - hostile ioreqs and buffered slots injected straight
# into xendm's shared pages (`raw` scenario commands, stubs/guest/raw.h):
# unknown type, size 0/3/16, count 0 and 0xffffffff, data_is_ptr to
# unpopulated frames and beyond RAM, address wrap with df, bad PCI_CONFIG
# requests, slots not in READY state, TIMEOFFSET (ignored), a buffered
# ring overrun (write_pointer - read_pointer > 511), a torn 8-byte pair,
# reads and bad types in the ring. Each must be answered (reads all-ones)
# or ignored, counted in `info ioreq`, logged, and xendm keeps serving: a
# normal access after each works. Under SANITIZE=1 the binary is the
# ASan/UBSan one ($B/xendm), under check-valgrind it runs in $VALGRIND.
# Environment: B (build dir), TOP (repo root), VALGRIND (prefix or empty).
TOP=${TOP:-$(pwd)}
. "$TOP/tests/scenarios/xendm-lib.sh"

xd_start_sim
xd_start_dm -device VGA,vgamem_mb=16
ok "xendm running"
T=$((500 * XD_SLOW))

# counter NAME: its value in `info ioreq`.
counter() {
    xd_mon 'info ioreq' | sed -n "s/^ *$1  *\([0-9]*\)\$/\1/p"
}
# hostile DESC COUNTER DELTA LOGPATTERN LINE...: run the scenario LINEs
# (then a normal access), COUNTER must grow by DELTA and LOGPATTERN appear
# in the log (after this point).
hostile() {
    _desc=$1 _ctr=$2 _delta=$3 _pat=$4
    shift 4
    _before=$(counter "$_ctr")
    _lines=$(wc -l <"$XD_DIR/dm.log")
    if ! xd_exec "timeout $T" "$@" 'in w 0x10 expect 0x49d2' >"$XD_DIR/out"; then
        notok "$_desc: $(cat "$XD_DIR/scn.err")"
        return
    fi
    _after=$(counter "$_ctr")
    if [ "$((_after - _before))" -ne "$_delta" ]; then
        notok "$_desc: $_ctr went $_before -> $_after, wanted +$_delta"
        return
    fi
    _n=$((30 * XD_SLOW))
    while [ $_n -gt 0 ]; do
        tail -n +"$((_lines + 1))" "$XD_DIR/dm.log" | grep -q -e "$_pat" && break
        sleep 0.1
        _n=$((_n - 1))
    done
    if [ $_n -eq 0 ]; then
        notok "$_desc: no '$_pat' in the log"
        return
    fi
    ok "$_desc: answered, $_ctr +$_delta, logged, still serving"
}

ONES=0xffffffffffffffff
# The dispatcher's rate limiter prints 10 messages per 5 s: two batches.
hostile "unknown type 0x42" rejected 1 "refused unknown request (unknown type)" \
    "raw ioreq type=0x42 size=4 dir=read expect data $ONES"
hostile "PIO size 0" rejected 1 "refused pio request (bad size).*size 0" \
    "raw ioreq type=pio size=0 addr=0x3ff dir=read expect data $ONES"
hostile "MMIO size 3" rejected 1 "refused copy request (bad size).*size 3" \
    "raw ioreq type=copy size=3 addr=0xa0000 dir=read expect data $ONES"
hostile "MMIO size 16" rejected 1 "refused copy request (bad size).*size 16" \
    "raw ioreq type=copy size=16 addr=0xa0000 dir=read expect data $ONES"
hostile "PIO count 0" rejected 1 "refused pio request (bad count).*count 0 " \
    "raw ioreq type=pio size=1 count=0 addr=0x3ff dir=read expect data $ONES"
hostile "rep MMIO count 0xffffffff" rejected 1 "refused copy request (bad count).*count 4294967295" \
    "raw ioreq type=copy size=4 count=0xffffffff ptr=1 addr=0xa0000 data=0x10000 dir=read"
hostile "PCI_CONFIG size 3" rejected 1 "refused pci-config request (bad size)" \
    "raw ioreq type=pci-config size=3 addr=0 dir=read expect data $ONES"
hostile "PCI_CONFIG misaligned register" rejected 1 "refused pci-config request (register out of range" \
    "raw ioreq type=pci-config size=4 addr=0x2 dir=read expect data $ONES"
hostile "PCI_CONFIG with data_is_ptr" rejected 1 "refused pci-config request (pointer or repeated" \
    "raw ioreq type=pci-config size=4 addr=0 ptr=1 data=0x10000 dir=read"
sleep 5.2
hostile "rep ins into unpopulated frames" access-errors 1 "pio rep item 0 of 4 failed.*ram 0x400000" \
    "balloon out 0x400 1" \
    "raw ioreq type=pio size=1 count=4 ptr=1 addr=0x3ff data=0x400000 dir=read"
hostile "rep outs from unpopulated frames" access-errors 1 "pio rep item 0 of 4 failed.*ram 0x400000" \
    "raw ioreq type=pio size=1 count=4 ptr=1 addr=0x3ff data=0x400000 dir=write"
hostile "rep movs beyond RAM" access-errors 1 "copy rep item 0 of 2 failed.*ram 0x100000000000" \
    "raw ioreq type=copy size=4 count=2 ptr=1 addr=0xa0000 data=0x100000000000 dir=read"
hostile "rep ins wrapping below 0 with df" access-errors 1 "pio rep item 2 of 4 failed.*ram 0xfffffffffffffffc" \
    "raw ioreq type=pio size=4 count=4 ptr=1 df=1 addr=0x1ce data=0x4 dir=read"
hostile "rep movs from MMIO wrapping past 2^64" access-errors 1 "copy rep item 0 of 3 failed: io 0xfffffffffffffffc ram 0x20000" \
    "raw ioreq type=copy size=4 count=3 ptr=1 addr=0xfffffffffffffffc data=0x20000 dir=read"
hostile "TIMEOFFSET is ignored" timeoffset 1 "" \
    "raw ioreq type=timeoffset size=8 data=0x123456"
hostile "buffered ring overrun (write - read = 600)" buffered-rejected 1 "buffered ring overrun" \
    "raw buffered extra=600" "sleep $T" "raw buffered-ptrs"
xd_exec 'raw buffered-ptrs' >"$XD_DIR/ptrs" 2>&1
rp=$(sed -n 's/.* rp \([0-9x]*\) .*/\1/p' "$XD_DIR/ptrs")
wp=$(sed -n 's/.* wp \([0-9x]*\)$/\1/p' "$XD_DIR/ptrs")
[ -n "$rp" ] && [ "$rp" = "$wp" ] && ok "ring resynchronised (read pointer = write pointer = $rp)" ||
    notok "ring pointers after overrun: $(cat "$XD_DIR/ptrs")"
hostile "torn 8-byte pair" buffered-rejected 1 "torn 8-byte pair" \
    "raw buffered slot type=copy size=8 addr=0xa0000 data=0x41414141" "sleep $T"
hostile "read in the buffered ring" buffered-rejected 1 "read in the buffered ring" \
    "raw buffered slot type=copy size=4 addr=0xa0000 data=1 dir=read" "sleep $T"
hostile "PCI_CONFIG type in the buffered ring" buffered-rejected 1 "bad type or size" \
    "raw buffered slot type=pci-config size=4 addr=0 data=1" "sleep $T"

# The slot state machine: a slot that is not READY is ignored (the guest
# side times out), counted as a slot error and logged.
hostile "slot in state none ignored" slot-errors 1 "slot state 0 (expected READY); ignored" \
    "raw ioreq type=pio size=1 addr=0x3ff dir=read state=none expect timeout"
hostile "slot in state inprocess ignored" slot-errors 1 "slot state 2 (expected READY); ignored" \
    "raw ioreq type=pio size=1 addr=0x3ff dir=read state=inprocess expect timeout"
hostile "slot in state 9 ignored" slot-errors 1 "slot state 9 (expected READY); ignored" \
    "raw ioreq type=pio size=1 addr=0x3ff dir=read state=9 expect timeout"

# A normal buffered pair and MMIO afterwards still work.
cat >"$XD_DIR/after.scn" <<'SCN'
out w 0x1ce 1
out w 0x1cf 640
out w 0x1ce 2
out w 0x1cf 480
out w 0x1ce 3
out w 0x1cf 8
out w 0x1ce 4
out w 0x1cf 1
write q 0xa0100 0x0123456789abcdef
read q 0xa0100 expect 0x0123456789abcdef
out b 0x3ff 0x77
in b 0x3ff expect 0x77
SCN
xd_scn_ok "normal PIO, MMIO and buffered pairs after all that" "$XD_DIR/after.scn"
xd_quit
xd_finish
