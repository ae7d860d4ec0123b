/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_serial.c - the 16550 UART driven through the I/O address space at
 * 0x3f8 as a guest would: reset values, DLAB, transmit, THR-empty
 * interrupt re-arm rules, FIFOs and trigger levels, character timeout,
 * overrun, interrupt priority, loopback, flow control towards the host
 * backend, floods in both directions.
 */
#include <check.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "hw/char/serial.h"
#include "hw/irq.h"
#include "memory/memory.h"
#include "util/log.h"

#define COM1 0x3f8

struct sink {
    uint8_t buf[4096];
    size_t len;
    uint64_t total;
    unsigned accept_calls;
};

static MemorySystem *ms;
static MemoryRegion io_root;
static AddressSpace io_as;
static IRQRecorder rec;
static IRQLine line;
static struct serial_isa dev;
static struct sink sink;

static void sink_write(void *opaque, const uint8_t *buf, size_t len)
{
    struct sink *k = opaque;

    for (size_t i = 0; i < len; i++) {
        if (k->len < sizeof(k->buf)) {
            k->buf[k->len++] = buf[i];
        }
    }
    k->total += len;
}

static void sink_accept(void *opaque)
{
    struct sink *k = opaque;

    k->accept_calls++;
}

static const struct serial_backend sink_be_tmpl = {
    .write = sink_write, .accept_input = sink_accept,
};

static void setup(void)
{
    struct serial_backend be = sink_be_tmpl;

    log_set_level(LOG_LEVEL_ERR);
    memset(&sink, 0, sizeof(sink));
    be.opaque = &sink;
    ms = memory_system_new();
    ck_assert_ptr_nonnull(ms);
    memory_region_init(&io_root, ms, NULL, "io", 0x10000);
    address_space_init(&io_as, ms, &io_root, "I/O");
    irq_recorder_init(&rec);
    irq_recorder_line(&rec, &line, SERIAL_ISA_COM1_IRQ);
    ck_assert_int_eq(serial_isa_init(&dev, ms, &io_root, NULL, COM1, &line,
                                     &be), 0);
}

static void teardown(void)
{
    serial_isa_destroy(&dev);
    address_space_destroy(&io_as);
    memory_region_finalize(&io_root);
    memory_system_free(ms);
    irq_recorder_destroy(&rec);
    log_set_level(LOG_LEVEL_INFO);
}

static uint8_t inb(unsigned reg)
{
    MemTxResult r = 0;
    uint8_t v = (uint8_t)address_space_ldub(&io_as, COM1 + reg,
                                            MEMTXATTRS_UNSPECIFIED, &r);

    ck_assert_uint_eq(r, MEMTX_OK);
    return v;
}

static void outb(unsigned reg, uint8_t v)
{
    MemTxResult r = 0;

    address_space_stb(&io_as, COM1 + reg, v, MEMTXATTRS_UNSPECIFIED, &r);
    ck_assert_uint_eq(r, MEMTX_OK);
}

static int irq4(void)
{
    return irq_recorder_level(&rec, SERIAL_ISA_COM1_IRQ);
}

static void host_send(const char *s)
{
    serial_receive(&dev.uart, (const uint8_t *)s, strlen(s));
}

START_TEST(reset_values)
{
    ck_assert_uint_eq(inb(SERIAL_IER), 0x00);
    ck_assert_uint_eq(inb(SERIAL_IIR), 0x01);
    ck_assert_uint_eq(inb(SERIAL_LCR), 0x00);
    ck_assert_uint_eq(inb(SERIAL_MCR), 0x08);
    ck_assert_uint_eq(inb(SERIAL_LSR), 0x60);
    ck_assert_uint_eq(inb(SERIAL_MSR), 0xb0);
    ck_assert_uint_eq(inb(SERIAL_SCR), 0x00);
    ck_assert_uint_eq(inb(SERIAL_RBR), 0x00);
    /* Idle LSR reads stay 0x60. */
    for (int i = 0; i < 4; i++) {
        ck_assert_uint_eq(inb(SERIAL_LSR), 0x60);
    }
    /* Divisor latch: 9600 baud (0x000c). */
    outb(SERIAL_LCR, SERIAL_LCR_DLAB | 0x03);
    ck_assert_uint_eq(inb(SERIAL_RBR), 0x0c);
    ck_assert_uint_eq(inb(SERIAL_IER), 0x00);
    ck_assert_int_eq(irq4(), 0);
    /* A 32-bit read of the block is split into byte reads. */
    outb(SERIAL_LCR, 0x03);
    outb(SERIAL_SCR, 0x5a);
    uint32_t v = address_space_ldl_le(&io_as, COM1 + 4, MEMTXATTRS_UNSPECIFIED,
                                      NULL);
    ck_assert_uint_eq(v, 0x5ab06008u);
}
END_TEST

