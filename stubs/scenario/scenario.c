/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * scenario.c - parser of the guest scenario language.
 *
 * The text is read line by line. Each line is split into tokens in a
 * private copy of the line: words are NUL-terminated in place, quoted
 * strings are unescaped in place (never longer than their source). A
 * `#` outside a string ends the line. The first token(s) select a command
 * parser, which consumes the remaining tokens through small helpers that
 * report "name:line: command: message" on the first problem; trailing
 * tokens are an error.
 *
 * Blocks (parallel / on vcpu N: / repeat / end) are checked with a small
 * stack while parsing; their commands stay in the flat array and record
 * the index of their closing command in @jump. `expect error` is not a
 * command of its own: it sets @expect_errno on the next command.
 *
 * This file holds the command parsers and the entry points; the
 * tokenizer and argument helpers are in lex.c, `expect` in expect.c.
 *
 * Threading: none; a parser is local to one xsg_scenario_parse() call.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "stubs/scenario/private.h"
#include "stubs/scenario/scenario.h"

/* ---- commands ----------------------------------------------------- */

/* in/read/pci read share the expect suffix; out/write/pci write the value */
static int parse_pio(struct parser *p, bool write)
{
    struct xsg_scenario_cmd *c;
    int ret = xsg_sp_new_cmd(p, write ? XSG_OP_PIO_WRITE : XSG_OP_PIO_READ, &c);

    if (!ret)
        ret = xsg_sp_size(p, false, &c->size);
    if (!ret)
        ret = xsg_sp_number_max(p, "PORT", 0xffff, &c->addr);
    if (!ret && c->addr + c->size - 1 > 0xffff)
        ret = xsg_sp_perr(p, "%s: access at port 0x%" PRIx64 " crosses 0xffff", p->what, c->addr);
    if (!ret)
        ret = write ? xsg_sp_value(p, "VALUE", c->size, &c->value) : xsg_sp_expect_suffix(p, c);
    return ret;
}

static int parse_mmio(struct parser *p, bool write)
{
    struct xsg_scenario_cmd *c;
    int ret = xsg_sp_new_cmd(p, write ? XSG_OP_MMIO_WRITE : XSG_OP_MMIO_READ, &c);

    if (!ret)
        ret = xsg_sp_size(p, true, &c->size);
    if (!ret)
        ret = xsg_sp_number(p, "ADDR", &c->addr);
    if (!ret && c->addr + c->size - 1 < c->addr)
        ret = xsg_sp_perr(p, "%s: access at 0x%" PRIx64 " wraps around", p->what, c->addr);
    if (!ret)
        ret = write ? xsg_sp_value(p, "VALUE", c->size, &c->value) : xsg_sp_expect_suffix(p, c);
    return ret;
}

/* ins/outs (pio) and movs-from/to-mmio: SIZE ADDR COUNT GPA [df] */
static int parse_rep(struct parser *p, bool pio, bool dir_read)
{
    struct xsg_scenario_cmd *c;
    int ret = xsg_sp_new_cmd(p, pio ? XSG_OP_PIO_REP : XSG_OP_MMIO_REP, &c);

    if (ret)
        return ret;
    c->dir_read = dir_read;
    ret = xsg_sp_size(p, !pio, &c->size);
    if (!ret)
        ret = pio ? xsg_sp_number_max(p, "PORT", 0xffff, &c->addr) : xsg_sp_number(p, "ADDR", &c->addr);
    if (!ret)
        ret = xsg_sp_number(p, "COUNT", &c->count);
    if (!ret && (c->count == 0 || c->count > XSG_SCENARIO_MAX_COUNT))
        ret = xsg_sp_perr(p, "%s: COUNT %" PRIu64 " out of range (1..%u)", p->what,
                   c->count, XSG_SCENARIO_MAX_COUNT);
    if (!ret)
        ret = xsg_sp_number(p, "GPA", &c->gpa);
    if (!ret)
        c->df = xsg_sp_accept(p, "df");
    return ret;
}

