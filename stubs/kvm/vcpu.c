/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vcpu.c - the vCPU threads: KVM_RUN, and each exit routed as Xen routes
 * the access.
 *
 * Port I/O: ports Xen emulates itself are served here (platform.c); any
 * other access becomes an IOREQ_TYPE_PIO through the guest side of xensim
 * (stubs/guest), which applies Xen's routing (ranges, 0xcf8/0xcfc as
 * PCI_CONFIG, unclaimed = all-ones). A string instruction (`rep ins/outs`)
 * that KVM hands over as one exit of N items becomes one ioreq with
 * count = N and data_is_ptr, the buffer's guest-physical address found by
 * translating the guest's (E/R)DI or (E/R)SI with KVM_TRANSLATE, exactly
 * what Xen sends. KVM has already advanced the registers of an `outs` when
 * it exits and not those of an `ins`; the address of an `outs` buffer is
 * checked against the bytes KVM collected, and any doubt (no translation,
 * a page boundary, a mismatch) falls back to N single-item ioreqs, so the
 * device model sees the same data either way.
 *
 * MMIO: KVM exits once per item (also for `rep movs`); each exit is one
 * IOREQ_TYPE_COPY. An exit on populated RAM (a memory slot not yet in
 * step with the p2m) is served from the RAM file. VGA-window writes take
 * the buffered ring, as Xen posts them.
 *
 * Hostile guests: any port, size or address is answered (unclaimed reads
 * all-ones, writes dropped); an ioreq nobody answers in time reads
 * all-ones and is logged (rate-limited); a triple fault ends the domain
 * with SHUTDOWN_reboot, Xen's default for HVM guests; a failed entry or an
 * internal KVM error ends it as crashed.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>

#include <stdint.h>
#include <xen/sched.h>

#include "stubs/kvm/kvm.h"

static uint64_t ones(unsigned int size)
{
    return size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
}

static void io_fail(struct xkvm *k, const char *what, uint64_t addr, int rc)
{
    if (rc == -ESHUTDOWN)
        return;
    log_warn_rl(&k->rl_io, "xensim-kvm: %s 0x%llx: %s (answered all-ones)", what,
                (unsigned long long)addr, strerror(-rc));
}

static void pio_one(struct xkvm_vcpu *v, uint16_t port, unsigned int size,
                    bool write, uint8_t *data)
{
    struct xkvm *k = v->k;
    uint32_t val = 0;
    int rc;

    memcpy(&val, data, size);
    if (k->opts.echo_port && port == k->opts.echo_port && size == 1) {
        if (write)
            v->echo = (uint8_t)val;
        else
            data[0] = v->echo;
        return;
    }
    if (xkvm_platform_pio(k, port, size, write, &val)) {
        if (!write)
            memcpy(data, &val, size);
        return;
    }
    v->ioreqs++;
    if (write) {
        rc = xsg_pio_write(k->g, v->index, port, size, val);
    } else {
        rc = xsg_pio_read(k->g, v->index, port, size, &val);
        if (rc)
            val = (uint32_t)ones(size);
        memcpy(data, &val, size);
    }
    if (rc)
        io_fail(k, write ? "out to port" : "in from port", port, rc);
}

/* Address-size mask of the current mode. */
static uint64_t addr_mask(const struct kvm_sregs *s)
{
    if (s->cs.l && (s->efer & (1u << 10)))
        return ~0ull;
    return s->cs.db ? 0xffffffffull : 0xffffull;
}

static bool translate(struct xkvm_vcpu *v, uint64_t linear, uint64_t *gpa)
{
    struct kvm_translation t = { .linear_address = linear };

    if (ioctl(v->fd, KVM_TRANSLATE, &t) < 0 || !t.valid)
        return false;
    *gpa = t.physical_address;
    return true;
}

/*
 * The guest-physical address of item 0 of a string I/O exit, or false.
 * Item i lies at @gpa + i*size (or - with DF), all within one page.
 */
static bool string_gpa(struct xkvm_vcpu *v, const struct kvm_run *r,
                       bool *df, uint64_t *gpa)
{
    struct kvm_regs regs;
    struct kvm_sregs sregs;
    uint64_t mask, span = (uint64_t)r->io.count * r->io.size, lin, first;
    bool out = r->io.direction == KVM_EXIT_IO_OUT;

    if (ioctl(v->fd, KVM_GET_REGS, &regs) < 0 ||
        ioctl(v->fd, KVM_GET_SREGS, &sregs) < 0)
        return false;
    *df = regs.rflags & (1u << 10);
    mask = addr_mask(&sregs);
    if (out) {
        /* KVM advanced RSI past the items before exiting. */
        uint64_t si = regs.rsi & mask;

        lin = sregs.ds.base + ((*df ? si + span : si - span) & mask);
    } else {
        lin = sregs.es.base + (regs.rdi & mask);
    }
    if (!translate(v, lin, gpa))
        return false;
    first = *df ? *gpa - (span - r->io.size) : *gpa;
    if (*df && first > *gpa)
        return false;
    if ((first >> XSIM_PAGE_SHIFT) != ((first + span - 1) >> XSIM_PAGE_SHIFT))
        return false;
    if (out) {
        /* Only trust the address if RAM there holds what KVM collected. */
        const uint8_t *data = (const uint8_t *)r + r->io.data_offset;

        for (uint32_t i = 0; i < r->io.count; i++) {
            uint64_t a = *df ? *gpa - (uint64_t)i * r->io.size
                             : *gpa + (uint64_t)i * r->io.size;
            const uint8_t *p = xkvm_ram_ptr(v->k, a, r->io.size);

            if (!p || memcmp(p, data + (size_t)i * r->io.size, r->io.size))
                return false;
        }
    }
    return true;
}

