/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * acpi.c - build the ACPI tables of xensim's KVM bed (see acpi.h).
 *
 * Data structure: one bounded writer (struct blob) over the caller's buffer.
 * Every store goes through blob_put(), which refuses anything that would
 * reach @len and latches an overflow flag instead; the write position keeps
 * advancing, so a too-small buffer still walks the whole layout and the
 * build ends with -ENOSPC without touching a byte at or past @len.
 *
 * The build has three steps:
 *  1. emit the tables one after another (RSDP at 0, FACS 64-byte aligned,
 *     the rest 16-byte aligned), recording each one's offset and length;
 *  2. link: store the guest-physical addresses (XKVM_ACPI_BASE + offset)
 *     of FACS, DSDT, FADT, MADT, RSDT and XSDT where other tables point at
 *     them (forward references, so they are patched in afterwards);
 *  3. checksum every table last, when no byte of it changes any more.
 *
 * The DSDT is AML written by a small emitter: a package (Scope, Device,
 * Package, Buffer) is opened by remembering where its body starts and
 * closed by inserting the PkgLength in front of the finished body, moving
 * the body up by the 1-4 bytes the encoding needs. Inner packages close
 * before outer ones, so each PkgLength is computed on final bytes.
 *
 * Threading: no state outside the caller's buffer and the stack.
 */
#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "stubs/kvm/acpi.h"

/* ---- identification --------------------------------------------------- */

#define OEM_ID "XENSIM"             /* 6 bytes */
#define OEM_TABLE_ID "XSIMKVM "     /* 8 bytes */
#define OEM_REVISION 1u
#define CREATOR_ID "XDM "           /* 4 bytes */
#define CREATOR_REVISION 1u

#define SDT_HEADER_LEN 36u
#define SDT_CHECKSUM_OFF 9u
#define RSDP_V1_LEN 20u
#define RSDP_LEN 36u
#define FACS_LEN 64u
#define FADT_LEN 244u
#define FADT_REVISION 4u            /* the ACPI 3.0 layout */
#define MADT_REVISION 2u
#define DSDT_REVISION 2u            /* 64-bit AML integers */

/* ---- platform facts (Xen HVM guest, xenfv chipset) --------------------- */

#define SCI_IRQ 9u
#define PM1A_EVT_BLK 0xb000u        /* ACPI_PM1A_EVT_BLK_ADDRESS_V1 */
#define PM1A_CNT_BLK 0xb004u        /* ACPI_PM1A_CNT_BLK_ADDRESS_V1 */
#define PM_TMR_BLK 0xb008u          /* ACPI_PM_TMR_BLK_ADDRESS_V1 */
#define GPE0_BLK 0xafe0u            /* ACPI_GPE0_BLK_ADDRESS_V1 */
#define PM1_EVT_LEN 4u
#define PM1_CNT_LEN 2u
#define PM_TMR_LEN 4u
#define GPE0_BLK_LEN 4u
#define RESET_PORT 0xcf9u           /* PIIX3 reset control register */
#define RESET_VALUE 0x06u           /* SRST | RCPU */
#define LAPIC_ADDR 0xfee00000u
#define IOAPIC_ADDR 0xfec00000u

/* FADT flags (ACPI 3.0 table 5-35) */
#define FADT_F_WBINVD (1u << 0)
#define FADT_F_PROC_C1 (1u << 2)
#define FADT_F_PWR_BUTTON (1u << 4) /* set: no fixed-feature power button */
#define FADT_F_SLP_BUTTON (1u << 5) /* set: no fixed-feature sleep button */
#define FADT_F_FIX_RTC (1u << 6)    /* set: no RTC wake status in PM1 */
#define FADT_F_TMR_VAL_EXT (1u << 8)
#define FADT_F_RESET_REG_SUP (1u << 10)
#define FADT_BOOT_LEGACY_DEVICES (1u << 0)

/* Generic Address Structure */
#define GAS_SYSTEM_IO 1u
#define GAS_ACCESS_BYTE 1u
#define GAS_ACCESS_WORD 2u
#define GAS_ACCESS_DWORD 3u