/* B:D.F with hex bus and device, optional "0000:" segment. */
static int bdf_arg(struct parser *p, struct xsg_scenario_cmd *c)
{
    const char *w = NULL;
    unsigned int seg = 0, bus, dev, fn;
    int n = 0, ret = xsg_sp_need_word(p, "B:D.F", &w);
    bool ok;

    if (ret)
        return ret;
    ok = !strpbrk(w, "-+xX") &&
         sscanf(w, "%x:%x:%x.%u%n", &seg, &bus, &dev, &fn, &n) == 4 &&
         (size_t)n == strlen(w);
    if (!ok) {
        seg = 0;
        n = 0;
        ok = !strpbrk(w, "-+xX") &&
             sscanf(w, "%x:%x.%u%n", &bus, &dev, &fn, &n) == 3 &&
             (size_t)n == strlen(w);
    }
    if (!ok)
        return xsg_sp_perr(p, "%s: bad B:D.F '%s' (e.g. 00:01.1)", p->what, w);
    if (seg != 0 || bus > 255 || dev > 31 || fn > 7)
        return xsg_sp_perr(p, "%s: B:D.F '%s' out of range (segment 0, bus <= ff, "
                    "device <= 1f, function <= 7)", p->what, w);
    c->bus = (uint8_t)bus;
    c->dev = (uint8_t)dev;
    c->fn = (uint8_t)fn;
    return 0;
}

static int parse_pci(struct parser *p)
{
    struct xsg_scenario_cmd *c;
    uint64_t reg;
    bool write;
    int ret;

    if (xsg_sp_accept(p, "read")) {
        write = false;
        p->what = "pci read";
    } else if (xsg_sp_accept(p, "write")) {
        write = true;
        p->what = "pci write";
    } else {
        return xsg_sp_more(p) ? xsg_sp_perr(p, "pci: expected 'read' or 'write', got '%s'",
                              p->toks[p->pos].s)
                       : xsg_sp_perr(p, "pci: missing 'read' or 'write'");
    }
    ret = xsg_sp_new_cmd(p, write ? XSG_OP_PCI_WRITE : XSG_OP_PCI_READ, &c);
    if (!ret)
        ret = xsg_sp_size(p, false, &c->size);
    if (!ret)
        ret = bdf_arg(p, c);
    if (!ret)
        ret = xsg_sp_number_max(p, "REG", 0xff, &reg);
    if (ret)
        return ret;
    c->reg = (uint8_t)reg;
    if ((reg & 3) + c->size > 4)
        return xsg_sp_perr(p, "%s: register 0x%x with size %u crosses a dword",
                    p->what, c->reg, c->size);
    return write ? xsg_sp_value(p, "VALUE", c->size, &c->value) : xsg_sp_expect_suffix(p, c);
}

/* Items of ram write / ram expect: strings and bytes, at least one. */
static int byte_items(struct parser *p, struct xsg_scenario_cmd *c)
{
    size_t total = 0, start = p->pos;
    uint8_t *o;

    if (!xsg_sp_more(p))
        return xsg_sp_perr(p, "%s: missing data (strings or bytes)", p->what);
    for (size_t i = start; i < p->ntoks; i++) {
        uint64_t v;

        if (p->toks[i].str) {
            total += p->toks[i].len;
            continue;
        }
        if (xsg_sp_str_to_u64(p->toks[i].s, &v))
            return xsg_sp_perr(p, "bad number '%s'", p->toks[i].s);
        if (v > 0xff)
            return xsg_sp_perr(p, "%s: byte 0x%" PRIx64 " out of range (max 0xff)", p->what, v);
        total++;
    }
    if (!total)
        return xsg_sp_perr(p, "%s: no data (empty string)", p->what);
    c->bytes = o = malloc(total);
    if (!o)
        return -ENOMEM;
    c->nbytes = total;
    for (; p->pos < p->ntoks; p->pos++) {
        struct tok *t = &p->toks[p->pos];
        uint64_t v = 0;

        if (t->str) {
            memcpy(o, t->s, t->len);
            o += t->len;
        } else {
            (void)xsg_sp_str_to_u64(t->s, &v);
            *o++ = (uint8_t)v;
        }
    }
    return 0;
}

