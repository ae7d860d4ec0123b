/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * piix.h - the PIIX3 ISA bridge function (00:01.0) with its reset control
 * ports, and the PIIX4 power-management function (00:01.3). The PIIX3 IDE
 * function (00:01.1) lives in hw/ide/.
 *
 * PIIX3 ISA, 8086:7000, class 0x0601, header type 0x80 (multi-function):
 *  - PIRQ route registers 0x60-0x63 (PIRQA-D): a guest write calls
 *    set_pci_link_route(link, irq) for each byte written; a value with
 *    bit 7 set (>= 0x80) disables the link (irq 0); otherwise irq is the
 *    low 4 bits. Defaults 0x80.
 *  - Reset control register, port 0xcf9 (1 byte): writing bit 2 (RCPU)
 *    requests a reboot (platform shutdown(reboot)); bit 1 (SRST) is kept
 *    and read back; other bits read 0.
 *  - Port 0x92 (system control port A): a 0 -> 1 transition of bit 0 (fast
 *    init) requests a reboot; bit 1 (A20) is kept and read back.
 *
 * PIIX4 PM, 8086:7113, class 0x0680: PMBA at config 0x40 (bits 15:6 the
 * base, bit 0 reads 1), PMREGMISC at 0x80 (bit 0 enables the I/O space).
 * The PM1 block at PMBA (8 bytes; PMBA+8 onwards, the PM timer, is Xen's):
 *  - PM1a_STS (0, 16 bits, write-1-to-clear), PM1a_EN (2, 16 bits),
 *  - PM1a_CNT (4, 16 bits): SCI_EN (bit 0, reads 1 after reset: the
 *    machine is ACPI-only), SLP_TYP (bits 12:10), SLP_EN (bit 13, write-only).
 *    Writing SLP_EN with SLP_TYP 7 (Xen hvmloader's DSDT \_S5) or 0
 *    (QEMU's DSDT convention) calls shutdown(poweroff) before the write
 *    completes; other sleep types are logged as unsupported and ignored.
 *
 * Threading: device-model thread.
 */
#ifndef XENDM_HW_PIIX_H
#define XENDM_HW_PIIX_H

#include "hw/pci.h"
#include "hw/platform.h"
#include "util/log.h"

#define PIIX3_VENDOR_ID 0x8086
#define PIIX3_ISA_DEVICE_ID 0x7000
#define PIIX3_ISA_CLASS 0x0601
#define PIIX3_PIRQCA 0x60       /* PIRQ route A..D: 0x60..0x63 */
#define PIIX3_PIRQ_DISABLE 0x80
#define PIIX3_RCR_PORT 0xcf9
#define PIIX3_RCR_SRST 0x02
#define PIIX3_RCR_RCPU 0x04
#define PIIX3_PORT92 0x92

#define PIIX4_PM_DEVICE_ID 0x7113
#define PIIX4_PM_CLASS 0x0680
#define PIIX4_PM_REVISION 0x03
#define PIIX4_PMBA 0x40
#define PIIX4_PMREGMISC 0x80
#define PIIX4_PM_IO_SIZE 8
#define PIIX4_PM1_STS 0
#define PIIX4_PM1_EN 2
#define PIIX4_PM1_CNT 4
#define  PIIX4_PM1_CNT_SCI_EN 0x0001
#define  PIIX4_PM1_CNT_SLP_TYP_SHIFT 10
#define  PIIX4_PM1_CNT_SLP_TYP_MASK 0x1c00
#define  PIIX4_PM1_CNT_SLP_EN 0x2000
/* SLP_TYP values that mean S5 (see the top comment). */
#define PIIX4_SLP_TYP_S5_XEN 7
#define PIIX4_SLP_TYP_S5_QEMU 0

/**
 * struct PIIX3State - the PIIX3 ISA bridge.
 * @pci: its PCI function.
 * @platform: link routes and reboot requests go there.
 * @ms: the memory system of @io.
 * @io: the I/O space root the fixed ports are in.
 * @rcr_mr: port 0xcf9 (1 byte, priority 1 over the 0xcf8 latch).
 * @port92_mr: port 0x92.
 * @rcr: reset control register value (SRST).
 * @port92: port 0x92 value (A20).
 * @mapped: whether the port regions are mapped.
 * @rl: guest-triggered message limiter.
 */
typedef struct PIIX3State {
    PCIDevice pci;
    const Platform *platform;
    MemorySystem *ms;
    MemoryRegion *io;
    MemoryRegion rcr_mr;
    MemoryRegion port92_mr;
    uint8_t rcr;
    uint8_t port92;
    bool mapped;
    struct log_ratelimit rl;
} PIIX3State;

/**
 * piix3_init() - the ISA bridge at 00:01.0 of @bus, ports in @io.
 * Return: 0 or -errno.
 */
int piix3_init(PIIX3State *s, MemorySystem *ms, PCIBus *bus, MemoryRegion *io,
               const Platform *platform) __attribute__((warn_unused_result));
/** piix3_exit() - unmap the ports, leave the bus, finalise the regions. */
void piix3_exit(PIIX3State *s);

/**
 * struct PIIX4PMState - the PIIX4 power-management function.
 * @pci: its PCI function.
 * @platform: power-off requests go there.
 * @pm_mr: the PM1 block (PIIX4_PM_IO_SIZE bytes) in the bus's I/O
 *         container at PMBA while PMREGMISC bit 0 is set.
 * @pm_base: where @pm_mr is mapped, or 0 when unmapped.
 * @pm1_sts, @pm1_en, @pm1_cnt: the PM1a registers.
 * @poweroff_requests: S5 entries seen (for tests and logs).
 * @rl: guest-triggered message limiter.
 */
typedef struct PIIX4PMState {
    PCIDevice pci;
    const Platform *platform;
    MemoryRegion pm_mr;
    uint16_t pm_base;
    uint16_t pm1_sts;
    uint16_t pm1_en;
    uint16_t pm1_cnt;
    unsigned poweroff_requests;
    struct log_ratelimit rl;
} PIIX4PMState;

/**
 * piix4_pm_init() - the PM function at @devfn (00:01.3 on xenfv) of @bus.
 * Return: 0 or -errno.
 */
int piix4_pm_init(PIIX4PMState *s, MemorySystem *ms, PCIBus *bus, int devfn,
                  const Platform *platform)
    __attribute__((warn_unused_result));
/** piix4_pm_exit() - unmap the PM block, leave the bus, finalise. */
void piix4_pm_exit(PIIX4PMState *s);

#endif /* XENDM_HW_PIIX_H */
