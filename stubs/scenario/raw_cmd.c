/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * raw_cmd.c - the `raw` commands of the scenario language: parser and
 * formatter (the interpreter is run.c; the guest side is
 * stubs/guest/raw.h).
 *
 *   raw ioreq KEY=V... [expect data V [mask M]] [expect timeout]
 *   raw buffered [server=S] [extra=E] [slot KEY=V...]...
 *   raw buffered-ptrs [server=S] [expect [rp=N] [wp=N]]
 *
 * Arguments are KEY=VALUE words in any order; every field of the request
 * can be set to any value it can hold (hostile values are the point). The
 * request itself is stored in the command's @bytes (an ioreq_t, or an
 * array of buf_ioreq_t), so the parsed scenario stays immutable and
 * self-contained. Formatting writes every key, so text -> command ->
 * text is stable.
 *
 * Threading: none (parser-local state only).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stubs/scenario/private.h"

static const struct xsg_scenario_name type_names[] = {
    { "pio", IOREQ_TYPE_PIO },
    { "copy", IOREQ_TYPE_COPY },
    { "pci-config", IOREQ_TYPE_PCI_CONFIG },
    { "timeoffset", IOREQ_TYPE_TIMEOFFSET },
    { "invalidate", IOREQ_TYPE_INVALIDATE },
    { NULL, 0 },
};

static const struct xsg_scenario_name state_names[] = {
    { "none", STATE_IOREQ_NONE },
    { "ready", STATE_IOREQ_READY },
    { "inprocess", STATE_IOREQ_INPROCESS },
    { "resp-ready", STATE_IORESP_READY },
    { NULL, 0 },
};

const char *xsg_scenario_type_name(unsigned int type)
{
    for (const struct xsg_scenario_name *n = type_names; n->name; n++)
        if (n->value == type)
            return n->name;
    return NULL;
}

/* A KEY=VALUE word: split into key and value text. Return: true if it is one. */
static bool kv(struct parser *p, char **key, const char **val)
{
    char *w, *eq;

    if (!xsg_sp_more(p) || p->toks[p->pos].str)
        return false;
    w = p->toks[p->pos].s;
    eq = strchr(w, '=');
    if (!eq || eq == w)
        return false;
    *eq = '\0';
    *key = w;
    *val = eq + 1;
    p->pos++;
    return true;
}

/* A number (or one of @names) no larger than @max. */
static int kv_number(struct parser *p, const char *key, const char *val,
                     const struct xsg_scenario_name *names, uint64_t max,
                     uint64_t *v)
{
    if (names)
        for (; names->name; names++)
            if (!strcmp(val, names->name)) {
                *v = names->value;
                return 0;
            }
    if (xsg_sp_str_to_u64(val, v))
        return xsg_sp_perr(p, "%s: bad value '%s' for %s", p->what, val, key);
    if (*v > max)
        return xsg_sp_perr(p, "%s: %s=0x%" PRIx64 " out of range (max 0x%" PRIx64 ")",
                           p->what, key, *v, max);
    return 0;
}

static int kv_dir(struct parser *p, const char *val, uint64_t *v)
{
    if (!strcmp(val, "read"))
        *v = IOREQ_READ;
    else if (!strcmp(val, "write"))
        *v = IOREQ_WRITE;
    else
        return xsg_sp_perr(p, "%s: dir must be 'read' or 'write', got '%s'",
                           p->what, val);
    return 0;
}

static int unknown_key(struct parser *p, const char *key)
{
    return xsg_sp_perr(p, "%s: unknown key '%s'", p->what, key);
}

