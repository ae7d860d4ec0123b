/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ide_test_helpers.h - a small xenfv-like world for the IDE suites and
 * benchmark: memory + I/O address spaces, RAM at 0, PCI bus 0 with the
 * PIIX3 IDE function at 00:01.1, IRQ recorder lines 14/15, raw image files
 * with a known pattern, and guest-style port accessors.
 */
#ifndef XENDM_TESTS_IDE_TEST_HELPERS_H
#define XENDM_TESTS_IDE_TEST_HELPERS_H

#include <stdbool.h>
#include <stdint.h>

#include "hw/ide/ide.h"
#include "hw/irq.h"
#include "hw/pci.h"
#include "memory/memory.h"

#define IDE_T_BM_BASE 0xc000u
#define IDE_T_DEVFN PCI_DEVFN(1, 1)

/**
 * struct ide_fixture - one test world (no globals: two may coexist).
 * @ram_ptr: host pointer of the RAM at guest physical 0.
 * @img: paths of images made by ide_fixture_image() (unlinked at
 *       teardown).
 */
struct ide_fixture {
    MemorySystem *ms;
    MemoryRegion sys_root;
    MemoryRegion io_root;
    MemoryRegion ram;
    AddressSpace mem_as;
    AddressSpace io_as;
    PCIBus bus;
    IRQRecorder irqs;
    IRQLine irq[2];
    PIIX3IDEState *ide;
    uint8_t *ram_ptr;
    uint64_t ram_size;
    char img[IDE_MAX_DRIVES][64];
};

/** ide_fixture_setup() - build the world with @ram_size bytes of RAM;
 * BAR4 at IDE_T_BM_BASE, COMMAND = IO | MASTER. 0 or -errno. */
int ide_fixture_setup(struct ide_fixture *f, uint64_t ram_size);
/** ide_fixture_teardown() - free everything, delete the images. */
void ide_fixture_teardown(struct ide_fixture *f);
/**
 * ide_fixture_image() - create a raw image of @sectors sectors filled
 * with ide_pattern_byte(@seed, ...) and attach it at @index (@read_only).
 * Return: 0 or -errno.
 */
int ide_fixture_image(struct ide_fixture *f, unsigned index, uint64_t sectors,
                      uint32_t seed, bool read_only);
/** ide_pattern_byte() - byte @i of sector @sector of an image with @seed. */
uint8_t ide_pattern_byte(uint32_t seed, uint64_t sector, unsigned i);

uint8_t t_inb(struct ide_fixture *f, uint16_t port);
uint16_t t_inw(struct ide_fixture *f, uint16_t port);
uint32_t t_inl(struct ide_fixture *f, uint16_t port);
void t_outb(struct ide_fixture *f, uint16_t port, uint8_t v);
void t_outw(struct ide_fixture *f, uint16_t port, uint16_t v);
void t_outl(struct ide_fixture *f, uint16_t port, uint32_t v);

/** Command block base of channel @ch (0x1f0 / 0x170). */
uint16_t t_cmd_port(unsigned ch);
/** Control port of channel @ch (0x3f6 / 0x376). */
uint16_t t_ctl_port(unsigned ch);
/** Bus-master register base of channel @ch. */
uint16_t t_bm_port(unsigned ch);

/** t_issue28() - select @unit (LBA mode), program LBA28 @lba / @count, and
 * write @cmd. */
void t_issue28(struct ide_fixture *f, unsigned ch, unsigned unit, uint8_t cmd,
               uint32_t lba, uint8_t count);
/** t_issue48() - same with LBA48 (high bytes first). */
void t_issue48(struct ide_fixture *f, unsigned ch, unsigned unit, uint8_t cmd,
               uint64_t lba, uint16_t count);
/** t_prd() - write PRD entry @i of the table at @table in RAM. */
void t_prd(struct ide_fixture *f, uint32_t table, unsigned i, uint32_t addr,
           uint32_t count, bool eot);

#endif
