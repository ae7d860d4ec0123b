#!/bin/sh
# e2e.sh - xensim-guest against a real xensim domain: a private xensimd,
# domain 1 (64 MiB, 2 vCPUs), and xensim-responder (the trivial device
# model on the drop-in libraries) claiming the UART ports, 0xcf8-0xcff,
# PCI device 00:01.0 and one MMIO page. A scenario exercises every kind of
# access, RAM, rep, parallel vCPUs, balloon, grants and observations; then
# a failing expectation, a malformed file (nothing may run), and a device
# model that does not answer (ETIMEDOUT) are checked.
# Environment: B (build dir), TOP (repo root), VALGRIND (prefix or empty).
set -u
B=${B:-build}
G="${VALGRIND:-} $B/xensim-guest"
for f in xensimd xensim xensim-responder xensim-guest stubs/lib/libxenevtchn.so.1; do
    [ -e "$B/$f" ] || { echo "e2e: $B/$f is missing (build it first)"; exit 1; }
done
LIBS=$(cd "$B/stubs/lib" && pwd)
D=$(mktemp -d /tmp/xsg-e2e-XXXXXX)
DPID= RPID=
cleanup() {
    [ -n "$RPID" ] && { kill -CONT "$RPID" 2>/dev/null; kill "$RPID" 2>/dev/null; wait "$RPID" 2>/dev/null; }
    [ -n "$DPID" ] && { kill "$DPID" 2>/dev/null; wait "$DPID" 2>/dev/null; }
    rm -rf "$D"
}
trap cleanup EXIT
fails=0
ok() { echo "ok - $1"; }
notok() { echo "not ok - $1"; fails=$((fails + 1)); }

"$B/xensimd" -d "$D" >"$D/xensimd.log" 2>&1 &
DPID=$!
for _ in $(seq 1 100); do [ -S "$D/ctl.sock" ] && break; sleep 0.05; done
[ -S "$D/ctl.sock" ] || { echo "xensimd did not start"; cat "$D/xensimd.log"; exit 1; }
"$B/xensim" -d "$D" create 1 64 2 >/dev/null || { echo "cannot create domain 1"; exit 1; }

XENSIM_DIR="$D" LD_LIBRARY_PATH="$LIBS" "$B/xensim-responder" -d 1 \
    -p 0x3f8:0x3ff -p 0xcf8:0xcff -c 0x08 -m 0xfe000000:0xfe000fff \
    >"$D/responder.log" 2>&1 &
RPID=$!
for _ in $(seq 1 100); do grep -q ready "$D/responder.log" && break; sleep 0.05; done
grep -q ready "$D/responder.log" || { echo "responder not ready"; cat "$D/responder.log"; exit 1; }

cat >"$D/good.scn" <<'SCN'
# The responder answers reads with the last value written to the same
# address, else 0x12345678 masked to the size; rep ins / movs from MMIO
# store 0x12345678 items into RAM.
wait servers 1 timeout 5000
expect server none                      # nothing accessed yet
in b 0x3fd expect 0x78
expect server 0
out b 0x3fb 0x03
in b 0x3fb expect 0x03
in b 0x80 expect 0xff                   # unclaimed port: all-ones
expect server none
pci read l 00:01.0 0 expect 0x12345678  # registered BDF: PCI_CONFIG
pci read w 00:03.0 2                    # other BDF: plain PIO at 0xcfe, printed
write l 0xfe000010 0xdeadbeef
read l 0xfe000010 expect 0xdeadbeef
read w 0xfe000010 expect 0xbeef
read q 0xfe100000 expect 0xffffffffffffffff # unclaimed MMIO
ram write 0x10000 "hi!"
outs b 0x3f8 3 0x10000                  # the responder logs the bytes
ins l 0x3f8 2 0x11000
ram expect 0x11000 0x78 0x56 0x34 0x12 0x78 0x56 0x34 0x12
movs-from-mmio l 0xfe000010 2 0x12000 df
ram expect 0x11ffc 0x78 0x56 0x34 0x12 0x78 0x56 0x34 0x12
ram fill 0x13000 4096 0xa5
ram checksum 0x13000 4096 expect 0x4a9d36c6
ram checksum 0x11000 8                  # printed
movs-to-mmio b 0xfe000100 3 0x10000
parallel
on vcpu 0:
    repeat 200
        in b 0x3fd expect 0x78
    end
on vcpu 1:
    repeat 200
        pci read l 00:01.0 0 expect 0x12345678
    end