static int parse_ioreq(struct parser *p)
{
    struct xsg_scenario_cmd *c;
    ioreq_t *rq;
    uint64_t v;
    char *key;
    const char *val;
    bool have_type = false, have_size = false;
    int ret;

    p->what = "raw ioreq";
    ret = xsg_sp_new_cmd(p, XSG_OP_RAW_IOREQ, &c);
    if (ret)
        return ret;
    c->bytes = calloc(1, sizeof(ioreq_t));
    if (!c->bytes)
        return -ENOMEM;
    c->nbytes = sizeof(ioreq_t);
    c->size = 8;
    c->mask = UINT64_MAX;
    c->state = STATE_IOREQ_READY;
    rq = (ioreq_t *)c->bytes;
    rq->count = 1;
    while (!ret && kv(p, &key, &val)) {
        if (!strcmp(key, "vcpu")) {
            ret = kv_number(p, key, val, NULL, XSG_SCENARIO_MAX_VCPUS - 1, &v);
            c->vcpu = (unsigned int)v;
            c->vcpu_given = true;
        } else if (!strcmp(key, "server")) {
            ret = kv_number(p, key, val, NULL, 255, &v);
            c->server = (unsigned int)v;
        } else if (!strcmp(key, "type")) {
            ret = kv_number(p, key, val, type_names, 0xff, &v);
            rq->type = (uint8_t)v;
            have_type = true;
        } else if (!strcmp(key, "size")) {
            ret = kv_number(p, key, val, NULL, UINT32_MAX, &v);
            rq->size = (uint32_t)v;
            have_size = true;
        } else if (!strcmp(key, "count")) {
            ret = kv_number(p, key, val, NULL, UINT32_MAX, &v);
            rq->count = (uint32_t)v;
        } else if (!strcmp(key, "addr")) {
            ret = kv_number(p, key, val, NULL, UINT64_MAX, &v);
            rq->addr = v;
        } else if (!strcmp(key, "data")) {
            ret = kv_number(p, key, val, NULL, UINT64_MAX, &v);
            rq->data = v;
        } else if (!strcmp(key, "dir")) {
            ret = kv_dir(p, val, &v);
            rq->dir = (uint8_t)(v & 1);
        } else if (!strcmp(key, "ptr")) {
            ret = kv_number(p, key, val, NULL, 1, &v);
            rq->data_is_ptr = (uint8_t)(v & 1);
        } else if (!strcmp(key, "df")) {
            ret = kv_number(p, key, val, NULL, 1, &v);
            rq->df = (uint8_t)(v & 1);
        } else if (!strcmp(key, "state")) {
            ret = kv_number(p, key, val, state_names, 15, &v);
            c->state = (uint8_t)v;
        } else {
            ret = unknown_key(p, key);
        }
    }
    if (ret)
        return ret;
    if (!have_type)
        return xsg_sp_perr(p, "raw ioreq: missing type=T");
    if (!have_size)
        return xsg_sp_perr(p, "raw ioreq: missing size=S");
    while (xsg_sp_accept(p, "expect")) {
        if (xsg_sp_accept(p, "timeout")) {
            if (c->expect_errno)
                return xsg_sp_perr(p, "raw ioreq: 'expect timeout' twice");
            c->expect_errno = ETIMEDOUT;
        } else if (xsg_sp_accept(p, "data")) {
            if (c->has_expect)
                return xsg_sp_perr(p, "raw ioreq: 'expect data' twice");
            c->has_expect = true;
            ret = xsg_sp_number(p, "VALUE", &c->value);
            if (!ret && xsg_sp_accept(p, "mask"))
                ret = xsg_sp_number(p, "MASK", &c->mask);
            if (ret)
                return ret;
        } else {
            return xsg_sp_perr(p, "raw ioreq: expected 'data' or 'timeout' after 'expect'");
        }
    }
    if (c->has_expect && c->expect_errno)
        return xsg_sp_perr(p, "raw ioreq: 'expect data' and 'expect timeout' exclude each other");
    return 0;
}