static int range_check(struct parser *p, uint64_t start, uint64_t len)
{
    if (len && start + len - 1 < start)
        return xsg_sp_perr(p, "%s: range 0x%" PRIx64 "+0x%" PRIx64 " wraps around",
                    p->what, start, len);
    return 0;
}

static int parse_ram(struct parser *p)
{
    struct xsg_scenario_cmd *c;
    int ret;

    if (xsg_sp_accept(p, "write") || xsg_sp_accept(p, "expect")) {
        bool write = !strcmp(p->toks[p->pos - 1].s, "write");

        p->what = write ? "ram write" : "ram expect";
        ret = xsg_sp_new_cmd(p, write ? XSG_OP_RAM_WRITE : XSG_OP_RAM_EXPECT, &c);
        if (!ret)
            ret = xsg_sp_number(p, "GPA", &c->addr);
        if (!ret)
            ret = byte_items(p, c);
        if (!ret)
            ret = range_check(p, c->addr, c->nbytes);
        return ret;
    }
    if (xsg_sp_accept(p, "fill")) {
        p->what = "ram fill";
        ret = xsg_sp_new_cmd(p, XSG_OP_RAM_FILL, &c);
        if (!ret)
            ret = xsg_sp_number(p, "GPA", &c->addr);
        if (!ret)
            ret = xsg_sp_number(p, "LEN", &c->count);
        if (!ret)
            ret = xsg_sp_number_max(p, "BYTE", 0xff, &c->value);
        if (!ret)
            ret = range_check(p, c->addr, c->count);
        return ret;
    }
    if (xsg_sp_accept(p, "checksum")) {
        p->what = "ram checksum";
        ret = xsg_sp_new_cmd(p, XSG_OP_RAM_CHECKSUM, &c);
        if (!ret)
            ret = xsg_sp_number(p, "GPA", &c->addr);
        if (!ret)
            ret = xsg_sp_number(p, "LEN", &c->count);
        if (!ret)
            ret = range_check(p, c->addr, c->count);
        if (!ret && xsg_sp_accept(p, "expect")) {
            c->has_expect = true;
            ret = xsg_sp_number_max(p, "VALUE", UINT32_MAX, &c->value);
        }
        return ret;
    }
    return xsg_sp_more(p) ? xsg_sp_perr(p, "ram: expected write, fill, expect or checksum, got '%s'",
                          p->toks[p->pos].s)
                   : xsg_sp_perr(p, "ram: missing write, fill, expect or checksum");
}

static int parse_grant(struct parser *p)
{
    struct xsg_scenario_cmd *c;
    int ret;

    if (xsg_sp_accept(p, "end")) {
        p->what = "grant end";
        ret = xsg_sp_new_cmd(p, XSG_OP_GRANT_END, &c);
        return ret ? ret : xsg_sp_number_max(p, "REF", UINT32_MAX, &c->addr);
    }
    ret = xsg_sp_new_cmd(p, XSG_OP_GRANT, &c);
    if (!ret)
        ret = xsg_sp_number_max(p, "REF", UINT32_MAX, &c->addr);
    if (!ret)
        ret = xsg_sp_number(p, "GFN", &c->value);
    while (!ret && xsg_sp_more(p)) {
        if (xsg_sp_accept(p, "ro"))
            c->readonly = true;
        else if (xsg_sp_accept(p, "to"))
            ret = xsg_sp_number_max(p, "DOMID", 0x7fef, &c->count);
        else
            break;
    }
    return ret;
}