/* MADT */
#define MADT_PCAT_COMPAT 1u
#define MADT_LAPIC 0u
#define MADT_IOAPIC 1u
#define MADT_ISO 2u
#define MADT_LAPIC_NMI 4u
#define MADT_LAPIC_ENABLED 1u
#define MPS_INTI_CONFORMING 0x0000u
#define MPS_INTI_LEVEL_HIGH 0x000du /* polarity 01, trigger 11 */
#define MPS_INTI_LEVEL_LOW 0x000fu  /* polarity 11, trigger 11 */

/* AML opcodes (ACPI 3.0 section 18) */
#define AML_ZERO 0x00
#define AML_ONE 0x01
#define AML_NAME 0x08
#define AML_BYTE 0x0a
#define AML_WORD 0x0b
#define AML_DWORD 0x0c
#define AML_QWORD 0x0e
#define AML_SCOPE 0x10
#define AML_BUFFER 0x11
#define AML_PACKAGE 0x12
#define AML_DUAL_NAME 0x2e
#define AML_MULTI_NAME 0x2f
#define AML_EXT 0x5b
#define AML_EXT_DEVICE 0x82
#define AML_ROOT '\\'

#define PCI_SLOTS 32u
#define PCI_PINS 4u

/* ---- the bounded writer ------------------------------------------------ */

struct blob {
    uint8_t *buf;
    size_t len;
    size_t pos;
    bool overflow;
};

static void blob_put(struct blob *b, size_t off, const void *src, size_t n)
{
    if (off > b->len || n > b->len - off) {
        b->overflow = true;
        return;
    }
    memcpy(b->buf + off, src, n);
}

static void blob_put_le(struct blob *b, size_t off, uint64_t v, unsigned int n)
{
    uint8_t tmp[8];

    assert(n <= sizeof(tmp));
    for (unsigned int i = 0; i < n; i++)
        tmp[i] = (uint8_t)(v >> (8 * i));
    blob_put(b, off, tmp, n);
}

static void emit(struct blob *b, const void *src, size_t n)
{
    blob_put(b, b->pos, src, n);
    b->pos += n;
}

static void emit8(struct blob *b, uint8_t v)
{
    emit(b, &v, 1);
}

static void emit_le(struct blob *b, uint64_t v, unsigned int n)
{
    blob_put_le(b, b->pos, v, n);
    b->pos += n;
}

static void emit_zeros(struct blob *b, size_t n)
{
    static const uint8_t zeros[64];

    while (n) {
        size_t chunk = n < sizeof(zeros) ? n : sizeof(zeros);

        emit(b, zeros, chunk);
        n -= chunk;
    }
}

static void align_to(struct blob *b, size_t align)
{
    emit_zeros(b, (align - b->pos % align) % align);
}

static uint8_t sum_bytes(const uint8_t *p, size_t n)
{
    uint8_t s = 0;

    while (n--)
        s = (uint8_t)(s + *p++);
    return s;
}

/* Make bytes [off, off + n) sum to 0, adjusting the byte at @at. */
static void fix_checksum(struct blob *b, size_t off, size_t n, size_t at)
{
    if (b->overflow)
        return;
    b->buf[at] = 0;
    b->buf[at] = (uint8_t)(0x100 - sum_bytes(b->buf + off, n));
}

/* ---- table bookkeeping ------------------------------------------------- */

enum table_id { T_RSDP, T_FACS, T_RSDT, T_XSDT, T_FADT, T_MADT, T_DSDT, T_NR };

struct layout {
    size_t off[T_NR];
    size_t len[T_NR];
};

static uint32_t table_addr(const struct layout *l, enum table_id t)
{
    return XKVM_ACPI_BASE + (uint32_t)l->off[t];
}

/* System description table header (ACPI 3.0 table 5-4); the length is
 * patched by sdt_end(), the checksum by the final step. */
static void sdt_begin(struct blob *b, struct layout *l, enum table_id t,
                      const char sig[4], uint8_t revision)
{
    l->off[t] = b->pos;
    emit(b, sig, 4);
    emit_le(b, 0, 4);                       /* Length */
    emit8(b, revision);
    emit8(b, 0);                            /* Checksum */
    emit(b, OEM_ID, 6);
    emit(b, OEM_TABLE_ID, 8);
    emit_le(b, OEM_REVISION, 4);
    emit(b, CREATOR_ID, 4);
    emit_le(b, CREATOR_REVISION, 4);
}

