#!/bin/sh
# xenstored-tools.sh - Debian's xenstore-* tools against xensim's xenstored.
#
# Starts $B/xsd-serve (under $VALGRIND if set) on a temp socket with a
# domain-5 socket, drives xenstore-write/-read/-ls/-list/-chmod/-rm/-watch
# through XENSTORED_PATH and checks their output; then stops the server
# with SIGTERM and checks it exits 0 and removes its sockets.
# Environment: B (build dir), TOP (repo root), VALGRIND (prefix or empty).
set -u
B=${B:-build}
TOP=${TOP:-.}
fail=0
tmp=$(mktemp -d /tmp/xenstored-tools.XXXXXX)
sock=$tmp/socket
pid=
watch_pid=

# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
    [ -n "$watch_pid" ] && kill "$watch_pid" 2>/dev/null
    [ -n "$pid" ] && kill "$pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT

for t in xenstore-write xenstore-read xenstore-ls xenstore-list \
         xenstore-chmod xenstore-rm xenstore-watch; do
    if ! command -v "$t" >/dev/null 2>&1; then
        echo "xenstored-tools: $t missing (apt-get install xenstore-utils)"
        exit 1
    fi
done

bad() {
    echo "FAIL: $*"
    fail=1
}

# check_eq WHAT EXPECTED ACTUAL
check_eq() {
    if [ "$2" = "$3" ]; then
        echo "ok: $1"
    else
        bad "$1"
        printf '  expected: [%s]\n  actual:   [%s]\n' "$2" "$3"
    fi
}

case "$B" in
/*) serve=$B/xsd-serve ;;
*) serve=$TOP/$B/xsd-serve ;;
esac
# shellcheck disable=SC2086
${VALGRIND:-} "$serve" --socket "$sock" --domain 5 \
    >"$tmp/serve.out" 2>"$tmp/serve.err" &
pid=$!
i=0
while ! grep -q '^ready$' "$tmp/serve.out" 2>/dev/null; do
    i=$((i + 1))
    if [ $i -gt 300 ] || ! kill -0 "$pid" 2>/dev/null; then
        echo "FAIL: xsd-serve did not become ready"
        cat "$tmp/serve.err"
        exit 1
    fi
    sleep 0.1
done

XENSTORED_PATH=$sock
export XENSTORED_PATH
d5() { XENSTORED_PATH=$sock.d5 "$@"; }

xenstore-write /vm/name guest1 /vm/uuid 1234-abcd
check_eq "xenstore-write exit status" 0 $?
check_eq "xenstore-read" guest1 "$(xenstore-read /vm/name)"
check_eq "xenstore-read two keys" "guest1
1234-abcd" "$(xenstore-read /vm/name /vm/uuid)"
check_eq "xenstore-ls subtree" 'name = "guest1"
uuid = "1234-abcd"' "$(xenstore-ls /vm)"
check_eq "xenstore-list" "name
uuid" "$(xenstore-list /vm)"
xenstore-write /vm/device/vbd/768/state 4
check_eq "xenstore-ls nested" 'name = "guest1"
uuid = "1234-abcd"
device = ""
 vbd = ""
  768 = ""
   state = "4"' "$(xenstore-ls /vm)"
check_eq "xenstore-ls -f" '/vm/device/vbd/768/state = "4"' \
    "$(xenstore-ls -f /vm | grep state)"
if xenstore-read /vm/missing >/dev/null 2>&1; then
    bad "reading a missing key succeeded"
else
    echo "ok: missing key fails"
fi

# permissions, and the domain-5 connection
xenstore-chmod /vm/name n0 r5
check_eq "xenstore-chmod then ls -p" '(n0,r5)' \
    "$(xenstore-ls -p /vm | sed -n 's/^name = .*\((.*)\)$/\1/p')"
check_eq "dom5 reads r5 node" guest1 "$(d5 xenstore-read /vm/name)"
if d5 xenstore-read /vm/uuid >/dev/null 2>&1; then
    bad "dom5 read an n0 node"
else
    echo "ok: dom5 denied n0 node"
fi
if d5 xenstore-write /vm/name evil >/dev/null 2>&1; then
    bad "dom5 wrote a read-only node"
else
    echo "ok: dom5 denied write"
fi
check_eq "value unchanged" guest1 "$(xenstore-read /vm/name)"
xenstore-write /local/domain/5 ""
xenstore-chmod /local/domain/5 n5
d5 xenstore-write data/feature 1
check_eq "dom5 writes its relative path" 1 \
    "$(xenstore-read /local/domain/5/data/feature)"
check_eq "dom5 owns what it created" '(n5)' \
    "$(xenstore-ls -p /local/domain/5 | sed -n 's/^ feature = .*\((.*)\)$/\1/p')"
xenstore-chmod -r /vm n0 b5
check_eq "chmod -r reaches leaves" '(n0,b5)' \
    "$(xenstore-ls -p /vm | sed -n 's/^   state = .*\((.*)\)$/\1/p')"

# watches: initial event, a write below, a removal
xenstore-watch -n 3 /vm/device >"$tmp/watch.out" 2>&1 &
watch_pid=$!
i=0
while [ ! -s "$tmp/watch.out" ] && [ $i -lt 100 ]; do
    sleep 0.05
    i=$((i + 1))
done
xenstore-write /vm/device/vif/0/mac 00:16:3e:00:00:01
xenstore-write /vm/unrelated 1
xenstore-rm /vm/device/vbd
i=0
while kill -0 "$watch_pid" 2>/dev/null && [ $i -lt 100 ]; do
    sleep 0.05
    i=$((i + 1))
done
if kill -0 "$watch_pid" 2>/dev/null; then
    bad "xenstore-watch did not get 3 events"
    kill "$watch_pid"
fi
watch_pid=
check_eq "xenstore-watch events" "/vm/device
/vm/device/vif/0/mac
/vm/device/vbd" "$(cat "$tmp/watch.out")"

xenstore-rm /vm/device
check_eq "xenstore-rm" 'name = "guest1"
uuid = "1234-abcd"
unrelated = "1"' "$(xenstore-ls /vm)"

# a clean stop
kill -TERM "$pid"
wait "$pid"
rc=$?
pid=
check_eq "xsd-serve exit status after SIGTERM" 0 "$rc"
if [ -e "$sock" ] || [ -e "$sock.d5" ]; then
    bad "sockets left behind"
fi
if [ -s "$tmp/serve.err" ]; then
    echo "xsd-serve stderr:"
    cat "$tmp/serve.err"
fi
exit $fail
