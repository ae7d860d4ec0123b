/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kvm.h - xensim's KVM vCPU backend (internal to stubs/kvm/).
 *
 * A struct xkvm runs one xensim domain's vCPUs on /dev/kvm. Guest RAM is
 * the domain's RAM file (dom<N>/ram, indexed by machine frame), mapped
 * once, whole, MAP_SHARED: each run of gfns whose frames are consecutive
 * becomes a KVM memory slot, so the device model's foreign mappings and the
 * guest see the very same pages. Exits are routed as Xen routes them:
 * what Xen's hypervisor emulates itself stays here (KVM's in-kernel PIC,
 * IOAPIC, LAPIC and PIT; the RTC, the ACPI PM timer and PM1a status/enable
 * in platform.c), everything else goes through the guest side of xensim
 * (stubs/guest/) as an ioreq to the server whose ranges claim it.
 *
 * Threads: one per vCPU (KVM_RUN loop, vcpu.c) and one platform thread
 * (platform.c) that sleeps on the domain's platform bell and applies what
 * device models did: IRQ levels, link routes, MSIs, p2m/memory-type
 * changes (memory slots), dirty-VRAM queries, shutdown.
 */
#ifndef XENSIM_KVM_H
#define XENSIM_KVM_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/kvm.h>

#include "stubs/guest/guest.h"
#include "stubs/xensim/simstate.h"
#include "util/log.h"

#define XKVM_MAX_SLOTS 256u      /* memory slots this backend uses at most */
#define XKVM_NR_GSIS 24u         /* KVM's in-kernel IOAPIC */

/**
 * struct xkvm_slot - one KVM memory slot: gfns [gfn, gfn + nr) backed by
 * frames [frame, frame + nr) of the RAM file.
 * @gfn: first guest frame.
 * @nr: frames (0 = slot unused).
 * @frame: first machine frame.
 * @flags: KVM_MEM_* (LOG_DIRTY_PAGES for tracked VRAM, READONLY).
 */
struct xkvm_slot {
    uint64_t gfn;
    uint64_t nr;
    uint64_t frame;
    uint32_t flags;
};

/**
 * struct xkvm_rtc - the MC146818 RTC/CMOS Xen emulates (ports 0x70/0x71).
 * @index: selected register (port 0x70, NMI bit stripped).
 * @cmos: the 128 bytes; time registers are computed on read.
 * @offset_s: guest time minus host time, seconds (set by guest writes).
 */
struct xkvm_rtc {
    uint8_t index;
    uint8_t cmos[128];
    int64_t offset_s;
};

/**
 * struct xkvm_pm - the ACPI PM1a event block and PM timer Xen's pmtimer.c
 * emulates (0xb000-0xb003, 0xb008-0xb00b).
 * @sts: PM1a_STS (write-1-to-clear).
 * @en: PM1a_EN.
 * @sci: SCI level last driven (IRQ 9).
 */
struct xkvm_pm {
    uint16_t sts;
    uint16_t en;
    bool sci;
};

struct xkvm;

/**
 * struct xkvm_vcpu - one vCPU.
 * @k: the backend.
 * @index: vCPU number (also its APIC id and ioreq slot).
 * @fd: KVM vCPU fd.
 * @run: the mmapped struct kvm_run.
 * @thread: its thread.
 * @started: @thread exists.
 * @exits: exits handled (statistics).
 * @ioreqs: exits turned into ioreqs.
 * @echo: the --echo-port register of this vCPU.
 */
struct xkvm_vcpu {
    struct xkvm *k;
    unsigned int index;
    int fd;
    struct kvm_run *run;
    pthread_t thread;
    bool started;
    uint64_t exits;
    uint64_t ioreqs;
    uint8_t echo;
};

/**
 * struct xkvm_opts - what to boot and how.
 * @kernel: bzImage path (or NULL with @flat).
 * @flat: a flat 32-bit image to run instead (loaded at 1 MiB, entered in
 *        protected mode with EBX = the command line), or NULL.
 * @initrd: initramfs path or NULL.
 * @append: kernel command line.
 * @reserve_top_kb: low RAM kept out of the e820 map at its top (a window
 *                  `xensim-kvm`'s balloon control may take back).
 * @kvm_leaves: show KVM's paravirtual CPUID leaves (kvmclock) to the guest.
 * @io_timeout_ms: how long a vCPU waits for a device model's answer.
 * @spin_us: how long a vCPU polls for an answer before it sleeps.
 * @echo_port: a port answered inside the vCPU thread as a one-byte
 *             scratch register, no ioreq (0: none): the benchmark floor.
 */
struct xkvm_opts {
    const char *kernel;
    const char *flat;
    const char *initrd;
    const char *append;
    unsigned int reserve_top_kb;
    bool kvm_leaves;
    unsigned int io_timeout_ms;
    unsigned int spin_us;
    uint16_t echo_port;
};

