#!/bin/sh
# xendm-ioreq.sh - xendm on xensim as libxl starts it, driven by guest
# scenarios (tests/scenarios/xendm/*.scn): every ioreq type and flag the
# guest side produces (PIO 1/2/4, rep ins/outs with df, MMIO 1..8 bytes,
# rep movs both ways, PCI config through 0xcf8/0xcfc as PIO and as
# PCI_CONFIG), buffered VGA-window writes incl. 8-byte pairs and more than
# a ring's worth, INVALIDATE via balloon out, ranges following BARs as they
# move and as decoding turns on and off; `info ioreq` and the stats keys
# count them. Ends with SIGTERM teardown: exit 0, zero outstanding mappings
# in xensim's accounting.
# Environment: B (build dir), TOP (repo root), VALGRIND (prefix or empty).
TOP=${TOP:-$(pwd)}
. "$TOP/tests/scenarios/xendm-lib.sh"
S="$TOP/tests/scenarios/xendm"

xd_start_sim
dd if=/dev/zero of="$XD_DIR/disk.img" bs=1M count=1 2>/dev/null
xd_start_dm -device VGA,vgamem_mb=16 \
    -drive "file=$XD_DIR/disk.img,if=ide,index=0,media=disk,format=raw"
ok "xendm reached state=running on xensim"

# stat_is KEY VALUE: the stats key reaches VALUE (refreshed once a second).
stat_is() {
    _n=$((40 * XD_SLOW))
    while [ "$_n" -gt 0 ]; do
        [ "$(xd_stat "$1")" = "$2" ] && return 0
        sleep 0.1
        _n=$((_n - 1))
    done
    echo "stats/$1 = '$(xd_stat "$1")', wanted $2" >&2
    return 1
}
stat_ge() { xd_stat_wait "$1" "$2" 2>&1; }

# Where are the VGA card and xen-platform? (slot order is the machine's.)
pci=$(xd_mon 'info pci')
vga=$(echo "$pci" | sed -n 's/^ *Bus 0, device *\([0-9]*\), function 0: VGA$/\1/p')
plat=$(echo "$pci" | sed -n 's/^ *Bus 0, device *\([0-9]*\), function 0: xen-platform$/\1/p')
if [ -z "$vga" ] || [ -z "$plat" ]; then
    notok "info pci lists no VGA or xen-platform: $pci"
    xd_finish
fi
ok "info pci: VGA at 00:$vga.0, xen-platform at 00:$plat.0"
for f in ioreq-types ranges; do
    sed "s/@VGA@/00:$(printf %02x "$vga").0/g; s/@PLAT@/00:$(printf %02x "$plat").0/g" \
        "$S/$f.scn" >"$XD_DIR/$f.scn"
done

xd_scn_ok "ioreq types and flags (ioreq-types.scn)" "$XD_DIR/ioreq-types.scn"
info=$(xd_mon 'info ioreq')
pio=$(echo "$info" | sed -n 's/^ *pio  *\([0-9]*\)$/\1/p')
copy=$(echo "$info" | sed -n 's/^ *copy  *\([0-9]*\)$/\1/p')
pcic=$(echo "$info" | sed -n 's/^ *pci-config  *\([0-9]*\)$/\1/p')
# ioreq-types.scn: the 12 config accesses to registered BDFs become
# PCI_CONFIG; 11 MMIO accesses and 3 rep moves are COPY (the read of the
# hole inside BAR2 is not: xendm registers only the FlatView's sections,
# so nobody claims it); the rest is PIO (incl. the 0xcf8 latch writes).
[ "${pcic:-0}" -eq 12 ] && ok "info ioreq: 12 PCI_CONFIG requests" ||
    notok "info ioreq: pci-config '$pcic', wanted 12: $info"
[ "${copy:-0}" -eq 14 ] && ok "info ioreq: 14 COPY requests" ||
    notok "info ioreq: copy '$copy', wanted 14"
[ "${pio:-0}" -ge 30 ] && ok "info ioreq: $pio PIO requests" ||
    notok "info ioreq: pio '$pio', wanted >= 30"
check "stats/ioreq/pci-config = 12" stat_is ioreq/pci-config 12
check "stats/ioreq/rejected = 0" stat_is ioreq/rejected 0

xd_scn_ok "buffered VGA-window writes incl. 8-byte pairs (buffered.scn)" "$S/buffered.scn"
# 604 writes of which some may have fallen back to the slot when the ring
# was full; nearly all go through the ring.
check "stats/ioreq/buffered counts the ring's slots" stat_ge ioreq/buffered 500
check "no buffered slot rejected" stat_is ioreq/buffered-rejected 0

