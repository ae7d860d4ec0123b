/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_pci.c - the PCI core: configuration space masks (read-only,
 * read-write, write-1-to-clear), BAR sizing of every kind, decoding
 * toggles mapping/unmapping BARs (checked through address-space reads),
 * capabilities, INTx, reset, the extended/absent register rules, and
 * hostile configuration writes.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hw/pci.h"
#include "tests/unit/hw/hw_test_helpers.h"

/* A device with one BAR of each kind; every region reads tag | offset. */
typedef struct TestBar {
    MemoryRegion mr;
    uint32_t tag;
    uint64_t last_write;
    unsigned writes;
} TestBar;

typedef struct TestDev {
    PCIDevice pci;
    TestBar io;     /* BAR0: 32 bytes of I/O */
    TestBar mem;    /* BAR1: 4 KiB memory */
    TestBar pf;     /* BAR2: 16 MiB prefetchable */
    TestBar m64;    /* BAR3+4: 64-bit 1 MiB */
    unsigned resets;
} TestDev;

static uint64_t tbar_read(void *opaque, hwaddr addr, unsigned size)
{
    TestBar *b = opaque;

    return (b->tag | (uint32_t)addr) & (size >= 4 ? 0xffffffffu
                                                  : (1u << (8 * size)) - 1);
}

static void tbar_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    TestBar *b = opaque;

    b->last_write = val;
    b->writes++;
}

static const MemoryRegionOps tbar_ops = {
    .read = tbar_read,
    .write = tbar_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
    .impl = { .min_access_size = 1, .max_access_size = 4 },
};

static void tdev_reset(PCIDevice *d)
{
    TestDev *t = pci_device_opaque(d);

    t->resets++;
}

static const PCIDeviceInfo tdev_info = {
    .name = "testdev",
    .vendor_id = 0x1234,
    .device_id = 0x5678,
    .revision = 7,
    .class_id = 0x0200,
    .prog_if = 0x01,
    .subsystem_vendor_id = 0xaaaa,
    .subsystem_id = 0xbbbb,
    .interrupt_pin = 1,
    .reset = tdev_reset,
};

static void tbar_init(TestBar *b, MemorySystem *ms, const char *name,
                      uint64_t size, uint32_t tag)
{
    memset(b, 0, sizeof(*b));
    b->tag = tag;
    memory_region_init_io(&b->mr, ms, NULL, &tbar_ops, b, name, size);
}

static void tdev_create(TestDev *t, HwRig *r, uint8_t devfn)
{
    memset(t, 0, sizeof(*t));
    tbar_init(&t->io, r->ms, "t-io", 32, 0xa000);
    tbar_init(&t->mem, r->ms, "t-mem", 4096, 0xb0000000);
    tbar_init(&t->pf, r->ms, "t-pf", 16 << 20, 0xc0000000);
    tbar_init(&t->m64, r->ms, "t-m64", 1 << 20, 0xd0000000);
    ck_assert_int_eq(pci_device_init(&t->pci, &r->bus, devfn, &tdev_info, t), 0);
    ck_assert_int_eq(pci_register_bar(&t->pci, 0, PCI_BASE_ADDRESS_SPACE_IO,
                                      &t->io.mr), 0);
    ck_assert_int_eq(pci_register_bar(&t->pci, 1, 0, &t->mem.mr), 0);
    ck_assert_int_eq(pci_register_bar(&t->pci, 2,
                                      PCI_BASE_ADDRESS_MEM_PREFETCH,
                                      &t->pf.mr), 0);
    ck_assert_int_eq(pci_register_bar(&t->pci, 3,
                                      PCI_BASE_ADDRESS_MEM_TYPE_64 |
                                          PCI_BASE_ADDRESS_MEM_PREFETCH,
                                      &t->m64.mr), 0);
}

static void tdev_destroy(TestDev *t)
{
    pci_device_exit(&t->pci);
    memory_region_finalize(&t->io.mr);
    memory_region_finalize(&t->mem.mr);
    memory_region_finalize(&t->pf.mr);
    memory_region_finalize(&t->m64.mr);
}

#define DEVFN PCI_DEVFN(3, 0)
#define SBDF PCI_SBDF(0, 0, DEVFN)

static HwRig rig;
static TestDev tdev;

static void setup(void)
{
    hw_quiet_logs();
    hw_rig_init(&rig);
    tdev_create(&tdev, &rig, DEVFN);
}

static void teardown(void)
{
    tdev_destroy(&tdev);
    hw_rig_fini(&rig);
}