/**
 * struct xkvm - the backend of one domain.
 * @run: run directory.
 * @dom: the domain's shared state.
 * @g: the guest-side attachment (routing and ioreq slots).
 * @opts: boot options.
 * @kvm_fd: /dev/kvm.
 * @vm_fd: the VM.
 * @run_size: size of a vCPU's kvm_run mapping.
 * @max_slots: memory slots KVM allows (capped at XKVM_MAX_SLOTS).
 * @ram: the whole RAM file, MAP_SHARED (frame F at @ram + F * 4096).
 * @ram_len: its length.
 * @nr_vcpus: vCPUs.
 * @vcpus: the vCPUs.
 * @slot_lock: protects @slots, @slot_gen.
 * @run_lock: read-held by each vCPU inside KVM_RUN; write-held while
 *            slots are deleted and re-added, so no vCPU runs (fetches
 *            code) while part of its RAM has no slot. Writer-preferring.
 * @slots: memory slots as KVM has them.
 * @slot_gen: the p2m generation @slots reflect.
 * @dev_lock: protects @rtc, @pm, @gsi_level.
 * @rtc: RTC/CMOS.
 * @pm: PM1a event block.
 * @gsi_level: level last given to KVM per GSI.
 * @msi_seen: MSIs injected so far (index into the shared ring).
 * @shutdown_seen: shutdown count when the backend started.
 * @stop: set to stop every thread (atomic).
 * @reason: SHUTDOWN_* the domain ended with, -1 while running.
 * @plat: the platform thread.
 * @plat_started: @plat exists.
 * @rl_io: rate limiter for guest-triggered I/O messages.
 * @rl_exit: rate limiter for unexpected exits.
 * @e9_line: Xen's debug port 0xe9: the line being collected.
 * @e9_len: bytes in @e9_line.
 * @rl_e9: rate limiter for its lines.
 * @lowmem_end: end of RAM below 4 GiB (bytes).
 * @highmem_end: end of RAM above 4 GiB (bytes; 4 GiB if none).
 * @pirq_route: ISA IRQs the firmware step gave PCI links A-D.
 */
struct xkvm {
    struct xsim_run run;
    struct xsim_dom *dom;
    struct xsg_guest *g;
    struct xkvm_opts opts;
    int kvm_fd;
    int vm_fd;
    size_t run_size;
    unsigned int max_slots;
    uint8_t *ram;
    size_t ram_len;
    unsigned int nr_vcpus;
    struct xkvm_vcpu vcpus[XSIM_MAX_VCPUS];
    pthread_mutex_t slot_lock;
    pthread_rwlock_t run_lock;
    struct xkvm_slot slots[XKVM_MAX_SLOTS];
    uint64_t slot_gen;
    pthread_mutex_t dev_lock;
    struct xkvm_rtc rtc;
    struct xkvm_pm pm;
    uint8_t gsi_level[XKVM_NR_GSIS];
    uint64_t msi_seen;
    uint64_t shutdown_seen;
    int stop;
    int reason;
    pthread_t plat;
    bool plat_started;
    struct log_ratelimit rl_io;
    struct log_ratelimit rl_exit;
    char e9_line[160];
    unsigned int e9_len;
    struct log_ratelimit rl_e9;
    uint64_t lowmem_end;
    uint64_t highmem_end;
    uint8_t pirq_route[4];
};

/* ---- vm.c ------------------------------------------------------------ */

/**
 * xkvm_open() - attach to domain @domid and create its KVM VM (irqchip,
 * PIT, GSI routing, memory slots, vCPUs with CPUID).
 * @run_dir: run directory or NULL for $XENSIM_DIR.
 * @domid: an existing xensim domain.
 * @opts: options (copied; strings must outlive the backend).
 * @out: the new backend.
 * Return: 0 or negative errno (a one-line reason is logged).
 */
int xkvm_open(const char *run_dir, uint32_t domid,
              const struct xkvm_opts *opts, struct xkvm **out)
    __attribute__((warn_unused_result));

/**
 * xkvm_probe() - can this host run the backend (open /dev/kvm, create a VM
 * with an in-kernel irqchip)?
 * @why: the reason, or "KVM usable".
 * @len: size of @why.
 * Return: 0 or negative errno.
 */
int xkvm_probe(char *why, size_t len);

/**
 * xkvm_close() - stop every thread, release the VM and the attachment.
 * @k: the backend (NULL is a no-op).
 */
void xkvm_close(struct xkvm *k);

/**
 * xkvm_sync_slots() - make KVM's memory slots match the p2m, memory types
 * and the tracked VRAM range, if the p2m generation moved.
 * @k: the backend. Any thread.
 */
void xkvm_sync_slots(struct xkvm *k);

/**
 * xkvm_fold_dirty_vram() - OR KVM's dirty log of the tracked VRAM range
 * into the shared dirty bitmap track_dirty_vram() hands out.
 * @k: the backend.
 */