static void pio_exit(struct xkvm_vcpu *v)
{
    struct kvm_run *r = v->run;
    uint8_t *data = (uint8_t *)r + r->io.data_offset;
    unsigned int size = r->io.size;
    bool write = r->io.direction == KVM_EXIT_IO_OUT, df;
    uint64_t gpa;
    int rc;

    log_trace("xensim-kvm: vCPU %u: %s port 0x%x size %u count %u", v->index,
              write ? "out" : "in", r->io.port, size, r->io.count);
    if (r->io.count <= 1) {
        pio_one(v, r->io.port, size, write, data);
        return;
    }
    /* Ports Xen serves itself, or no usable address: item by item. */
    if (xkvm_platform_claims(r->io.port, size) ||
        !string_gpa(v, r, &df, &gpa)) {
        for (uint32_t i = 0; i < r->io.count; i++)
            pio_one(v, r->io.port, size, write, data + (size_t)i * size);
        return;
    }
    v->ioreqs++;
    rc = xsg_pio_rep(v->k->g, v->index, r->io.port, size, r->io.count, df,
                     !write, gpa);
    if (rc) {
        io_fail(v->k, "rep string I/O at port", r->io.port, rc);
        if (!write)
            memset(data, 0xff, (size_t)r->io.count * size);
        return;
    }
    if (write)
        return;
    /* The device model wrote guest RAM; KVM writes data[] there too. */
    for (uint32_t i = 0; i < r->io.count; i++) {
        uint64_t a = df ? gpa - (uint64_t)i * size : gpa + (uint64_t)i * size;
        const uint8_t *p = xkvm_ram_ptr(v->k, a, size);

        if (p)
            memcpy(data + (size_t)i * size, p, size);
        else
            memset(data + (size_t)i * size, 0xff, size);
    }
}

static void mmio_exit(struct xkvm_vcpu *v)
{
    struct kvm_run *r = v->run;
    struct xkvm *k = v->k;
    unsigned int len = r->mmio.len;
    uint64_t val = 0;
    int rc;

    log_trace("xensim-kvm: vCPU %u: MMIO %s 0x%llx size %u", v->index,
              r->mmio.is_write ? "write" : "read",
              (unsigned long long)r->mmio.phys_addr, len);
    xkvm_sync_slots(k);
    if (len != 1 && len != 2 && len != 4 && len != 8) {
        /* KVM splits page-crossing accesses; any other size is odd. */
        log_warn_rl(&k->rl_io, "xensim-kvm: MMIO of %u bytes at 0x%llx ignored",
                    len, (unsigned long long)r->mmio.phys_addr);
        if (!r->mmio.is_write)
            memset(r->mmio.data, 0xff, sizeof(r->mmio.data));
        return;
    }
    v->ioreqs++;
    if (r->mmio.is_write) {
        memcpy(&val, r->mmio.data, len);
        rc = xsg_mmio_write(k->g, v->index, r->mmio.phys_addr, len, val);
        if (rc == -EROFS)
            rc = 0; /* read-only memory type: dropped, as Xen does */
        if (rc)
            io_fail(k, "MMIO write", r->mmio.phys_addr, rc);
        return;
    }
    rc = xsg_mmio_read(k->g, v->index, r->mmio.phys_addr, len, &val);
    if (rc) {
        io_fail(k, "MMIO read", r->mmio.phys_addr, rc);
        val = ones(len);
    }
    memcpy(r->mmio.data, &val, len);
}

void xkvm_kick_started(struct xkvm *k)
{
    for (unsigned int i = 0; i < k->nr_vcpus; i++)
        if (k->vcpus[i].started)
            pthread_kill(k->vcpus[i].thread, SIGUSR1);
}

void xkvm_kick_all(struct xkvm *k)
{
    for (unsigned int i = 0; i < k->nr_vcpus; i++)
        if (k->vcpus[i].run)
            __atomic_store_n(&k->vcpus[i].run->immediate_exit, 1, __ATOMIC_SEQ_CST);
    xkvm_kick_started(k);
}

