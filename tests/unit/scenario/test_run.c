/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_run.c - the scenario interpreter against a recording fake backend:
 * which backend calls a scenario makes (with which vCPU and arguments),
 * reads checked under masks, error expectations, observations (with
 * `within` polling), RAM helpers, repeat, and parallel blocks that really
 * run concurrently and stop together on a failure.
 *
 * The fake: 16 pages of RAM (frame 3 read-only, frames >= 16 unpopulated),
 * a port and MMIO "device" whose reads return a table value, ports that
 * fail with a chosen errno, and a rendezvous port pair to prove two vCPUs
 * run at the same time. Every call is appended to a log, under a mutex.
 */
#include <check.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "stubs/scenario/scenario.h"

#define RAM_PAGES 16u
#define RO_FRAME 3u

struct fake {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    char log[16384];
    size_t loglen;
    uint8_t ram[RAM_PAGES * 4096];
    unsigned int nr_vcpus;
    unsigned int timeout_ms;
    int last_server;
    uint64_t pio_reads;          /* calls, all vCPUs */
    bool rendezvous;             /* port 0xb1 was written */
    int fail_errno;              /* returned by port 0xe0 accesses */
    struct xsg_obs obs;
    unsigned int obs_calls;
    unsigned int irq_after;      /* isa_irq[5] goes high at this observe call */
};

