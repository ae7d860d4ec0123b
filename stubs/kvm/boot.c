/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * boot.c - direct Linux boot (the x86 boot protocol, 32-bit entry) on a
 * xensim KVM domain, in place of Xen's domain builder + hvmloader.
 *
 * Guest-physical layout:
 *   0x00500  GDT (flat code 0x10, data 0x18: __BOOT_CS/__BOOT_DS)
 *   0x07000  zero page (struct boot_params), e820 inside it
 *   0x20000  kernel command line
 *   0xe0000  ACPI tables (acpi.c), RSDP first; e820-reserved with
 *            0x9f000-0x100000
 *   0x100000 the protected-mode kernel (code32_start)
 *   top of low RAM (below initrd_addr_max and the reserved top window):
 *            the initramfs, page-aligned
 * The e820 map is the HVM layout of the domain as xensim populated it:
 * RAM [0, 0x9f000), [1 MiB, lowmem_end - reserve), [4 GiB, highmem_end);
 * reserved 0x9f000-1 MiB and 0xfc000000-4 GiB (IOAPIC, LAPIC, Xen's
 * special pages); the PCI hole 0xf0000000-0xfc000000 holds the BARs.
 * The boot vCPU starts at code32_start in flat 32-bit protected mode,
 * paging and interrupts off, ESI = the zero page, as the protocol says.
 * The firmware step (firmware.c) runs first, through the device model.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "stubs/kvm/acpi.h"
#include "stubs/kvm/kvm.h"

#define GDT_GPA 0x500u
#define ZERO_PAGE_GPA 0x7000u
#define CMDLINE_GPA 0x20000u
#define CMDLINE_MAX 0x10000u
#define KERNEL_GPA 0x100000u
#define E820_MAX 128u

enum { E820_RAM = 1, E820_RESERVED = 2 };

static int read_file(const char *path, uint8_t **buf, size_t *len)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    size_t got = 0;

    if (fd < 0)
        return -errno;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= 0) {
        close(fd);
        return -EINVAL;
    }
    *buf = malloc((size_t)st.st_size);
    if (!*buf) {
        close(fd);
        return -ENOMEM;
    }
    while (got < (size_t)st.st_size) {
        ssize_t n = read(fd, *buf + got, (size_t)st.st_size - got);

        if (n <= 0) {
            free(*buf);
            close(fd);
            return n < 0 ? -errno : -EIO;
        }
        got += (size_t)n;
    }
    close(fd);
    *len = got;
    return 0;
}

static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }
static uint16_t get16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static uint32_t get32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }

static unsigned int e820_add(uint8_t *zp, unsigned int n, uint64_t start,
                             uint64_t end, uint32_t type)
{
    uint8_t *e = zp + 0x2d0 + n * 20;

    if (end <= start || n >= E820_MAX)
        return n;
    put64(e, start);
    put64(e + 8, end - start);
    put32(e + 16, type);
    return n + 1;
}

static int ram_put(struct xkvm *k, uint64_t gpa, const void *buf, size_t len,
                   const char *what)
{
    int rc = xsg_ram_write(k->g, gpa, buf, len);

    if (rc)
        log_err("xensim-kvm: cannot place the %s at 0x%llx (+%zu): %s", what,
                (unsigned long long)gpa, len, strerror(-rc));
    return rc;
}

static int setup_cpu(struct xkvm *k, uint32_t entry, uint32_t esi, uint32_t ebx)
{
    static const uint64_t gdt[4] = { 0, 0, 0x00cf9b000000ffffull,
                                     0x00cf93000000ffffull };
    struct xkvm_vcpu *v = &k->vcpus[0];
    struct kvm_sregs s;
    struct kvm_regs r;
    struct kvm_segment code = { .base = 0, .limit = 0xffffffffu, .selector = 0x10,
                                .type = 0xb, .present = 1, .dpl = 0, .db = 1,
                                .s = 1, .l = 0, .g = 1 };
    struct kvm_segment data = code;
    int rc = ram_put(k, GDT_GPA, gdt, sizeof(gdt), "GDT");

    if (rc)
        return rc;
    if (ioctl(v->fd, KVM_GET_SREGS, &s) < 0)
        return -errno;
    data.selector = 0x18;
    data.type = 0x3;
    s.cs = code;
    s.ds = s.es = s.fs = s.gs = s.ss = data;
    s.gdt.base = GDT_GPA;
    s.gdt.limit = sizeof(gdt) - 1;
    s.cr0 = (s.cr0 | 0x1) & ~0x80000000ull;
    s.cr4 = 0;
    s.efer = 0;
    if (ioctl(v->fd, KVM_SET_SREGS, &s) < 0)
        return -errno;
    memset(&r, 0, sizeof(r));
    r.rip = entry;
    r.rsi = esi;
    r.rbx = ebx;
    r.rflags = 0x2;
    if (ioctl(v->fd, KVM_SET_REGS, &r) < 0)
        return -errno;
    return 0;
}

