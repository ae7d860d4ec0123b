/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * responder.c - xensim-responder: a trivial device model for tests and the
 * round-trip benchmark, written against the Xen library API only (so it
 * runs on xensim's drop-in libraries exactly like a real device model).
 *
 * It creates one ioreq server (BUFIOREQ_ATOMIC), maps its pages with
 * map_resource, binds one event channel per vCPU plus the buffered port,
 * registers the ranges given on the command line, enables the server and
 * answers requests:
 *   - reads return the last value written to the same (type, address), or
 *     the constant given with -v (default 0x12345678), masked to size;
 *   - rep ins / MMIO->RAM movs write that value into guest RAM through a
 *     foreign mapping; rep outs / RAM->MMIO movs print the bytes read;
 *   - every request is printed on stdout, one line each (unless -q).
 *   - with -s PORT, a write to PORT calls xendevicemodel_shutdown(value)
 *     before the request completes (like a chipset power-off register);
 * SIGTERM/SIGINT: disable and destroy the server, unmap, exit 0 (with
 * --leak the resource mapping is deliberately left mapped).
 * Single-threaded: one poll loop over the event channel fd and a signalfd.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <xendevicemodel.h>
#include <xenevtchn.h>
#include <xenforeignmemory.h>
#include <xenstore.h>
#include <xen/hvm/ioreq.h>
#include <xen/memory.h>

#define MAX_VCPUS 64
#define MAX_RANGES 32
#define NR_REGS 64

struct reg {
    uint8_t type;
    uint64_t addr;
    uint64_t value;
};

struct responder {
    uint32_t domid;
    unsigned int nr_vcpus;
    uint64_t value;
    int quiet;
    int leak;
    long exit_after;
    int shutdown_port;
    long handled;
    xendevicemodel_handle *dm;
    xenforeignmemory_handle *fm;
    xenevtchn_handle *ev;
    xenforeignmemory_resource_handle *res;
    ioservid_t id;
    uint8_t *pages;
    evtchn_port_t vcpu_local[MAX_VCPUS];
    evtchn_port_t buf_local;
    struct reg regs[NR_REGS];
    unsigned int nr_regs;
};

static uint64_t mask_of(uint32_t size)
{
    return size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
}

static struct reg *reg_find(struct responder *r, uint8_t type, uint64_t addr,
                            int create)
{
    for (unsigned int i = 0; i < r->nr_regs; i++)
        if (r->regs[i].type == type && r->regs[i].addr == addr)
            return &r->regs[i];
    if (!create)
        return NULL;
    if (r->nr_regs == NR_REGS)
        r->nr_regs = 0; /* recycle: this is a test device */
    r->regs[r->nr_regs] = (struct reg){ type, addr, 0 };
    return &r->regs[r->nr_regs++];
}

/* Copy between guest RAM and @buf through a short-lived foreign mapping. */
static int guest_copy(struct responder *r, uint64_t gpa, void *buf,
                      size_t len, int to_guest)
{
    uint64_t first = gpa >> 12, last = (gpa + len - 1) >> 12;
    size_t n = (size_t)(last - first + 1);
    xen_pfn_t pfns[64];
    uint8_t *p;

    if (n > 64)
        return -1;
    for (size_t i = 0; i < n; i++)
        pfns[i] = first + i;
    p = xenforeignmemory_map(r->fm, r->domid, PROT_READ | PROT_WRITE, n, pfns,
                             NULL);
    if (!p)
        return -1;
    if (to_guest)
        memcpy(p + (gpa & 4095), buf, len);
    else
        memcpy(buf, p + (gpa & 4095), len);
    xenforeignmemory_unmap(r->fm, p, n);
    return 0;
}

static void handle_ptr(struct responder *r, ioreq_t *q)
{
    size_t len = (size_t)q->count * q->size;
    uint64_t start = q->df ? q->data - (len - q->size) : q->data;
    uint8_t buf[4096 * 8];

    if (len > sizeof(buf) || q->count == 0) {
        printf("bad-rep count=%u size=%u\n", q->count, q->size);
        return;
    }
    if (q->dir == IOREQ_READ) {
        for (size_t i = 0; i < len; i += q->size)
            memcpy(buf + i, &r->value, q->size);
        if (guest_copy(r, start, buf, len, 1) != 0)
            printf("map-failed gpa=0x%" PRIx64 "\n", start);
        else if (!r->quiet)
            printf("%s r addr=0x%" PRIx64 " rep=%u size=%u gpa=0x%" PRIx64
                   "\n", q->type == IOREQ_TYPE_PIO ? "rep-in" : "movs",
                   q->addr, q->count, q->size, q->data);
        return;
    }
    if (guest_copy(r, start, buf, len, 0) != 0) {
        printf("map-failed gpa=0x%" PRIx64 "\n", start);
        return;
    }
    if (!r->quiet) {
        printf("%s w addr=0x%" PRIx64 " rep=%u size=%u df=%u bytes=",
               q->type == IOREQ_TYPE_PIO ? "rep-out" : "movs", q->addr,
               q->count, q->size, q->df);
        for (size_t i = 0; i < len; i++)
            printf("%02x", buf[i]);
        printf("\n");
    }
}

static const char *type_name(uint8_t t)
{
    switch (t) {
    case IOREQ_TYPE_PIO: return "pio";
    case IOREQ_TYPE_COPY: return "mmio";
    case IOREQ_TYPE_PCI_CONFIG: return "pci";
    case IOREQ_TYPE_INVALIDATE: return "invalidate";
    default: return "other";
    }
}

static void handle(struct responder *r, ioreq_t *q)
{
    struct reg *g;

    if (q->type == IOREQ_TYPE_INVALIDATE) {
        if (!r->quiet)
            printf("invalidate\n");
        return;
    }
    if (q->type == IOREQ_TYPE_TIMEOFFSET)
        return;
    if (q->data_is_ptr) {
        handle_ptr(r, q);
        return;
    }
    if (q->dir == IOREQ_WRITE && q->type == IOREQ_TYPE_PIO &&
        (int)q->addr == r->shutdown_port) {
        if (xendevicemodel_shutdown(r->dm, r->domid, (unsigned int)q->data))
            perror("xensim-responder: shutdown");
        else if (!r->quiet)
            printf("shutdown reason=%u\n", (unsigned int)q->data);
    }
    if (q->dir == IOREQ_WRITE) {
        g = reg_find(r, q->type, q->addr, 1);
        g->value = q->data & mask_of(q->size);
    } else {
        g = reg_find(r, q->type, q->addr, 0);
        q->data = (g ? g->value : r->value) & mask_of(q->size);
    }
    if (!r->quiet)
        printf("%s %c addr=0x%" PRIx64 " size=%u data=0x%" PRIx64 "\n",
               type_name(q->type), q->dir == IOREQ_READ ? 'r' : 'w', q->addr,
               q->size, q->data);
}

static void drain_buffered(struct responder *r)
{
    buffered_iopage_t *bp = (buffered_iopage_t *)r->pages;

    for (int budget = IOREQ_BUFFER_SLOT_NUM; budget > 0;) {
        uint32_t rp = __atomic_load_n(&bp->read_pointer, __ATOMIC_ACQUIRE);
        uint32_t wp = __atomic_load_n(&bp->write_pointer, __ATOMIC_ACQUIRE);
        buf_ioreq_t b;
        uint64_t data;
        int qw;

        if (rp == wp)
            break;
        b = bp->buf_ioreq[rp % IOREQ_BUFFER_SLOT_NUM];
        data = b.data;
        qw = b.size == 3 ? 2 : 1;
        if (qw == 2)
            data |= (uint64_t)bp->buf_ioreq[(rp + 1) % IOREQ_BUFFER_SLOT_NUM]
                        .data << 32;
        if (!r->quiet)
            printf("buf w addr=0x%x size=%u data=0x%" PRIx64 "\n",
                   (unsigned)b.addr, 1u << b.size, data);
        __atomic_fetch_add(&bp->read_pointer, (uint32_t)qw, __ATOMIC_RELEASE);
        budget -= qw;
        r->handled++;
    }
}

static void handle_vcpu(struct responder *r, unsigned int v)
{
    ioreq_t *slot = (ioreq_t *)(r->pages + 4096) + v;
    ioreq_t q;

    if (slot->state != STATE_IOREQ_READY)
        return; /* spurious or already handled */
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    q = *slot;
    slot->state = STATE_IOREQ_INPROCESS;
    drain_buffered(r);
    handle(r, &q);
    slot->data = q.data;
    __atomic_thread_fence(__ATOMIC_RELEASE);
    slot->state = STATE_IORESP_READY;
    xenevtchn_notify(r->ev, r->vcpu_local[v]);
    r->handled++;
}

static int add_range(struct responder *r, int type, const char *arg)
{
    char *end;
    uint64_t a = strtoull(arg, &end, 0), b = a;

    if (*end == ':' || *end == '-')
        b = strtoull(end + 1, &end, 0);
    if (*end)
        return -1;
    if (type == 2)
        return xendevicemodel_map_pcidev_to_ioreq_server(
            r->dm, r->domid, r->id, 0, (uint8_t)(a >> 8),
            (uint8_t)((a >> 3) & 31), (uint8_t)(a & 7));
    return xendevicemodel_map_io_range_to_ioreq_server(r->dm, r->domid, r->id,
                                                       type, a, b);
}

static int setup(struct responder *r)
{
    evtchn_port_t bufport = 0;
    void *addr = NULL;

    r->dm = xendevicemodel_open(NULL, 0);
    r->fm = xenforeignmemory_open(NULL, 0);
    r->ev = xenevtchn_open(NULL, 0);
    if (!r->dm || !r->fm || !r->ev) {
        perror("xensim-responder: open");
        return -1;
    }
    if (xendevicemodel_nr_vcpus(r->dm, r->domid, &r->nr_vcpus) != 0 ||
        r->nr_vcpus > MAX_VCPUS) {
        perror("xensim-responder: nr_vcpus");
        return -1;
    }
    if (xendevicemodel_create_ioreq_server(r->dm, r->domid, 2, &r->id) != 0) {
        perror("xensim-responder: create_ioreq_server");
        return -1;
    }
    r->res = xenforeignmemory_map_resource(r->fm, r->domid,
                                           XENMEM_resource_ioreq_server,
                                           r->id, 0, 2, &addr,
                                           PROT_READ | PROT_WRITE, 0);
    if (!r->res) {
        perror("xensim-responder: map_resource");
        return -1;
    }
    r->pages = addr;
    if (xendevicemodel_get_ioreq_server_info(r->dm, r->domid, r->id, NULL,
                                             NULL, &bufport) != 0) {
        perror("xensim-responder: get_ioreq_server_info");
        return -1;
    }
    for (unsigned int v = 0; v < r->nr_vcpus; v++) {
        ioreq_t *slot = (ioreq_t *)(r->pages + 4096) + v;
        int p = xenevtchn_bind_interdomain(r->ev, r->domid, slot->vp_eport);

        if (p < 0) {
            perror("xensim-responder: bind_interdomain");
            return -1;
        }
        r->vcpu_local[v] = (evtchn_port_t)p;
    }
    {
        int p = xenevtchn_bind_interdomain(r->ev, r->domid, bufport);

        if (p < 0) {
            perror("xensim-responder: bind buffered port");
            return -1;
        }
        r->buf_local = (evtchn_port_t)p;
    }
    return 0;
}

static void teardown(struct responder *r)
{
    if (r->dm) {
        xendevicemodel_set_ioreq_server_state(r->dm, r->domid, r->id, 0);
        xendevicemodel_destroy_ioreq_server(r->dm, r->domid, r->id);
    }
    if (r->res && !r->leak)
        xenforeignmemory_unmap_resource(r->fm, r->res);
    if (r->ev)
        xenevtchn_close(r->ev);
    if (r->fm)
        xenforeignmemory_close(r->fm);
    if (r->dm)
        xendevicemodel_close(r->dm);
}

static void xs_announce(uint32_t domid)
{
    struct xs_handle *xs = xs_open(0);
    char path[64];

    if (!xs) {
        perror("xensim-responder: xs_open");
        return;
    }
    snprintf(path, sizeof(path), "/local/domain/0/device-model/%u/state",
             domid);
    if (!xs_write(xs, XBT_NULL, path, "running", 7))
        perror("xensim-responder: xs_write");
    xs_close(xs);
}

static void usage(void)
{
    fprintf(stderr,
            "usage: xensim-responder -d DOMID [-p PORT[:LAST]]... "
            "[-m ADDR[:LAST]]... [-c BDF]... [-v VALUE] [-n COUNT] [-q] "
            "[-x] [-s PORT] [--leak]\n"
            "  -p/-m/-c  register port / MMIO range / PCI device (bus<<8|"
            "dev<<3|fn)\n  -v  value reads return (default 0x12345678)\n"
            "  -n  exit after COUNT requests   -q  quiet   -x  write "
            "device-model state=running to xenstore\n"
            "  -s  a write to PORT shuts the domain down (reason = value)\n");
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "leak", no_argument, NULL, 'L' },
        { NULL, 0, NULL, 0 },
    };
    struct responder *r = calloc(1, sizeof(*r));
    const char *ranges[3][MAX_RANGES];
    unsigned int nr[3] = { 0, 0, 0 };
    int opt, xs = 0, have_dom = 0, rc = 1, sfd;
    sigset_t ss;

    if (!r)
        return 1;
    r->value = 0x12345678;
    r->exit_after = -1;
    r->shutdown_port = -1;
    while ((opt = getopt_long(argc, argv, "d:p:m:c:v:n:qxs:", longopts,
                              NULL)) != -1) {
        int t = opt == 'p' ? 0 : opt == 'm' ? 1 : 2;

        switch (opt) {
        case 'd':
            r->domid = (uint32_t)strtoul(optarg, NULL, 0);
            have_dom = 1;
            break;
        case 'p':
        case 'm':
        case 'c':
            if (nr[t] == MAX_RANGES) {
                usage();
                return 2;
            }
            ranges[t][nr[t]++] = optarg;
            break;
        case 'v':
            r->value = strtoull(optarg, NULL, 0);
            break;
        case 'n':
            r->exit_after = strtol(optarg, NULL, 0);
            break;
        case 'q':
            r->quiet = 1;
            break;
        case 'x':
            xs = 1;
            break;
        case 's':
            r->shutdown_port = (int)strtol(optarg, NULL, 0);
            break;
        case 'L':
            r->leak = 1;
            break;
        default:
            usage();
            free(r);
            return 2;
        }
    }
    if (!have_dom) {
        usage();
        free(r);
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    sigemptyset(&ss);
    sigaddset(&ss, SIGTERM);
    sigaddset(&ss, SIGINT);
    sigprocmask(SIG_BLOCK, &ss, NULL);
    sfd = signalfd(-1, &ss, SFD_CLOEXEC);
    if (sfd < 0 || setup(r) != 0)
        goto out;
    for (int t = 0; t < 3; t++) {
        for (unsigned int i = 0; i < nr[t]; i++) {
            if (add_range(r, t, ranges[t][i]) != 0) {
                fprintf(stderr, "xensim-responder: range %s: %s\n",
                        ranges[t][i], strerror(errno));
                goto out;
            }
        }
    }
    if (xendevicemodel_set_ioreq_server_state(r->dm, r->domid, r->id, 1)) {
        perror("xensim-responder: set_ioreq_server_state");
        goto out;
    }
    if (xs)
        xs_announce(r->domid);
    printf("ready server=%u vcpus=%u\n", (unsigned)r->id, r->nr_vcpus);
    for (;;) {
        struct pollfd pfd[2] = {
            { .fd = xenevtchn_fd(r->ev), .events = POLLIN },
            { .fd = sfd, .events = POLLIN },
        };
        /* Without -n nothing is periodic: every producer notifies. */
        int n = poll(pfd, 2, r->exit_after >= 0 ? 100 : -1);

        if (n < 0 && errno != EINTR)
            break;
        if (pfd[1].revents)
            break;
        drain_buffered(r);
        if (pfd[0].revents & POLLIN) {
            int port = xenevtchn_pending(r->ev);

            if (port < 0)
                break;
            for (unsigned int v = 0; v < r->nr_vcpus; v++)
                if ((evtchn_port_t)port == r->vcpu_local[v])
                    handle_vcpu(r, v);
            xenevtchn_unmask(r->ev, (evtchn_port_t)port);
        }
        if (r->exit_after >= 0 && r->handled >= r->exit_after)
            break;
    }
    rc = 0;
out:
    teardown(r);
    if (sfd >= 0)
        close(sfd);
    printf("exit handled=%ld\n", r->handled);
    free(r);
    return rc;
}
