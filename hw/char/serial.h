/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * serial.h - a 16550A UART: the bus-agnostic core and its ISA glue.
 *
 * The core (struct serial_state) holds the registers and the 16-byte
 * receive FIFO and is driven through serial_ops (one MemoryRegionOps for
 * port I/O or MMIO, 8 registers of one byte). It knows nothing about buses: its
 * interrupt output is a callback, its host side a struct serial_backend.
 * serial_isa_*() puts a core at an I/O port with an hw/irq.h line (COM1:
 * port 0x3f8, ISA IRQ 4).
 *
 * Host side (the "backend"): the UART calls backend->write() for every
 * byte the guest transmits (never in loopback mode) and
 * backend->accept_input() when room appears in the receive FIFO after it
 * was full; the backend asks serial_can_receive() how many bytes the guest
 * can take now and hands them over with serial_receive(). Bytes pushed
 * beyond that room are lost and reported to the guest as an overrun (LSR
 * OE), as on hardware: neither a flooding guest nor a flooding host can
 * make the UART block or grow memory.
 *
 * Transmission is instantaneous: a THR write goes to the backend at once
 * and THR/transmitter empty are set again before the write returns, so
 * each THR write re-arms the THR-empty interrupt (the line drops and
 * rises again: a new edge). That interrupt (IER bit 1) stays pending
 * until the guest reads IIR while it is the reported source or clears
 * IER bit 1; setting IER bit 1 while THR is empty arms it at once.
 * The receive character timeout (IIR 0x0c, FIFO mode) is reported as
 * soon as a batch given to serial_receive() leaves the FIFO below its
 * trigger level (the host has no more characters to wait for), and again
 * after each RBR read that leaves data below the trigger level. An empty
 * receive FIFO reads 0 in FIFO mode, the last byte in 16450 mode.
 * The interrupt output is not gated by MCR OUT2 (as QEMU).
 *
 * Reset values (what a guest reads after reset, as QEMU's serial):
 * RBR 0x00, IER 0x00, IIR 0x01, LCR 0x00, MCR 0x08 (OUT2), LSR 0x60
 * (THRE|TEMT), MSR 0xb0 (DCD|DSR|CTS), SCR 0x00, divisor 0x000c (9600).
 *
 * Locking: every entry point takes the core's mutex, so the ioreq thread
 * (register accesses) and a backend thread (serial_receive) may run
 * concurrently. The irq callback and backend->write() are called with
 * the mutex held and must not call back into the UART;
 * backend->accept_input() is called without it.
 */
#ifndef XENDM_HW_CHAR_SERIAL_H
#define XENDM_HW_CHAR_SERIAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hw/irq.h"
#include "memory/memory.h"
#include "util/log.h"

/* Register offsets (DLAB=0 meaning first). */
#define SERIAL_RBR 0 /* read: receiver buffer; write: THR; DLAB: DLL */
#define SERIAL_IER 1 /* DLAB: DLM */
#define SERIAL_IIR 2 /* read: IIR */
#define SERIAL_FCR 2 /* write: FIFO control */
#define SERIAL_LCR 3
#define SERIAL_MCR 4
#define SERIAL_LSR 5
#define SERIAL_MSR 6
#define SERIAL_SCR 7

#define SERIAL_IER_RDI 0x01  /* received data available */
#define SERIAL_IER_THRI 0x02 /* THR empty */
#define SERIAL_IER_RLSI 0x04 /* receiver line status */
#define SERIAL_IER_MSI 0x08  /* modem status */

#define SERIAL_IIR_NO_INT 0x01
#define SERIAL_IIR_MSI 0x00
#define SERIAL_IIR_THRI 0x02
#define SERIAL_IIR_RDI 0x04
#define SERIAL_IIR_RLSI 0x06
#define SERIAL_IIR_CTI 0x0c   /* character timeout */
#define SERIAL_IIR_FE 0xc0    /* FIFOs enabled */

#define SERIAL_FCR_FE 0x01
#define SERIAL_FCR_RFR 0x02
#define SERIAL_FCR_XFR 0x04
#define SERIAL_FCR_ITL_MASK 0xc0

#define SERIAL_LCR_DLAB 0x80
#define SERIAL_LCR_SB 0x40   /* set break */

#define SERIAL_MCR_DTR 0x01
#define SERIAL_MCR_RTS 0x02
#define SERIAL_MCR_OUT1 0x04
#define SERIAL_MCR_OUT2 0x08
#define SERIAL_MCR_LOOP 0x10

#define SERIAL_LSR_DR 0x01
#define SERIAL_LSR_OE 0x02
#define SERIAL_LSR_PE 0x04
#define SERIAL_LSR_FE 0x08
#define SERIAL_LSR_BI 0x10
#define SERIAL_LSR_THRE 0x20
#define SERIAL_LSR_TEMT 0x40
#define SERIAL_LSR_FIFOE 0x80 /* error in RX FIFO */
#define SERIAL_LSR_INT_ANY 0x1e

#define SERIAL_MSR_DCTS 0x01
#define SERIAL_MSR_DDSR 0x02
#define SERIAL_MSR_TERI 0x04
#define SERIAL_MSR_DDCD 0x08
#define SERIAL_MSR_CTS 0x10
#define SERIAL_MSR_DSR 0x20
#define SERIAL_MSR_RI 0x40
#define SERIAL_MSR_DCD 0x80
#define SERIAL_MSR_DELTA 0x0f

#define SERIAL_FIFO_SIZE 16
/* Number of registers (the size of the port range). */
#define SERIAL_NR_REGS 8

/**
 * struct serial_backend - the host side of a UART.
 * @write: the guest transmitted @len bytes (@len is 1 today). Must not
 *         block: a backend that cannot keep up drops bytes (a real line
 *         does not wait either). May be NULL (bytes are discarded).
 * @accept_input: optional; the receive FIFO had no room and now has some
 *         (serial_can_receive() > 0). Called without the UART's lock.
 * @opaque: passed to both.
 */
struct serial_backend {
    void (*write)(void *opaque, const uint8_t *buf, size_t len);
    void (*accept_input)(void *opaque);
    void *opaque;
};

/**
 * typedef serial_irq_fn - the UART's interrupt output changed.
 * @opaque: the pointer given to serial_init().
 * @level: 1 asserted, 0 deasserted.
 * Called with the UART's lock held, only when the level changes.
 */
typedef void serial_irq_fn(void *opaque, int level);

/**
 * struct serial_fifo - a 16-byte ring. Private to serial.c.
 */
struct serial_fifo {
    uint8_t data[SERIAL_FIFO_SIZE];
    unsigned head;  /* index of the oldest byte */
    unsigned count;
};

/**
 * struct serial_state - one 16550A. Embed it; fields are private to
 * serial.c (tests read them only through the registers).
 */
struct serial_state {
    pthread_mutex_t lock;
    const char *name;          /* for logs; not copied */
    serial_irq_fn *irq;
    void *irq_opaque;
    int irq_level;
    struct serial_backend be;

    uint16_t divider;
    uint8_t rbr;               /* last byte read (returned when empty) */
    uint8_t ier;
    uint8_t lcr;
    uint8_t mcr;
    uint8_t lsr;
    uint8_t msr;
    uint8_t scr;
    uint8_t fcr;               /* last FCR value (FE and trigger bits) */
    struct serial_fifo rx;

    bool thr_ipending;         /* THR-empty interrupt pending */
    bool timeout_ipending;     /* RX character timeout pending */
    bool rx_was_full;          /* tell the backend when room appears */
    uint64_t tx_bytes;         /* statistics */
    uint64_t rx_bytes;
    uint64_t rx_overruns;
    struct log_ratelimit rl;
};

/**
 * serial_init() - initialise @s in its reset state.
 * @s: caller-owned storage.
 * @name: for log messages (not copied).
 * @irq: interrupt output callback (may be NULL).
 * @irq_opaque: passed to @irq.
 * @be: the backend (copied; may be NULL for none).
 * Return: 0 or -errno (mutex creation).
 */
int serial_init(struct serial_state *s, const char *name, serial_irq_fn *irq,
                void *irq_opaque, const struct serial_backend *be)
    __attribute__((warn_unused_result));

/** serial_destroy() - release what serial_init() set up. */
void serial_destroy(struct serial_state *s);

/**
 * serial_reset() - return to the reset values (see the file comment);
 * deasserts the interrupt. Thread-safe.
 */
void serial_reset(struct serial_state *s);

/**
 * serial_set_backend() - replace the backend (NULL = none). Thread-safe.
 */
void serial_set_backend(struct serial_state *s,
                        const struct serial_backend *be);

/**
 * serial_read() - a guest read of register @reg (0-7). Thread-safe;
 * called on the ioreq path. Return: the byte.
 */
uint8_t serial_read(struct serial_state *s, unsigned reg);

/**
 * serial_write() - a guest write of @val to register @reg (0-7).
 * Thread-safe; called on the ioreq path.
 */
void serial_write(struct serial_state *s, unsigned reg, uint8_t val);

/**
 * serial_can_receive() - how many bytes the guest can take now (room in
 * the receive FIFO, or 0/1 in 16450 mode). Thread-safe.
 */
size_t serial_can_receive(struct serial_state *s);

/**
 * serial_receive() - the host sends @len bytes to the guest. Bytes past
 * serial_can_receive() are dropped and set LSR OE. In loopback mode the
 * line is disconnected and the bytes are dropped silently. Thread-safe.
 * Return: the number of bytes stored.
 */
size_t serial_receive(struct serial_state *s, const uint8_t *buf, size_t len);

/**
 * serial_receive_break() - the host sends a break: BI and a 0 byte.
 * Thread-safe.
 */
void serial_receive_break(struct serial_state *s);

/**
 * serial_ops - MemoryRegionOps for the 8 registers, with a struct
 * serial_state as opaque: 1-byte accesses (wider ones are split by the
 * memory core), little-endian.
 */
extern const MemoryRegionOps serial_ops;

/* ------------------------------------------------------------------ */
/* ISA glue                                                             */
/* ------------------------------------------------------------------ */

/**
 * struct serial_isa - a UART at an ISA port with an ISA IRQ line.
 * @uart: the core.
 * @io: its 8-port I/O region (mapped in the I/O root at @base).
 * @io_parent: where @io is mapped.
 * @irq: the hw/irq.h line driven by the core (not owned).
 * @base: the port (0x3f8 for COM1).
 */
struct serial_isa {
    struct serial_state uart;
    MemoryRegion io;
    MemoryRegion *io_parent;
    IRQLine *irq;
    uint16_t base;
};

#define SERIAL_ISA_COM1_BASE 0x3f8
#define SERIAL_ISA_COM1_IRQ 4

/**
 * serial_isa_init() - create a UART at port @base of @io_root, driving
 * @irq (an hw/irq.h line, e.g. the platform's ISA IRQ 4; may be NULL).
 * @d: caller-owned storage.
 * @ms: the memory system of @io_root.
 * @io_root: the I/O address space's root region.
 * @owner: owner of the region (may be NULL).
 * @be: backend (copied; may be NULL).
 * Return: 0 or -errno. Call on the device-model thread.
 */
int serial_isa_init(struct serial_isa *d, MemorySystem *ms,
                    MemoryRegion *io_root, Object *owner, uint16_t base,
                    IRQLine *irq, const struct serial_backend *be)
    __attribute__((warn_unused_result));

/** serial_isa_destroy() - unmap the ports and release the core. */
void serial_isa_destroy(struct serial_isa *d);

#endif /* XENDM_HW_CHAR_SERIAL_H */
