#!/bin/sh
# check-demo.sh - `make check` item: plays the `make run` demo
# (tests/demo/demo.sh) non-interactively into a temporary directory and
# asserts each step's outcome from what it left behind, independently of
# the demo's own checks: the firmware placed the BARs hvmloader would,
# the banner is in the serial log, the DMA checksum expectation was
# played, the PNG is a 640x480 PNG, the locked-DMA warning is in xendm's
# log, xenstore-ls listed the monitor keys, and xendm exited 0 after a
# poweroff with no mappings leaked.
# Environment: B (build dir), TOP (repo root), VALGRIND (prefix or empty).
set -u
TOP=${TOP:-$(pwd)}
B=${B:-build}
out=$(mktemp -d /tmp/xendm-demo-check.XXXXXX)
trap 'rm -rf "$out"' EXIT
fails=0
check() {
    what=$1; shift
    if "$@" >/dev/null 2>&1; then echo "ok - $what"; else echo "not ok - $what"; fails=$((fails + 1)); fi
}

start=$(date +%s)
demo="$TOP/tests/demo/demo.sh"
DEMO_OUT="$out" B="$B" TOP="$TOP" sh "$demo" </dev/null >"$out/demo.txt" 2>&1
rc=$?
secs=$(( $(date +%s) - start ))
if [ $rc -ne 0 ]; then
    cat "$out/demo.txt"
    echo "---- xendm.log"
    cat "$out/xendm.log"
fi
check "demo exits 0 (took ${secs}s)" test $rc -eq 0
if [ -z "${VALGRIND:-}" ]; then
    check "demo is quick (< 60 s)" test "$secs" -lt 60
fi
for n in 1 2 3 4 5 6 7; do
    check "step $n reported ok" sh -c "sed -n '/^== Step $n\\//,/^== /p' '$out/demo.txt' | grep -q '^   ok: '"
done
check "step 1: 00:01.0 is 8086:7000" grep -q "00:01.0  8086:7000" "$out/demo.txt"
# hvmloader's placement for libxl's layout (xen-platform 00:02.0, VGA
# 00:03.0): largest first, equal sizes in devfn order.
check "step 1: BARs where hvmloader puts them" \
    sh -c "grep -q '00:02.0 0x14 16777216 0xf0000008' '$out/01-placed' &&
           grep -q '00:03.0 0x10 16777216 0xf1000008' '$out/01-placed' &&
           grep -q '00:03.0 0x18 4096 0xf2000000' '$out/01-placed' &&
           grep -q '00:02.0 0x10 256 0x0000c001' '$out/01-placed' &&
           grep -q '00:01.1 0x20 16 0x0000c101' '$out/01-placed'"
check "step 1: PMBA programmed" grep -q "pci write l 00:01.3 0x40 0xb001" "$out/01-pci-setup.scn"
check "step 2: banner in the serial log" grep -q "Hello from a Xen HVM guest" "$out/serial.log"
check "step 3: checksum of the image expected in guest RAM" \
    grep -q "^ram checksum 0x100000 65536 expect 0x[0-9a-f]\{8\}$" "$out/03-ide-dma.scn"
check "step 4: demo.png is a PNG" sh -c "od -An -tx1 -N8 '$out/demo.png' | grep -q '89 50 4e 47 0d 0a 1a 0a'"
check "step 4: demo.png is 640x480" \
    sh -c "[ \"\$(od -An -tx1 -j16 -N8 '$out/demo.png' | tr -d ' \n')\" = 00000280000001e0 ]"
check "step 5: locked-DMA invalidate warning in xendm's log" \
    grep -q "Locked DMA mapping while invalidating mapcache" "$out/xendm.log"
check "step 5: the second DMA's checksum expectation" \
    grep -q "^ram checksum 0x200000 65536 expect 0x" "$out/05-dma-balloon.scn"
check "step 6: xenstore-ls shows monitor/seq and state" \
    sh -c "grep -q ' seq = ' '$out/xenstore-ls.txt' && grep -q 'state = \"running\"' '$out/xenstore-ls.txt'"
check "step 7: xensim reports poweroff" grep -q "^dm shutdown reason=poweroff" "$out/xendm.log"
check "step 7: xendm exit status 0" grep -q "^dm exit status=0" "$out/xendm.log"
check "step 7: no mappings left at exit" grep -q "exit_live_ram_pages=0 exit_live_ioreq_pages=0" "$out/xendm.log"
check "no refused ioreqs in xendm's log" sh -c "! grep -q 'refused' '$out/xendm.log'"
dmpid=$(sed -n 's/^dm started pid=\([0-9]*\).*/\1/p' "$out/xendm.log")
check "xendm (pid $dmpid) is gone" sh -c "! kill -0 '$dmpid'"
check "no process left using the demo's files" sh -c "! pgrep -f '$out/[d]isk.img'"
[ $fails -eq 0 ] && echo "demo check: all passed"
[ $fails -eq 0 ]
