/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_ide.c - PIIX3 IDE: PCI identity, task-file semantics, IDENTIFY,
 * PIO reads/writes (16/32-bit data port, multi-sector, READ/WRITE
 * MULTIPLE, LBA28/LBA48/CHS), device control (nIEN, SRST, HOB), absent
 * devices and unplug, and the hostile cases of the PIO side (past the
 * end, zero counts, no DRQ, busy, unknown commands), driven through the
 * I/O address space as a guest would.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/unit/hw/ide_test_helpers.h"
#include "util/log.h"

#define P 0x1f0
#define CTL 0x3f6
#define S 0x170
#define SEED0 0x1234
#define SECTORS0 300

static struct ide_fixture F;
static struct ide_fixture *f = &F;

static void setup(void)
{
    log_set_level(LOG_LEVEL_ERR);
    ck_assert_int_eq(ide_fixture_setup(f, 1 << 20), 0);
    ck_assert_int_eq(ide_fixture_image(f, 0, SECTORS0, SEED0, false), 0);
}

static void teardown(void)
{
    ide_fixture_teardown(f);
    log_set_level(LOG_LEVEL_INFO);
}

static unsigned raises(unsigned irq)
{
    return irq_recorder_raises(&f->irqs, (int)irq);
}

static int level(unsigned irq)
{
    return irq_recorder_level(&f->irqs, (int)irq);
}

/* Read one 512-byte sector from the data port with 16-bit accesses. */
static void read_sector16(uint16_t port, uint8_t *buf)
{
    for (unsigned i = 0; i < 256; i++) {
        uint16_t w = t_inw(f, port);

        buf[2 * i] = (uint8_t)w;
        buf[2 * i + 1] = (uint8_t)(w >> 8);
    }
}

static void check_sector(const uint8_t *buf, uint32_t seed, uint64_t sector)
{
    for (unsigned i = 0; i < 512; i++) {
        ck_assert_msg(buf[i] == ide_pattern_byte(seed, sector, i),
                      "sector %llu byte %u", (unsigned long long)sector, i);
    }
}

START_TEST(pci_identity)
{
    PCIBus *bus = &f->bus;
    uint32_t sbdf = PCI_SBDF(0, 0, IDE_T_DEVFN);

    ck_assert_uint_eq(pci_bus_config_read(bus, sbdf, 0, 4), 0x70108086);
    ck_assert_uint_eq(pci_bus_config_read(bus, sbdf, PCI_STATUS, 2), 0x0280);
    pci_bus_config_write(bus, sbdf, PCI_STATUS, 0xffff, 2);   /* RO/W1C */
    ck_assert_uint_eq(pci_bus_config_read(bus, sbdf, PCI_STATUS, 2), 0x0280);
    ck_assert_uint_eq(pci_bus_config_read(bus, sbdf, 0x08, 4), 0x01018000);
    ck_assert_uint_eq(pci_bus_config_read(bus, sbdf, 0x0e, 1), 0x00);
    ck_assert_uint_eq(pci_bus_config_read(bus, sbdf, 0x3d, 1), 0);
    /* BAR4: 16 bytes of I/O. */
    ck_assert_uint_eq(pci_bus_config_read(bus, sbdf, 0x20, 4),
                      IDE_T_BM_BASE | 1);
    pci_bus_config_write(bus, sbdf, 0x20, 0xffffffff, 4);
    ck_assert_uint_eq(pci_bus_config_read(bus, sbdf, 0x20, 4) & 0xffff,
                      0xfff1);
    pci_bus_config_write(bus, sbdf, 0x20, IDE_T_BM_BASE, 4);
    /* Other BARs unimplemented. */
    ck_assert_uint_eq(pci_bus_config_read(bus, sbdf, 0x10, 4), 0);
    /* IDE timing registers are read-write (hvmloader enables decode). */
    pci_bus_config_write(bus, sbdf, 0x40, 0x8000, 2);
    ck_assert_uint_eq(pci_bus_config_read(bus, sbdf, 0x40, 2), 0x8000);
    /* BAR4 decodes: the PRD register holds a value. */
    t_outl(f, IDE_T_BM_BASE + 4, 0x12345677);
    ck_assert_uint_eq(t_inl(f, IDE_T_BM_BASE + 4), 0x12345674);
}
END_TEST

