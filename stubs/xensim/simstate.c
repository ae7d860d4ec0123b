/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * simstate.c - create, open and lock xensim domains; RAM population;
 * accounting slots; event-channel delivery primitives.
 *
 * Design: see simstate.h. Everything here is shared between the daemon,
 * the drop-in libraries (compiled a second time as PIC) and the guest side,
 * so it uses no logging framework: errors are returned as -errno and the
 * callers decide what to print. No global state: a process's views of
 * domains live in the handles that opened them (struct xsim_domcache).
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/futex.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <unistd.h>

#include "stubs/xensim/simstate.h"

#define LOWMEM_END 0xf0000000ull
#define VGA_FIRST_GFN 0xa0u
#define VGA_LAST_GFN 0xbfu
#define HIGHMEM_GFN 0x100000ull

int xsim_run_open(struct xsim_run *run, const char *path)
{
    struct stat st;

    memset(run, 0, sizeof(*run));
    if (!path)
        path = getenv("XENSIM_DIR");
    if (!path || !*path) {
        fprintf(stderr, "xensim: XENSIM_DIR is not set (start xensimd and "
                "export XENSIM_DIR=<run dir>)\n");
        return -ENOENT;
    }
    {
        char *abs = realpath(path, NULL);

        if (abs && strlen(abs) < sizeof(run->path))
            memcpy(run->path, abs, strlen(abs) + 1);
        else
            run->path[0] = '\0';
        free(abs);
    }
    if (!run->path[0] || stat(run->path, &st) != 0 || !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "xensim: run directory %s is missing\n", path);
        return -ENOENT;
    }
    return 0;
}

static void dom_path(const struct xsim_run *run, uint32_t domid,
                     const char *leaf, char *buf, size_t len)
{
    snprintf(buf, len, "%s/dom%u%s%s", run->path, domid, leaf ? "/" : "",
             leaf ? leaf : "");
}

/* Give @gfn frame @frame. Locked (or not yet shared). */
static void p2m_set(struct xsim_shared *sh, uint64_t gfn, uint64_t frame)
{
    sh->p2m_gen++;
    sh->frame_bitmap[frame / 64] |= 1ull << (frame % 64);
    sh->frames_used++;
    sh->p2m[gfn] = (uint32_t)(frame + 1);
    sh->populated_count++;
}

/* The fresh RAM file is all holes: frames are handed out in gfn order. */
static void init_populated(struct xsim_shared *sh, uint64_t mem_bytes)
{
    uint64_t pages = mem_bytes >> XSIM_PAGE_SHIFT;
    uint64_t low = pages;
    uint64_t gfn;

    if (low > (LOWMEM_END >> XSIM_PAGE_SHIFT))
        low = LOWMEM_END >> XSIM_PAGE_SHIFT;
    for (gfn = 0; gfn < low; gfn++) {
        if (gfn >= VGA_FIRST_GFN && gfn <= VGA_LAST_GFN)
            continue;
        p2m_set(sh, gfn, sh->frame_next++);
    }
    for (gfn = HIGHMEM_GFN; gfn < HIGHMEM_GFN + (pages - low) &&
         gfn < XSIM_MAX_GFNS; gfn++)
        p2m_set(sh, gfn, sh->frame_next++);
}

