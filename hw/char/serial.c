/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * serial.c - the 16550A UART core (see serial.h for the model).
 *
 * Data structures: the register file plus one 16-byte receive ring
 * (struct serial_fifo). There is no transmit FIFO: a THR write reaches
 * the backend (or, in loopback, the receive ring) before it returns, so
 * the transmitter is always empty when the guest looks. In 16450 mode
 * (FCR bit 0 clear) the receive ring holds one byte.
 *
 * Interrupts: serial_update_irq_locked() recomputes the identification
 * from the sources in priority order (line status > received data /
 * character timeout > THR empty > modem status) and calls the irq
 * callback when the output level changes.
 *
 * Threading: one mutex per UART guards everything; see serial.h.
 */
#include <errno.h>
#include <string.h>

#include "hw/char/serial.h"

static const uint8_t serial_itl[4] = { 1, 4, 8, 14 };

/* Modem lines the host side presents when not in loopback. */
#define SERIAL_HOST_MSR_LINES (SERIAL_MSR_DCD | SERIAL_MSR_DSR | SERIAL_MSR_CTS)

static unsigned serial_rx_capacity(const struct serial_state *s)
{
    return (s->fcr & SERIAL_FCR_FE) ? SERIAL_FIFO_SIZE : 1;
}

static unsigned serial_rx_trigger(const struct serial_state *s)
{
    return (s->fcr & SERIAL_FCR_FE) ? serial_itl[s->fcr >> 6] : 1;
}

static void serial_fifo_reset(struct serial_fifo *f)
{
    f->head = 0;
    f->count = 0;
}

static void serial_fifo_push(struct serial_fifo *f, uint8_t c)
{
    f->data[(f->head + f->count) % SERIAL_FIFO_SIZE] = c;
    f->count++;
}

static uint8_t serial_fifo_pop(struct serial_fifo *f)
{
    uint8_t c = f->data[f->head];

    f->head = (f->head + 1) % SERIAL_FIFO_SIZE;
    f->count--;
    return c;
}

/* The interrupt identification the guest would read now (low 4 bits). */
static uint8_t serial_pending_iir_locked(const struct serial_state *s)
{
    if ((s->ier & SERIAL_IER_RLSI) && (s->lsr & SERIAL_LSR_INT_ANY)) {
        return SERIAL_IIR_RLSI;
    }
    if ((s->ier & SERIAL_IER_RDI) && s->timeout_ipending) {
        return SERIAL_IIR_CTI;
    }
    if ((s->ier & SERIAL_IER_RDI) && (s->lsr & SERIAL_LSR_DR) &&
        s->rx.count >= serial_rx_trigger(s)) {
        return SERIAL_IIR_RDI;
    }
    if ((s->ier & SERIAL_IER_THRI) && s->thr_ipending) {
        return SERIAL_IIR_THRI;
    }
    if ((s->ier & SERIAL_IER_MSI) && (s->msr & SERIAL_MSR_DELTA)) {
        return SERIAL_IIR_MSI;
    }
    return SERIAL_IIR_NO_INT;
}

static void serial_update_irq_locked(struct serial_state *s)
{
    int level = serial_pending_iir_locked(s) != SERIAL_IIR_NO_INT;

    if (level != s->irq_level) {
        s->irq_level = level;
        if (s->irq) {
            s->irq(s->irq_opaque, level);
        }
    }
}

/* Set the modem input lines to @lines (MSR bits 4-7), recording deltas. */
static void serial_set_msr_lines_locked(struct serial_state *s, uint8_t lines)
{
    uint8_t old = s->msr;
    uint8_t delta = 0;

    if ((old ^ lines) & SERIAL_MSR_CTS) {
        delta |= SERIAL_MSR_DCTS;
    }
    if ((old ^ lines) & SERIAL_MSR_DSR) {
        delta |= SERIAL_MSR_DDSR;
    }
    if ((old & SERIAL_MSR_RI) && !(lines & SERIAL_MSR_RI)) {
        delta |= SERIAL_MSR_TERI; /* trailing edge of ring */
    }
    if ((old ^ lines) & SERIAL_MSR_DCD) {
        delta |= SERIAL_MSR_DDCD;
    }
    s->msr = (lines & 0xf0) | (old & SERIAL_MSR_DELTA) | delta;
}