START_TEST(identify_device)
{
    uint8_t buf[512];
    uint16_t w[256];
    uint8_t sum = 0;
    char model[41];

    ck_assert_uint_eq(t_inb(f, P + 7), 0x50);       /* DRDY | DSC */
    t_outb(f, P + 6, 0xa0);
    t_outb(f, P + 7, 0xec);
    ck_assert_uint_eq(level(14), 1);
    ck_assert_uint_eq(t_inb(f, CTL), 0x58);          /* alt: no ack */
    ck_assert_uint_eq(level(14), 1);
    ck_assert_uint_eq(t_inb(f, P + 7), 0x58);        /* DRQ; ack */
    ck_assert_uint_eq(level(14), 0);
    ck_assert_uint_eq(t_inb(f, IDE_T_BM_BASE + 2) & 4, 4);
    read_sector16(P, buf);
    ck_assert_uint_eq(t_inb(f, P + 7), 0x50);        /* DRQ clear */
    ck_assert_uint_eq(t_inw(f, P), 0xffff);          /* no DRQ */
    for (unsigned i = 0; i < 256; i++) {
        w[i] = (uint16_t)(buf[2 * i] | buf[2 * i + 1] << 8);
    }
    for (unsigned i = 0; i < 512; i++) {
        sum = (uint8_t)(sum + buf[i]);
    }
    ck_assert_uint_eq(sum, 0);
    ck_assert_uint_eq(w[255] & 0xff, 0xa5);
    ck_assert_uint_eq(w[0], 0x0040);
    for (unsigned i = 0; i < 20; i++) {
        model[2 * i] = (char)(w[27 + i] >> 8);
        model[2 * i + 1] = (char)w[27 + i];
    }
    model[40] = 0;
    ck_assert_str_eq(model, "XENDM HARDDISK                          ");
    ck_assert_uint_eq(w[10] >> 8, 'X');               /* serial */
    ck_assert_uint_eq(w[23] >> 8, '0');               /* firmware "0.1." */
    ck_assert_uint_eq(w[60] | (uint32_t)w[61] << 16, SECTORS0);
    ck_assert_uint_eq(w[100] | (uint64_t)w[101] << 16, SECTORS0);
    ck_assert_uint_eq(w[102] | w[103], 0);
    ck_assert_uint_eq(w[49] & 0x0300, 0x0300);        /* LBA, DMA */
    ck_assert_uint_eq(w[83] & 0x0400, 0x0400);        /* LBA48 */
    ck_assert_uint_eq(w[86] & 0x0400, 0x0400);
    ck_assert_uint_eq(w[63] & 0x07, 0x07);            /* MWDMA 0-2 */
    ck_assert_uint_eq(w[88] & 0x3f, 0x3f);            /* UDMA 0-5 */
    ck_assert_uint_eq(w[80], 0x00f0);
    ck_assert_uint_eq(w[47], 0x8010);
    ck_assert_uint_eq(w[53] & 7, 7);

    /* SET FEATURES: UDMA mode 2, then MWDMA 1; invalid mode aborts. */
    t_outb(f, P + 1, 0x03);
    t_outb(f, P + 2, 0x42);
    t_outb(f, P + 7, 0xef);
    ck_assert_uint_eq(t_inb(f, P + 7), 0x50);
    t_outb(f, P + 7, 0xec);
    read_sector16(P, buf);
    ck_assert_uint_eq(buf[2 * 88 + 1], 0x04);         /* word 88 bit 10 */
    ck_assert_uint_eq(buf[2 * 63 + 1], 0x00);
    t_outb(f, P + 2, 0x21);
    t_outb(f, P + 7, 0xef);
    t_outb(f, P + 7, 0xec);
    read_sector16(P, buf);
    ck_assert_uint_eq(buf[2 * 63 + 1], 0x02);
    ck_assert_uint_eq(buf[2 * 88 + 1], 0x00);
    t_outb(f, P + 2, 0x47);
    t_outb(f, P + 7, 0xef);
    ck_assert_uint_eq(t_inb(f, P + 7), 0x51);
    ck_assert_uint_eq(t_inb(f, P + 1), 0x04);
}
END_TEST

