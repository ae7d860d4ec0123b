/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * acpi.h - the ACPI tables xensim's KVM bed hands a directly booted Linux
 * guest: RSDP, RSDT, XSDT, FADT, FACS, MADT and a small DSDT (\_S5 and the
 * PCI root bridge \_SB.PCI0 with a static _PRT and a _CRS).
 *
 * The tables describe the Xen HVM guest's fixed platform: the PIIX4 PM1a
 * block at 0xb000 (PM timer at 0xb008, GPE0 at 0xafe0, Xen's "V1" layout of
 * xen/include/public/hvm/ioreq.h), SCI on IRQ 9, reset through the PIIX3
 * reset control register 0xcf9, the local APICs at 0xfee00000 and one
 * 24-pin IOAPIC at 0xfec00000 with GSI base 0.
 *
 * The result is one self-contained blob whose internal pointers are
 * guest-physical addresses, valid once the blob is copied to guest RAM at
 * XKVM_ACPI_BASE. Pure computation: no allocation, no globals, safe to call
 * from any thread.
 */
#ifndef XENDM_STUBS_KVM_ACPI_H
#define XENDM_STUBS_KVM_ACPI_H

#include <stddef.h>
#include <stdint.h>

/** XKVM_ACPI_BASE - guest-physical address the blob is copied to (RSDP first). */
#define XKVM_ACPI_BASE 0xe0000u
/** XKVM_ACPI_MAX - the blob never exceeds this many bytes. */
#define XKVM_ACPI_MAX  0x10000u

/** XKVM_ACPI_MAX_VCPUS - largest nr_vcpus xkvm_acpi_build() accepts. */
#define XKVM_ACPI_MAX_VCPUS 64u

/**
 * struct xkvm_acpi_cfg - what the tables describe.
 * @nr_vcpus: number of vCPUs, 1..XKVM_ACPI_MAX_VCPUS; LAPIC ids are
 *            0..nr_vcpus-1 and the ACPI processor UIDs the same. The IOAPIC
 *            gets id nr_vcpus.
 * @pirq_route: ISA IRQ of PCI interrupt links A..D, i.e. what firmware
 *              programmed into the PIIX3 PIRQ route registers 0x60-0x63
 *              (e.g. 5, 10, 11, 5). Each must be 1..15 and not 2 (ISA IRQ 0,
 *              the PIT, is overridden onto GSI 2). The _PRT routes slot S
 *              pin P (0 = INTA) to GSI pirq_route[(S + P) & 3], and every
 *              distinct route gets a level-triggered, active-low interrupt
 *              source override in the MADT.
 *
 * Owned by the caller; only read by xkvm_acpi_build().
 */
struct xkvm_acpi_cfg {
    unsigned int nr_vcpus;
    uint8_t pirq_route[4];
};

/**
 * xkvm_acpi_build() - build RSDP, XSDT, RSDT, FADT, FACS, DSDT, MADT.
 * @cfg: the configuration (see struct xkvm_acpi_cfg).
 * @buf: output buffer of @len bytes (XKVM_ACPI_MAX is always enough). The
 *       RSDP is at offset 0; every table address inside the blob is
 *       XKVM_ACPI_BASE + the table's offset in @buf. Nothing is written at
 *       or beyond @buf + @len, whatever the outcome; on failure the
 *       contents of @buf are unspecified.
 * @len: size of @buf in bytes.
 *
 * Deterministic: the same @cfg always gives the same bytes. Does not
 * allocate; may be called from any thread.
 *
 * Return: the number of bytes used (> 0), -EINVAL for a NULL @cfg, a NULL
 * @buf with a non-zero @len, nr_vcpus 0 or above XKVM_ACPI_MAX_VCPUS, or a
 * route of 0, 2 or above 15; -ENOSPC if @len is too small.
 */
int xkvm_acpi_build(const struct xkvm_acpi_cfg *cfg, uint8_t *buf, size_t len)
    __attribute__((warn_unused_result));

#endif