void xkvm_end_domain(struct xkvm *k, unsigned int reason)
{
    xsim_lock(k->dom);
    /* The first shutdown wins, as in Xen. */
    if (k->dom->sh->shutdown_count == k->shutdown_seen) {
        k->dom->sh->shutdown_count++;
        k->dom->sh->shutdown_reason = reason;
    }
    xsim_unlock(k->dom);
    xsim_plat_ring(k->dom->sh);
    __atomic_store_n(&k->stop, 1, __ATOMIC_SEQ_CST);
    xkvm_kick_all(k);
}

static void *vcpu_main(void *arg)
{
    struct xkvm_vcpu *v = arg;
    struct xkvm *k = v->k;

    while (!__atomic_load_n(&k->stop, __ATOMIC_SEQ_CST)) {
        int r;

        pthread_rwlock_rdlock(&k->run_lock);
        r = ioctl(v->fd, KVM_RUN, 0);
        pthread_rwlock_unlock(&k->run_lock);
        if (r < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            log_err("xensim-kvm: vCPU %u: KVM_RUN: %s", v->index, strerror(errno));
            xkvm_end_domain(k, SHUTDOWN_crash);
            break;
        }
        v->exits++;
        switch (v->run->exit_reason) {
        case KVM_EXIT_IO:
            pio_exit(v);
            break;
        case KVM_EXIT_MMIO:
            mmio_exit(v);
            break;
        case KVM_EXIT_SHUTDOWN:
            log_warn("xensim-kvm: vCPU %u: triple fault: domain reboots "
                     "(Xen's default for HVM)", v->index);
            xkvm_end_domain(k, SHUTDOWN_reboot);
            break;
        case KVM_EXIT_HLT:
            break; /* only without an in-kernel LAPIC */
        case KVM_EXIT_FAIL_ENTRY:
            log_err("xensim-kvm: vCPU %u: entry failed (reason 0x%llx): domain crashed",
                    v->index,
                    (unsigned long long)v->run->fail_entry.hardware_entry_failure_reason);
            xkvm_end_domain(k, SHUTDOWN_crash);
            break;
        case KVM_EXIT_INTERNAL_ERROR:
            log_err("xensim-kvm: vCPU %u: KVM internal error %u: domain crashed",
                    v->index, v->run->internal.suberror);
            xkvm_end_domain(k, SHUTDOWN_crash);
            break;
        case KVM_EXIT_INTR:
            break;
        default:
            log_warn_rl(&k->rl_exit, "xensim-kvm: vCPU %u: unexpected exit %u",
                        v->index, v->run->exit_reason);
            break;
        }
    }
    return NULL;
}

static void on_kick(int sig)
{
    (void)sig;
}

int xkvm_start(struct xkvm *k)
{
    struct sigaction sa;
    int rc;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_kick; /* no SA_RESTART: KVM_RUN returns EINTR */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, NULL);
    rc = pthread_create(&k->plat, NULL, xkvm_platform_main, k);
    if (rc)
        return -rc;
    k->plat_started = true;
    for (unsigned int i = 0; i < k->nr_vcpus; i++) {
        rc = pthread_create(&k->vcpus[i].thread, NULL, vcpu_main, &k->vcpus[i]);
        if (rc) {
            xkvm_end_domain(k, SHUTDOWN_crash);
            return -rc;
        }
        k->vcpus[i].started = true;
    }
    return 0;
}

int xkvm_wait(struct xkvm *k)
{
    pthread_join(k->plat, NULL);
    k->plat_started = false;
    xsim_lock(k->dom);
    if (k->reason < 0 && k->dom->sh->shutdown_count != k->shutdown_seen)
        k->reason = (int)k->dom->sh->shutdown_reason;
    xsim_unlock(k->dom);
    __atomic_store_n(&k->stop, 1, __ATOMIC_SEQ_CST);
    xkvm_kick_all(k);
    for (unsigned int i = 0; i < k->nr_vcpus; i++) {
        if (k->vcpus[i].started)
            pthread_join(k->vcpus[i].thread, NULL);
        k->vcpus[i].started = false;
    }
    return k->reason;
}

void xkvm_dump(struct xkvm *k)
{
    for (unsigned int i = 0; i < k->nr_vcpus; i++) {
        struct xkvm_vcpu *v = &k->vcpus[i];
        struct kvm_regs r;
        struct kvm_mp_state mp = { 0 };

        if (ioctl(v->fd, KVM_GET_REGS, &r) < 0)
            continue;
        (void)ioctl(v->fd, KVM_GET_MP_STATE, &mp);
        log_info("xensim-kvm: vCPU %u: rip 0x%llx rsp 0x%llx rflags 0x%llx "
                 "mp_state %u, %llu exits, %llu ioreqs", i,
                 (unsigned long long)r.rip, (unsigned long long)r.rsp,
                 (unsigned long long)r.rflags, mp.mp_state,
                 (unsigned long long)v->exits, (unsigned long long)v->ioreqs);
    }
}
