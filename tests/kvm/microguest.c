/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * microguest.c - a tiny real x86 guest for the KVM bed's tests: flat
 * 32-bit protected-mode code that `xensim-kvm --flat` loads at 1 MiB.
 * It drives the xenfv chipset the way firmware and drivers do (PCI
 * mechanism #1, the 16550, ATA IDENTIFY by `rep insw`, bus-master DMA
 * with a PRD table, VBE through the dispi ports and the linear
 * framebuffer, the PIC and an IRQ handler, ACPI S5, the 0xcf9 reset) and
 * reports on the serial line, one `MG <step> ...` line per result.
 * The command line (EBX) names the steps in order, e.g.
 * "hello pci identify dma rtc poweroff".
 *
 * Built freestanding (-m32 -ffreestanding -nostdlib); guest code, not part
 * of xendm. It runs where KVM cannot run a full Linux at usable speed
 * (docs/xensim.md: a KVM that emulates every guest instruction).
 */
#include <stdint.h>

#define UART 0x3f8
#define PM_TMR 0xb008
#define PM1A_CNT 0xb004
#define BUF_IDENT 0x200000u
#define PRD_TABLE 0x300000u
#define DMA_BUF 0x400000u
#define IDT_BASE 0x8000u
#define IRQ_COUNT ((volatile uint32_t *)0x7ff0u)
#define DMA_SECTORS 1024u
#define WRITE_LBA 4096u
#define WRITE_SECTORS 8u

void mg_main(const char *cmdline);
void mg_isr(void);
extern void mg_isr_stub(void);

static inline void outb(uint16_t p, uint8_t v) { __asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(p)); }
static inline void outw(uint16_t p, uint16_t v) { __asm__ volatile("outw %0, %1" ::"a"(v), "Nd"(p)); }
static inline void outl(uint16_t p, uint32_t v) { __asm__ volatile("outl %0, %1" ::"a"(v), "Nd"(p)); }
static inline uint8_t inb(uint16_t p) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(p)); return v; }
static inline uint16_t inw(uint16_t p) { uint16_t v; __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(p)); return v; }
static inline uint32_t inl(uint16_t p) { uint32_t v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(p)); return v; }
static inline void rep_insw(uint16_t p, void *dst, uint32_t n)
{
    __asm__ volatile("rep insw" : "+D"(dst), "+c"(n) : "d"(p) : "memory");
}
static inline void rep_insb(uint16_t p, void *dst, uint32_t n)
{
    __asm__ volatile("rep insb" : "+D"(dst), "+c"(n) : "d"(p) : "memory");
}
static inline void rep_outsb(uint16_t p, const void *src, uint32_t n)
{
    __asm__ volatile("rep outsb" : "+S"(src), "+c"(n) : "d"(p) : "memory");
}
static inline uint32_t rd32(uint32_t a) { return *(volatile uint32_t *)a; }
static inline void wr32(uint32_t a, uint32_t v) { *(volatile uint32_t *)a = v; }

static uint32_t slen(const char *s) { uint32_t n = 0; while (s[n]) n++; return n; }

static void putc_(char c)
{
    for (int i = 0; i < 100000 && !(inb(UART + 5) & 0x20); i++)
        ;
    outb(UART, (uint8_t)c);
}
static void puts_(const char *s) { while (*s) putc_(*s++); }
static void puthex(uint32_t v, int digits)
{
    for (int i = digits - 1; i >= 0; i--)
        putc_("0123456789abcdef"[(v >> (i * 4)) & 0xf]);
}
static void putdec(uint32_t v)
{
    char b[12];
    int i = 0;

    do { b[i++] = (char)('0' + v % 10); v /= 10; } while (v);
    while (i)
        putc_(b[--i]);
}

static uint32_t pm_now(void) { return inl(PM_TMR); }
/* Wait up to @ms for cond(); Return: 1 if it held. */
static int wait_ms(int (*cond)(void), uint32_t ms)
{
    uint32_t t0 = pm_now();

    while (pm_now() - t0 < ms * 3580u)
        if (cond())
            return 1;
    return cond();
}

static uint32_t cfg_read(uint32_t dev, uint32_t fn, uint32_t reg)
{
    outl(0xcf8, 0x80000000u | (dev << 11) | (fn << 8) | (reg & 0xfc));
    return inl(0xcfc);
}

static uint32_t hash_words(uint32_t addr, uint32_t bytes)
{
    uint32_t h = 2166136261u;

    for (uint32_t i = 0; i < bytes; i += 4)
        h = (h ^ rd32(addr + i)) * 16777619u;
    return h;
}

