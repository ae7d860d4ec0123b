#!/bin/sh
# build.sh - build the libFuzzer targets with clang, apart from the gcc
# build (own objects, own flags): build.sh OUTDIR
# Exit 0 built; 77 when clang or its libFuzzer runtime is missing (Debian:
# clang and libclang-rt-14-dev); 1 on a compile error.
set -u
TOP=${TOP:-$(pwd)}
out=${1:?usage: build.sh OUTDIR}
CLANG=${CLANG:-}
if [ -z "$CLANG" ]; then
    for c in clang clang-16 clang-15 clang-14; do
        command -v "$c" >/dev/null 2>&1 && { CLANG=$c; break; }
    done
fi
[ -n "$CLANG" ] || { echo "fuzz: clang not installed (apt-get install clang libclang-rt-14-dev)"; exit 77; }
mkdir -p "$out" || exit 1
# Is libFuzzer's runtime there?
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n);\nint LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' >"$out/probe.c"
if ! "$CLANG" -fsanitize=fuzzer "$out/probe.c" -o "$out/probe" >/dev/null 2>&1; then
    echo "fuzz: $CLANG has no libFuzzer runtime (apt-get install libclang-rt-14-dev)"
    rm -f "$out/probe.c" "$out/probe"
    exit 77
fi
rm -f "$out/probe.c" "$out/probe"
glib=$(pkg-config --cflags glib-2.0 2>/dev/null)
glib_libs=$(pkg-config --libs glib-2.0 2>/dev/null || echo -lglib-2.0)
srcs="tests/fuzz/fuzz_ioreq.c xen/ioreq.c util/log.c memory/system.c memory/region.c
      memory/flatview.c memory/address-space.c memory/listener.c memory/mtree.c
      memory/access.c memory/rw.c memory/map.c memory/ramblock.c memory/dirty.c
      memory/iommu.c"
# Only the code under test gets coverage feedback and the sanitizers.
cd "$TOP" || exit 1
# shellcheck disable=SC2086
exec "$CLANG" -std=gnu11 -O1 -g -D_GNU_SOURCE -fno-strict-aliasing -pthread \
    -I. -include config.h $glib -Wall -Wno-unused-parameter \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -fno-omit-frame-pointer \
    $srcs -o "$out/fuzz_ioreq" $glib_libs -lpthread -lm