int xsim_dom_create(const struct xsim_run *run, uint32_t domid,
                    uint64_t mem_bytes, uint32_t nr_vcpus)
{
    char dir[XSIM_DOM_PATH_MAX], p[PATH_MAX];
    pthread_mutexattr_t ma;
    struct xsim_shared *sh;
    int fd, rc = 0;

    if (nr_vcpus == 0 || nr_vcpus > XSIM_MAX_VCPUS ||
        mem_bytes > (XSIM_MAX_GFNS << XSIM_PAGE_SHIFT) / 2 || domid >= 0x7ff0)
        return -EINVAL;
    dom_path(run, domid, NULL, dir, sizeof(dir));
    if (mkdir(dir, 0700) != 0)
        return -errno;
    snprintf(p, sizeof(p), "%s/ram", dir);
    fd = open(p, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return -errno;
    if (ftruncate(fd, mem_bytes ? (off_t)(XSIM_MAX_GFNS << XSIM_PAGE_SHIFT)
                                : 0) != 0)
        rc = -errno;
    close(fd);
    if (rc)
        return rc;
    snprintf(p, sizeof(p), "%s/state.tmp", dir);
    fd = open(p, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return -errno;
    if (ftruncate(fd, sizeof(*sh)) != 0) {
        rc = -errno;
        close(fd);
        return rc;
    }
    sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (sh == MAP_FAILED)
        return -errno;
    pthread_mutexattr_init(&ma);
    pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
    pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST);
    pthread_mutex_init(&sh->lock, &ma);
    pthread_mutexattr_destroy(&ma);
    sh->domid = domid;
    sh->nr_vcpus = nr_vcpus;
    sh->mem_bytes = mem_bytes;
    for (unsigned int i = 0; i < 4; i++)
        sh->link_route[i] = 0x80; /* disabled, like PIIX3 at reset */
    init_populated(sh, mem_bytes);
    sh->version = XSIM_VERSION;
    atomic_thread_fence(memory_order_release);
    sh->magic = XSIM_MAGIC;
    munmap(sh, sizeof(*sh));
    {
        char dst[PATH_MAX];

        snprintf(dst, sizeof(dst), "%s/state", dir);
        if (rename(p, dst) != 0)
            return -errno;
    }
    return 0;
}

int xsim_dom_destroy(const struct xsim_run *run, uint32_t domid)
{
    char dir[XSIM_DOM_PATH_MAX], p[PATH_MAX];
    struct xsim_dom *d;
    int rc;

    rc = xsim_dom_open(run, domid, &d);
    if (rc)
        return rc;
    xsim_lock(d);
    d->sh->dead = 1;
    xsim_unlock(d);
    xsim_dom_close(d);
    dom_path(run, domid, NULL, dir, sizeof(dir));
    snprintf(p, sizeof(p), "%s/state", dir);
    unlink(p);
    snprintf(p, sizeof(p), "%s/ram", dir);
    unlink(p);
    for (unsigned int i = 0; i < XSIM_MAX_SERVERS; i++) {
        snprintf(p, sizeof(p), "%s/ioreq%u", dir, i);
        unlink(p);
    }
    for (unsigned int v = 0; v < XSIM_MAX_VCPUS; v++) {
        snprintf(p, sizeof(p), "%s/vcpu%u.fifo", dir, v);
        unlink(p);
    }
    snprintf(p, sizeof(p), "%s/guest.lock", dir);
    unlink(p);
    if (rmdir(dir) != 0)
        return -errno;
    return 0;
}

int xsim_dom_open(const struct xsim_run *run, uint32_t domid,
                  struct xsim_dom **out)
{
    char p[PATH_MAX];
    struct xsim_dom *d;
    struct stat st;
    int fd, rc;

    d = calloc(1, sizeof(*d));
    if (!d)
        return -ENOMEM;
    d->domid = domid;
    d->ram_fd = -1;
    dom_path(run, domid, NULL, d->dir, sizeof(d->dir));
    snprintf(p, sizeof(p), "%s/state", d->dir);
    fd = open(p, O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        rc = errno == ENOENT ? -ESRCH : -errno;
        goto fail;
    }
    if (fstat(fd, &st) != 0 || (size_t)st.st_size != sizeof(*d->sh)) {
        close(fd);
        rc = -EPROTO;
        goto fail;
    }
    d->sh = mmap(NULL, sizeof(*d->sh), PROT_READ | PROT_WRITE, MAP_SHARED,
                 fd, 0);
    close(fd);
    if (d->sh == MAP_FAILED) {
        d->sh = NULL;
        rc = -errno;
        goto fail;
    }
    if (d->sh->magic != XSIM_MAGIC || d->sh->version != XSIM_VERSION ||
        d->sh->domid != domid) {
        rc = -EPROTO;
        goto fail;
    }
    snprintf(p, sizeof(p), "%s/ram", d->dir);
    d->ram_fd = open(p, O_RDWR | O_CLOEXEC);
    if (d->ram_fd < 0) {
        rc = -errno;
        goto fail;
    }
    *out = d;
    return 0;
fail:
    xsim_dom_close(d);
    return rc;
}

void xsim_dom_close(struct xsim_dom *d)
{
    if (!d)
        return;
    if (d->sh)
        munmap(d->sh, sizeof(*d->sh));
    if (d->ram_fd >= 0)
        close(d->ram_fd);
    free(d);
}

void xsim_lock(struct xsim_dom *d)
{
    int rc = pthread_mutex_lock(&d->sh->lock);

    if (rc == EOWNERDEAD)
        pthread_mutex_consistent(&d->sh->lock);
}

void xsim_unlock(struct xsim_dom *d)
{
    pthread_mutex_unlock(&d->sh->lock);
}

bool xsim_populated_locked(const struct xsim_dom *d, uint64_t gfn)
{
    if (gfn >= XSIM_MAX_GFNS || d->sh->mem_bytes == 0)
        return false;
    return d->sh->p2m[gfn] != 0;
}

uint64_t xsim_gfn_frame_locked(const struct xsim_dom *d, uint64_t gfn)
{
    if (!xsim_populated_locked(d, gfn))
        return XSIM_NO_FRAME;
    return (uint64_t)d->sh->p2m[gfn] - 1;
}

static bool frame_used(const struct xsim_shared *sh, uint64_t f)
{
    return (sh->frame_bitmap[f / 64] >> (f % 64)) & 1;
}

/* Next free frame at or after frame_next, wrapping once. Locked. */
static uint64_t frame_find(const struct xsim_shared *sh, uint64_t from)
{
    for (uint64_t n = 0; n < XSIM_MAX_FRAMES;) {
        uint64_t f = (from + n) % XSIM_MAX_FRAMES;

        if (f % 64 == 0 && sh->frame_bitmap[f / 64] == ~0ull &&
            n + 64 <= XSIM_MAX_FRAMES) {
            n += 64;
            continue;
        }
        if (!frame_used(sh, f))
            return f;
        n++;
    }
    return XSIM_NO_FRAME;
}

/* Punch frames [f, f + n) out of the RAM file: they read as zero. */
static int frames_punch(struct xsim_dom *d, uint64_t f, uint64_t n)
{
    if (fallocate(d->ram_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                  (off_t)(f << XSIM_PAGE_SHIFT),
                  (off_t)(n << XSIM_PAGE_SHIFT)) != 0)
        return -errno;
    return 0;
}

static void frame_free_locked(struct xsim_dom *d, uint64_t gfn)
{
    struct xsim_shared *sh = d->sh;
    uint64_t f = (uint64_t)sh->p2m[gfn] - 1;

    sh->p2m[gfn] = 0;
    sh->p2m_gen++;
    sh->populated_count--;
    sh->frame_bitmap[f / 64] &= ~(1ull << (f % 64));
    sh->frames_used--;
}

/* Zero frames [f, f + n) (punch; write zeros if punching fails). */
static int frames_zero(struct xsim_dom *d, uint64_t f, uint64_t n)
{
    static const uint8_t zero[XSIM_PAGE_SIZE];

    if (frames_punch(d, f, n) == 0)
        return 0;
    for (uint64_t i = 0; i < n; i++)
        if (pwrite(d->ram_fd, zero, sizeof(zero),
                   (off_t)((f + i) << XSIM_PAGE_SHIFT)) != sizeof(zero))
            return -EIO;
    return 0;
}

int xsim_populate_locked(struct xsim_dom *d, uint64_t gfn, uint64_t nr,
                         bool exact)
{
    struct xsim_shared *sh = d->sh;
    uint64_t i, need = 0, run_first = 0, run_len = 0;
    int rc = 0;

    if (sh->mem_bytes == 0 || nr > XSIM_MAX_GFNS || gfn >= XSIM_MAX_GFNS ||
        gfn + nr > XSIM_MAX_GFNS)
        return -EINVAL;
    for (i = 0; i < nr; i++) {
        if (!xsim_populated_locked(d, gfn + i))
            need++;
        else if (exact)
            return -EBUSY;
    }
    if (need > XSIM_MAX_FRAMES - sh->frames_used)
        return -ENOMEM;
    for (i = 0; i < nr; i++) {
        uint64_t g = gfn + i, f;

        if (xsim_populated_locked(d, g))
            continue;
        f = frame_find(sh, sh->frame_next);
        assert(f != XSIM_NO_FRAME); /* counted above */
        p2m_set(sh, g, f);
        sh->frame_next = (f + 1) % XSIM_MAX_FRAMES;
        /* A freed frame may have been written through a stale mapping:
         * zero the new frames, a run of consecutive ones at a time. */
        if (run_len && run_first + run_len == f) {
            run_len++;
            continue;
        }
        if (run_len && !rc)
            rc = frames_zero(d, run_first, run_len);
        run_first = f;
        run_len = 1;
    }
    if (run_len && !rc)
        rc = frames_zero(d, run_first, run_len);
    xsim_plat_ring(sh);
    return rc;
}

int64_t xsim_depopulate_locked(struct xsim_dom *d, uint64_t gfn, uint64_t nr)
{
    int64_t n = 0;
    uint64_t i, run_first = 0, run_len = 0;
    int rc = 0;

    if (d->sh->mem_bytes == 0 || nr > XSIM_MAX_GFNS || gfn >= XSIM_MAX_GFNS ||
        gfn + nr > XSIM_MAX_GFNS)
        return -EINVAL;
    for (i = 0; i < nr; i++) {
        uint64_t f = xsim_gfn_frame_locked(d, gfn + i);

        if (f == XSIM_NO_FRAME)
            continue;
        frame_free_locked(d, gfn + i);
        n++;
        if (run_len && run_first + run_len == f) {
            run_len++;
            continue;
        }
        if (run_len && !rc)
            rc = frames_punch(d, run_first, run_len);
        run_first = f;
        run_len = 1;
    }
    if (run_len && !rc)
        rc = frames_punch(d, run_first, run_len);
    if (n)
        xsim_plat_ring(d->sh);
    return rc ? rc : n;
}

int xsim_relocate_locked(struct xsim_dom *d, uint64_t src, uint64_t dst)
{
    struct xsim_shared *sh = d->sh;
    uint32_t e;

    if (sh->mem_bytes == 0 || src >= XSIM_MAX_GFNS || dst >= XSIM_MAX_GFNS)
        return -EINVAL;
    if (!xsim_populated_locked(d, src))
        return -ENOENT;
    if (src == dst)
        return 0;
    if (xsim_populated_locked(d, dst)) {
        uint64_t f = xsim_gfn_frame_locked(d, dst);

        frame_free_locked(d, dst);
        (void)frames_punch(d, f, 1);
    }
    e = sh->p2m[src];
    sh->p2m[src] = 0;
    sh->p2m[dst] = e;
    sh->p2m_gen++;
    xsim_plat_ring(sh);
    return 0;
}

uint32_t xsim_memtype_locked(const struct xsim_dom *d, uint64_t gfn)
{
    for (uint32_t i = 0; i < d->sh->nr_memtypes; i++) {
        const struct xsim_memtype *m = &d->sh->memtypes[i];

        if (gfn >= m->first && gfn - m->first < m->nr)
            return m->type;
    }
    return 0; /* HVMMEM_ram_rw */
}

struct xsim_acct *xsim_acct_locked(struct xsim_dom *d, pid_t pid, bool create)
{
    struct xsim_acct *free_slot = NULL;

    for (unsigned int i = 0; i < XSIM_MAX_ACCT; i++) {
        struct xsim_acct *a = &d->sh->acct[i];

        if (a->pid == pid)
            return a;
        if (!free_slot && a->pid == 0)
            free_slot = a;
    }
    if (!create || !free_slot)
        return NULL;
    memset(free_slot, 0, sizeof(*free_slot));
    free_slot->pid = pid;
    return free_slot;
}

bool xsim_acct_leaks(const struct xsim_acct *a)
{
    if (a->exit_scanned)
        return a->live_ram_pages || a->live_ioreq_pages;
    return a->foreign_maps || a->resource_maps || a->grant_maps;
}

void xsim_acct_exit_scan(const struct xsim_run *run)
{
    int64_t ram[64] = { 0 }, ioreq[64] = { 0 };
    size_t plen = strlen(run->path);
    char line[XSIM_RUN_PATH_MAX + 256];
    FILE *fp = fopen("/proc/self/maps", "re");

    if (!fp)
        return;
    while (fgets(line, sizeof(line), fp)) {
        unsigned long long start, end;
        char *path = strchr(line, '/');
        unsigned int dom;
        char *rest;

        if (!path || sscanf(line, "%llx-%llx", &start, &end) != 2)
            continue;
        if (strncmp(path, run->path, plen) != 0 ||
            strncmp(path + plen, "/dom", 4) != 0)
            continue;
        dom = (unsigned int)strtoul(path + plen + 4, &rest, 10);
        if (dom >= 64)
            continue;
        if (strncmp(rest, "/ram", 4) == 0)
            ram[dom] += (int64_t)((end - start) >> XSIM_PAGE_SHIFT);
        else if (strncmp(rest, "/ioreq", 6) == 0)
            ioreq[dom] += (int64_t)((end - start) >> XSIM_PAGE_SHIFT);
    }
    fclose(fp);
    for (unsigned int dom = 0; dom < 64; dom++) {
        struct xsim_dom *d;
        struct xsim_acct *a;

        if (xsim_dom_open(run, dom, &d) != 0)
            continue;
        xsim_lock(d);
        a = xsim_acct_locked(d, getpid(), false);
        if (a) {
            a->exit_scanned = 1;
            a->live_ram_pages = ram[dom];
            a->live_ioreq_pages = ioreq[dom];
        }
        xsim_unlock(d);
        xsim_dom_close(d);
    }
}

void xsim_ioreq_path(const struct xsim_dom *d, unsigned int id, char *buf,
                     size_t len)
{
    snprintf(buf, len, "%s/ioreq%u", d->dir, id);
}

void xsim_vcpu_fifo(uint32_t domid, unsigned int vcpu,
                    char out[XSIM_FIFO_MAX])
{
    snprintf(out, XSIM_FIFO_MAX, "dom%u/vcpu%u.fifo", domid, vcpu);
}

int xsim_fifo_open(const struct xsim_run *run, const char *rel, int flags,
                   uint64_t *ino)
{
    char path[PATH_MAX];
    struct stat st;
    int fd;

    snprintf(path, sizeof(path), "%s/%s", run->path, rel);
    if (mkfifo(path, 0600) != 0 && errno != EEXIST)
        return -errno;
    fd = open(path, O_RDWR | O_CLOEXEC | flags);
    if (fd < 0)
        return -errno;
    if (fstat(fd, &st) != 0 || !S_ISFIFO(st.st_mode)) {
        close(fd);
        return -EINVAL;
    }
    *ino = (uint64_t)st.st_ino;
    return fd;
}

int xsim_port_alloc_locked(struct xsim_dom *d)
{
    for (unsigned int p = 1; p < XSIM_NR_PORTS; p++) {
        struct xsim_port *e = &d->sh->ports[p];

        if (e->state == XSIM_PORT_FREE) {
            memset(e, 0, sizeof(*e));
            return (int)p;
        }
    }
    return -ENOSPC;
}

void xsim_fdcache_init(struct xsim_fdcache *c)
{
    memset(c, 0, sizeof(*c));
    pthread_mutex_init(&c->lock, NULL);
    for (unsigned int i = 0; i < 16; i++)
        c->e[i].fd = -1;
}

void xsim_fdcache_fini(struct xsim_fdcache *c)
{
    for (unsigned int i = 0; i < 16; i++)
        if (c->e[i].fd >= 0)
            close(c->e[i].fd);
    pthread_mutex_destroy(&c->lock);
}

/* The cached fd for @ino, opening @rel on a miss. Cache locked. */
static int fdcache_get_locked(struct xsim_fdcache *c,
                              const struct xsim_run *run, const char *rel,
                              uint64_t ino)
{
    char path[PATH_MAX];
    struct stat st;
    unsigned int i;
    int fd;

    for (i = 0; i < 16; i++)
        if (c->e[i].fd >= 0 && c->e[i].ino == ino)
            return c->e[i].fd;
    snprintf(path, sizeof(path), "%s/%s", run->path, rel);
    /* O_RDWR: we count as a reader, so writes never raise SIGPIPE. */
    fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    if (fstat(fd, &st) != 0 || (uint64_t)st.st_ino != ino) {
        close(fd);
        return -ENOENT; /* replaced: the receiver we want is gone */
    }
    i = c->next++ % 16;
    if (c->e[i].fd >= 0)
        close(c->e[i].fd);
    c->e[i].fd = fd;
    c->e[i].ino = ino;
    return fd;
}

int xsim_fifo_send(struct xsim_fdcache *c, const struct xsim_run *run,
                   const char *rel, uint64_t ino, uint32_t port)
{
    ssize_t n;
    int fd;

    if (!rel[0])
        return 0;
    pthread_mutex_lock(&c->lock);
    fd = fdcache_get_locked(c, run, rel, ino);
    pthread_mutex_unlock(&c->lock);
    if (fd == -ENOENT || fd == -ENXIO)
        return 0; /* nobody listening: the event is lost */
    if (fd < 0)
        return fd;
    /* The fd stays valid: entries are only closed by the same cache's
     * eviction, and a handle's sends are not concurrent with its fini. */
    n = write(fd, &port, sizeof(port));
    if (n < 0 && errno != EAGAIN)
        return -errno;
    return 0; /* EAGAIN: receiver flooded, it has events queued already */
}

int xsim_port_deliver(struct xsim_shared *peer_sh, uint32_t peer_port,
                      const char *rel, uint64_t ino, struct xsim_fdcache *c,
                      const struct xsim_run *run)
{
    struct xsim_port *e;

    if (peer_port == 0 || peer_port >= XSIM_NR_PORTS)
        return -EINVAL;
    e = &peer_sh->ports[peer_port];
    if (__atomic_load_n(&e->futex, __ATOMIC_ACQUIRE)) {
        __atomic_fetch_add(&e->doorbell, 1u, __ATOMIC_SEQ_CST);
        if (__atomic_load_n(&e->sleepers, __ATOMIC_SEQ_CST))
            syscall(SYS_futex, &e->doorbell, FUTEX_WAKE, INT_MAX, NULL, NULL,
                    0);
        return 0;
    }
    if (!rel[0])
        return 0;
    if (__atomic_load_n(&e->coalesce, __ATOMIC_ACQUIRE)) {
        uint32_t old = __atomic_load_n(&e->flags, __ATOMIC_ACQUIRE);

        for (;;) {
            uint32_t want = (old & XSIM_PF_MASKED) ? (old | XSIM_PF_PENDING)
                                                   : (old | XSIM_PF_MASKED);
            if (__atomic_compare_exchange_n(&e->flags, &old, want, false,
                                            __ATOMIC_ACQ_REL,
                                            __ATOMIC_ACQUIRE))
                break;
        }
        if (old & XSIM_PF_MASKED)
            return 0; /* remembered; re-delivered on unmask */
    }
    return xsim_fifo_send(c, run, rel, ino, peer_port);
}

/* Sleep while *@word reads @seen, counted in *@sleepers so that wakers
 * make the wake system call only when someone sleeps (no lost wake-up:
 * FUTEX_WAIT re-checks the word). Without a timeout no hrtimer is armed:
 * ~3% of a round trip. */
static void counted_futex_wait(uint32_t *word, uint32_t *sleepers,
                               uint32_t seen, unsigned int timeout_ms)
{
    struct timespec ts = { .tv_sec = timeout_ms / 1000,
                           .tv_nsec = (long)(timeout_ms % 1000) * 1000000 };

    __atomic_fetch_add(sleepers, 1u, __ATOMIC_SEQ_CST);
    syscall(SYS_futex, word, FUTEX_WAIT, seen, timeout_ms ? &ts : NULL, NULL, 0);
    __atomic_fetch_sub(sleepers, 1u, __ATOMIC_SEQ_CST);
}

void xsim_doorbell_wait(struct xsim_port *e, uint32_t seen,
                        unsigned int timeout_ms)
{
    counted_futex_wait(&e->doorbell, &e->sleepers, seen, timeout_ms);
}

void xsim_plat_ring(struct xsim_shared *sh)
{
    __atomic_fetch_add(&sh->plat_bell, 1u, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&sh->plat_sleepers, __ATOMIC_SEQ_CST))
        syscall(SYS_futex, &sh->plat_bell, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}

void xsim_plat_wait(struct xsim_shared *sh, uint32_t seen,
                    unsigned int timeout_ms)
{
    counted_futex_wait(&sh->plat_bell, &sh->plat_sleepers, seen, timeout_ms);
}

bool xsim_kvm_attached(const struct xsim_shared *sh)
{
    int32_t pid = __atomic_load_n(&sh->kvm_pid, __ATOMIC_ACQUIRE);

    return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM);
}

