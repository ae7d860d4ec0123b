#!/bin/sh
# xensim-toolstack.sh - xensimd, the xensim CLI's toolstack role (run-dm:
# launch, wait for device-model state=running, reap, report), a device
# model on the drop-in libraries answering the guest side, ballooning,
# leak detection, and xenstore fault injection.
. "${TOP:-.}/tests/scenarios/xensim-lib.sh"
xsim_start
check "create domain 1" "$B/xensim" create 1 64 2

timeout 10 xenstore-watch -n 2 /local/domain/0/device-model/1/state \
    > "$XSIM_DIR/watch.log" 2>&1 &
wpid=$!
sleep 0.3
LD_LIBRARY_PATH="$XSIM_LIBS" "$B/xensim" run-dm 1 -- \
    ${VALGRIND:-} "$B/xensim-responder" -d 1 -x -p 0x3f8:0x3ff -p 0xcf8:0xcff -c 0x08 \
    > "$XSIM_DIR/rundm.log" 2>&1 &
rpid=$!
check "device model reaches state=running" wait_for "$XSIM_DIR/rundm.log" "dm running"
"$B/xensim-probe" 1 wait 1 , in 0x3fd 1 , pci 0 1 0 0 4 , ramw 0x10000 hi! , \
    outs 0x3f8 0x10000 3 , balloon 0x300 2 > "$XSIM_DIR/probe.log" 2>&1
check "probe ran" test $? -eq 0
check "LSR-like read answered" grep -q "in 0x3fd = 0x78" "$XSIM_DIR/probe.log"
check "PCI config answered" grep -q "pci 0:1.0@0 = 0x12345678" "$XSIM_DIR/probe.log"
check "rep outsb reached the device model" grep -q "bytes=686921" "$XSIM_DIR/rundm.log"
check "invalidate broadcast" grep -q "^invalidate" "$XSIM_DIR/rundm.log"
wait $wpid
check "xenstore-watch saw the state change" test "$(grep -c device-model/1/state "$XSIM_DIR/watch.log")" -ge 2
check "xenstore state node" sh -c "xenstore-read /local/domain/0/device-model/1/state | grep -qx running"
check "xenstore-write then xenstore-read" sh -c "xenstore-write /local/domain/1/data/x 42 && test \"\$(xenstore-read /local/domain/1/data/x)\" = 42"
check "xenstore-ls sees the domain" sh -c "xenstore-ls /local/domain/1 | grep -q 'name = \"guest1\"'"
dmpid=$(sed -n 's/^dm started pid=//p' "$XSIM_DIR/rundm.log")
kill -TERM "$dmpid"
wait $rpid
rc=$?
check "run-dm exit 0 (clean exit, no leak)" test $rc -eq 0
check "exit status reported" grep -q "dm exit status=0" "$XSIM_DIR/rundm.log"
check "zero outstanding mappings" grep -q "foreign_maps=0 foreign_pages=0 resource_maps=0 grant_maps=0" "$XSIM_DIR/rundm.log"

# libxl passes -smp N,maxcpus=N for the domain's vCPUs.
check "qemu-args passes -smp 2,maxcpus=2" sh -c "'$B/xensim' qemu-args 1 64 | grep -q -- '-smp 2,maxcpus=2 '"

# A device model that shuts the domain down: like libxl, run-dm then stops
# it (no QMP socket here: SIGTERM at once) and reports the reason.
LD_LIBRARY_PATH="$XSIM_LIBS" "$B/xensim" run-dm -n -k 2 1 -- \
    "$B/xensim-responder" -d 1 -p 0xb004:0xb005 -s 0xb004 > "$XSIM_DIR/off.log" 2>&1 &
rpid=$!
"$B/xensim-probe" 1 wait 1 , out 0xb004 2 1 > "$XSIM_DIR/probe2.log" 2>&1
check "shutdown write completed" test $? -eq 0
check "guest I/O stops after shutdown" sh -c "! '$B/xensim-probe' 1 in 0xb004 2 2>/dev/null"
wait $rpid
rc=$?
check "run-dm stopped the device model on shutdown (exit 0)" test $rc -eq 0
check "shutdown reason reported" grep -q "dm shutdown reason=reboot" "$XSIM_DIR/off.log"
check "device model asked to quit" grep -q "dm domain shut down (reason=reboot): no QMP, sending SIGTERM" "$XSIM_DIR/off.log"
check "device model exit status reported" grep -q "dm exit status=0" "$XSIM_DIR/off.log"

# A leaking device model fails the run.
LD_LIBRARY_PATH="$XSIM_LIBS" "$B/xensim" run-dm -n 1 -- \
    "$B/xensim-responder" -d 1 -p 0x60 -n 0 --leak > "$XSIM_DIR/leak.log" 2>&1
rc=$?
check "leak detected (exit 3)" test $rc -eq 3
check "leak reported" grep -q "LEAK" "$XSIM_DIR/leak.log"


check "xenstore connections can be dropped" sh -c "'$B/xensim' xs-drop | grep -q '^ok dropped'"
check "destroy domain" "$B/xensim" destroy 1
check "domain gone" sh -c "! '$B/xensim' info 1 2>/dev/null"
"$B/xensim" stop > /dev/null
wait "$XSIM_DPID"; XSIM_DPID=
exit $XSIM_FAIL