START_TEST(dlab_and_scratch)
{
    outb(SERIAL_LCR, 0x83);
    outb(SERIAL_RBR, 0x01);          /* DLL: 115200 */
    outb(SERIAL_IER, 0x00);          /* DLM */
    ck_assert_uint_eq(inb(SERIAL_RBR), 0x01);
    outb(SERIAL_IER, 0x12);
    ck_assert_uint_eq(inb(SERIAL_IER), 0x12);
    outb(SERIAL_LCR, 0x03);
    /* DLAB writes neither transmitted nor touched IER. */
    ck_assert_uint_eq(sink.total, 0);
    ck_assert_uint_eq(inb(SERIAL_IER), 0);
    ck_assert_uint_eq(inb(SERIAL_LCR), 0x03);
    outb(SERIAL_SCR, 0xa5);
    ck_assert_uint_eq(inb(SERIAL_SCR), 0xa5);
    /* IER keeps the low 4 bits only. */
    outb(SERIAL_IER, 0xf0);
    ck_assert_uint_eq(inb(SERIAL_IER), 0x00);
    /* LSR and MSR writes are ignored. */
    outb(SERIAL_LSR, 0x00);
    ck_assert_uint_eq(inb(SERIAL_LSR), 0x60);
}
END_TEST

START_TEST(transmit)
{
    const char *msg = "Xen HVM banner\r\n";

    for (const char *p = msg; *p; p++) {
        ck_assert(inb(SERIAL_LSR) & SERIAL_LSR_THRE);
        outb(SERIAL_RBR, (uint8_t)*p);
    }
    ck_assert_uint_eq(sink.len, strlen(msg));
    ck_assert(memcmp(sink.buf, msg, sink.len) == 0);
    ck_assert_uint_eq(inb(SERIAL_LSR), 0x60);
    ck_assert_int_eq(irq4(), 0);     /* no interrupt without IER */
}
END_TEST

START_TEST(thre_interrupt_rearm)
{
    /* Enabling THRI while THR is empty interrupts at once. */
    outb(SERIAL_IER, SERIAL_IER_THRI);
    ck_assert_int_eq(irq4(), 1);
    ck_assert_uint_eq(inb(SERIAL_IIR), 0x02);
    /* Reading IIR cleared it. */
    ck_assert_int_eq(irq4(), 0);
    ck_assert_uint_eq(inb(SERIAL_IIR), 0x01);
    /* A THR write re-arms it: a new rising edge. */
    unsigned raises = irq_recorder_raises(&rec, SERIAL_ISA_COM1_IRQ);
    outb(SERIAL_RBR, 'a');
    ck_assert_int_eq(irq4(), 1);
    outb(SERIAL_RBR, 'b');            /* still pending: lower then raise */
    ck_assert_uint_eq(irq_recorder_raises(&rec, SERIAL_ISA_COM1_IRQ),
                      raises + 2);
    /* Disabling THRI drops it; re-enabling raises it again. */
    outb(SERIAL_IER, 0);
    ck_assert_int_eq(irq4(), 0);
    ck_assert_uint_eq(inb(SERIAL_IIR), 0x01);
    outb(SERIAL_IER, SERIAL_IER_THRI);
    ck_assert_int_eq(irq4(), 1);
    /* Writing IER with THRI unchanged does not re-arm after an IIR read. */
    ck_assert_uint_eq(inb(SERIAL_IIR), 0x02);
    outb(SERIAL_IER, SERIAL_IER_THRI);
    ck_assert_int_eq(irq4(), 0);
    ck_assert_uint_eq(inb(SERIAL_IIR), 0x01);
}
END_TEST

