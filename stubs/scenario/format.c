/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * format.c - the scenario language's name tables, CRC-32, and the
 * command formatter (a parsed command written back as text).
 *
 * Everything here is const tables and pure functions; thread-safe.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include "stubs/scenario/private.h"
#include "stubs/scenario/scenario.h"

static const struct {
    int e;
    const char *name;
} errno_names[] = {
    { EPERM, "EPERM" },           { ENOENT, "ENOENT" },
    { EIO, "EIO" },               { ENXIO, "ENXIO" },
    { E2BIG, "E2BIG" },           { EBADF, "EBADF" },
    { EAGAIN, "EAGAIN" },         { ENOMEM, "ENOMEM" },
    { EACCES, "EACCES" },         { EFAULT, "EFAULT" },
    { EBUSY, "EBUSY" },           { EEXIST, "EEXIST" },
    { ENODEV, "ENODEV" },         { EINVAL, "EINVAL" },
    { ENOSPC, "ENOSPC" },         { EROFS, "EROFS" },
    { EPIPE, "EPIPE" },           { ERANGE, "ERANGE" },
    { ENOSYS, "ENOSYS" },         { ENODATA, "ENODATA" },
    { EOPNOTSUPP, "EOPNOTSUPP" }, { ECONNREFUSED, "ECONNREFUSED" },
    { ECONNRESET, "ECONNRESET" }, { ENOTCONN, "ENOTCONN" },
    { ESHUTDOWN, "ESHUTDOWN" },   { ETIMEDOUT, "ETIMEDOUT" },
    { ECANCELED, "ECANCELED" },   { ESRCH, "ESRCH" },
    { EOVERFLOW, "EOVERFLOW" },
};

const char *xsg_scenario_errno_name(int e)
{
    for (size_t i = 0; i < sizeof(errno_names) / sizeof(errno_names[0]); i++)
        if (errno_names[i].e == e)
            return errno_names[i].name;
    return NULL;
}

int xsg_scenario_errno_value(const char *name)
{
    for (size_t i = 0; i < sizeof(errno_names) / sizeof(errno_names[0]); i++)
        if (!strcmp(errno_names[i].name, name))
            return errno_names[i].e;
    return 0;
}

/* SHUTDOWN_* of xen/sched.h */
const struct xsg_scenario_name xsg_scenario_shutdown_names[] = {
    { "poweroff", 0 }, { "reboot", 1 },   { "suspend", 2 },
    { "crash", 3 },    { "watchdog", 4 }, { "soft_reset", 5 },
    { NULL, 0 },
};

const char *xsg_scenario_shutdown_name(uint64_t reason)
{
    for (const struct xsg_scenario_name *n = xsg_scenario_shutdown_names; n->name; n++)
        if (n->value == reason)
            return n->name;
    return NULL;
}

const char *xsg_scenario_obs_keyword(int obs)
{
    static const char *const kw[] = {
        [XSG_OBS_SHUTDOWN] = "shutdown",
        [XSG_OBS_SHUTDOWN_COUNT] = "shutdown count",
        [XSG_OBS_ISA_IRQ] = "isa-irq",
        [XSG_OBS_PCI_INTX] = "pci-intx",
        [XSG_OBS_LINK_ROUTE] = "link-route",
        [XSG_OBS_MSI_COUNT] = "msi count",
        [XSG_OBS_MSI_ADDR] = "msi addr",
        [XSG_OBS_MSI_DATA] = "msi data",
        [XSG_OBS_MODIFIED_CALLS] = "modified calls",
        [XSG_OBS_MODIFIED_PAGES] = "modified pages",
        [XSG_OBS_PINNED] = "pinned",
        [XSG_OBS_POPULATED] = "populated",
        [XSG_OBS_FRAME] = "frame",
        [XSG_OBS_SERVER] = "server",
    };

    if (obs < 0 || (size_t)obs >= sizeof(kw) / sizeof(kw[0]) || !kw[obs])
        return "?";
    return kw[obs];
}

uint32_t xsg_scenario_crc32(uint32_t crc, const void *buf, size_t len)
{
    const uint8_t *b = buf;

    crc = ~crc;
    while (len--) {
        crc ^= *b++;
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
    }
    return ~crc;
}

