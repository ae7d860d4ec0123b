/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * run.c - interpreter of parsed scenarios.
 *
 * A run walks index ranges of the flat command array: run_range(from, to)
 * executes cmds[from..to) for one vCPU context. `repeat` runs its body
 * range N times; `parallel` starts one thread per `on vcpu N:` section,
 * each running that section's range with its own vCPU, and joins them at
 * `end`. The scenario itself is read-only during a run.
 *
 * Shared run state (struct run): the first failure message, a `failed`
 * flag and the output stream, protected by one mutex; `stop` is an atomic
 * flag every thread checks before each command, so a failure on one vCPU
 * stops the others at their next command (an access already waiting for a
 * device model finishes or times out first).
 *
 * Every access goes through struct xsg_scenario_backend; nothing here
 * knows about xensim itself.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "stubs/scenario/private.h"
#include "stubs/scenario/scenario.h"

#define CHUNK 65536u

struct run {
    const struct xsg_scenario *sc;
    const struct xsg_scenario_backend *be;
    FILE *out;
    bool trace;
    atomic_bool stop;
    pthread_mutex_t lock;   /* err, failed, out */
    bool failed;
    char *err;
    size_t errlen;
};

struct thread {
    struct run *r;
    unsigned int vcpu;
    size_t from, to;
    pthread_t tid;
    int ret;
};

static int run_range(struct run *r, unsigned int *vcpu, size_t from, size_t to);