START_TEST(fifo_trigger_and_timeout)
{
    outb(SERIAL_FCR, 0xc7);           /* enable, reset both, trigger 14 */
    ck_assert_uint_eq(inb(SERIAL_IIR), 0xc1);
    outb(SERIAL_IER, SERIAL_IER_RDI);
    ck_assert_uint_eq(serial_can_receive(&dev.uart), 16);

    host_send("hello");
    /* Below the trigger: a character timeout. */
    ck_assert_uint_eq(inb(SERIAL_LSR), 0x61);
    ck_assert_uint_eq(inb(SERIAL_IIR), 0xcc);
    ck_assert_int_eq(irq4(), 1);
    char got[8] = { 0 };
    for (int i = 0; i < 5; i++) {
        got[i] = (char)inb(SERIAL_RBR);
    }
    ck_assert_str_eq(got, "hello");
    ck_assert_uint_eq(inb(SERIAL_LSR), 0x60);
    ck_assert_uint_eq(inb(SERIAL_IIR), 0xc1);
    ck_assert_int_eq(irq4(), 0);

    /* At the trigger level: received data available. */
    host_send("0123456789abcd");
    ck_assert_uint_eq(inb(SERIAL_IIR), 0xc4);
    ck_assert_uint_eq(serial_can_receive(&dev.uart), 2);
    ck_assert_uint_eq(inb(SERIAL_RBR), '0');
    /* 13 left, below the trigger: the timeout reports them. */
    ck_assert_uint_eq(inb(SERIAL_IIR), 0xcc);

    /* FCR receive reset empties the FIFO. */
    outb(SERIAL_FCR, 0xc3);
    ck_assert_uint_eq(inb(SERIAL_LSR), 0x60);
    ck_assert_uint_eq(inb(SERIAL_IIR), 0xc1);
    ck_assert_int_eq(irq4(), 0);

    /* Trigger level 4. */
    outb(SERIAL_FCR, 0x41);
    host_send("abc");
    ck_assert_uint_eq(inb(SERIAL_IIR), 0xcc);
    host_send("d");
    ck_assert_uint_eq(inb(SERIAL_IIR), 0xc4);

    /* Disabling the FIFO clears it and the IIR FIFO bits. */
    outb(SERIAL_FCR, 0x00);
    ck_assert_uint_eq(inb(SERIAL_IIR), 0x01);
    ck_assert_uint_eq(inb(SERIAL_LSR), 0x60);
}
END_TEST

START_TEST(overrun_and_priority)
{
    outb(SERIAL_FCR, 0x01);           /* FIFO, trigger 1 */
    outb(SERIAL_IER, 0x0f);           /* everything */
    /* THRE pending first (lowest but one). */
    ck_assert_uint_eq(inb(SERIAL_IIR), 0xc2);
    ck_assert_int_eq(irq4(), 0);

    /* Fill past 16: stored 16, OE set. */
    char flood[21];
    memset(flood, 'x', 20);
    flood[20] = 0;
    flood[0] = 'A';
    ck_assert_uint_eq(serial_receive(&dev.uart, (uint8_t *)flood, 20), 16);
    ck_assert_uint_eq(dev.uart.rx_overruns, 4);
    ck_assert_int_eq(irq4(), 1);
    /* Line status has priority over data. */
    ck_assert_uint_eq(inb(SERIAL_IIR), 0xc6);
    ck_assert_uint_eq(inb(SERIAL_LSR), 0x63);   /* reading clears OE */
    ck_assert_uint_eq(inb(SERIAL_LSR), 0x61);
    ck_assert_uint_eq(inb(SERIAL_IIR), 0xc4);
    ck_assert_uint_eq(inb(SERIAL_RBR), 'A');
    /* Drain. */
    while (inb(SERIAL_LSR) & SERIAL_LSR_DR) {
        ck_assert_uint_eq(inb(SERIAL_RBR), 'x');
    }
    ck_assert_uint_eq(inb(SERIAL_IIR), 0xc1);
    /* THRE then modem status: loopback toggles lines (deltas). */
    outb(SERIAL_RBR, 'z');
    outb(SERIAL_MCR, SERIAL_MCR_LOOP | SERIAL_MCR_RTS);
    ck_assert_uint_eq(inb(SERIAL_IIR), 0xc2);   /* THRE above MSI */
    ck_assert_uint_eq(inb(SERIAL_IIR), 0xc0);   /* then modem status */
    uint8_t msr = inb(SERIAL_MSR);
    ck_assert_uint_eq(msr & 0xf0, SERIAL_MSR_CTS);
    ck_assert(msr & SERIAL_MSR_DDSR);
    ck_assert(msr & SERIAL_MSR_DDCD);
    ck_assert_uint_eq(inb(SERIAL_IIR), 0xc1);
    ck_assert_int_eq(irq4(), 0);
}
END_TEST

