/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_kvm_acpi.c - the KVM bed's ACPI tables (stubs/kvm/acpi.h) read the
 * way a guest reads them: find the RSDP at offset 0, follow the physical
 * addresses (address - XKVM_ACPI_BASE = offset), check signatures, lengths
 * and checksums, decode the FADT and MADT fields, and walk the DSDT's AML
 * with a small decoder of its own (independent of the builder's emitter)
 * that insists every PkgLength nests exactly. Also: bad configurations,
 * and that a short buffer gives -ENOSPC without a byte written past it.
 */
#include <check.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stubs/kvm/acpi.h"

static const struct xkvm_acpi_cfg std_cfg = {
    .nr_vcpus = 2,
    .pirq_route = { 5, 10, 11, 5 },
};

/* ---- reading helpers --------------------------------------------------- */

static uint64_t rd(const uint8_t *p, unsigned int n)
{
    uint64_t v = 0;

    for (unsigned int i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static uint8_t sum8(const uint8_t *p, size_t n)
{
    uint8_t s = 0;

    for (size_t i = 0; i < n; i++)
        s = (uint8_t)(s + p[i]);
    return s;
}

struct built {
    uint8_t *buf;
    int size;
};

static struct built build(const struct xkvm_acpi_cfg *cfg)
{
    struct built b = { .buf = calloc(1, XKVM_ACPI_MAX) };

    ck_assert_ptr_nonnull(b.buf);
    b.size = xkvm_acpi_build(cfg, b.buf, XKVM_ACPI_MAX);
    ck_assert_int_gt(b.size, 0);
    ck_assert_int_le(b.size, (int)XKVM_ACPI_MAX);
    return b;
}

/* The table at guest-physical @addr: inside the blob, signature @sig,
 * length at least a header and inside the blob, checksum 0. */
static const uint8_t *table_at(const struct built *b, uint64_t addr,
                               const char *sig)
{
    uint64_t off, len;
    const uint8_t *t;

    ck_assert_uint_ge(addr, XKVM_ACPI_BASE);
    off = addr - XKVM_ACPI_BASE;
    ck_assert_uint_le(off + 8, (uint64_t)b->size);
    t = b->buf + off;
    ck_assert_msg(memcmp(t, sig, 4) == 0, "table at %#llx is not %s",
                  (unsigned long long)addr, sig);
    len = rd(t + 4, 4);
    ck_assert_uint_le(off + len, (uint64_t)b->size);
    if (strcmp(sig, "FACS") == 0)
        return t;                           /* no checksum, no OEM header */
    ck_assert_uint_ge(len, 36);
    ck_assert_msg(sum8(t, len) == 0, "%s checksum", sig);
    ck_assert(memcmp(t + 10, "XENSIM", 6) == 0);
    ck_assert(memcmp(t + 16, "XSIMKVM ", 8) == 0);
    return t;
}

struct tables {
    const uint8_t *rsdp, *rsdt, *xsdt, *fadt, *facs, *dsdt, *madt;
};

/* Follow RSDP -> XSDT -> FADT -> FACS/DSDT and MADT; check the RSDT lists
 * the same tables. */
static struct tables walk(const struct built *b)
{
    struct tables t = { .rsdp = b->buf };

    ck_assert(memcmp(t.rsdp, "RSD PTR ", 8) == 0);
    ck_assert_uint_eq(t.rsdp[15], 2);
    ck_assert_uint_eq(sum8(t.rsdp, 20), 0);
    ck_assert_uint_eq(rd(t.rsdp + 20, 4), 36);
    ck_assert_uint_eq(sum8(t.rsdp, 36), 0);
    ck_assert(memcmp(t.rsdp + 9, "XENSIM", 6) == 0);

    t.rsdt = table_at(b, rd(t.rsdp + 16, 4), "RSDT");
    t.xsdt = table_at(b, rd(t.rsdp + 24, 8), "XSDT");
    ck_assert_uint_eq(rd(t.xsdt + 4, 4), 36 + 2 * 8);
    ck_assert_uint_eq(rd(t.rsdt + 4, 4), 36 + 2 * 4);
    t.fadt = table_at(b, rd(t.xsdt + 36, 8), "FACP");
    t.madt = table_at(b, rd(t.xsdt + 44, 8), "APIC");
    ck_assert_uint_eq(rd(t.rsdt + 36, 4), rd(t.xsdt + 36, 8));
    ck_assert_uint_eq(rd(t.rsdt + 40, 4), rd(t.xsdt + 44, 8));

    ck_assert_uint_eq(rd(t.fadt + 4, 4), 244);
    ck_assert_uint_eq(t.fadt[8], 4);
    ck_assert_uint_eq(rd(t.fadt + 36, 4), rd(t.fadt + 132, 8));
    ck_assert_uint_eq(rd(t.fadt + 40, 4), rd(t.fadt + 140, 8));
    t.facs = table_at(b, rd(t.fadt + 132, 8), "FACS");
    t.dsdt = table_at(b, rd(t.fadt + 140, 8), "DSDT");
    ck_assert_uint_eq(rd(t.facs + 4, 4), 64);
    ck_assert_uint_eq(rd(t.fadt + 132, 8) % 64, 0);
    return t;
}

/* ---- tables and pointers ------------------------------------------------ */

START_TEST(rsdp_pointers_and_checksums)
{
    static const unsigned int n[] = { 1, 2, 8, 64 };

    for (unsigned int i = 0; i < 4; i++) {
        struct xkvm_acpi_cfg cfg = std_cfg;
        struct built b;
        struct tables t;

        cfg.nr_vcpus = n[i];
        b = build(&cfg);
        t = walk(&b);
        /* the DSDT ends the blob: nothing unaccounted for after it */
        ck_assert_int_eq((int)(t.dsdt - b.buf) + (int)rd(t.dsdt + 4, 4),
                         b.size);
        free(b.buf);
    }
}
END_TEST

/* ---- FADT ---------------------------------------------------------------- */

/* FADT integer fields: offset, width, value. */
static const struct { uint8_t off, n; uint16_t val; } fadt_ints[] = {
    { 46, 2, 9 },                           /* SCI_INT */
    { 48, 4, 0 }, { 52, 1, 0 }, { 53, 1, 0 }, /* no SMI_CMD, ACPI_EN/DIS */
    { 56, 4, 0xb000 }, { 60, 4, 0 },        /* PM1a/b_EVT_BLK */
    { 64, 4, 0xb004 }, { 68, 4, 0 },        /* PM1a/b_CNT_BLK */
    { 72, 4, 0 }, { 76, 4, 0xb008 },        /* PM2_CNT_BLK, PM_TMR_BLK */
    { 80, 4, 0xafe0 }, { 84, 4, 0 },        /* GPE0/1_BLK */
    { 88, 1, 4 }, { 89, 1, 2 }, { 90, 1, 0 }, { 91, 1, 4 }, /* lengths */
    { 92, 1, 4 }, { 93, 1, 0 },
    { 96, 2, 101 }, { 98, 2, 1001 },        /* no C2, no C3 */
    { 109, 2, 1 },                          /* IAPC_BOOT_ARCH: legacy only */
    { 128, 1, 6 },                          /* RESET_VALUE */
};

/* FADT Generic Address Structures: offset, space, bit width, access, addr. */
static const struct { uint8_t off, space, width, access; uint16_t addr; }
fadt_gas[] = {
    { 116, 1, 8, 1, 0xcf9 },                /* RESET_REG */
    { 148, 1, 32, 2, 0xb000 }, { 160, 0, 0, 0, 0 },
    { 172, 1, 16, 2, 0xb004 }, { 184, 0, 0, 0, 0 }, { 196, 0, 0, 0, 0 },
    { 208, 1, 32, 3, 0xb008 }, { 220, 1, 32, 1, 0xafe0 }, { 232, 0, 0, 0, 0 },
};

START_TEST(fadt_fields)
{
    struct built b = build(&std_cfg);
    const uint8_t *f = walk(&b).fadt;
    uint32_t flags = (uint32_t)rd(f + 112, 4);

    for (size_t i = 0; i < sizeof(fadt_ints) / sizeof(fadt_ints[0]); i++)
        ck_assert_msg(rd(f + fadt_ints[i].off, fadt_ints[i].n) ==
                      fadt_ints[i].val, "FADT offset %u", fadt_ints[i].off);
    for (size_t i = 0; i < sizeof(fadt_gas) / sizeof(fadt_gas[0]); i++) {
        const uint8_t *g = f + fadt_gas[i].off;

        ck_assert_msg(g[0] == fadt_gas[i].space && g[1] == fadt_gas[i].width &&
                      g[2] == 0 && g[3] == fadt_gas[i].access &&
                      rd(g + 4, 8) == fadt_gas[i].addr,
                      "FADT GAS at %u", fadt_gas[i].off);
    }
    ck_assert(flags & (1u << 0));                   /* WBINVD */
    ck_assert(flags & (1u << 2));                   /* PROC_C1 */
    ck_assert(!(flags & (1u << 4)));                /* fixed power button */
    ck_assert(flags & (1u << 5));                   /* no sleep button */
    ck_assert(flags & (1u << 8));                   /* TMR_VAL_EXT */
    ck_assert(flags & (1u << 10));                  /* RESET_REG_SUP */
    ck_assert(!(flags & (1u << 20)));               /* not HW_REDUCED */
    free(b.buf);
}
END_TEST

/* ---- MADT ---------------------------------------------------------------- */

/* MADT entries by type (0 LAPIC, 1 IOAPIC, 2 override, 4 LAPIC NMI), each
 * checked to have its type's length and to lie inside the table. */
struct madt_info {
    const uint8_t *e[5][80];
    unsigned int nr[5];
};

static void parse_madt(const uint8_t *m, struct madt_info *mi)
{
    static const uint8_t len_of[5] = { 8, 12, 10, 0, 6 };
    uint32_t len = (uint32_t)rd(m + 4, 4);

    memset(mi, 0, sizeof(*mi));
    ck_assert_uint_eq(rd(m + 36, 4), 0xfee00000);
    ck_assert_uint_eq(rd(m + 40, 4), 1);            /* PCAT_COMPAT */
    for (uint32_t off = 44; off < len; off += m[off + 1]) {
        const uint8_t *e = m + off;

        ck_assert_uint_le(off + 2, len);
        ck_assert_msg(e[0] < 5 && len_of[e[0]], "MADT entry type %u", e[0]);
        ck_assert_uint_eq(e[1], len_of[e[0]]);
        ck_assert_uint_le(off + e[1], len);
        ck_assert_uint_lt(mi->nr[e[0]], 80);
        mi->e[e[0]][mi->nr[e[0]]++] = e;
    }
}

/* The override for ISA IRQ @src: exactly one, with @gsi and @flags. */
static void check_iso(const struct madt_info *mi, uint8_t src, uint32_t gsi,
                      uint16_t flags)
{
    unsigned int found = 0;

    for (unsigned int i = 0; i < mi->nr[2]; i++) {
        const uint8_t *e = mi->e[2][i];

        if (e[3] != src)
            continue;
        found++;
        ck_assert_uint_eq(e[2], 0);                 /* bus: ISA */
        ck_assert_uint_eq(rd(e + 4, 4), gsi);
        ck_assert_uint_eq(rd(e + 8, 2), flags);
    }
    ck_assert_msg(found == 1, "IRQ %u has %u overrides", src, found);
}

START_TEST(madt_lapics_and_ioapic)
{
    static const unsigned int n[] = { 1, 2, 8, 64 };

    for (unsigned int i = 0; i < 4; i++) {
        struct xkvm_acpi_cfg cfg = std_cfg;
        struct madt_info mi;
        struct built b;
        const uint8_t *e;

        cfg.nr_vcpus = n[i];
        b = build(&cfg);
        parse_madt(walk(&b).madt, &mi);
        ck_assert_uint_eq(mi.nr[0], n[i]);
        for (unsigned int c = 0; c < n[i]; c++) {
            e = mi.e[0][c];
            ck_assert_uint_eq(e[2], c);             /* processor UID */
            ck_assert_uint_eq(e[3], c);             /* APIC id */
            ck_assert_uint_eq(rd(e + 4, 4), 1);     /* enabled */
        }
        ck_assert_uint_eq(mi.nr[1], 1);
        e = mi.e[1][0];
        ck_assert_uint_eq(e[2], n[i]);              /* IOAPIC id */
        ck_assert_uint_eq(rd(e + 4, 4), 0xfec00000);
        ck_assert_uint_eq(rd(e + 8, 4), 0);         /* GSI base */
        ck_assert_uint_eq(mi.nr[4], 1);
        e = mi.e[4][0];
        ck_assert_uint_eq(e[2], 0xff);              /* all processors */
        ck_assert_uint_eq(rd(e + 3, 2), 0);
        ck_assert_uint_eq(e[5], 1);                 /* LINT1 */
        free(b.buf);
    }
}
END_TEST

/* Interrupt source overrides per configuration: every ISA IRQ listed gets
 * exactly one override, and there are no others. */
static const struct {
    uint8_t route[4];
    unsigned int nr;
    struct { uint8_t irq, gsi; uint16_t flags; } iso[6];
} iso_cases[] = {
    { { 5, 10, 11, 5 }, 5, { { 0, 2, 0 }, { 5, 5, 0x000f }, { 10, 10, 0x000f },
                            { 11, 11, 0x000f }, { 9, 9, 0x000d } } },
    { { 3, 10, 11, 7 }, 6, { { 0, 2, 0 }, { 3, 3, 0x000f }, { 10, 10, 0x000f },
                            { 11, 11, 0x000f }, { 7, 7, 0x000f },
                            { 9, 9, 0x000d } } },
    /* a link sharing the SCI's IRQ: one override, the PCI one */
    { { 9, 9, 9, 9 }, 2, { { 0, 2, 0 }, { 9, 9, 0x000f } } },
};

START_TEST(madt_overrides)
{
    for (size_t c = 0; c < sizeof(iso_cases) / sizeof(iso_cases[0]); c++) {
        struct xkvm_acpi_cfg cfg = { .nr_vcpus = 2 };
        struct madt_info mi;
        struct built b;

        memcpy(cfg.pirq_route, iso_cases[c].route, 4);
        b = build(&cfg);
        parse_madt(walk(&b).madt, &mi);
        ck_assert_uint_eq(mi.nr[2], iso_cases[c].nr);
        for (unsigned int i = 0; i < iso_cases[c].nr; i++)
            check_iso(&mi, iso_cases[c].iso[i].irq, iso_cases[c].iso[i].gsi,
                      iso_cases[c].iso[i].flags);
        free(b.buf);
    }
}
END_TEST

/* ---- an AML decoder of our own ------------------------------------------ */

enum obj_kind { OBJ_INT, OBJ_PKG, OBJ_BUF };

struct obj {
    enum obj_kind kind;
    uint64_t ival;
    unsigned int nr, first;                 /* OBJ_PKG: elements in arena */
    const uint8_t *buf;                     /* OBJ_BUF */
    size_t buflen;
};

#define ARENA 2048
#define NAMES 32

struct aml {
    const uint8_t *base;                    /* the DSDT */
    struct obj arena[ARENA];
    unsigned int nr_obj;
    struct {
        char path[64];
        unsigned int obj;
    } names[NAMES];
    unsigned int nr_names;
    char devices[8][64];
    unsigned int nr_devices;
    size_t pkglen_at[512];                  /* DSDT offsets of PkgLengths */
    unsigned int nr_pkglen;
};

/* PkgLength at @p (@end bounds it): sets *@len, returns its byte count or 0. */
static size_t aml_pkglen(struct aml *a, const uint8_t *p, const uint8_t *end,
                         size_t *len)
{
    unsigned int follow;

    if (p >= end)
        return 0;
    follow = p[0] >> 6;
    if ((size_t)(end - p) < follow + 1u)
        return 0;
    if (follow == 0) {
        *len = p[0] & 0x3f;
    } else {
        if (p[0] & 0x30)
            return 0;
        *len = p[0] & 0x0f;
        for (unsigned int i = 1; i <= follow; i++)
            *len |= (size_t)p[i] << (4 + 8 * (i - 1));
    }
    if (a->nr_pkglen < 512)
        a->pkglen_at[a->nr_pkglen++] = (size_t)(p - a->base);
    return follow + 1;
}

/* Package body [*pp, pkg end): checks it fits in @end. */
static const uint8_t *aml_pkg(struct aml *a, const uint8_t **pp,
                              const uint8_t *end)
{
    const uint8_t *start = *pp;
    size_t len, n = aml_pkglen(a, start, end, &len);

    if (!n || len < n || len > (size_t)(end - start))
        return NULL;
    *pp = start + n;
    return start + len;
}

static bool seg_ok(const uint8_t *s)
{
    for (unsigned int i = 0; i < 4; i++) {
        uint8_t c = s[i];
        bool alpha = (c >= 'A' && c <= 'Z') || c == '_';

        if (!alpha && !(i > 0 && c >= '0' && c <= '9'))
            return false;
    }
    return true;
}

/* NameString -> "\\SEG.SEG" or "SEG"; returns false if malformed. */
static bool aml_name(const uint8_t **pp, const uint8_t *end, char *out,
                     size_t outlen)
{
    const uint8_t *p = *pp;
    unsigned int nsegs = 1;
    size_t o = 0;

    if (p < end && *p == '\\')
        out[o++] = *p++;
    if (p >= end)
        return false;
    if (*p == 0x2e) {
        nsegs = 2;
        p++;
    } else if (*p == 0x2f) {
        if (++p >= end)
            return false;
        nsegs = *p++;
    } else if (*p == 0x00) {
        return false;                       /* null names not expected */
    }
    if ((size_t)(end - p) < 4u * nsegs || o + 5u * nsegs + 1 > outlen)
        return false;
    for (unsigned int s = 0; s < nsegs; s++, p += 4) {
        if (!seg_ok(p))
            return false;
        if (s)
            out[o++] = '.';
        memcpy(out + o, p, 4);
        o += 4;
    }
    out[o] = 0;
    *pp = p;
    return true;
}

static bool aml_data(struct aml *a, const uint8_t **pp, const uint8_t *end,
                     unsigned int *idx);

static bool aml_new(struct aml *a, unsigned int *idx)
{
    if (a->nr_obj >= ARENA)
        return false;
    *idx = a->nr_obj++;
    memset(&a->arena[*idx], 0, sizeof(a->arena[0]));
    return true;
}

/* ZeroOp, OneOp, OnesOp or a Byte/Word/DWord/QWord constant. */
static bool aml_int(const uint8_t **pp, const uint8_t *end, uint64_t *v)
{
    const uint8_t *p = *pp;
    unsigned int w;

    if (p >= end)
        return false;
    if (*p == 0x00 || *p == 0x01 || *p == 0xff) {
        *v = *p == 0xff ? ~0ull : *p;
        *pp = p + 1;
        return true;
    }
    w = *p == 0x0a ? 1 : *p == 0x0b ? 2 : *p == 0x0c ? 4 : *p == 0x0e ? 8 : 0;
    if (!w || (size_t)(end - p) < 1u + w)
        return false;
    *v = rd(p + 1, w);
    *pp = p + 1 + w;
    return true;
}

/* DataObject: an integer, Package() or Buffer(). */
static bool aml_data(struct aml *a, const uint8_t **pp, const uint8_t *end,
                     unsigned int *idx)
{
    const uint8_t *p = *pp, *pend;
    struct obj *o;

    if (!aml_new(a, idx))
        return false;
    o = &a->arena[*idx];
    if (p < end && *p == 0x12) {            /* PackageOp */
        unsigned int declared, elems[256];

        p++;
        if (!(pend = aml_pkg(a, &p, end)) || p >= pend)
            return false;
        declared = *p++;
        o->kind = OBJ_PKG;
        while (p < pend) {
            if (o->nr >= declared || !aml_data(a, &p, pend, &elems[o->nr]))
                return false;
            o->nr++;
        }
        if (o->nr != declared || p != pend)
            return false;
        /* elements are not contiguous when nested: copy them to a run */
        o->first = a->nr_obj;
        for (unsigned int i = 0; i < o->nr; i++) {
            unsigned int c;

            if (!aml_new(a, &c))
                return false;
            a->arena[c] = a->arena[elems[i]];
        }
        *pp = p;
        return true;
    }
    if (p < end && *p == 0x11) {            /* BufferOp */
        uint64_t size;

        p++;
        if (!(pend = aml_pkg(a, &p, end)) || !aml_int(&p, pend, &size))
            return false;
        if (size != (uint64_t)(pend - p))
            return false;
        o->kind = OBJ_BUF;
        o->buf = p;
        o->buflen = (size_t)size;
        *pp = pend;
        return true;
    }
    o->kind = OBJ_INT;
    return aml_int(pp, end, &o->ival);
}

/* @scope + "." + @name, or @name alone when absolute; false if too long. */
static bool join(char *out, size_t outlen, const char *scope, const char *name)
{
    int r;

    if (name[0] == '\\' || !scope[0])
        r = snprintf(out, outlen, "%s", name);
    else
        r = snprintf(out, outlen, "%s.%s", scope, name);
    return r >= 0 && (size_t)r < outlen;
}

/* TermList in [p, end) inside @scope: Name, Scope and Device only. */
static bool aml_terms(struct aml *a, const uint8_t *p, const uint8_t *end,
                      const char *scope)
{
    while (p < end) {
        char name[64], path[64];
        const uint8_t *pend;

        if (*p == 0x08) {                   /* NameOp */
            p++;
            if (!aml_name(&p, end, name, sizeof(name)) ||
                a->nr_names >= NAMES)
                return false;
            if (!join(a->names[a->nr_names].path, 64, scope, name) ||
                !aml_data(a, &p, end, &a->names[a->nr_names].obj))
                return false;
            a->nr_names++;
        } else if (*p == 0x10 || (*p == 0x5b && p + 1 < end && p[1] == 0x82)) {
            bool device = *p == 0x5b;

            p += device ? 2 : 1;
            if (!(pend = aml_pkg(a, &p, end)) ||
                !aml_name(&p, pend, name, sizeof(name)))
                return false;
            if (!join(path, sizeof(path), scope, name))
                return false;
            if (device && a->nr_devices < 8)
                snprintf(a->devices[a->nr_devices++], 64, "%s", path);
            if (!aml_terms(a, p, pend, path))
                return false;
            p = pend;
        } else {
            return false;
        }
    }
    return p == end;
}

/* Decode the DSDT @d; returns false on any malformation. */
static bool aml_decode(struct aml *a, const uint8_t *d)
{
    uint32_t len = (uint32_t)rd(d + 4, 4);

    memset(a, 0, sizeof(*a));
    a->base = d;
    return len >= 36 && aml_terms(a, d + 36, d + len, "");
}

static const struct obj *aml_lookup(const struct aml *a, const char *path)
{
    for (unsigned int i = 0; i < a->nr_names; i++)
        if (strcmp(a->names[i].path, path) == 0)
            return &a->arena[a->names[i].obj];
    return NULL;
}

/* The integer named @path; fails if absent or not an integer. */
static uint64_t lookup_int(const struct aml *a, const char *path)
{
    const struct obj *o = aml_lookup(a, path);

    ck_assert_msg(o && o->kind == OBJ_INT, "%s: no integer", path);
    return o->ival;
}

static const struct obj *elem(const struct aml *a, const struct obj *pkg,
                              unsigned int i)
{
    ck_assert_int_eq(pkg->kind, OBJ_PKG);
    ck_assert_uint_lt(i, pkg->nr);
    return &a->arena[pkg->first + i];
}

static uint64_t int_elem(const struct aml *a, const struct obj *pkg,
                         unsigned int i)
{
    const struct obj *o = elem(a, pkg, i);

    ck_assert_int_eq(o->kind, OBJ_INT);
    return o->ival;
}

/* GSI of slot @slot pin @pin in _PRT @prt; fails if absent or doubled. */
static uint64_t prt_gsi(const struct aml *a, const struct obj *prt,
                        unsigned int slot, unsigned int pin)
{
    uint64_t gsi = 0;
    unsigned int found = 0;

    for (unsigned int i = 0; i < prt->nr; i++) {
        const struct obj *e = elem(a, prt, i);

        ck_assert_uint_eq(e->nr, 4);
        if (int_elem(a, e, 0) == (((uint64_t)slot << 16) | 0xffff) &&
            int_elem(a, e, 1) == pin) {
            ck_assert_uint_eq(int_elem(a, e, 2), 0);
            gsi = int_elem(a, e, 3);
            found++;
        }
    }
    ck_assert_msg(found == 1, "slot %u pin %u: %u entries", slot, pin, found);
    return gsi;
}

/* ---- DSDT ---------------------------------------------------------------- */

/* Every _PRT entry: slots 1..31 x pins 0..3, GSI from link (slot+pin)&3. */
static void check_prt(const struct aml *a, const uint8_t route[4])
{
    const struct obj *prt = aml_lookup(a, "\\_SB_.PCI0._PRT");

    ck_assert_ptr_nonnull(prt);
    ck_assert_int_eq(prt->kind, OBJ_PKG);
    ck_assert_uint_eq(prt->nr, 31 * 4);
    for (unsigned int slot = 1; slot < 32; slot++)
        for (unsigned int pin = 0; pin < 4; pin++)
            ck_assert_uint_eq(prt_gsi(a, prt, slot, pin),
                              route[(slot + pin) & 3]);
    /* 124 entries, each of the 124 (slot, pin) pairs once: no slot 0 */
}

START_TEST(dsdt_s5_and_pci0)
{
    static const struct xkvm_acpi_cfg other = { 8, { 3, 4, 14, 15 } };
    struct built b = build(&std_cfg);
    const uint8_t *d = walk(&b).dsdt;
    struct aml *a = malloc(sizeof(*a));
    const struct obj *s5, *prt;

    ck_assert_ptr_nonnull(a);
    ck_assert(aml_decode(a, d));
    ck_assert_uint_eq(d[8], 2);                     /* 64-bit integers */

    s5 = aml_lookup(a, "\\_S5_");
    ck_assert_ptr_nonnull(s5);
    ck_assert_int_eq(s5->kind, OBJ_PKG);
    ck_assert_uint_eq(s5->nr, 4);
    for (unsigned int i = 0; i < 4; i++)
        ck_assert_uint_eq(int_elem(a, s5, i), 0);

    ck_assert_uint_eq(a->nr_devices, 1);
    ck_assert_str_eq(a->devices[0], "\\_SB_.PCI0");
    ck_assert_uint_eq(lookup_int(a, "\\_SB_.PCI0._HID"), 0x030ad041); /* PNP0A03 */
    ck_assert_uint_eq(lookup_int(a, "\\_SB_.PCI0._ADR"), 0);
    ck_assert_uint_eq(lookup_int(a, "\\_SB_.PCI0._UID"), 0);
    ck_assert_uint_eq(lookup_int(a, "\\_SB_.PCI0._BBN"), 0);

    prt = aml_lookup(a, "\\_SB_.PCI0._PRT");
    ck_assert_ptr_nonnull(prt);
    ck_assert_uint_eq(prt->nr, 124);
    ck_assert_uint_eq(prt_gsi(a, prt, 1, 0), 10);   /* route[1] */
    ck_assert_uint_eq(prt_gsi(a, prt, 2, 0), 11);   /* route[2] */
    ck_assert_uint_eq(prt_gsi(a, prt, 3, 1), 5);    /* route[0] */
    ck_assert_uint_eq(prt_gsi(a, prt, 31, 3), 11);  /* (31 + 3) & 3 = 2 */
    check_prt(a, std_cfg.pirq_route);
    free(b.buf);

    b = build(&other);                      /* four links, eight vCPUs */
    ck_assert(aml_decode(a, walk(&b).dsdt));
    check_prt(a, other.pirq_route);
    free(a);
    free(b.buf);
}
END_TEST

/* The root bridge's _CRS, descriptor by descriptor: type (0x47 I/O port,
 * else the address space type: 0 memory, 1 I/O, 2 bus), min, max. */
static const struct { unsigned int type; uint32_t min, max; } crs_want[] = {
    { 2, 0, 0xff }, { 0x47, 0xcf8, 0xcf8 }, { 1, 0, 0xcf7 },
    { 1, 0xd00, 0xffff }, { 0, 0xa0000, 0xbffff }, { 0, 0xe0000000, 0xfebfffff },
};

START_TEST(dsdt_crs)
{
    struct built b = build(&std_cfg);
    struct aml *a = malloc(sizeof(*a));
    const struct obj *o;
    size_t off = 0, n = 0, nwant = sizeof(crs_want) / sizeof(crs_want[0]);

    ck_assert_ptr_nonnull(a);
    ck_assert(aml_decode(a, walk(&b).dsdt));
    o = aml_lookup(a, "\\_SB_.PCI0._CRS");
    ck_assert_ptr_nonnull(o);
    ck_assert_int_eq(o->kind, OBJ_BUF);
    /* descriptors tile the buffer and the End Tag is last */
    for (const uint8_t *d = o->buf; off + 2 != o->buflen; n++, d = o->buf + off) {
        size_t dlen = d[0] & 0x80 ? 3 + rd(d + 1, 2) : 1u + (d[0] & 7);
        unsigned int w = d[0] == 0x88 ? 2 : 4;

        ck_assert_uint_lt(n, nwant);
        ck_assert_uint_le(off + dlen + 2, o->buflen);
        if (crs_want[n].type == 0x47) {     /* IO(Decode16, min, max, 1, 8) */
            ck_assert_uint_eq(d[0], 0x47);
            ck_assert_uint_eq(rd(d + 2, 2), crs_want[n].min);
            ck_assert_uint_eq(rd(d + 4, 2), crs_want[n].max);
            ck_assert_uint_eq(d[7], 8);
        } else {                            /* Word (I/O, bus) or DWord (mem) */
            ck_assert_uint_eq(d[0], crs_want[n].type ? 0x88 : 0x87);
            ck_assert_uint_eq(dlen, 6 + 5 * w);
            ck_assert_uint_eq(d[3], crs_want[n].type);
            ck_assert_uint_eq(d[4], 0x0c);  /* producer, fixed, pos. decode */
            ck_assert_uint_eq(rd(d + 6, w), 0);         /* granularity */
            ck_assert_uint_eq(rd(d + 6 + w, w), crs_want[n].min);
            ck_assert_uint_eq(rd(d + 6 + 2 * w, w), crs_want[n].max);
            ck_assert_uint_eq(rd(d + 6 + 3 * w, w), 0); /* translation */
            ck_assert_uint_eq(rd(d + 6 + 4 * w, w),
                              crs_want[n].max - crs_want[n].min + 1);
        }
        off += dlen;
    }
    ck_assert_uint_eq(n, nwant);
    ck_assert_uint_eq(o->buf[off], 0x79);   /* End Tag */
    free(a);
    free(b.buf);
}
END_TEST

/* Re-encode the PkgLength at @p with @delta, keeping its byte count;
 * false if the new value does not fit. */
static bool bump_pkglen(uint8_t *p, int delta)
{
    unsigned int follow = p[0] >> 6;
    size_t v = follow ? p[0] & 0x0f : p[0] & 0x3f;
    size_t max = follow ? ((size_t)1 << (4 + 8 * follow)) - 1 : 0x3f;

    for (unsigned int i = 1; i <= follow; i++)
        v |= (size_t)p[i] << (4 + 8 * (i - 1));
    if ((delta < 0 && v == 0) || (delta > 0 && v == max))
        return false;
    v = delta < 0 ? v - 1 : v + 1;
    if (!follow) {
        p[0] = (uint8_t)v;
        return true;
    }
    p[0] = (uint8_t)((follow << 6) | (v & 0x0f));
    for (unsigned int i = 1; i <= follow; i++)
        p[i] = (uint8_t)(v >> (4 + 8 * (i - 1)));
    return true;
}

/* The decoder is the test's only judge of nesting: show that it rejects
 * every PkgLength off by one in either direction. */
START_TEST(dsdt_decoder_rejects_off_by_one_pkglength)
{
    struct built b = build(&std_cfg);
    const uint8_t *d = walk(&b).dsdt;
    uint32_t len = (uint32_t)rd(d + 4, 4);
    struct aml *a = malloc(sizeof(*a));
    uint8_t *copy = malloc(len);
    size_t at[512];
    unsigned int n, tried = 0;

    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(copy);
    ck_assert(aml_decode(a, d));
    n = a->nr_pkglen;
    ck_assert_uint_eq(n, 1 + 1 + 1 + 1 + 1 + 124);  /* S5 Scope Dev CRS PRT */
    memcpy(at, a->pkglen_at, n * sizeof(at[0]));
    for (unsigned int i = 0; i < n; i++) {
        for (int delta = -1; delta <= 1; delta += 2) {
            memcpy(copy, d, len);
            if (!bump_pkglen(copy + at[i], delta))
                continue;
            tried++;
            ck_assert_msg(!aml_decode(a, copy),
                          "PkgLength at %zu %+d accepted", at[i], delta);
        }
    }
    ck_assert_uint_ge(tried, 2 * n - 2);
    free(copy);
    free(a);
    free(b.buf);
}
END_TEST

/* ---- bad input, short buffers ------------------------------------------- */

START_TEST(bad_cfg_is_einval)
{
    uint8_t *buf = malloc(XKVM_ACPI_MAX);
    struct xkvm_acpi_cfg cfg = std_cfg;
    static const uint8_t bad_routes[] = { 0, 2, 16, 255 };

    ck_assert_ptr_nonnull(buf);
    ck_assert_int_eq(xkvm_acpi_build(NULL, buf, XKVM_ACPI_MAX), -EINVAL);
    ck_assert_int_eq(xkvm_acpi_build(&cfg, NULL, 100), -EINVAL);
    cfg.nr_vcpus = 0;
    ck_assert_int_eq(xkvm_acpi_build(&cfg, buf, XKVM_ACPI_MAX), -EINVAL);
    cfg.nr_vcpus = 65;
    ck_assert_int_eq(xkvm_acpi_build(&cfg, buf, XKVM_ACPI_MAX), -EINVAL);
    cfg.nr_vcpus = 64;
    ck_assert_int_gt(xkvm_acpi_build(&cfg, buf, XKVM_ACPI_MAX), 0);
    for (unsigned int link = 0; link < 4; link++) {
        for (unsigned int i = 0; i < sizeof(bad_routes); i++) {
            cfg = std_cfg;
            cfg.pirq_route[link] = bad_routes[i];
            ck_assert_int_eq(xkvm_acpi_build(&cfg, buf, XKVM_ACPI_MAX),
                             -EINVAL);
        }
        cfg.pirq_route[link] = 15;
        ck_assert_int_gt(xkvm_acpi_build(&cfg, buf, XKVM_ACPI_MAX), 0);
        cfg.pirq_route[link] = 1;
        ck_assert_int_gt(xkvm_acpi_build(&cfg, buf, XKVM_ACPI_MAX), 0);
    }
    free(buf);
}
END_TEST

START_TEST(short_buffer_is_enospc_and_stays_inside)
{
    enum { SLACK = 64, FILL = 0xa5 };
    struct xkvm_acpi_cfg cfg = std_cfg;
    struct built ref;
    uint8_t *buf;

    cfg.nr_vcpus = 8;
    ref = build(&cfg);
    buf = malloc((size_t)ref.size + SLACK);
    ck_assert_ptr_nonnull(buf);
    ck_assert_int_eq(xkvm_acpi_build(&cfg, NULL, 0), -ENOSPC);
    for (size_t len = 0; len < (size_t)ref.size; len++) {
        size_t i = len;

        memset(buf, FILL, (size_t)ref.size + SLACK);
        ck_assert_int_eq(xkvm_acpi_build(&cfg, buf, len), -ENOSPC);
        while (i < (size_t)ref.size + SLACK && buf[i] == FILL)
            i++;
        ck_assert_msg(i == (size_t)ref.size + SLACK,
                      "len %zu: byte %zu written", len, i);
    }
    /* exactly enough is enough, and gives the same bytes */
    memset(buf, FILL, (size_t)ref.size + SLACK);
    ck_assert_int_eq(xkvm_acpi_build(&cfg, buf, (size_t)ref.size), ref.size);
    ck_assert(memcmp(buf, ref.buf, (size_t)ref.size) == 0);
    ck_assert_uint_eq(buf[ref.size], FILL);
    free(buf);
    free(ref.buf);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("kvm-acpi");
    TCase *tc = tcase_create("tables");
    SRunner *sr;
    int failed;

    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, rsdp_pointers_and_checksums);
    tcase_add_test(tc, fadt_fields);
    tcase_add_test(tc, madt_lapics_and_ioapic);
    tcase_add_test(tc, madt_overrides);
    tcase_add_test(tc, dsdt_s5_and_pci0);
    tcase_add_test(tc, dsdt_crs);
    tcase_add_test(tc, dsdt_decoder_rejects_off_by_one_pkglength);
    tcase_add_test(tc, bad_cfg_is_einval);
    tcase_add_test(tc, short_buffer_is_enospc_and_stays_inside);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