static void step_hello(void)
{
    static const char line[] = "MG hello rep-outsb ok\n";

    static const char e9[] = "MG e9 hello\n";

    for (uint32_t i = 0; i < slen(e9); i++)
        outb(0xe9, (uint8_t)e9[i]);          /* Xen's debug port */
    puts_("MG hello single-outb ok\n");
    rep_outsb(UART, line, slen(line)); /* one ioreq with count/data_is_ptr */
}

static void step_pci(void)
{
    for (uint32_t dev = 0; dev < 32; dev++) {
        for (uint32_t fn = 0; fn < 8; fn++) {
            uint32_t id = cfg_read(dev, fn, 0);

            if ((id & 0xffff) == 0xffff)
                continue;
            puts_("MG pci 00:");
            puthex(dev, 2);
            putc_('.');
            puthex(fn, 1);
            putc_(' ');
            puthex(id & 0xffff, 4);
            putc_(':');
            puthex(id >> 16, 4);
            puts_(" class ");
            puthex(cfg_read(dev, fn, 8) >> 16, 4);
            puts_(" irq ");
            putdec(cfg_read(dev, fn, 0x3c) & 0xff);
            putc_('\n');
            if (fn == 0 && !((cfg_read(dev, 0, 0xc) >> 16) & 0x80))
                break;
        }
    }
}

static int ata_ready(void) { return (inb(0x1f7) & 0x88) == 0x08; }
static int ata_idle(void) { return !(inb(0x1f7) & 0x80); }

static void step_identify(void)
{
    uint16_t *w = (uint16_t *)BUF_IDENT;
    char model[41];

    outb(0x1f6, 0xa0);
    outb(0x1f7, 0xec);
    if (!wait_ms(ata_ready, 2000)) {
        puts_("MG identify FAIL no DRQ\n");
        return;
    }
    rep_insw(0x1f0, w, 256);
    for (int i = 0; i < 20; i++) {
        model[2 * i] = (char)(w[27 + i] >> 8);
        model[2 * i + 1] = (char)(w[27 + i] & 0xff);
    }
    model[40] = 0;
    for (int i = 39; i >= 0 && model[i] == ' '; i--)
        model[i] = 0;
    puts_("MG identify model '");
    puts_(model);
    puts_("' sectors ");
    putdec(w[60] | ((uint32_t)w[61] << 16));
    putc_('\n');
}

static uint32_t bmiba(void) { return cfg_read(1, 1, 0x20) & 0xfffcu; }

/* One bus-master DMA command of @n (<= 256) sectors at @lba. */
static int ata_dma(uint8_t cmd, uint32_t lba, uint32_t n, uint32_t buf)
{
    uint16_t bm = (uint16_t)bmiba();
    uint32_t bytes = n * 512, i = 0;

    for (uint32_t off = 0; off < bytes; off += 0x10000, i++) {
        uint32_t chunk = bytes - off > 0x10000 ? 0x10000 : bytes - off;

        wr32(PRD_TABLE + i * 8, buf + off);
        wr32(PRD_TABLE + i * 8 + 4, (chunk & 0xffff) |
                                        (off + chunk >= bytes ? 0x80000000u : 0));
    }
    outb(bm, 0);
    outb((uint16_t)(bm + 2), 0x06);          /* clear error/interrupt */
    outl((uint16_t)(bm + 4), PRD_TABLE);
    outb(0x1f2, (uint8_t)n);
    outb(0x1f3, (uint8_t)lba);
    outb(0x1f4, (uint8_t)(lba >> 8));
    outb(0x1f5, (uint8_t)(lba >> 16));
    outb(0x1f6, (uint8_t)(0xe0 | ((lba >> 24) & 0xf)));
    outb(0x1f7, cmd);
    outb(bm, cmd == 0xc8 ? 0x09 : 0x01);     /* start; direction */
    if (!wait_ms(ata_idle, 5000))
        return -1;
    for (uint32_t t0 = pm_now(); !(inb((uint16_t)(bm + 2)) & 0x04);)
        if (pm_now() - t0 > 5000u * 3580u)
            return -2;
    outb(bm, 0);
    if (inb((uint16_t)(bm + 2)) & 0x02 || inb(0x1f7) & 0x01)
        return -3;
    outb((uint16_t)(bm + 2), 0x06);
    return 0;
}

