# lib.sh - helpers shared by the demo (demo.sh) and the QEMU comparison
# (tests/scenarios/qemu-compare.sh). Sourced, POSIX sh.
#
# Needs B (absolute build dir). dm_env_start makes a private xensim run
# directory (XENSIM_DIR, in /tmp: socket paths must stay short), starts
# xensimd and creates domain 1; dm_start launches a device model through
# `xensim run-dm` as libxl would; dm_env_stop tears everything down (it is
# safe to call twice, and from a trap on any failure). Only processes this
# file started are ever signalled, by pid.

XSIM_D='' XSIM_DPID='' DM_RPID='' DM_LOG='' DM_PID='' DM_RC=0

# say TEXT...: a line of the demo's narration.
say() { printf '%s\n' "$*"; }

# dm_env_start MEM_MB VCPUS: xensimd in a fresh run directory, domain 1.
dm_env_start() {
    XSIM_D=$(mktemp -d /tmp/xendm-demo.XXXXXX) || return 1
    export XENSIM_DIR="$XSIM_D"
    export XENSTORED_PATH="$XSIM_D/xenstored.sock"
    "$B/xensimd" >"$XSIM_D/xensimd.log" 2>&1 &
    XSIM_DPID=$!
    for _ in $(seq 1 100); do
        [ -S "$XSIM_D/ctl.sock" ] && [ -S "$XSIM_D/xenstored.sock" ] && break
        sleep 0.05
    done
    [ -S "$XSIM_D/ctl.sock" ] || { say "xensimd did not start:"; cat "$XSIM_D/xensimd.log"; return 1; }
    "$B/xensim" create 1 "$1" "$2" >/dev/null || { say "cannot create domain 1"; return 1; }
}

# dm_start LOG TIMEOUT_S PROG ARGS...: `xensim run-dm` in the background,
# output to LOG; waits for "dm running" (device-model state = running).
dm_start() {
    DM_LOG=$1; t=$2; shift 2
    LD_LIBRARY_PATH="$B/stubs/lib" "$B/xensim" run-dm -t "$t" 1 -- "$@" >"$DM_LOG" 2>&1 &
    DM_RPID=$!
    for _ in $(seq 1 $((t * 20))); do
        grep -q "^dm running" "$DM_LOG" && break
        kill -0 "$DM_RPID" 2>/dev/null || break
        sleep 0.05
    done
    DM_PID=$(sed -n 's/^dm started pid=\([0-9]*\).*/\1/p' "$DM_LOG" | head -n 1)
    grep -q "^dm running" "$DM_LOG"
}

# dm_wait_exit TENTHS: wait for run-dm to finish (it reaps the DM); 0 when
# it did, with its exit status in DM_RC.
dm_wait_exit() {
    [ -n "$DM_RPID" ] || return 0
    for _ in $(seq 1 "$1"); do
        if ! kill -0 "$DM_RPID" 2>/dev/null; then
            wait "$DM_RPID" 2>/dev/null
            # shellcheck disable=SC2034  # read by demo.sh
            DM_RC=$?
            DM_RPID=
            return 0
        fi
        sleep 0.1
    done
    return 1
}

# dm_stop: ask the DM to quit over QMP (libxl's way), then insist.
dm_stop() {
    [ -n "$DM_RPID" ] || return 0
    "$B/xensim" qmp-quit 1 >/dev/null 2>&1
    dm_wait_exit 50 && return 0
    [ -n "$DM_PID" ] && kill "$DM_PID" 2>/dev/null
    dm_wait_exit 30 && return 0
    [ -n "$DM_PID" ] && kill -9 "$DM_PID" 2>/dev/null
    kill "$DM_RPID" 2>/dev/null
    wait "$DM_RPID" 2>/dev/null
    DM_RPID=
}

# dm_env_stop: the DM, xensimd, the run directory.
dm_env_stop() {
    dm_stop
    if [ -n "$XSIM_DPID" ]; then
        "$B/xensim" stop >/dev/null 2>&1
        for _ in $(seq 1 30); do kill -0 "$XSIM_DPID" 2>/dev/null || break; sleep 0.1; done
        kill "$XSIM_DPID" 2>/dev/null
        wait "$XSIM_DPID" 2>/dev/null
        XSIM_DPID=
    fi
    [ -n "$XSIM_D" ] && rm -rf "$XSIM_D"
    XSIM_D=
}

# mon COMMAND: run a monitor command through the xenstore keys; prints the
# result (all parts); returns 1 unless the status is ok.
MON=/local/domain/0/device-model/1/monitor
mon() {
    old=$(xenstore-read "$MON/seq" 2>/dev/null)
    xenstore-write "$MON/command" "$1" || return 1
    for _ in $(seq 1 100); do
        [ "$(xenstore-read "$MON/seq" 2>/dev/null)" != "$old" ] && break
        sleep 0.05
    done
    parts=$(xenstore-read "$MON/result-parts" 2>/dev/null || echo 1)
    xenstore-read "$MON/result" | sed 's/\\n/\n/g; s/\\t/\t/g'
    i=1
    while [ "$i" -lt "$parts" ]; do
        xenstore-read "$MON/result-more/$i" | sed 's/\\n/\n/g; s/\\t/\t/g'
        i=$((i + 1))
    done
    [ "$(xenstore-read "$MON/status")" = ok ]
}

# crc32 FILE SKIP_SECTORS NR_SECTORS: CRC-32 (zlib's) of a range of a disk
# image, as 0x%08x, from gzip's trailer (no python needed).
crc32() {
    dd if="$1" bs=512 skip="$2" count="$3" 2>/dev/null | gzip -1 -c | tail -c 8 |
        od -An -tu1 -N4 | awk '{ printf "0x%02x%02x%02x%02x\n", $4, $3, $2, $1 }'
}