static int place_acpi(struct xkvm *k, uint64_t *rsdp)
{
    struct xkvm_acpi_cfg cfg = { .nr_vcpus = k->nr_vcpus };
    uint8_t *blob = calloc(1, XKVM_ACPI_MAX);
    int n, rc;

    if (!blob)
        return -ENOMEM;
    memcpy(cfg.pirq_route, k->pirq_route, sizeof(cfg.pirq_route));
    n = xkvm_acpi_build(&cfg, blob, XKVM_ACPI_MAX);
    if (n < 0) {
        log_err("xensim-kvm: ACPI tables: %s", strerror(-n));
        free(blob);
        return n;
    }
    rc = ram_put(k, XKVM_ACPI_BASE, blob, (size_t)n, "ACPI tables");
    free(blob);
    *rsdp = XKVM_ACPI_BASE;
    return rc;
}

int xkvm_boot_linux(struct xkvm *k)
{
    uint8_t *kern = NULL, *initrd = NULL, *zp = NULL;
    size_t klen = 0, ilen = 0, setup_len, hdr_end, cl_len;
    uint64_t rsdp = 0, low_top, initrd_gpa = 0;
    uint32_t initrd_max, cl_max;
    uint16_t version;
    unsigned int setup_sects, n = 0;
    int rc;

    rc = read_file(k->opts.kernel, &kern, &klen);
    if (rc) {
        log_err("xensim-kvm: kernel %s: %s", k->opts.kernel, strerror(-rc));
        return rc;
    }
    if (klen < 0x1000 || get32(kern + 0x202) != 0x53726448u /* "HdrS" */ ||
        get16(kern + 0x1fe) != 0xaa55) {
        log_err("xensim-kvm: %s is not a bzImage (no boot protocol header)",
                k->opts.kernel);
        rc = -EINVAL;
        goto out;
    }
    version = get16(kern + 0x206);
    setup_sects = kern[0x1f1] ? kern[0x1f1] : 4;
    setup_len = (size_t)(setup_sects + 1) * 512;
    if (version < 0x020a || !(kern[0x211] & 1) || setup_len >= klen) {
        log_err("xensim-kvm: %s: boot protocol %u.%02u or layout not supported "
                "(need 2.10+, loaded high)", k->opts.kernel, version >> 8,
                version & 0xff);
        rc = -EINVAL;
        goto out;
    }
    if (k->opts.initrd) {
        rc = read_file(k->opts.initrd, &initrd, &ilen);
        if (rc) {
            log_err("xensim-kvm: initrd %s: %s", k->opts.initrd, strerror(-rc));
            goto out;
        }
    }
    rc = xkvm_firmware_pci(k);
    if (rc)
        goto out;
    rc = place_acpi(k, &rsdp);
    if (rc)
        goto out;

    zp = calloc(1, 4096);
    if (!zp) {
        rc = -ENOMEM;
        goto out;
    }
    hdr_end = 0x202 + kern[0x201];
    if (hdr_end > 0x1000 - 1)
        hdr_end = 0x1000 - 1;
    memcpy(zp + 0x1f1, kern + 0x1f1, hdr_end - 0x1f1);
    zp[0x210] = 0xff;                        /* type_of_loader: undefined */
    zp[0x211] = (uint8_t)((zp[0x211] | 0x80) & ~0x20); /* CAN_USE_HEAP, !QUIET */
    put16(zp + 0x224, 0xfe00 - 0x200);       /* heap_end_ptr */
    cl_max = get32(kern + 0x238);
    if (!cl_max || cl_max > CMDLINE_MAX - 1)
        cl_max = CMDLINE_MAX - 1;
    cl_len = strlen(k->opts.append ? k->opts.append : "");
    if (cl_len > cl_max) {
        log_err("xensim-kvm: command line of %zu bytes exceeds the kernel's %u",
                cl_len, cl_max);
        rc = -E2BIG;
        goto out;
    }
    rc = ram_put(k, CMDLINE_GPA, k->opts.append ? k->opts.append : "", cl_len + 1,
                 "command line");
    if (rc)
        goto out;
    put32(zp + 0x228, CMDLINE_GPA);
    put64(zp + 0x070, rsdp);                 /* acpi_rsdp_addr (2.14+) */

    low_top = k->lowmem_end;
    if ((uint64_t)k->opts.reserve_top_kb * 1024 + 16 * 1024 * 1024 >= low_top) {
        log_err("xensim-kvm: --reserve-top %u KiB leaves too little RAM",
                k->opts.reserve_top_kb);
        rc = -EINVAL;
        goto out;
    }
    low_top -= (uint64_t)k->opts.reserve_top_kb * 1024;
    n = e820_add(zp, n, 0, 0x9f000, E820_RAM);
    n = e820_add(zp, n, 0x9f000, 0x100000, E820_RESERVED);
    n = e820_add(zp, n, 0x100000, low_top, E820_RAM);
    n = e820_add(zp, n, low_top, k->lowmem_end, E820_RESERVED);
    n = e820_add(zp, n, 0xfc000000ull, 0x100000000ull, E820_RESERVED);
    n = e820_add(zp, n, 0x100000000ull, k->highmem_end, E820_RAM);
    zp[0x1e8] = (uint8_t)n;

    if (initrd) {
        initrd_max = get32(kern + 0x22c);
        if (!initrd_max)
            initrd_max = 0x37ffffff;
        initrd_gpa = (low_top < (uint64_t)initrd_max + 1 ? low_top
                                                         : (uint64_t)initrd_max + 1);
        if (ilen + 64 * 1024 * 1024 > initrd_gpa) {
            log_err("xensim-kvm: initrd of %zu bytes does not fit below 0x%llx "
                    "with the kernel", ilen, (unsigned long long)initrd_gpa);
            rc = -E2BIG;
            goto out;
        }
        initrd_gpa = (initrd_gpa - ilen) & ~0xfffull;
        rc = ram_put(k, initrd_gpa, initrd, ilen, "initrd");
        if (rc)
            goto out;
        put32(zp + 0x218, (uint32_t)initrd_gpa);
        put32(zp + 0x21c, (uint32_t)ilen);
    }
    rc = ram_put(k, KERNEL_GPA, kern + setup_len, klen - setup_len, "kernel");
    if (!rc)
        rc = ram_put(k, ZERO_PAGE_GPA, zp, 4096, "zero page");
    if (!rc)
        rc = setup_cpu(k, get32(zp + 0x214) ? get32(zp + 0x214) : KERNEL_GPA,
                       ZERO_PAGE_GPA, 0);
    if (!rc)
        log_info("xensim-kvm: Linux boot protocol %u.%02u, kernel %zu bytes at "
                 "0x%x, initrd %zu bytes at 0x%llx, %u e820 entries",
                 version >> 8, version & 0xff, klen - setup_len, KERNEL_GPA, ilen,
                 (unsigned long long)initrd_gpa, n);
out:
    free(kern);
    free(initrd);
    free(zp);
    return rc;
}

int xkvm_boot_flat(struct xkvm *k)
{
    uint8_t *img = NULL;
    size_t len = 0, cl_len = strlen(k->opts.append ? k->opts.append : "");
    uint64_t rsdp;
    int rc = read_file(k->opts.flat, &img, &len);

    if (rc) {
        log_err("xensim-kvm: flat image %s: %s", k->opts.flat, strerror(-rc));
        return rc;
    }
    if (len > 64u * 1024 * 1024 || KERNEL_GPA + len > k->lowmem_end ||
        cl_len >= CMDLINE_MAX) {
        log_err("xensim-kvm: flat image %s (%zu bytes) or its command line is "
                "too large", k->opts.flat, len);
        free(img);
        return -E2BIG;
    }
    rc = xkvm_firmware_pci(k);
    if (!rc)
        rc = place_acpi(k, &rsdp);
    if (!rc)
        rc = ram_put(k, CMDLINE_GPA, k->opts.append ? k->opts.append : "",
                     cl_len + 1, "command line");
    if (!rc)
        rc = ram_put(k, KERNEL_GPA, img, len, "flat image");
    if (!rc)
        rc = setup_cpu(k, KERNEL_GPA, 0, CMDLINE_GPA);
    free(img);
    return rc;
}
