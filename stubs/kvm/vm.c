/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vm.c - the KVM VM of a xensim domain: creation (in-kernel irqchip and
 * PIT, GSI routing like a PC's, CPUID), guest RAM as memory slots, vCPUs.
 *
 * Memory: the domain's RAM file is mapped whole once (MAP_SHARED,
 * NORESERVE; frames are sparse). xkvm_sync_slots() rebuilds the wanted
 * slot list from the p2m whenever its generation moves (populate,
 * decrease_reservation, relocate_memory, set_mem_type, a new dirty-VRAM
 * range): one slot per run of gfns with consecutive frames and the same
 * attributes (read-only memory type; inside the tracked VRAM range, which
 * gets KVM's dirty log). Slots that changed are deleted, then new ones
 * added; during that window an access to the range exits as MMIO and the
 * vCPU serves it from the RAM file (stubs/guest's RAM path), so nothing is
 * lost. The p2m is read without the domain lock and the scan repeated if
 * the generation moved meanwhile (it can be long: 2^24 entries).
 *
 * Locking: @slot_lock serialises slot updates (platform thread, vCPUs on
 * an MMIO exit); KVM allows slot changes while vCPUs run.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <stdint.h>
#include <xen/hvm/hvm_op.h>

#include "stubs/kvm/kvm.h"

#define TSS_ADDR 0xfffbd000ul
#define IDENT_MAP_ADDR 0xfffbc000ull

static int kvm_err(const char *what)
{
    int e = errno ? errno : EIO;

    log_err("xensim-kvm: %s: %s", what, strerror(e));
    return -e;
}

/* PC routing: GSI 0-15 to the PICs (not the cascade, 2) and the IOAPIC,
 * GSI 0 (the PIT) at IOAPIC pin 2 as a PC's MADT override says; 16-23 to
 * the IOAPIC only. */
static int set_gsi_routing(struct xkvm *k)
{
    struct kvm_irq_routing *r;
    unsigned int n = 0;
    int rc;

    r = calloc(1, sizeof(*r) + 64 * sizeof(r->entries[0]));
    if (!r)
        return -ENOMEM;
    for (unsigned int gsi = 0; gsi < XKVM_NR_GSIS; gsi++) {
        if (gsi < 16 && gsi != 2) {
            r->entries[n].gsi = gsi;
            r->entries[n].type = KVM_IRQ_ROUTING_IRQCHIP;
            r->entries[n].u.irqchip.irqchip =
                gsi < 8 ? KVM_IRQCHIP_PIC_MASTER : KVM_IRQCHIP_PIC_SLAVE;
            r->entries[n].u.irqchip.pin = gsi % 8;
            n++;
        }
        if (gsi == 2)
            continue;
        r->entries[n].gsi = gsi;
        r->entries[n].type = KVM_IRQ_ROUTING_IRQCHIP;
        r->entries[n].u.irqchip.irqchip = KVM_IRQCHIP_IOAPIC;
        r->entries[n].u.irqchip.pin = gsi == 0 ? 2 : gsi;
        n++;
    }
    r->nr = n;
    rc = ioctl(k->vm_fd, KVM_SET_GSI_ROUTING, r) < 0 ? kvm_err("KVM_SET_GSI_ROUTING") : 0;
    free(r);
    return rc;
}

/*
 * CPUID: what KVM supports, with each vCPU's APIC id. KVM's paravirtual
 * leaves (0x40000000-0x400000ff) are hidden unless asked for: a Xen HVM
 * guest does not see KVM.
 */
static int set_cpuid(struct xkvm *k, struct xkvm_vcpu *v)
{
    struct kvm_cpuid2 *c;
    unsigned int nent = 256, out = 0;
    int rc = 0;

    c = calloc(1, sizeof(*c) + nent * sizeof(c->entries[0]));
    if (!c)
        return -ENOMEM;
    c->nent = nent;
    if (ioctl(k->kvm_fd, KVM_GET_SUPPORTED_CPUID, c) < 0) {
        rc = kvm_err("KVM_GET_SUPPORTED_CPUID");
        goto out;
    }
    for (unsigned int i = 0; i < c->nent; i++) {
        struct kvm_cpuid_entry2 e = c->entries[i];

        if (!k->opts.kvm_leaves && e.function >= 0x40000000u &&
            e.function <= 0x400000ffu)
            continue;
        if (e.function == 1) {
            e.ebx = (e.ebx & 0x00ffffffu) | (v->index << 24);
            e.ecx |= 1u << 31; /* hypervisor present */
        }
        if (e.function == 0xb || e.function == 0x1f)
            e.edx = v->index;
        c->entries[out++] = e;
    }
    c->nent = out;
    if (ioctl(v->fd, KVM_SET_CPUID2, c) < 0)
        rc = kvm_err("KVM_SET_CPUID2");
out:
    free(c);
    return rc;
}

static int create_vcpus(struct xkvm *k)
{
    for (unsigned int i = 0; i < k->nr_vcpus; i++) {
        struct xkvm_vcpu *v = &k->vcpus[i];
        int rc;

        v->k = k;
        v->index = i;
        v->fd = ioctl(k->vm_fd, KVM_CREATE_VCPU, (unsigned long)i);
        if (v->fd < 0) {
            v->fd = -1;
            return kvm_err("KVM_CREATE_VCPU");
        }
        v->run = mmap(NULL, k->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
                      v->fd, 0);
        if (v->run == MAP_FAILED) {
            v->run = NULL;
            return kvm_err("mmap(kvm_run)");
        }
        rc = set_cpuid(k, v);
        if (rc)
            return rc;
    }
    return 0;
}

static int check_limits(struct xkvm *k)
{
    long max = ioctl(k->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);
    long rec = ioctl(k->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_VCPUS);
    long slots = ioctl(k->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_MEMSLOTS);
    uint64_t host = (uint64_t)sysconf(_SC_PHYS_PAGES) * (uint64_t)sysconf(_SC_PAGESIZE);

    if (max <= 0)
        max = rec > 0 ? rec : 1;
    if (k->nr_vcpus > (unsigned long)max) {
        log_err("xensim-kvm: domain has %u vCPUs, KVM allows at most %ld",
                k->nr_vcpus, max);
        return -EINVAL;
    }
    if (rec > 0 && k->nr_vcpus > (unsigned long)rec)
        log_warn("xensim-kvm: %u vCPUs, more than the %ld KVM recommends "
                 "(host CPUs)", k->nr_vcpus, rec);
    if (k->dom->sh->mem_bytes > host) {
        log_err("xensim-kvm: domain memory %llu MiB exceeds the host's %llu MiB",
                (unsigned long long)(k->dom->sh->mem_bytes >> 20),
                (unsigned long long)(host >> 20));
        return -E2BIG;
    }
    for (int c = 0; c < 3; c++) {
        static const long caps[] = { KVM_CAP_IRQCHIP, KVM_CAP_PIT2,
                                     KVM_CAP_IRQ_ROUTING };
        static const char *const names[] = { "KVM_CAP_IRQCHIP", "KVM_CAP_PIT2",
                                             "KVM_CAP_IRQ_ROUTING" };

        if (ioctl(k->kvm_fd, KVM_CHECK_EXTENSION, caps[c]) <= 0) {
            log_err("xensim-kvm: KVM lacks %s", names[c]);
            return -ENOTSUP;
        }
    }
    k->max_slots = slots > 0 && slots < (long)XKVM_MAX_SLOTS ? (unsigned int)slots
                                                             : XKVM_MAX_SLOTS;
    return 0;
}

static int create_vm(struct xkvm *k)
{
    struct kvm_pit_config pit = { .flags = 0 };
    long sz;

    k->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (k->kvm_fd < 0)
        return kvm_err("open /dev/kvm");
    if (ioctl(k->kvm_fd, KVM_GET_API_VERSION, 0) != KVM_API_VERSION) {
        log_err("xensim-kvm: unexpected KVM API version");
        return -ENOTSUP;
    }
    if (check_limits(k))
        return -EINVAL;
    sz = ioctl(k->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (sz <= 0)
        return kvm_err("KVM_GET_VCPU_MMAP_SIZE");
    k->run_size = (size_t)sz;
    k->vm_fd = ioctl(k->kvm_fd, KVM_CREATE_VM, 0);
    if (k->vm_fd < 0)
        return kvm_err("KVM_CREATE_VM");
    /* Intel needs these three pages below 4 GiB; in the reserved range. */
    (void)ioctl(k->vm_fd, KVM_SET_TSS_ADDR, TSS_ADDR);
    {
        uint64_t ident = IDENT_MAP_ADDR;

        (void)ioctl(k->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &ident);
    }
    if (ioctl(k->vm_fd, KVM_CREATE_IRQCHIP, 0) < 0)
        return kvm_err("KVM_CREATE_IRQCHIP");
    if (ioctl(k->vm_fd, KVM_CREATE_PIT2, &pit) < 0)
        return kvm_err("KVM_CREATE_PIT2");
    return set_gsi_routing(k);
}

static int set_slot(struct xkvm *k, unsigned int id, const struct xkvm_slot *s)
{
    struct kvm_userspace_memory_region m = {
        .slot = id,
        .flags = s->nr ? s->flags : 0,
        .guest_phys_addr = s->gfn << XSIM_PAGE_SHIFT,
        .memory_size = s->nr << XSIM_PAGE_SHIFT,
        .userspace_addr = (uint64_t)(uintptr_t)(k->ram + (s->frame << XSIM_PAGE_SHIFT)),
    };

    if (ioctl(k->vm_fd, KVM_SET_USER_MEMORY_REGION, &m) < 0)
        return -errno;
    return 0;
}

static bool same_slot(const struct xkvm_slot *a, const struct xkvm_slot *b)
{
    return a->gfn == b->gfn && a->nr == b->nr && a->frame == b->frame &&
           a->flags == b->flags;
}

struct slot_attrs {
    struct xsim_memtype mt[XSIM_MAX_MEMTYPES];
    uint32_t nmt;
    uint64_t vram_first;
    uint64_t vram_nr;
};

static uint32_t slot_flags(const struct slot_attrs *a, uint64_t gfn)
{
    uint32_t f = 0;

    for (uint32_t i = 0; i < a->nmt; i++)
        if (gfn >= a->mt[i].first && gfn - a->mt[i].first < a->mt[i].nr &&
            a->mt[i].type == HVMMEM_ram_ro)
            f |= KVM_MEM_READONLY;
    if (a->vram_nr && gfn >= a->vram_first && gfn - a->vram_first < a->vram_nr)
        f |= KVM_MEM_LOG_DIRTY_PAGES;
    return f;
}

/* True if p2m entries [gfn, gfn + 64) are all empty (@gfn 64-aligned). */
static bool empty64(const uint32_t *p2m, uint64_t gfn)
{
    const uint64_t *w = (const uint64_t *)&p2m[gfn];

    for (unsigned int i = 0; i < 32; i++)
        if (__atomic_load_n(&w[i], __ATOMIC_RELAXED))
            return false;
    return true;
}

/* The slots the p2m asks for. Return: how many (capped at @max). */
static unsigned int wanted_slots(struct xkvm *k, struct xkvm_slot *w,
                                 unsigned int max, uint64_t *gen)
{
    const struct xsim_shared *sh = k->dom->sh;
    struct slot_attrs *a = calloc(1, sizeof(*a));
    unsigned int n = 0;
    bool capped = false;

    if (!a)
        return 0;
    xsim_lock(k->dom);
    *gen = sh->p2m_gen;
    a->nmt = sh->nr_memtypes;
    memcpy(a->mt, sh->memtypes, a->nmt * sizeof(a->mt[0]));
    a->vram_first = sh->vram_first;
    a->vram_nr = sh->vram_nr;
    xsim_unlock(k->dom);
    for (uint64_t gfn = 0; gfn < XSIM_MAX_GFNS; gfn++) {
        uint32_t e;
        uint32_t fl;

        if (!(gfn & 63) && empty64(sh->p2m, gfn)) {
            gfn += 63;
            continue;
        }
        e = __atomic_load_n(&sh->p2m[gfn], __ATOMIC_RELAXED);
        if (!e)
            continue;
        fl = slot_flags(a, gfn);
        if (n && w[n - 1].gfn + w[n - 1].nr == gfn &&
            w[n - 1].frame + w[n - 1].nr == (uint64_t)e - 1 && w[n - 1].flags == fl) {
            w[n - 1].nr++;
            continue;
        }
        if (n == max) {
            capped = true;
            continue;
        }
        w[n++] = (struct xkvm_slot){ gfn, 1, (uint64_t)e - 1, fl };
    }
    free(a);
    if (capped)
        log_warn_rl(&k->rl_exit, "xensim-kvm: more RAM runs than %u memory "
                    "slots; the rest is served through exits", max);
    return n;
}

void xkvm_sync_slots(struct xkvm *k)
{
    struct xkvm_slot *w;
    uint64_t gen = 0;
    unsigned int nw;

    if (__atomic_load_n(&k->dom->sh->p2m_gen, __ATOMIC_ACQUIRE) ==
        __atomic_load_n(&k->slot_gen, __ATOMIC_ACQUIRE))
        return;
    w = calloc(k->max_slots, sizeof(*w));
    if (!w)
        return;
    pthread_mutex_lock(&k->slot_lock);
    do {
        nw = wanted_slots(k, w, k->max_slots, &gen);
    } while (gen != __atomic_load_n(&k->dom->sh->p2m_gen, __ATOMIC_ACQUIRE));
    if (gen == k->slot_gen)
        goto out;
    /* Drop slots that are not wanted as they are, then add the new, with
     * every vCPU out of KVM_RUN: a vCPU must not run while part of its
     * RAM has no slot (an instruction fetch there cannot be served). */
    for (unsigned int i = 0; i < k->nr_vcpus; i++)
        if (k->vcpus[i].run)
            __atomic_store_n(&k->vcpus[i].run->immediate_exit, 1, __ATOMIC_SEQ_CST);
    xkvm_kick_started(k);
    pthread_rwlock_wrlock(&k->run_lock);
    for (unsigned int i = 0; i < k->max_slots; i++) {
        bool keep = false;

        if (!k->slots[i].nr)
            continue;
        for (unsigned int j = 0; j < nw && !keep; j++)
            keep = same_slot(&k->slots[i], &w[j]);
        if (!keep) {
            struct xkvm_slot none = k->slots[i];

            none.nr = 0;
            if (set_slot(k, i, &none) == 0)
                k->slots[i].nr = 0;
        }
    }
    for (unsigned int j = 0; j < nw; j++) {
        unsigned int free_id = k->max_slots;
        bool have = false;

        for (unsigned int i = 0; i < k->max_slots && !have; i++) {
            if (k->slots[i].nr && same_slot(&k->slots[i], &w[j]))
                have = true;
            else if (!k->slots[i].nr && free_id == k->max_slots)
                free_id = i;
        }
        if (have || free_id == k->max_slots)
            continue;
        if (set_slot(k, free_id, &w[j]) == 0)
            k->slots[free_id] = w[j];
        else
            log_warn_rl(&k->rl_exit, "xensim-kvm: memory slot for gfn 0x%llx+%llu: %s",
                        (unsigned long long)w[j].gfn, (unsigned long long)w[j].nr,
                        strerror(errno));
    }
    __atomic_store_n(&k->slot_gen, gen, __ATOMIC_RELEASE);
    for (unsigned int i = 0; i < k->nr_vcpus; i++)
        if (k->vcpus[i].run)
            __atomic_store_n(&k->vcpus[i].run->immediate_exit, 0, __ATOMIC_SEQ_CST);
    /* A stop that raced with the line above must keep the vCPUs out. */
    if (__atomic_load_n(&k->stop, __ATOMIC_SEQ_CST))
        xkvm_kick_all(k);
    pthread_rwlock_unlock(&k->run_lock);
out:
    pthread_mutex_unlock(&k->slot_lock);
    free(w);
}

void xkvm_fold_dirty_vram(struct xkvm *k)
{
    struct xsim_shared *sh = k->dom->sh;

    pthread_mutex_lock(&k->slot_lock);
    for (unsigned int i = 0; i < k->max_slots; i++) {
        struct xkvm_slot *s = &k->slots[i];
        struct kvm_dirty_log log = { .slot = i };
        uint64_t *bits;

        if (!s->nr || !(s->flags & KVM_MEM_LOG_DIRTY_PAGES))
            continue;
        bits = calloc((s->nr + 63) / 64, sizeof(uint64_t));
        if (!bits)
            continue;
        log.dirty_bitmap = bits;
        if (ioctl(k->vm_fd, KVM_GET_DIRTY_LOG, &log) == 0) {
            xsim_lock(k->dom);
            for (uint64_t p = 0; p < s->nr; p++) {
                uint64_t gfn = s->gfn + p, off;

                if (!(bits[p / 64] & (1ull << (p % 64))))
                    continue;
                if (!sh->vram_nr || gfn < sh->vram_first ||
                    gfn - sh->vram_first >= sh->vram_nr)
                    continue;
                off = gfn - sh->vram_first;
                sh->vram_dirty[off / 64] |= 1ull << (off % 64);
            }
            xsim_unlock(k->dom);
        }
        free(bits);
    }
    pthread_mutex_unlock(&k->slot_lock);
}

uint8_t *xkvm_ram_ptr(struct xkvm *k, uint64_t gpa, size_t len)
{
    uint64_t gfn = gpa >> XSIM_PAGE_SHIFT;
    uint32_t e;

    if (len == 0 || gfn >= XSIM_MAX_GFNS ||
        ((gpa + len - 1) >> XSIM_PAGE_SHIFT) != gfn)
        return NULL;
    e = __atomic_load_n(&k->dom->sh->p2m[gfn], __ATOMIC_ACQUIRE);
    if (!e)
        return NULL;
    return k->ram + (((uint64_t)e - 1) << XSIM_PAGE_SHIFT) +
           (gpa & (XSIM_PAGE_SIZE - 1));
}

static void layout(struct xkvm *k)
{
    uint64_t mem = k->dom->sh->mem_bytes;
    uint64_t low = mem < 0xf0000000ull ? mem : 0xf0000000ull;

    k->lowmem_end = low;
    k->highmem_end = 0x100000000ull + (mem - low);
}

int xkvm_open(const char *run_dir, uint32_t domid,
              const struct xkvm_opts *opts, struct xkvm **out)
{
    struct xkvm *k = calloc(1, sizeof(*k));
    int rc;

    if (!k)
        return -ENOMEM;
    k->kvm_fd = k->vm_fd = -1;
    k->reason = -1;
    k->opts = *opts;
    pthread_mutex_init(&k->slot_lock, NULL);
    {
        pthread_rwlockattr_t ra;

        pthread_rwlockattr_init(&ra);
        pthread_rwlockattr_setkind_np(&ra, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
        pthread_rwlock_init(&k->run_lock, &ra);
        pthread_rwlockattr_destroy(&ra);
    }
    pthread_mutex_init(&k->dev_lock, NULL);
    for (unsigned int i = 0; i < XSIM_MAX_VCPUS; i++)
        k->vcpus[i].fd = -1;
    rc = xsim_run_open(&k->run, run_dir);
    if (!rc)
        rc = xsim_dom_open(&k->run, domid, &k->dom);
    if (rc) {
        log_err("xensim-kvm: no domain %u in the run directory: %s", domid,
                strerror(-rc));
        goto fail;
    }
    if (domid == 0 || k->dom->sh->mem_bytes == 0) {
        log_err("xensim-kvm: domain %u has no RAM (dom0?)", domid);
        rc = -EINVAL;
        goto fail;
    }
    k->nr_vcpus = k->dom->sh->nr_vcpus;
    layout(k);
    rc = xsg_attach(run_dir, domid, &k->g);
    if (rc) {
        log_err("xensim-kvm: cannot attach to domain %u: %s%s", domid,
                strerror(-rc), rc == -EBUSY ? " (another guest side runs it)" : "");
        k->g = NULL;
        goto fail;
    }
    xsg_set_timeout_ms(k->g, opts->io_timeout_ms);
    xsg_set_spin_us(k->g, opts->spin_us);
    rc = create_vm(k);
    if (rc)
        goto fail;
    k->ram_len = (size_t)(XSIM_MAX_FRAMES << XSIM_PAGE_SHIFT);
    k->ram = mmap(NULL, k->ram_len, PROT_READ | PROT_WRITE,
                  MAP_SHARED | MAP_NORESERVE, k->dom->ram_fd, 0);
    if (k->ram == MAP_FAILED) {
        k->ram = NULL;
        rc = kvm_err("mmap of the domain's RAM file");
        goto fail;
    }
    k->slot_gen = ~0ull;
    xkvm_sync_slots(k);
    rc = create_vcpus(k);
    if (rc)
        goto fail;
    xkvm_platform_init(k);
    xsim_lock(k->dom);
    k->shutdown_seen = k->dom->sh->shutdown_count;
    k->msi_seen = k->dom->sh->msi_count;
    k->dom->sh->kvm_pid = (int32_t)getpid();
    xsim_unlock(k->dom);
    *out = k;
    return 0;
fail:
    xkvm_close(k);
    return rc;
}

void xkvm_close(struct xkvm *k)
{
    if (!k)
        return;
    __atomic_store_n(&k->stop, 1, __ATOMIC_SEQ_CST);
    xkvm_kick_all(k);
    for (unsigned int i = 0; i < k->nr_vcpus; i++)
        if (k->vcpus[i].started)
            pthread_join(k->vcpus[i].thread, NULL);
    if (k->plat_started) {
        xsim_plat_ring(k->dom->sh);
        pthread_join(k->plat, NULL);
    }
    if (k->dom) {
        xsim_lock(k->dom);
        if (k->dom->sh->kvm_pid == (int32_t)getpid())
            k->dom->sh->kvm_pid = 0;
        xsim_unlock(k->dom);
    }
    for (unsigned int i = 0; i < k->nr_vcpus; i++) {
        if (k->vcpus[i].run)
            munmap(k->vcpus[i].run, k->run_size);
        if (k->vcpus[i].fd >= 0)
            close(k->vcpus[i].fd);
    }
    if (k->vm_fd >= 0)
        close(k->vm_fd);
    if (k->kvm_fd >= 0)
        close(k->kvm_fd);
    if (k->ram)
        munmap(k->ram, k->ram_len);
    xsg_detach(k->g);
    xsim_dom_close(k->dom);
    pthread_mutex_destroy(&k->slot_lock);
    pthread_rwlock_destroy(&k->run_lock);
    pthread_mutex_destroy(&k->dev_lock);
    free(k);
}

int xkvm_probe(char *why, size_t len)
{
    int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC), vm, rc = 0;

    if (fd < 0) {
        snprintf(why, len, "open /dev/kvm: %s", strerror(errno));
        return -ENODEV;
    }
    if (ioctl(fd, KVM_GET_API_VERSION, 0) != KVM_API_VERSION) {
        snprintf(why, len, "unexpected KVM API version");
        close(fd);
        return -ENOTSUP;
    }
    vm = ioctl(fd, KVM_CREATE_VM, 0);
    if (vm < 0) {
        snprintf(why, len, "KVM_CREATE_VM: %s", strerror(errno));
        rc = -ENODEV;
    } else {
        if (ioctl(vm, KVM_CREATE_IRQCHIP, 0) < 0) {
            snprintf(why, len, "KVM_CREATE_IRQCHIP: %s", strerror(errno));
            rc = -ENOTSUP;
        }
        close(vm);
    }
    close(fd);
    if (!rc)
        snprintf(why, len, "KVM usable");
    return rc;
}