static int parse_balloon(struct parser *p)
{
    struct xsg_scenario_cmd *c;
    bool out;
    int ret;

    if (xsg_sp_accept(p, "out"))
        out = true, p->what = "balloon out";
    else if (xsg_sp_accept(p, "in"))
        out = false, p->what = "balloon in";
    else
        return xsg_sp_more(p) ? xsg_sp_perr(p, "balloon: expected 'out' or 'in', got '%s'",
                              p->toks[p->pos].s)
                       : xsg_sp_perr(p, "balloon: missing 'out' or 'in'");
    ret = xsg_sp_new_cmd(p, out ? XSG_OP_BALLOON_OUT : XSG_OP_BALLOON_IN, &c);
    if (!ret)
        ret = xsg_sp_number(p, "GFN", &c->addr);
    if (!ret)
        ret = xsg_sp_number(p, "NR", &c->count);
    if (!ret && c->count == 0)
        ret = xsg_sp_perr(p, "%s: NR must not be 0", p->what);
    if (!ret)
        ret = range_check(p, c->addr, c->count);
    return ret;
}


/* Blocks. */
static int parse_block(struct parser *p, const char *w)
{
    struct xsg_scenario_cmd *c;
    struct block *top = p->depth ? &p->stack[p->depth - 1] : NULL;
    uint64_t v;
    int ret;

    if (!strcmp(w, "end")) {
        struct xsg_scenario_cmd *open;

        ret = xsg_sp_finish(p);
        if (ret)
            return ret;
        if (!top)
            return xsg_sp_perr(p, "'end' without 'parallel' or 'repeat'");
        open = &p->cmds[top->idx];
        if (open->op == XSG_OP_PARALLEL && top->last_on == SIZE_MAX)
            return xsg_sp_perr(p, "'parallel' has no 'on vcpu N:' section");
        ret = xsg_sp_new_cmd(p, XSG_OP_END, &c);
        if (ret)
            return ret;
        open = &p->cmds[top->idx];
        open->jump = p->ncmds - 1;
        if (open->op == XSG_OP_PARALLEL) {
            p->cmds[top->last_on].jump = p->ncmds - 1;
            p->in_parallel = false;
        }
        p->depth--;
        return 0;
    }
    if (!strcmp(w, "on")) {
        struct block *par = top;

        if (!p->in_parallel)
            return xsg_sp_perr(p, "'on' outside 'parallel'");
        if (p->cmds[par->idx].op != XSG_OP_PARALLEL)
            return xsg_sp_perr(p, "'on' must be directly inside 'parallel'");
        if (!xsg_sp_accept(p, "vcpu"))
            return xsg_sp_perr(p, "on: expected 'vcpu N:'");
        {
            const char *nw = NULL;
            char buf[32];
            size_t l;

            ret = xsg_sp_need_word(p, "N", &nw);
            if (ret)
                return ret;
            l = strlen(nw);
            if (l && nw[l - 1] == ':' && l < sizeof(buf)) {
                memcpy(buf, nw, l - 1);
                buf[l - 1] = '\0';
                nw = buf;
            } else if (!xsg_sp_accept(p, ":")) {
                return xsg_sp_perr(p, "on: missing ':' after 'vcpu %s'", nw);
            }
            if (xsg_sp_str_to_u64(nw, &v))
                return xsg_sp_perr(p, "bad number '%s'", nw);
        }
        if (v >= XSG_SCENARIO_MAX_VCPUS)
            return xsg_sp_perr(p, "on: vcpu %" PRIu64 " out of range (max %u)", v,
                        XSG_SCENARIO_MAX_VCPUS - 1);
        if (par->vcpus & (1ull << v))
            return xsg_sp_perr(p, "on: vcpu %" PRIu64 " appears twice in this 'parallel'", v);
        ret = xsg_sp_new_cmd(p, XSG_OP_ON, &c);
        if (ret)
            return ret;
        c->vcpu = (unsigned int)v;
        par->vcpus |= 1ull << v;
        if (par->last_on != SIZE_MAX)
            p->cmds[par->last_on].jump = p->ncmds - 1;
        par->last_on = p->ncmds - 1;
        return 1; /* the rest of the line, if any, is a command */
    }
    /* parallel / repeat open a block */
    if (p->depth == XSG_SP_MAX_DEPTH)
        return xsg_sp_perr(p, "blocks nested too deeply (max %d)", XSG_SP_MAX_DEPTH);
    if (!strcmp(w, "parallel")) {
        if (p->in_parallel)
            return xsg_sp_perr(p, "'parallel' inside 'parallel'");
        ret = xsg_sp_finish(p);
        if (!ret)
            ret = xsg_sp_new_cmd(p, XSG_OP_PARALLEL, &c);
        if (ret)
            return ret;
        p->in_parallel = true;
    } else {
        ret = xsg_sp_number_max(p, "N", UINT32_MAX, &v);
        if (!ret)
            ret = xsg_sp_finish(p);
        if (!ret)
            ret = xsg_sp_new_cmd(p, XSG_OP_REPEAT, &c);
        if (ret)
            return ret;
        c->addr = v;
    }
    p->stack[p->depth++] = (struct block){ .idx = p->ncmds - 1,
                                           .last_on = SIZE_MAX };
    return 0;
}