static void sdt_end(struct blob *b, struct layout *l, enum table_id t)
{
    l->len[t] = b->pos - l->off[t];
    blob_put_le(b, l->off[t] + 4, l->len[t], 4);
}

/* ---- fixed tables ------------------------------------------------------ */

/* RSDP, ACPI 2.0+ (revision 2); addresses and checksums filled later. */
static void emit_rsdp(struct blob *b, struct layout *l)
{
    l->off[T_RSDP] = b->pos;
    emit(b, "RSD PTR ", 8);
    emit8(b, 0);                            /* Checksum (first 20 bytes) */
    emit(b, OEM_ID, 6);
    emit8(b, 2);                            /* Revision */
    emit_le(b, 0, 4);                       /* RsdtAddress */
    emit_le(b, RSDP_LEN, 4);                /* Length */
    emit_le(b, 0, 8);                       /* XsdtAddress */
    emit8(b, 0);                            /* Extended checksum */
    emit_zeros(b, 3);
    l->len[T_RSDP] = b->pos - l->off[T_RSDP];
}

/* FACS (ACPI 3.0 table 5-37): no checksum; everything but the signature,
 * length and version is zero (no waking vector, no global lock owner). */
static void emit_facs(struct blob *b, struct layout *l)
{
    align_to(b, 64);
    l->off[T_FACS] = b->pos;
    emit(b, "FACS", 4);
    emit_le(b, FACS_LEN, 4);
    emit_zeros(b, 24);                      /* HW sig .. X waking vector */
    emit8(b, 1);                            /* Version */
    emit_zeros(b, FACS_LEN - 33);
    l->len[T_FACS] = b->pos - l->off[T_FACS];
}

/* RSDT (32-bit) or XSDT (64-bit) listing FADT and MADT; entries linked later. */
static void emit_sdt_list(struct blob *b, struct layout *l, enum table_id t)
{
    unsigned int width = t == T_XSDT ? 8 : 4;

    align_to(b, 16);
    sdt_begin(b, l, t, t == T_XSDT ? "XSDT" : "RSDT", 1);
    emit_zeros(b, 2 * width);
    sdt_end(b, l, t);
}

static void emit_gas(struct blob *b, uint8_t space, uint8_t bit_width,
                     uint8_t access, uint64_t addr)
{
    emit8(b, space);
    emit8(b, bit_width);
    emit8(b, 0);                            /* Register bit offset */
    emit8(b, access);
    emit_le(b, addr, 8);
}

