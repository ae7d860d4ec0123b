#!/bin/sh
# fuzz-check.sh - `make check`'s short libFuzzer run of fuzz_ioreq
# (xen_ioreq_dispatch() and xen_ioreq_drain_buffered() on hostile input):
# build it with clang (tests/fuzz/build.sh, apart from the gcc build), replay
# the committed corpus, then fuzz for FUZZ_CHECK_SECS (default 20) seconds.
# Skips (exit 0, with a message) when clang or libFuzzer's runtime is
# missing. New inputs go to a temporary directory; the committed corpus is
# only read. `make fuzz` runs the long version.
# Environment: B (build dir), TOP (repo root), VALGRIND (ignored: the
# target is an ASan/UBSan build already).
set -u
B=${B:-build}
TOP=${TOP:-$(pwd)}
case "$B" in /*) ;; *) B="$TOP/$B" ;; esac
secs=${FUZZ_CHECK_SECS:-20}
TOP="$TOP" sh "$TOP/tests/fuzz/build.sh" "$B/fuzz"
rc=$?
if [ $rc -eq 77 ]; then
    echo "ok - fuzz_ioreq skipped (no clang / libFuzzer runtime)"
    exit 0
fi
[ $rc -eq 0 ] || { echo "not ok - fuzz_ioreq does not build"; exit 1; }
work=$(mktemp -d /tmp/xendm-fuzz-XXXXXX)
trap 'rm -rf "$work"' EXIT
if "$B/fuzz/fuzz_ioreq" -runs=0 "$TOP/tests/fuzz/corpus" >"$work/replay.log" 2>&1; then
    echo "ok - fuzz_ioreq replays the committed corpus ($(ls "$TOP/tests/fuzz/corpus" | wc -l) inputs)"
else
    echo "not ok - fuzz_ioreq fails on the committed corpus:"
    tail -40 "$work/replay.log"
    exit 1
fi
mkdir "$work/new"
if (cd "$work" && "$B/fuzz/fuzz_ioreq" -max_total_time="$secs" -max_len=1024 \
        -timeout=10 -rss_limit_mb=1024 -print_final_stats=1 \
        new "$TOP/tests/fuzz/corpus") >"$work/fuzz.log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/fuzz.log")
    echo "ok - fuzz_ioreq: ${runs:-?} inputs in ${secs} s, no crash, no sanitizer report"
else
    echo "not ok - fuzz_ioreq found a problem:"
    grep -v '^#' "$work/fuzz.log" | tail -60
    for c in "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-*; do
        [ -e "$c" ] || continue
        mkdir -p "$B/fuzz/artifacts"
        cp "$c" "$B/fuzz/artifacts/"
        echo "reproducer kept: $B/fuzz/artifacts/$(basename "$c")"
    done
    exit 1
fi
