/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ide_test_helpers.c - see ide_test_helpers.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/unit/hw/ide_test_helpers.h"

#define U MEMTXATTRS_UNSPECIFIED

uint8_t ide_pattern_byte(uint32_t seed, uint64_t sector, unsigned i)
{
    uint32_t x = seed * 2654435761u ^ (uint32_t)sector * 40503u ^
                 (uint32_t)(sector >> 32) ^ i * 2246822519u;

    x ^= x >> 15;
    x *= 2246822519u;
    x ^= x >> 13;
    return (uint8_t)x;
}

int ide_fixture_setup(struct ide_fixture *f, uint64_t ram_size)
{
    struct piix3_ide_config cfg;
    int ret;

    memset(f, 0, sizeof(*f));
    f->ms = memory_system_new();
    if (!f->ms) {
        return -ENOMEM;
    }
    memory_region_init(&f->sys_root, f->ms, NULL, "system", UINT64_MAX);
    memory_region_init(&f->io_root, f->ms, NULL, "io", 0x10000);
    ret = memory_region_init_ram(&f->ram, f->ms, NULL, "ram", ram_size);
    if (ret < 0) {
        return ret;
    }
    memory_region_add_subregion(&f->sys_root, 0, &f->ram);
    f->ram_ptr = memory_region_get_ram_ptr(&f->ram);
    f->ram_size = ram_size;
    address_space_init(&f->mem_as, f->ms, &f->sys_root, "memory");
    address_space_init(&f->io_as, f->ms, &f->io_root, "I/O");
    ret = pci_bus_init(&f->bus, f->ms, &f->sys_root, &f->io_root, NULL);
    if (ret < 0) {
        return ret;
    }
    irq_recorder_init(&f->irqs);
    irq_recorder_line(&f->irqs, &f->irq[0], IDE_PRIMARY_IRQ);
    irq_recorder_line(&f->irqs, &f->irq[1], IDE_SECONDARY_IRQ);
    memset(&cfg, 0, sizeof(cfg));
    cfg.bus = &f->bus;
    cfg.devfn = IDE_T_DEVFN;
    cfg.io = &f->io_root;
    cfg.dma_as = &f->mem_as;
    cfg.irq[0] = &f->irq[0];
    cfg.irq[1] = &f->irq[1];
    ret = piix3_ide_new(&cfg, &f->ide);
    if (ret < 0) {
        return ret;
    }
    pci_bus_config_write(&f->bus, PCI_SBDF(0, 0, IDE_T_DEVFN), 0x20,
                         IDE_T_BM_BASE, 4);
    pci_bus_config_write(&f->bus, PCI_SBDF(0, 0, IDE_T_DEVFN), PCI_COMMAND,
                         PCI_COMMAND_IO | PCI_COMMAND_MASTER, 2);
    return 0;
}

void ide_fixture_teardown(struct ide_fixture *f)
{
    piix3_ide_free(f->ide);
    pci_bus_exit(&f->bus);
    address_space_destroy(&f->io_as);
    address_space_destroy(&f->mem_as);
    memory_region_del_subregion(&f->sys_root, &f->ram);
    memory_region_finalize(&f->ram);
    memory_region_finalize(&f->io_root);
    memory_region_finalize(&f->sys_root);
    memory_system_free(f->ms);
    irq_recorder_destroy(&f->irqs);
    for (unsigned i = 0; i < IDE_MAX_DRIVES; i++) {
        if (f->img[i][0]) {
            unlink(f->img[i]);
        }
    }
}