START_TEST(non_fifo_mode)
{
    outb(SERIAL_IER, SERIAL_IER_RDI);
    ck_assert_uint_eq(serial_can_receive(&dev.uart), 1);
    host_send("a");
    ck_assert_uint_eq(serial_can_receive(&dev.uart), 0);
    ck_assert_uint_eq(inb(SERIAL_IIR), 0x04);
    ck_assert_int_eq(irq4(), 1);
    host_send("b");                   /* overwrites, OE */
    ck_assert_uint_eq(inb(SERIAL_LSR), 0x63);
    ck_assert_uint_eq(inb(SERIAL_RBR), 'b');
    ck_assert_uint_eq(inb(SERIAL_LSR), 0x60);
    ck_assert_int_eq(irq4(), 0);
    /* Flow control: the backend is told when room appears. */
    ck_assert_uint_eq(sink.accept_calls, 1);
}
END_TEST

START_TEST(loopback)
{
    outb(SERIAL_FCR, 0x07);
    outb(SERIAL_MCR, 0x1f);
    ck_assert_uint_eq(inb(SERIAL_MCR), 0x1f);
    ck_assert_uint_eq(inb(SERIAL_MSR) & 0xf0, 0xf0);
    outb(SERIAL_MCR, 0x10);
    uint8_t msr = inb(SERIAL_MSR);
    ck_assert_uint_eq(msr & 0xf0, 0x00);
    ck_assert(msr & SERIAL_MSR_TERI);
    ck_assert_uint_eq(inb(SERIAL_MSR), 0x00);   /* deltas cleared */

    outb(SERIAL_RBR, 'L');
    outb(SERIAL_RBR, 'B');
    ck_assert_uint_eq(sink.total, 0);           /* nothing left the UART */
    /* Host input is disconnected in loopback. */
    ck_assert_uint_eq(serial_receive(&dev.uart, (const uint8_t *)"h", 1), 0);
    ck_assert_uint_eq(inb(SERIAL_LSR), 0x61);
    ck_assert_uint_eq(inb(SERIAL_RBR), 'L');
    ck_assert_uint_eq(inb(SERIAL_RBR), 'B');
    ck_assert_uint_eq(inb(SERIAL_LSR), 0x60);
    outb(SERIAL_MCR, 0x0b);
    ck_assert_uint_eq(inb(SERIAL_MSR) & 0xf0, 0xb0);
    outb(SERIAL_RBR, 'o');
    ck_assert_uint_eq(sink.total, 1);
}
END_TEST

START_TEST(floods)
{
    /* The guest transmits endlessly: each byte goes straight out. */
    outb(SERIAL_IER, 0x0f);
    for (unsigned i = 0; i < 50000; i++) {
        outb(SERIAL_RBR, (uint8_t)i);
    }
    ck_assert_uint_eq(sink.total, 50000);
    ck_assert_uint_eq(inb(SERIAL_LSR) & 0x60, 0x60);
    /* The host floods without the guest reading: bounded, overruns. */
    uint8_t chunk[4096];
    memset(chunk, 'f', sizeof(chunk));
    size_t stored = 0;
    outb(SERIAL_FCR, 0x01);
    for (unsigned i = 0; i < 64; i++) {
        stored += serial_receive(&dev.uart, chunk, sizeof(chunk));
    }
    ck_assert_uint_eq(stored, 16);
    ck_assert_uint_eq(serial_can_receive(&dev.uart), 0);
    ck_assert(inb(SERIAL_LSR) & SERIAL_LSR_OE);
    unsigned calls = sink.accept_calls;
    (void)inb(SERIAL_RBR);
    ck_assert_uint_eq(sink.accept_calls, calls + 1);
    ck_assert_uint_eq(serial_can_receive(&dev.uart), 1);
    /* A break arrives as BI with a zero byte. */
    outb(SERIAL_FCR, 0x07);
    serial_receive_break(&dev.uart);
    ck_assert_uint_eq(inb(SERIAL_LSR), 0x71);
    ck_assert_uint_eq(inb(SERIAL_RBR), 0);
    ck_assert_uint_eq(inb(SERIAL_LSR), 0x60);
}
END_TEST

START_TEST(reset_clears)
{
    outb(SERIAL_IER, 0x0f);
    outb(SERIAL_FCR, 0x01);
    host_send("zz");
    ck_assert_int_eq(irq4(), 1);
    serial_reset(&dev.uart);
    ck_assert_int_eq(irq4(), 0);
    ck_assert_uint_eq(inb(SERIAL_IIR), 0x01);
    ck_assert_uint_eq(inb(SERIAL_LSR), 0x60);
    ck_assert_uint_eq(inb(SERIAL_IER), 0x00);
    /* Without a backend the bytes just go nowhere. */
    serial_set_backend(&dev.uart, NULL);
    outb(SERIAL_RBR, 'q');
    ck_assert_uint_eq(sink.total, 0);
}
END_TEST

