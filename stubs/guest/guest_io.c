/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * guest_io.c - the guest side's I/O paths: Xen's routing, the synchronous
 * ioreq slot protocol and the buffered ring.
 *
 * Routing (like Xen's ioreq_server_select): servers are tried from the
 * highest id down; an access is claimed by a server only if one of its
 * ranges wholly contains it (MMIO: first to last byte of the whole rep).
 * A 4-byte write to 0xcf8 is latched (domain-wide) and forwarded; an
 * access to 0xcfc-0xcff with the latch enabled goes to the server that
 * registered the BDF as IOREQ_TYPE_PCI_CONFIG, otherwise it is routed as
 * plain PIO. Unclaimed: reads all-ones (rep ins fills RAM with 0xff),
 * writes vanish.
 *
 * Slot protocol: the byte holding state/data_is_ptr/dir/df (offset 30 of
 * struct ioreq) is written last with release semantics, after addr, data,
 * count, size and type; the answer is observed with an acquire load. The
 * vCPU then sleeps on its port's doorbell futex (simstate.h) in 50 ms
 * slices (a lost notification costs latency, not correctness) until
 * IORESP_READY or the timeout. A request nobody answered in time is
 * taken back (state reset to NONE with a CAS that keeps an answer landing
 * at that moment); a late answer from a device model that had claimed it
 * is consumed by the next request on that slot, which first waits for a
 * claimed (INPROCESS) request to finish.
 *
 * Locking: caller holds the vCPU lock; the domain lock is taken briefly to
 * route and to look up ports, never while waiting.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "stubs/guest/guest_priv.h"

#include <xen/hvm/ioreq.h>

#define SLOT_STATE_OFF 30
#define BUFIOREQ_ATOMIC 2u
#define VGA_FIRST 0xa0000ull
#define VGA_LAST 0xbffffull
#define MAX_REP 4096u

_Static_assert(sizeof(struct ioreq) == 32, "ioreq layout");

uint8_t *xsg_server_pages(struct xsg_guest *g, int sid)
{
    uint8_t *p = __atomic_load_n(&g->pages[sid], __ATOMIC_ACQUIRE);

    if (p)
        return p;
    pthread_mutex_lock(&g->map_lock);
    p = g->pages[sid];
    if (!p) {
        char path[PATH_MAX];
        int fd;

        xsim_ioreq_path(g->dom, (unsigned int)sid, path, sizeof(path));
        fd = open(path, O_RDWR | O_CLOEXEC);
        if (fd >= 0) {
            p = mmap(NULL, 2 * XSIM_PAGE_SIZE, PROT_READ | PROT_WRITE,
                     MAP_SHARED, fd, 0);
            close(fd);
            if (p == MAP_FAILED)
                p = NULL;
            __atomic_store_n(&g->pages[sid], p, __ATOMIC_RELEASE);
        }
    }
    pthread_mutex_unlock(&g->map_lock);
    return p;
}

/* Kick every waiting vCPU. Return: true if one was waiting. */
static bool tick_kick(struct xsg_guest *g)
{
    bool any = false;

    for (unsigned int v = 0; v < g->nr_vcpus; v++) {
        struct xsim_port *p = __atomic_load_n(&g->vcpus[v].waiting,
                                              __ATOMIC_SEQ_CST);

        if (p) {
            xsim_doorbell_kick(p);
            any = true;
        }
    }
    return any;
}

/*
 * Every XSG_TICK_MS while a vCPU waits, kick the waiting vCPUs. With none
 * waiting it goes idle (no wake-ups at all) until a vCPU starts waiting:
 * the vCPU publishes @waiting, then reads @tick_idle; this thread publishes
 * @tick_idle, then re-reads @waiting (both sequentially consistent), so
 * one of them sees the other.
 */
static void *tick_main(void *arg)
{
    struct xsg_guest *g = arg;
    struct timespec ts;

    pthread_mutex_lock(&g->tick_lock);
    while (!g->tick_stop) {
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_nsec += (long)XSG_TICK_MS * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&g->tick_cond, &g->tick_lock, &ts);
        if (g->tick_stop || tick_kick(g))
            continue;
        __atomic_store_n(&g->tick_idle, true, __ATOMIC_SEQ_CST);
        if (tick_kick(g)) {
            __atomic_store_n(&g->tick_idle, false, __ATOMIC_SEQ_CST);
            continue;
        }
        while (__atomic_load_n(&g->tick_idle, __ATOMIC_SEQ_CST) &&
               !g->tick_stop)
            pthread_cond_wait(&g->tick_cond, &g->tick_lock);
    }
    pthread_mutex_unlock(&g->tick_lock);
    return NULL;
}