START_TEST(pio_read_sectors_16_and_32)
{
    uint8_t buf[512];
    unsigned r0 = raises(14);

    t_issue28(f, 0, 0, 0x20, 5, 3);
    for (unsigned s = 0; s < 3; s++) {
        ck_assert_uint_eq(raises(14), r0 + s + 1);    /* one per sector */
        ck_assert_uint_eq(t_inb(f, P + 7), 0x58);
        if (s == 1) {
            for (unsigned i = 0; i < 128; i++) {
                uint32_t l = t_inl(f, P);

                memcpy(buf + 4 * i, &l, 4);
            }
        } else {
            read_sector16(P, buf);
        }
        check_sector(buf, SEED0, 5 + s);
    }
    ck_assert_uint_eq(t_inb(f, P + 7), 0x50);
    ck_assert_uint_eq(raises(14), r0 + 3);
    /* Byte and unaligned accesses of the registers. */
    t_outb(f, P + 2, 0x55);
    t_outb(f, P + 3, 0xaa);
    ck_assert_uint_eq(t_inw(f, P + 2), 0xaa55);
    ck_assert_uint_eq(t_inl(f, P + 4) >> 24, 0x50);   /* status in byte 3 */
}
END_TEST

START_TEST(pio_write_sectors_and_readback)
{
    uint8_t buf[1024], back[1024];
    unsigned r0 = raises(14);
    int fd;

    for (unsigned i = 0; i < sizeof(buf); i++) {
        buf[i] = (uint8_t)(i * 7 + 3);
    }
    t_issue28(f, 0, 0, 0x30, 10, 2);
    ck_assert_uint_eq(t_inb(f, P + 7), 0x58);        /* DRQ, no IRQ yet */
    ck_assert_uint_eq(raises(14), r0);
    for (unsigned i = 0; i < 256; i++) {              /* sector 1: words */
        t_outw(f, P, (uint16_t)(buf[2 * i] | buf[2 * i + 1] << 8));
    }
    ck_assert_uint_eq(raises(14), r0 + 1);
    ck_assert_uint_eq(t_inb(f, P + 7), 0x58);
    for (unsigned i = 0; i < 128; i++) {              /* sector 2: dwords */
        uint32_t l;

        memcpy(&l, buf + 512 + 4 * i, 4);
        t_outl(f, P, l);
    }
    ck_assert_uint_eq(raises(14), r0 + 2);
    ck_assert_uint_eq(t_inb(f, P + 7), 0x50);
    t_outw(f, P, 0x1234);                              /* no DRQ: dropped */
    fd = open(f->img[0], O_RDONLY);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(pread(fd, back, 1024, 10 * 512), 1024);
    ck_assert_mem_eq(back, buf, 1024);
    ck_assert_int_eq(pread(fd, back, 512, 12 * 512), 512);
    check_sector(back, SEED0, 12);
    close(fd);
    /* And through the guest again. */
    t_issue28(f, 0, 0, 0x20, 11, 1);
    read_sector16(P, back);
    ck_assert_mem_eq(back, buf + 512, 512);
}
END_TEST

START_TEST(read_write_multiple)
{
    uint8_t buf[512];
    unsigned r0;

    t_outb(f, P + 7, 0xc4);                           /* mode off: abort */
    ck_assert_uint_eq(t_inb(f, P + 7), 0x51);
    ck_assert_uint_eq(t_inb(f, P + 1), 0x04);
    t_outb(f, P + 2, 3);                              /* not a power of 2 */
    t_outb(f, P + 7, 0xc6);
    ck_assert_uint_eq(t_inb(f, P + 7), 0x51);
    t_outb(f, P + 2, 32);                             /* too large */
    t_outb(f, P + 7, 0xc6);
    ck_assert_uint_eq(t_inb(f, P + 7), 0x51);
    t_outb(f, P + 2, 4);
    t_outb(f, P + 7, 0xc6);
    ck_assert_uint_eq(t_inb(f, P + 7), 0x50);
    r0 = raises(14);
    t_issue28(f, 0, 0, 0xc4, 20, 10);                 /* blocks 4, 4, 2 */
    for (unsigned s = 0; s < 10; s++) {
        if (s % 4 == 0) {
            ck_assert_uint_eq(raises(14), r0 + s / 4 + 1);
            t_inb(f, P + 7);
        }
        read_sector16(P, buf);
        check_sector(buf, SEED0, 20 + s);
    }
    ck_assert_uint_eq(raises(14), r0 + 3);
    ck_assert_uint_eq(t_inb(f, P + 7), 0x50);
    /* LBA48 READ MULTIPLE EXT from 100. */
    t_issue48(f, 0, 0, 0x29, 100, 5);
    for (unsigned s = 0; s < 5; s++) {
        read_sector16(P, buf);
        check_sector(buf, SEED0, 100 + s);
    }
    ck_assert_uint_eq(t_inb(f, P + 7), 0x50);
    /* WRITE MULTIPLE: one IRQ per block + at the end. */
    r0 = raises(14);
    t_issue28(f, 0, 0, 0xc5, 40, 6);
    for (unsigned i = 0; i < 6 * 256; i++) {
        t_outw(f, P, (uint16_t)i);
        if (i == 4 * 256 - 1) {
            ck_assert_uint_eq(raises(14), r0 + 1);
            ck_assert_uint_eq(t_inb(f, P + 7), 0x58);   /* ack */
        }
    }
    ck_assert_uint_eq(raises(14), r0 + 2);
    t_issue28(f, 0, 0, 0x20, 45, 1);
    read_sector16(P, buf);
    ck_assert_uint_eq(buf[0] | buf[1] << 8, 5 * 256);
}
END_TEST