void xkvm_fold_dirty_vram(struct xkvm *k);

/**
 * xkvm_ram_ptr() - host pointer to guest-physical [@gpa, @gpa + @len)
 * when it lies in one populated page.
 * @k: the backend.
 * @gpa: guest physical address.
 * @len: bytes (must not cross a page).
 * Return: the pointer or NULL.
 */
uint8_t *xkvm_ram_ptr(struct xkvm *k, uint64_t gpa, size_t len);

/* ---- vcpu.c ---------------------------------------------------------- */

/**
 * xkvm_start() - start the vCPU and platform threads.
 * @k: a backend whose boot state is loaded (boot.c).
 * Return: 0 or negative errno.
 */
int xkvm_start(struct xkvm *k) __attribute__((warn_unused_result));

/**
 * xkvm_wait() - wait until the domain ends.
 * @k: the backend.
 * Return: the SHUTDOWN_* reason.
 */
int xkvm_wait(struct xkvm *k);

/**
 * xkvm_end_domain() - end the domain from the hypervisor's side (triple
 * fault, failed entry): record a shutdown with @reason like Xen's
 * domain_shutdown() and stop the vCPUs.
 * @k: the backend.
 * @reason: SHUTDOWN_*.
 */
void xkvm_end_domain(struct xkvm *k, unsigned int reason);

/**
 * xkvm_kick_started() - signal every started vCPU thread out of KVM_RUN
 * (with immediate_exit set by the caller, it stays out until cleared).
 * @k: the backend.
 */
void xkvm_kick_started(struct xkvm *k);

/**
 * xkvm_kick_all() - make every vCPU leave KVM_RUN and see @k->stop.
 * @k: the backend.
 */
void xkvm_kick_all(struct xkvm *k);

/**
 * xkvm_dump() - log each vCPU's RIP, run state and exit counts (the
 * registers may be stale for a vCPU inside KVM_RUN).
 * @k: the backend.
 */
void xkvm_dump(struct xkvm *k);

/* ---- platform.c ------------------------------------------------------ */

/**
 * xkvm_platform_pio() - ports Xen emulates itself (RTC, PM1a event block,
 * PM timer, 0xe9 debug port).
 * @k: the backend.
 * @port: first port.
 * @size: 1, 2 or 4.
 * @write: direction.
 * @val: value written / read back.
 * Return: true if the access is Xen's (handled), false to send an ioreq.
 */
bool xkvm_platform_pio(struct xkvm *k, uint16_t port, unsigned int size,
                       bool write, uint32_t *val);

/**
 * xkvm_platform_claims() - Return: true if [@port, @port + @size) is one
 * of the port ranges Xen serves itself (no side effect).
 * @port: first port.
 * @size: bytes.
 */
bool xkvm_platform_claims(uint16_t port, unsigned int size);

/**
 * xkvm_platform_init() - reset the RTC and PM state.
 * @k: the backend.
 */
void xkvm_platform_init(struct xkvm *k);

/**
 * xkvm_platform_main() - the platform thread (pthread start routine).
 * @arg: the backend.
 * Return: NULL.
 */
void *xkvm_platform_main(void *arg);

/**
 * xkvm_apply_irqs() - give KVM the GSI levels the device models asked for
 * (ISA IRQs, PCI INTx through the link routes, the PM SCI) and inject
 * new MSIs.
 * @k: the backend.
 */
void xkvm_apply_irqs(struct xkvm *k);

/* ---- boot.c ---------------------------------------------------------- */

/**
 * xkvm_boot_linux() - what Xen's domain builder plus firmware would have
 * done for a directly booted kernel: PCI set-up through the device model
 * (BARs, PIRQ routes, PM base), ACPI tables, e820, zero page, command
 * line, initramfs, and the boot vCPU in 32-bit protected mode at the
 * kernel's entry.
 * @k: the backend (vCPUs created, not started).
 * Return: 0 or negative errno (logged).
 */
int xkvm_boot_linux(struct xkvm *k) __attribute__((warn_unused_result));

/**
 * xkvm_boot_flat() - the firmware step and ACPI tables as for Linux, then
 * a flat image at 1 MiB entered in 32-bit protected mode, EBX = the
 * command line (test guests such as tests/kvm/microguest.c).
 * @k: the backend (vCPUs created, not started).
 * Return: 0 or negative errno (logged).
 */
int xkvm_boot_flat(struct xkvm *k) __attribute__((warn_unused_result));

/**
 * xkvm_firmware_pci() - the PCI set-up hvmloader does, through ioreqs.
 * @k: the backend (before the vCPUs run).
 * Return: 0 or negative errno.
 */
int xkvm_firmware_pci(struct xkvm *k) __attribute__((warn_unused_result));

#endif /* XENSIM_KVM_H */