static int parse_slot(struct parser *p, buf_ioreq_t *s)
{
    bool have_type = false, have_size = false;
    char *key;
    const char *val;
    uint64_t v;
    int ret = 0;

    memset(s, 0, sizeof(*s));
    while (!ret && kv(p, &key, &val)) {
        if (!strcmp(key, "type")) {
            ret = kv_number(p, key, val, type_names, 0xff, &v);
            s->type = (uint8_t)v;
            have_type = true;
        } else if (!strcmp(key, "size")) {
            ret = kv_number(p, key, val, NULL, 8, &v);
            if (!ret && v != 1 && v != 2 && v != 4 && v != 8)
                ret = xsg_sp_perr(p, "%s: slot size must be 1, 2, 4 or 8", p->what);
            s->size = v == 1 ? 0 : v == 2 ? 1 : v == 4 ? 2 : 3;
            have_size = true;
        } else if (!strcmp(key, "addr")) {
            ret = kv_number(p, key, val, NULL, 0xfffff, &v);
            s->addr = (uint32_t)v;
        } else if (!strcmp(key, "data")) {
            ret = kv_number(p, key, val, NULL, UINT32_MAX, &v);
            s->data = (uint32_t)v;
        } else if (!strcmp(key, "dir")) {
            ret = kv_dir(p, val, &v);
            s->dir = (uint8_t)(v & 1);
        } else {
            ret = unknown_key(p, key);
        }
    }
    if (!ret && (!have_type || !have_size))
        ret = xsg_sp_perr(p, "%s: a slot needs type=T and size=S", p->what);
    return ret;
}

static int parse_buffered(struct parser *p)
{
    struct xsg_scenario_cmd *c;
    char *key;
    const char *val;
    uint64_t v;
    size_t n = 0, cap = 0;
    int ret;

    p->what = "raw buffered";
    ret = xsg_sp_new_cmd(p, XSG_OP_RAW_BUFFERED, &c);
    if (ret)
        return ret;
    c->size = 8;
    while (!ret && kv(p, &key, &val)) {
        if (!strcmp(key, "server")) {
            ret = kv_number(p, key, val, NULL, 255, &v);
            c->server = (unsigned int)v;
        } else if (!strcmp(key, "extra")) {
            ret = kv_number(p, key, val, NULL, UINT32_MAX, &v);
            c->extra = (uint32_t)v;
        } else {
            ret = unknown_key(p, key);
        }
    }
    while (!ret && xsg_sp_accept(p, "slot")) {
        if (n == IOREQ_BUFFER_SLOT_NUM)
            return xsg_sp_perr(p, "raw buffered: more than %u slots",
                               IOREQ_BUFFER_SLOT_NUM);
        if (n == cap) {
            uint8_t *nb = realloc(c->bytes, (cap ? cap * 2 : 4) * sizeof(buf_ioreq_t));

            if (!nb)
                return -ENOMEM;
            c->bytes = nb;
            cap = cap ? cap * 2 : 4;
        }
        ret = parse_slot(p, (buf_ioreq_t *)c->bytes + n);
        n++;
        c->nbytes = n * sizeof(buf_ioreq_t);
    }
    return ret;
}

static int parse_ptrs(struct parser *p)
{
    struct xsg_scenario_cmd *c;
    char *key;
    const char *val;
    uint64_t v;
    int ret;

    p->what = "raw buffered-ptrs";
    ret = xsg_sp_new_cmd(p, XSG_OP_RAW_PTRS, &c);
    if (ret)
        return ret;
    c->size = 8;
    c->mask = UINT64_MAX;
    while (!ret && kv(p, &key, &val)) {
        if (!strcmp(key, "server")) {
            ret = kv_number(p, key, val, NULL, 255, &v);
            c->server = (unsigned int)v;
        } else {
            ret = unknown_key(p, key);
        }
    }
    if (ret || !xsg_sp_accept(p, "expect"))
        return ret;
    while (!ret && kv(p, &key, &val)) {
        if (!strcmp(key, "rp")) {
            ret = kv_number(p, key, val, NULL, UINT32_MAX, &c->value);
            c->has_expect = true;
        } else if (!strcmp(key, "wp")) {
            ret = kv_number(p, key, val, NULL, UINT32_MAX, &c->value2);
            c->has_expect2 = true;
        } else {
            ret = unknown_key(p, key);
        }
    }
    if (!ret && !c->has_expect && !c->has_expect2)
        ret = xsg_sp_perr(p, "raw buffered-ptrs: 'expect' needs rp=N and/or wp=N");
    return ret;
}