/* FADT, ACPI 3.0 layout (table 5-34); FACS and DSDT pointers linked later. */
static void emit_fadt(struct blob *b, struct layout *l)
{
    align_to(b, 16);
    sdt_begin(b, l, T_FADT, "FACP", FADT_REVISION);
    emit_le(b, 0, 4);                       /* 36 FIRMWARE_CTRL */
    emit_le(b, 0, 4);                       /* 40 DSDT */
    emit8(b, 0);                            /* 44 reserved */
    emit8(b, 0);                            /* 45 Preferred_PM_Profile */
    emit_le(b, SCI_IRQ, 2);                 /* 46 SCI_INT */
    emit_le(b, 0, 4);                       /* 48 SMI_CMD: ACPI mode only */
    emit8(b, 0);                            /* 52 ACPI_ENABLE */
    emit8(b, 0);                            /* 53 ACPI_DISABLE */
    emit8(b, 0);                            /* 54 S4BIOS_REQ */
    emit8(b, 0);                            /* 55 PSTATE_CNT */
    emit_le(b, PM1A_EVT_BLK, 4);            /* 56 PM1a_EVT_BLK */
    emit_le(b, 0, 4);                       /* 60 PM1b_EVT_BLK */
    emit_le(b, PM1A_CNT_BLK, 4);            /* 64 PM1a_CNT_BLK */
    emit_le(b, 0, 4);                       /* 68 PM1b_CNT_BLK */
    emit_le(b, 0, 4);                       /* 72 PM2_CNT_BLK */
    emit_le(b, PM_TMR_BLK, 4);              /* 76 PM_TMR_BLK */
    emit_le(b, GPE0_BLK, 4);                /* 80 GPE0_BLK */
    emit_le(b, 0, 4);                       /* 84 GPE1_BLK */
    emit8(b, PM1_EVT_LEN);                  /* 88 PM1_EVT_LEN */
    emit8(b, PM1_CNT_LEN);                  /* 89 PM1_CNT_LEN */
    emit8(b, 0);                            /* 90 PM2_CNT_LEN */
    emit8(b, PM_TMR_LEN);                   /* 91 PM_TMR_LEN */
    emit8(b, GPE0_BLK_LEN);                 /* 92 GPE0_BLK_LEN */
    emit8(b, 0);                            /* 93 GPE1_BLK_LEN */
    emit8(b, 0);                            /* 94 GPE1_BASE */
    emit8(b, 0);                            /* 95 CST_CNT */
    emit_le(b, 101, 2);                     /* 96 P_LVL2_LAT: no C2 */
    emit_le(b, 1001, 2);                    /* 98 P_LVL3_LAT: no C3 */
    emit_le(b, 0, 2);                       /* 100 FLUSH_SIZE */
    emit_le(b, 0, 2);                       /* 102 FLUSH_STRIDE */
    emit8(b, 0);                            /* 104 DUTY_OFFSET */
    emit8(b, 0);                            /* 105 DUTY_WIDTH */
    emit8(b, 0);                            /* 106 DAY_ALRM */
    emit8(b, 0);                            /* 107 MON_ALRM */
    emit8(b, 0);                            /* 108 CENTURY: not reported */
    emit_le(b, FADT_BOOT_LEGACY_DEVICES, 2); /* 109 IAPC_BOOT_ARCH */
    emit8(b, 0);                            /* 111 reserved */
    emit_le(b, FADT_F_WBINVD | FADT_F_PROC_C1 | FADT_F_SLP_BUTTON |
            FADT_F_FIX_RTC | FADT_F_TMR_VAL_EXT | FADT_F_RESET_REG_SUP,
            4);                             /* 112 Flags */
    emit_gas(b, GAS_SYSTEM_IO, 8, GAS_ACCESS_BYTE, RESET_PORT); /* 116 */
    emit8(b, RESET_VALUE);                  /* 128 RESET_VALUE */
    emit_zeros(b, 3);                       /* 129 reserved */
    emit_le(b, 0, 8);                       /* 132 X_FIRMWARE_CTRL */
    emit_le(b, 0, 8);                       /* 140 X_DSDT */
    emit_gas(b, GAS_SYSTEM_IO, 8 * PM1_EVT_LEN, GAS_ACCESS_WORD,
             PM1A_EVT_BLK);                 /* 148 X_PM1a_EVT_BLK */
    emit_zeros(b, 12);                      /* 160 X_PM1b_EVT_BLK */
    emit_gas(b, GAS_SYSTEM_IO, 8 * PM1_CNT_LEN, GAS_ACCESS_WORD,
             PM1A_CNT_BLK);                 /* 172 X_PM1a_CNT_BLK */
    emit_zeros(b, 12);                      /* 184 X_PM1b_CNT_BLK */
    emit_zeros(b, 12);                      /* 196 X_PM2_CNT_BLK */
    emit_gas(b, GAS_SYSTEM_IO, 8 * PM_TMR_LEN, GAS_ACCESS_DWORD,
             PM_TMR_BLK);                   /* 208 X_PM_TMR_BLK */
    emit_gas(b, GAS_SYSTEM_IO, 8 * GPE0_BLK_LEN, GAS_ACCESS_BYTE,
             GPE0_BLK);                     /* 220 X_GPE0_BLK */
    emit_zeros(b, 12);                      /* 232 X_GPE1_BLK */
    sdt_end(b, l, T_FADT);
    assert(l->len[T_FADT] == FADT_LEN);
}

static void emit_iso(struct blob *b, uint8_t irq, uint32_t gsi, uint16_t flags)
{
    emit8(b, MADT_ISO);
    emit8(b, 10);
    emit8(b, 0);                            /* Bus: ISA */
    emit8(b, irq);
    emit_le(b, gsi, 4);
    emit_le(b, flags, 2);
}

static bool route_uses(const struct xkvm_acpi_cfg *cfg, unsigned int irq)
{
    for (unsigned int i = 0; i < 4; i++)
        if (cfg->pirq_route[i] == irq)
            return true;
    return false;
}