static uint32_t rd(uint32_t reg, unsigned size)
{
    return pci_bus_config_read(&rig.bus, SBDF, reg, size);
}

static void wr(uint32_t reg, uint32_t val, unsigned size)
{
    pci_bus_config_write(&rig.bus, SBDF, reg, val, size);
}

START_TEST(ids_and_readonly_header)
{
    ck_assert_uint_eq(rd(PCI_VENDOR_ID, 4), 0x56781234);
    ck_assert_uint_eq(rd(PCI_REVISION_ID, 4), 0x02000107);
    ck_assert_uint_eq(rd(PCI_SUBSYSTEM_VENDOR_ID, 4), 0xbbbbaaaa);
    ck_assert_uint_eq(rd(PCI_INTERRUPT_PIN, 1), 1);
    ck_assert_uint_eq(rd(PCI_HEADER_TYPE, 1), 0);
    /* Read-only registers ignore writes, at every width. */
    wr(PCI_VENDOR_ID, 0xffffffff, 4);
    wr(PCI_DEVICE_ID + 1, 0x00, 1);
    wr(PCI_CLASS_PROG, 0x1234, 2);
    wr(PCI_INTERRUPT_PIN, 4, 1);
    wr(PCI_SUBSYSTEM_ID, 0, 2);
    ck_assert_uint_eq(rd(PCI_VENDOR_ID, 4), 0x56781234);
    ck_assert_uint_eq(rd(PCI_REVISION_ID, 4), 0x02000107);
    ck_assert_uint_eq(rd(PCI_INTERRUPT_PIN, 1), 1);
    ck_assert_uint_eq(rd(PCI_SUBSYSTEM_VENDOR_ID, 4), 0xbbbbaaaa);
    /* Word/byte reads at odd offsets see the same bytes. */
    ck_assert_uint_eq(rd(PCI_VENDOR_ID + 1, 2), 0x7812);
    ck_assert_uint_eq(rd(PCI_VENDOR_ID + 3, 1), 0x56);
}
END_TEST

START_TEST(command_mask_and_rw_registers)
{
    wr(PCI_COMMAND, 0xffff, 2);
    ck_assert_uint_eq(rd(PCI_COMMAND, 2),
                      PCI_COMMAND_IO | PCI_COMMAND_MEMORY |
                          PCI_COMMAND_MASTER | PCI_COMMAND_PARITY |
                          PCI_COMMAND_SERR | PCI_COMMAND_INTX_DISABLE);
    wr(PCI_COMMAND, 0, 2);
    ck_assert_uint_eq(rd(PCI_COMMAND, 2), 0);
    wr(PCI_CACHE_LINE_SIZE, 0x10, 1);
    wr(PCI_LATENCY_TIMER, 0x40, 1);   /* read-only 0 here */
    wr(PCI_INTERRUPT_LINE, 11, 1);
    ck_assert_uint_eq(rd(PCI_CACHE_LINE_SIZE, 2), 0x0010);
    ck_assert_uint_eq(rd(PCI_INTERRUPT_LINE, 1), 11);
    /* Device-specific space is read/write by default. */
    wr(0x44, 0xdeadbeef, 4);
    ck_assert_uint_eq(rd(0x44, 4), 0xdeadbeef);
    wr(0x45, 0x55, 1);
    ck_assert_uint_eq(rd(0x44, 4), 0xdead55ef);
}
END_TEST

START_TEST(status_write_one_to_clear)
{
    uint16_t errs = PCI_STATUS_W1C_BITS;

    pci_set_word(tdev.pci.config + PCI_STATUS,
                 errs | PCI_STATUS_DEVSEL_MEDIUM | PCI_STATUS_66MHZ);
    /* Writing 0 changes nothing; read-only bits stay. */
    wr(PCI_STATUS, 0, 2);
    ck_assert_uint_eq(rd(PCI_STATUS, 2),
                      errs | PCI_STATUS_DEVSEL_MEDIUM | PCI_STATUS_66MHZ);
    /* One bit cleared by writing 1 to it (through a dword write at 4 with
     * COMMAND 0 in the low half). */
    wr(PCI_COMMAND, (uint32_t)PCI_STATUS_REC_MASTER_ABORT << 16, 4);
    ck_assert_uint_eq(rd(PCI_STATUS, 2),
                      (errs & ~PCI_STATUS_REC_MASTER_ABORT) |
                          PCI_STATUS_DEVSEL_MEDIUM | PCI_STATUS_66MHZ);
    /* All ones clears every error bit but no read-only bit. */
    wr(PCI_STATUS, 0xffff, 2);
    ck_assert_uint_eq(rd(PCI_STATUS, 2),
                      PCI_STATUS_DEVSEL_MEDIUM | PCI_STATUS_66MHZ);
    /* Byte write to the high byte only touches the high byte. */
    pci_set_word(tdev.pci.config + PCI_STATUS, 0x8100);
    wr(PCI_STATUS + 1, 0x80, 1);
    ck_assert_uint_eq(rd(PCI_STATUS, 2), 0x0100);
}
END_TEST

