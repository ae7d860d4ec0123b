#!/bin/sh
# xendm-dma.sh - INVALIDATE while an IDE DMA holds a locked mapcache
# mapping. `debug dma-delay 2000` (monitor key) holds every IDE DMA
# mapping 2 s before its disk I/O; the guest starts READ DMA of 16 sectors
# into RAM at 0x100000, then gives other memory back (balloon out: Xen's
# INVALIDATE). xendm must log "Locked DMA mapping while invalidating
# mapcache" with the guest and host addresses, count it in
# monitor/stats/mapcache/locked-dma-warnings, keep serving, and the DMA
# must then complete with the right data (CRC-32 of the disk's sectors).
# Environment: B (build dir), TOP (repo root), VALGRIND (prefix or empty).
TOP=${TOP:-$(pwd)}
. "$TOP/tests/scenarios/xendm-lib.sh"

xd_start_sim
dd if=/dev/urandom of="$XD_DIR/disk.img" bs=1M count=1 2>/dev/null
# CRC-32 (zlib) of sectors 8..23, what the DMA must deliver.
crc=$(python3 -c 'import sys, zlib
d = open(sys.argv[1], "rb").read()[8 * 512:24 * 512]
print(hex(zlib.crc32(d)))' "$XD_DIR/disk.img")
xd_start_dm -drive "file=$XD_DIR/disk.img,if=ide,index=0,media=disk,format=raw"
ok "xendm running with an IDE disk"

# 2 s normally; under valgrind the guest side needs longer to get there.
delay=2000
[ "$XD_SLOW" -gt 1 ] && delay=8000
xd_mon "debug dma-delay $delay" >/dev/null && ok "debug dma-delay $delay via the monitor key" ||
    notok "debug dma-delay: $(xd_xsread "$XD_DM/monitor/status")"

cat >"$XD_DIR/dma-start.scn" <<'SCN'
# IDE function 00:01.1: bus-master BAR4 at 0xc000, COMMAND IO | BUSMASTER.
pci write l 00:01.1 0x20 0xc001
pci write w 00:01.1 4 0x0005
# PRD table at 0x8000: one entry, 8192 bytes at 0x100000, end of table.
ram write 0x8000 0x00 0x00 0x10 0x00 0x00 0x20 0x00 0x80
ram fill 0x100000 8192 0xee
out l 0xc004 0x8000          # PRD table address
out b 0xc002 0x06            # clear error / interrupt status
out b 0x1f6 0xe0             # master, LBA
out b 0x1f2 16               # 16 sectors
out b 0x1f3 8                # LBA 8
out b 0x1f4 0
out b 0x1f5 0
out b 0x1f7 0xc8             # READ DMA
out b 0xc000 0x09            # start, write to memory
in b 0xc002 expect 0x01 mask 0x01    # active
SCN
cat >"$XD_DIR/dma-balloon.scn" <<'SCN'
balloon out 0x800 16         # other memory, while the DMA holds its mapping
in w 0x10 expect 0x49d2      # still serving
SCN
cat >"$XD_DIR/dma-end.scn" <<SCN
in b 0xc002 expect 0x04 mask 0x05    # not active, interrupt
in b 0x1f7 expect 0x50 mask 0xd9     # DRDY, DSC; not BSY, DRQ, ERR
out b 0xc000 0x00
ram checksum 0x100000 8192 expect $crc
SCN

xd_scn_ok "READ DMA started (bus master active)" "$XD_DIR/dma-start.scn"
xd_scn_ok "balloon out during the DMA answered" "$XD_DIR/dma-balloon.scn"
if wait_for "$XD_DIR/dm.log" "Locked DMA mapping while invalidating mapcache" 30; then
    line=$(grep "Locked DMA mapping while invalidating mapcache" "$XD_DIR/dm.log" | head -1)
    echo "$line" | grep -q "guest 0x100000 -> host 0x[0-9a-f]*, " &&
        ok "warning logged with guest -> host address: $line" ||
        notok "warning lacks the addresses: $line"
else
    notok "no 'Locked DMA mapping while invalidating mapcache' in the log"
fi
check "stats/mapcache/locked-dma-warnings counts it" xd_stat_wait mapcache/locked-dma-warnings 1
# Wait for the DMA (the hold), polling the bus-master status.
n=$((60 * XD_SLOW))
while [ $n -gt 0 ]; do
    xd_exec 'in b 0xc002 expect 0x00 mask 0x01' >/dev/null 2>&1 && break
    sleep 0.1
    n=$((n - 1))
done
xd_scn_ok "DMA completed with the disk's data (CRC-32 $crc)" "$XD_DIR/dma-end.scn"
xd_mon 'debug dma-delay 0' >/dev/null
xd_exec 'balloon in 0x800 16' >/dev/null || notok "balloon in"
xd_quit
xd_finish