/* A vCPU starts waiting: wake the tick thread if it is idle. */
static void tick_wake(struct xsg_guest *g)
{
    if (!__atomic_load_n(&g->tick_idle, __ATOMIC_SEQ_CST))
        return;
    pthread_mutex_lock(&g->tick_lock);
    __atomic_store_n(&g->tick_idle, false, __ATOMIC_SEQ_CST);
    pthread_cond_signal(&g->tick_cond);
    pthread_mutex_unlock(&g->tick_lock);
}

int xsg_tick_start(struct xsg_guest *g)
{
    pthread_condattr_t ca;
    int rc;

    pthread_mutex_init(&g->tick_lock, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&g->tick_cond, &ca);
    pthread_condattr_destroy(&ca);
    g->tick_stop = false;
    g->tick_idle = false;
    g->tick_started = true;
    rc = pthread_create(&g->tick, NULL, tick_main, g);
    g->tick_running = rc == 0;
    return -rc;
}

void xsg_tick_stop(struct xsg_guest *g)
{
    if (g->tick_running) {
        pthread_mutex_lock(&g->tick_lock);
        g->tick_stop = true;
        pthread_cond_signal(&g->tick_cond);
        pthread_mutex_unlock(&g->tick_lock);
        pthread_join(g->tick, NULL);
        g->tick_running = false;
    }
    pthread_cond_destroy(&g->tick_cond);
    pthread_mutex_destroy(&g->tick_lock);
    g->tick_started = false;
}

void xsg_unmap_server_pages(struct xsg_guest *g)
{
    for (unsigned int i = 0; i < XSIM_MAX_SERVERS; i++) {
        if (g->pages[i])
            munmap(g->pages[i], 2 * XSIM_PAGE_SIZE);
        g->pages[i] = NULL;
    }
}

void xsg_target_locked(struct xsg_guest *g, int sid, unsigned int vcpu,
                       struct xsg_target *t)
{
    const struct xsim_port *e;

    t->port = g->dom->sh->servers[sid].vcpu_port[vcpu];
    if (t->port >= XSIM_NR_PORTS)
        t->port = 0;
    e = &g->dom->sh->ports[t->port];
    t->peer_port = 0;
    if (t->port && e->state == XSIM_PORT_INTERDOMAIN && e->peer_dom == 0) {
        t->peer_port = e->peer_port;
        t->peer_ino = e->peer_fifo_ino;
        memcpy(t->peer_fifo, e->peer_fifo, sizeof(t->peer_fifo));
    }
}

/* Notify guest-side port @port of the domain (if a device model bound it). */
static int notify_port(struct xsg_guest *g, uint32_t port)
{
    struct xsim_port *e;
    uint32_t pd = 0, pp = 0;
    uint64_t ino = 0;
    char fifo[XSIM_FIFO_MAX];

    if (port == 0 || port >= XSIM_NR_PORTS)
        return 0;
    xsim_lock(g->dom);
    e = &g->dom->sh->ports[port];
    if (e->state == XSIM_PORT_INTERDOMAIN) {
        pd = e->peer_dom;
        pp = e->peer_port;
        ino = e->peer_fifo_ino;
        memcpy(fifo, e->peer_fifo, sizeof(fifo));
    }
    xsim_unlock(g->dom);
    if (!pp || pd != 0)
        return 0; /* not bound (or bound outside dom0): the event is lost */
    return xsim_port_deliver(g->dom0->sh, pp, fifo, ino, &g->fc, &g->run);
}

static uint64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Leave the slot empty: a late answer is consumed (discarded); a request
 * a device model is still processing is waited for (up to the timeout). */