static int fail(struct run *r, const struct xsg_scenario_cmd *c,
                const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(struct run *r, const struct xsg_scenario_cmd *c,
                const char *fmt, ...)
{
    va_list ap;

    pthread_mutex_lock(&r->lock);
    if (!r->failed && r->errlen) {
        int n = snprintf(r->err, r->errlen, "%s:%u: ", r->sc->name, c->line);

        if (n >= 0 && (size_t)n < r->errlen) {
            va_start(ap, fmt);
            vsnprintf(r->err + n, r->errlen - (size_t)n, fmt, ap);
            va_end(ap);
        }
    }
    r->failed = true;
    atomic_store(&r->stop, true);
    pthread_mutex_unlock(&r->lock);
    return -1;
}

static void emit(struct run *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void emit(struct run *r, const char *fmt, ...)
{
    va_list ap;

    if (!r->out)
        return;
    pthread_mutex_lock(&r->lock);
    va_start(ap, fmt);
    vfprintf(r->out, fmt, ap);
    va_end(ap);
    fflush(r->out);
    pthread_mutex_unlock(&r->lock);
}

static const char *err_text(int e, char *buf, size_t len)
{
    const char *name = xsg_scenario_errno_name(e);
    char sbuf[128];
    const char *s = strerror_r(e, sbuf, sizeof(sbuf));

    if (name)
        snprintf(buf, len, "%s (%s)", name, s);
    else
        snprintf(buf, len, "error %d (%s)", e, s);
    return buf;
}

static uint64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Sleep @ms in small steps so a failure elsewhere ends it early. */
static void nap(struct run *r, uint64_t ms)
{
    uint64_t end = now_ms() + ms;

    while (!atomic_load(&r->stop)) {
        uint64_t t = now_ms(), step;
        struct timespec ts;

        if (t >= end)
            return;
        step = end - t < 10 ? end - t : 10;
        ts.tv_sec = 0;
        ts.tv_nsec = (long)(step * 1000000);
        nanosleep(&ts, NULL);
    }
}

static int check_vcpu(struct run *r, const struct xsg_scenario_cmd *c,
                      unsigned int vcpu)
{
    unsigned int nr = r->be->nr_vcpus(r->be->opaque);

    if (vcpu >= nr)
        return fail(r, c, "vcpu %u out of range (the domain has %u vCPU%s)",
                    vcpu, nr, nr == 1 ? "" : "s");
    return 0;
}

/* ---- reads and expectations ---------------------------------------- */

static int check_value(struct run *r, const struct xsg_scenario_cmd *c,
                       uint64_t got)
{
    char text[512];
    uint64_t full = c->size >= 8 ? UINT64_MAX : (1ull << (c->size * 8)) - 1;

    if (!c->has_expect) {
        xsg_scenario_format_cmd(c, text, sizeof(text));
        emit(r, "%s = 0x%" PRIx64 "\n", text, got);
        return 0;
    }
    if ((got & c->mask) == (c->value & c->mask))
        return 0;
    if (c->mask == full)
        return fail(r, c, "expected 0x%" PRIx64 ", got 0x%" PRIx64, c->value, got);
    return fail(r, c, "expected 0x%" PRIx64 " under mask 0x%" PRIx64
                ", got 0x%" PRIx64, c->value, c->mask, got);
}

static int ram_expect(struct run *r, const struct xsg_scenario_cmd *c)
{
    uint8_t *buf = malloc(c->nbytes);
    int ret;

    if (!buf)
        return -ENOMEM;
    ret = r->be->ram_read(r->be->opaque, c->addr, buf, c->nbytes);
    if (!ret) {
        for (size_t i = 0; i < c->nbytes; i++) {
            if (buf[i] != c->bytes[i]) {
                uint8_t want = c->bytes[i], got = buf[i];

                free(buf);
                fail(r, c, "expected 0x%02x at 0x%" PRIx64 ", got 0x%02x",
                     want, c->addr + i, got);
                return 1; /* reported */
            }
        }
    }
    free(buf);
    return ret;
}

static int ram_checksum(struct run *r, const struct xsg_scenario_cmd *c,
                        uint32_t *crc)
{
    uint8_t *buf = malloc(CHUNK);
    uint64_t done = 0;
    int ret = 0;

    if (!buf)
        return -ENOMEM;
    *crc = 0;
    while (done < c->count && !ret) {
        size_t n = c->count - done < CHUNK ? (size_t)(c->count - done) : CHUNK;

        ret = r->be->ram_read(r->be->opaque, c->addr + done, buf, n);
        if (!ret)
            *crc = xsg_scenario_crc32(*crc, buf, n);
        done += n;
    }
    free(buf);
    return ret;
}

/* Does the observation hold? Describe what was seen in @got. */
static bool obs_holds(struct run *r, const struct xsg_scenario_cmd *c,
                      unsigned int vcpu, char *got, size_t len)
{
    const struct xsg_scenario_backend *be = r->be;
    struct xsg_obs o;
    uint64_t v;

    if (c->obs == XSG_OBS_SERVER) {
        int s = be->last_server(be->opaque, vcpu);

        v = s < 0 ? XSG_SCENARIO_NONE : (uint64_t)s;
        if (s < 0)
            snprintf(got, len, "none");
        else
            snprintf(got, len, "%d", s);
        return v == c->value;
    }
    if (c->obs == XSG_OBS_FRAME) {
        v = be->ram_populated(be->opaque, c->addr);
        snprintf(got, len, "%s", v ? "populated" : "unpopulated");
        return v == c->value;
    }
    be->observe(be->opaque, &o);
    switch (c->obs) {
    case XSG_OBS_SHUTDOWN: {
        const char *n;

        v = o.shutdown_count ? o.shutdown_reason : XSG_SCENARIO_NONE;
        n = xsg_scenario_shutdown_name(v);
        if (v == XSG_SCENARIO_NONE)
            snprintf(got, len, "none");
        else if (n)
            snprintf(got, len, "%s", n);
        else
            snprintf(got, len, "%" PRIu64, v);
        return v == c->value;
    }
    case XSG_OBS_ISA_IRQ:
    case XSG_OBS_PCI_INTX:
        v = c->obs == XSG_OBS_ISA_IRQ ? o.isa_irq[c->addr]
                                      : o.pci_intx[c->addr][c->count];
        v = v ? 1 : 0;
        snprintf(got, len, "%s", v ? "high" : "low");
        return v == c->value;
    case XSG_OBS_LINK_ROUTE:
        v = o.link_route[c->addr];
        break;
    case XSG_OBS_SHUTDOWN_COUNT: v = o.shutdown_count; break;
    case XSG_OBS_MSI_COUNT: v = o.msi_count; break;
    case XSG_OBS_MSI_ADDR: v = o.msi_last_addr; break;
    case XSG_OBS_MSI_DATA: v = o.msi_last_data; break;
    case XSG_OBS_MODIFIED_CALLS: v = o.modified_calls; break;
    case XSG_OBS_MODIFIED_PAGES: v = o.modified_pages; break;
    case XSG_OBS_PINNED: v = o.pinned_ranges; break;
    case XSG_OBS_POPULATED: v = o.populated_frames; break;
    default:
        snprintf(got, len, "?");
        return false;
    }
    if (c->obs == XSG_OBS_MSI_ADDR || c->obs == XSG_OBS_MSI_DATA)
        snprintf(got, len, "0x%" PRIx64, v);
    else
        snprintf(got, len, "%" PRIu64, v);
    return v == c->value;
}

static int run_expect(struct run *r, const struct xsg_scenario_cmd *c,
                      unsigned int vcpu)
{
    uint64_t deadline = now_ms() + c->within_ms;
    struct xsg_scenario_cmd bare = *c;
    char got[64], want[256];

    for (;;) {
        if (obs_holds(r, c, vcpu, got, sizeof(got)))
            return 0;
        if (!c->within_ms || now_ms() >= deadline || atomic_load(&r->stop))
            break;
        nap(r, 2);
    }
    bare.within_ms = 0;
    xsg_scenario_format_cmd(&bare, want, sizeof(want));
    return fail(r, c, "expected %s, got %s", want + strlen("expect "), got);
}

/* ---- one command --------------------------------------------------- */

/*
 * Run an access command. Return: 0 done (value in *val when it reads);
 * negative errno from the backend; with *@reported set, a failure that
 * fail() already reported.
 */
static int do_access(struct run *r, const struct xsg_scenario_cmd *c,
                  unsigned int vcpu, uint64_t *val, bool *reported)
{
    const struct xsg_scenario_backend *be = r->be;
    void *o = be->opaque;
    uint32_t v32 = 0;
    int ret;

    *reported = false;
    switch (c->op) {
    case XSG_OP_PIO_READ:
        ret = be->pio_read(o, vcpu, (uint16_t)c->addr, c->size, &v32);
        *val = v32;
        return ret;
    case XSG_OP_PIO_WRITE:
        return be->pio_write(o, vcpu, (uint16_t)c->addr, c->size, (uint32_t)c->value);
    case XSG_OP_PIO_REP:
        return be->pio_rep(o, vcpu, (uint16_t)c->addr, c->size, (uint32_t)c->count,
                           c->df, c->dir_read, c->gpa);
    case XSG_OP_MMIO_READ:
        return be->mmio_read(o, vcpu, c->addr, c->size, val);
    case XSG_OP_MMIO_WRITE:
        return be->mmio_write(o, vcpu, c->addr, c->size, c->value);
    case XSG_OP_MMIO_REP:
        return be->mmio_rep(o, vcpu, c->addr, c->size, (uint32_t)c->count, c->df,
                            c->dir_read, c->gpa);
    case XSG_OP_PCI_READ:
        ret = be->pci_cfg_read(o, vcpu, c->bus, c->dev, c->fn, c->reg, c->size, &v32);
        *val = v32;
        return ret;
    case XSG_OP_PCI_WRITE:
        return be->pci_cfg_write(o, vcpu, c->bus, c->dev, c->fn, c->reg, c->size,
                                 (uint32_t)c->value);
    case XSG_OP_RAM_WRITE:
        return be->ram_write(o, c->addr, c->bytes, c->nbytes);
    case XSG_OP_RAM_FILL:
        return be->ram_fill(o, c->addr, (uint8_t)c->value, (size_t)c->count);
    case XSG_OP_RAM_EXPECT:
        ret = ram_expect(r, c);
        *reported = ret == 1;
        return ret;
    case XSG_OP_RAM_CHECKSUM:
        ret = ram_checksum(r, c, &v32);
        *val = v32;
        return ret;
    case XSG_OP_GRANT:
        return be->grant(o, (uint32_t)c->addr, c->value, (uint32_t)c->count, c->readonly);
    case XSG_OP_GRANT_END:
        return be->grant_end(o, (uint32_t)c->addr);
    case XSG_OP_BALLOON_OUT:
        return be->balloon_out(o, vcpu, c->addr, c->count);
    case XSG_OP_BALLOON_IN:
        return be->balloon_in(o, c->addr, c->count);
    case XSG_OP_WAIT_SERVERS:
        return be->wait_servers(o, (unsigned int)c->addr, (unsigned int)c->count);
    case XSG_OP_RAW_IOREQ: {
        ioreq_t rq;

        if (!be->raw_ioreq)
            return -ENOSYS;
        memcpy(&rq, c->bytes, sizeof(rq));
        ret = be->raw_ioreq(o, c->vcpu_given ? c->vcpu : vcpu, c->server, &rq,
                            c->state);
        *val = rq.data;
        return ret;
    }
    case XSG_OP_RAW_BUFFERED:
        if (!be->raw_buffered)
            return -ENOSYS;
        return be->raw_buffered(o, c->server, (const buf_ioreq_t *)c->bytes,
                                (unsigned int)(c->nbytes / sizeof(buf_ioreq_t)),
                                c->extra);
    case XSG_OP_RAW_PTRS: {
        uint32_t rp = 0, wp = 0;

        if (!be->raw_buffered_ptrs)
            return -ENOSYS;
        ret = be->raw_buffered_ptrs(o, c->server, &rp, &wp);
        *val = (uint64_t)wp << 32 | rp;
        return ret;
    }
    default:
        return -EINVAL;
    }
}

static int run_access(struct run *r, const struct xsg_scenario_cmd *c,
                      unsigned int vcpu)
{
    char text[512], etext[160], etext2[160];
    uint64_t val = 0;
    bool reported;
    int ret = do_access(r, c, vcpu, &val, &reported);

    if (reported)
        return -1;
    if (c->expect_errno) {
        const char *want = c->expect_errno == XSG_SCENARIO_ANY_ERROR ? "an error" :
                           xsg_scenario_errno_name(c->expect_errno);

        if (!ret)
            return fail(r, c, "expected error %s, got success", want);
        if (c->expect_errno == XSG_SCENARIO_ANY_ERROR || -ret == c->expect_errno)
            return 0;
        return fail(r, c, "expected error %s, got %s",
                    err_text(c->expect_errno, etext, sizeof(etext)),
                    err_text(-ret, etext2, sizeof(etext2)));
    }
    if (ret) {
        xsg_scenario_format_cmd(c, text, sizeof(text));
        return fail(r, c, "%s: %s", text, err_text(-ret, etext, sizeof(etext)));
    }
    switch (c->op) {
    case XSG_OP_PIO_READ:
    case XSG_OP_MMIO_READ:
    case XSG_OP_PCI_READ:
        return check_value(r, c, val);
    case XSG_OP_RAW_IOREQ:
        return c->has_expect ? check_value(r, c, val) : 0;
    case XSG_OP_RAW_PTRS:
        if (!c->has_expect && !c->has_expect2) {
            xsg_scenario_format_cmd(c, text, sizeof(text));
            emit(r, "%s = rp %" PRIu64 " wp %" PRIu64 "\n", text,
                 val & 0xffffffffu, val >> 32);
            return 0;
        }
        if (c->has_expect && (val & 0xffffffffu) != c->value)
            return fail(r, c, "expected rp %" PRIu64 ", got %" PRIu64, c->value,
                        val & 0xffffffffu);
        if (c->has_expect2 && (val >> 32) != c->value2)
            return fail(r, c, "expected wp %" PRIu64 ", got %" PRIu64, c->value2,
                        val >> 32);
        return 0;
    case XSG_OP_RAM_CHECKSUM:
        if (!c->has_expect) {
            xsg_scenario_format_cmd(c, text, sizeof(text));
            emit(r, "%s = 0x%08" PRIx64 "\n", text, val);
            return 0;
        }
        if (val != c->value)
            return fail(r, c, "expected crc32 0x%08" PRIx64 ", got 0x%08" PRIx64,
                        c->value, val);
        return 0;
    default:
        return 0;
    }
}

static void *thread_main(void *arg)
{
    struct thread *t = arg;

    t->ret = run_range(t->r, &t->vcpu, t->from, t->to);
    return NULL;
}

static int run_parallel(struct run *r, size_t idx)
{
    const struct xsg_scenario_cmd *cmds = r->sc->cmds;
    size_t end = cmds[idx].jump, n = 0, started = 0;
    struct thread *t;
    int ret = 0;

    for (size_t k = idx + 1; k < end; k = cmds[k].jump) {
        if (check_vcpu(r, &cmds[k], cmds[k].vcpu))
            return -1;
        n++;
    }
    t = calloc(n, sizeof(*t));
    if (!t)
        return fail(r, &cmds[idx], "parallel: out of memory");
    for (size_t k = idx + 1, i = 0; k < end; k = cmds[k].jump, i++) {
        t[i] = (struct thread){ .r = r, .vcpu = cmds[k].vcpu, .from = k + 1,
                                .to = cmds[k].jump };
        if (pthread_create(&t[i].tid, NULL, thread_main, &t[i])) {
            ret = fail(r, &cmds[k], "parallel: cannot start a thread");
            break;
        }
        started++;
    }
    for (size_t i = 0; i < started; i++) {
        pthread_join(t[i].tid, NULL);
        if (t[i].ret)
            ret = -1;
    }
    free(t);
    return ret;
}

static int run_range(struct run *r, unsigned int *vcpu, size_t from, size_t to)
{
    const struct xsg_scenario_cmd *cmds = r->sc->cmds;
    char text[512];
    size_t i = from;

    while (i < to) {
        const struct xsg_scenario_cmd *c = &cmds[i];
        int ret = 0;

        if (atomic_load(&r->stop))
            return -1;
        if (r->trace && c->op != XSG_OP_END && c->op != XSG_OP_ON) {
            xsg_scenario_format_cmd(c, text, sizeof(text));
            emit(r, "%s:%u: [vcpu %u] %s\n", r->sc->name, c->line, *vcpu, text);
        }
        switch (c->op) {
        case XSG_OP_VCPU:
            ret = check_vcpu(r, c, c->vcpu);
            if (!ret)
                *vcpu = c->vcpu;
            break;
        case XSG_OP_REPEAT:
            for (uint64_t k = 0; k < c->addr && !ret; k++)
                ret = run_range(r, vcpu, i + 1, c->jump);
            i = c->jump + 1;
            if (ret)
                return -1;
            continue;
        case XSG_OP_PARALLEL:
            ret = run_parallel(r, i);
            i = c->jump + 1;
            if (ret)
                return -1;
            continue;
        case XSG_OP_ON:
        case XSG_OP_END:
            break; /* handled by parallel / range ends */
        case XSG_OP_TIMEOUT:
            r->be->set_timeout_ms(r->be->opaque, (unsigned int)c->value);
            break;
        case XSG_OP_SLEEP:
            nap(r, c->value);
            break;
        case XSG_OP_ECHO:
            emit(r, "%.*s\n", (int)c->nbytes, (const char *)c->bytes);
            break;
        case XSG_OP_EXPECT:
            ret = run_expect(r, c, *vcpu);
            break;
        default:
            ret = run_access(r, c, *vcpu);
            break;
        }
        if (ret)
            return -1;
        i++;
    }
    return 0;
}

int xsg_scenario_run(const struct xsg_scenario *sc,
                     const struct xsg_scenario_backend *be,
                     const struct xsg_scenario_opts *opts, char *err,
                     size_t errlen)
{
    struct run r = { .sc = sc, .be = be, .err = err, .errlen = errlen,
                     .out = opts ? opts->out : NULL,
                     .trace = opts && opts->trace };
    unsigned int vcpu = 0;
    int ret;

    if (errlen)
        err[0] = '\0';
    atomic_init(&r.stop, false);
    pthread_mutex_init(&r.lock, NULL);
    ret = run_range(&r, &vcpu, 0, sc->ncmds);
    pthread_mutex_destroy(&r.lock);
    return ret || r.failed ? -1 : 0;
}
