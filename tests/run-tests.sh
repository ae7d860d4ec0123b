#!/bin/sh
# run-tests.sh - run check suites, then test scripts; print one summary line.
#
# Usage: run-tests.sh SUITE... -- SCRIPT...
# Environment: VALGRIND (a command prefix, or empty), B (build dir), TOP.
# Each suite and script is one item; an item passes when it exits 0.
set -u
passed=0
failed=0
failures=""
phase=suites
for item in "$@"; do
    if [ "$item" = "--" ]; then phase=scripts; continue; fi
    name=$(basename "$item")
    echo "== $name"
    if [ "$phase" = suites ]; then
        # shellcheck disable=SC2086
        ${VALGRIND:-} "$item"
    else
        sh "$item"
    fi
    rc=$?
    if [ "$rc" -eq 0 ]; then
        passed=$((passed + 1))
    else
        echo "FAILED: $name (exit $rc)"
        failed=$((failed + 1))
        failures="$failures $name"
    fi
done
[ -n "$failures" ] && echo "failed:$failures"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
