#!/bin/sh
# xendm-restrict.sh - `-xen-domid-restrict`: xendm restricts its Xen
# handles to the guest before touching guest memory, serves the guest,
# writes no xenstore state (run-dm -n; QMP query-status says running) and
# can no longer map another domain's memory. The last point is observed
# inside the real process: a tiny LD_PRELOAD shim (built here with $CC)
# wraps xentoolcore_restrict_all() and the foreign-memory map calls,
# records their order, and at xendm's first mapping of guest memory tries
# to map a frame of domain 2 through the same handle. Unrestricted, that
# probe succeeds (and is unmapped again); restricted, it must fail EPERM.
# Environment: B (build dir), TOP (repo root), VALGRIND (prefix or empty).
TOP=${TOP:-$(pwd)}
. "$TOP/tests/scenarios/xendm-lib.sh"

CC=${CC:-cc}
cat >"$XD_DIR/shim.c" <<'CEOF'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <xenforeignmemory.h>

static int restricted, probed;

static void note(const char *fmt, int a, int b)
{
    const char *path = getenv("XD_SHIM_LOG");
    FILE *f = path ? fopen(path, "a") : NULL;

    if (f) {
        fprintf(f, fmt, a, b);
        fputc('\n', f);
        fclose(f);
    }
}

/* Map gfn 0 of domain 2 through @h: what a compromised DM would try. */
static void probe(xenforeignmemory_handle *h)
{
    void *(*map2)(xenforeignmemory_handle *, uint32_t, void *, int, int,
                  size_t, const xen_pfn_t *, int *) =
        (void *(*)(xenforeignmemory_handle *, uint32_t, void *, int, int,
                   size_t, const xen_pfn_t *, int *))dlsym(RTLD_NEXT, "xenforeignmemory_map2");
    xen_pfn_t gfn = 0;
    int err = 0;
    void *p;

    if (probed)
        return;
    probed = 1;
    p = map2(h, 2, NULL, PROT_READ, 0, 1, &gfn, &err);
    if (p && err == 0) {
        note("probe other-domain map: ok (restricted=%d)", restricted, 0);
        xenforeignmemory_unmap(h, p, 1);
    } else {
        if (p)
            xenforeignmemory_unmap(h, p, 1);
        note("probe other-domain map: errno=%d (restricted=%d)", p ? -err : errno, restricted);
    }
}

int xentoolcore_restrict_all(uint32_t domid)
{
    int (*real)(uint32_t) = (int (*)(uint32_t))dlsym(RTLD_NEXT, "xentoolcore_restrict_all");
    int rc = real(domid);

    restricted = rc == 0;
    note("restrict domid=%d rc=%d", (int)domid, rc);
    return rc;
}

void *xenforeignmemory_map2(xenforeignmemory_handle *h, uint32_t dom, void *addr,
                            int prot, int flags, size_t pages,
                            const xen_pfn_t arr[], int err[])
{
    void *(*real)(xenforeignmemory_handle *, uint32_t, void *, int, int, size_t,
                  const xen_pfn_t *, int *) =
        (void *(*)(xenforeignmemory_handle *, uint32_t, void *, int, int, size_t,
                   const xen_pfn_t *, int *))dlsym(RTLD_NEXT, "xenforeignmemory_map2");

    note("map2 domid=%d restricted=%d", (int)dom, restricted);
    probe(h);
    return real(h, dom, addr, prot, flags, pages, arr, err);
}

void *xenforeignmemory_map(xenforeignmemory_handle *h, uint32_t dom, int prot,
                           size_t pages, const xen_pfn_t arr[], int err[])
{
    void *(*real)(xenforeignmemory_handle *, uint32_t, int, size_t,
                  const xen_pfn_t *, int *) =
        (void *(*)(xenforeignmemory_handle *, uint32_t, int, size_t,
                   const xen_pfn_t *, int *))dlsym(RTLD_NEXT, "xenforeignmemory_map");

    note("map domid=%d restricted=%d", (int)dom, restricted);
    probe(h);
    return real(h, dom, prot, pages, arr, err);
}

xenforeignmemory_resource_handle *xenforeignmemory_map_resource(
    xenforeignmemory_handle *h, domid_t dom, unsigned int type, unsigned int id,
    unsigned long frame, unsigned long nr_frames, void **paddr, int prot, int flags)
{
    xenforeignmemory_resource_handle *(*real)(xenforeignmemory_handle *, domid_t,
        unsigned int, unsigned int, unsigned long, unsigned long, void **, int, int) =
        (xenforeignmemory_resource_handle *(*)(xenforeignmemory_handle *, domid_t,
        unsigned int, unsigned int, unsigned long, unsigned long, void **, int, int))
        dlsym(RTLD_NEXT, "xenforeignmemory_map_resource");

    note("map_resource domid=%d restricted=%d", (int)dom, restricted);
    return real(h, dom, type, id, frame, nr_frames, paddr, prot, flags);
}
CEOF
if ! $CC -shared -fPIC -O1 -Wall -o "$XD_DIR/shim.so" "$XD_DIR/shim.c" -ldl >"$XD_DIR/cc.log" 2>&1; then
    notok "cannot build the preload shim: $(cat "$XD_DIR/cc.log")"
    xd_finish
