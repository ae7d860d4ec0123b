/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * platform.c - what Xen's hypervisor emulates for an HVM guest and KVM's
 * kernel does not: the RTC/CMOS (0x70/0x71), the ACPI PM1a status/enable
 * registers and the PM timer (0xb000-0xb003, 0xb008-0xb00b, Xen's
 * pmtimer.c at ACPI_PM1A_EVT_BLK_ADDRESS_V1), the debug port 0xe9 (Xen
 * prints the guest's lines on its console); and the platform thread that
 * applies what device models did to the domain.
 *
 * The RTC keeps host time (guest writes to the time registers are not
 * kept; the CMOS RAM bytes are), runs no periodic, alarm or update
 * interrupts, and reports BCD/24-hour or binary per status B, like
 * Xen's vRTC at reset. The PM timer is the 32-bit 3.579545 MHz counter
 * (FADT TMR_VAL_EXT) of host monotonic time; TMR_STS is not raised.
 *
 * Interrupts: Xen takes ISA IRQ levels from the device model, and PCI
 * INTx of device D pin P through link (D + P) & 3 and the PIIX3 route the
 * device model reported for it (set_pci_link_route), ORs the sources of
 * each ISA IRQ and drives the PIC and IOAPIC. Here the result is given to
 * KVM's in-kernel irqchip with KVM_IRQ_LINE (GSI = ISA IRQ; the bed's
 * ACPI _PRT gives the same numbers). Xen's GSIs 16-47 for PCI in APIC
 * mode have no counterpart: KVM's IOAPIC has 24 pins.
 *
 * Locking: @dev_lock guards the device state and the GSI levels; the
 * shared arrays are read under the domain lock.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <linux/futex.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "stubs/kvm/kvm.h"

#include <xen/sched.h>

#define RTC_PORT 0x70
#define PM_EVT 0xb000
#define PM_TMR 0xb008
#define DEBUG_PORT 0xe9
#define SCI_GSI 9
#define PM_TIMER_HZ 3579545ull

bool xkvm_platform_claims(uint16_t port, unsigned int size)
{
    uint32_t last = (uint32_t)port + size - 1;

    return (port >= RTC_PORT && last <= RTC_PORT + 1) ||
           (port >= PM_EVT && last <= PM_EVT + 3) ||
           (port >= PM_TMR && last <= PM_TMR + 3) ||
           (port == DEBUG_PORT && size == 1);
}

static uint8_t bcd(const struct xkvm_rtc *r, unsigned int v)
{
    if (r->cmos[0x0b] & 0x04)
        return (uint8_t)v; /* binary mode */
    return (uint8_t)(((v / 10) << 4) | (v % 10));
}

static uint8_t rtc_read(struct xkvm_rtc *r)
{
    time_t now = time(NULL) + r->offset_s;
    struct tm tm;
    uint8_t i = r->index, v;

    gmtime_r(&now, &tm);
    switch (i) {
    case 0x00: return bcd(r, (unsigned int)tm.tm_sec);
    case 0x02: return bcd(r, (unsigned int)tm.tm_min);
    case 0x04:
        if (r->cmos[0x0b] & 0x02)
            return bcd(r, (unsigned int)tm.tm_hour);
        v = bcd(r, (unsigned int)(tm.tm_hour % 12 ? tm.tm_hour % 12 : 12));
        return tm.tm_hour >= 12 ? (uint8_t)(v | 0x80) : v;
    case 0x06: return bcd(r, (unsigned int)tm.tm_wday + 1);
    case 0x07: return bcd(r, (unsigned int)tm.tm_mday);
    case 0x08: return bcd(r, (unsigned int)tm.tm_mon + 1);
    case 0x09: return bcd(r, (unsigned int)tm.tm_year % 100);
    case 0x32: return bcd(r, (unsigned int)(tm.tm_year + 1900) / 100);
    case 0x0a: return r->cmos[0x0a] & 0x7f; /* UIP never set */
    case 0x0c:
        v = r->cmos[0x0c];
        r->cmos[0x0c] = 0; /* read clears */
        return v;
    case 0x0d: return 0x80; /* valid RAM and time */
    default: return r->cmos[i & 0x7f];
    }
}

static void rtc_write(struct xkvm_rtc *r, uint8_t val)
{
    uint8_t i = r->index;

    if (i <= 0x09 || i == 0x32 || i == 0x0c || i == 0x0d)
        return; /* time follows the host; status C/D are read-only */
    if (i == 0x0b)
        val &= 0x7f & ~0x70; /* no SET, no interrupt enables */
    r->cmos[i & 0x7f] = val;
}