START_TEST(lba48_and_hob)
{
    uint8_t buf[512];

    t_issue48(f, 0, 0, 0x24, 0x12a, 2);
    for (unsigned s = 0; s < 2; s++) {
        read_sector16(P, buf);
        check_sector(buf, SEED0, 0x12a + s);
    }
    /* HOB reads the previous value of each register. */
    t_outb(f, P + 2, 0x11);
    t_outb(f, P + 2, 0x22);
    t_outb(f, P + 5, 0x33);
    t_outb(f, P + 5, 0x44);
    ck_assert_uint_eq(t_inb(f, P + 2), 0x22);
    t_outb(f, CTL, 0x80);
    ck_assert_uint_eq(t_inb(f, P + 2), 0x11);
    ck_assert_uint_eq(t_inb(f, P + 5), 0x33);
    t_outb(f, P + 3, 0);                              /* clears HOB */
    ck_assert_uint_eq(t_inb(f, P + 2), 0x22);
    t_outb(f, CTL, 0x00);
    /* High LBA bits beyond the disk: IDNF. */
    t_issue48(f, 0, 0, 0x24, 1ull << 32, 1);
    ck_assert_uint_eq(t_inb(f, P + 7), 0x51);
    ck_assert_uint_eq(t_inb(f, P + 1), 0x10);
    /* READ NATIVE MAX ADDRESS (EXT). */
    t_outb(f, P + 6, 0x40);
    t_outb(f, P + 7, 0x27);
    ck_assert_uint_eq(t_inb(f, P + 3) | t_inb(f, P + 4) << 8, SECTORS0 - 1);
}
END_TEST

START_TEST(chs_addressing)
{
    uint8_t buf[512];

    /* C/H/S 0/1/1 = LBA 63 with the default 16 x 63 geometry. */
    t_outb(f, P + 6, 0xa1);
    t_outb(f, P + 2, 1);
    t_outb(f, P + 3, 1);
    t_outb(f, P + 4, 0);
    t_outb(f, P + 5, 0);
    t_outb(f, P + 7, 0x20);
    read_sector16(P, buf);
    check_sector(buf, SEED0, 63);
    /* Sector 0 does not exist. */
    t_outb(f, P + 3, 0);
    t_outb(f, P + 7, 0x20);
    ck_assert_uint_eq(t_inb(f, P + 7), 0x51);
    ck_assert_uint_eq(t_inb(f, P + 1), 0x10);
}
END_TEST