static uint32_t size_bar(int n)
{
    uint32_t reg = PCI_BASE_ADDRESS_0 + 4 * (uint32_t)n;
    uint32_t old = rd(reg, 4), v;

    wr(reg, 0xffffffff, 4);
    v = rd(reg, 4);
    wr(reg, old, 4);
    return v;
}

START_TEST(bar_sizing_every_kind)
{
    ck_assert_uint_eq(rd(PCI_BASE_ADDRESS_0, 4), PCI_BASE_ADDRESS_SPACE_IO);
    ck_assert_uint_eq(size_bar(0), 0xffffffe1);          /* 32 B I/O */
    ck_assert_uint_eq(size_bar(1), 0xfffff000);          /* 4 KiB mem32 */
    ck_assert_uint_eq(size_bar(2), 0xff000008);          /* 16 MiB pf */
    ck_assert_uint_eq(size_bar(3), 0xfff0000c);          /* 64-bit low */
    ck_assert_uint_eq(size_bar(4), 0xffffffff);          /* 64-bit high */
    ck_assert_uint_eq(size_bar(5), 0);                   /* unimplemented */
    ck_assert_uint_eq(rd(PCI_ROM_ADDRESS, 4), 0);
    wr(PCI_ROM_ADDRESS, 0xffffffff, 4);
    ck_assert_uint_eq(rd(PCI_ROM_ADDRESS, 4), 0);
    /* Restored to the type bits (address 0). */
    ck_assert_uint_eq(rd(PCI_BASE_ADDRESS_0 + 12, 4), 0x0c);
    /* Sizing with decoding enabled must not map anything at the all-ones
     * address. */
    wr(PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY, 2);
    wr(PCI_BASE_ADDRESS_0 + 4, 0xffffffff, 4);
    ck_assert_uint_eq(pci_get_bar_addr(&tdev.pci, 1), PCI_BAR_UNMAPPED);
    wr(PCI_BASE_ADDRESS_0, 0xffffffff, 4);
    ck_assert_uint_eq(pci_get_bar_addr(&tdev.pci, 0), PCI_BAR_UNMAPPED);
}
END_TEST

START_TEST(bar_sizing_large_64bit)
{
    HwRig *r = &rig;
    MemoryRegion big;
    PCIDevice d;
    static const PCIDeviceInfo info = { .name = "big", .vendor_id = 1 };

    memory_region_init_io(&big, r->ms, NULL, &tbar_ops, &tdev.io, "big",
                          8ull << 30);
    ck_assert_int_eq(pci_device_init(&d, &r->bus, PCI_DEVFN(4, 0), &info,
                                     NULL), 0);
    ck_assert_int_eq(pci_register_bar(&d, 0, PCI_BASE_ADDRESS_MEM_TYPE_64,
                                      &big), 0);
    pci_bus_config_write(&r->bus, PCI_SBDF(0, 0, PCI_DEVFN(4, 0)), 0x10,
                         0xffffffff, 4);
    pci_bus_config_write(&r->bus, PCI_SBDF(0, 0, PCI_DEVFN(4, 0)), 0x14,
                         0xffffffff, 4);
    ck_assert_uint_eq(pci_bus_config_read(&r->bus, PCI_SBDF(0, 0, 0x20),
                                          0x10, 4), 0x00000004);
    ck_assert_uint_eq(pci_bus_config_read(&r->bus, PCI_SBDF(0, 0, 0x20),
                                          0x14, 4), 0xfffffffe);
    /* Program it at 8 GiB and enable: the device answers there. */
    pci_bus_config_write(&r->bus, PCI_SBDF(0, 0, 0x20), 0x10, 0, 4);
    pci_bus_config_write(&r->bus, PCI_SBDF(0, 0, 0x20), 0x14, 2, 4);
    pci_bus_config_write(&r->bus, PCI_SBDF(0, 0, 0x20), PCI_COMMAND,
                         PCI_COMMAND_MEMORY, 2);
    ck_assert_uint_eq(pci_get_bar_addr(&d, 0), 8ull << 30);
    ck_assert_uint_eq(mem_ld(&r->as_mem, (8ull << 30) + 0x10, 4), 0xa010);
    pci_device_exit(&d);
    ck_assert_uint_eq(mem_ld(&r->as_mem, (8ull << 30) + 0x10, 4), 0xffffffff);
    memory_region_finalize(&big);
}
END_TEST