static uint32_t pm_timer(void)
{
    struct timespec ts;
    unsigned __int128 ns;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    ns = (unsigned __int128)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
    return (uint32_t)(ns * PM_TIMER_HZ / 1000000000u);
}

/* Line-buffered; a full buffer is flushed as a line of its own. */
static void debug_byte(struct xkvm *k, uint8_t c)
{
    if (c == '\n' || k->e9_len == sizeof(k->e9_line) - 1) {
        k->e9_line[k->e9_len] = '\0';
        log_ratelimit_msg(&k->rl_e9, LOG_LEVEL_INFO, "(d%u) %s", k->dom->domid,
                          k->e9_line);
        k->e9_len = 0;
        if (c == '\n')
            return;
    }
    k->e9_line[k->e9_len++] = (char)((c >= 0x20 && c < 0x7f) || c == '\t' ? c : '.');
}

bool xkvm_platform_pio(struct xkvm *k, uint16_t port, unsigned int size,
                       bool write, uint32_t *val)
{
    bool sci_changed = false;

    if (!xkvm_platform_claims(port, size))
        return false;
    pthread_mutex_lock(&k->dev_lock);
    if (port == DEBUG_PORT) {
        if (write)
            debug_byte(k, (uint8_t)*val);
        else
            *val = 0xff;
    } else if (port >= PM_TMR) {
        if (!write)
            *val = pm_timer() >> ((port - PM_TMR) * 8);
    } else if (port >= PM_EVT) {
        uint8_t regs[4];
        bool old = k->pm.sci;

        memcpy(regs, &k->pm.sts, 2);
        memcpy(regs + 2, &k->pm.en, 2);
        for (unsigned int i = 0; i < size; i++) {
            unsigned int off = port - PM_EVT + i;
            uint8_t b = (uint8_t)(*val >> (i * 8));

            if (!write)
                continue;
            if (off < 2)
                regs[off] &= (uint8_t)~b; /* write 1 to clear */
            else
                regs[off] = b;
        }
        memcpy(&k->pm.sts, regs, 2);
        memcpy(&k->pm.en, regs + 2, 2);
        if (!write) {
            *val = 0;
            memcpy(val, regs + (port - PM_EVT), size);
        }
        k->pm.sci = (k->pm.sts & k->pm.en) != 0;
        sci_changed = k->pm.sci != old;
    } else if (port == RTC_PORT) {
        if (write)
            k->rtc.index = (uint8_t)(*val & 0x7f);
        else
            *val = 0xff;
        if (size == 2) {
            /* out 0x70 as a word: index, then data */
            if (write)
                rtc_write(&k->rtc, (uint8_t)(*val >> 8));
            else
                *val = 0xff | ((uint32_t)rtc_read(&k->rtc) << 8);
        }
    } else {
        if (write)
            rtc_write(&k->rtc, (uint8_t)*val);
        else
            *val = rtc_read(&k->rtc);
    }
    pthread_mutex_unlock(&k->dev_lock);
    if (sci_changed)
        xkvm_apply_irqs(k);
    return true;
}

void xkvm_platform_init(struct xkvm *k)
{
    memset(&k->rtc, 0, sizeof(k->rtc));
    k->rtc.cmos[0x0a] = 0x26; /* 32.768 kHz time base, 1024 Hz rate */
    k->rtc.cmos[0x0b] = 0x02; /* 24 hours, BCD */
    memset(&k->pm, 0, sizeof(k->pm));
}

static void irq_line(struct xkvm *k, unsigned int gsi, uint8_t level)
{
    struct kvm_irq_level l = { .irq = gsi, .level = level };

    if (ioctl(k->vm_fd, KVM_IRQ_LINE, &l) < 0)
        log_warn_rl(&k->rl_exit, "xensim-kvm: KVM_IRQ_LINE %u: %s", gsi,
                    strerror(errno));
}