START_TEST(zero_count_and_past_end)
{
    uint8_t buf[512];
    unsigned r0 = raises(14);

    /* Count 0 = 256 sectors. */
    t_issue28(f, 0, 0, 0x20, 0, 0);
    for (unsigned s = 0; s < 256; s++) {
        ck_assert_uint_eq(t_inb(f, P + 7), 0x58);
        read_sector16(P, buf);
        if (s == 0 || s == 255) {
            check_sector(buf, SEED0, s);
        }
    }
    ck_assert_uint_eq(raises(14), r0 + 256);
    ck_assert_uint_eq(t_inb(f, P + 7), 0x50);
    /* No DRQ: all-ones, never past the buffer. */
    for (unsigned i = 0; i < 5000; i++) {
        ck_assert_uint_eq(t_inl(f, P), 0xffffffff);
    }
    /* Count 0 at 50 = 256 sectors past the end of a 300-sector disk. */
    t_issue28(f, 0, 0, 0x20, 50, 0);
    ck_assert_uint_eq(t_inb(f, P + 7), 0x51);
    ck_assert_uint_eq(t_inb(f, P + 1), 0x10);
    ck_assert_uint_eq(t_inw(f, P), 0xffff);
    /* LBA48 count 0 = 65536: past the end as well. */
    t_issue48(f, 0, 0, 0x24, 0, 0);
    ck_assert_uint_eq(t_inb(f, P + 7), 0x51);
    ck_assert_uint_eq(t_inb(f, P + 1), 0x10);
    /* Straddling the end by one sector; and the last sector is fine. */
    t_issue28(f, 0, 0, 0x20, SECTORS0 - 1, 2);
    ck_assert_uint_eq(t_inb(f, P + 7), 0x51);
    t_issue28(f, 0, 0, 0x30, SECTORS0, 1);
    ck_assert_uint_eq(t_inb(f, P + 7), 0x51);
    ck_assert_uint_eq(t_inb(f, P + 1), 0x10);
    t_issue28(f, 0, 0, 0x20, SECTORS0 - 1, 1);
    ck_assert_uint_eq(t_inb(f, P + 7), 0x58);
    read_sector16(P, buf);
    check_sector(buf, SEED0, SECTORS0 - 1);
    /* READ VERIFY past the end. */
    t_issue28(f, 0, 0, 0x40, SECTORS0, 1);
    ck_assert_uint_eq(t_inb(f, P + 7), 0x51);
}
END_TEST

START_TEST(unknown_commands_abort)
{
    static const uint8_t cmds[] = { 0x00, 0xa0, 0xa1, 0xb0, 0xff, 0x01,
                                    0xf1, 0x5c };
    for (unsigned i = 0; i < sizeof(cmds); i++) {
        unsigned r0 = raises(14);

        t_outb(f, P + 7, cmds[i]);
        ck_assert_uint_eq(raises(14), r0 + 1);
        ck_assert_uint_eq(t_inb(f, P + 7), 0x51);
        ck_assert_uint_eq(t_inb(f, P + 1), 0x04);
    }
    /* Simple commands that succeed. */
    t_outb(f, P + 7, 0xe5);                           /* CHECK POWER MODE */
    ck_assert_uint_eq(t_inb(f, P + 7), 0x50);
    ck_assert_uint_eq(t_inb(f, P + 2), 0xff);
    t_outb(f, P + 7, 0x10);                           /* RECALIBRATE */
    ck_assert_uint_eq(t_inb(f, P + 7), 0x50);
    /* Every command byte: never crashes, always leaves BSY clear or a job. */
    for (unsigned c = 0; c < 256; c++) {
        t_outb(f, P + 7, (uint8_t)c);
        piix3_ide_wait_idle(f->ide);
        if (t_inb(f, CTL) & 0x80) {                   /* DMA waiting */
            t_outb(f, CTL, 0x04);
            t_outb(f, CTL, 0x00);
        }
        while (t_inb(f, CTL) & 0x08) {                /* drain PIO */
            t_outw(f, P, 0);
            t_inw(f, P);
        }
        ck_assert_uint_eq(t_inb(f, CTL) & 0x80, 0);
    }
}
END_TEST

