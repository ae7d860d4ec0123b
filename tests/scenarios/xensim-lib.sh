# xensim-lib.sh - shared helpers for xensim's shell tests (sourced).
# Needs B (build dir). Starts a private xensimd in a fresh run directory;
# everything is torn down on exit.
B=${B:-build}
XSIM_FAIL=0
XSIM_DIR=$(mktemp -d /tmp/xsim-e2e-XXXXXX)
export XENSIM_DIR="$XSIM_DIR"
export XENSTORED_PATH="$XSIM_DIR/xenstored.sock"
XSIM_LIBS="$(cd "$B/stubs/lib" && pwd)"
XSIM_DPID=

xsim_cleanup() {
    if [ -n "$XSIM_DPID" ]; then
        kill "$XSIM_DPID" 2>/dev/null
        wait "$XSIM_DPID" 2>/dev/null
    fi
    rm -rf "$XSIM_DIR"
}
trap xsim_cleanup EXIT

xsim_start() {
    "$B/xensimd" > "$XSIM_DIR/xensimd.log" 2>&1 &
    XSIM_DPID=$!
    for _ in $(seq 1 100); do
        [ -S "$XSIM_DIR/ctl.sock" ] && return 0
        sleep 0.05
    done
    echo "xensimd did not start"; cat "$XSIM_DIR/xensimd.log"; exit 1
}

# wait_for FILE PATTERN [TENTHS]
wait_for() {
    for _ in $(seq 1 "${3:-100}"); do
        grep -q "$2" "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "timeout waiting for '$2' in $1:"; cat "$1"; return 1
}

check() {
    desc=$1; shift
    if "$@"; then echo "ok - $desc"; else echo "not ok - $desc"; XSIM_FAIL=1; fi
}