int xsg_sp_parse_raw(struct parser *p)
{
    if (xsg_sp_accept(p, "ioreq"))
        return parse_ioreq(p);
    if (xsg_sp_accept(p, "buffered"))
        return parse_buffered(p);
    if (xsg_sp_accept(p, "buffered-ptrs"))
        return parse_ptrs(p);
    return xsg_sp_more(p)
               ? xsg_sp_perr(p, "raw: expected ioreq, buffered or buffered-ptrs, got '%s'",
                             p->toks[p->pos].s)
               : xsg_sp_perr(p, "raw: missing ioreq, buffered or buffered-ptrs");
}

/* ---- formatter ---------------------------------------------------- */

#define PUT(...)                                                        \
    do {                                                                \
        if (pos < len) {                                                \
            int n_ = snprintf(buf + pos, len - pos, __VA_ARGS__);       \
            if (n_ > 0)                                                 \
                pos += (size_t)n_;                                      \
        }                                                               \
    } while (0)

static void put_type(char *buf, size_t len, size_t *ppos, unsigned int type)
{
    const char *t = xsg_scenario_type_name(type);
    size_t pos = *ppos;

    if (t)
        PUT(" type=%s", t);
    else
        PUT(" type=%u", type);
    *ppos = pos;
}

void xsg_scenario_format_raw(const struct xsg_scenario_cmd *c, char *buf,
                             size_t len)
{
    size_t pos = 0;

    if (!len)
        return;
    buf[0] = '\0';
    if (c->op == XSG_OP_RAW_IOREQ) {
        ioreq_t rq;

        memset(&rq, 0, sizeof(rq));
        if (c->bytes && c->nbytes >= sizeof(rq))
            memcpy(&rq, c->bytes, sizeof(rq));
        PUT("raw ioreq");
        if (c->vcpu_given)
            PUT(" vcpu=%u", c->vcpu);
        PUT(" server=%u", c->server);
        put_type(buf, len, &pos, rq.type);
        PUT(" size=%u count=%u addr=0x%" PRIx64 " data=0x%" PRIx64
            " dir=%s ptr=%u df=%u", rq.size, rq.count, (uint64_t)rq.addr,
            (uint64_t)rq.data, rq.dir == IOREQ_READ ? "read" : "write",
            rq.data_is_ptr, rq.df);
        if (c->state != STATE_IOREQ_READY)
            PUT(" state=%u", c->state);
        if (c->has_expect) {
            PUT(" expect data 0x%" PRIx64, c->value);
            if (c->mask != UINT64_MAX)
                PUT(" mask 0x%" PRIx64, c->mask);
        }
        if (c->expect_errno == ETIMEDOUT)
            PUT(" expect timeout");
    } else if (c->op == XSG_OP_RAW_BUFFERED) {
        size_t n = c->nbytes / sizeof(buf_ioreq_t);

        PUT("raw buffered server=%u extra=%u", c->server, c->extra);
        for (size_t i = 0; i < n; i++) {
            buf_ioreq_t s;

            memcpy(&s, c->bytes + i * sizeof(s), sizeof(s));
            PUT(" slot");
            put_type(buf, len, &pos, s.type);
            PUT(" size=%u addr=0x%x data=0x%x dir=%s", 1u << s.size,
                (unsigned int)s.addr, s.data, s.dir == IOREQ_READ ? "read" : "write");
        }
    } else if (c->op == XSG_OP_RAW_PTRS) {
        PUT("raw buffered-ptrs server=%u", c->server);
        if (c->has_expect || c->has_expect2)
            PUT(" expect");
        if (c->has_expect)
            PUT(" rp=%" PRIu64, c->value);
        if (c->has_expect2)
            PUT(" wp=%" PRIu64, c->value2);
    }
}