START_TEST(srst_busy_and_diagnostic)
{
    /* SRST: BSY while held, commands and register writes ignored. */
    t_outb(f, P + 2, 0x77);
    t_outb(f, CTL, 0x04);
    ck_assert_uint_eq(t_inb(f, P + 7), 0x80);
    t_outb(f, P + 7, 0xec);
    t_outb(f, P + 2, 0x12);
    ck_assert_uint_eq(t_inb(f, CTL), 0x80);
    t_outb(f, CTL, 0x00);
    ck_assert_uint_eq(t_inb(f, P + 7), 0x50);
    ck_assert_uint_eq(t_inb(f, P + 1), 0x01);
    ck_assert_uint_eq(t_inb(f, P + 2), 0x01);         /* signature */
    ck_assert_uint_eq(t_inb(f, P + 3), 0x01);
    ck_assert_uint_eq(t_inb(f, P + 4), 0x00);
    ck_assert_uint_eq(t_inb(f, P + 5), 0x00);
    ck_assert_uint_eq(t_inw(f, P), 0xffff);           /* IDENTIFY dropped */
    /* SRST during a PIO read ends it. */
    t_issue28(f, 0, 0, 0x20, 0, 4);
    ck_assert_uint_eq(t_inb(f, P + 7), 0x58);
    t_outb(f, CTL, 0x04);
    t_outb(f, CTL, 0x00);
    ck_assert_uint_eq(t_inb(f, P + 7), 0x50);
    ck_assert_uint_eq(t_inw(f, P), 0xffff);
    /* EXECUTE DEVICE DIAGNOSTIC. */
    t_outb(f, P + 2, 0x99);
    t_outb(f, P + 7, 0x90);
    ck_assert_uint_eq(level(14), 1);
    ck_assert_uint_eq(t_inb(f, P + 7), 0x50);
    ck_assert_uint_eq(t_inb(f, P + 1), 0x01);
    ck_assert_uint_eq(t_inb(f, P + 2), 0x01);
}
END_TEST

START_TEST(nien_masks_the_line)
{
    t_outb(f, CTL, 0x02);
    t_outb(f, P + 7, 0xec);
    ck_assert_uint_eq(level(14), 0);
    ck_assert_uint_eq(t_inb(f, IDE_T_BM_BASE + 2) & 4, 0);
    t_outb(f, CTL, 0x00);                             /* pending shows */
    ck_assert_uint_eq(level(14), 1);
    ck_assert_uint_eq(t_inb(f, IDE_T_BM_BASE + 2) & 4, 4);
    ck_assert_uint_eq(t_inb(f, P + 7), 0x58);
    ck_assert_uint_eq(level(14), 0);
    ck_assert_uint_eq(level(15), 0);
}
END_TEST

START_TEST(absent_devices_and_selection)
{
    /* Secondary channel: nothing attached. */
    ck_assert_uint_eq(t_inb(f, S + 7), 0x00);
    ck_assert_uint_eq(t_inb(f, 0x376), 0x00);
    t_outb(f, S + 2, 0x55);
    ck_assert_uint_eq(t_inb(f, S + 2), 0x00);
    t_outb(f, S + 7, 0xec);
    ck_assert_uint_eq(t_inb(f, S + 7), 0x00);
    ck_assert_uint_eq(t_inw(f, S), 0xffff);
    ck_assert_uint_eq(raises(15), 0);
    /* Primary slave absent: status 0, the master answers the rest. */
    t_outb(f, P + 6, 0xb0);
    ck_assert_uint_eq(t_inb(f, P + 7), 0x00);
    ck_assert_uint_eq(t_inb(f, CTL), 0x00);
    t_outb(f, P + 2, 0x55);
    ck_assert_uint_eq(t_inb(f, P + 2), 0x55);
    t_outb(f, P + 7, 0xec);                           /* ignored */
    ck_assert_uint_eq(t_inw(f, P), 0xffff);
    t_outb(f, P + 6, 0xa0);
    ck_assert_uint_eq(t_inb(f, P + 7), 0x50);
    ck_assert_uint_eq(t_inb(f, P + 2), 0x55);
    /* 0x3f7 is not ours. */
    ck_assert_uint_eq(t_inb(f, 0x3f7), 0xff);
}
END_TEST