fi
# An ASan binary wants its runtime first; the shim only wraps library calls.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"

xd_start_sim
"$B/xensim" create 2 16 1 >/dev/null || { notok "cannot create domain 2"; xd_finish; }

cat >"$XD_DIR/guest.scn" <<'SCN'
in w 0x10 expect 0x49d2
pci read l 00:00.0 0 expect 0x12378086
out b 0x3ff 0x42
in b 0x3ff expect 0x42
ram write 0x10000 "abc"
outs b 0x3ff 3 0x10000
in b 0x3ff expect 0x63
balloon out 0x20 1
balloon in 0x20 1
SCN

# 1. Unrestricted, with the shim: the probe maps domain 2 (it can fail).
export XD_SHIM_LOG="$XD_DIR/shim-free.log"
LD_PRELOAD="$XD_DIR/shim.so" xd_start_dm
xd_scn_ok "unrestricted xendm serves the guest" "$XD_DIR/guest.scn"
xd_quit
grep -q '^probe other-domain map: ok (restricted=0)' "$XD_DIR/shim-free.log" &&
    ok "unrestricted: mapping domain 2 works (the probe can tell)" ||
    notok "unrestricted probe: $(cat "$XD_DIR/shim-free.log")"

# 2. Restricted.
export XD_SHIM_LOG="$XD_DIR/shim.log"
"$B/xensim" destroy 1 >/dev/null 2>&1
"$B/xensim" create 1 "$XD_MEM" "$XD_VCPUS" >/dev/null || { notok "cannot re-create domain 1"; xd_finish; }
: >"$XD_DIR/dm.log"
LD_PRELOAD="$XD_DIR/shim.so" xd_start_dm -n -xen-domid-restrict
# libxl cannot read a restricted DM's state key: it asks QMP until the
# status is "running" (the guest's vCPUs stay paused until then).
python3 - "$XD_DIR/qmp-libxl-1" "$XD_SLOW" <<'PYEOF' && ok "QMP query-status: running" || notok "QMP query-status never said running"
import json, socket, sys, time
slow = int(sys.argv[2])
end = time.time() + 15 * slow
while True:
    try:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(10 * slow)
        s.connect(sys.argv[1])
        break
    except OSError:
        if time.time() > end:
            sys.exit(1)
        time.sleep(0.1)
f = s.makefile("rb")
def recv():
    while True:
        m = json.loads(f.readline())
        if "event" not in m:
            return m
recv()
s.sendall(b'{"execute":"qmp_capabilities"}\n')
recv()
while time.time() < end:
    s.sendall(b'{"execute":"query-status"}\n')
    if recv().get("return", {}).get("status") == "running":
        sys.exit(0)
    time.sleep(0.1)
sys.exit(1)
PYEOF
xd_scn_ok "restricted xendm serves the guest" "$XD_DIR/guest.scn"
grep -q 'handles restricted to domain 1' "$XD_DIR/dm.log" && ok "xendm logs the restriction" ||
    notok "no restriction in the log"
first=$(head -1 "$XD_DIR/shim.log")
[ "$first" = "restrict domid=1 rc=0" ] &&
    ok "xentoolcore_restrict_all(1) before any guest memory is mapped" ||
    notok "first Xen call: '$first' ($(head -3 "$XD_DIR/shim.log" | tr '\n' ';'))"
grep -q "^probe other-domain map: errno=1 (restricted=1)" "$XD_DIR/shim.log" &&
    ok "restricted: mapping domain 2 through xendm's handle fails EPERM" ||
    notok "restricted probe: $(grep probe "$XD_DIR/shim.log")"
grep -q 'domid=2' "$XD_DIR/shim.log" && notok "xendm itself touched domain 2" || true
if xenstore-read "$XD_DM/state" >/dev/null 2>&1 || xenstore-read "$XD_DM/monitor/seq" >/dev/null 2>&1; then
    notok "restricted xendm wrote xenstore keys: $(xenstore-ls "$XD_DM" 2>&1 | head -5)"
else
    ok "no state or monitor keys in xenstore"
fi
xd_quit
xd_finish