START_TEST(bar_register_errors)
{
    MemoryRegion odd, small;
    PCIDevice d;
    static const PCIDeviceInfo info = { .name = "e", .vendor_id = 1 };

    memory_region_init_io(&odd, rig.ms, NULL, &tbar_ops, &tdev.io, "odd", 24);
    memory_region_init_io(&small, rig.ms, NULL, &tbar_ops, &tdev.io, "small",
                          8);
    ck_assert_int_eq(pci_device_init(&d, &rig.bus, PCI_DEVFN(5, 0), &info,
                                     NULL), 0);
    ck_assert_int_eq(pci_register_bar(&d, 0, 0, &odd), -EINVAL);
    ck_assert_int_eq(pci_register_bar(&d, 0, 0, &small), -EINVAL);
    ck_assert_int_eq(pci_register_bar(&d, 6, PCI_BASE_ADDRESS_SPACE_IO,
                                      &small), -EINVAL);
    ck_assert_int_eq(pci_register_bar(&d, 5, PCI_BASE_ADDRESS_MEM_TYPE_64,
                                      &small), -EINVAL);
    ck_assert_int_eq(pci_register_bar(&d, 0, PCI_BASE_ADDRESS_SPACE_IO,
                                      &small), 0);
    ck_assert_int_eq(pci_register_bar(&d, 0, PCI_BASE_ADDRESS_SPACE_IO,
                                      &small), -EBUSY);
    /* devfn taken */
    ck_assert_int_eq(pci_device_init(&d, &rig.bus, DEVFN, &info, NULL),
                     -EBUSY);
    pci_device_exit(&d);
    memory_region_finalize(&odd);
    memory_region_finalize(&small);
}
END_TEST

START_TEST(decoding_toggles_map_and_unmap)
{
    AddressSpace *m = &rig.as_mem, *io = &rig.as_io;

    wr(PCI_BASE_ADDRESS_0, 0xc000, 4);
    wr(PCI_BASE_ADDRESS_0 + 4, 0xe0000000, 4);
    wr(PCI_BASE_ADDRESS_0 + 8, 0xe1000000, 4);
    wr(PCI_BASE_ADDRESS_0 + 12, 0x0000000c, 4);
    wr(PCI_BASE_ADDRESS_0 + 16, 0x1, 4);       /* 64-bit at 4 GiB */
    /* Nothing decodes before COMMAND enables it. */
    ck_assert_uint_eq(io_in(io, 0xc004, 4), 0xffffffff);
    ck_assert_uint_eq(mem_ld(m, 0xe0000010, 4), 0xffffffff);
    ck_assert_uint_eq(mem_ld(m, 0x100000000ull, 4), 0xffffffff);

    wr(PCI_COMMAND, PCI_COMMAND_IO, 2);
    ck_assert_uint_eq(io_in(io, 0xc004, 4), 0xa004);
    ck_assert_uint_eq(mem_ld(m, 0xe0000010, 4), 0xffffffff);

    wr(PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY, 2);
    ck_assert_uint_eq(mem_ld(m, 0xe0000010, 4), 0xb0000010);
    ck_assert_uint_eq(mem_ld(m, 0xe1000020, 4), 0xc0000020);
    ck_assert_uint_eq(mem_ld(m, 0x100000040ull, 4), 0xd0000040);
    ck_assert_uint_eq(pci_get_bar_addr(&tdev.pci, 3), 0x100000000ull);
    mem_st(m, 0xe0000000, 0x1234, 4);
    ck_assert_uint_eq(tdev.mem.last_write, 0x1234);

    /* Move the 32-bit BAR while enabled. */
    wr(PCI_BASE_ADDRESS_0 + 4, 0xe0100000, 4);
    ck_assert_uint_eq(mem_ld(m, 0xe0000010, 4), 0xffffffff);
    ck_assert_uint_eq(mem_ld(m, 0xe0100010, 4), 0xb0000010);
    /* Memory off: all memory BARs gone, I/O stays. */
    wr(PCI_COMMAND, PCI_COMMAND_IO, 2);
    ck_assert_uint_eq(mem_ld(m, 0xe0100010, 4), 0xffffffff);
    ck_assert_uint_eq(mem_ld(m, 0x100000040ull, 4), 0xffffffff);
    ck_assert_uint_eq(io_in(io, 0xc004, 4), 0xa004);
    /* Byte write to COMMAND turning I/O off. */
    wr(PCI_COMMAND, 0, 1);
    ck_assert_uint_eq(io_in(io, 0xc004, 4), 0xffffffff);
    /* An I/O BAR reaching past 0xffff is not mapped. */
    wr(PCI_BASE_ADDRESS_0, 0xfffff0, 4);
    wr(PCI_COMMAND, PCI_COMMAND_IO, 2);
    ck_assert_uint_eq(pci_get_bar_addr(&tdev.pci, 0), PCI_BAR_UNMAPPED);
    /* Address 0 is "not programmed". */
    wr(PCI_BASE_ADDRESS_0, 0, 4);
    ck_assert_uint_eq(pci_get_bar_addr(&tdev.pci, 0), PCI_BAR_UNMAPPED);
    ck_assert_uint_eq(io_in(io, 0x0, 1), 0xff);
}
END_TEST