static void step_dma(void)
{
    puts_("MG dma start\n");
    for (uint32_t s = 0; s < DMA_SECTORS; s += 256) {
        int rc = ata_dma(0xc8, s, 256, DMA_BUF + s * 512);

        if (rc) {
            puts_("MG dma FAIL ");
            putdec((uint32_t)-rc);
            putc_('\n');
            return;
        }
    }
    puts_("MG dma sectors=");
    putdec(DMA_SECTORS);
    puts_(" hash=");
    puthex(hash_words(DMA_BUF, DMA_SECTORS * 512), 8);
    putc_('\n');
    puts_("MG dma again hash=");
    puthex(hash_words(DMA_BUF, DMA_SECTORS * 512), 8);
    putc_('\n');
}

static void step_write(void)
{
    uint8_t *p = (uint8_t *)DMA_BUF;

    for (uint32_t i = 0; i < WRITE_SECTORS * 512; i++)
        p[i] = (uint8_t)(i * 7 + 3);
    if (ata_dma(0xca, WRITE_LBA, WRITE_SECTORS, DMA_BUF)) {
        puts_("MG write FAIL\n");
        return;
    }
    outb(0x1f7, 0xe7); /* FLUSH CACHE */
    wait_ms(ata_idle, 5000);
    puts_("MG write ok lba=");
    putdec(WRITE_LBA);
    putc_('\n');
}

static uint8_t cmos(uint8_t r) { outb(0x70, r); return inb(0x71); }

static void step_rtc(void)
{
    uint32_t a = pm_now(), b;

    for (volatile int i = 0; i < 2000; i++)
        ;
    b = pm_now();
    puts_("MG rtc 20");
    puthex(cmos(9), 2);
    putc_('-');
    puthex(cmos(8), 2);
    putc_('-');
    puthex(cmos(7), 2);
    putc_(' ');
    puthex(cmos(4), 2);
    putc_(':');
    puthex(cmos(2), 2);
    puts_(" statusB ");
    puthex(cmos(0xb), 2);
    puts_(" pmtimer-ticks ");
    putdec(b - a);
    putc_('\n');
}

static void step_pio(uint32_t n)
{
    uint32_t err = 0, t0, t1;

    t0 = pm_now();
    for (uint32_t i = 0; i < n; i++) {
        outb(UART + 7, (uint8_t)i);
        if (inb(UART + 7) != (uint8_t)i)
            err++;
    }
    t1 = pm_now();
    puts_("MG pio round-trips=");
    putdec(n);
    puts_(" ticks=");
    putdec(t1 - t0);
    puts_(" errors=");
    putdec(err);
    putc_('\n');
}

static int uart_rx(void) { return inb(UART + 5) & 1; }

static void step_vga(void)
{
    uint32_t lfb = 0;

    for (uint32_t dev = 0; dev < 32 && !lfb; dev++)
        if ((cfg_read(dev, 0, 8) >> 16) == 0x0300)
            lfb = cfg_read(dev, 0, 0x10) & ~0xfu;
    if (!lfb) {
        puts_("MG vga FAIL no display controller\n");
        return;
    }
    outw(0x1ce, 0);
    puts_("MG vga dispi-id ");
    puthex(inw(0x1cf), 4);
    putc_('\n');
    outw(0x1ce, 4); outw(0x1cf, 0);
    outw(0x1ce, 1); outw(0x1cf, 640);
    outw(0x1ce, 2); outw(0x1cf, 480);
    outw(0x1ce, 3); outw(0x1cf, 32);
    outw(0x1ce, 4); outw(0x1cf, 0x41);       /* enabled, linear framebuffer */
    for (uint32_t y = 0; y < 256; y++)
        for (uint32_t x = 0; x < 256; x++)
            wr32(lfb + ((y + 64) * 640 + x + 64) * 4, (x << 16) | (y << 8) | 0x80);
    puts_("MG vga drawn lfb=");
    puthex(lfb, 8);
    putc_('\n');
    if (wait_ms(uart_rx, 60000)) {
        (void)inb(UART);
        puts_("MG vga go\n");
    } else {
        puts_("MG vga FAIL no go\n");
    }
}

void mg_isr(void)
{
    (void)inb(UART + 2); /* IIR: acknowledges THRE */
    (*IRQ_COUNT)++;
    outb(0x20, 0x20);
}

static int irq_seen(void) { return *IRQ_COUNT != 0; }