START_TEST(unplug_disks)
{
    uint8_t buf[512];

    ck_assert_int_eq(ide_fixture_image(f, 1, 16, 0x11, false), 0);
    ck_assert_int_eq(ide_fixture_image(f, 2, 16, 0x22, false), 0);
    ck_assert_int_eq(ide_fixture_image(f, 3, 16, 0x33, false), 0);
    ck_assert_int_eq(piix3_ide_attach_drive(f->ide, 3, f->img[3], false),
                     -EBUSY);
    ck_assert_int_eq(piix3_ide_attach_drive(f->ide, 4, f->img[3], false),
                     -EINVAL);
    ck_assert_int_eq(piix3_ide_attach_drive(f->ide, 0, "/nonexistent/x",
                                            false), -ENOENT);
    t_issue28(f, 1, 1, 0x20, 3, 1);                   /* secondary slave */
    read_sector16(S, buf);
    check_sector(buf, 0x33, 3);
    t_outb(f, S + 6, 0xa0);
    ck_assert_uint_eq(t_inb(f, S + 7), 0x50);

    /* Bit 2: all but the primary master. */
    piix3_ide_unplug_disks(f->ide, true);
    ck_assert(piix3_ide_has_drive(f->ide, 0));
    for (unsigned i = 1; i < 4; i++) {
        ck_assert(!piix3_ide_has_drive(f->ide, i));
    }
    ck_assert_uint_eq(t_inb(f, S + 7), 0x00);
    t_outb(f, S + 2, 0x55);
    ck_assert_uint_eq(t_inb(f, S + 2), 0x00);
    t_outb(f, P + 6, 0xb0);
    ck_assert_uint_eq(t_inb(f, P + 7), 0x00);
    t_outb(f, P + 7, 0xec);
    ck_assert_uint_eq(t_inw(f, P), 0xffff);
    t_issue28(f, 0, 0, 0x20, 7, 1);
    read_sector16(P, buf);
    check_sector(buf, SEED0, 7);
    /* Bit 0: all IDE disks (through the xen-platform callback form). */
    piix3_ide_unplug_disks_cb(f->ide, false);
    ck_assert(!piix3_ide_has_drive(f->ide, 0));
    ck_assert_uint_eq(t_inb(f, P + 7), 0x00);
    t_issue28(f, 0, 0, 0x20, 7, 1);
    ck_assert_uint_eq(t_inw(f, P), 0xffff);
    ck_assert_uint_eq(t_inb(f, P + 7), 0x00);
}
END_TEST

START_TEST(read_only_and_flush)
{
    unsigned r0;

    ck_assert_int_eq(ide_fixture_image(f, 1, 8, 0x5, true), 0);
    t_issue28(f, 0, 1, 0x30, 0, 1);
    ck_assert_uint_eq(t_inb(f, P + 7), 0x51);
    ck_assert_uint_eq(t_inb(f, P + 1), 0x04);
    t_issue28(f, 0, 1, 0xca, 0, 1);                   /* WRITE DMA too */
    ck_assert_uint_eq(t_inb(f, P + 7), 0x51);
    /* FLUSH CACHE runs on the worker; completion raises the IRQ. */
    r0 = raises(14);
    t_outb(f, P + 6, 0xa0);
    t_outb(f, P + 7, 0xe7);
    piix3_ide_wait_idle(f->ide);
    ck_assert_uint_eq(raises(14), r0 + 1);
    ck_assert_uint_eq(t_inb(f, P + 7), 0x50);
    t_outb(f, P + 6, 0x40);
    t_outb(f, P + 7, 0xea);
    piix3_ide_wait_idle(f->ide);
    ck_assert_uint_eq(t_inb(f, P + 7), 0x50);
    /* Write cache off: writes are written through. */
    t_outb(f, P + 1, 0x82);
    t_outb(f, P + 7, 0xef);
    ck_assert_uint_eq(t_inb(f, P + 7), 0x50);
    t_issue28(f, 0, 0, 0x30, 1, 1);
    for (unsigned i = 0; i < 256; i++) {
        t_outw(f, P, 0xbeef);
    }
    ck_assert_uint_eq(t_inb(f, P + 7), 0x50);
}
END_TEST

START_TEST(pci_reset_and_free_with_state)
{
    /* A PIO read left half done, then a PCI reset. */
    t_issue28(f, 0, 0, 0x20, 0, 2);
    t_inw(f, P);
    pci_device_reset(piix3_ide_pci(f->ide));
    ck_assert_uint_eq(t_inw(f, P), 0xffff);
    ck_assert_uint_eq(pci_bus_config_read(&f->bus, PCI_SBDF(0, 0, IDE_T_DEVFN),
                                          PCI_STATUS, 2), 0x0280);
    ck_assert_uint_eq(level(14), 0);
    /* BAR unmapped by the reset: BM registers gone from 0xc000. */
    ck_assert_uint_eq(t_inb(f, IDE_T_BM_BASE), 0xff);
    /* Leave a command in flight for teardown. */
    t_issue28(f, 0, 0, 0x20, 0, 2);
}
END_TEST