xd_scn_ok "ranges follow BARs (ranges.scn)" "$XD_DIR/ranges.scn"
mtree=$(xd_mon 'info mtree -f')
if echo "$mtree" | grep -q '^ *00000000f4000000-00000000f4ffffff ' &&
    ! echo "$mtree" | grep -q '^ *00000000f2000000-' &&
    ! echo "$mtree" | grep -q '^ *00000000febe0000-'; then
    ok "info mtree -f: the BAR at its new place only, VGA BAR2 gone"
else
    notok "info mtree -f after the moves: $mtree"
fi
xd_mon 'info ioreq' | grep -q '2 MMIO and 14 port ranges registered' &&
    ok "info ioreq: 2 MMIO ranges (VGA window, xen-platform BAR1), 14 port ranges" ||
    notok "registered ranges: $(xd_mon 'info ioreq' | head -1)"

# INVALIDATE: the guest gives memory back; xendm drops its mapcache.
inv0=$(xd_stat ioreq/invalidate)
cat >"$XD_DIR/inv.scn" <<'SCN'
ram write 0x300000 "dma"
balloon out 0x300 4
expect frame 0x300 unpopulated
balloon in 0x300 4
ram expect 0x300000 0 0 0
in w 0x10 expect 0x49d2
SCN
xd_scn_ok "balloon out sends INVALIDATE, xendm answers" "$XD_DIR/inv.scn"
check "stats/ioreq/invalidate counts it" stat_ge ioreq/invalidate $((inv0 + 1))
check "stats/mapcache/invalidations counts it" stat_ge mapcache/invalidations 1

# The ioreq thread and the main loop at once: both vCPUs hammer the UART
# (scratch register round trips, line status reads) while the monitor,
# served by the main thread under the same lock, runs commands that walk
# the memory system and the ioreq counters.
cat >"$XD_DIR/busy.scn" <<'SCN'
parallel
on vcpu 0:
    repeat 8000
        out b 0x3ff 0x5a
        in b 0x3ff expect 0x5a
        out b 0x3ff 0xa5
        in b 0x3ff expect 0xa5
    end
on vcpu 1:
    repeat 8000
        in b 0x3fd expect 0x60 mask 0x60
        pci read l 00:00.0 0 expect 0x12378086
    end
end
SCN
pio0=$(xd_mon 'info ioreq' | sed -n 's/^ *pio  *\([0-9]*\)$/\1/p')
"$B/xensim-guest" -D 1 -t $((5000 * XD_SLOW)) run "$XD_DIR/busy.scn" \
    >"$XD_DIR/busy.out" 2>"$XD_DIR/busy.err" &
busy=$!
mon_n=0
mon_bad=0
while kill -0 "$busy" 2>/dev/null; do
    for c in 'info ioreq' 'info mtree -f' 'info pci'; do
        out=$(xd_mon "$c") || mon_bad=$((mon_bad + 1))
        [ -n "$out" ] || mon_bad=$((mon_bad + 1))
        mon_n=$((mon_n + 1))
    done
done
if wait "$busy"; then
    ok "two vCPUs' 56000 ioreqs answered right while the monitor ran $mon_n commands"
else
    notok "ioreqs under monitor load: $(cat "$XD_DIR/busy.err")"
fi
[ "$mon_bad" -eq 0 ] && ok "every monitor command answered during the ioreq load" ||
    notok "$mon_bad of $mon_n monitor commands failed during the ioreq load"
pio1=$(xd_mon 'info ioreq' | sed -n 's/^ *pio  *\([0-9]*\)$/\1/p')
# 32000 scratch accesses, 8000 LSR reads and 8000 0xcf8 latch writes are
# PIO (the 8000 0xcfc reads are PCI_CONFIG): 48000 more.
[ $((pio1 - pio0)) -eq 48000 ] && ok "info ioreq counted all 48000 PIO requests" ||
    notok "info ioreq: pio went from $pio0 to $pio1, wanted +48000"

# SIGTERM teardown: run-dm reaps xendm, reports exit 0 and its accounting.
dmpid=$(sed -n 's/^dm running pid=\([0-9]*\)$/\1/p' "$XD_DIR/rundm.out")
if [ -z "$dmpid" ]; then
    notok "run-dm did not report the pid"
else
    # Under valgrind the pid is valgrind's, which forwards the signal.
    kill -TERM "$dmpid"
    xd_wait_dm
    if [ "$XD_RC" -eq 0 ] && grep -q '^dm exit status=0' "$XD_DIR/rundm.out" &&
        grep -q 'foreign_maps=0 foreign_pages=0 resource_maps=0 grant_maps=0' "$XD_DIR/rundm.out" &&
        grep -q 'exit_live_ram_pages=0 exit_live_ioreq_pages=0' "$XD_DIR/rundm.out"; then
        ok "SIGTERM: exit 0, zero outstanding mappings"
    else
        notok "SIGTERM teardown: run-dm exit $XD_RC: $(cat "$XD_DIR/rundm.out")"
    fi
fi
xd_finish