int ide_fixture_image(struct ide_fixture *f, unsigned index, uint64_t sectors,
                      uint32_t seed, bool read_only)
{
    uint8_t buf[512];
    int fd;

    snprintf(f->img[index], sizeof(f->img[index]), "/tmp/ide-test-XXXXXX");
    fd = mkstemp(f->img[index]);
    if (fd < 0) {
        f->img[index][0] = 0;
        return -errno;
    }
    for (uint64_t s = 0; s < sectors; s++) {
        for (unsigned i = 0; i < 512; i++) {
            buf[i] = ide_pattern_byte(seed, s, i);
        }
        if (pwrite(fd, buf, 512, (off_t)(s * 512)) != 512) {
            close(fd);
            return -EIO;
        }
    }
    close(fd);
    return piix3_ide_attach_drive(f->ide, index, f->img[index], read_only);
}

uint8_t t_inb(struct ide_fixture *f, uint16_t port)
{
    return (uint8_t)address_space_ldub(&f->io_as, port, U, NULL);
}

uint16_t t_inw(struct ide_fixture *f, uint16_t port)
{
    return (uint16_t)address_space_lduw_le(&f->io_as, port, U, NULL);
}

uint32_t t_inl(struct ide_fixture *f, uint16_t port)
{
    return address_space_ldl_le(&f->io_as, port, U, NULL);
}

void t_outb(struct ide_fixture *f, uint16_t port, uint8_t v)
{
    address_space_stb(&f->io_as, port, v, U, NULL);
}

void t_outw(struct ide_fixture *f, uint16_t port, uint16_t v)
{
    address_space_stw_le(&f->io_as, port, v, U, NULL);
}

void t_outl(struct ide_fixture *f, uint16_t port, uint32_t v)
{
    address_space_stl_le(&f->io_as, port, v, U, NULL);
}

uint16_t t_cmd_port(unsigned ch)
{
    return ch ? IDE_SECONDARY_CMD_PORT : IDE_PRIMARY_CMD_PORT;
}

uint16_t t_ctl_port(unsigned ch)
{
    return ch ? IDE_SECONDARY_CTL_PORT : IDE_PRIMARY_CTL_PORT;
}

uint16_t t_bm_port(unsigned ch)
{
    return (uint16_t)(IDE_T_BM_BASE + 8 * ch);
}

void t_issue28(struct ide_fixture *f, unsigned ch, unsigned unit, uint8_t cmd,
               uint32_t lba, uint8_t count)
{
    uint16_t p = t_cmd_port(ch);

    t_outb(f, p + 6, (uint8_t)(0xe0 | unit << 4 | ((lba >> 24) & 0x0f)));
    t_outb(f, p + 2, count);
    t_outb(f, p + 3, (uint8_t)lba);
    t_outb(f, p + 4, (uint8_t)(lba >> 8));
    t_outb(f, p + 5, (uint8_t)(lba >> 16));
    t_outb(f, p + 7, cmd);
}

void t_issue48(struct ide_fixture *f, unsigned ch, unsigned unit, uint8_t cmd,
               uint64_t lba, uint16_t count)
{
    uint16_t p = t_cmd_port(ch);

    t_outb(f, p + 6, (uint8_t)(0x40 | unit << 4));
    t_outb(f, p + 2, (uint8_t)(count >> 8));
    t_outb(f, p + 3, (uint8_t)(lba >> 24));
    t_outb(f, p + 4, (uint8_t)(lba >> 32));
    t_outb(f, p + 5, (uint8_t)(lba >> 40));
    t_outb(f, p + 2, (uint8_t)count);
    t_outb(f, p + 3, (uint8_t)lba);
    t_outb(f, p + 4, (uint8_t)(lba >> 8));
    t_outb(f, p + 5, (uint8_t)(lba >> 16));
    t_outb(f, p + 7, cmd);
}

void t_prd(struct ide_fixture *f, uint32_t table, unsigned i, uint32_t addr,
           uint32_t count, bool eot)
{
    address_space_stl_le(&f->mem_as, table + 8ull * i, addr, U, NULL);
    address_space_stl_le(&f->mem_as, table + 8ull * i + 4,
                         (count & 0xffff) | (eot ? 0x80000000u : 0), U, NULL);
}
