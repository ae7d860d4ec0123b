/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bench_ide_dma.c - PIIX3 IDE bus-master DMA throughput through the
 * mapcache, as a ratio to memcpy of the same bytes in the same run.
 *
 * Guest RAM (64 MiB) is a RAM_NOALLOC block reached only through a
 * MapCache (xen_map_cache_host_ops) whose backend is the in-process fake
 * foreign memory of the mapcache suites (a memfd mapped MAP_SHARED, like
 * privcmd maps guest frames). A guest-style driver programs a PRD table of
 * 512 x 64 KiB entries and issues READ DMA EXT of 65536 sectors (32 MiB)
 * from a raw image in the page cache; the channel's worker maps each
 * region with address_space_map() (a locked dma mapping of the mapcache),
 * pread()s into it and unmaps it. The time covers everything from the
 * command to piix3_ide_wait_idle(). The baseline is memcpy of 32 MiB
 * between two host buffers. WRITE DMA EXT (guest RAM -> image) is measured
 * the same way. Best of several passes each.
 *
 * Prints `name value unit` lines; ide_dma_targets is met when the read
 * ratio is >= 0.5.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hw/ide/ide.h"
#include "hw/irq.h"
#include "hw/pci.h"
#include "mapcache/mapcache.h"
#include "mapcache/private.h"
#include "memory/memory.h"
#include "tests/unit/mapcache/fakefm.h"
#include "util/log.h"

#define MiB (1ull << 20)
#define RAM_SIZE (64 * MiB)
#define XFER (32 * MiB)
#define TABLE 0x100000u
#define DATA 0x200000u
#define BM 0xc000u
#define PASSES 5
#define REPS 4

#define U MEMTXATTRS_UNSPECIFIED

static double now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

struct world {
    struct fakefm fm;
    MapCache *mc;
    MemorySystem *ms;
    RAMBlock *block;
    MemoryRegion sys, io, ram;
    AddressSpace mem_as, io_as;
    PCIBus bus;
    IRQLine irq[2];
    PIIX3IDEState *ide;
    char img[64];
};

static void die(const char *what)
{
    fprintf(stderr, "bench_ide_dma: %s failed\n", what);
    exit(1);
}

static void build(struct world *w, const uint8_t *contents)
{
    MapCacheConfig cfg = { .max_mapped_bytes = 0 };
    struct mapcache_backend be;
    struct piix3_ide_config ic;
    int fd;

    if (fakefm_init(&w->fm, RAM_SIZE >> 12)) {
        die("fakefm_init");
    }
    be = fakefm_backend(&w->fm);
    if (xen_map_cache_init_backend(&cfg, &be, &w->mc)) {
        die("mapcache init");
    }
    w->ms = memory_system_new();
    if (!w->ms) {
        die("memory_system_new");
    }
    if (ram_block_add(w->ms, "pc.ram", RAM_SIZE, RAM_SIZE, RAM_NOALLOC, NULL,
                      0, &w->block)) {
        die("ram_block_add");
    }
    qemu_ram_set_host_ops(w->block, xen_map_cache_host_ops(w->mc));
    memory_region_init(&w->sys, w->ms, NULL, "system", UINT64_MAX);
    memory_region_init(&w->io, w->ms, NULL, "io", 0x10000);
    memory_region_init_ram_from_block(&w->ram, w->ms, NULL, "pc.ram",
                                      w->block);
    memory_region_add_subregion(&w->sys, 0, &w->ram);
    address_space_init(&w->mem_as, w->ms, &w->sys, "memory");
    address_space_init(&w->io_as, w->ms, &w->io, "I/O");
    if (pci_bus_init(&w->bus, w->ms, &w->sys, &w->io, NULL)) {
        die("pci_bus_init");
    }
    irq_line_init(&w->irq[0], NULL, NULL, 14);
    irq_line_init(&w->irq[1], NULL, NULL, 15);
    memset(&ic, 0, sizeof(ic));
    ic.bus = &w->bus;
    ic.devfn = PCI_DEVFN(1, 1);
    ic.io = &w->io;
    ic.dma_as = &w->mem_as;
    ic.irq[0] = &w->irq[0];
    ic.irq[1] = &w->irq[1];
    if (piix3_ide_new(&ic, &w->ide)) {
        die("piix3_ide_new");
    }
    snprintf(w->img, sizeof(w->img), "/tmp/bench-ide-XXXXXX");
    fd = mkstemp(w->img);
    if (fd < 0 || pwrite(fd, contents, XFER, 0) != (ssize_t)XFER) {
        die("image");
    }
    close(fd);
    if (piix3_ide_attach_drive(w->ide, 0, w->img, false)) {
        die("attach");
    }
    pci_bus_config_write(&w->bus, PCI_SBDF(0, 0, PCI_DEVFN(1, 1)), 0x20, BM,
                         4);
    pci_bus_config_write(&w->bus, PCI_SBDF(0, 0, PCI_DEVFN(1, 1)),
                         PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MASTER, 2);
    for (unsigned i = 0; i < XFER / 0x10000; i++) {
        address_space_stl_le(&w->mem_as, TABLE + 8 * i, DATA + i * 0x10000u,
                             U, NULL);
        address_space_stl_le(&w->mem_as, TABLE + 8 * i + 4,
                             i == XFER / 0x10000 - 1 ? 0x80000000u : 0, U,
                             NULL);
    }
}

