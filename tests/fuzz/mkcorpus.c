/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mkcorpus.c - writes the seed corpus of fuzz_ioreq (tests/fuzz/corpus/)
 * in the input format described in fuzz_ioreq.c. Not part of the build:
 *   cc -I. -o /tmp/mkcorpus tests/fuzz/mkcorpus.c && OUT=tests/fuzz/corpus /tmp/mkcorpus
 */
#define __XEN_TOOLS__ 1
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xen/xen.h>
#include <xen/hvm/ioreq.h>

static FILE *f;
static void sync_(uint8_t type, uint64_t addr, uint64_t data, uint32_t count, uint32_t size, int dir, int ptr, int df) {
    ioreq_t r; memset(&r, 0, sizeof r);
    r.type = type; r.addr = addr; r.data = data; r.count = count; r.size = size;
    r.dir = dir; r.data_is_ptr = ptr; r.df = df; r.state = STATE_IOREQ_READY;
    fputc(0, f); fwrite(&r, sizeof r, 1, f);
}
static void buf_(int n, const buf_ioreq_t *s, uint16_t extra) {
    fputc(2, f); fputc(n, f); fwrite(s, sizeof *s, n, f); fputc(extra & 0xff, f); fputc(extra >> 8, f);
}
static buf_ioreq_t bs(uint8_t type, int size, uint32_t addr, uint32_t data, int dir) {
    buf_ioreq_t b; memset(&b, 0, sizeof b); b.type = type; b.size = size; b.addr = addr; b.data = data; b.dir = dir; return b;
}
static void open_(const char *n) { char p[256]; snprintf(p, sizeof p, "%s/%s", getenv("OUT"), n); f = fopen(p, "wb"); }
int main(void) {
    open_("pio-basic");
    sync_(IOREQ_TYPE_PIO, 0x100, 0x55, 1, 1, IOREQ_WRITE, 0, 0);
    sync_(IOREQ_TYPE_PIO, 0x100, 0, 1, 1, IOREQ_READ, 0, 0);
    sync_(IOREQ_TYPE_PIO, 0x1ce, 3, 1, 2, IOREQ_WRITE, 0, 0);
    sync_(IOREQ_TYPE_PIO, 0x1ce, 0, 1, 4, IOREQ_READ, 0, 0);
    fclose(f);
    open_("pio-rep");
    sync_(IOREQ_TYPE_PIO, 0x100, 0x1000, 16, 1, IOREQ_READ, 1, 0);
    sync_(IOREQ_TYPE_PIO, 0x100, 0x2000, 8, 4, IOREQ_WRITE, 1, 1);
    sync_(IOREQ_TYPE_PIO, 0x1cf, 0x8, 4, 2, IOREQ_READ, 1, 1);
    fclose(f);
    open_("mmio");
    sync_(IOREQ_TYPE_COPY, 0xf0000010, 0x1122334455667788ull, 1, 8, IOREQ_WRITE, 0, 0);
    sync_(IOREQ_TYPE_COPY, 0xf0000010, 0, 1, 8, IOREQ_READ, 0, 0);
    sync_(IOREQ_TYPE_COPY, 0xf0001002, 0x280, 1, 2, IOREQ_WRITE, 0, 0);
    sync_(IOREQ_TYPE_COPY, 0xf0001001, 0, 1, 4, IOREQ_READ, 0, 0);
    sync_(IOREQ_TYPE_COPY, 0xe0000000, 0, 1, 4, IOREQ_READ, 0, 0);
    fclose(f);
    open_("movs");
    sync_(IOREQ_TYPE_COPY, 0xf0000000, 0x3000, 32, 8, IOREQ_READ, 1, 0);
    sync_(IOREQ_TYPE_COPY, 0xf00000f8, 0xfff8, 4, 8, IOREQ_WRITE, 1, 1);
    sync_(IOREQ_TYPE_COPY, 0xf0000000, 0xfffc, 4, 4, IOREQ_READ, 1, 0);
    sync_(IOREQ_TYPE_COPY, 0xf0000000, 0x100000, 4, 4, IOREQ_READ, 1, 0);
    fclose(f);
    open_("pci-inval-time");
    sync_(IOREQ_TYPE_PCI_CONFIG, 0, 0, 1, 4, IOREQ_READ, 0, 0);
    sync_(IOREQ_TYPE_PCI_CONFIG, (8ull << 32) | 0x3c, 5, 1, 1, IOREQ_WRITE, 0, 0);
    sync_(IOREQ_TYPE_INVALIDATE, 0, 0, 1, 0, IOREQ_WRITE, 0, 0);
    sync_(IOREQ_TYPE_TIMEOFFSET, 0, 12345, 1, 8, IOREQ_WRITE, 0, 0);
    fclose(f);
    open_("hostile-sync");
    sync_(0x42, 0, 0, 1, 4, IOREQ_READ, 0, 0);
    sync_(IOREQ_TYPE_PIO, 0x100, 0, 1, 0, IOREQ_READ, 0, 0);
    sync_(IOREQ_TYPE_COPY, 0xf0000000, 0, 1, 3, IOREQ_READ, 0, 0);
    sync_(IOREQ_TYPE_COPY, 0xf0000000, 0, 1, 16, IOREQ_READ, 0, 0);
    sync_(IOREQ_TYPE_PIO, 0x100, 0, 0, 1, IOREQ_READ, 0, 0);
    sync_(IOREQ_TYPE_COPY, 0xf0000000, 0, 0xffffffffu, 4, IOREQ_READ, 1, 0);
    sync_(IOREQ_TYPE_PIO, 0x100, 4, 4, 4, IOREQ_READ, 1, 1);
    sync_(IOREQ_TYPE_COPY, 0xfffffffffffffffcull, 0, 3, 4, IOREQ_WRITE, 1, 0);
    sync_(IOREQ_TYPE_COPY, 0xf0000000, 0xfffffffffffffff8ull, 3, 8, IOREQ_READ, 1, 0);
    fclose(f);
    open_("buffered");
    { buf_ioreq_t s[6] = { bs(IOREQ_TYPE_COPY, 0, 0xa0000 & 0xfffff, 0x12, 0),
                           bs(IOREQ_TYPE_COPY, 3, 0x00010, 0x55667788, 0),
                           bs(IOREQ_TYPE_COPY, 3, 0x00010, 0x11223344, 0),
                           bs(IOREQ_TYPE_PIO, 1, 0x1ce, 4, 0),
                           bs(IOREQ_TYPE_PIO, 1, 0x1cf, 1, 0),
                           bs(IOREQ_TYPE_PIO, 0, 0x100, 0x7f, 0) };
      buf_(6, s, 0); }
    sync_(IOREQ_TYPE_COPY, 0x10, 0, 1, 8, IOREQ_READ, 0, 0);
    fclose(f);
    open_("buffered-hostile");
    { buf_ioreq_t s[3] = { bs(IOREQ_TYPE_COPY, 3, 0x10, 1, 0), bs(IOREQ_TYPE_COPY, 2, 0x20, 1, 1),
                           bs(IOREQ_TYPE_PCI_CONFIG, 2, 0, 1, 0) };
      buf_(1, s, 0); buf_(2, s + 1, 0); buf_(0, s, 600); buf_(3, s, 0); }
    fputc(3 | (0x80), f); fputc(3 | 0x7c, f);
    fclose(f);
    return 0;
}