static bool can_fail(enum xsg_scenario_op op)
{
    switch (op) {
    case XSG_OP_PIO_READ: case XSG_OP_PIO_WRITE: case XSG_OP_PIO_REP:
    case XSG_OP_MMIO_READ: case XSG_OP_MMIO_WRITE: case XSG_OP_MMIO_REP:
    case XSG_OP_PCI_READ: case XSG_OP_PCI_WRITE:
    case XSG_OP_RAM_WRITE: case XSG_OP_RAM_FILL: case XSG_OP_RAM_EXPECT:
    case XSG_OP_RAM_CHECKSUM: case XSG_OP_GRANT: case XSG_OP_GRANT_END:
    case XSG_OP_BALLOON_OUT: case XSG_OP_BALLOON_IN: case XSG_OP_WAIT_SERVERS:
    case XSG_OP_RAW_IOREQ: case XSG_OP_RAW_BUFFERED: case XSG_OP_RAW_PTRS:
        return true;
    default:
        return false;
    }
}

int xsg_sp_pending_unmet(struct parser *p)
{
    p->line = p->pending_line;
    return xsg_sp_perr(p, "'expect error' must be followed by a command that can fail");
}

/* One command starting at token p->pos. */
static int parse_command(struct parser *p)
{
    const char *w = NULL;
    size_t before = p->ncmds;
    bool in_section;
    int ret;

    if (p->toks[p->pos].str)
        return xsg_sp_perr(p, "expected a command, got a string");
    w = p->toks[p->pos++].s;
    p->what = w;

    if (!strcmp(w, "end") || !strcmp(w, "on") || !strcmp(w, "parallel") ||
        !strcmp(w, "repeat")) {
        if (p->pending)
            return xsg_sp_pending_unmet(p);
        ret = parse_block(p, w);
        if (ret == 1) {
            ret = 0;
            if (xsg_sp_more(p) && !p->toks[p->pos].str &&
                (!strcmp(p->toks[p->pos].s, "end") || !strcmp(p->toks[p->pos].s, "on") ||
                 !strcmp(p->toks[p->pos].s, "parallel") ||
                 !strcmp(p->toks[p->pos].s, "repeat")))
                ret = xsg_sp_perr(p, "on: '%s' cannot follow 'on vcpu N:' on the same line",
                           p->toks[p->pos].s);
            else if (xsg_sp_more(p))
                ret = parse_command(p);
        }
        return ret;
    }
    in_section = !p->in_parallel || p->stack[p->depth - 1].last_on != SIZE_MAX ||
                 p->cmds[p->stack[p->depth - 1].idx].op != XSG_OP_PARALLEL;
    if (!in_section)
        return xsg_sp_perr(p, "'%s' before 'on vcpu N:' in 'parallel'", w);

    if (!strcmp(w, "in") || !strcmp(w, "out"))
        ret = parse_pio(p, w[0] == 'o');
    else if (!strcmp(w, "ins") || !strcmp(w, "outs"))
        ret = parse_rep(p, true, w[0] == 'i');
    else if (!strcmp(w, "read") || !strcmp(w, "write"))
        ret = parse_mmio(p, w[0] == 'w');
    else if (!strcmp(w, "movs-from-mmio") || !strcmp(w, "movs-to-mmio"))
        ret = parse_rep(p, false, w[5] == 'f');
    else if (!strcmp(w, "pci"))
        ret = parse_pci(p);
    else if (!strcmp(w, "ram"))
        ret = parse_ram(p);
    else if (!strcmp(w, "grant"))
        ret = parse_grant(p);
    else if (!strcmp(w, "balloon"))
        ret = parse_balloon(p);
    else if (!strcmp(w, "expect"))
        ret = xsg_sp_parse_expect(p);
    else if (!strcmp(w, "raw"))
        ret = xsg_sp_parse_raw(p);
    else if (!strcmp(w, "wait")) {
        struct xsg_scenario_cmd *c;

        if (!xsg_sp_accept(p, "servers"))
            return xsg_sp_perr(p, "wait: expected 'servers'");
        p->what = "wait servers";
        ret = xsg_sp_new_cmd(p, XSG_OP_WAIT_SERVERS, &c);
        if (ret)
            return ret;
        c->count = 5000;
        ret = xsg_sp_number_max(p, "N", 8, &c->addr);
        if (!ret && xsg_sp_accept(p, "timeout"))
            ret = xsg_sp_number_max(p, "MS", UINT32_MAX, &c->count);
    } else if (!strcmp(w, "timeout") || !strcmp(w, "sleep")) {
        struct xsg_scenario_cmd *c;

        ret = xsg_sp_new_cmd(p, w[0] == 't' ? XSG_OP_TIMEOUT : XSG_OP_SLEEP, &c);
        if (!ret)
            ret = xsg_sp_number_max(p, "MS", UINT32_MAX, &c->value);
    } else if (!strcmp(w, "vcpu")) {
        struct xsg_scenario_cmd *c;
        uint64_t v;

        if (p->in_parallel)
            return xsg_sp_perr(p, "'vcpu' inside 'parallel' (use 'on vcpu N:')");
        ret = xsg_sp_number_max(p, "N", XSG_SCENARIO_MAX_VCPUS - 1, &v);
        if (!ret)
            ret = xsg_sp_new_cmd(p, XSG_OP_VCPU, &c);
        if (!ret)
            c->vcpu = (unsigned int)v;
    } else if (!strcmp(w, "echo")) {
        struct xsg_scenario_cmd *c;
        size_t total = 0;
        char *o;

        ret = xsg_sp_new_cmd(p, XSG_OP_ECHO, &c);
        if (ret)
            return ret;
        for (size_t i = p->pos; i < p->ntoks; i++)
            total += p->toks[i].len + 1;
        c->bytes = malloc(total + 1);
        if (!c->bytes)
            return -ENOMEM;
        o = (char *)c->bytes;
        for (; p->pos < p->ntoks; p->pos++) {
            if (o != (char *)c->bytes)
                *o++ = ' ';
            memcpy(o, p->toks[p->pos].s, p->toks[p->pos].len);
            o += p->toks[p->pos].len;
        }
        *o = '\0';
        c->nbytes = (size_t)(o - (char *)c->bytes);
    } else {
        return xsg_sp_perr(p, "unknown command '%s'", w);
    }
    if (!ret)
        ret = xsg_sp_finish(p);
    if (ret || p->ncmds == before)
        return ret; /* expect error: no command yet */
    if (p->pending) {
        struct xsg_scenario_cmd *c = &p->cmds[p->ncmds - 1];

        if (!can_fail(c->op))
            return xsg_sp_pending_unmet(p);
        c->expect_errno = p->pending_errno;
        p->pending = false;
    }
    return 0;
}