/* In loopback the outputs drive the inputs: DTR->DSR, RTS->CTS,
 * OUT1->RI, OUT2->DCD. */
static uint8_t serial_loop_lines(uint8_t mcr)
{
    uint8_t lines = 0;

    if (mcr & SERIAL_MCR_DTR) {
        lines |= SERIAL_MSR_DSR;
    }
    if (mcr & SERIAL_MCR_RTS) {
        lines |= SERIAL_MSR_CTS;
    }
    if (mcr & SERIAL_MCR_OUT1) {
        lines |= SERIAL_MSR_RI;
    }
    if (mcr & SERIAL_MCR_OUT2) {
        lines |= SERIAL_MSR_DCD;
    }
    return lines;
}

/* One byte arrives on the receive line. Return: true if stored. */
static bool serial_rx_byte_locked(struct serial_state *s, uint8_t c)
{
    unsigned cap = serial_rx_capacity(s);

    if (s->rx.count >= cap) {
        s->lsr |= SERIAL_LSR_OE;
        s->rx_overruns++;
        if (cap == 1) {
            /* 16450: the new character overwrites the holding register. */
            s->rx.data[s->rx.head] = c;
        }
        log_debug("%s: receive overrun", s->name);
        return false;
    }
    serial_fifo_push(&s->rx, c);
    s->lsr |= SERIAL_LSR_DR;
    s->rx_bytes++;
    if (s->rx.count == cap) {
        s->rx_was_full = true;
    }
    return true;
}

/* After a batch of received bytes, or a read leaving data behind. */
static void serial_rx_settle_locked(struct serial_state *s)
{
    s->timeout_ipending = (s->fcr & SERIAL_FCR_FE) && s->rx.count > 0 &&
                          s->rx.count < serial_rx_trigger(s);
}

static void serial_rx_reset_locked(struct serial_state *s)
{
    serial_fifo_reset(&s->rx);
    s->lsr &= (uint8_t)~(SERIAL_LSR_DR | SERIAL_LSR_BI | SERIAL_LSR_FIFOE);
    s->timeout_ipending = false;
}

static void serial_reset_locked(struct serial_state *s)
{
    s->divider = 0x0c;
    s->rbr = 0;
    s->ier = 0;
    s->lcr = 0;
    s->mcr = SERIAL_MCR_OUT2;
    s->lsr = SERIAL_LSR_THRE | SERIAL_LSR_TEMT;
    s->msr = SERIAL_HOST_MSR_LINES;
    s->scr = 0;
    s->fcr = 0;
    serial_fifo_reset(&s->rx);
    s->thr_ipending = false;
    s->timeout_ipending = false;
    s->rx_was_full = false;
    serial_update_irq_locked(s);
}

int serial_init(struct serial_state *s, const char *name, serial_irq_fn *irq,
                void *irq_opaque, const struct serial_backend *be)
{
    int rc;

    memset(s, 0, sizeof(*s));
    rc = pthread_mutex_init(&s->lock, NULL);
    if (rc) {
        return -rc;
    }
    s->name = name ? name : "serial";
    s->irq = irq;
    s->irq_opaque = irq_opaque;
    if (be) {
        s->be = *be;
    }
    serial_reset_locked(s);
    return 0;
}

void serial_destroy(struct serial_state *s)
{
    pthread_mutex_destroy(&s->lock);
}

void serial_reset(struct serial_state *s)
{
    pthread_mutex_lock(&s->lock);
    serial_reset_locked(s);
    pthread_mutex_unlock(&s->lock);
}

void serial_set_backend(struct serial_state *s, const struct serial_backend *be)
{
    pthread_mutex_lock(&s->lock);
    if (be) {
        s->be = *be;
    } else {
        memset(&s->be, 0, sizeof(s->be));
    }
    pthread_mutex_unlock(&s->lock);
}