void xkvm_apply_irqs(struct xkvm *k)
{
    const struct xsim_shared *sh = k->dom->sh;
    uint8_t want[XKVM_NR_GSIS] = { 0 };
    uint64_t msi_count;
    uint64_t msi_addr[XSIM_MSI_RING];
    uint32_t msi_data[XSIM_MSI_RING];
    uint64_t first;

    pthread_mutex_lock(&k->dev_lock);
    xsim_lock(k->dom);
    for (unsigned int i = 0; i < 16; i++)
        want[i] = sh->isa_irq[i] ? 1 : 0;
    for (unsigned int dev = 0; dev < 32; dev++) {
        for (unsigned int pin = 0; pin < 4; pin++) {
            uint8_t irq;

            if (!sh->pci_intx[dev][pin])
                continue;
            irq = sh->link_route[(dev + pin) & 3];
            if (irq && irq < 16)
                want[irq] = 1;
        }
    }
    msi_count = sh->msi_count;
    memcpy(msi_addr, sh->msi_ring_addr, sizeof(msi_addr));
    memcpy(msi_data, sh->msi_ring_data, sizeof(msi_data));
    xsim_unlock(k->dom);
    if (k->pm.sci)
        want[SCI_GSI] = 1;
    want[2] = 0; /* the cascade */
    for (unsigned int gsi = 0; gsi < XKVM_NR_GSIS; gsi++) {
        if (want[gsi] == k->gsi_level[gsi])
            continue;
        irq_line(k, gsi, want[gsi]);
        k->gsi_level[gsi] = want[gsi];
    }
    first = k->msi_seen;
    if (msi_count - first > XSIM_MSI_RING) {
        log_warn_rl(&k->rl_exit, "xensim-kvm: %llu MSIs overran the ring",
                    (unsigned long long)(msi_count - first - XSIM_MSI_RING));
        first = msi_count - XSIM_MSI_RING;
    }
    for (uint64_t n = first; n < msi_count; n++) {
        struct kvm_msi m = {
            .address_lo = (uint32_t)msi_addr[n % XSIM_MSI_RING],
            .address_hi = (uint32_t)(msi_addr[n % XSIM_MSI_RING] >> 32),
            .data = msi_data[n % XSIM_MSI_RING],
        };

        if (ioctl(k->vm_fd, KVM_SIGNAL_MSI, &m) < 0)
            log_warn_rl(&k->rl_exit, "xensim-kvm: KVM_SIGNAL_MSI: %s",
                        strerror(errno));
    }
    k->msi_seen = msi_count;
    pthread_mutex_unlock(&k->dev_lock);
}

void *xkvm_platform_main(void *arg)
{
    struct xkvm *k = arg;
    struct xsim_shared *sh = k->dom->sh;
    bool had_server = false;
    unsigned int servers;

    while (!__atomic_load_n(&k->stop, __ATOMIC_SEQ_CST)) {
        uint32_t seen = __atomic_load_n(&sh->plat_bell, __ATOMIC_ACQUIRE);
        uint32_t req;
        uint64_t count;

        xsim_lock(k->dom);
        count = sh->shutdown_count;
        if (count != k->shutdown_seen)
            k->reason = (int)sh->shutdown_reason;
        servers = 0;
        for (unsigned int i = 0; i < XSIM_MAX_SERVERS; i++) {
            const struct xsim_server *srv = &sh->servers[i];

            /* A server whose owner died without closing counts as gone,
             * as Xen drops a dead device model's server with its handles. */
            servers += srv->in_use && srv->enabled &&
                       (kill(srv->owner_pid, 0) == 0 || errno == EPERM);
        }
        xsim_unlock(k->dom);
        if (count != k->shutdown_seen)
            break;
        if (servers)
            had_server = true;
        if (had_server && !servers) {
            /* libxl destroys a domain whose device model died. */
            log_err("xensim-kvm: domain %u lost its device model: ending it",
                    k->dom->domid);
            xkvm_end_domain(k, SHUTDOWN_crash);
            continue;
        }
        xkvm_sync_slots(k);
        req = __atomic_load_n(&sh->vram_sync_req, __ATOMIC_ACQUIRE);
        if (req != __atomic_load_n(&sh->vram_sync_done, __ATOMIC_ACQUIRE)) {
            xkvm_fold_dirty_vram(k);
            __atomic_store_n(&sh->vram_sync_done, req, __ATOMIC_RELEASE);
            syscall(SYS_futex, &sh->vram_sync_done, FUTEX_WAKE, 1 << 30, NULL,
                    NULL, 0);
        }
        xkvm_apply_irqs(k);
        xsim_plat_wait(sh, seen, 100);
    }
    /* Xen pauses a domain that shut down: no vCPU runs any more. */
    __atomic_store_n(&k->stop, 1, __ATOMIC_SEQ_CST);
    xkvm_kick_all(k);
    return NULL;
}