static void step_irq(void)
{
    uint32_t *idt = (uint32_t *)IDT_BASE;
    uint32_t isr = (uint32_t)(uintptr_t)mg_isr_stub;
    struct { uint16_t limit; uint32_t base; } __attribute__((packed)) d = {
        256 * 8 - 1, IDT_BASE };

    for (int v = 0; v < 256; v++) {
        idt[v * 2] = (0x10u << 16) | (isr & 0xffff);
        idt[v * 2 + 1] = (isr & 0xffff0000u) | 0x8e00u; /* present int gate */
    }
    __asm__ volatile("lidt %0" ::"m"(d));
    outb(0x20, 0x11); outb(0xa0, 0x11);      /* ICW1 */
    outb(0x21, 0x20); outb(0xa1, 0x28);      /* vectors 32.. / 40.. */
    outb(0x21, 0x04); outb(0xa1, 0x02);
    outb(0x21, 0x01); outb(0xa1, 0x01);
    outb(0x21, 0xef); outb(0xa1, 0xff);      /* only IRQ 4 */
    *IRQ_COUNT = 0;
    outb(UART + 4, 0x0b);                    /* DTR, RTS, OUT2 */
    outb(UART + 1, 0x02);                    /* THRE interrupt */
    __asm__ volatile("sti");
    outb(UART, '.');
    wait_ms(irq_seen, 2000);
    __asm__ volatile("cli");
    outb(UART + 1, 0);
    puts_(*IRQ_COUNT ? "\nMG irq uart-irq4 count=" : "\nMG irq FAIL count=");
    putdec(*IRQ_COUNT);
    putc_('\n');
}

static void step_hostile(void)
{
    uint8_t *b = (uint8_t *)DMA_BUF;
    uint32_t bad = 0;

    for (int i = 0; i < 64; i++)
        b[i] = 0;
    rep_insb(0x1234, b, 64);                 /* nobody claims the port */
    for (int i = 0; i < 64; i++)
        bad += b[i] != 0xff;
    bad = bad ? 1 : 0;                       /* bit 0: rep insb */
    bad |= (rd32(0xfed00000u) != 0xffffffffu) << 1; /* HPET hole: all-ones */
    bad |= (rd32(0xe0000000u) != 0xffffffffu) << 2; /* unassigned PCI hole */
    wr32(0xe0000000u, 0x12345678u);          /* vanishes */
    bad |= (cfg_read(31, 7, 0) != 0xffffffffu) << 3;
    outl(0xcf8, 0);                          /* mechanism #1 disabled */
    outl(0xcfc, 0xdeadbeefu);
    (void)inl(UART + 1);                     /* straddles UART registers */
    rep_insw(0x1f0, b, 4096);                /* data port with no command */
    for (uint32_t p = 0x400; p < 0x1000; p += 4)
        (void)inl((uint16_t)p);              /* a sweep of mostly empty ports */
    puts_("MG hostile bad=");
    putdec(bad);                             /* a mask of the checks above */
    putc_('\n');
}

static int word_is(const char *s, const char *w)
{
    while (*w && *s == *w) { s++; w++; }
    return !*w && (*s == ' ' || *s == 0);
}

void mg_main(const char *cmdline)
{
    const char *s = cmdline;

    puts_("MG booted\n");
    while (*s) {
        while (*s == ' ')
            s++;
        if (!*s)
            break;
        if (word_is(s, "hello")) step_hello();
        else if (word_is(s, "pci")) step_pci();
        else if (word_is(s, "identify")) step_identify();
        else if (word_is(s, "dma")) step_dma();
        else if (word_is(s, "write")) step_write();
        else if (word_is(s, "rtc")) step_rtc();
        else if (word_is(s, "pio")) step_pio(20000);
        else if (word_is(s, "vga")) step_vga();
        else if (word_is(s, "irq")) step_irq();
        else if (word_is(s, "hostile")) step_hostile();
        else if (word_is(s, "spin")) { puts_("MG spin\n"); for (;;) ; }
        else if (word_is(s, "poweroff")) {
            puts_("MG poweroff\n");
            outw(PM1A_CNT, 0x2000);          /* SLP_TYP 0 (Xen's \_S5), SLP_EN */
        } else if (word_is(s, "reset")) {
            puts_("MG reset\n");
            outb(0xcf9, 0x06);
        } else if (word_is(s, "triple")) {
            /* No IDT, then a #GP (a selector past the GDT): #GP, #DF,
             * shutdown. (int3 would do on hardware; an emulating KVM
             * cannot emulate it.) */
            struct { uint16_t l; uint32_t b; } __attribute__((packed)) z = { 0, 0 };

            puts_("MG triple\n");
            __asm__ volatile("lidt %0; movw $0x80, %%ax; movw %%ax, %%ds"
                             ::"m"(z) : "eax");
        } else {
            puts_("MG unknown step\n");
        }
        while (*s && *s != ' ')
            s++;
    }
    puts_("MG done\n");
}
