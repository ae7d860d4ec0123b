# xendm-lib.sh - helpers for xendm's end-to-end scripts (sourced, POSIX sh).
#
# Starts a private xensimd in a fresh run directory, creates domain 1 and
# runs $B/xendm on it the way libxl does (`xensim run-dm`), optionally under
# $VALGRIND. Provides:
#   xd_start_sim                   xensimd + domain 1 (XD_MEM MiB, XD_VCPUS)
#   xd_start_dm [-n] [ARGS...]     run-dm in the background with libxl's
#                                  command line + ARGS; waits for running
#                                  (-n: no wait, for -xen-domid-restrict)
#   xd_scn FILE | xd_exec LINES... run a scenario (xensim-guest), quiet
#   xd_mon 'COMMAND'               monitor key command; prints result
#   xd_stat KEY                    a monitor/stats key (waits for refresh)
#   xd_quit                        QMP quit, waits for run-dm; checks exit 0
#   ok / notok / xd_finish         TAP-ish output and the exit status
# Everything is killed and removed on exit.
# Environment: B (build dir), TOP (repo root), VALGRIND (prefix or empty).
set -u
B=${B:-build}
TOP=${TOP:-$(pwd)}
case "$B" in /*) ;; *) B="$TOP/$B" ;; esac
XD_MEM=${XD_MEM:-64}
XD_VCPUS=${XD_VCPUS:-2}
# Valgrind makes everything ~20x slower.
if [ -n "${VALGRIND:-}" ]; then XD_SLOW=20; else XD_SLOW=1; fi
XD_FAILS=0
XD_DIR=$(mktemp -d /tmp/xendm-e2e-XXXXXX)
export XENSIM_DIR="$XD_DIR"
export XENSTORED_PATH="$XD_DIR/xenstored.sock"
XD_LIBS="$B/stubs/lib"
XD_DPID=
XD_RPID=
XD_DM="/local/domain/0/device-model/1"
XD_KEEP=${XD_KEEP:-}

for f in xendm xensimd xensim xensim-guest stubs/lib/libxenevtchn.so.1; do
    [ -e "$B/$f" ] || { echo "not ok - $B/$f is missing (build it first)"; exit 1; }
done

xd_cleanup() {
    if [ -n "$XD_RPID" ]; then
        # run-dm's child: the device model (maybe under valgrind).
        for p in $(pgrep -P "$XD_RPID" 2>/dev/null); do kill "$p" 2>/dev/null; done
        kill "$XD_RPID" 2>/dev/null
        wait "$XD_RPID" 2>/dev/null
    fi
    if [ -n "$XD_DPID" ]; then
        kill "$XD_DPID" 2>/dev/null
        wait "$XD_DPID" 2>/dev/null
    fi
    if [ -n "$XD_KEEP" ]; then echo "kept $XD_DIR"; else rm -rf "$XD_DIR"; fi
}
trap xd_cleanup EXIT
trap 'exit 2' INT TERM HUP PIPE

ok() { echo "ok - $1"; }
notok() { echo "not ok - $1"; XD_FAILS=$((XD_FAILS + 1)); }
# check DESC CMD...: ok when CMD succeeds.
check() {
    _d=$1; shift
    if "$@"; then ok "$_d"; else notok "$_d"; fi
}
xd_finish() {
    [ -n "${XD_LOGCOPY:-}" ] && cp "$XD_DIR/dm.log" "$XD_LOGCOPY"
    if [ "$XD_FAILS" -ne 0 ]; then
        echo "$XD_FAILS check(s) failed; device model log:"
        tail -n 40 "$XD_DIR/dm.log" 2>/dev/null
    fi
    [ "$XD_FAILS" -eq 0 ]
    exit $?
}

# wait_for FILE PATTERN [TENTHS]
wait_for() {
    _n=$(( ${3:-100} * XD_SLOW ))
    while [ "$_n" -gt 0 ]; do
        grep -q -e "$2" "$1" 2>/dev/null && return 0
        sleep 0.1
        _n=$((_n - 1))
    done
    return 1
}

xd_start_sim() {
    "$B/xensimd" >"$XD_DIR/xensimd.log" 2>&1 &
    XD_DPID=$!
    for _ in $(seq 1 200); do
        [ -S "$XD_DIR/ctl.sock" ] && break
        sleep 0.05
    done
    [ -S "$XD_DIR/ctl.sock" ] || { echo "not ok - xensimd did not start"; cat "$XD_DIR/xensimd.log"; exit 1; }
    "$B/xensim" create 1 "$XD_MEM" "$XD_VCPUS" >/dev/null ||
        { echo "not ok - cannot create domain 1"; exit 1; }
}

# xd_start_dm [-n] ARGS...: the device model with libxl's command line.
xd_start_dm() {
    _wait=1
    _n=
    if [ "${1:-}" = "-n" ]; then _wait=0; _n=-n; shift; fi
    # shellcheck disable=SC2086,SC2046
    LD_LIBRARY_PATH="$XD_LIBS" "$B/xensim" run-dm -t $((15 * XD_SLOW)) $_n 1 -- \
        ${VALGRIND:-} "$B/xendm" $("$B/xensim" qemu-args 1 "$XD_MEM") \
        "$@" \
        >"$XD_DIR/rundm.out" 2>"$XD_DIR/dm.log" &
    XD_RPID=$!
    if [ $_wait -eq 1 ]; then
        # run-dm returns only when the DM exits; watch xenstore instead.
        _n=$((150 * XD_SLOW))
        while [ "$_n" -gt 0 ]; do
            [ "$(xd_xsread "$XD_DM/state")" = running ] && break
            kill -0 "$XD_RPID" 2>/dev/null || break
            sleep 0.1
            _n=$((_n - 1))
        done
        if [ "$(xd_xsread "$XD_DM/state")" != running ]; then
            echo "not ok - xendm did not reach state=running"
            cat "$XD_DIR/rundm.out" "$XD_DIR/dm.log"
            exit 1
        fi
    fi
    # The guest side: wait until the ioreq server is enabled.
    xd_exec "wait servers 1 timeout $((10000 * XD_SLOW))" >/dev/null ||
        { echo "not ok - no ioreq server"; cat "$XD_DIR/dm.log"; exit 1; }
}

xd_xsread() { xenstore-read -R "$1" 2>/dev/null; }

# xd_scn FILE: run a scenario; its stderr goes to $XD_DIR/scn.err.
xd_scn() {
    "$B/xensim-guest" -D 1 -t $((5000 * XD_SLOW)) run "$1" 2>"$XD_DIR/scn.err"
}
xd_exec() {
    "$B/xensim-guest" -D 1 -t $((5000 * XD_SLOW)) exec "$@" 2>"$XD_DIR/scn.err"
}
# xd_scn_ok DESC FILE: run FILE, report.
xd_scn_ok() {
    if xd_scn "$2" >"$XD_DIR/scn.out"; then ok "$1"; else notok "$1: $(cat "$XD_DIR/scn.err")"; fi
}

# xd_mon COMMAND: run a monitor command through the xenstore keys, print
# the result (all parts); returns 1 when the status is not ok.
xd_mon() {
    _old=$(xd_xsread "$XD_DM/monitor/seq")
    xenstore-write "$XD_DM/monitor/command" "$1" || return 1
    _n=$((100 * XD_SLOW))
    while [ "$_n" -gt 0 ]; do
        [ "$(xd_xsread "$XD_DM/monitor/seq")" != "$_old" ] && break
        sleep 0.05
        _n=$((_n - 1))
    done
    [ "$_n" -gt 0 ] || return 1
    xd_xsread "$XD_DM/monitor/result"
    _parts=$(xd_xsread "$XD_DM/monitor/result-parts")
    _i=1
    while [ "$_i" -lt "${_parts:-1}" ]; do
        xd_xsread "$XD_DM/monitor/result-more/$_i"
        _i=$((_i + 1))
    done
    [ "$(xd_xsread "$XD_DM/monitor/status")" = ok ]
}

# xd_stat KEY: a stats key, after the next refresh (at most once a second).
xd_stat() {
    xd_xsread "$XD_DM/monitor/stats/$1"
}
# xd_stat_wait KEY MIN: wait until stats KEY >= MIN (3 s, scaled).
xd_stat_wait() {
    _n=$((40 * XD_SLOW))
    while [ "$_n" -gt 0 ]; do
        _v=$(xd_stat "$1")
        [ -n "$_v" ] && [ "$_v" -ge "$2" ] && return 0
        sleep 0.1
        _n=$((_n - 1))
    done
    echo "stats/$1 = '${_v:-}', wanted >= $2" >&2
    return 1
}

# xd_wait_dm: wait for run-dm to finish; its status in XD_RC.
xd_wait_dm() {
    _n=$((200 * XD_SLOW))
    while [ "$_n" -gt 0 ] && kill -0 "$XD_RPID" 2>/dev/null; do
        sleep 0.1
        _n=$((_n - 1))
    done
    if kill -0 "$XD_RPID" 2>/dev/null; then
        XD_RC=124
        return 1
    fi
    wait "$XD_RPID"
    XD_RC=$?
    XD_RPID=
    return 0
}

# xd_quit: QMP quit; run-dm must report a clean exit and no leaks.
xd_quit() {
    "$B/xensim" qmp-quit 1 >/dev/null 2>&1
    xd_wait_dm
    if [ "$XD_RC" -eq 0 ] && grep -q "dm exit status=0" "$XD_DIR/rundm.out"; then
        ok "quit: exit 0, no outstanding mappings"
    else
        notok "quit: run-dm exit $XD_RC: $(cat "$XD_DIR/rundm.out")"
    fi
}