static void serial_thr_write_locked(struct serial_state *s, uint8_t val)
{
    /* The holding register fills: a pending THRE interrupt goes away... */
    s->thr_ipending = false;
    s->lsr &= (uint8_t)~(SERIAL_LSR_THRE | SERIAL_LSR_TEMT);
    serial_update_irq_locked(s);

    /* ...and the byte leaves at once. */
    if (s->mcr & SERIAL_MCR_LOOP) {
        serial_rx_byte_locked(s, val);
        serial_rx_settle_locked(s);
    } else if (s->be.write) {
        s->be.write(s->be.opaque, &val, 1);
    }
    s->tx_bytes++;
    s->lsr |= SERIAL_LSR_THRE | SERIAL_LSR_TEMT;
    s->thr_ipending = true;
    serial_update_irq_locked(s);
}

static void serial_fcr_write_locked(struct serial_state *s, uint8_t val)
{
    if ((val ^ s->fcr) & SERIAL_FCR_FE) {
        /* Enabling or disabling the FIFOs clears them. */
        serial_rx_reset_locked(s);
        s->rx_was_full = true; /* room appears: let the backend know */
    }
    if (val & SERIAL_FCR_RFR) {
        serial_rx_reset_locked(s);
        s->rx_was_full = true;
    }
    if (val & SERIAL_FCR_XFR) {
        /* The transmit FIFO is always empty here. */
        s->lsr |= SERIAL_LSR_THRE | SERIAL_LSR_TEMT;
    }
    s->fcr = (val & SERIAL_FCR_FE) ? (val & (SERIAL_FCR_FE | 0x08 |
                                             SERIAL_FCR_ITL_MASK)) : 0;
    serial_rx_settle_locked(s);
}

static void serial_mcr_write_locked(struct serial_state *s, uint8_t val)
{
    s->mcr = val & 0x1f;
    if (s->mcr & SERIAL_MCR_LOOP) {
        serial_set_msr_lines_locked(s, serial_loop_lines(s->mcr));
    } else {
        serial_set_msr_lines_locked(s, SERIAL_HOST_MSR_LINES);
    }
}

/* Return true if the backend should be told that input can flow. */
static bool serial_room_notify_locked(struct serial_state *s)
{
    if (s->rx_was_full && s->rx.count < serial_rx_capacity(s) &&
        !(s->mcr & SERIAL_MCR_LOOP) && s->be.accept_input) {
        s->rx_was_full = false;
        return true;
    }
    return false;
}

void serial_write(struct serial_state *s, unsigned reg, uint8_t val)
{
    bool notify = false;
    struct serial_backend be;

    pthread_mutex_lock(&s->lock);
    switch (reg) {
    case SERIAL_RBR:
        if (s->lcr & SERIAL_LCR_DLAB) {
            s->divider = (uint16_t)((s->divider & 0xff00) | val);
        } else {
            serial_thr_write_locked(s, val);
        }
        break;
    case SERIAL_IER:
        if (s->lcr & SERIAL_LCR_DLAB) {
            s->divider = (uint16_t)((s->divider & 0x00ff) | (val << 8));
        } else {
            uint8_t changed = (s->ier ^ val) & 0x0f;

            s->ier = val & 0x0f;
            if (changed & SERIAL_IER_THRI) {
                /* Enabling THRI while THR is empty interrupts at once. */
                s->thr_ipending = (s->ier & SERIAL_IER_THRI) &&
                                  (s->lsr & SERIAL_LSR_THRE);
            }
        }
        break;
    case SERIAL_IIR:
        serial_fcr_write_locked(s, val);
        notify = serial_room_notify_locked(s);
        break;
    case SERIAL_LCR:
        s->lcr = val;
        break;
    case SERIAL_MCR:
        serial_mcr_write_locked(s, val);
        notify = serial_room_notify_locked(s);
        break;
    case SERIAL_LSR:
        break; /* read-only on a 16550 (factory test only) */
    case SERIAL_MSR:
        break; /* read-only */
    case SERIAL_SCR:
        s->scr = val;
        break;
    default:
        log_warn_rl(&s->rl, "%s: write to register %u ignored", s->name, reg);
        break;
    }
    serial_update_irq_locked(s);
    be = s->be;
    pthread_mutex_unlock(&s->lock);
    if (notify) {
        be.accept_input(be.opaque);
    }
}

static uint8_t serial_rbr_read_locked(struct serial_state *s)
{
    if (s->rx.count) {
        s->rbr = serial_fifo_pop(&s->rx);
    } else if (s->fcr & SERIAL_FCR_FE) {
        s->rbr = 0;             /* an empty FIFO reads 0 (as QEMU) */
    }
    if (!s->rx.count) {
        s->lsr &= (uint8_t)~(SERIAL_LSR_DR | SERIAL_LSR_BI);
    }
    serial_rx_settle_locked(s);
    return s->rbr;
}

