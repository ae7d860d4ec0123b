#!/bin/sh
# cli.sh - xensim-guest's command line without a domain: help, version,
# usage errors (exit 2), --check of good and malformed files (exit 0 / 1
# with "file:line: message"), stdin, and a failed attach (exit 1).
# Environment: B (build dir), TOP (repo root), VALGRIND (prefix or empty).
set -u
G="${VALGRIND:-} $B/xensim-guest"
tmp=$(mktemp -d /tmp/xsg-cli-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fails=0

# expect_rc WANT-RC WANT-STDERR-SUBSTRING ARGS...
expect_rc() {
    want=$1 msg=$2
    shift 2
    # shellcheck disable=SC2086
    $G "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
    rc=$?
    if [ "$rc" -ne "$want" ]; then
        echo "FAIL: xensim-guest $*: exit $rc, want $want"; cat "$tmp/err"
        fails=$((fails + 1))
    elif [ -n "$msg" ] && ! grep -qF -- "$msg" "$tmp/err"; then
        echo "FAIL: xensim-guest $*: stderr lacks '$msg':"; cat "$tmp/err"
        fails=$((fails + 1))
    fi
}

expect_rc 0 "" --help
grep -q "Usage: xensim-guest" "$tmp/out" || { echo "FAIL: --help text"; fails=$((fails + 1)); }
expect_rc 0 "" --version
grep -q "^xensim-guest [0-9]" "$tmp/out" || { echo "FAIL: --version text"; fails=$((fails + 1)); }
expect_rc 2 "missing command" 
expect_rc 2 "unknown command 'frob'" frob
expect_rc 2 "run needs at least one FILE" run
expect_rc 2 "exec needs at least one COMMAND" exec
expect_rc 2 "--check needs at least one FILE" --check
expect_rc 2 "bad domid" --domid 0x10000 run x
expect_rc 2 "bad timeout" --timeout 0 run x
expect_rc 2 "Try 'xensim-guest --help'" --no-such-option

cat >"$tmp/good.scn" <<'SCN'
# a well-formed scenario
wait servers 1 timeout 100
in b 0x3fd expect 0x60 mask 0x60
parallel
on vcpu 0: out b 0x3f8 0x41
on vcpu 1:
    repeat 2
        pci read l 00:00.0 0 expect 0x12378086
    end
end
ram write 0x1000 "hi\n" 0
expect shutdown none
SCN
printf 'out b 0x80 1\n\nparallel\non vcpu 0:\n' >"$tmp/bad.scn"
printf 'out b 0x80 1\nout b 0x3g8 1\n' >"$tmp/bad2.scn"
expect_rc 0 "" --check "$tmp/good.scn"
expect_rc 0 "" --check run "$tmp/good.scn" "$tmp/good.scn"
expect_rc 1 "$tmp/bad.scn:3: 'parallel' without 'end'" --check "$tmp/bad.scn"
# every file is checked and reported, not just the first bad one
expect_rc 1 "$tmp/bad2.scn:2: bad number '0x3g8'" --check "$tmp/bad.scn" "$tmp/bad2.scn"
grep -qF "$tmp/bad.scn:3:" "$tmp/err" || { echo "FAIL: first bad file not reported"; fails=$((fails + 1)); }
expect_rc 1 "$tmp/missing.scn: No such file or directory" --check "$tmp/missing.scn"
expect_rc 1 "exec:2: out: missing VALUE" exec 'out b 0x80 1' 'out b 0x80'
# stdin
if ! printf 'frob\n' | $G --check - 2>"$tmp/err"; then
    grep -qF "<stdin>:1: unknown command 'frob'" "$tmp/err" || { echo "FAIL: stdin message"; cat "$tmp/err"; fails=$((fails + 1)); }
else
    echo "FAIL: --check - accepted 'frob'"; fails=$((fails + 1))
fi
# a malformed file is rejected before attaching (no run dir needed)
expect_rc 1 "$tmp/bad2.scn:2: bad number" --run-dir "$tmp/none" run "$tmp/good.scn" "$tmp/bad2.scn"
# a good file against a missing run directory: attach fails
expect_rc 1 "cannot attach to domain 1 in $tmp/none" --run-dir "$tmp/none" run "$tmp/good.scn"

[ "$fails" -eq 0 ] && echo "xensim-guest cli: all checks passed"
[ "$fails" -eq 0 ]