/* ---- formatter ---------------------------------------------------- */

struct out {
    char *buf;
    size_t len, pos;
};

static void put(struct out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void put(struct out *o, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (o->pos >= o->len)
        return;
    va_start(ap, fmt);
    n = vsnprintf(o->buf + o->pos, o->len - o->pos, fmt, ap);
    va_end(ap);
    if (n > 0)
        o->pos += (size_t)n;
}

static char size_letter(unsigned int size)
{
    switch (size) {
    case 1: return 'b';
    case 2: return 'w';
    case 4: return 'l';
    default: return 'q';
    }
}

static void put_bytes(struct out *o, const uint8_t *b, size_t n)
{
    bool in_str = false;

    for (size_t i = 0; i < n; i++) {
        bool printable = b[i] >= 0x20 && b[i] < 0x7f;

        if (printable && !in_str) {
            put(o, " \"");
            in_str = true;
        } else if (!printable && in_str) {
            put(o, "\"");
            in_str = false;
        }
        if (!printable)
            put(o, " 0x%02x", b[i]);
        else if (b[i] == '"' || b[i] == '\\')
            put(o, "\\%c", b[i]);
        else
            put(o, "%c", b[i]);
    }
    if (in_str)
        put(o, "\"");
}

static void put_expect(struct out *o, const struct xsg_scenario_cmd *c)
{
    uint64_t full = c->size >= 8 ? UINT64_MAX : (1ull << (c->size * 8)) - 1;

    if (!c->has_expect)
        return;
    put(o, " expect 0x%" PRIx64, c->value);
    if (c->mask != full)
        put(o, " mask 0x%" PRIx64, c->mask);
}

static void put_obs(struct out *o, const struct xsg_scenario_cmd *c)
{
    put(o, "expect %s", xsg_scenario_obs_keyword(c->obs));
    switch (c->obs) {
    case XSG_OBS_SHUTDOWN: {
        const char *n = xsg_scenario_shutdown_name(c->value);

        if (c->value == XSG_SCENARIO_NONE)
            put(o, " none");
        else if (n)
            put(o, " %s", n);
        else
            put(o, " %" PRIu64, c->value);
        break;
    }
    case XSG_OBS_ISA_IRQ:
        put(o, " %" PRIu64 " %s", c->addr, c->value ? "high" : "low");
        break;
    case XSG_OBS_PCI_INTX:
        put(o, " %" PRIu64 " %c %s", c->addr, (char)('A' + c->count),
            c->value ? "high" : "low");
        break;
    case XSG_OBS_LINK_ROUTE:
        put(o, " %" PRIu64 " %" PRIu64, c->addr, c->value);
        break;
    case XSG_OBS_MSI_ADDR:
    case XSG_OBS_MSI_DATA:
        put(o, " 0x%" PRIx64, c->value);
        break;
    case XSG_OBS_FRAME:
        put(o, " 0x%" PRIx64 " %s", c->addr, c->value ? "populated" : "unpopulated");
        break;
    case XSG_OBS_SERVER:
        if (c->value == XSG_SCENARIO_NONE)
            put(o, " none");
        else
            put(o, " %" PRIu64, c->value);
        break;
    default:
        put(o, " %" PRIu64, c->value);
        break;
    }
    if (c->within_ms)
        put(o, " within %u", c->within_ms);
}

void xsg_scenario_format_cmd(const struct xsg_scenario_cmd *c, char *buf,
                             size_t len)
{
    struct out o = { .buf = buf, .len = len };

    if (!len)
        return;
    buf[0] = '\0';
    switch (c->op) {
    case XSG_OP_PIO_READ:
        put(&o, "in %c 0x%" PRIx64, size_letter(c->size), c->addr);
        put_expect(&o, c);
        break;
    case XSG_OP_PIO_WRITE:
        put(&o, "out %c 0x%" PRIx64 " 0x%" PRIx64, size_letter(c->size),
            c->addr, c->value);
        break;
    case XSG_OP_PIO_REP:
    case XSG_OP_MMIO_REP:
        put(&o, "%s %c 0x%" PRIx64 " %" PRIu64 " 0x%" PRIx64 "%s",
            c->op == XSG_OP_PIO_REP ? (c->dir_read ? "ins" : "outs")
                                    : (c->dir_read ? "movs-from-mmio" : "movs-to-mmio"),
            size_letter(c->size), c->addr, c->count, c->gpa, c->df ? " df" : "");
        break;
    case XSG_OP_MMIO_READ:
        put(&o, "read %c 0x%" PRIx64, size_letter(c->size), c->addr);
        put_expect(&o, c);
        break;
    case XSG_OP_MMIO_WRITE:
        put(&o, "write %c 0x%" PRIx64 " 0x%" PRIx64, size_letter(c->size),
            c->addr, c->value);
        break;
    case XSG_OP_PCI_READ:
    case XSG_OP_PCI_WRITE:
        put(&o, "pci %s %c %02x:%02x.%u 0x%x",
            c->op == XSG_OP_PCI_READ ? "read" : "write", size_letter(c->size),
            c->bus, c->dev, c->fn, c->reg);
        if (c->op == XSG_OP_PCI_WRITE)
            put(&o, " 0x%" PRIx64, c->value);
        else
            put_expect(&o, c);
        break;
    case XSG_OP_RAM_WRITE:
    case XSG_OP_RAM_EXPECT:
        put(&o, "ram %s 0x%" PRIx64, c->op == XSG_OP_RAM_WRITE ? "write" : "expect",
            c->addr);
        put_bytes(&o, c->bytes, c->nbytes);
        break;
    case XSG_OP_RAM_FILL:
        put(&o, "ram fill 0x%" PRIx64 " 0x%" PRIx64 " 0x%02" PRIx64, c->addr,
            c->count, c->value);
        break;
    case XSG_OP_RAM_CHECKSUM:
        put(&o, "ram checksum 0x%" PRIx64 " 0x%" PRIx64, c->addr, c->count);
        if (c->has_expect)
            put(&o, " expect 0x%08" PRIx64, c->value);
        break;
    case XSG_OP_GRANT:
        put(&o, "grant %" PRIu64 " 0x%" PRIx64 "%s", c->addr, c->value,
            c->readonly ? " ro" : "");
        if (c->count)
            put(&o, " to %" PRIu64, c->count);
        break;
    case XSG_OP_GRANT_END:
        put(&o, "grant end %" PRIu64, c->addr);
        break;
    case XSG_OP_BALLOON_OUT:
    case XSG_OP_BALLOON_IN:
        put(&o, "balloon %s 0x%" PRIx64 " %" PRIu64,
            c->op == XSG_OP_BALLOON_OUT ? "out" : "in", c->addr, c->count);
        break;
    case XSG_OP_WAIT_SERVERS:
        put(&o, "wait servers %" PRIu64 " timeout %" PRIu64, c->addr, c->count);
        break;
    case XSG_OP_TIMEOUT:
        put(&o, "timeout %" PRIu64, c->value);
        break;
    case XSG_OP_SLEEP:
        put(&o, "sleep %" PRIu64, c->value);
        break;
    case XSG_OP_ECHO:
        put(&o, "echo \"");
        for (size_t i = 0; i < c->nbytes; i++) {
            uint8_t b = c->bytes[i];

            if (b == '\n')
                put(&o, "\\n");
            else if (b == '\t')
                put(&o, "\\t");
            else if (b == '"' || b == '\\')
                put(&o, "\\%c", b);
            else if (b < 0x20 || b >= 0x7f)
                put(&o, "\\x%02x", b);
            else
                put(&o, "%c", b);
        }
        put(&o, "\"");
        break;
    case XSG_OP_EXPECT:
        put_obs(&o, c);
        break;
    case XSG_OP_VCPU:
        put(&o, "vcpu %u", c->vcpu);
        break;
    case XSG_OP_PARALLEL:
        put(&o, "parallel");
        break;
    case XSG_OP_ON:
        put(&o, "on vcpu %u:", c->vcpu);
        break;
    case XSG_OP_REPEAT:
        put(&o, "repeat %" PRIu64, c->addr);
        break;
    case XSG_OP_END:
        put(&o, "end");
        break;
    case XSG_OP_RAW_IOREQ:
    case XSG_OP_RAW_BUFFERED:
    case XSG_OP_RAW_PTRS:
        xsg_scenario_format_raw(c, buf, len);
        break;
    }
}