START_TEST(bars_over_each_other)
{
    TestDev t2;

    tdev_create(&t2, &rig, PCI_DEVFN(6, 0));
    t2.mem.tag = 0x22000000;
    wr(PCI_BASE_ADDRESS_0 + 4, 0xe0000000, 4);
    wr(PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
    pci_bus_config_write(&rig.bus, PCI_SBDF(0, 0, PCI_DEVFN(6, 0)),
                         PCI_BASE_ADDRESS_0 + 4, 0xe0000000, 4);
    /* t2's prefetchable BAR overlaps both 4 KiB BARs too. */
    pci_bus_config_write(&rig.bus, PCI_SBDF(0, 0, PCI_DEVFN(6, 0)),
                         PCI_BASE_ADDRESS_0 + 8, 0xe0000000, 4);
    pci_bus_config_write(&rig.bus, PCI_SBDF(0, 0, PCI_DEVFN(6, 0)),
                         PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
    /* Something answers (the last mapped), nothing crashes. */
    ck_assert_uint_ne(mem_ld(&rig.as_mem, 0xe0000010, 4), 0xffffffff);
    /* Unmapping one reveals the others. */
    pci_bus_config_write(&rig.bus, PCI_SBDF(0, 0, PCI_DEVFN(6, 0)),
                         PCI_COMMAND, 0, 2);
    ck_assert_uint_eq(mem_ld(&rig.as_mem, 0xe0000010, 4), 0xb0000010);
    pci_bus_config_write(&rig.bus, PCI_SBDF(0, 0, PCI_DEVFN(6, 0)),
                         PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
    tdev_destroy(&t2);
    ck_assert_uint_eq(mem_ld(&rig.as_mem, 0xe0000010, 4), 0xb0000010);
}
END_TEST

START_TEST(capabilities)
{
    int a, b;

    ck_assert_uint_eq(rd(PCI_STATUS, 2) & PCI_STATUS_CAP_LIST, 0);
    a = pci_add_capability(&tdev.pci, PCI_CAP_ID_PM, 0, 8);
    ck_assert_int_eq(a, 0x40);
    b = pci_add_capability(&tdev.pci, PCI_CAP_ID_VNDR, 0, 6);
    ck_assert_int_eq(b, 0x48);
    ck_assert_int_eq(pci_add_capability(&tdev.pci, PCI_CAP_ID_MSI, 0x44, 8),
                     -EBUSY);
    ck_assert_int_eq(pci_add_capability(&tdev.pci, PCI_CAP_ID_MSI, 0x52, 8),
                     -EINVAL);
    ck_assert_int_eq(pci_add_capability(&tdev.pci, PCI_CAP_ID_MSI, 0x20, 8),
                     -EINVAL);
    ck_assert_uint_ne(rd(PCI_STATUS, 2) & PCI_STATUS_CAP_LIST, 0);
    ck_assert_uint_eq(rd(PCI_CAPABILITY_LIST, 1), 0x48);
    ck_assert_uint_eq(rd(0x48, 2), 0x4000 | PCI_CAP_ID_VNDR);
    ck_assert_uint_eq(rd(0x40, 2), PCI_CAP_ID_PM);
    ck_assert_uint_eq(pci_find_capability(&tdev.pci, PCI_CAP_ID_PM), 0x40);
    ck_assert_uint_eq(pci_find_capability(&tdev.pci, PCI_CAP_ID_MSIX), 0);
    /* The guest cannot rewrite the list. */
    wr(PCI_CAPABILITY_LIST, 0x80, 1);
    wr(0x48, 0xffffffff, 4);
    wr(PCI_STATUS, 0xffff, 2);
    ck_assert_uint_eq(rd(PCI_CAPABILITY_LIST, 1), 0x48);
    ck_assert_uint_eq(rd(0x48, 2), 0x4000 | PCI_CAP_ID_VNDR);
    ck_assert_uint_ne(rd(PCI_STATUS, 2) & PCI_STATUS_CAP_LIST, 0);
    /* A capability field made writable by the device. */
    tdev.pci.wmask[0x44] = 0x03;
    wr(0x44, 0xff, 1);
    ck_assert_uint_eq(rd(0x44, 1), 0x03);
}
END_TEST

START_TEST(intx_levels_and_disable)
{
    PlatformRecorder *rec = &rig.rec;
    TestDev t2;
    PlatformEvent ev;

    pci_set_irq(&tdev.pci, 1);
    ck_assert(platform_recorder_last(rec, PLATFORM_EV_PCI_INTX, &ev));
    ck_assert_uint_eq(ev.device, 3);
    ck_assert_uint_eq(ev.intx, 0);
    ck_assert_uint_eq(ev.level, 1);
    ck_assert_uint_eq(ev.bus, 0);
    ck_assert_uint_ne(rd(PCI_STATUS, 2) & PCI_STATUS_INTERRUPT, 0);
    /* Repeated level: no new call. */
    pci_set_irq(&tdev.pci, 1);
    ck_assert_uint_eq(platform_recorder_count(rec, PLATFORM_EV_PCI_INTX), 1);

    /* Function 1 of the same slot shares INTA: OR of levels. */
    tdev_create(&t2, &rig, PCI_DEVFN(3, 1));
    pci_set_irq(&t2.pci, 1);
    ck_assert_uint_eq(platform_recorder_count(rec, PLATFORM_EV_PCI_INTX), 1);
    pci_set_irq(&tdev.pci, 0);
    ck_assert_uint_eq(rec->intx_level[3][0], 1);
    ck_assert_uint_eq(rd(PCI_STATUS, 2) & PCI_STATUS_INTERRUPT, 0);
    pci_set_irq(&t2.pci, 0);
    ck_assert_uint_eq(rec->intx_level[3][0], 0);
    ck_assert_uint_eq(platform_recorder_count(rec, PLATFORM_EV_PCI_INTX), 2);

    /* INTX_DISABLE masks the line but STATUS.INTERRUPT still shows it. */
    wr(PCI_COMMAND, PCI_COMMAND_INTX_DISABLE, 2);
    pci_set_irq(&tdev.pci, 1);
    ck_assert_uint_eq(rec->intx_level[3][0], 0);
    ck_assert_uint_ne(rd(PCI_STATUS, 2) & PCI_STATUS_INTERRUPT, 0);
    wr(PCI_COMMAND, 0, 2);
    ck_assert_uint_eq(rec->intx_level[3][0], 1);
    wr(PCI_COMMAND, PCI_COMMAND_INTX_DISABLE, 2);
    ck_assert_uint_eq(rec->intx_level[3][0], 0);
    wr(PCI_COMMAND, 0, 2);
    /* Exit drops the device's contribution. */
    tdev_destroy(&t2);
    ck_assert_uint_eq(rec->intx_level[3][0], 1);
    pci_device_reset(&tdev.pci);
    ck_assert_uint_eq(rec->intx_level[3][0], 0);
}
END_TEST

START_TEST(intx_swizzle)
{
    /* Link = (slot + pin) & 3, as Xen routes set_pci_intx_level. */
    ck_assert_uint_eq(pci_intx_to_pirq_link(0, 0), 0);
    ck_assert_uint_eq(pci_intx_to_pirq_link(1, 0), 1);
    ck_assert_uint_eq(pci_intx_to_pirq_link(2, 0), 2);
    ck_assert_uint_eq(pci_intx_to_pirq_link(3, 0), 3);
    ck_assert_uint_eq(pci_intx_to_pirq_link(3, 1), 0);
    ck_assert_uint_eq(pci_intx_to_pirq_link(31, 3), 2);
}
END_TEST

START_TEST(intx_pin_b_of_other_slot)
{
    static const PCIDeviceInfo info = { .name = "pinb", .vendor_id = 1,
                                        .interrupt_pin = 2 };
    PCIDevice d;
    PlatformEvent ev;

    ck_assert_int_eq(pci_device_init(&d, &rig.bus, PCI_DEVFN(9, 2), &info,
                                     NULL), 0);
    pci_set_irq(&d, 1);
    ck_assert(platform_recorder_last(&rig.rec, PLATFORM_EV_PCI_INTX, &ev));
    ck_assert_uint_eq(ev.device, 9);
    ck_assert_uint_eq(ev.intx, 1);
    ck_assert_uint_eq(ev.level, 1);
    pci_device_exit(&d);
    ck_assert(platform_recorder_last(&rig.rec, PLATFORM_EV_PCI_INTX, &ev));
    ck_assert_uint_eq(ev.level, 0);
}
END_TEST

START_TEST(reset_restores_power_on_state)
{
    wr(PCI_BASE_ADDRESS_0 + 4, 0xe0000000, 4);
    wr(PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 2);
    wr(PCI_INTERRUPT_LINE, 10, 1);
    pci_set_word(tdev.pci.config + PCI_STATUS, PCI_STATUS_REC_MASTER_ABORT);
    ck_assert_uint_eq(mem_ld(&rig.as_mem, 0xe0000000, 4), 0xb0000000);
    pci_bus_reset(&rig.bus);
    ck_assert_uint_eq(tdev.resets, 1);
    ck_assert_uint_eq(rd(PCI_COMMAND, 4), 0);
    ck_assert_uint_eq(rd(PCI_INTERRUPT_LINE, 1), 0);
    ck_assert_uint_eq(rd(PCI_BASE_ADDRESS_0 + 4, 4), 0);
    ck_assert_uint_eq(rd(PCI_BASE_ADDRESS_0 + 12, 4), 0xc);
    ck_assert_uint_eq(mem_ld(&rig.as_mem, 0xe0000000, 4), 0xffffffff);
    ck_assert_uint_eq(rd(PCI_VENDOR_ID, 4), 0x56781234);
}
END_TEST

START_TEST(extended_and_absent_registers)
{
    ck_assert_uint_eq(rd(0x100, 4), 0);
    ck_assert_uint_eq(rd(0xffc, 4), 0);
    ck_assert_uint_eq(rd(0x1000, 4), 0xffffffff);
    ck_assert_uint_eq(rd(0xfe, 4), rd(0xfe, 2));  /* bytes past 0xff read 0 */
    wr(0x100, 0x12345678, 4);
    ck_assert_uint_eq(rd(0x100, 4), 0);
    /* Absent function, other bus, other segment: all-ones of the size. */
    ck_assert_uint_eq(pci_bus_config_read(&rig.bus, PCI_SBDF(0, 0, 0x08), 0,
                                          4), 0xffffffff);
    ck_assert_uint_eq(pci_bus_config_read(&rig.bus, PCI_SBDF(0, 0, 0x08), 0,
                                          2), 0xffff);
    ck_assert_uint_eq(pci_bus_config_read(&rig.bus, PCI_SBDF(0, 0, 0x08), 3,
                                          1), 0xff);
    ck_assert_uint_eq(pci_bus_config_read(&rig.bus, PCI_SBDF(0, 1, DEVFN), 0,
                                          4), 0xffffffff);
    ck_assert_uint_eq(pci_bus_config_read(&rig.bus, PCI_SBDF(1, 0, DEVFN), 0,
                                          4), 0xffffffff);
    /* Bad sizes. */
    ck_assert_uint_eq(rd(0, 8), 0xffffffff);
    ck_assert_uint_eq(rd(0, 0), 0xffffffff);
    wr(PCI_COMMAND, 0xffff, 0);
    wr(PCI_COMMAND, 0xffff, 8);
    ck_assert_uint_eq(rd(PCI_COMMAND, 2), 0);
    /* Writes to absent functions vanish without effect. */
    pci_bus_config_write(&rig.bus, PCI_SBDF(0, 0, 0x08), 4, 0xffff, 2);
    ck_assert_uint_eq(rd(PCI_VENDOR_ID, 4), 0x56781234);
}
END_TEST

struct commit_counter {
    MemoryListener l;
    unsigned begins, adds, dels;
};

static void cc_begin(MemoryListener *l)
{
    ((struct commit_counter *)l)->begins++;
}

static void cc_add(MemoryListener *l, MemoryRegionSection *s)
{
    ((struct commit_counter *)l)->adds++;
}

static void cc_del(MemoryListener *l, MemoryRegionSection *s)
{
    ((struct commit_counter *)l)->dels++;
}

START_TEST(bar_move_is_one_transaction)
{
    struct commit_counter cc = { .l = { .begin = cc_begin,
                                        .region_add = cc_add,
                                        .region_del = cc_del,
                                        .name = "cc" } };

    wr(PCI_BASE_ADDRESS_0 + 4, 0xe0000000, 4);
    wr(PCI_BASE_ADDRESS_0 + 8, 0xe1000000, 4);
    memory_listener_register(&cc.l, rig.ms, &rig.as_mem);
    cc.begins = cc.adds = cc.dels = 0;
    /* Enabling memory maps three BARs: one update of the address space. */
    wr(PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
    ck_assert_uint_eq(cc.begins, 1);
    ck_assert_uint_ge(cc.adds, 2);
    /* Moving one BAR: one update, its old range deleted, new one added. */
    cc.begins = cc.adds = cc.dels = 0;
    wr(PCI_BASE_ADDRESS_0 + 4, 0xe0200000, 4);
    ck_assert_uint_eq(cc.begins, 1);
    ck_assert_uint_eq(cc.dels, 1);
    ck_assert_uint_eq(cc.adds, 1);
    /* Rewriting the same value changes nothing. */
    cc.begins = cc.adds = cc.dels = 0;
    wr(PCI_BASE_ADDRESS_0 + 4, 0xe0200000, 4);
    ck_assert_uint_eq(cc.adds + cc.dels, 0);
    memory_listener_unregister(&cc.l);
}
END_TEST

START_TEST(hostile_random_config_writes)
{
    uint64_t st = 0x9e3779b97f4a7c15ull;
    static const unsigned sizes[] = { 1, 2, 4, 3, 0, 8 };

    for (unsigned i = 0; i < 200000; i++) {
        uint64_t r = hw_rand(&st);
        uint32_t sbdf = PCI_SBDF(0, 0, (r & 1) ? DEVFN : (r >> 8) & 0xff);
        uint32_t reg = (uint32_t)(r >> 16) & 0x1fff;
        unsigned size = sizes[(r >> 32) % 6];
        uint32_t val = (uint32_t)hw_rand(&st);

        if (r & 2)
            pci_bus_config_write(&rig.bus, sbdf, reg & 0xff, val, size);
        else if (r & 4)
            pci_bus_config_write(&rig.bus, sbdf, reg, val, size);
        else
            (void)pci_bus_config_read(&rig.bus, sbdf, reg, size);
        if ((i & 1023) == 0)
            (void)mem_ld(&rig.as_mem, (uint32_t)hw_rand(&st), 4);
    }
    /* All-ones into every register, then enable everything. */
    for (uint32_t reg = 0; reg < 0x100; reg += 4)
        wr(reg, 0xffffffff, 4);
    wr(PCI_COMMAND, 0xffff, 2);
    ck_assert_uint_eq(rd(PCI_VENDOR_ID, 4), 0x56781234);
    ck_assert_uint_eq(rd(PCI_CLASS_PROG, 1), 0x01);
    ck_assert_uint_eq(rd(PCI_INTERRUPT_PIN, 1), 1);
    /* The all-ones BARs did not map anywhere. */
    for (int n = 0; n < 4; n++)
        ck_assert_uint_eq(pci_get_bar_addr(&tdev.pci, n), PCI_BAR_UNMAPPED);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("pci");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, ids_and_readonly_header);
    tcase_add_test(tc, command_mask_and_rw_registers);
    tcase_add_test(tc, status_write_one_to_clear);
    tcase_add_test(tc, bar_sizing_every_kind);
    tcase_add_test(tc, bar_sizing_large_64bit);
    tcase_add_test(tc, bar_register_errors);
    tcase_add_test(tc, decoding_toggles_map_and_unmap);
    tcase_add_test(tc, bars_over_each_other);
    tcase_add_test(tc, bar_move_is_one_transaction);
    tcase_add_test(tc, capabilities);
    tcase_add_test(tc, intx_levels_and_disable);
    tcase_add_test(tc, intx_swizzle);
    tcase_add_test(tc, intx_pin_b_of_other_slot);
    tcase_add_test(tc, reset_restores_power_on_state);
    tcase_add_test(tc, extended_and_absent_registers);
    tcase_add_test(tc, hostile_random_config_writes);
    suite_add_tcase(s, tc);
    return hw_run_suite(s);
}