/* ---- entry points ------------------------------------------------- */

void xsg_scenario_free(struct xsg_scenario *sc)
{
    if (!sc)
        return;
    for (size_t i = 0; i < sc->ncmds; i++)
        free(sc->cmds[i].bytes);
    free(sc->cmds);
    free(sc->name);
    free(sc);
}

int xsg_scenario_parse(const char *name, const char *text, size_t len,
                       struct xsg_scenario **out, char *err, size_t errlen)
{
    struct parser p = { .name = !strcmp(name, "-") ? "<stdin>" : name,
                        .err = err, .errlen = errlen };
    struct xsg_scenario *sc;
    char *buf = NULL;
    size_t bufcap = 0, off = 0;
    int ret = 0;

    if (errlen)
        err[0] = '\0';
    while (off < len && !ret) {
        const char *nl = memchr(text + off, '\n', len - off);
        size_t l = nl ? (size_t)(nl - (text + off)) : len - off;

        p.line++;
        if (memchr(text + off, '\0', l)) {
            ret = xsg_sp_perr(&p, "NUL byte in line");
            break;
        }
        if (l + 1 > bufcap) {
            char *nb = realloc(buf, l + 1);

            if (!nb) {
                ret = -ENOMEM;
                break;
            }
            buf = nb;
            bufcap = l + 1;
        }
        memcpy(buf, text + off, l);
        buf[l] = '\0';
        off += l + 1;
        p.what = NULL;
        ret = xsg_sp_tokenize(&p, buf);
        if (!ret && p.ntoks)
            ret = parse_command(&p);
    }
    if (!ret && p.pending)
        ret = xsg_sp_pending_unmet(&p);
    if (!ret && p.depth) {
        struct xsg_scenario_cmd *open = &p.cmds[p.stack[p.depth - 1].idx];

        p.line = open->line;
        ret = xsg_sp_perr(&p, "'%s' without 'end'",
                   open->op == XSG_OP_PARALLEL ? "parallel" : "repeat");
    }
    free(buf);
    free(p.toks);
    sc = ret ? NULL : calloc(1, sizeof(*sc));
    if (sc)
        sc->name = strdup(p.name);
    if (!ret && (!sc || !sc->name))
        ret = -ENOMEM;
    if (ret) {
        struct xsg_scenario tmp = { .cmds = p.cmds, .ncmds = p.ncmds };

        for (size_t i = 0; i < tmp.ncmds; i++)
            free(tmp.cmds[i].bytes);
        free(tmp.cmds);
        if (sc)
            free(sc->name);
        free(sc);
        if (ret == -ENOMEM && errlen)
            snprintf(err, errlen, "%s: out of memory", p.name);
        return ret;
    }
    sc->cmds = p.cmds;
    sc->ncmds = p.ncmds;
    *out = sc;
    return 0;
}

int xsg_scenario_parse_file(const char *path, struct xsg_scenario **out,
                            char *err, size_t errlen)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
    char *text = NULL;
    size_t len = 0, cap = 0;
    int ret;

    if (!f) {
        ret = -errno;
        snprintf(err, errlen, "%s: %s", path, strerror(-ret));
        return ret;
    }
    for (;;) {
        size_t n;

        if (cap - len < 4096) {
            char *nt = realloc(text, cap + 65536);

            if (!nt) {
                ret = -ENOMEM;
                snprintf(err, errlen, "%s: out of memory", path);
                goto out;
            }
            text = nt;
            cap += 65536;
        }
        n = fread(text + len, 1, cap - len, f);
        len += n;
        if (n == 0)
            break;
    }
    if (ferror(f)) {
        ret = -EIO;
        snprintf(err, errlen, "%s: read error", path);
        goto out;
    }
    ret = xsg_scenario_parse(path, text, len, out, err, errlen);
out:
    free(text);
    if (f != stdin)
        fclose(f);
    return ret;
}