/* MADT (ACPI 3.0 section 5.2.11). */
static void emit_madt(struct blob *b, struct layout *l,
                      const struct xkvm_acpi_cfg *cfg)
{
    align_to(b, 16);
    sdt_begin(b, l, T_MADT, "APIC", MADT_REVISION);
    emit_le(b, LAPIC_ADDR, 4);
    emit_le(b, MADT_PCAT_COMPAT, 4);

    for (unsigned int cpu = 0; cpu < cfg->nr_vcpus; cpu++) {
        emit8(b, MADT_LAPIC);
        emit8(b, 8);
        emit8(b, (uint8_t)cpu);             /* ACPI processor UID */
        emit8(b, (uint8_t)cpu);             /* APIC id */
        emit_le(b, MADT_LAPIC_ENABLED, 4);
    }

    emit8(b, MADT_IOAPIC);
    emit8(b, 12);
    emit8(b, (uint8_t)cfg->nr_vcpus);       /* IOAPIC id */
    emit8(b, 0);
    emit_le(b, IOAPIC_ADDR, 4);
    emit_le(b, 0, 4);                       /* GSI base */

    emit_iso(b, 0, 2, MPS_INTI_CONFORMING); /* PIT on pin 2 */
    for (unsigned int i = 0; i < 4; i++) {
        uint8_t irq = cfg->pirq_route[i];
        bool seen = false;

        for (unsigned int j = 0; j < i; j++)
            seen = seen || cfg->pirq_route[j] == irq;
        if (!seen)                          /* PCI INTx: shared, level, low */
            emit_iso(b, irq, irq, MPS_INTI_LEVEL_LOW);
    }
    /* The SCI is level, active-high, unless a PCI link shares its IRQ, in
     * which case the link's (level, active-low) override above covers it:
     * one line cannot have two polarities. */
    if (!route_uses(cfg, SCI_IRQ))
        emit_iso(b, SCI_IRQ, SCI_IRQ, MPS_INTI_LEVEL_HIGH);

    emit8(b, MADT_LAPIC_NMI);
    emit8(b, 6);
    emit8(b, 0xff);                         /* all processors */
    emit_le(b, MPS_INTI_CONFORMING, 2);
    emit8(b, 1);                            /* LINT1 */
    sdt_end(b, l, T_MADT);
}

/* ---- AML emitter ------------------------------------------------------- */

/* Open a package: its body starts here; aml_pkg_end() inserts the
 * PkgLength in front of it. */
static size_t aml_pkg_begin(const struct blob *b)
{
    return b->pos;
}

/* PkgLength (ACPI 3.0 section 18.2.4): the length counts its own 1-4
 * bytes. One byte holds 0..63; otherwise bits 7:6 of the lead byte give the
 * number of following bytes, its bits 3:0 the low nibble and each following
 * byte the next 8 bits. */
static void aml_pkg_end(struct blob *b, size_t start)
{
    size_t body = b->pos - start;
    size_t total;
    unsigned int n;
    uint8_t enc[4];

    if (body + 1 <= 0x3f)
        n = 1;
    else if (body + 2 <= 0xfff)
        n = 2;
    else if (body + 3 <= 0xfffff)
        n = 3;
    else
        n = 4;
    total = body + n;
    assert(total <= 0xfffffff);
    if (n == 1) {
        enc[0] = (uint8_t)total;
    } else {
        enc[0] = (uint8_t)(((n - 1) << 6) | (total & 0x0f));
        for (unsigned int i = 1; i < n; i++)
            enc[i] = (uint8_t)(total >> (4 + 8 * (i - 1)));
    }
    if (!b->overflow && start + total <= b->len) {
        memmove(b->buf + start + n, b->buf + start, body);
        memcpy(b->buf + start, enc, n);
    } else {
        b->overflow = true;
    }
    b->pos += n;
}

static bool aml_lead_char(char c)
{
    return (c >= 'A' && c <= 'Z') || c == '_';
}

static bool aml_name_char(char c)
{
    return aml_lead_char(c) || (c >= '0' && c <= '9');
}

/* NameString from "\\A.B.C" / "A.B" / "A": an optional root prefix, then
 * dot-separated segments of 1-4 characters, padded with '_' to a NameSeg.
 * Paths are constants of this file, so a malformed one is a bug. */