end
vcpu 1
in b 0x3fb expect 0x03
vcpu 0
balloon out 0x300 2
expect frame 0x300 unpopulated
expect frame 0x302 populated
expect error EFAULT
ram write 0x301000 1
balloon in 0x300 2
expect frame 0x301 populated
ram expect 0x300ffc 0 0 0 0 0 0 0 0
grant 5 0x10 ro
expect error EBUSY
grant 5 0x11
grant end 5
expect error EINVAL
grant 99999 0x10
expect shutdown none
expect isa-irq 4 low
echo "done"
SCN

out=$($G -d "$D" run "$D/good.scn" 2>"$D/err")
rc=$?
if [ $rc -eq 0 ]; then ok "scenario runs against a real domain"; else notok "scenario (exit $rc): $(cat "$D/err")"; fi
want="pci read w 00:03.0 0x2 = 0x5678
ram checksum 0x11000 0x8 = 0x51705056
done"
if [ "$out" = "$want" ]; then ok "read results printed"; else notok "output: '$out'"; fi
grep -q "bytes=686921" "$D/responder.log" && ok "rep outsb reached the device model" || notok "rep outsb bytes not in responder log"
grep -q "invalidate" "$D/responder.log" && ok "balloon out broadcast INVALIDATE" || notok "no invalidate"
grep -q "rep=3 size=1" "$D/responder.log" && ok "movs-to-mmio reached the device model" || notok "no movs to mmio"

# A failing expectation: exit 1 with file:line, later lines not run.
n0=$(wc -l <"$D/responder.log")
printf 'in b 0x3fd expect 0x78\nin b 0x3fd expect 0x79\nout b 0x3f9 0x55\n' >"$D/fail.scn"
$G -d "$D" run "$D/fail.scn" >/dev/null 2>"$D/err"
rc=$?
[ $rc -eq 1 ] && grep -qxF "$D/fail.scn:2: expected 0x79, got 0x78" "$D/err" &&
    ok "failed expectation reported" || notok "failed expectation (exit $rc): $(cat "$D/err")"
n1=$(wc -l <"$D/responder.log")
[ $((n1 - n0)) -eq 2 ] && ok "run stopped at the failure" || notok "responder saw $((n1 - n0)) requests, want 2"

# A malformed second file: nothing runs at all.
printf 'out b 0x3f9 0x66\nrepeat 2\n' >"$D/bad.scn"
$G -d "$D" run "$D/good.scn" "$D/bad.scn" >/dev/null 2>"$D/err"
rc=$?
n2=$(wc -l <"$D/responder.log")
[ $rc -eq 1 ] && grep -qxF "$D/bad.scn:2: 'repeat' without 'end'" "$D/err" && [ "$n2" -eq "$n1" ] &&
    ok "malformed scenario rejected before running" || notok "malformed (exit $rc, $((n2 - n1)) requests): $(cat "$D/err")"

# Raw injection (stubs/guest/raw.h): the responder answers a raw slot
# request, ignores a slot not marked READY (the slot is reset after the
# timeout, so the next request works), and drains raw buffered slots.
cat >"$D/raw.scn" <<'SCN'
raw ioreq type=pio size=1 addr=0x3fd dir=read expect data 0x78
timeout 200
raw ioreq vcpu=1 type=pio size=1 addr=0x3fd dir=read state=none expect timeout
raw ioreq vcpu=1 type=pio size=1 addr=0x3fd dir=read expect data 0x78
raw buffered slot type=copy size=1 addr=0xa0123 data=0x41 slot type=copy size=2 addr=0xa0124 data=0x4243
sleep 200
raw buffered-ptrs expect rp=2 wp=2
SCN
$G -d "$D" run "$D/raw.scn" >/dev/null 2>"$D/err" && ok "raw ioreq/buffered scenario" ||
    notok "raw scenario: $(cat "$D/err")"
grep -q "buf w addr=0xa0124 size=2 data=0x4243" "$D/responder.log" &&
    ok "raw buffered slots reached the device model" || notok "raw buffered slots not seen"

# A device model that does not answer.
kill -STOP "$RPID"
$G -d "$D" exec 'timeout 200' 'expect error ETIMEDOUT' 'in b 0x3fd' >/dev/null 2>"$D/err"
rc=$?
kill -CONT "$RPID"
[ $rc -eq 0 ] && ok "ETIMEDOUT from a stopped device model" || notok "timeout (exit $rc): $(cat "$D/err")"
sleep 0.2
$G -d "$D" exec 'in b 0x3fd expect 0x78' >/dev/null 2>"$D/err" &&
    ok "device model answers again after SIGCONT" || notok "after SIGCONT: $(cat "$D/err")"

[ $fails -eq 0 ] && echo "xensim-guest e2e: all checks passed"
[ $fails -eq 0 ]