static void destroy(struct world *w)
{
    piix3_ide_free(w->ide);
    pci_bus_exit(&w->bus);
    address_space_destroy(&w->io_as);
    address_space_destroy(&w->mem_as);
    memory_region_del_subregion(&w->sys, &w->ram);
    memory_region_finalize(&w->ram);
    memory_region_finalize(&w->io);
    memory_region_finalize(&w->sys);
    ram_block_free(w->block);
    memory_system_free(w->ms);
    xen_map_cache_destroy(w->mc);
    fakefm_fini(&w->fm);
    unlink(w->img);
}

static void outb(struct world *w, uint16_t port, uint8_t v)
{
    address_space_stb(&w->io_as, port, v, U, NULL);
}

/* One 32 MiB READ DMA EXT (cmd 0x25) or WRITE DMA EXT (0x35). */
static int one_dma(struct world *w, uint8_t cmd)
{
    bool to_mem = cmd == 0x25;

    address_space_stl_le(&w->io_as, BM + 4, TABLE, U, NULL);
    outb(w, BM, 0);
    outb(w, BM + 2, 0x06);
    outb(w, BM, to_mem ? 0x08 : 0x00);
    outb(w, 0x1f6, 0x40);
    outb(w, 0x1f2, 0);                       /* count 0 = 65536 sectors */
    outb(w, 0x1f3, 0);
    outb(w, 0x1f4, 0);
    outb(w, 0x1f5, 0);
    outb(w, 0x1f2, 0);
    outb(w, 0x1f3, 0);
    outb(w, 0x1f4, 0);
    outb(w, 0x1f5, 0);
    outb(w, 0x1f7, cmd);
    outb(w, BM, to_mem ? 0x09 : 0x01);
    piix3_ide_wait_idle(w->ide);
    if (address_space_ldub(&w->io_as, 0x1f7, U, NULL) != 0x50 ||
        (address_space_ldub(&w->io_as, BM + 2, U, NULL) & 0x07) != 0x04) {
        return -EIO;
    }
    outb(w, BM, 0);
    return 0;
}

static double best_dma(struct world *w, uint8_t cmd)
{
    double best = 1e30;

    for (unsigned p = 0; p < PASSES; p++) {
        double t0 = now_ns();

        for (unsigned r = 0; r < REPS; r++) {
            if (one_dma(w, cmd)) {
                die("DMA");
            }
        }
        double t = now_ns() - t0;

        if (t < best) {
            best = t;
        }
    }
    return best;
}

static double best_memcpy(uint8_t *dst, const uint8_t *src)
{
    double best = 1e30;

    for (unsigned p = 0; p < PASSES; p++) {
        double t0 = now_ns();

        for (unsigned r = 0; r < REPS; r++) {
            memcpy(dst, src, XFER);
            __asm__ volatile("" : : "r"(dst) : "memory");
        }
        double t = now_ns() - t0;

        if (t < best) {
            best = t;
        }
    }
    return best;
}

int main(void)
{
    static struct world w;
    uint8_t *src = malloc(XFER), *dst = malloc(XFER), *check = malloc(XFER);
    double t_read, t_write, t_copy, mbps;
    MapCacheStats st;

    if (!src || !dst || !check) {
        die("malloc");
    }
    log_set_level(LOG_LEVEL_ERR);
    for (uint64_t i = 0; i < XFER; i++) {
        src[i] = (uint8_t)(i * 2654435761u >> 13);
    }
    memset(dst, 1, XFER);
    build(&w, src);

    /* Warm up and check the data landed in guest RAM. */
    if (one_dma(&w, 0x25)) {
        die("first DMA");
    }
    fakefm_read(&w.fm, DATA, check, XFER);
    if (memcmp(check, src, XFER) != 0) {
        die("data check");
    }
    t_read = best_dma(&w, 0x25);
    t_write = best_dma(&w, 0x35);
    t_copy = best_memcpy(dst, src);
    xen_map_cache_get_stats(w.mc, &st);

    mbps = (double)XFER * REPS / (t_copy / 1e9) / 1e6;
    printf("memcpy_32MiB_MBps %.0f MB/s\n", mbps);
    printf("ide_dma_read_32MiB_MBps %.0f MB/s\n",
           (double)XFER * REPS / (t_read / 1e9) / 1e6);
    printf("ide_dma_write_32MiB_MBps %.0f MB/s\n",
           (double)XFER * REPS / (t_write / 1e9) / 1e6);
    printf("ide_dma_read_ratio %.2f x\n", t_copy / t_read);
    printf("ide_dma_write_ratio %.2f x\n", t_copy / t_write);
    printf("mapcache_locked_dma_after %llu entries\n",
           (unsigned long long)st.locked_dma);
    printf("ide_dma_targets %s\n", t_copy / t_read >= 0.5 ? "met" : "missed");
    destroy(&w);
    free(src);
    free(dst);
    free(check);
    return 0;
}