static void aml_namestring(struct blob *b, const char *path)
{
    unsigned int nsegs = 1;

    if (*path == AML_ROOT) {
        emit8(b, AML_ROOT);
        path++;
    }
    for (const char *p = path; *p; p++)
        nsegs += *p == '.';
    assert(nsegs <= 255);
    if (nsegs == 2) {
        emit8(b, AML_DUAL_NAME);
    } else if (nsegs > 2) {
        emit8(b, AML_MULTI_NAME);
        emit8(b, (uint8_t)nsegs);
    }
    for (unsigned int s = 0; s < nsegs; s++) {
        char seg[4] = { '_', '_', '_', '_' };
        unsigned int i = 0;

        assert(aml_lead_char(*path));
        while (*path && *path != '.') {
            assert(i < 4 && aml_name_char(*path));
            if (i < 4)
                seg[i++] = *path;
            path++;
        }
        if (*path == '.')
            path++;
        emit(b, seg, 4);
    }
}

/* The shortest integer encoding: ZeroOp, OneOp or a Byte/Word/DWord/QWord
 * prefix. */
static void aml_integer(struct blob *b, uint64_t v)
{
    if (v == 0) {
        emit8(b, AML_ZERO);
    } else if (v == 1) {
        emit8(b, AML_ONE);
    } else if (v <= 0xff) {
        emit8(b, AML_BYTE);
        emit_le(b, v, 1);
    } else if (v <= 0xffff) {
        emit8(b, AML_WORD);
        emit_le(b, v, 2);
    } else if (v <= 0xffffffff) {
        emit8(b, AML_DWORD);
        emit_le(b, v, 4);
    } else {
        emit8(b, AML_QWORD);
        emit_le(b, v, 8);
    }
}

/* Name(@name, @v) with an integer value. */
static void aml_name_integer(struct blob *b, const char *name, uint64_t v)
{
    emit8(b, AML_NAME);
    aml_namestring(b, name);
    aml_integer(b, v);
}

static size_t aml_package_begin(struct blob *b, uint8_t nr_elements)
{
    size_t start;

    emit8(b, AML_PACKAGE);
    start = aml_pkg_begin(b);
    emit8(b, nr_elements);
    return start;
}

static size_t aml_scope_begin(struct blob *b, const char *path)
{
    size_t start;

    emit8(b, AML_SCOPE);
    start = aml_pkg_begin(b);
    aml_namestring(b, path);
    return start;
}

static size_t aml_device_begin(struct blob *b, const char *name)
{
    size_t start;

    emit8(b, AML_EXT);
    emit8(b, AML_EXT_DEVICE);
    start = aml_pkg_begin(b);
    aml_namestring(b, name);
    return start;
}

/* EisaId("PNP0A03"): three letters of 5 bits ('A' = 1) and four hex
 * digits, stored most significant byte first. */
static uint32_t aml_eisaid(const char id[7])
{
    uint32_t v = 0;

    for (unsigned int i = 0; i < 3; i++)
        v = (v << 5) | (uint32_t)((id[i] - 0x40) & 0x1f);
    for (unsigned int i = 3; i < 7; i++) {
        char c = id[i];
        uint32_t d = c <= '9' ? (uint32_t)(c - '0') : (uint32_t)(c - 'A' + 10);

        v = (v << 4) | (d & 0xf);
    }
    /* bit 31 is reserved (0): the letters sit in bits 30:16 */
    return ((v & 0xff) << 24) | ((v & 0xff00) << 8) |
           ((v >> 8) & 0xff00) | (v >> 24);
}

/* ---- resource descriptors (ACPI 3.0 section 6.4) ------------------------ */

#define RES_PRODUCER_FIXED 0x0c     /* producer, pos. decode, min+max fixed */
#define RES_TYPE_MEM 0
#define RES_TYPE_IO 1
#define RES_TYPE_BUS 2
#define RES_IO_ENTIRE_RANGE 0x03
#define RES_MEM_RW 0x01
#define RES_MEM_CACHEABLE 0x02