static void logf_(struct fake *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void logf_(struct fake *f, const char *fmt, ...)
{
    va_list ap;
    int n;

    pthread_mutex_lock(&f->lock);
    va_start(ap, fmt);
    n = vsnprintf(f->log + f->loglen, sizeof(f->log) - f->loglen, fmt, ap);
    va_end(ap);
    if (n > 0 && f->loglen + (size_t)n < sizeof(f->log))
        f->loglen += (size_t)n;
    pthread_mutex_unlock(&f->lock);
}

static unsigned int f_nr_vcpus(void *o)
{
    return ((struct fake *)o)->nr_vcpus;
}

static void f_set_timeout_ms(void *o, unsigned int ms)
{
    struct fake *f = o;

    f->timeout_ms = ms;
    logf_(f, "timeout %u\n", ms);
}

static int f_last_server(void *o, unsigned int vcpu)
{
    return ((struct fake *)o)->last_server;
}

static int f_pio_read(void *o, unsigned int vcpu, uint16_t port,
                      unsigned int size, uint32_t *val)
{
    struct fake *f = o;

    pthread_mutex_lock(&f->lock);
    f->pio_reads++;
    pthread_mutex_unlock(&f->lock);
    if (port == 0x80) { /* counted, not logged (used in loops) */
        *val = 0;
        return 0;
    }
    logf_(f, "in v%u %c 0x%x\n", vcpu, "?bw?l"[size], port);
    if (port == 0xe0)
        return -f->fail_errno;
    if (port == 0xb0) { /* wait (2 s max) until someone writes 0xb1 */
        struct timespec dl;
        int ret = 0;

        clock_gettime(CLOCK_REALTIME, &dl);
        dl.tv_sec += 2;
        pthread_mutex_lock(&f->lock);
        while (!f->rendezvous && !ret)
            ret = pthread_cond_timedwait(&f->cond, &f->lock, &dl);
        pthread_mutex_unlock(&f->lock);
        *val = 0xb0;
        return ret ? -ETIMEDOUT : 0;
    }
    /* the "device": a read returns the low port byte repeated */
    *val = (uint32_t)((port & 0xff) * 0x01010101u) & (uint32_t)((1ull << (size * 8)) - 1);
    return 0;
}

static int f_pio_write(void *o, unsigned int vcpu, uint16_t port,
                       unsigned int size, uint32_t val)
{
    struct fake *f = o;

    logf_(f, "out v%u %c 0x%x 0x%x\n", vcpu, "?bw?l"[size], port, val);
    if (port == 0xe0)
        return -f->fail_errno;
    if (port == 0xb1) {
        pthread_mutex_lock(&f->lock);
        f->rendezvous = true;
        pthread_cond_broadcast(&f->cond);
        pthread_mutex_unlock(&f->lock);
    }
    return 0;
}

static int f_pio_rep(void *o, unsigned int vcpu, uint16_t port,
                     unsigned int size, uint32_t count, bool df, bool dir_read,
                     uint64_t gpa)
{
    logf_(o, "%s v%u %u 0x%x %u%s 0x%" PRIx64 "\n", dir_read ? "ins" : "outs",
          vcpu, size, port, count, df ? " df" : "", gpa);
    return 0;
}

static int f_mmio_read(void *o, unsigned int vcpu, uint64_t addr,
                       unsigned int size, uint64_t *val)
{
    logf_(o, "read v%u %u 0x%" PRIx64 "\n", vcpu, size, addr);
    *val = 0x1122334455667788ull;
    if (size < 8)
        *val &= (1ull << (size * 8)) - 1;
    return 0;
}

static int f_mmio_write(void *o, unsigned int vcpu, uint64_t addr,
                        unsigned int size, uint64_t val)
{
    logf_(o, "write v%u %u 0x%" PRIx64 " 0x%" PRIx64 "\n", vcpu, size, addr, val);
    return 0;
}

static int f_mmio_rep(void *o, unsigned int vcpu, uint64_t addr,
                      unsigned int size, uint32_t count, bool df,
                      bool dir_read, uint64_t gpa)
{
    logf_(o, "movs v%u %s %u 0x%" PRIx64 " %u%s 0x%" PRIx64 "\n", vcpu,
          dir_read ? "from" : "to", size, addr, count, df ? " df" : "", gpa);
    return 0;
}

static int f_pci_cfg_read(void *o, unsigned int vcpu, uint8_t bus,
                          uint8_t dev, uint8_t fn, uint8_t reg,
                          unsigned int size, uint32_t *val)
{
    logf_(o, "pci read v%u %u %02x:%02x.%u 0x%x\n", vcpu, size, bus, dev, fn, reg);
    *val = dev == 0 && reg == 0 && size == 4 ? 0x12378086u : 0xffffffffu >> (32 - 8 * size);
    return 0;
}

static int f_pci_cfg_write(void *o, unsigned int vcpu, uint8_t bus,
                           uint8_t dev, uint8_t fn, uint8_t reg,
                           unsigned int size, uint32_t val)
{
    logf_(o, "pci write v%u %u %02x:%02x.%u 0x%x 0x%x\n", vcpu, size, bus, dev,
          fn, reg, val);
    return 0;
}

static int ram_check(uint64_t gpa, size_t len, bool write)
{
    for (uint64_t a = gpa; a < gpa + len; a = (a | 4095) + 1) {
        if (a >> 12 >= RAM_PAGES)
            return -EFAULT;
        if (write && a >> 12 == RO_FRAME)
            return -EROFS;
    }
    return 0;
}

static int f_ram_read(void *o, uint64_t gpa, void *buf, size_t len)
{
    struct fake *f = o;
    int ret = ram_check(gpa, len, false);

    if (!ret)
        memcpy(buf, f->ram + gpa, len);
    return ret;
}

static int f_ram_write(void *o, uint64_t gpa, const void *buf, size_t len)
{
    struct fake *f = o;
    int ret = ram_check(gpa, len, true);

    logf_(f, "ram write 0x%" PRIx64 " %zu\n", gpa, len);
    if (!ret)
        memcpy(f->ram + gpa, buf, len);
    return ret;
}

static int f_ram_fill(void *o, uint64_t gpa, uint8_t byte, size_t len)
{
    struct fake *f = o;
    int ret = ram_check(gpa, len, true);

    logf_(f, "ram fill 0x%" PRIx64 " %zu 0x%x\n", gpa, len, byte);
    if (!ret)
        memset(f->ram + gpa, byte, len);
    return ret;
}

static bool f_ram_populated(void *o, uint64_t gfn)
{
    return gfn < RAM_PAGES;
}

static int f_grant(void *o, uint32_t ref, uint64_t gfn, uint32_t to_domid,
                   bool readonly)
{
    logf_(o, "grant %u 0x%" PRIx64 " to %u%s\n", ref, gfn, to_domid,
          readonly ? " ro" : "");
    return ref >= 4096 ? -EINVAL : 0;
}

static int f_grant_end(void *o, uint32_t ref)
{
    logf_(o, "grant end %u\n", ref);
    return 0;
}

static int f_balloon_out(void *o, unsigned int vcpu, uint64_t gfn, uint64_t nr)
{
    logf_(o, "balloon out v%u 0x%" PRIx64 " %" PRIu64 "\n", vcpu, gfn, nr);
    return 0;
}

static int f_balloon_in(void *o, uint64_t gfn, uint64_t nr)
{
    logf_(o, "balloon in 0x%" PRIx64 " %" PRIu64 "\n", gfn, nr);
    return 0;
}

static int f_wait_servers(void *o, unsigned int n, unsigned int timeout_ms)
{
    logf_(o, "wait %u %u\n", n, timeout_ms);
    return n > 1 ? -ETIMEDOUT : 0;
}

static void f_observe(void *o, struct xsg_obs *obs)
{
    struct fake *f = o;

    pthread_mutex_lock(&f->lock);
    f->obs_calls++;
    if (f->irq_after && f->obs_calls >= f->irq_after)
        f->obs.isa_irq[5] = 1;
    *obs = f->obs;
    pthread_mutex_unlock(&f->lock);
}

static int f_raw_ioreq(void *o, unsigned int vcpu, unsigned int server,
                       ioreq_t *req, uint8_t state)
{
    logf_(o, "raw ioreq v%u s%u t%u sz%u c%u 0x%llx 0x%llx d%u p%u f%u st%u\n",
          vcpu, server, req->type, req->size, req->count,
          (unsigned long long)req->addr, (unsigned long long)req->data,
          req->dir, req->data_is_ptr, req->df, state);
    if (state != STATE_IOREQ_READY)
        return -ETIMEDOUT;
    req->data = req->addr + 1;
    return 0;
}

static int f_raw_buffered(void *o, unsigned int server,
                          const buf_ioreq_t *slots, unsigned int n,
                          uint32_t extra)
{
    logf_(o, "raw buffered s%u n%u x%u", server, n, extra);
    for (unsigned int i = 0; i < n; i++)
        logf_(o, " [t%u sz%u 0x%x 0x%x d%u]", slots[i].type, slots[i].size,
              (unsigned int)slots[i].addr, slots[i].data, slots[i].dir);
    logf_(o, "\n");
    return 0;
}

static int f_raw_buffered_ptrs(void *o, unsigned int server, uint32_t *rp,
                               uint32_t *wp)
{
    (void)o;
    if (server != 0)
        return -ENOENT;
    *rp = 2;
    *wp = 5;
    return 0;
}

static struct fake *fk;
static struct xsg_scenario_backend be;

static void setup(void)
{
    fk = calloc(1, sizeof(*fk));
    pthread_mutex_init(&fk->lock, NULL);
    pthread_cond_init(&fk->cond, NULL);
    fk->nr_vcpus = 4;
    fk->last_server = -1;
    fk->fail_errno = ETIMEDOUT;
    be = (struct xsg_scenario_backend){
        .opaque = fk, .nr_vcpus = f_nr_vcpus, .set_timeout_ms = f_set_timeout_ms,
        .last_server = f_last_server, .pio_read = f_pio_read,
        .pio_write = f_pio_write, .pio_rep = f_pio_rep,
        .mmio_read = f_mmio_read, .mmio_write = f_mmio_write,
        .mmio_rep = f_mmio_rep, .pci_cfg_read = f_pci_cfg_read,
        .pci_cfg_write = f_pci_cfg_write, .ram_read = f_ram_read,
        .ram_write = f_ram_write, .ram_fill = f_ram_fill,
        .ram_populated = f_ram_populated, .grant = f_grant,
        .grant_end = f_grant_end, .balloon_out = f_balloon_out,
        .balloon_in = f_balloon_in, .wait_servers = f_wait_servers,
        .observe = f_observe, .raw_ioreq = f_raw_ioreq,
        .raw_buffered = f_raw_buffered, .raw_buffered_ptrs = f_raw_buffered_ptrs,
    };
}

static void teardown(void)
{
    pthread_cond_destroy(&fk->cond);
    pthread_mutex_destroy(&fk->lock);
    free(fk);
    fk = NULL;
}

/* Run @text; return the run's result, its message in @err, and what it
 * printed in @out (both may be NULL). */
static int run_text(const char *text, char *err, size_t errlen, char *out,
                    size_t outlen, bool trace)
{
    struct xsg_scenario *sc = NULL;
    char perr[512], ebuf[512], *obuf = NULL;
    size_t olen = 0;
    FILE *o = open_memstream(&obuf, &olen);
    struct xsg_scenario_opts opts = { .out = o, .trace = trace };
    int ret;

    ck_assert_ptr_nonnull(o);
    ck_assert_msg(!xsg_scenario_parse("t.scn", text, strlen(text), &sc, perr,
                                      sizeof(perr)), "parse: %s", perr);
    ret = xsg_scenario_run(sc, &be, &opts, ebuf, sizeof(ebuf));
    fclose(o);
    if (err)
        snprintf(err, errlen, "%s", ebuf);
    if (out)
        snprintf(out, outlen, "%s", obuf ? obuf : "");
    free(obuf);
    xsg_scenario_free(sc);
    return ret;
}

static void run_ok(const char *text)
{
    char err[512];

    ck_assert_msg(run_text(text, err, sizeof(err), NULL, 0, false) == 0,
                  "run failed: %s", err);
}

static void run_fails(const char *text, const char *msg)
{
    char err[512];

    ck_assert_int_eq(run_text(text, err, sizeof(err), NULL, 0, false), -1);
    ck_assert_str_eq(err, msg);
}

START_TEST(accesses_reach_backend)
{
    run_ok("out b 0x3f8 0x41\n"
           "in w 0x10 expect 0x1010\n"
           "outs b 0x3f8 5 0x1000\n"
           "ins l 0x1f0 2 0x2000 df\n"
           "write q 0xfe000000 0x1122334455667788\n"
           "read l 0xfe000000 expect 0x55667788\n"
           "movs-to-mmio w 0xa0000 8 0x3000\n"
           "movs-from-mmio b 0xa0000 1 0x3000 df\n"
           "pci read l 00:00.0 0 expect 0x12378086\n"
           "pci write b 00:01.0 0x60 0x0b\n"
           "grant 7 0x5 ro to 2\n"
           "grant end 7\n"
           "balloon out 0x10 2\n"
           "balloon in 0x10 2\n"
           "wait servers 1 timeout 300\n"
           "timeout 250\n");
    ck_assert_str_eq(fk->log,
                     "out v0 b 0x3f8 0x41\n"
                     "in v0 w 0x10\n"
                     "outs v0 1 0x3f8 5 0x1000\n"
                     "ins v0 4 0x1f0 2 df 0x2000\n"
                     "write v0 8 0xfe000000 0x1122334455667788\n"
                     "read v0 4 0xfe000000\n"
                     "movs v0 to 2 0xa0000 8 0x3000\n"
                     "movs v0 from 1 0xa0000 1 df 0x3000\n"
                     "pci read v0 4 00:00.0 0x0\n"
                     "pci write v0 1 00:01.0 0x60 0xb\n"
                     "grant 7 0x5 to 2 ro\n"
                     "grant end 7\n"
                     "balloon out v0 0x10 2\n"
                     "balloon in 0x10 2\n"
                     "wait 1 300\n"
                     "timeout 250\n");
    ck_assert_uint_eq(fk->timeout_ms, 250);
}
END_TEST

START_TEST(raw_commands)
{
    char out[512];

    run_ok("vcpu 2\n"
           "raw ioreq type=copy size=3 count=0 addr=0x10 data=7 dir=read ptr=1 df=1 "
           "expect data 0x11\n"
           "raw ioreq vcpu=1 server=3 type=pio size=1 state=none expect timeout\n"
           "raw buffered server=1 extra=4 slot type=copy size=8 addr=0xa0000 data=9\n"
           "raw buffered-ptrs expect rp=2 wp=5\n");
    ck_assert_str_eq(fk->log,
                     "raw ioreq v2 s0 t1 sz3 c0 0x10 0x7 d1 p1 f1 st1\n"
                     "raw ioreq v1 s3 t0 sz1 c1 0x0 0x0 d0 p0 f0 st0\n"
                     "raw buffered s1 n1 x4 [t1 sz3 0xa0000 0x9 d0]\n");
    run_fails("raw ioreq type=pio size=1 addr=4 expect data 4",
              "t.scn:1: expected 0x4, got 0x5");
    run_fails("raw ioreq type=pio size=1 state=0",
              "t.scn:1: raw ioreq server=0 type=pio size=1 count=1 addr=0x0 data=0x0 dir=write "
              "ptr=0 df=0 state=0: ETIMEDOUT (Connection timed out)");
    run_fails("raw ioreq type=pio size=1 expect timeout",
              "t.scn:1: expected error ETIMEDOUT, got success");
    run_fails("raw buffered-ptrs expect wp=4", "t.scn:1: expected wp 4, got 5");
    run_fails("raw buffered-ptrs expect rp=1", "t.scn:1: expected rp 1, got 2");
    run_ok("expect error ENOENT\nraw buffered-ptrs server=1");
    ck_assert_int_eq(run_text("raw buffered-ptrs", NULL, 0, out, sizeof(out), false), 0);
    ck_assert_str_eq(out, "raw buffered-ptrs server=0 = rp 2 wp 5\n");
    /* a backend without raw support */
    be.raw_ioreq = NULL;
    run_fails("raw ioreq type=pio size=1",
              "t.scn:1: raw ioreq server=0 type=pio size=1 count=1 addr=0x0 data=0x0 dir=write "
              "ptr=0 df=0: ENOSYS (Function not implemented)");
}
END_TEST

START_TEST(vcpu_switch)
{
    run_ok("vcpu 2\nout b 0x70 1\nballoon out 1 1\nvcpu 0\nin b 0x71");
    ck_assert_str_eq(fk->log, "out v2 b 0x70 0x1\nballoon out v2 0x1 1\nin v0 b 0x71\n");
    run_fails("out b 0x70 1\nvcpu 4\nout b 0x70 2",
              "t.scn:2: vcpu 4 out of range (the domain has 4 vCPUs)");
    fk->nr_vcpus = 1;
    run_fails("vcpu 1", "t.scn:1: vcpu 1 out of range (the domain has 1 vCPU)");
}
END_TEST

START_TEST(value_checks)
{
    run_fails("in b 0x60 expect 0x61", "t.scn:1: expected 0x61, got 0x60");
    run_ok("in b 0x60 expect 0x61 mask 0xfe");
    run_fails("\nin w 0x60 expect 0x6161 mask 0xff00",
              "t.scn:2: expected 0x6161 under mask 0xff00, got 0x6060");
    run_fails("read q 0x1000 expect 0x1122334455667789",
              "t.scn:1: expected 0x1122334455667789, got 0x1122334455667788");
    run_fails("pci read w 00:03.0 0 expect 0x8086", "t.scn:1: expected 0x8086, got 0xffff");
    /* stops at the first failure */
    fk->loglen = 0;
    fk->log[0] = '\0';
    run_fails("in b 0x60 expect 0\nout b 0x61 1", "t.scn:1: expected 0x0, got 0x60");
    ck_assert_str_eq(fk->log, "in v0 b 0x60\n");
}
END_TEST

START_TEST(unchecked_reads_print)
{
    char out[1024], err[256];

    ck_assert_int_eq(run_text("in b 0x3fd\nread w 0x1000\npci read l 00:00.0 0\n"
                              "echo \"hi\" there\nin b 0x3fd expect 0xfd\n",
                              err, sizeof(err), out, sizeof(out), false), 0);
    ck_assert_str_eq(out, "in b 0x3fd = 0xfd\n"
                          "read w 0x1000 = 0x7788\n"
                          "pci read l 00:00.0 0x0 = 0x12378086\n"
                          "hi there\n");
    ck_assert_int_eq(run_text("out b 0x80 1\nvcpu 1\nsleep 1\n", err, sizeof(err),
                              out, sizeof(out), true), 0);
    ck_assert_str_eq(out, "t.scn:1: [vcpu 0] out b 0x80 0x1\n"
                          "t.scn:2: [vcpu 0] vcpu 1\n"
                          "t.scn:3: [vcpu 1] sleep 1\n");
}
END_TEST

START_TEST(errors_and_expect_error)
{
    run_fails("out b 0x80 1\nin b 0xe0", "t.scn:2: in b 0xe0: ETIMEDOUT (Connection timed out)");
    run_ok("expect error ETIMEDOUT\nin b 0xe0\nexpect error\nout b 0xe0 1");
    run_fails("expect error EIO\nin b 0xe0",
              "t.scn:2: expected error EIO (Input/output error), got ETIMEDOUT (Connection timed out)");
    run_fails("expect error EIO\nin b 0x61", "t.scn:2: expected error EIO, got success");
    run_fails("expect error\nin b 0x61", "t.scn:2: expected error an error, got success");
    fk->fail_errno = 4095; /* no name for it */
    run_fails("out w 0xe0 0x1234", "t.scn:1: out w 0xe0 0x1234: error 4095 (Unknown error 4095)");
    /* backend errors of the other command kinds */
    run_fails("wait servers 2", "t.scn:1: wait servers 2 timeout 5000: ETIMEDOUT (Connection timed out)");
    run_ok("expect error EINVAL\ngrant 4096 1");
    /* RAM errors */
    run_fails("ram write 0x3000 1", "t.scn:1: ram write 0x3000 0x01: EROFS (Read-only file system)");
    run_ok("expect error EROFS\nram fill 0x2ffe 4 0\nexpect error EFAULT\nram expect 0x10000 1\n"
           "expect error EFAULT\nram checksum 0xf000 0x1001");
}
END_TEST

START_TEST(ram_helpers)
{
    char out[512], err[256];

    run_ok("ram write 0x1000 \"123456789\"\n"
           "ram expect 0x1000 \"1234\" 0x35\n"
           "ram checksum 0x1000 9 expect 0xcbf43926\n"
           "ram fill 0x2000 0x1000 0xaa\n"
           "ram expect 0x2ffe 0xaa 0xaa");
    ck_assert(!memcmp(fk->ram + 0x1000, "123456789", 9));
    run_fails("ram expect 0x1000 \"12X\"", "t.scn:1: expected 0x58 at 0x1002, got 0x33");
    run_fails("ram checksum 0x1000 8 expect 0xcbf43926",
              "t.scn:1: expected crc32 0xcbf43926, got 0x9ae0daaf");
    ck_assert_int_eq(run_text("ram checksum 0x1000 9", err, sizeof(err), out, sizeof(out),
                              false), 0);
    ck_assert_str_eq(out, "ram checksum 0x1000 0x9 = 0xcbf43926\n");
    /* a checksum longer than the interpreter's chunk */
    memset(fk->ram, 0, sizeof(fk->ram));
    ck_assert_int_eq(run_text("ram checksum 0 0x10000", err, sizeof(err), out, sizeof(out),
                              false), 0);
    {
        char want[128];

        snprintf(want, sizeof(want), "ram checksum 0x0 0x10000 = 0x%08x\n",
                 xsg_scenario_crc32(0, fk->ram, sizeof(fk->ram)));
        ck_assert_str_eq(out, want);
    }
}
END_TEST

START_TEST(observations)
{
    run_ok("expect shutdown none\nexpect shutdown count 0\nexpect isa-irq 4 low\n"
           "expect server none\nexpect frame 15 populated\nexpect frame 16 unpopulated");
    run_fails("expect shutdown poweroff", "t.scn:1: expected shutdown poweroff, got none");
    fk->obs.shutdown_count = 1;
    fk->obs.shutdown_reason = 1;
    run_fails("expect shutdown poweroff", "t.scn:1: expected shutdown poweroff, got reboot");
    run_ok("expect shutdown reboot\nexpect shutdown count 1");
    fk->obs.shutdown_reason = 9;
    run_fails("expect shutdown none", "t.scn:1: expected shutdown none, got 9");
    fk->obs.isa_irq[4] = 1;
    fk->obs.pci_intx[2][1] = 1;
    fk->obs.link_route[2] = 11;
    fk->obs.msi_count = 3;
    fk->obs.msi_last_addr = 0xfee00000;
    fk->obs.msi_last_data = 0x4041;
    fk->obs.modified_calls = 2;
    fk->obs.modified_pages = 7;
    fk->obs.pinned_ranges = 1;
    fk->obs.populated_frames = 256;
    fk->last_server = 1;
    run_ok("expect isa-irq 4 high\nexpect pci-intx 2 B high\nexpect pci-intx 2 A low\n"
           "expect link-route 2 11\nexpect msi count 3\nexpect msi addr 0xfee00000\n"
           "expect msi data 0x4041\nexpect modified calls 2\nexpect modified pages 7\n"
           "expect pinned 1\nexpect populated 256\nexpect server 1");
    run_fails("expect isa-irq 4 low", "t.scn:1: expected isa-irq 4 low, got high");
    run_fails("expect pci-intx 2 B low", "t.scn:1: expected pci-intx 2 B low, got high");
    run_fails("expect link-route 2 10", "t.scn:1: expected link-route 2 10, got 11");
    run_fails("expect msi count 1", "t.scn:1: expected msi count 1, got 3");
    run_fails("expect msi addr 0xfee01000", "t.scn:1: expected msi addr 0xfee01000, got 0xfee00000");
    run_fails("expect msi data 1", "t.scn:1: expected msi data 0x1, got 0x4041");
    run_fails("expect modified calls 1", "t.scn:1: expected modified calls 1, got 2");
    run_fails("expect modified pages 1", "t.scn:1: expected modified pages 1, got 7");
    run_fails("expect pinned 0", "t.scn:1: expected pinned 0, got 1");
    run_fails("expect populated 1", "t.scn:1: expected populated 1, got 256");
    run_fails("expect frame 3 unpopulated", "t.scn:1: expected frame 0x3 unpopulated, got populated");
    run_fails("expect server 0", "t.scn:1: expected server 0, got 1");
    run_fails("expect server none", "t.scn:1: expected server none, got 1");
}
END_TEST

START_TEST(within_polls)
{
    struct timespec a, b;
    long ms;

    /* isa-irq 5 rises at the 4th look */
    fk->irq_after = 4;
    run_ok("expect isa-irq 5 high within 1000");
    ck_assert_uint_eq(fk->obs_calls, 4);
    /* never true: fails after about the given time */
    clock_gettime(CLOCK_MONOTONIC, &a);
    run_fails("expect isa-irq 6 high within 100", "t.scn:1: expected isa-irq 6 high, got low");
    clock_gettime(CLOCK_MONOTONIC, &b);
    ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
    /* Clock granularity may wake the last poll a hair early. */
    ck_assert_int_ge(ms, 90);
    ck_assert_int_lt(ms, 10000);       /* not waiting forever */
}
END_TEST

START_TEST(repeat_counts)
{
    run_ok("repeat 3\n  in b 0x80\n  repeat 2\n    in b 0x80\n  end\nend\nrepeat 0\nin b 0x80\nend");
    ck_assert_uint_eq(fk->pio_reads, 9);
}
END_TEST

START_TEST(parallel_is_concurrent)
{
    /* vCPU 1 blocks in port 0xb0 until vCPU 2 writes 0xb1: only works if
     * the two sections run at the same time. */
    run_ok("vcpu 3\n"
           "parallel\n"
           "on vcpu 1:\n"
           "  in b 0xb0 expect 0xb0\n"
           "  out b 0x81 1\n"
           "on vcpu 2:\n"
           "  sleep 20\n"
           "  out b 0xb1 1\n"
           "end\n"
           "out b 0x82 2\n");
    /* the main vCPU is 3 again after the block, and ran after the join */
    ck_assert_ptr_nonnull(strstr(fk->log, "in v1 b 0xb0\n"));
    ck_assert_ptr_nonnull(strstr(fk->log, "out v1 b 0x81 0x1\n"));
    ck_assert_ptr_nonnull(strstr(fk->log, "out v2 b 0xb1 0x1\n"));
    ck_assert_ptr_nonnull(strstr(fk->log, "out v3 b 0x82 0x2\n"));
    ck_assert_ptr_eq(strstr(fk->log, "out v3 b 0x82 0x2\n") + strlen("out v3 b 0x82 0x2\n"),
                     fk->log + fk->loglen);
}
END_TEST

START_TEST(parallel_failure_stops_all)
{
    struct timespec a, b;
    long ms;

    clock_gettime(CLOCK_MONOTONIC, &a);
    run_fails("parallel\n"
              "on vcpu 0:\n"
              "  repeat 100000000\n"
              "    in b 0x80\n"
              "  end\n"
              "on vcpu 1:\n"
              "  sleep 30\n"
              "  in b 0x61 expect 0\n"
              "end\n"
              "out b 0x99 1\n",
              "t.scn:8: expected 0x0, got 0x61");
    clock_gettime(CLOCK_MONOTONIC, &b);
    ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
    /* 100M reads would take far longer; generous for valgrind's pace. */
    ck_assert_int_lt(ms, 60000);
    ck_assert_uint_lt(fk->pio_reads, 100000000);
    ck_assert_ptr_null(strstr(fk->log, "0x99"));
    /* a section naming a vCPU the domain lacks fails before any thread runs */
    run_fails("parallel\non vcpu 0:\n out b 0x98 1\non vcpu 7:\nend",
              "t.scn:4: vcpu 7 out of range (the domain has 4 vCPUs)");
    ck_assert_ptr_null(strstr(fk->log, "0x98"));
    /* sleeping threads notice the stop */
    clock_gettime(CLOCK_MONOTONIC, &a);
    run_fails("parallel\non vcpu 0:\n sleep 10000\non vcpu 1:\n in b 0xe0\nend",
              "t.scn:5: in b 0xe0: ETIMEDOUT (Connection timed out)");
    clock_gettime(CLOCK_MONOTONIC, &b);
    ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
    ck_assert_int_lt(ms, 9000);        /* well before the 10 s sleep ends */
}
END_TEST

START_TEST(empty_and_null_out)
{
    struct xsg_scenario *sc = NULL;
    char err[64];

    ck_assert_int_eq(xsg_scenario_parse("e", "echo hi\nin b 1\n", 15, &sc, err, sizeof(err)), 0);
    ck_assert_int_eq(xsg_scenario_run(sc, &be, NULL, err, sizeof(err)), 0);
    ck_assert_str_eq(err, "");
    xsg_scenario_free(sc);
    ck_assert_int_eq(xsg_scenario_parse("e", "", 0, &sc, err, sizeof(err)), 0);
    ck_assert_int_eq(xsg_scenario_run(sc, &be, NULL, err, sizeof(err)), 0);
    xsg_scenario_free(sc);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("scenario_run");
    TCase *tc = tcase_create("core");
    SRunner *sr;
    int failed;

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, accesses_reach_backend);
    tcase_add_test(tc, vcpu_switch);
    tcase_add_test(tc, raw_commands);
    tcase_add_test(tc, value_checks);
    tcase_add_test(tc, unchecked_reads_print);
    tcase_add_test(tc, errors_and_expect_error);
    tcase_add_test(tc, ram_helpers);
    tcase_add_test(tc, observations);
    tcase_add_test(tc, within_polls);
    tcase_add_test(tc, repeat_counts);
    tcase_add_test(tc, parallel_is_concurrent);
    tcase_add_test(tc, parallel_failure_stops_all);
    tcase_add_test(tc, empty_and_null_out);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