START_TEST(drive_option_parsing)
{
    struct ide_drive_opts o;

    ck_assert_int_eq(ide_drive_opts_parse(
        "file=/var/lib/xen/a,,b.img,if=ide,index=2,media=disk,format=raw,"
        "cache=writeback", &o), 0);
    ck_assert_str_eq(o.file, "/var/lib/xen/a,b.img");
    ck_assert_int_eq(o.index, 2);
    ck_assert(!o.read_only);
    ide_drive_opts_free(&o);
    ck_assert_int_eq(ide_drive_opts_parse(
        "if=ide,index=0,file=x,readonly=on", &o), 0);
    ck_assert(o.read_only);
    ide_drive_opts_free(&o);
    ck_assert_int_eq(ide_drive_opts_parse(
        "file=x,if=ide,index=4", &o), -EINVAL);
    ck_assert_int_eq(ide_drive_opts_parse(
        "file=x,if=ide,index=", &o), -EINVAL);
    ck_assert_int_eq(ide_drive_opts_parse("file=x,if=ide", &o), -EINVAL);
    ck_assert_int_eq(ide_drive_opts_parse("file=x,index=1", &o), -EINVAL);
    ck_assert_int_eq(ide_drive_opts_parse(
        "file=x,if=scsi,index=1", &o), -ENOTSUP);
    ck_assert_int_eq(ide_drive_opts_parse(
        "file=x,if=ide,index=1,media=cdrom", &o), -ENOTSUP);
    ck_assert_int_eq(ide_drive_opts_parse(
        "file=x,if=ide,index=1,format=qcow2", &o), -ENOTSUP);
    ck_assert_int_eq(ide_drive_opts_parse(
        "file=x,if=ide,index=1,bogus=1", &o), -EINVAL);
    ck_assert_int_eq(ide_drive_opts_parse(
        "file=x,if=ide,index=1,readonly=maybe", &o), -EINVAL);
    ck_assert_int_eq(ide_drive_opts_parse("file=x,if=ide,index=1,junk", &o),
                     -EINVAL);
    ck_assert_int_eq(ide_drive_opts_parse("", &o), -EINVAL);
    ck_assert_ptr_null(o.file);
}
END_TEST

START_TEST(drive_open_errors)
{
    IdeDrive *d;
    char path[] = "/tmp/ide-small-XXXXXX";
    int fd = mkstemp(path);

    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, "abc", 3), 3);         /* < one sector */
    close(fd);
    ck_assert_int_eq(ide_drive_open(path, false, &d), -EINVAL);
    ck_assert_ptr_null(d);
    ck_assert_int_eq(ide_drive_open("/dev/null", false, &d), -EINVAL);
    ck_assert_int_eq(ide_drive_open("/tmp", true, &d), -EINVAL);
    ck_assert_int_eq(truncate(path, 1000), 0);        /* 1 sector + tail */
    ck_assert_int_eq(ide_drive_open(path, true, &d), 0);
    ck_assert_uint_eq(ide_drive_sectors(d), 1);
    ide_drive_close(d);
    unlink(path);
}
END_TEST

static Suite *ide_suite(void)
{
    Suite *s = suite_create("ide");
    TCase *tc = tcase_create("pio");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, pci_identity);
    tcase_add_test(tc, identify_device);
    tcase_add_test(tc, pio_read_sectors_16_and_32);
    tcase_add_test(tc, pio_write_sectors_and_readback);
    tcase_add_test(tc, read_write_multiple);
    tcase_add_test(tc, lba48_and_hob);
    tcase_add_test(tc, chs_addressing);
    tcase_add_test(tc, zero_count_and_past_end);
    tcase_add_test(tc, unknown_commands_abort);
    tcase_add_test(tc, srst_busy_and_diagnostic);
    tcase_add_test(tc, nien_masks_the_line);
    tcase_add_test(tc, absent_devices_and_selection);
    tcase_add_test(tc, unplug_disks);
    tcase_add_test(tc, read_only_and_flush);
    tcase_add_test(tc, pci_reset_and_free_with_state);
    suite_add_tcase(s, tc);
    tc = tcase_create("opts");
    tcase_add_test(tc, drive_option_parsing);
    tcase_add_test(tc, drive_open_errors);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(ide_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