void xsim_doorbell_kick(struct xsim_port *e)
{
    if (__atomic_load_n(&e->sleepers, __ATOMIC_SEQ_CST))
        syscall(SYS_futex, &e->doorbell, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}

int xsim_port_unmask(struct xsim_shared *sh, uint32_t port, int self_wfd)
{
    struct xsim_port *e;
    uint32_t old;

    if (port == 0 || port >= XSIM_NR_PORTS)
        return -EINVAL;
    e = &sh->ports[port];
    old = __atomic_load_n(&e->flags, __ATOMIC_ACQUIRE);
    for (;;) {
        uint32_t want = (old & XSIM_PF_PENDING) ? XSIM_PF_MASKED : 0;

        if (__atomic_compare_exchange_n(&e->flags, &old, want, false,
                                        __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
            break;
    }
    if ((old & XSIM_PF_PENDING) &&
        write(self_wfd, &port, sizeof(port)) < 0 && errno != EAGAIN)
        return -errno;
    return 0;
}

int xsim_domcache_init(struct xsim_domcache *c, const char *path)
{
    memset(c, 0, sizeof(*c));
    pthread_mutex_init(&c->lock, NULL);
    return xsim_run_open(&c->run, path);
}

void xsim_domcache_fini(struct xsim_domcache *c)
{
    for (unsigned int i = 0; i < 16; i++) {
        xsim_dom_close(c->doms[i]);
        c->doms[i] = NULL;
    }
    pthread_mutex_destroy(&c->lock);
}

struct xsim_dom *xsim_domcache_get(struct xsim_domcache *c, uint32_t domid)
{
    struct xsim_dom *d = NULL;
    int rc, free_i = -1;

    pthread_mutex_lock(&c->lock);
    for (int i = 0; i < 16; i++) {
        if (c->doms[i] && c->doms[i]->domid == domid) {
            d = c->doms[i];
            break;
        }
        if (!c->doms[i] && free_i < 0)
            free_i = i;
    }
    if (!d) {
        if (free_i < 0) {
            rc = -EMFILE;
        } else {
            rc = xsim_dom_open(&c->run, domid, &d);
            if (rc == 0)
                c->doms[free_i] = d;
        }
        if (rc) {
            pthread_mutex_unlock(&c->lock);
            errno = -rc;
            return NULL;
        }
    }
    pthread_mutex_unlock(&c->lock);
    if (__atomic_load_n(&d->sh->dead, __ATOMIC_ACQUIRE)) {
        errno = ESRCH;
        return NULL;
    }
    return d;
}