static int slot_claim(struct xsg_guest *g, unsigned int vcpu,
                      const struct xsg_target *t, uint8_t *sb)
{
    uint8_t st = __atomic_load_n(sb, __ATOMIC_ACQUIRE) & 0xf;

    if (st == STATE_IOREQ_INPROCESS) {
        /* claimed by the device model before our timeout reset it */
        if (xsg_slot_wait(g, vcpu, t, sb) == 0)
            st = STATE_IORESP_READY;
        else
            st = __atomic_load_n(sb, __ATOMIC_ACQUIRE) & 0xf;
    }
    if (st == STATE_IORESP_READY) /* late answer to a timed-out request */
        __atomic_store_n(sb, STATE_IOREQ_NONE, __ATOMIC_RELEASE);
    else if (st != STATE_IOREQ_NONE)
        return -EBUSY;
    return 0;
}

int xsg_slot_begin(struct xsg_guest *g, unsigned int vcpu, int sid,
                   const struct xsg_target *t, volatile struct ioreq **out)
{
    uint8_t *pg = xsg_server_pages(g, sid);
    volatile struct ioreq *slot;
    int rc;

    if (!pg)
        return -EIO;
    slot = (volatile struct ioreq *)(pg + XSIM_PAGE_SIZE) + vcpu;
    rc = slot_claim(g, vcpu, t, (uint8_t *)slot + SLOT_STATE_OFF);
    if (!rc)
        *out = slot;
    return rc;
}

int xsg_slot_notify(struct xsg_guest *g, const struct xsg_target *t)
{
    if (!t->peer_port)
        return 0;
    return xsim_port_deliver(g->dom0->sh, t->peer_port, t->peer_fifo,
                             t->peer_ino, &g->fc, &g->run);
}

/* Poll state byte @sb for IORESP_READY up to the attachment's spin time. */
static bool spin_for_answer(struct xsg_guest *g, const uint8_t *sb)
{
    uint64_t spin = __atomic_load_n(&g->spin_ns, __ATOMIC_RELAXED), t0 = 0;
    struct timespec ts;

    for (unsigned int i = 0; spin; i++) {
        if ((__atomic_load_n(sb, __ATOMIC_SEQ_CST) & 0xf) == STATE_IORESP_READY)
            return true;
        if (i % 64 == 0) {
            uint64_t ns;

            clock_gettime(CLOCK_MONOTONIC, &ts);
            ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
            if (!t0)
                t0 = ns;
            else if (ns - t0 >= spin)
                break;
        }
        __builtin_ia32_pause();
    }
    return false;
}

int xsg_slot_wait(struct xsg_guest *g, unsigned int vcpu,
                  const struct xsg_target *t, uint8_t *sb)
{
    struct xsim_port *bell = &g->dom->sh->ports[t->port];
    struct xsg_vcpu *v = &g->vcpus[vcpu];
    uint64_t deadline;
    int rc;

    if (spin_for_answer(g, sb))
        return 0;
    deadline = now_ms() + __atomic_load_n(&g->timeout_ms, __ATOMIC_RELAXED);
    __atomic_store_n(&v->waiting, bell, __ATOMIC_SEQ_CST);
    if (g->tick_running)
        tick_wake(g);
    for (;;) {
        uint32_t seen = __atomic_load_n(&bell->doorbell, __ATOMIC_SEQ_CST);
        uint64_t now;

        /* Doorbell read before the state: an answer after this check
         * moves the doorbell, so the wait below returns at once. */
        if ((__atomic_load_n(sb, __ATOMIC_SEQ_CST) & 0xf) == STATE_IORESP_READY) {
            rc = 0;
            break;
        }
        now = now_ms();
        if (now >= deadline) {
            rc = -ETIMEDOUT;
            break;
        }
        /* With the tick thread kicking waiters every XSG_TICK_MS, sleep
         * without a timer; otherwise in slices of at most 50 ms. */
        xsim_doorbell_wait(bell, seen,
                           g->tick_running ? 0
                           : (unsigned int)(deadline - now < 50 ? deadline - now
                                                                : 50));
    }
    __atomic_store_n(&v->waiting, NULL, __ATOMIC_RELEASE);
    return rc;
}