uint8_t serial_read(struct serial_state *s, unsigned reg)
{
    uint8_t ret = 0xff;
    bool notify = false;
    struct serial_backend be;

    pthread_mutex_lock(&s->lock);
    switch (reg) {
    case SERIAL_RBR:
        if (s->lcr & SERIAL_LCR_DLAB) {
            ret = (uint8_t)(s->divider & 0xff);
        } else {
            ret = serial_rbr_read_locked(s);
            notify = serial_room_notify_locked(s);
        }
        break;
    case SERIAL_IER:
        ret = (s->lcr & SERIAL_LCR_DLAB) ? (uint8_t)(s->divider >> 8) : s->ier;
        break;
    case SERIAL_IIR: {
        uint8_t id = serial_pending_iir_locked(s);

        ret = id | ((s->fcr & SERIAL_FCR_FE) ? SERIAL_IIR_FE : 0);
        if (id == SERIAL_IIR_THRI) {
            /* Reading IIR while it reports THRE clears that interrupt. */
            s->thr_ipending = false;
        }
        break;
    }
    case SERIAL_LCR:
        ret = s->lcr;
        break;
    case SERIAL_MCR:
        ret = s->mcr;
        break;
    case SERIAL_LSR:
        ret = s->lsr;
        s->lsr &= (uint8_t)~(SERIAL_LSR_OE | SERIAL_LSR_PE | SERIAL_LSR_FE |
                             SERIAL_LSR_BI | SERIAL_LSR_FIFOE);
        if (s->rx.count) {
            s->lsr |= SERIAL_LSR_DR;
        }
        break;
    case SERIAL_MSR:
        ret = s->msr;
        s->msr &= (uint8_t)~SERIAL_MSR_DELTA;
        break;
    case SERIAL_SCR:
        ret = s->scr;
        break;
    default:
        log_warn_rl(&s->rl, "%s: read of register %u", s->name, reg);
        break;
    }
    serial_update_irq_locked(s);
    be = s->be;
    pthread_mutex_unlock(&s->lock);
    if (notify) {
        be.accept_input(be.opaque);
    }
    return ret;
}

size_t serial_can_receive(struct serial_state *s)
{
    size_t room;

    pthread_mutex_lock(&s->lock);
    room = serial_rx_capacity(s) - s->rx.count;
    if (!room) {
        s->rx_was_full = true;
    }
    pthread_mutex_unlock(&s->lock);
    return room;
}

size_t serial_receive(struct serial_state *s, const uint8_t *buf, size_t len)
{
    size_t stored = 0;

    pthread_mutex_lock(&s->lock);
    if (s->mcr & SERIAL_MCR_LOOP) {
        /* The line is disconnected from the outside: drop. */
        pthread_mutex_unlock(&s->lock);
        return 0;
    }
    for (size_t i = 0; i < len; i++) {
        stored += serial_rx_byte_locked(s, buf[i]);
    }
    serial_rx_settle_locked(s);
    serial_update_irq_locked(s);
    pthread_mutex_unlock(&s->lock);
    return stored;
}

void serial_receive_break(struct serial_state *s)
{
    pthread_mutex_lock(&s->lock);
    if (!(s->mcr & SERIAL_MCR_LOOP)) {
        if (serial_rx_byte_locked(s, 0)) {
            s->lsr |= SERIAL_LSR_BI;
        }
        serial_rx_settle_locked(s);
        serial_update_irq_locked(s);
    }
    pthread_mutex_unlock(&s->lock);
}

static uint64_t serial_mr_read(void *opaque, hwaddr addr, unsigned size)
{
    return serial_read(opaque, (unsigned)(addr & 7));
}

static void serial_mr_write(void *opaque, hwaddr addr, uint64_t data,
                            unsigned size)
{
    serial_write(opaque, (unsigned)(addr & 7), (uint8_t)data);
}

const MemoryRegionOps serial_ops = {
    .read = serial_mr_read,
    .write = serial_mr_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
    .impl = { .min_access_size = 1, .max_access_size = 1 },
};