/* Word Address Space Descriptor; length = max - min + 1. */
static void res_word_space(struct blob *b, uint8_t type, uint8_t tflags,
                           uint16_t min, uint16_t max)
{
    emit8(b, 0x88);
    emit_le(b, 13, 2);
    emit8(b, type);
    emit8(b, RES_PRODUCER_FIXED);
    emit8(b, tflags);
    emit_le(b, 0, 2);                       /* granularity */
    emit_le(b, min, 2);
    emit_le(b, max, 2);
    emit_le(b, 0, 2);                       /* translation offset */
    emit_le(b, (uint32_t)max - min + 1, 2);
}

/* DWord Address Space Descriptor for a memory window. */
static void res_dword_mem(struct blob *b, uint8_t tflags, uint32_t min,
                          uint32_t max)
{
    emit8(b, 0x87);
    emit_le(b, 23, 2);
    emit8(b, RES_TYPE_MEM);
    emit8(b, RES_PRODUCER_FIXED);
    emit8(b, tflags);
    emit_le(b, 0, 4);                       /* granularity */
    emit_le(b, min, 4);
    emit_le(b, max, 4);
    emit_le(b, 0, 4);                       /* translation offset */
    emit_le(b, (uint64_t)max - min + 1, 4);
}

/* Name(_CRS, ResourceTemplate(){...}) of the root bridge: bus 0-255, the
 * configuration ports it decodes itself, the I/O below and above them, the
 * VGA window and the 32-bit PCI hole up to the IOAPIC. */
static void aml_pci0_crs(struct blob *b)
{
    uint8_t raw[128];
    struct blob rt = { .buf = raw, .len = sizeof(raw) };
    size_t start;

    res_word_space(&rt, RES_TYPE_BUS, 0, 0x00, 0xff);
    emit8(&rt, 0x47);                       /* IO(Decode16, 0xcf8, 0xcf8, 1, 8) */
    emit8(&rt, 0x01);
    emit_le(&rt, 0x0cf8, 2);
    emit_le(&rt, 0x0cf8, 2);
    emit8(&rt, 0x01);
    emit8(&rt, 0x08);
    res_word_space(&rt, RES_TYPE_IO, RES_IO_ENTIRE_RANGE, 0x0000, 0x0cf7);
    res_word_space(&rt, RES_TYPE_IO, RES_IO_ENTIRE_RANGE, 0x0d00, 0xffff);
    res_dword_mem(&rt, RES_MEM_RW | RES_MEM_CACHEABLE, 0x000a0000, 0x000bffff);
    res_dword_mem(&rt, RES_MEM_RW, 0xe0000000, 0xfebfffff);
    emit8(&rt, 0x79);                       /* End Tag, checksum 0: none */
    emit8(&rt, 0x00);
    assert(!rt.overflow);

    emit8(b, AML_NAME);
    aml_namestring(b, "_CRS");
    emit8(b, AML_BUFFER);
    start = aml_pkg_begin(b);
    aml_integer(b, rt.pos);                 /* BufferSize */
    emit(b, raw, rt.pos);
    aml_pkg_end(b, start);
}

/* Name(_PRT, Package(){...}): static GSI routing, slot S pin P to the
 * ISA IRQ (= GSI) of link (S + P) & 3, as Xen's hvm_pci_intx_link(). */
static void aml_pci0_prt(struct blob *b, const struct xkvm_acpi_cfg *cfg)
{
    size_t prt;

    emit8(b, AML_NAME);
    aml_namestring(b, "_PRT");
    prt = aml_package_begin(b, (PCI_SLOTS - 1) * PCI_PINS);
    for (unsigned int slot = 1; slot < PCI_SLOTS; slot++) {
        for (unsigned int pin = 0; pin < PCI_PINS; pin++) {
            size_t entry = aml_package_begin(b, 4);

            aml_integer(b, ((uint64_t)slot << 16) | 0xffff);
            aml_integer(b, pin);
            aml_integer(b, 0);              /* Source: none, so a GSI */
            aml_integer(b, cfg->pirq_route[(slot + pin) & 3]);
            aml_pkg_end(b, entry);
        }
    }
    aml_pkg_end(b, prt);
}