int xsg_slot_finish(struct xsg_guest *g, unsigned int vcpu,
                    const struct xsg_target *t, volatile struct ioreq *slot,
                    uint64_t *data)
{
    uint8_t *sb = (uint8_t *)slot + SLOT_STATE_OFF;
    uint8_t b;

    if (xsg_slot_wait(g, vcpu, t, sb) == 0) {
        *data = slot->data;
        __atomic_store_n(sb, STATE_IOREQ_NONE, __ATOMIC_RELEASE);
        return 0;
    }
    /* Nobody answered: take the request back (guest.h). The CAS keeps an
     * answer that lands right now; a device model that claimed the request
     * (INPROCESS) and answers later leaves IORESP_READY behind, which the
     * next request on this slot consumes (slot_claim()). */
    b = __atomic_load_n(sb, __ATOMIC_ACQUIRE);
    for (;;) {
        if ((b & 0xf) == STATE_IORESP_READY) {
            *data = slot->data;
            __atomic_store_n(sb, STATE_IOREQ_NONE, __ATOMIC_RELEASE);
            return 0;
        }
        if (__atomic_compare_exchange_n(sb, &b, STATE_IOREQ_NONE, false,
                                        __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
            return -ETIMEDOUT;
    }
}

static int send_slot(struct xsg_guest *g, unsigned int vcpu, int sid,
                     const struct xsg_target *t, struct xsg_req *r)
{
    volatile struct ioreq *slot;
    uint8_t flags;
    int rc = xsg_slot_begin(g, vcpu, sid, t, &slot);

    if (rc)
        return rc;
    slot->addr = r->addr;
    slot->data = r->data;
    slot->count = r->count;
    slot->size = r->size;
    slot->type = r->type;
    flags = (uint8_t)((r->data_is_ptr ? 1u << 4 : 0) | (r->dir ? 1u << 5 : 0) |
                      (r->df ? 1u << 6 : 0));
    __atomic_store_n((uint8_t *)slot + SLOT_STATE_OFF,
                     (uint8_t)(flags | STATE_IOREQ_READY), __ATOMIC_RELEASE);
    rc = xsg_slot_notify(g, t);
    if (rc) {
        /* the event never left: take the request back */
        __atomic_store_n((uint8_t *)slot + SLOT_STATE_OFF, STATE_IOREQ_NONE,
                         __ATOMIC_RELEASE);
        return rc;
    }
    return xsg_slot_finish(g, vcpu, t, slot, &r->data);
}

int xsg_send_to_server(struct xsg_guest *g, unsigned int vcpu, int sid,
                       struct xsg_req *r)
{
    struct xsg_target t;

    xsim_lock(g->dom);
    xsg_target_locked(g, sid, vcpu, &t);
    xsim_unlock(g->dom);
    return send_slot(g, vcpu, sid, &t, r);
}

void xsg_buf_rebase(void *ring)
{
    uint64_t *full = (uint64_t *)ring;
    uint64_t old = __atomic_load_n(full, __ATOMIC_ACQUIRE);

    while ((uint32_t)old >= IOREQ_BUFFER_SLOT_NUM) {
        uint32_t n = (uint32_t)old / IOREQ_BUFFER_SLOT_NUM;
        uint64_t want = ((uint64_t)((uint32_t)(old >> 32) -
                                    n * IOREQ_BUFFER_SLOT_NUM) << 32) |
                        ((uint32_t)old - n * IOREQ_BUFFER_SLOT_NUM);

        if (__atomic_compare_exchange_n(full, &old, want, false,
                                        __ATOMIC_ACQ_REL,
                                        __ATOMIC_ACQUIRE))
            break;
    }
}

/* Returns 0 when queued, 1 when the ring is full (use the slot instead). */
static int send_buffered(struct xsg_guest *g, unsigned int vcpu, int sid,
                         const struct xsg_req *r, uint32_t mode)
{
    uint8_t *pg = xsg_server_pages(g, sid);
    buffered_iopage_t *bp = (buffered_iopage_t *)pg;
    uint32_t rp, wp, qw = r->size == 8 ? 2 : 1, port;
    uint8_t code = r->size == 1 ? 0 : r->size == 2 ? 1 : r->size == 4 ? 2 : 3;

    if (!pg)
        return -EIO;
    pthread_mutex_lock(&g->buf_lock);
    rp = __atomic_load_n(&bp->read_pointer, __ATOMIC_ACQUIRE);
    wp = __atomic_load_n(&bp->write_pointer, __ATOMIC_RELAXED);
    if (wp - rp > IOREQ_BUFFER_SLOT_NUM - qw) {
        pthread_mutex_unlock(&g->buf_lock);
        return 1;
    }
    for (uint32_t i = 0; i < qw; i++) {
        buf_ioreq_t *s = &bp->buf_ioreq[(wp + i) % IOREQ_BUFFER_SLOT_NUM];

        s->type = r->type;
        s->pad = 0;
        s->dir = IOREQ_WRITE;
        s->size = code;
        s->addr = (uint32_t)(r->addr & 0xfffff);
        s->data = (uint32_t)(i ? r->data >> 32 : r->data);
    }
    __atomic_store_n(&bp->write_pointer, wp + qw, __ATOMIC_RELEASE);
    if (mode == BUFIOREQ_ATOMIC)
        xsg_buf_rebase(bp);
    pthread_mutex_unlock(&g->buf_lock);
    xsim_lock(g->dom);
    port = g->dom->sh->servers[sid].buf_port;
    xsim_unlock(g->dom);
    return notify_port(g, port);
}

static int contains(const struct xsim_server *s, unsigned int type,
                    uint64_t first, uint64_t last)
{
    for (uint32_t i = 0; i < s->nr_ranges[type]; i++)
        if (first >= s->ranges[type][i].start &&
            last <= s->ranges[type][i].last)
            return 1;
    return 0;
}

static uint64_t ones(uint32_t size)
{
    return size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
}

static int fill_unclaimed_ins(struct xsg_guest *g, const struct xsg_req *r)
{
    uint64_t len = (uint64_t)r->count * r->size;
    uint64_t start = r->df ? r->data - (len - r->size) : r->data;

    return xsg_ram_fill(g, start, 0xff, len);
}

int xsg_route_and_send(struct xsg_guest *g, unsigned int vcpu,
                       struct xsg_req *r)
{
    const struct xsim_shared *sh = g->dom->sh;
    uint64_t first = r->addr, last, pci_addr = 0;
    uint32_t bufmode = 0, cf8;
    int sid = -1, pci = 0, is_pio = r->type == IOREQ_TYPE_PIO;
    struct xsg_target t;

    if (is_pio) {
        last = r->addr + r->size - 1;
        if (r->addr == 0xcf8 && r->size == 4 && r->dir == IOREQ_WRITE)
            __atomic_store_n(&g->cf8, (uint32_t)r->data, __ATOMIC_RELAXED);
        cf8 = __atomic_load_n(&g->cf8, __ATOMIC_RELAXED);
        if ((r->addr & ~3ull) == 0xcfc && (cf8 & 0x80000000u) &&
            !r->data_is_ptr) {
            pci = 1;
            pci_addr = ((uint64_t)((cf8 >> 8) & 0xffff) << 32) |
                       ((cf8 & 0xfc) | (r->addr & 3));
        }
    } else {
        uint64_t span = (uint64_t)r->count * r->size;

        first = r->df ? r->addr - (span - r->size) : r->addr;
        last = first + span - 1;
        if ((r->df && first > r->addr) || last < first)
            goto unclaimed; /* wraps: no range can contain it */
    }
    xsim_lock(g->dom);
    if (sh->shutdown_count) {
        xsim_unlock(g->dom);
        return -ESHUTDOWN;
    }
    for (int i = (int)XSIM_MAX_SERVERS - 1; i >= 0 && sid < 0; i--) {
        const struct xsim_server *s = &sh->servers[i];

        if (!s->in_use || !s->enabled)
            continue;
        if (pci && contains(s, 2, pci_addr >> 32, pci_addr >> 32)) {
            r->type = IOREQ_TYPE_PCI_CONFIG;
            r->addr = pci_addr;
            sid = i;
        }
    }
    for (int i = (int)XSIM_MAX_SERVERS - 1; i >= 0 && sid < 0; i--) {
        const struct xsim_server *s = &sh->servers[i];

        if (s->in_use && s->enabled && contains(s, is_pio ? 0 : 1, first, last))
            sid = i;
    }
    if (sid >= 0) {
        bufmode = sh->servers[sid].bufioreq;
        xsg_target_locked(g, sid, vcpu, &t);
    }
    xsim_unlock(g->dom);
    __atomic_store_n(&g->vcpus[vcpu].last_server, sid, __ATOMIC_RELAXED);
    if (sid < 0)
        goto unclaimed;
    if (bufmode && !is_pio && r->type == IOREQ_TYPE_COPY &&
        r->dir == IOREQ_WRITE && !r->data_is_ptr && r->count == 1 &&
        r->addr >= VGA_FIRST && r->addr + r->size - 1 <= VGA_LAST) {
        int rc = send_buffered(g, vcpu, sid, r, bufmode);

        if (rc <= 0)
            return rc;
    }
    return send_slot(g, vcpu, sid, &t, r);
unclaimed:
    __atomic_store_n(&g->vcpus[vcpu].last_server, -1, __ATOMIC_RELAXED);
    if (r->dir != IOREQ_READ)
        return 0;
    if (r->data_is_ptr)
        return fill_unclaimed_ins(g, r);
    r->data = ones(r->size);
    return 0;
}

static int check_vcpu_size(const struct xsg_guest *g, unsigned int vcpu,
                           unsigned int size, unsigned int max)
{
    if (vcpu >= g->nr_vcpus)
        return -EINVAL;
    if (size != 1 && size != 2 && size != 4 && !(size == 8 && max == 8))
        return -EINVAL;
    return 0;
}

static int do_io(struct xsg_guest *g, unsigned int vcpu, struct xsg_req *r)
{
    int rc;

    pthread_mutex_lock(&g->vcpus[vcpu].lock);
    rc = xsg_route_and_send(g, vcpu, r);
    pthread_mutex_unlock(&g->vcpus[vcpu].lock);
    return rc;
}

int xsg_pio_read(struct xsg_guest *g, unsigned int vcpu, uint16_t port,
                 unsigned int size, uint32_t *val)
{
    struct xsg_req r = { .type = IOREQ_TYPE_PIO, .dir = IOREQ_READ,
                         .addr = port, .size = size, .count = 1 };
    int rc = check_vcpu_size(g, vcpu, size, 4);

    if (!rc)
        rc = do_io(g, vcpu, &r);
    if (!rc)
        *val = (uint32_t)(r.data & ones(size));
    return rc;
}

int xsg_pio_write(struct xsg_guest *g, unsigned int vcpu, uint16_t port,
                  unsigned int size, uint32_t val)
{
    struct xsg_req r = { .type = IOREQ_TYPE_PIO, .dir = IOREQ_WRITE,
                         .addr = port, .size = size, .count = 1 };
    int rc = check_vcpu_size(g, vcpu, size, 4);

    r.data = val & ones(size);
    return rc ? rc : do_io(g, vcpu, &r);
}

int xsg_pio_rep(struct xsg_guest *g, unsigned int vcpu, uint16_t port,
                unsigned int size, uint32_t count, bool df, bool dir_read,
                uint64_t gpa)
{
    struct xsg_req r = { .type = IOREQ_TYPE_PIO, .addr = port, .size = size,
                         .count = count, .df = df, .data_is_ptr = 1,
                         .data = gpa };
    int rc = check_vcpu_size(g, vcpu, size, 4);

    r.dir = dir_read ? IOREQ_READ : IOREQ_WRITE;
    if (!rc && (count == 0 || count > MAX_REP))
        rc = -EINVAL;
    return rc ? rc : do_io(g, vcpu, &r);
}

/* A CPU access that hits populated RAM is a RAM access, not an ioreq. */
static int ram_hit(struct xsg_guest *g, uint64_t addr, unsigned int size)
{
    return xsg_ram_populated(g, addr >> XSIM_PAGE_SHIFT) &&
           xsg_ram_populated(g, (addr + size - 1) >> XSIM_PAGE_SHIFT);
}

int xsg_mmio_read(struct xsg_guest *g, unsigned int vcpu, uint64_t addr,
                  unsigned int size, uint64_t *val)
{
    struct xsg_req r = { .type = IOREQ_TYPE_COPY, .dir = IOREQ_READ,
                         .addr = addr, .size = size, .count = 1 };
    int rc = check_vcpu_size(g, vcpu, size, 8);

    if (rc)
        return rc;
    if (ram_hit(g, addr, size)) {
        uint64_t v = 0;

        rc = xsg_ram_read(g, addr, &v, size);
        g->vcpus[vcpu].last_server = -1;
        if (!rc)
            *val = v;
        return rc;
    }
    rc = do_io(g, vcpu, &r);
    if (!rc)
        *val = r.data & ones(size);
    return rc;
}

int xsg_mmio_write(struct xsg_guest *g, unsigned int vcpu, uint64_t addr,
                   unsigned int size, uint64_t val)
{
    struct xsg_req r = { .type = IOREQ_TYPE_COPY, .dir = IOREQ_WRITE,
                         .addr = addr, .size = size, .count = 1 };
    int rc = check_vcpu_size(g, vcpu, size, 8);

    if (rc)
        return rc;
    r.data = val & ones(size);
    if (ram_hit(g, addr, size)) {
        g->vcpus[vcpu].last_server = -1;
        return xsg_ram_write(g, addr, &r.data, size);
    }
    return do_io(g, vcpu, &r);
}

int xsg_mmio_rep(struct xsg_guest *g, unsigned int vcpu, uint64_t addr,
                 unsigned int size, uint32_t count, bool df, bool dir_read,
                 uint64_t gpa)
{
    struct xsg_req r = { .type = IOREQ_TYPE_COPY, .addr = addr, .size = size,
                         .count = count, .df = df, .data_is_ptr = 1,
                         .data = gpa };
    int rc = check_vcpu_size(g, vcpu, size, 8);

    r.dir = dir_read ? IOREQ_READ : IOREQ_WRITE;
    if (!rc && (count == 0 || count > MAX_REP))
        rc = -EINVAL;
    return rc ? rc : do_io(g, vcpu, &r);
}

static uint32_t cf8_value(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t reg)
{
    return 0x80000000u | ((uint32_t)bus << 16) | ((uint32_t)(dev & 31) << 11) |
           ((uint32_t)(fn & 7) << 8) | (reg & 0xfcu);
}

int xsg_pci_cfg_read(struct xsg_guest *g, unsigned int vcpu, uint8_t bus,
                     uint8_t dev, uint8_t fn, uint8_t reg, unsigned int size,
                     uint32_t *val)
{
    struct xsg_req w = { .type = IOREQ_TYPE_PIO, .dir = IOREQ_WRITE,
                         .addr = 0xcf8, .size = 4, .count = 1 };
    struct xsg_req r = { .type = IOREQ_TYPE_PIO, .dir = IOREQ_READ,
                         .size = size, .count = 1 };
    int rc = check_vcpu_size(g, vcpu, size, 4);

    if (rc || dev > 31 || fn > 7 || (reg & 3) + size > 4)
        return rc ? rc : -EINVAL;
    w.data = cf8_value(bus, dev, fn, reg);
    r.addr = 0xcfc + (reg & 3u);
    pthread_mutex_lock(&g->vcpus[vcpu].lock);
    rc = xsg_route_and_send(g, vcpu, &w);
    if (!rc)
        rc = xsg_route_and_send(g, vcpu, &r);
    pthread_mutex_unlock(&g->vcpus[vcpu].lock);
    if (!rc)
        *val = (uint32_t)(r.data & ones(size));
    return rc;
}

int xsg_pci_cfg_write(struct xsg_guest *g, unsigned int vcpu, uint8_t bus,
                      uint8_t dev, uint8_t fn, uint8_t reg, unsigned int size,
                      uint32_t val)
{
    struct xsg_req w = { .type = IOREQ_TYPE_PIO, .dir = IOREQ_WRITE,
                         .addr = 0xcf8, .size = 4, .count = 1 };
    struct xsg_req d = { .type = IOREQ_TYPE_PIO, .dir = IOREQ_WRITE,
                         .size = size, .count = 1 };
    int rc = check_vcpu_size(g, vcpu, size, 4);

    if (rc || dev > 31 || fn > 7 || (reg & 3) + size > 4)
        return rc ? rc : -EINVAL;
    w.data = cf8_value(bus, dev, fn, reg);
    d.addr = 0xcfc + (reg & 3u);
    d.data = val & ones(size);
    pthread_mutex_lock(&g->vcpus[vcpu].lock);
    rc = xsg_route_and_send(g, vcpu, &w);
    if (!rc)
        rc = xsg_route_and_send(g, vcpu, &d);
    pthread_mutex_unlock(&g->vcpus[vcpu].lock);
    return rc;
}