/* Random register traffic and host input: the interrupt output always
 * agrees with IIR, THR is always empty, the FIFO never exceeds 16. */
START_TEST(random_traffic)
{
    uint64_t x = 0x243f6a8885a308d3ull;

    for (unsigned i = 0; i < 30000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        unsigned reg = (unsigned)((x >> 8) & 7);
        uint8_t val = (uint8_t)(x >> 24);

        switch ((x >> 40) % 4) {
        case 0:
            if (reg == SERIAL_MCR) {
                val &= 0x0f;     /* stay mostly out of loopback */
            }
            outb(reg, val);
            break;
        case 1:
            (void)inb(reg);
            break;
        case 2: {
            uint8_t in[40];
            memset(in, val, sizeof(in));
            serial_receive(&dev.uart, in, (x >> 48) % sizeof(in));
            break;
        }
        default:
            (void)serial_can_receive(&dev.uart);
            break;
        }
        ck_assert_uint_le(dev.uart.rx.count, SERIAL_FIFO_SIZE);
        if (i % 16 == 0) {
            /* The line is up exactly when IIR reports an interrupt. */
            uint8_t lcr = inb(SERIAL_LCR);
            int level;

            outb(SERIAL_LCR, lcr & 0x7f);
            ck_assert(inb(SERIAL_LSR) & SERIAL_LSR_THRE);
            level = irq4();    /* LSR read may clear a line-status irq */
            ck_assert_int_eq(level, !(inb(SERIAL_IIR) & 1));
            outb(SERIAL_LCR, lcr);
        }
    }
}
END_TEST

/* A host thread feeding input with flow control while the guest (this
 * thread) drains it: every byte arrives once, in order, no overrun. */
#define FEED_BYTES 4000

static void *feeder(void *arg)
{
    struct serial_state *u = arg;
    unsigned sent = 0;

    while (sent < FEED_BYTES) {
        size_t room = serial_can_receive(u);
        uint8_t buf[SERIAL_FIFO_SIZE];
        size_t n = room < sizeof(buf) ? room : sizeof(buf);

        if (n > FEED_BYTES - sent) {
            n = FEED_BYTES - sent;
        }
        for (size_t i = 0; i < n; i++) {
            buf[i] = (uint8_t)(sent + i);
        }
        if (n) {
            ck_assert_uint_eq(serial_receive(u, buf, n), n);
            sent += (unsigned)n;
        } else {
            sched_yield();
        }
    }
    return NULL;
}

START_TEST(concurrent_input)
{
    pthread_t th;
    unsigned got = 0;

    outb(SERIAL_FCR, 0x87);           /* FIFO, trigger 8 */
    outb(SERIAL_IER, 0x05);
    ck_assert_int_eq(pthread_create(&th, NULL, feeder, &dev.uart), 0);
    while (got < FEED_BYTES) {
        uint8_t lsr = inb(SERIAL_LSR);

        ck_assert_uint_eq(lsr & SERIAL_LSR_OE, 0);
        if (lsr & SERIAL_LSR_DR) {
            ck_assert_uint_eq(inb(SERIAL_RBR), (uint8_t)got);
            got++;
        } else {
            sched_yield();
        }
    }
    pthread_join(th, NULL);
    ck_assert_uint_eq(dev.uart.rx_overruns, 0);
    ck_assert_uint_eq(inb(SERIAL_LSR), 0x60);
    ck_assert_int_eq(irq4(), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("serial");
    TCase *tc = tcase_create("16550");
    SRunner *sr;
    int failed;

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, reset_values);
    tcase_add_test(tc, dlab_and_scratch);
    tcase_add_test(tc, transmit);
    tcase_add_test(tc, thre_interrupt_rearm);
    tcase_add_test(tc, fifo_trigger_and_timeout);
    tcase_add_test(tc, overrun_and_priority);
    tcase_add_test(tc, non_fifo_mode);
    tcase_add_test(tc, loopback);
    tcase_add_test(tc, floods);
    tcase_add_test(tc, reset_clears);
    tcase_add_test(tc, random_traffic);
    tcase_add_test(tc, concurrent_input);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