static void emit_dsdt(struct blob *b, struct layout *l,
                      const struct xkvm_acpi_cfg *cfg)
{
    size_t pkg, scope, dev;

    align_to(b, 16);
    sdt_begin(b, l, T_DSDT, "DSDT", DSDT_REVISION);

    /* Name(\_S5, Package(4){0, 0, 0, 0}): SLP_TYP 0 powers the PIIX4 off. */
    emit8(b, AML_NAME);
    aml_namestring(b, "\\_S5");
    pkg = aml_package_begin(b, 4);
    for (unsigned int i = 0; i < 4; i++)
        aml_integer(b, 0);
    aml_pkg_end(b, pkg);

    scope = aml_scope_begin(b, "\\_SB");
    dev = aml_device_begin(b, "PCI0");
    aml_name_integer(b, "_HID", aml_eisaid("PNP0A03"));
    aml_name_integer(b, "_ADR", 0);
    aml_name_integer(b, "_UID", 0);
    aml_name_integer(b, "_BBN", 0);
    aml_pci0_crs(b);
    aml_pci0_prt(b, cfg);
    aml_pkg_end(b, dev);
    aml_pkg_end(b, scope);

    sdt_end(b, l, T_DSDT);
}

/* ---- link, checksum, entry point --------------------------------------- */

static void link_tables(struct blob *b, const struct layout *l)
{
    size_t rsdp = l->off[T_RSDP], fadt = l->off[T_FADT];
    size_t rsdt = l->off[T_RSDT] + SDT_HEADER_LEN;
    size_t xsdt = l->off[T_XSDT] + SDT_HEADER_LEN;

    blob_put_le(b, rsdp + 16, table_addr(l, T_RSDT), 4);
    blob_put_le(b, rsdp + 24, table_addr(l, T_XSDT), 8);
    blob_put_le(b, rsdt, table_addr(l, T_FADT), 4);
    blob_put_le(b, rsdt + 4, table_addr(l, T_MADT), 4);
    blob_put_le(b, xsdt, table_addr(l, T_FADT), 8);
    blob_put_le(b, xsdt + 8, table_addr(l, T_MADT), 8);
    blob_put_le(b, fadt + 36, table_addr(l, T_FACS), 4);
    blob_put_le(b, fadt + 40, table_addr(l, T_DSDT), 4);
    blob_put_le(b, fadt + 132, table_addr(l, T_FACS), 8);
    blob_put_le(b, fadt + 140, table_addr(l, T_DSDT), 8);
}

static void checksum_tables(struct blob *b, const struct layout *l)
{
    static const enum table_id sdts[] = { T_RSDT, T_XSDT, T_FADT, T_MADT,
                                          T_DSDT };
    size_t rsdp = l->off[T_RSDP];

    for (size_t i = 0; i < sizeof(sdts) / sizeof(sdts[0]); i++)
        fix_checksum(b, l->off[sdts[i]], l->len[sdts[i]],
                     l->off[sdts[i]] + SDT_CHECKSUM_OFF);
    fix_checksum(b, rsdp, RSDP_V1_LEN, rsdp + 8);
    fix_checksum(b, rsdp, RSDP_LEN, rsdp + 32);
}

static bool cfg_valid(const struct xkvm_acpi_cfg *cfg)
{
    if (cfg->nr_vcpus == 0 || cfg->nr_vcpus > XKVM_ACPI_MAX_VCPUS)
        return false;
    for (unsigned int i = 0; i < 4; i++) {
        uint8_t irq = cfg->pirq_route[i];

        if (irq == 0 || irq == 2 || irq > 15)
            return false;
    }
    return true;
}

int xkvm_acpi_build(const struct xkvm_acpi_cfg *cfg, uint8_t *buf, size_t len)
{
    struct blob b = { .buf = buf, .len = len };
    struct layout l = { { 0 } };

    if (!cfg || (!buf && len) || !cfg_valid(cfg))
        return -EINVAL;

    emit_rsdp(&b, &l);
    emit_facs(&b, &l);
    emit_sdt_list(&b, &l, T_RSDT);
    emit_sdt_list(&b, &l, T_XSDT);
    emit_fadt(&b, &l);
    emit_madt(&b, &l, cfg);
    emit_dsdt(&b, &l, cfg);
    if (b.overflow)
        return -ENOSPC;
    assert(b.pos <= XKVM_ACPI_MAX);
    link_tables(&b, &l);
    checksum_tables(&b, &l);
    return (int)b.pos;
}
